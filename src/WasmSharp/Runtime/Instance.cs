using System.Runtime.InteropServices;
using WasmSharp.Binary;

namespace WasmSharp;

/// <summary>An instantiated module: its functions, tables, memories and globals in a <see cref="Store"/>.</summary>
public sealed unsafe partial class Instance
{
    /// <summary>What running code reads of this instance (memories, globals), at stable unmanaged addresses.</summary>
    internal InstanceContext* Context;
    /// <summary>Memory 0's definition (null without memories), the context's global cells and tables: the
    /// context's own pointers, kept here so that an entry into the interpreter reads them with fewer loads.</summary>
    internal MemoryDefinition* Memory0;
    internal ulong** GlobalCells;
    internal TableDefinition** TableDefinitions;

    ~Instance()
    {
        if (Context == null) return;
        if (Context->Instance != 0) GCHandle.FromIntPtr(Context->Instance).Free();
        NativeMemory.Free(Context);
    }

    /// <summary>The module this is an instance of.</summary>
    public Module Module { get; }
    /// <summary>The store holding the instance's objects.</summary>
    public Store Store { get; }

    // Index spaces (imports first), read directly by the interpreter.
    internal Function[] Functions = [];
    internal Table[] Tables = [];
    internal Memory[] Memories = [];
    internal Global[] Globals = [];
    /// <summary>The tag index space (exception handling): imported tags, then one new tag per definition.</summary>
    internal Tag[] Tags = [];
    /// <summary>Element segments as slot bits; an empty array once dropped.</summary>
    internal ulong[][] ElementSegments = [];
    /// <summary>Data segments; empty once dropped.</summary>
    internal ReadOnlyMemory<byte>[] DataSegments = [];
    /// <summary>Canonical type id of each of the module's types (see TypeRegistry).</summary>
    internal int[] TypeIds = [];

    /// <summary>One of the instance's memories (its own or imported) has been disposed.</summary>
    internal bool HasDisposedMemory => Store.MemoryDisposed && AnyMemoryDisposed();

    private bool AnyMemoryDisposed()
    {
        foreach (var m in Memories) if (m.IsDisposed) return true;
        return false;
    }

    private readonly Dictionary<string, object> _exports = new(StringComparer.Ordinal);

    internal Instance(Store store, Module module)
    {
        Store = store;
        Module = module;
    }

    /// <summary>The exports by name (each a Function, Table, Memory or Global), in the module's order.</summary>
    public IReadOnlyDictionary<string, object> Exports => _exports;

    /// <summary>Creates an instance from resolved imports (one object per import, in order: Function, Table,
    /// Memory or Global), runs active segments and the start function.</summary>
    /// <remarks>Wasm 2.0 instantiation: imports are checked against their declared types
    /// (<see cref="LinkException"/>); then everything is allocated; then element and data segments are applied
    /// one by one, and a trap there leaves the earlier writes in place (visible through imported tables and
    /// memories) and returns no instance; then the start function runs.</remarks>
    internal static Instance Create(Store store, Module module, object[] imports)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(imports);
        if (!ReferenceEquals(module.Engine, store.Engine))
            throw new WasmException("the module was compiled by another engine than the store's: create both with the same Engine");
        var info = module.Info;
        if (imports.Length != info.Imports.Count)
            throw new LinkException("wrong number of imports", $"the module has {info.Imports.Count}, got {imports.Length}");

        var inst = new Instance(store, module);
        inst.TypeIds = new int[info.Types.Count];
        for (int i = 0; i < info.Types.Count; i++) inst.TypeIds[i] = TypeRegistry.GetId(info.Types[i]);

        int definedFunctions = module.Info.Functions.Count;
        var functions = new Function[info.ImportedFunctionCount + definedFunctions];
        var tables = new Table[info.ImportedTableCount + info.Tables.Count];
        var memories = new Memory[info.ImportedMemoryCount + info.Memories.Count];
        var globals = new Global[info.ImportedGlobalCount + info.Globals.Count];
        var tags = new Tag[info.AllTags.Count];
        int nf = 0, nt = 0, nm = 0, ng = 0, nx = 0;
        for (int i = 0; i < imports.Length; i++)
        {
            var import = info.Imports[i];
            object item = imports[i];
            CheckImport(store, info, import, item);
            switch (import.Kind)
            {
                case ExternalKind.Function: functions[nf++] = (Function)item; break;
                case ExternalKind.Table: tables[nt++] = (Table)item; break;
                case ExternalKind.Memory: memories[nm++] = (Memory)item; break;
                case ExternalKind.Tag: tags[nx++] = (Tag)item; break;
                default: globals[ng++] = (Global)item; break;
            }
        }
        if (nf != info.ImportedFunctionCount || nt != info.ImportedTableCount ||
            nm != info.ImportedMemoryCount || ng != info.ImportedGlobalCount || nx != info.ImportedTagCount)
            throw new WasmException("module import counts are inconsistent");

        inst.Tags = tags;
        for (int i = 0; i < info.Tags.Count; i++, nx++)
        {
            int index = nx; // named by its first export, for messages
            string name = info.Exports.FirstOrDefault(e => e.Kind == ExternalKind.Tag && e.Index == index)?.Name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            tags[nx] = new Tag(info.Types[(int)info.Tags[i]], name);
        }
        inst.Memories = memories;
        foreach (var type in info.Memories) memories[nm++] = new Memory(store, type);
        // Native code that relies on guard pages needs every memory's whole reservation; else the interpreter runs.
        var native = module.Native;
        if (native is { GuardPages: true } && memories.Any(m => m.Definition->Reserved < Memory.FullReservation)) native = null;

        // Functions next: global initialisers and element segments may take their references.
        inst.Functions = functions;
        for (int i = 0; i < definedFunctions; i++)
            functions[nf + i] = new WasmFunction(store, inst, nf + i, native?.Entry(i) ?? 0, native is not null);

        inst.Globals = globals;
        foreach (var def in info.Globals)
        {
            var (bits, high) = inst.Evaluate(def.Init, ng);
            globals[ng++] = new Global(store, def.Type, bits, high);
        }

        inst.Tables = tables;
        foreach (var type in info.Tables) tables[nt++] = new Table(store, type, Value.Null(type.ElementType));
        inst.Context = InstanceContext.Create(memories, globals, tables, functions, inst.TypeIds, store.Records);
        inst.Memory0 = inst.Context->MemoryCount > 0 ? inst.Context->Memories[0] : null;
        inst.GlobalCells = inst.Context->Globals;
        inst.TableDefinitions = inst.Context->Tables;
        if (native is not null)
        {
            inst.Context->Enter = (delegate* unmanaged<nint, InstanceContext*, ulong*, int>)native.Enter;
            if (native.GuardPages) (inst.Context->CodeStart, inst.Context->CodeEnd) = native.CodeRange;
            for (int i = 0; i < definedFunctions; i++)
                if (native.Code(i) is not 0 and var code) store.Records.SetNative(functions[nf + i].Address, code, inst.Context);
        }
        inst.Context->Instance = GCHandle.ToIntPtr(GCHandle.Alloc(inst, GCHandleType.Weak));

        var elements = new ulong[info.Elements.Count][];
        for (int i = 0; i < elements.Length; i++)
        {
            var items = info.Elements[i].Items;
            var bits = items.Length == 0 ? [] : new ulong[items.Length];
            for (int j = 0; j < items.Length; j++) bits[j] = inst.Evaluate(items[j], globals.Length).Low;
            elements[i] = bits;
        }
        inst.ElementSegments = elements;
        var data = new ReadOnlyMemory<byte>[info.Data.Count];
        for (int i = 0; i < data.Length; i++) data[i] = info.Data[i].Data;
        inst.DataSegments = data;

        foreach (var export in info.Exports)
        {
            object item = export.Kind switch
            {
                ExternalKind.Function => inst.Functions[export.Index],
                ExternalKind.Table => inst.Tables[export.Index],
                ExternalKind.Memory => inst.Memories[export.Index],
                ExternalKind.Tag => inst.Tags[export.Index],
                _ => inst.Globals[export.Index],
            };
            inst._exports[export.Name] = item;
        }

        for (int i = 0; i < elements.Length; i++)
        {
            var seg = info.Elements[i];
            if (seg.Mode == SegmentMode.Active)
            {
                uint offset = (uint)inst.Evaluate(seg.Offset!, globals.Length).Low;
                inst.Tables[seg.TableIndex].Init(offset, elements[i], 0, (uint)elements[i].Length);
            }
            if (seg.Mode != SegmentMode.Passive) inst.ElementSegments[i] = [];
        }
        for (int i = 0; i < data.Length; i++)
        {
            var seg = info.Data[i];
            if (seg.Mode != SegmentMode.Active) continue;
            uint offset = (uint)inst.Evaluate(seg.Offset!, globals.Length).Low;
            inst.Memories[seg.MemoryIndex].Init(offset, seg.Data.Span, 0, (ulong)seg.Data.Length);
            inst.DataSegments[i] = ReadOnlyMemory<byte>.Empty;
        }

        if (info.Start is uint start)
            inst.Functions[start].Invoke(ReadOnlySpan<Value>.Empty, Span<Value>.Empty);
        return inst;
    }

    /// <summary>Throws <see cref="LinkException"/> unless <paramref name="item"/> may satisfy <paramref name="import"/>.</summary>
    internal static void CheckImport(Store store, ModuleInfo info, Import import, object? item)
    {
        string where = $"{import.Module}.{import.Name}";
        Store? owner = item switch
        {
            Function f => f.Store,
            Table t => t.Store,
            Memory m => m.Store,
            Global g => g.Store,
            _ => null,
        };
        if (owner is not null && owner != store)
            throw new LinkException("import from another store", where);
        bool ok = (import.Kind, item) switch
        {
            (ExternalKind.Function, Function f) =>
                import.TypeIndex < (uint)info.Types.Count && f.Type.Equals(info.Types[(int)import.TypeIndex]),
            (ExternalKind.Table, Table t) =>
                import.Table is { } tt && t.ElementType == tt.ElementType &&
                new Limits(t.Length, t.Type.Limits.Max).IsSubtypeOf(tt.Limits),
            (ExternalKind.Memory, Memory m) =>
                import.Memory is { } mt && m.Type.Shared == mt.Shared && new Limits(m.Pages, m.MaxPages).IsSubtypeOf(mt.Limits),
            (ExternalKind.Global, Global g) =>
                import.Global is { } gt && g.Type.ValueType == gt.ValueType && g.Type.Mutable == gt.Mutable,
            (ExternalKind.Tag, Tag x) => import.TypeIndex < (uint)info.Types.Count && x.Type.Equals(info.Types[(int)import.TypeIndex]),
            _ => false,
        };
        if (!ok) throw new LinkException("incompatible import type", where);
    }

    /// <summary>Evaluates a constant expression to slot bits (references encoded as in <see cref="Store"/>).
    /// <paramref name="globalCount"/> globals (of <see cref="Globals"/>) are readable.</summary>
    private (ulong Low, ulong High) Evaluate(ConstExpr expr, int globalCount)
    {
        var code = expr.Instructions;
        Span<ulong> lo = code.Length <= 32 ? stackalloc ulong[code.Length] : new ulong[code.Length];
        Span<ulong> hi = code.Length <= 32 ? stackalloc ulong[code.Length] : new ulong[code.Length];
        int sp = 0;
        foreach (var ins in code)
        {
            switch (ins.Op)
            {
                case ConstOp.I32Const: lo[sp] = (uint)ins.Value; hi[sp++] = 0; break;
                case ConstOp.I64Const:
                case ConstOp.F32Const:
                case ConstOp.F64Const: lo[sp] = ins.Value; hi[sp++] = 0; break;
                case ConstOp.V128Const: lo[sp] = ins.Value; hi[sp++] = ins.High; break;
                case ConstOp.RefNull: lo[sp] = 0; hi[sp++] = 0; break;
                case ConstOp.RefFunc:
                    if (ins.Value >= (ulong)Functions.Length) throw BadConst(expr, "unknown function");
                    lo[sp] = (ulong)Functions[(int)ins.Value].Address + 1;
                    hi[sp++] = 0;
                    break;
                case ConstOp.GlobalGet:
                    if (ins.Value >= (ulong)globalCount) throw BadConst(expr, "unknown global");
                    var g = Globals[(int)ins.Value];
                    lo[sp] = g.Bits;
                    hi[sp++] = g.HighBits;
                    break;
                default:
                    if (sp < 2) throw BadConst(expr, "type mismatch");
                    ulong b = lo[--sp], a = lo[sp - 1];
                    lo[sp - 1] = ins.Op switch
                    {
                        ConstOp.I32Add => (uint)a + (uint)b,
                        ConstOp.I32Sub => (uint)a - (uint)b,
                        ConstOp.I32Mul => (uint)a * (uint)b,
                        ConstOp.I64Add => a + b,
                        ConstOp.I64Sub => a - b,
                        ConstOp.I64Mul => a * b,
                        _ => throw BadConst(expr, "constant expression required"),
                    };
                    break;
            }
        }
        if (sp != 1) throw BadConst(expr, "type mismatch");
        return (lo[0], hi[0]);
    }

    private static InvalidModuleException BadConst(ConstExpr expr, string reason) => new(reason, expr.Offset);

    /// <summary>The export with this name (a Function, Table, Memory or Global), or null.</summary>
    public object? GetExport(string name) => _exports.GetValueOrDefault(name);

    /// <summary>The exported function with this name, or null.</summary>
    public Function? GetFunction(string name) => GetExport(name) as Function;
    /// <summary>The exported memory with this name, or null.</summary>
    public Memory? GetMemory(string name) => GetExport(name) as Memory;
    /// <summary>The exported table with this name, or null.</summary>
    public Table? GetTable(string name) => GetExport(name) as Table;
    /// <summary>The exported global with this name, or null.</summary>
    public Global? GetGlobal(string name) => GetExport(name) as Global;
    /// <summary>The exported tag with this name, or null.</summary>
    public Tag? GetTag(string name) => GetExport(name) as Tag;

    private Function RequireFunction(string name) =>
        GetExport(name) switch
        {
            Function f => f,
            null => throw new WasmException($"no export named '{name}'"),
            var other => throw new WasmException($"export '{name}' is a {other.GetType().Name}, not a function"),
        };
}
