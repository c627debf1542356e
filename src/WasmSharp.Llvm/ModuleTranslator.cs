using System.Runtime.InteropServices;
using WasmSharp.Binary;
using WasmSharp.Llvm.Native;
using static WasmSharp.Llvm.Native.LlvmApi;

namespace WasmSharp.Llvm;

/// <summary>
/// Translates a module's defined functions into one LLVM module. Each function i becomes
/// <c>internal T wasm_f{i}(ptr ctx, params...)</c>, and an exported entry <c>void wasmsharp_entry_{i}(ptr ctx,
/// ptr slots)</c> calls it on raw slots (the host convention, <see cref="HostSlots"/>): arguments from slot 0, the
/// result written to slot 0, a trap left in the context's TrapCode.
/// </summary>
internal sealed unsafe class ModuleTranslator : IDisposable
{
    public static readonly int MemoriesOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.Memories));
    public static readonly int GlobalsOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.Globals));
    public static readonly int TrapCodeOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.TrapCode));
    public static readonly int StackLimitOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.StackLimit));
    public static readonly int CallIndirectOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.CallIndirect));
    public static readonly int GrowMemoryOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.GrowMemory));
    public static readonly int CallFunctionOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.CallFunction));

    public ModuleInfo Info { get; }
    public nint Context { get; }
    public nint Module { get; private set; }
    public nint I1 { get; }
    public nint I8 { get; }
    public nint I16 { get; }
    public nint I32 { get; }
    public nint I64 { get; }
    public nint F32 { get; }
    public nint F64 { get; }
    public nint Ptr { get; }
    public nint Void { get; }
    private readonly (nint Function, nint Type)[] _functions;
    /// <summary>void (ptr ctx, i32 index, ptr slots): <see cref="InstanceContext.CallFunction"/>'s type.</summary>
    public nint CallOutType { get; }
    /// <summary>i32 (ptr ctx, i32 memory, i32 delta): <see cref="InstanceContext.GrowMemory"/>'s type.</summary>
    public nint GrowType { get; }
    /// <summary>void (ptr ctx, i32 table, i32 type, i32 element, ptr slots): <see cref="InstanceContext.CallIndirect"/>'s type.</summary>
    public nint CallIndirectType { get; }
    private readonly Dictionary<(string, nint), (nint, nint)> _intrinsics = new();

    /// <summary>The declaration of intrinsic <paramref name="name"/> overloaded on <paramref name="type"/>, and its type.</summary>
    public (nint Function, nint Type) Intrinsic(string name, nint type)
    {
        if (_intrinsics.TryGetValue((name, type), out var known)) return known;
        uint id = LLVMLookupIntrinsicID(name, (nuint)name.Length);
        if (id == 0) throw new InvalidOperationException($"LLVM has no intrinsic {name}");
        nint fn = LLVMGetIntrinsicDeclaration(Module, id, &type, 1);
        return _intrinsics[(name, type)] = (fn, LLVMGlobalGetValueType(fn));
    }

    /// <summary>Accesses to linear memory go unchecked, past the end into the reservation's inaccessible pages
    /// (<see cref="Llvm.GuardPages"/>); else each access checks its bounds.</summary>
    public bool GuardPages { get; }

    /// <summary>The section all generated code goes to; the linker's <c>__start_</c>/<c>__stop_</c> symbols of it give
    /// the code's address range (<see cref="CodeStartSymbol"/>, <see cref="CodeEndSymbol"/>).</summary>
    private const string CodeSection = "wasmsharp_text";
    public const string CodeStartSymbol = "wasmsharp_code_start", CodeEndSymbol = "wasmsharp_code_end";

    public ModuleTranslator(ModuleInfo info, string name, bool guardPages = false)
    {
        GuardPages = guardPages;
        LlvmLibrary.Check();
        Info = info;
        Context = LLVMContextCreate();
        Module = LLVMModuleCreateWithNameInContext(name, Context);
        I1 = LLVMInt1TypeInContext(Context);
        I8 = LLVMInt8TypeInContext(Context);
        I16 = LLVMInt16TypeInContext(Context);
        I32 = LLVMInt32TypeInContext(Context);
        I64 = LLVMInt64TypeInContext(Context);
        F32 = LLVMFloatTypeInContext(Context);
        F64 = LLVMDoubleTypeInContext(Context);
        Ptr = LLVMPointerTypeInContext(Context, 0);
        Void = LLVMVoidTypeInContext(Context);
        nint* callOut = stackalloc nint[] { Ptr, I32, Ptr };
        CallOutType = LLVMFunctionType(Void, callOut, 3, 0);
        nint* grow = stackalloc nint[] { Ptr, I32, I32 };
        GrowType = LLVMFunctionType(I32, grow, 3, 0);
        nint* indirect = stackalloc nint[] { Ptr, I32, I32, I32, Ptr };
        CallIndirectType = LLVMFunctionType(Void, indirect, 5, 0);
        _functions = new (nint, nint)[info.Codes.Count];
        for (int i = 0; i < _functions.Length; i++)
        {
            int index = info.ImportedFunctionCount + i;
            var type = info.GetFunctionType(index);
            if (type.Results.Length > 1) throw new NotSupportedException("multiple results");
            var ps = new nint[type.Parameters.Length + 1];
            ps[0] = Ptr;
            for (int k = 0; k < type.Parameters.Length; k++) ps[k + 1] = TypeOf(type.Parameters[k]);
            nint fnType;
            fixed (nint* p = ps) fnType = LLVMFunctionType(type.Results.Length == 0 ? Void : TypeOf(type.Results[0]), p, (uint)ps.Length, 0);
            nint fn = LLVMAddFunction(Module, $"wasm_f{index}", fnType);
            LLVMSetLinkage(fn, LLVMLinkage.Internal);
            LLVMSetSection(fn, CodeSection);
            _functions[i] = (fn, fnType);
        }
    }

    public nint TypeOf(ValueType t) => t switch
    {
        ValueType.I32 => I32,
        ValueType.I64 => I64,
        ValueType.F32 => F32,
        ValueType.F64 => F64,
        _ => throw new NotSupportedException($"{t.ToText()} values"),
    };

    /// <summary>The LLVM function and its type of defined function <paramref name="index"/> (function index space).</summary>
    public (nint Function, nint Type) Function(int index) => _functions[index - Info.ImportedFunctionCount];

    public ValueType GlobalType(int index)
    {
        int imported = 0;
        foreach (var imp in Info.Imports)
            if (imp.Kind == ExternalKind.Global)
            {
                if (imported == index) return imp.Global!.ValueType;
                imported++;
            }
        return Info.Globals[index - imported].Type.ValueType;
    }

    /// <summary>Translates every body, then adds the entries.</summary>
    public void TranslateAll()
    {
        nint builder = LLVMCreateBuilderInContext(Context);
        try
        {
            var ft = new FunctionTranslator(this, builder);
            var bytes = Info.Bytes.Span;
            for (int i = 0; i < _functions.Length; i++)
            {
                int index = Info.ImportedFunctionCount + i;
                ft.Translate(index, _functions[i].Function, Info.GetFunctionType(index), Info.Codes[i], bytes);
            }
            for (int i = 0; i < _functions.Length; i++) AddEntry(builder, Info.ImportedFunctionCount + i);
            ExportCodeRange();
        }
        finally
        {
            LLVMDisposeBuilder(builder);
        }
    }

    public static string EntryName(int index) => $"wasmsharp_entry_{index}";

    /// <summary>Exports the start and end of the code section as two pointers.</summary>
    private void ExportCodeRange()
    {
        if (_functions.Length == 0) return; // no code, no section (NativeModule takes the range as empty)
        foreach (var (symbol, name) in new[] { ("__start_" + CodeSection, CodeStartSymbol), ("__stop_" + CodeSection, CodeEndSymbol) })
        {
            nint bound = LLVMAddGlobal(Module, I8, symbol);
            LLVMSetVisibility(bound, LLVMVisibility.Hidden);
            nint pointer = LLVMAddGlobal(Module, Ptr, name);
            LLVMSetInitializer(pointer, bound);
            LLVMSetGlobalConstant(pointer, 1);
        }
    }

    private void AddEntry(nint b, int index)
    {
        var type = Info.GetFunctionType(index);
        nint* ps = stackalloc nint[] { Ptr, Ptr };
        nint entry = LLVMAddFunction(Module, EntryName(index), LLVMFunctionType(Void, ps, 2, 0));
        LLVMSetSection(entry, CodeSection);
        LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(Context, entry, "entry"));
        nint slots = LLVMGetParam(entry, 1);
        var args = new nint[type.Parameters.Length + 1];
        args[0] = LLVMGetParam(entry, 0);
        for (int k = 0; k < type.Parameters.Length; k++)
            args[k + 1] = LLVMBuildLoad2(b, TypeOf(type.Parameters[k]), Slot(b, slots, k), "");
        var (fn, fnType) = Function(index);
        nint result;
        fixed (nint* a = args) result = LLVMBuildCall2(b, fnType, fn, a, (uint)args.Length, "");
        if (type.Results.Length == 1)
        {
            // A whole word: 32-bit results zero-extended, as the slot convention has it.
            nint word = type.Results[0] switch
            {
                ValueType.I32 => LLVMBuildCast(b, LLVMOpcode.ZExt, result, I64, ""),
                ValueType.F32 => LLVMBuildCast(b, LLVMOpcode.ZExt, LLVMBuildCast(b, LLVMOpcode.BitCast, result, I32, ""), I64, ""),
                _ => result,
            };
            LLVMBuildStore(b, word, Slot(b, slots, 0));
        }
        LLVMBuildRetVoid(b);
    }

    private nint Slot(nint b, nint slots, int k)
    {
        nint offset = LLVMConstInt(I64, (ulong)(k * HostSlots.Words * 8), 0);
        return LLVMBuildGEP2(b, I8, slots, &offset, 1, "");
    }

    public void Dispose()
    {
        if (Module != 0) LLVMDisposeModule(Module);
        Module = 0;
        LLVMContextDispose(Context);
    }
}
