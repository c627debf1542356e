using WasmSharp.Binary;
using WasmSharp.Interpreter;

namespace WasmSharp.Validation;

/// <summary>
/// Validates a module and translates its function bodies. Used as the reader's <see cref="ICodeConsumer"/>, it
/// checks the declarations when the code section starts and each body as soon as it is read, so a module is
/// decoded, validated and translated in one pass; segments after the code are checked at the end.
/// </summary>
internal sealed class ModuleValidator : ICodeConsumer
{
    private FunctionValidator<Operand, CompiledFunction>? _functions;
    private CompiledFunction[]? _compiled;
    private readonly EngineConfig _config;
    private readonly bool _translate;

    private ModuleValidator(EngineConfig config, bool translate)
    {
        _config = config;
        _translate = translate;
    }

    /// <summary>Decodes, validates and (unless <paramref name="translate"/> is false) translates
    /// <paramref name="bytes"/>; the functions are null when not translated.</summary>
    public static (ModuleInfo Info, CompiledFunction[]? Functions) Compile(ReadOnlyMemory<byte> bytes, EngineConfig? config = null, bool translate = true)
    {
        var v = new ModuleValidator(config ?? Engine.Default.Config, translate);
        var info = ModuleReader.Read(bytes, v, v._config.Features);
        return (info, v.Finish(info));
    }

    /// <summary>Translates the bodies of <paramref name="m"/>, already decoded and validated without translation
    /// (<see cref="Compile"/> with translate false): the same walk, over the bodies the reader kept.</summary>
    public static CompiledFunction[] Translate(ModuleInfo m, EngineConfig config)
    {
        var v = new ModuleValidator(config, translate: true);
        v.BeginCode(m);
        for (int i = 0; i < m.Codes.Count; i++) v.Body(m, i);
        return v._compiled!;
    }

    public void BeginCode(ModuleInfo m)
    {
        var refs = ValidateDeclarations(m, _config.Features);
        _functions = new FunctionValidator<Operand, CompiledFunction>(m, refs, new RegisterCodeGenerator(_config.Interruptible), _translate, _config.Features);
        _compiled = _translate ? new CompiledFunction[m.Functions.Count] : null;
    }

    public void Body(ModuleInfo m, int index)
    {
        var code = _functions!.Validate(m.ImportedFunctionCount + index, m.Codes[index]);
        if (_compiled is not null) _compiled[index] = code!;
    }

    private CompiledFunction[]? Finish(ModuleInfo m)
    {
        if (_functions is null) BeginCode(m); // no code section
        ValidateData(m);
        if (_functions!.DataCountNeeded is (long offset, int func, uint index))
        {
            // Bodies used data segments before the data count section's absence was known to matter.
            if (m.Data.Count > 0) throw new MalformedModuleException($"data count section required (function {func})", offset, "code");
            throw new InvalidModuleException($"unknown data segment {index}", offset, func, "code");
        }
        return _compiled;
    }

    /// <summary>The functions a body may take a reference to (ref.func): those declared by an element segment, an
    /// export or a global's initialiser. Checks the module's declarations on the way (valid ones pass).</summary>
    internal static HashSet<uint> DeclaredReferences(ModuleInfo m) => ValidateDeclarations(m, WasmFeatures.All);

    /// <summary>C.refs: the functions referenced outside function bodies (by a global's initialiser, an element
    /// segment or an export), which ref.func may then name. Collected only; <see cref="DeclaredReferences"/> also
    /// checks the declarations.</summary>
    internal static HashSet<uint> References(ModuleInfo m)
    {
        var refs = new HashSet<uint>();
        void CollectRefs(ConstExpr? e)
        {
            if (e is null) return;
            foreach (var i in e.Instructions)
                if (i.Op == ConstOp.RefFunc) refs.Add((uint)i.Value);
        }
        foreach (var g in m.Globals) CollectRefs(g.Init);
        foreach (var e in m.Elements) { CollectRefs(e.Offset); foreach (var it in e.Items) CollectRefs(it); }
        foreach (var ex in m.Exports) if (ex.Kind == ExternalKind.Function) refs.Add(ex.Index);
        return refs;
    }

    private static HashSet<uint> ValidateDeclarations(ModuleInfo m, WasmFeatures features)
    {
        foreach (var imp in m.Imports)
        {
            switch (imp.Kind)
            {
                case ExternalKind.Function:
                    if (imp.TypeIndex >= m.Types.Count) throw new InvalidModuleException($"unknown type {imp.TypeIndex}", 0, section: "import");
                    break;
                case ExternalKind.Table: CheckTable(imp.Table!, "import"); break;
                case ExternalKind.Memory: CheckMemory(imp.Memory!, "import"); break;
                case ExternalKind.Tag: CheckTag(m, imp.TypeIndex, "import"); break;
            }
        }
        foreach (var t in m.Tags) CheckTag(m, t, "tag");
        foreach (var t in m.Functions)
            if (t >= m.Types.Count) throw new InvalidModuleException($"unknown type {t}", 0, section: "function");
        foreach (var t in m.Tables) CheckTable(t, "table");
        foreach (var mem in m.Memories) CheckMemory(mem, "memory");
        if (m.AllMemories.Count > 1 && (features & WasmFeatures.MultiMemory) == 0)
            throw new InvalidModuleException("multiple memories", 0, section: "memory");

        var refs = References(m);

        for (int i = 0; i < m.Globals.Count; i++)
        {
            var g = m.Globals[i];
            // Wasm 2.0: constant expressions see only the imported globals.
            CheckConst(m, g.Init, g.Type.ValueType, m.ImportedGlobalCount, "global");
        }

        foreach (var e in m.Elements)
        {
            if (e.Mode == SegmentMode.Active)
            {
                if (e.TableIndex >= m.AllTables.Count) throw new InvalidModuleException($"unknown table {e.TableIndex}", e.Position, section: "element");
                if (m.AllTables[(int)e.TableIndex].ElementType != e.ElementType)
                    throw new InvalidModuleException("type mismatch", e.Position, section: "element");
                CheckConst(m, e.Offset!, ValueType.I32, m.ImportedGlobalCount, "element");
            }
            foreach (var item in e.Items) CheckConst(m, item, e.ElementType, m.ImportedGlobalCount, "element");
        }

        if (m.Start is uint start)
        {
            if (start >= m.FunctionTypeIndices.Count) throw new InvalidModuleException($"unknown function {start}", 0, section: "start");
            var ft = m.GetFunctionType((int)start);
            if (ft.Parameters.Length != 0 || ft.Results.Length != 0) throw new InvalidModuleException("start function", 0, section: "start");
        }

        var names = new HashSet<string>();
        foreach (var ex in m.Exports)
        {
            if (!names.Add(ex.Name)) throw new InvalidModuleException("duplicate export name", 0, section: "export");
            int count = ex.Kind switch
            {
                ExternalKind.Function => m.FunctionTypeIndices.Count,
                ExternalKind.Table => m.AllTables.Count,
                ExternalKind.Memory => m.AllMemories.Count,
                ExternalKind.Tag => m.AllTags.Count,
                _ => m.AllGlobals.Count,
            };
            if (ex.Index >= count)
            {
                string what = ex.Kind switch
                {
                    ExternalKind.Function => "function", ExternalKind.Table => "table", ExternalKind.Memory => "memory",
                    ExternalKind.Tag => "tag", _ => "global",
                };
                throw new InvalidModuleException($"unknown {what} {ex.Index}", 0, section: "export");
            }
        }

        return refs;
    }

    private static void ValidateData(ModuleInfo m)
    {
        foreach (var d in m.Data)
        {
            if (d.Mode != SegmentMode.Active) continue;
            if (d.MemoryIndex >= m.AllMemories.Count) throw new InvalidModuleException($"unknown memory {d.MemoryIndex}", d.Position, section: "data");
            CheckConst(m, d.Offset!, ValueType.I32, m.ImportedGlobalCount, "data");
        }
    }

    /// <summary>A tag's type: a function type without results.</summary>
    private static void CheckTag(ModuleInfo m, uint type, string section)
    {
        if (type >= m.Types.Count) throw new InvalidModuleException($"unknown type {type}", 0, section: section);
        if (m.Types[(int)type].Results.Length != 0) throw new InvalidModuleException("non-empty tag result type", 0, section: section);
    }

    private static void CheckTable(TableType t, string section)
    {
        if (t.Limits.Max is ulong max && max < t.Limits.Min)
            throw new InvalidModuleException("size minimum must not be greater than maximum", 0, section: section);
        if (t.Limits.Min > uint.MaxValue || t.Limits.Max > uint.MaxValue)
            throw new InvalidModuleException("table size must be at most 2^32-1", 0, section: section);
    }

    private static void CheckMemory(MemoryType t, string section)
    {
        if (t.Limits.Min > MemoryType.MaxPages32 || t.Limits.Max > MemoryType.MaxPages32)
            throw new InvalidModuleException("memory size must be at most 65536 pages (4GiB)", 0, section: section);
        if (t.Limits.Max is ulong max && max < t.Limits.Min)
            throw new InvalidModuleException("size minimum must not be greater than maximum", 0, section: section);
        if (t.Shared && t.Limits.Max is null)
            throw new InvalidModuleException("shared memory must have maximum", 0, section: section);
    }

    /// <summary>Types a constant expression: it must leave exactly one value of <paramref name="expected"/>.</summary>
    private static void CheckConst(ModuleInfo m, ConstExpr e, ValueType expected, int visibleGlobals, string section)
    {
        var stack = new List<ValueType>();
        InvalidModuleException Err(string reason) => new(reason, e.Offset, section: section);
        void Binary(ValueType t)
        {
            if (stack.Count < 2 || stack[^1] != t || stack[^2] != t) throw Err("type mismatch");
            stack.RemoveAt(stack.Count - 1);
        }
        foreach (var i in e.Instructions)
        {
            switch (i.Op)
            {
                case ConstOp.I32Const: stack.Add(ValueType.I32); break;
                case ConstOp.I64Const: stack.Add(ValueType.I64); break;
                case ConstOp.F32Const: stack.Add(ValueType.F32); break;
                case ConstOp.F64Const: stack.Add(ValueType.F64); break;
                case ConstOp.V128Const: stack.Add(ValueType.V128); break;
                case ConstOp.RefNull: stack.Add(i.RefType); break;
                case ConstOp.RefFunc:
                    if (i.Value >= (ulong)m.FunctionTypeIndices.Count) throw Err($"unknown function {i.Value}");
                    stack.Add(ValueType.FuncRef);
                    break;
                case ConstOp.GlobalGet:
                    if (i.Value >= (ulong)visibleGlobals) throw Err($"unknown global {i.Value}");
                    var g = m.AllGlobals[(int)i.Value];
                    if (g.Mutable) throw Err("constant expression required");
                    stack.Add(g.ValueType);
                    break;
                case ConstOp.I32Add or ConstOp.I32Sub or ConstOp.I32Mul: Binary(ValueType.I32); break;
                case ConstOp.I64Add or ConstOp.I64Sub or ConstOp.I64Mul: Binary(ValueType.I64); break;
                default: throw new InvalidModuleException("constant expression required", (long)i.Value, section: section);
            }
        }
        if (stack.Count != 1 || stack[0] != expected) throw Err("type mismatch");
    }
}
