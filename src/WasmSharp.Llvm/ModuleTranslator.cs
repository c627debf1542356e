using System.Runtime.InteropServices;
using WasmSharp.Binary;
using WasmSharp.Llvm.Native;
using static WasmSharp.Llvm.Native.LlvmApi;

namespace WasmSharp.Llvm;

/// <summary>
/// Translates a module's defined functions into one LLVM module. Each function i becomes
/// <c>internal T wasm_f{i}(ptr ctx, params...)</c>; one that can be called from outside the module's code
/// (<see cref="Escaping"/>) also gets an exported entry <c>void wasmsharp_entry_{i}(ptr ctx, ptr slots)</c> that
/// calls it on raw slots (the host convention, <see cref="HostSlots"/>): arguments from slot 0, the result written
/// to slot 0, a trap left in the context's TrapCode.
/// With <see cref="RegisterGlobals"/>, the body is <c>wasm_i{i}(ptr ctx, globals..., params...)</c>, returning its
/// results and then the globals' new values, and <c>wasm_f{i}</c> a wrapper that passes it the globals' cells and
/// stores what it returns: direct calls go from body to body, the globals in registers.
/// </summary>
internal sealed unsafe class ModuleTranslator : IDisposable
{
    /// <summary>The disjoint places native code reads and writes besides its own stack: linear memory, global
    /// cells, and the instance context with what it points to (memory definitions, the arrays of pointers).</summary>
    public enum Region { Memory, Global, Context }

    public static readonly int JumpBufferOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.JumpBuffer));
    public static readonly int TrapCodeOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.TrapCode));
    public static readonly int StackLimitOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.StackLimit));
    public static readonly int CallIndirectOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.CallIndirect));
    public static readonly int CallFunctionOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.CallFunction));
    public static readonly int BulkOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.Bulk));
    public static readonly int FunctionsOffset = (int)Marshal.OffsetOf<InstanceContext>(nameof(InstanceContext.Functions));
    public static readonly int InterruptOffset = (int)Marshal.OffsetOf<FunctionRecordTable>(nameof(FunctionRecordTable.Interrupt));
    public static readonly int RecordSize = Marshal.SizeOf<FunctionRecord>();
    public static readonly int RecordCodeOffset = (int)Marshal.OffsetOf<FunctionRecord>(nameof(FunctionRecord.Code));
    public static readonly int RecordContextOffset = (int)Marshal.OffsetOf<FunctionRecord>(nameof(FunctionRecord.Context));
    /// <summary>The arrays after the context's header, in <see cref="InstanceContext.Create"/>'s order.</summary>
    public enum ContextArray { Memories, Globals, Tables, FunctionRefs, TypeIds }

    /// <summary>The byte offset of <paramref name="array"/> from the context: the header, then per memory, global
    /// and table a pointer, per function a reference's bits, then the type ids.</summary>
    public int ArrayOffset(ContextArray array)
    {
        int offset = InstanceContext.HeaderSize;
        int[] sizes = [Info.AllMemories.Count * 8, Info.AllGlobals.Count * 8, Info.AllTables.Count * 8, Info.FunctionTypeIndices.Count * 8];
        for (int i = 0; i < (int)array; i++) offset += sizes[i];
        return offset;
    }

    /// <summary>The exported array of every defined function's direct entry (<see cref="NativeCode.Code"/>).</summary>
    public const string FunctionsSymbol = "wasmsharp_functions";

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
    /// <summary>v128: &lt;4 x i32&gt;, reinterpreted as each instruction's shape.</summary>
    public nint V128 { get; }
    private readonly (nint Function, nint Type)[] _functions;
    /// <summary>void (ptr ctx, i32 index, ptr slots): <see cref="InstanceContext.CallFunction"/>'s type.</summary>
    public nint CallOutType { get; }
    /// <summary>libc's <c>void longjmp(jmp_buf, int)</c>: how a trap leaves native code (to the entry's
    /// <see cref="EnterSymbol"/> or the guard-page support library's, through <see cref="JumpBufferOffset"/>).</summary>
    public nint Longjmp { get; }
    public nint LongjmpType { get; }
    /// <summary>void (ptr ctx, i32 table, i32 type, i32 element, ptr slots): <see cref="InstanceContext.CallIndirect"/>'s type.</summary>
    public nint CallIndirectType { get; }
    /// <summary>i64 (ptr ctx, i32 op, i32 x, i32 y, i64 a, i64 b, i64 c): <see cref="InstanceContext.Bulk"/>'s type.</summary>
    public nint BulkType { get; }
    private readonly Dictionary<(string, nint, nint, nint), (nint, nint)> _intrinsics = new();
    private readonly uint _tbaaKind, _invariantKind, _rangeKind;
    private readonly nint[] _tbaaTags = new nint[3];
    private readonly nint _emptyNode;

    /// <summary>llvm.addressofreturnaddress is there for this machine (x86-64).</summary>
    public bool HasReturnAddressIntrinsic { get; } =
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;

    /// <summary>The declaration of intrinsic <paramref name="name"/> overloaded on <paramref name="type"/>, and its type.</summary>
    public (nint Function, nint Type) Intrinsic(string name, nint type) => Intrinsic(name, type, 0);

    /// <summary>An intrinsic that is not overloaded.</summary>
    public (nint Function, nint Type) Intrinsic(string name)
    {
        if (_intrinsics.TryGetValue((name, 0, 0, 0), out var known)) return known;
        uint id = LLVMLookupIntrinsicID(name, (nuint)name.Length);
        if (id == 0) throw new InvalidOperationException($"LLVM has no intrinsic {name}");
        nint fn = LLVMGetIntrinsicDeclaration(Module, id, null, 0);
        return _intrinsics[(name, 0, 0, 0)] = (fn, LLVMGlobalGetValueType(fn));
    }

    /// <summary>An intrinsic overloaded on two or three types (the others 0: on fewer).</summary>
    public (nint Function, nint Type) Intrinsic(string name, nint type, nint second, nint third = 0)
    {
        if (_intrinsics.TryGetValue((name, type, second, third), out var known)) return known;
        uint id = LLVMLookupIntrinsicID(name, (nuint)name.Length);
        if (id == 0) throw new InvalidOperationException($"LLVM has no intrinsic {name}");
        nint* types = stackalloc nint[] { type, second, third };
        nint fn = LLVMGetIntrinsicDeclaration(Module, id, types, second == 0 ? 1u : third == 0 ? 2u : 3u);
        return _intrinsics[(name, type, second, third)] = (fn, LLVMGlobalGetValueType(fn));
    }

    /// <summary>The element type of table <paramref name="index"/> (imports first).</summary>
    public ValueType TableType(int index) => Info.AllTables[index].ElementType;

    /// <summary>Accesses to linear memory go unchecked, past the end into the reservation's inaccessible pages
    /// (<see cref="Llvm.GuardPages"/>); else each access checks its bounds.</summary>
    public bool GuardPages { get; }

    /// <summary>Function entries and loop heads check the store's interrupt flag (<see cref="EngineConfig.Interruptible"/>).</summary>
    public bool Interruptible { get; init; }

    /// <summary>The section all generated code goes to; the linker's <c>__start_</c>/<c>__stop_</c> symbols of it give
    /// the code's address range (<see cref="CodeStartSymbol"/>, <see cref="CodeEndSymbol"/>).</summary>
    private const string CodeSection = "wasmsharp_text";
    public const string CodeStartSymbol = "wasmsharp_code_start", CodeEndSymbol = "wasmsharp_code_end";

    /// <summary>The defined functions (by defined index) this translator gives bodies to; a module may be split
    /// into several parts, compiled in parallel and linked into one library, each part declaring the others'
    /// functions.</summary>
    public int First { get; }
    public int End { get; }

    public ModuleTranslator(ModuleInfo info, string name, bool guardPages = false, int first = 0, int end = -1)
    {
        GuardPages = guardPages;
        First = first;
        End = end < 0 ? info.Codes.Count : end;
        LlvmLibrary.Check();
        Info = info;
        Context = LLVMContextCreate();
        // Names of values and blocks only serve people reading the IR: kept, LLVM uniques each one (and every
        // copy a pass makes) in the function's symbol table.
        LLVMContextSetDiscardValueNames(Context, 1);
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
        V128 = LLVMVectorType(I32, 4);
        nint* callOut = stackalloc nint[] { Ptr, I32, Ptr };
        CallOutType = LLVMFunctionType(Void, callOut, 3, 0);
        nint* indirect = stackalloc nint[] { Ptr, I32, I32, I32, Ptr };
        CallIndirectType = LLVMFunctionType(Void, indirect, 5, 0);
        nint* bulk = stackalloc nint[] { Ptr, I32, I32, I32, I64, I64, I64 };
        BulkType = LLVMFunctionType(I64, bulk, 7, 0);
        nint* jump = stackalloc nint[] { Ptr, I32 };
        LongjmpType = LLVMFunctionType(Void, jump, 2, 0);
        Longjmp = LLVMAddFunction(Module, "longjmp", LongjmpType);
        Attribute(Longjmp, "noreturn");
        Attribute(Longjmp, "nounwind");
        _tbaaKind = LLVMGetMDKindIDInContext(Context, "tbaa", 4);
        _invariantKind = LLVMGetMDKindIDInContext(Context, "invariant.load", 14);
        _rangeKind = LLVMGetMDKindIDInContext(Context, "range", 5);
        _emptyNode = LLVMMetadataAsValue(Context, LLVMMDNodeInContext2(Context, null, 0));
        nint root = Node(MDString("wasmsharp"));
        nint zero = LLVMValueAsMetadata(LLVMConstInt(I64, 0, 0));
        foreach (Region region in Enum.GetValues<Region>())
        {
            nint type = Node(MDString(region.ToString()), root, zero);
            _tbaaTags[(int)region] = LLVMMetadataAsValue(Context, Node(type, type, zero));
        }
        RegisterGlobals = guardPages ? [] : ChooseRegisterGlobals(info);
        _functions = new (nint, nint)[info.Codes.Count];
        _internals = RegisterGlobals.Length == 0 ? _functions : new (nint, nint)[info.Codes.Count];
        for (int i = 0; i < _functions.Length; i++)
        {
            int index = info.ImportedFunctionCount + i;
            var type = info.GetFunctionType(index);
            // A wrapper only where something calls it: an entry, or through the array of direct entries.
            if (RegisterGlobals.Length == 0 || Escaping[i]) _functions[i] = Declare($"wasm_f{index}", FunctionType(type), i);
            if (RegisterGlobals.Length > 0) _internals[i] = Declare($"wasm_i{index}", InternalType(type), i);
        }
    }

    private (nint Function, nint Type) Declare(string name, nint fnType, int defined)
    {
        nint fn = LLVMAddFunction(Module, name, fnType);
        // Inside the library only: internal to one part, or hidden (linked across parts, never exported). Functions
        // of a split module that no other part calls stay hidden too: internal, they let the inliner inline more
        // (one call site left), and sql.js took longer to compile (README, "Entries only where...").
        if (First == 0 && End == Info.Codes.Count) LLVMSetLinkage(fn, LLVMLinkage.Internal);
        else LLVMSetVisibility(fn, LLVMVisibility.Hidden);
        if (defined < First || defined >= End) return (fn, fnType); // another part defines it
        LLVMSetSection(fn, CodeSection);
        // No calls to memset/memcpy made up from loops: under guard pages a fault must be in this code to trap.
        LLVMAddAttributeAtIndex(fn, FunctionIndex, LLVMCreateStringAttribute(Context, "no-builtins", 11, "", 0));
        return (fn, fnType);
    }

    /// <summary>
    /// The globals passed from function to function in registers instead of living in their cells while code runs:
    /// the module's own mutable i32 and i64 globals that it does not export (the C stack pointer, above all). No
    /// one but the module's code can see such a global, so its cell needs to be right only where control leaves
    /// the module's code: at calls through the runtime (imports, call_indirect; the callee may call back in), at
    /// traps, and on return to the host (the wrappers). Unoptimised code reads and writes the stack pointer in
    /// every function, and a callee's read of what its caller just stored went through memory. Not under guard
    /// pages, where a fault may come at any access, with the values only in registers.
    /// </summary>
    public int[] RegisterGlobals { get; }

    /// <summary>At most this many: each is a parameter and a result of every function.</summary>
    private const int MaxRegisterGlobals = 2;

    private static int[] ChooseRegisterGlobals(ModuleInfo info)
    {
        var exported = info.Exports.Where(e => e.Kind == ExternalKind.Global).Select(e => (int)e.Index).ToHashSet();
        return Enumerable.Range(info.ImportedGlobalCount, info.AllGlobals.Count - info.ImportedGlobalCount)
            .Where(g => info.AllGlobals[g] is { Mutable: true, ValueType: ValueType.I32 or ValueType.I64 } && !exported.Contains(g))
            .Take(MaxRegisterGlobals)
            .ToArray();
    }

    /// <summary>The position of global <paramref name="global"/> among <see cref="RegisterGlobals"/>, or -1.</summary>
    public int RegisterGlobal(int global) => Array.IndexOf(RegisterGlobals, global);

    private readonly (nint Function, nint Type)[] _internals;

    /// <summary>The body of defined function <paramref name="index"/>, as direct calls call it: <see cref="Function"/>
    /// itself without <see cref="RegisterGlobals"/>.</summary>
    public (nint Function, nint Type) Internal(int index) => _internals[index - Info.ImportedFunctionCount];

    /// <summary>A body's type with <see cref="RegisterGlobals"/>: <c>{results..., globals...} (ptr ctx, globals...,
    /// params...)</c>.</summary>
    public nint InternalType(FunctionType type)
    {
        var globals = RegisterGlobals.Select(g => TypeOf(GlobalType(g))).ToArray();
        var ps = new[] { Ptr }.Concat(globals).Concat(type.Parameters.Select(TypeOf)).ToArray();
        var fields = type.Results.Select(TypeOf).Concat(globals).ToArray();
        nint ret;
        fixed (nint* f = fields) ret = LLVMStructTypeInContext(Context, f, (uint)fields.Length, 0);
        fixed (nint* p = ps) return LLVMFunctionType(ret, p, (uint)ps.Length, 0);
    }

    /// <summary>The cell of global <paramref name="global"/>, from the context's array of cell pointers (set once).</summary>
    public nint GlobalCell(nint b, nint ctx, int global)
    {
        nint offset = LLVMConstInt(I64, (ulong)(ArrayOffset(ContextArray.Globals) + global * 8), 0);
        nint cell = LLVMBuildLoad2(b, Ptr, LLVMBuildGEP2(b, I8, ctx, &offset, 1, ""), "");
        Tag(cell, Region.Context);
        Invariant(cell);
        return cell;
    }

    /// <summary><c>wasm_f{i}</c> with <see cref="RegisterGlobals"/>: the globals from their cells into the body,
    /// their new values back.</summary>
    private void AddWrapper(nint b, int index)
    {
        var type = Info.GetFunctionType(index);
        var (fn, _) = Function(index);
        var (body, bodyType) = Internal(index);
        LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(Context, fn, "entry"));
        nint ctx = LLVMGetParam(fn, 0);
        int n = RegisterGlobals.Length;
        var cells = RegisterGlobals.Select(g => GlobalCell(b, ctx, g)).ToArray();
        var args = new nint[1 + n + type.Parameters.Length];
        args[0] = ctx;
        for (int k = 0; k < n; k++) args[1 + k] = GlobalAccess(LLVMBuildLoad2(b, TypeOf(GlobalType(RegisterGlobals[k])), cells[k], ""));
        for (int p = 0; p < type.Parameters.Length; p++) args[1 + n + p] = LLVMGetParam(fn, (uint)(1 + p));
        nint result;
        fixed (nint* a = args) result = LLVMBuildCall2(b, bodyType, body, a, (uint)args.Length, "");
        for (int k = 0; k < n; k++)
            GlobalAccess(LLVMBuildStore(b, LLVMBuildExtractValue(b, result, (uint)(type.Results.Length + k), ""), cells[k]));
        Return(b, type, type.Results.Select((_, r) => LLVMBuildExtractValue(b, result, (uint)r, "")).ToArray());
    }

    /// <summary>Returns <paramref name="values"/> as a function of <paramref name="type"/> does: nothing, the one
    /// value, or a struct of them (<see cref="ReturnType"/>).</summary>
    public void Return(nint b, FunctionType type, ReadOnlySpan<nint> values) =>
        Return(b, values, values.Length > 1 ? ReturnType(type) : 0);

    /// <summary>Returns <paramref name="values"/> in a struct of <paramref name="structType"/>, or, where that is 0,
    /// nothing or the one value as it is.</summary>
    public static void Return(nint b, ReadOnlySpan<nint> values, nint structType)
    {
        if (structType == 0)
        {
            if (values.Length == 0) LLVMBuildRetVoid(b);
            else LLVMBuildRet(b, values[0]);
            return;
        }
        nint aggregate = LLVMGetUndef(structType);
        for (int i = 0; i < values.Length; i++) aggregate = LLVMBuildInsertValue(b, aggregate, values[i], (uint)i, "");
        LLVMBuildRet(b, aggregate);
    }

    /// <summary>A load or store of a global's cell: 8-aligned (cells are words), in the globals' region.</summary>
    public nint GlobalAccess(nint access)
    {
        LLVMSetAlignment(access, 8);
        Tag(access, Region.Global);
        return access;
    }

    private nint MDString(string text) => LLVMMDStringInContext2(Context, text, (nuint)System.Text.Encoding.UTF8.GetByteCount(text));

    private nint Node(params nint[] operands)
    {
        fixed (nint* p = operands) return LLVMMDNodeInContext2(Context, p, (nuint)operands.Length);
    }

    /// <summary>Marks a load or store as an access to <paramref name="region"/>: for LLVM's type-based alias analysis
    /// the regions never overlap, so a store to linear memory leaves globals and the context where they were.</summary>
    public void Tag(nint access, Region region) => LLVMSetMetadata(access, _tbaaKind, _tbaaTags[(int)region]);

    /// <summary>Marks a load of a value that never changes while the instance lives (the context's array pointers,
    /// a global's cell pointer, the callbacks), which LLVM may then hoist and merge across calls.</summary>
    public void Invariant(nint load) => LLVMSetMetadata(load, _invariantKind, _emptyNode);

    /// <summary>
    /// Tells LLVM what a load of memory <paramref name="memory"/>'s length can be: from its declared minimum (a memory
    /// starts there and never shrinks; an imported one is at least what the import asks for) to its maximum (or
    /// 4 GiB). With it, a bounds check of an address below the minimum folds away (static data, the stack), and a
    /// check of a loop's address has an exit count LLVM can compute, so the loop vectorises, its last iterations
    /// (where the check may fail) left to the scalar loop. A disposed memory's length is 0; native code never runs
    /// on an instance with one (<c>Executor.RunNative</c> runs such calls on the interpreter).
    /// </summary>
    public void LengthRange(nint load, int memory = 0)
    {
        if (_lengthRanges.Length == 0) _lengthRanges = new nint[Info.AllMemories.Count];
        if (_lengthRanges[memory] == 0)
        {
            var limits = Info.AllMemories[memory].Limits;
            ulong min = limits.Min * MemoryType.PageSize, end = (limits.Max ?? MemoryType.MaxPages32) * MemoryType.PageSize + 1;
            nint* bounds = stackalloc nint[] { LLVMValueAsMetadata(LLVMConstInt(I64, min, 0)), LLVMValueAsMetadata(LLVMConstInt(I64, end, 0)) };
            _lengthRanges[memory] = LLVMMetadataAsValue(Context, LLVMMDNodeInContext2(Context, bounds, 2));
        }
        LLVMSetMetadata(load, _rangeKind, _lengthRanges[memory]);
    }

    private nint[] _lengthRanges = [];

    private readonly Dictionary<FunctionType, nint> _functionTypes = new();

    /// <summary>The LLVM type of a defined function of <paramref name="type"/>: <c>T (ptr ctx, params...)</c>.</summary>
    public nint FunctionType(FunctionType type)
    {
        if (_functionTypes.TryGetValue(type, out var known)) return known;
        var ps = new nint[type.Parameters.Length + 1];
        ps[0] = Ptr;
        for (int k = 0; k < type.Parameters.Length; k++) ps[k + 1] = TypeOf(type.Parameters[k]);
        fixed (nint* p = ps) return _functionTypes[type] = LLVMFunctionType(ReturnType(type), p, (uint)ps.Length, 0);
    }

    /// <summary>What a function of type <paramref name="type"/> returns: void, its result, or a struct of its results.</summary>
    public nint ReturnType(FunctionType type)
    {
        if (type.Results.Length == 0) return Void;
        if (type.Results.Length == 1) return TypeOf(type.Results[0]);
        var fields = type.Results.Select(TypeOf).ToArray();
        fixed (nint* p = fields) return LLVMStructTypeInContext(Context, p, (uint)fields.Length, 0);
    }

    public nint TypeOf(ValueType t) => t switch
    {
        ValueType.I32 => I32,
        ValueType.I64 => I64,
        ValueType.F32 => F32,
        ValueType.F64 => F64,
        ValueType.FuncRef or ValueType.ExternRef => I64, // slot bits: 0 null, else an address + 1
        ValueType.V128 => V128,
        _ => throw new NotSupportedException($"{t.ToText()} values"),
    };

    /// <summary>The LLVM function and its type of defined function <paramref name="index"/> (function index space).</summary>
    public (nint Function, nint Type) Function(int index) => _functions[index - Info.ImportedFunctionCount];

    public ValueType GlobalType(int index) => Info.AllGlobals[index].ValueType;

    /// <summary>Translates every body, then adds the entries.</summary>
    public void TranslateAll()
    {
        nint builder = LLVMCreateBuilderInContext(Context);
        try
        {
            var ft = new FunctionTranslator(this, builder);
            for (int i = First; i < End; i++)
            {
                int index = Info.ImportedFunctionCount + i;
                ft.Translate(index, _internals[i].Function, Info.Codes[i]);
            }
            for (int i = First; i < End; i++)
            {
                if (!Escaping[i]) continue;
                if (RegisterGlobals.Length > 0) AddWrapper(builder, Info.ImportedFunctionCount + i);
                AddEntry(builder, Info.ImportedFunctionCount + i);
            }
            if (First == 0)
            {
                AddEnter(builder);
                ExportCodeRange();
                ExportFunctions();
                if (EmbeddedKey is not null) EmbedModule();
            }
        }
        finally
        {
            LLVMDisposeBuilder(builder);
        }
    }

    public static string EntryName(int index) => $"wasmsharp_entry_{index}";

    /// <summary>Per defined function, whether anything but the module's own direct calls can call it: the host
    /// through an export or the start function, and anyone through a reference (a table's element, ref.func, a
    /// global's initialiser), all of which an element segment, an export or a global declares (C.refs). Only these
    /// get an entry and a slot in <see cref="FunctionsSymbol"/>'s array (and, with <see cref="RegisterGlobals"/>, a
    /// wrapper); the others are reached from their callers' bodies alone. Most of a large module's functions are of
    /// the second kind, and their entries and wrappers were a sixth of its code generation.</summary>
    public bool[] Escaping => _escaping ??= EscapingFunctions(Info);
    private bool[]? _escaping;

    internal static bool[] EscapingFunctions(ModuleInfo info)
    {
        var escaping = new bool[info.Codes.Count];
        var callable = Validation.ModuleValidator.References(info);
        if (info.Start is uint start) callable.Add(start);
        foreach (uint index in callable)
            if (index >= info.ImportedFunctionCount && index - info.ImportedFunctionCount < escaping.Length)
                escaping[index - info.ImportedFunctionCount] = true;
        return escaping;
    }

    /// <summary><c>i32 wasmsharp_memory_grow(ptr definition, i32 delta)</c>, internal to each part: memory.grow in
    /// native code, without a call into .NET, so that a function that grows memory can still be a leaf
    /// (<see cref="Validation.LeafCode"/>). As <see cref="WasmSharp.Memory.Grow"/>: the old size in pages, or -1 past
    /// the definition's <see cref="MemoryDefinition.GrowLimit"/> or when the OS refuses; the new pages are committed
    /// in place (libc's <c>mprotect</c>: a memory's whole range is reserved when it is made), then the length
    /// grows.</summary>
    public (nint Function, nint Type) MemoryGrow => _memoryGrow.Function != 0 ? _memoryGrow : _memoryGrow = AddMemoryGrow();
    private (nint Function, nint Type) _memoryGrow;

    public static readonly int DefinitionBaseOffset = (int)Marshal.OffsetOf<MemoryDefinition>(nameof(MemoryDefinition.Base));
    public static readonly int DefinitionLengthOffset = (int)Marshal.OffsetOf<MemoryDefinition>(nameof(MemoryDefinition.Length));
    public static readonly int DefinitionGrowLimitOffset = (int)Marshal.OffsetOf<MemoryDefinition>(nameof(MemoryDefinition.GrowLimit));

    private (nint, nint) AddMemoryGrow()
    {
        const ulong ProtReadWrite = 3;
        nint* ps = stackalloc nint[] { Ptr, I32 };
        nint type = LLVMFunctionType(I32, ps, 2, 0);
        nint grow = LLVMAddFunction(Module, "wasmsharp_memory_grow", type);
        LLVMSetLinkage(grow, LLVMLinkage.Internal);
        nint* mps = stackalloc nint[] { Ptr, I64, I32 };
        nint mprotectType = LLVMFunctionType(I32, mps, 3, 0);
        nint mprotect = LLVMAddFunction(Module, "mprotect", mprotectType);
        nint b = LLVMCreateBuilderInContext(Context);
        try
        {
            nint definition = LLVMGetParam(grow, 0), delta = LLVMGetParam(grow, 1);
            nint Block(string name) => LLVMAppendBasicBlockInContext(Context, grow, name);
            nint Field(int offset)
            {
                nint at = LLVMConstInt(I64, (ulong)offset, 0);
                return LLVMBuildGEP2(b, I8, definition, &at, 1, "");
            }
            nint start = Block("start"), check = Block("check"), commit = Block("commit"), store = Block("store"),
                done = Block("done"), fail = Block("fail");
            LLVMPositionBuilderAtEnd(b, start);
            nint lengthSlot = Field(DefinitionLengthOffset);
            nint length = LLVMBuildLoad2(b, I64, lengthSlot, "");
            nint pages = LLVMBuildCast(b, LLVMOpcode.Trunc, LLVMBuildBinOp(b, LLVMOpcode.LShr, length, LLVMConstInt(I64, 16, 0), ""), I32, "");
            LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntPredicate.EQ, delta, LLVMConstInt(I32, 0, 0), ""), done, check);
            LLVMPositionBuilderAtEnd(b, check);
            // delta < 2^32 pages: shifted, it cannot overflow 64 bits.
            nint bytes = LLVMBuildBinOp(b, LLVMOpcode.Shl, LLVMBuildCast(b, LLVMOpcode.ZExt, delta, I64, ""), LLVMConstInt(I64, 16, 0), "");
            nint newLength = LLVMBuildBinOp(b, LLVMOpcode.Add, length, bytes, "");
            nint limit = LLVMBuildLoad2(b, I64, Field(DefinitionGrowLimitOffset), "");
            LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntPredicate.UGT, newLength, limit, ""), fail, commit);
            LLVMPositionBuilderAtEnd(b, commit);
            nint memoryBase = LLVMBuildLoad2(b, Ptr, Field(DefinitionBaseOffset), "");
            nint end = LLVMBuildGEP2(b, I8, memoryBase, &length, 1, "");
            nint* args = stackalloc nint[] { end, bytes, LLVMConstInt(I32, ProtReadWrite, 0) };
            nint result = LLVMBuildCall2(b, mprotectType, mprotect, args, 3, "");
            LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntPredicate.EQ, result, LLVMConstInt(I32, 0, 0), ""), store, fail);
            LLVMPositionBuilderAtEnd(b, store);
            LLVMBuildStore(b, newLength, lengthSlot);
            LLVMBuildBr(b, done);
            LLVMPositionBuilderAtEnd(b, done);
            LLVMBuildRet(b, pages);
            LLVMPositionBuilderAtEnd(b, fail);
            LLVMBuildRet(b, LLVMConstInt(I32, unchecked((ulong)-1) & 0xFFFF_FFFF, 0));
        }
        finally
        {
            LLVMDisposeBuilder(b);
        }
        return (grow, type);
    }

    public const string EnterSymbol = "wasmsharp_enter";

    private void Attribute(nint function, string name) =>
        LLVMAddAttributeAtIndex(function, FunctionIndex, LLVMCreateEnumAttribute(Context, LLVMGetEnumAttributeKindForName(name, (nuint)name.Length), 0));

    /// <summary>
    /// <c>int wasmsharp_enter(entry, ctx, slots)</c>: calls an entry with a jmp_buf of its own in the context
    /// (keeping the one there before, for entries nested through callbacks), and returns 1 if the code trapped
    /// (longjmp'd back here: <see cref="InstanceContext.TrapCode"/> says why), 0 when it returned. A trap so costs
    /// the code nothing until it happens: no trap flag to test after every call, no return path from every frame.
    /// </summary>
    private void AddEnter(nint b)
    {
        nint* ps = stackalloc nint[] { Ptr, Ptr, Ptr };
        nint enter = LLVMAddFunction(Module, EnterSymbol, LLVMFunctionType(I32, ps, 3, 0));
        Attribute(enter, "noinline");
        nint* one = stackalloc nint[] { Ptr };
        nint setjmpType = LLVMFunctionType(I32, one, 1, 0);
        nint setjmp = LLVMAddFunction(Module, "_setjmp", setjmpType);
        Attribute(setjmp, "returns_twice");
        Attribute(setjmp, "nounwind");
        nint entry = LLVMGetParam(enter, 0), ctx = LLVMGetParam(enter, 1), slots = LLVMGetParam(enter, 2);
        LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(Context, enter, "start"));
        // A jmp_buf: 200 bytes in glibc on x86-64, 312 on arm64, 656 on ppc64; room for any.
        nint buffer = LLVMBuildAlloca(b, LLVMArrayType2(I8, 1024), "");
        LLVMSetAlignment(buffer, 16);
        nint offset = LLVMConstInt(I64, (ulong)JumpBufferOffset, 0);
        nint slot = LLVMBuildGEP2(b, I8, ctx, &offset, 1, "");
        nint outer = LLVMBuildLoad2(b, Ptr, slot, "");
        LLVMBuildStore(b, buffer, slot);
        nint jumped = LLVMBuildCall2(b, setjmpType, setjmp, &buffer, 1, "");
        nint run = LLVMAppendBasicBlockInContext(Context, enter, "run");
        nint trapped = LLVMAppendBasicBlockInContext(Context, enter, "trapped");
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntPredicate.EQ, jumped, LLVMConstInt(I32, 0, 0), ""), run, trapped);
        LLVMPositionBuilderAtEnd(b, run);
        nint* args = stackalloc nint[] { ctx, slots };
        LLVMBuildCall2(b, LLVMFunctionType(Void, ps, 2, 0), entry, args, 2, "");
        foreach (var (block, result) in new[] { (run, 0UL), (trapped, 1UL) })
        {
            LLVMPositionBuilderAtEnd(b, block);
            LLVMBuildStore(b, outer, slot);
            LLVMBuildRet(b, LLVMConstInt(I32, result, 0));
        }
    }

    /// <summary>For a library written out (<c>wasmsharp compile -o</c>): its cache key, embedded with the module's
    /// bytes, so that a run can use the library in place of the module and refuse one built differently.</summary>
    public string? EmbeddedKey { get; init; }

    public const string WasmSymbol = "wasmsharp_wasm", WasmSizeSymbol = "wasmsharp_wasm_size", KeySymbol = "wasmsharp_key";

    private void EmbedModule()
    {
        var bytes = Info.Bytes.Span;
        nint wasm = LLVMAddGlobal(Module, LLVMArrayType2(I8, (ulong)bytes.Length), WasmSymbol);
        fixed (byte* p = bytes) LLVMSetInitializer(wasm, LLVMConstStringInContext2(Context, p, (nuint)bytes.Length, 1));
        LLVMSetGlobalConstant(wasm, 1);
        nint size = LLVMAddGlobal(Module, I64, WasmSizeSymbol);
        LLVMSetInitializer(size, LLVMConstInt(I64, (ulong)bytes.Length, 0));
        LLVMSetGlobalConstant(size, 1);
        var keyBytes = System.Text.Encoding.ASCII.GetBytes(EmbeddedKey!);
        nint key = LLVMAddGlobal(Module, LLVMArrayType2(I8, (ulong)keyBytes.Length + 1), KeySymbol);
        fixed (byte* p = keyBytes) LLVMSetInitializer(key, LLVMConstStringInContext2(Context, p, (nuint)keyBytes.Length, 0));
        LLVMSetGlobalConstant(key, 1);
    }

    /// <summary>Exports the direct entries of the defined functions, in order, as an array of pointers.</summary>
    private void ExportFunctions()
    {
        var pointers = _functions.Select((f, i) => Escaping[i] ? f.Function : LLVMConstNull(Ptr)).ToArray();
        nint table = LLVMAddGlobal(Module, LLVMArrayType2(Ptr, (ulong)pointers.Length), FunctionsSymbol);
        fixed (nint* p = pointers) LLVMSetInitializer(table, LLVMConstArray2(Ptr, p, (ulong)pointers.Length));
        LLVMSetGlobalConstant(table, 1);
    }

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
        {
            // Slots are words: a caller's buffer (a stackalloc) need not be 16-aligned for a v128.
            args[k + 1] = LLVMBuildLoad2(b, TypeOf(type.Parameters[k]), Slot(b, slots, k), "");
            LLVMSetAlignment(args[k + 1], 8);
        }
        var (fn, fnType) = Function(index);
        nint result;
        fixed (nint* a = args) result = LLVMBuildCall2(b, fnType, fn, a, (uint)args.Length, "");
        for (int k = 0; k < type.Results.Length; k++)
        {
            nint value = type.Results.Length == 1 ? result : LLVMBuildExtractValue(b, result, (uint)k, "");
            // A whole word: 32-bit results zero-extended, as the slot convention has it.
            nint word = type.Results[k] switch
            {
                ValueType.I32 => LLVMBuildCast(b, LLVMOpcode.ZExt, value, I64, ""),
                ValueType.F32 => LLVMBuildCast(b, LLVMOpcode.ZExt, LLVMBuildCast(b, LLVMOpcode.BitCast, value, I32, ""), I64, ""),
                _ => value,
            };
            LLVMSetAlignment(LLVMBuildStore(b, word, Slot(b, slots, k)), 8);
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
