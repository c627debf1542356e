namespace WasmSharp.Components.Validation;

/// <summary>A type is not the one expected (validation: instantiation arguments, ascribed export types).</summary>
internal sealed class TypeMismatchException(string message) : Exception(message);

/// <summary>
/// Resource substitution and subtyping of extern descriptions. Abstract resource types (those a component type
/// imports, or an instance type exports) are bound as matching goes: the map sends each to the actual resource, and
/// later expected types are read through it, so <c>(eq $a)</c> after <c>$a</c> is bound must be that same resource.
/// Value and function types match by equality (the MVP has no value subtyping); resources by identity.
/// </summary>
internal static class TypeMatching
{
    public static ComponentValueType Substitute(ComponentValueType t, IReadOnlyDictionary<ResourceType, ResourceType> map)
    {
        if (map.Count == 0) return t;
        ComponentValueType? Opt(ComponentValueType? u) => u is null ? null : Substitute(u, map);
        return t switch
        {
            OwnType o => new OwnType(map.GetValueOrDefault(o.Resource, o.Resource)),
            BorrowType b => new BorrowType(map.GetValueOrDefault(b.Resource, b.Resource)),
            ListType l => new ListType(Substitute(l.Element, map), l.Length),
            RecordType r => new RecordType(r.Fields.Select(f => f with { Type = Substitute(f.Type, map) }).ToArray()),
            TupleType u => new TupleType(u.Types.Select(x => Substitute(x, map)).ToArray()),
            VariantType v => new VariantType(v.Cases.Select(c => c with { Type = Opt(c.Type) }).ToArray()),
            OptionType o => new OptionType(Substitute(o.Type, map)),
            ResultType r => new ResultType(Opt(r.Ok), Opt(r.Error)),
            MapType m => new MapType(Substitute(m.Key, map), Substitute(m.Value, map)),
            StreamType s => new StreamType(Opt(s.Element)),
            FutureType f => new FutureType(Opt(f.Element)),
            _ => t,
        };
    }

    public static ComponentFunctionType Substitute(ComponentFunctionType f, IReadOnlyDictionary<ResourceType, ResourceType> map) =>
        map.Count == 0 ? f : new ComponentFunctionType(f.Parameters.Select(p => p with { Type = Substitute(p.Type, map) }).ToArray(),
            f.Result is null ? null : Substitute(f.Result, map), f.IsAsync);

    public static object SubstituteType(object t, IReadOnlyDictionary<ResourceType, ResourceType> map) => t switch
    {
        ResourceType r => map.GetValueOrDefault(r, r),
        ComponentValueType v => Substitute(v, map),
        ComponentFunctionType f => Substitute(f, map),
        InstanceTypeInfo i => Substitute(i, map),
        ComponentTypeInfo c => Substitute(c, map),
        _ => t,
    };

    public static ExternDesc Substitute(ExternDesc d, IReadOnlyDictionary<ResourceType, ResourceType> map) => map.Count == 0 ? d : d switch
    {
        FuncDesc f => new FuncDesc(Substitute(f.Type, map)),
        ValueDesc v => new ValueDesc(Substitute(v.Type, map)),
        TypeDesc t => new TypeDesc(SubstituteType(t.Type, map)),
        InstanceDesc i => new InstanceDesc(Substitute(i.Type, map)),
        ComponentDesc c => new ComponentDesc(Substitute(c.Type, map)),
        _ => d,
    };

    public static InstanceTypeInfo Substitute(InstanceTypeInfo i, IReadOnlyDictionary<ResourceType, ResourceType> map) =>
        new(i.Exports.Select(e => (e.Name, Substitute(e.Desc, map))).ToArray(), i.Defined.Select(r => map.GetValueOrDefault(r, r)).ToArray());

    public static ComponentTypeInfo Substitute(ComponentTypeInfo c, IReadOnlyDictionary<ResourceType, ResourceType> map) =>
        new(c.Imports.Select(e => (e.Name, Substitute(e.Desc, map))).ToArray(), c.Exports.Select(e => (e.Name, Substitute(e.Desc, map))).ToArray(),
            c.ImportedResources.Select(r => map.GetValueOrDefault(r, r)).ToArray(), c.DefinedResources.Select(r => map.GetValueOrDefault(r, r)).ToArray());

    /// <summary>Fresh copies of <paramref name="resources"/>, added to <paramref name="map"/>.</summary>
    public static void Freshen(IEnumerable<ResourceType> resources, Dictionary<ResourceType, ResourceType> map)
    {
        foreach (var r in resources) map[r] = new ResourceType(r.Name);
    }

    /// <summary>Checks that <paramref name="actual"/> may stand where <paramref name="expected"/> is wanted, binding
    /// the abstract resources in <paramref name="bindable"/> as they are met; throws
    /// <see cref="TypeMismatchException"/>.</summary>
    public static void Check(ExternDesc actual, ExternDesc expected, Dictionary<ResourceType, ResourceType> map, ISet<ResourceType> bindable)
    {
        switch (actual, expected)
        {
            case (TypeDesc { Type: ResourceType a }, TypeDesc { Type: ResourceType e }) when bindable.Contains(e) && !map.ContainsKey(e):
                map[e] = a;
                return;
            case (TypeDesc a, TypeDesc e):
                CheckType(a.Type, SubstituteType(e.Type, map), map, bindable);
                return;
            case (FuncDesc a, FuncDesc e):
                CheckFunction(a.Type, Substitute(e.Type, map));
                return;
            case (ValueDesc a, ValueDesc e):
                CheckValue(a.Type, Substitute(e.Type, map), "value");
                return;
            case (InstanceDesc a, InstanceDesc e):
                CheckInstance(a.Type, e.Type, map, bindable);
                return;
            case (ComponentDesc a, ComponentDesc e):
                CheckComponent(a.Type, e.Type, map, bindable);
                return;
            case (ModuleDesc a, ModuleDesc e):
                CheckModule(a.Type, e.Type);
                return;
            default:
                throw new TypeMismatchException($"expected {Kind(expected)}, found {Kind(actual)}");
        }
    }

    private static void CheckType(object actual, object expected, Dictionary<ResourceType, ResourceType> map, ISet<ResourceType> bindable)
    {
        switch (actual, expected)
        {
            case (ResourceType a, ResourceType e):
                if (a != e) throw new TypeMismatchException("resource types are not the same");
                return;
            case (ComponentValueType a, ComponentValueType e): CheckValue(a, e, "type"); return;
            case (ComponentFunctionType a, ComponentFunctionType e): CheckFunction(a, e); return;
            case (InstanceTypeInfo a, InstanceTypeInfo e): CheckInstance(a, e, map, bindable); return;
            case (ComponentTypeInfo a, ComponentTypeInfo e): CheckComponent(a, e, map, bindable); return;
            default: throw new TypeMismatchException("type mismatch: expected a type of another kind");
        }
    }

    private static void CheckInstance(InstanceTypeInfo actual, InstanceTypeInfo expected, Dictionary<ResourceType, ResourceType> map, ISet<ResourceType> bindable)
    {
        var inner = new HashSet<ResourceType>(bindable);
        inner.UnionWith(expected.Defined);
        foreach (var (name, desc) in expected.Exports)
        {
            var found = actual.Export(name) ?? throw new TypeMismatchException($"missing expected export `{name}`");
            try { Check(found, desc, map, inner); }
            catch (TypeMismatchException e) { throw new TypeMismatchException($"type mismatch in instance export `{name}`: {e.Message}"); }
        }
    }

    private static void CheckComponent(ComponentTypeInfo actual, ComponentTypeInfo expected, Dictionary<ResourceType, ResourceType> map, ISet<ResourceType> bindable)
    {
        // Imports are contravariant: whatever the expected type's user gives must satisfy the actual's imports.
        var importMap = new Dictionary<ResourceType, ResourceType>(map);
        var inner = new HashSet<ResourceType>(bindable);
        inner.UnionWith(actual.ImportedResources);
        foreach (var (name, desc) in actual.Imports)
        {
            var given = expected.Imports.FirstOrDefault(i => i.Name == name).Desc ?? throw new TypeMismatchException($"missing expected import `{name}`");
            try { Check(given, desc, importMap, inner); }
            catch (TypeMismatchException e) { throw new TypeMismatchException($"type mismatch in import `{name}`: {e.Message}"); }
        }
        foreach (var r in actual.ImportedResources) if (importMap.TryGetValue(r, out var to)) map[r] = to;
        var exports = new HashSet<ResourceType>(bindable);
        exports.UnionWith(expected.DefinedResources);
        foreach (var (name, desc) in expected.Exports)
        {
            var found = actual.Exports.FirstOrDefault(e => e.Name == name).Desc ?? throw new TypeMismatchException($"missing expected export `{name}`");
            try { Check(Substitute(found, map), desc, map, exports); }
            catch (TypeMismatchException e) { throw new TypeMismatchException($"type mismatch in export `{name}`: {e.Message}"); }
        }
    }

    private static void CheckModule(CoreModuleType actual, CoreModuleType expected)
    {
        foreach (var (module, name, type) in actual.Imports)
        {
            var given = expected.Imports.FirstOrDefault(i => i.Module == module && i.Name == name);
            if (given.Type is null) throw new TypeMismatchException($"module instantiation requires import `{module}::{name}` the type does not give");
            if (!CoreMatches(given.Type, type)) throw new TypeMismatchException($"type mismatch in import `{module}::{name}`");
        }
        foreach (var (name, type) in expected.Exports)
        {
            if (!actual.Exports.TryGetValue(name, out var found)) throw new TypeMismatchException($"missing expected export `{name}`");
            if (!CoreMatches(found, type)) throw new TypeMismatchException($"type mismatch in export `{name}`");
        }
    }

    /// <summary>Core extern subtyping: equal function and global types, limits within the expected ones (and a
    /// memory shared as the expected one is, or not).</summary>
    public static bool CoreMatches(object actual, object expected) => (actual, expected) switch
    {
        (FunctionType a, FunctionType e) => a.Equals(e),
        (CoreTagType a, CoreTagType e) => a.Type.Equals(e.Type),
        (GlobalType a, GlobalType e) => a == e,
        (TableType a, TableType e) => a.ElementType == e.ElementType && a.Limits.IsSubtypeOf(e.Limits),
        (MemoryType a, MemoryType e) => a.Shared == e.Shared && a.Limits.IsSubtypeOf(e.Limits),
        _ => false,
    };

    /// <summary>Core extern subtyping, with the reason it fails (as the reference validator words it), or null.</summary>
    public static string? CoreMismatch(object actual, object expected) => (actual, expected) switch
    {
        (TableType a, TableType e) when a.ElementType == e.ElementType && !a.Limits.IsSubtypeOf(e.Limits) => "mismatch in table limits",
        (MemoryType a, MemoryType e) when a.Shared != e.Shared => "mismatch in the shared flag for memories",
        (MemoryType a, MemoryType e) when !a.Limits.IsSubtypeOf(e.Limits) => "mismatch in memory limits",
        _ => CoreMatches(actual, expected) ? null : "type mismatch",
    };

    private static void CheckFunction(ComponentFunctionType actual, ComponentFunctionType expected)
    {
        if (actual.IsAsync != expected.IsAsync) throw new TypeMismatchException("type mismatch in async attribute of function");
        if (actual.Parameters.Count != expected.Parameters.Count)
            throw new TypeMismatchException($"expected {expected.Parameters.Count} parameters, found {actual.Parameters.Count}");
        for (int i = 0; i < actual.Parameters.Count; i++)
        {
            var (a, e) = (actual.Parameters[i], expected.Parameters[i]);
            if (a.Label != e.Label) throw new TypeMismatchException($"expected parameter named `{e.Label}`, found `{a.Label}`");
            CheckValue(a.Type, e.Type, $"function parameter `{a.Label}`");
        }
        if ((actual.Result is null) != (expected.Result is null)) throw new TypeMismatchException("type mismatch with result type");
        if (actual.Result is not null) CheckValue(actual.Result, expected.Result!, "result type");
    }

    private static void CheckValue(ComponentValueType actual, ComponentValueType expected, string where)
    {
        if (actual.Equals(expected)) return;
        throw new TypeMismatchException(ResourcesDiffer(actual, expected) ? "resource types are not the same" : $"type mismatch in {where}");
    }

    /// <summary>Whether the two types differ only in which resources their handles hold.</summary>
    private static bool ResourcesDiffer(ComponentValueType a, ComponentValueType e)
    {
        var probe = new ResourceType("any");
        return Erase(a, probe).Equals(Erase(e, probe));

        static ComponentValueType Erase(ComponentValueType t, ResourceType to) => t switch
        {
            OwnType => new OwnType(to),
            BorrowType => new BorrowType(to),
            ListType l => new ListType(Erase(l.Element, to), l.Length),
            RecordType r => new RecordType(r.Fields.Select(f => f with { Type = Erase(f.Type, to) }).ToArray()),
            TupleType u => new TupleType(u.Types.Select(x => Erase(x, to)).ToArray()),
            VariantType v => new VariantType(v.Cases.Select(c => c with { Type = c.Type is null ? null : Erase(c.Type, to) }).ToArray()),
            OptionType o => new OptionType(Erase(o.Type, to)),
            ResultType r => new ResultType(r.Ok is null ? null : Erase(r.Ok, to), r.Error is null ? null : Erase(r.Error, to)),
            _ => t,
        };
    }

    public static string Kind(ExternDesc d) => d switch
    {
        ModuleDesc => "module",
        FuncDesc => "func",
        ValueDesc => "value",
        TypeDesc => "type",
        ComponentDesc => "component",
        _ => "instance",
    };
}

/// <summary>A core tag's type (exception handling) as the validator tracks core items: its function type, kept apart
/// from a core function's.</summary>
internal sealed record CoreTagType(FunctionType Type);
