namespace WasmSharp.Components;

/// <summary>Finds the mapping of a component value type to a .NET type, or says why there is none.</summary>
internal static class TypeMapper
{
    /// <summary>The mapping of <paramref name="t"/> to <paramref name="net"/>; <paramref name="path"/> names the place
    /// in the signature for errors ("parameter x.first-name").</summary>
    public static TypeMapping Map(ComponentValueType t, Type net, string path)
    {
        if (net == typeof(ComponentValue) || (t is OwnType or BorrowType && net == typeof(ResourceValue)))
            return new UntypedMapping(t, net);
        if (t is OwnType or BorrowType)
            return net == typeof(Resource) ? new ResourceMapping(t) : throw Misfit(path, t, net, "a handle is a WasmSharp.Components.Resource");
        return t switch
        {
            PrimitiveType { Kind: Primitive.String } => net == typeof(string) ? new StringMapping(t) : throw Misfit(path, t, net, "a string is a System.String"),
            PrimitiveType { Kind: Primitive.ErrorContext } => throw NotYet(path, t),
            PrimitiveType p => ScalarMapping.Create(p, net, path),
            ListType or MapType => ListMapping.Create(t, net, path),
            RecordType r => RecordMapping.Create(r, net, path),
            TupleType u => TupleMapping.Create(u, net, path),
            VariantType v => VariantMapping.Create(v, net, path),
            EnumType e => EnumMapping.Create(e, net, path),
            OptionType o => OptionMapping.Create(o, net, path),
            ResultType r => ResultMapping.Create(r, net, path),
            FlagsType f => FlagsMapping.Create(f, net, path),
            _ => throw NotYet(path, t),
        };
    }

    /// <summary>The error for a .NET type that does not fit a component type.</summary>
    public static ArgumentException Misfit(string path, ComponentValueType t, Type net, string why) =>
        new($"{path}: the .NET type {Name(net)} does not fit the component type {CanonicalAbi.Describe(t)} ({why})");

    private static NotSupportedException NotYet(string path, ComponentValueType t) =>
        new($"{path}: {CanonicalAbi.Describe(t)} values do not map to .NET types yet; use {nameof(ComponentValue)} (or {nameof(ResourceValue)} for own and borrow)");

    /// <summary>A .NET type's name as C# spells it, generic arguments included.</summary>
    public static string Name(Type t) => t.IsGenericType
        ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(Name))}>"
        : t.Name;
}
