using WasmSharp.Components.Binary;

namespace WasmSharp.Components.Validation;

/// <summary>What an import or export is, as validation sees it (the Component Model's <c>externdesc</c>).</summary>
public abstract record ExternDesc;
public sealed record ModuleDesc(CoreModuleType Type) : ExternDesc;
public sealed record FuncDesc(ComponentFunctionType Type) : ExternDesc;
public sealed record ValueDesc(ComponentValueType Type) : ExternDesc;
/// <summary>A type: a value, function, component or instance type, or a <see cref="ResourceType"/>.</summary>
public sealed record TypeDesc(object Type) : ExternDesc;
public sealed record ComponentDesc(ComponentTypeInfo Type) : ExternDesc;
public sealed record InstanceDesc(InstanceTypeInfo Type) : ExternDesc;

/// <summary>An instance type: its exports in order, and the resource types it introduces (abstract: each
/// instantiation or import makes them fresh or binds them).</summary>
public sealed class InstanceTypeInfo(IReadOnlyList<(string Name, ExternDesc Desc)> exports, IReadOnlyList<ResourceType> defined)
{
    public IReadOnlyList<(string Name, ExternDesc Desc)> Exports { get; } = exports;
    public IReadOnlyList<ResourceType> Defined { get; } = defined;

    public ExternDesc? Export(string name)
    {
        foreach (var (n, d) in Exports) if (n == name) return d;
        return null;
    }
}

/// <summary>A component type: imports and exports in order; the resources its imports introduce (bound by the
/// arguments of an instantiation) and those it defines (fresh for each instance).</summary>
public sealed class ComponentTypeInfo(IReadOnlyList<(string Name, ExternDesc Desc)> imports, IReadOnlyList<(string Name, ExternDesc Desc)> exports,
    IReadOnlyList<ResourceType> imported, IReadOnlyList<ResourceType> defined)
{
    public IReadOnlyList<(string Name, ExternDesc Desc)> Imports { get; } = imports;
    public IReadOnlyList<(string Name, ExternDesc Desc)> Exports { get; } = exports;
    public IReadOnlyList<ResourceType> ImportedResources { get; } = imported;
    public IReadOnlyList<ResourceType> DefinedResources { get; } = defined;
}

/// <summary>A core module's type: its imports, and its exports by name (items: <see cref="FunctionType"/>,
/// <see cref="TableType"/>, <see cref="MemoryType"/>, <see cref="GlobalType"/>).</summary>
public sealed class CoreModuleType(IReadOnlyList<(string Module, string Name, object Type)> imports, IReadOnlyDictionary<string, object> exports)
{
    public IReadOnlyList<(string Module, string Name, object Type)> Imports { get; } = imports;
    public IReadOnlyDictionary<string, object> Exports { get; } = exports;
}

/// <summary>Value types from their definitions: the one mapping validation and instantiation share.</summary>
public static class ValueTypeResolution
{
    /// <summary>The value type <paramref name="v"/> defines, its type indices looked up by
    /// <paramref name="value"/> (value types) and <paramref name="resource"/> (resource types).</summary>
    public static ComponentValueType Resolve(DefinedValueType v, Func<ValTypeRef, ComponentValueType> value, Func<uint, ResourceType> resource)
    {
        ComponentValueType? Optional(ValTypeRef? r) => r is { } t ? value(t) : null;
        return v switch
        {
            PrimitiveDef p => PrimitiveType.Of(p.Primitive),
            RecordDef r => new RecordType(r.Fields.Select(f => new Field(f.Label, value(f.Type))).ToArray()),
            VariantDef d => new VariantType(d.Cases.Select(c => new Case(c.Label, Optional(c.Type))).ToArray()),
            ListDef l => new ListType(value(l.Element), l.Length),
            TupleDef u => new TupleType(u.Types.Select(value).ToArray()),
            FlagsDef f => new FlagsType(f.Labels),
            EnumDef e => new EnumType(e.Labels),
            OptionDef o => new OptionType(value(o.Type)),
            ResultDef r => new ResultType(Optional(r.Ok), Optional(r.Error)),
            OwnDef o => new OwnType(resource(o.Resource)),
            BorrowDef b => new BorrowType(resource(b.Resource)),
            StreamDef s => new StreamType(Optional(s.Element)),
            FutureDef f => new FutureType(Optional(f.Element)),
            MapDef m => new MapType(value(m.Key), value(m.Value)),
            _ => throw new ArgumentException($"unknown value type {v}", nameof(v)),
        };
    }
}
