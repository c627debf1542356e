using System.Text;

namespace WasmSharp.Components.Validation;

/// <summary>Component types written the way WIT writes them (<c>func(name: string) -> u32</c>, <c>list&lt;u8&gt;</c>,
/// <c>record { x: f64 }</c>, <c>resource</c>), for <c>wasmsharp inspect</c> and messages. Resources print as the
/// name the component imports or exports them under.</summary>
public sealed class WitText
{
    private readonly Dictionary<ResourceType, string> _names = new();
    /// <summary>Records, variants, enums and flags by the name they are exported or imported under, as WIT refers
    /// to them in signatures.</summary>
    private readonly Dictionary<ComponentValueType, string> _typeNames = new();

    /// <summary>A printer that names resources as <paramref name="component"/>'s imports and exports do.</summary>
    public WitText(ComponentTypeInfo component)
    {
        foreach (var (name, desc) in component.Imports.Concat(component.Exports)) Learn(name, desc);
    }

    private void Learn(string name, ExternDesc desc)
    {
        switch (desc)
        {
            case TypeDesc { Type: ResourceType r }: _names.TryAdd(r, name); break;
            case TypeDesc { Type: RecordType or VariantType or EnumType or FlagsType } t: _typeNames.TryAdd((ComponentValueType)t.Type, name); break;
            case InstanceDesc i:
                foreach (var (n, d) in i.Type.Exports) Learn(n, d);
                break;
        }
    }

    /// <summary>An import or export: <c>name: func(...)</c>, <c>name: resource</c>, <c>name: instance { ... }</c>.</summary>
    public string Item(string name, ExternDesc desc, string indent = "")
    {
        var text = new StringBuilder();
        text.Append(indent).Append(name).Append(": ");
        switch (desc)
        {
            case InstanceDesc i:
                text.Append("instance {").Append('\n');
                foreach (var (n, d) in i.Type.Exports) text.Append(Item(n, d, indent + "  ")).Append('\n');
                text.Append(indent).Append('}');
                break;
            case ComponentDesc c:
                text.Append("component {").Append('\n');
                foreach (var (n, d) in c.Type.Imports) text.Append(Item("import " + n, d, indent + "  ")).Append('\n');
                foreach (var (n, d) in c.Type.Exports) text.Append(Item("export " + n, d, indent + "  ")).Append('\n');
                text.Append(indent).Append('}');
                break;
            default:
                text.Append(Describe(desc));
                break;
        }
        return text.ToString();
    }

    public string Describe(ExternDesc desc) => desc switch
    {
        FuncDesc f => Function(f.Type),
        ValueDesc v => "value " + Value(v.Type),
        TypeDesc { Type: ResourceType } => "resource",
        TypeDesc { Type: ComponentValueType v } => "type " + Definition(v),
        TypeDesc { Type: ComponentFunctionType f } => "type " + Function(f),
        TypeDesc => "type",
        ModuleDesc m => $"core module ({m.Type.Imports.Count} imports, {m.Type.Exports.Count} exports)",
        InstanceDesc i => $"instance ({i.Type.Exports.Count} exports)",
        ComponentDesc c => $"component ({c.Type.Imports.Count} imports, {c.Type.Exports.Count} exports)",
        _ => desc.ToString(),
    };

    public string Function(ComponentFunctionType f) =>
        $"{(f.IsAsync ? "async " : "")}func({string.Join(", ", f.Parameters.Select(p => $"{p.Label}: {Value(p.Type)}"))})" +
        (f.Result is null ? "" : " -> " + Value(f.Result));

    /// <summary>A type as its definition (<c>record { ... }</c>), not by its name.</summary>
    private string Definition(ComponentValueType t)
    {
        var saved = _typeNames.Remove(t, out var name);
        try { return Value(t); }
        finally { if (saved) _typeNames[t] = name!; }
    }

    public string Value(ComponentValueType t) => _typeNames.TryGetValue(t, out var name) ? name : t switch
    {
        PrimitiveType p => p.ToString(),
        ListType { Length: uint n } l => $"list<{Value(l.Element)}, {n}>",
        ListType l => $"list<{Value(l.Element)}>",
        MapType m => $"map<{Value(m.Key)}, {Value(m.Value)}>",
        TupleType u => $"tuple<{string.Join(", ", u.Types.Select(Value))}>",
        OptionType o => $"option<{Value(o.Type)}>",
        ResultType { Ok: null, Error: null } => "result",
        ResultType r => $"result<{(r.Ok is null ? "_" : Value(r.Ok))}{(r.Error is null ? "" : ", " + Value(r.Error))}>",
        RecordType r => $"record {{ {string.Join(", ", r.Fields.Select(f => $"{f.Label}: {Value(f.Type)}"))} }}",
        VariantType v => $"variant {{ {string.Join(", ", v.Cases.Select(c => c.Type is null ? c.Label : $"{c.Label}({Value(c.Type)})"))} }}",
        EnumType e => $"enum {{ {string.Join(", ", e.Labels)} }}",
        FlagsType f => $"flags {{ {string.Join(", ", f.Labels)} }}",
        OwnType o => Resource(o.Resource),
        BorrowType b => $"borrow<{Resource(b.Resource)}>",
        StreamType s => s.Element is null ? "stream" : $"stream<{Value(s.Element)}>",
        FutureType f => f.Element is null ? "future" : $"future<{Value(f.Element)}>",
        _ => t.ToString(),
    };

    private string Resource(ResourceType r) => _names.TryGetValue(r, out var name) ? name : r.Name;
}
