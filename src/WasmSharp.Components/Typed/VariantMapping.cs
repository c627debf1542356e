using System.Linq.Expressions;
using System.Reflection;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>
/// A variant as a closed class hierarchy: an abstract base type, and a class per case that derives from it (nested in
/// it, or beside it in its assembly) whose name fits the case's label. A case with a payload has a public constructor
/// of one parameter and a readable property of that parameter's name (<c>sealed record Circle(double Radius) :
/// Shape</c>); a case without one has a public parameterless constructor.
/// </summary>
internal sealed class VariantMapping : TypeMapping
{
    private sealed record CaseClass(Type Type, ConstructorInfo Constructor, PropertyInfo? Payload, TypeMapping? Mapping);

    private readonly VariantType _variant;
    private readonly CaseClass[] _cases;

    private VariantMapping(VariantType variant, Type net, CaseClass[] cases) : base(variant, net) => (_variant, _cases) = (variant, cases);

    public static VariantMapping Create(VariantType variant, Type net, string path)
    {
        if (!net.IsClass || !net.IsAbstract || net == typeof(string))
            throw TypeMapper.Misfit(path, variant, net, "a variant is an abstract class with a derived class per case");
        var candidates = CaseTypes(net);
        var cases = new CaseClass[variant.Cases.Count];
        for (int i = 0; i < cases.Length; i++)
        {
            var c = variant.Cases[i];
            var type = ComponentNames.Single(c.Label, candidates, t => t, t => t.Name, path)
                ?? throw TypeMapper.Misfit(path, variant, net, $"no class derived from it fits the case '{c.Label}'");
            cases[i] = CaseOf(c, type, $"{path}.{c.Label}") ?? throw TypeMapper.Misfit(path, variant, net, c.Type is null
                ? $"the case '{c.Label}' has no payload, so {type.Name} needs a public parameterless constructor"
                : $"the case '{c.Label}' has a payload, so {type.Name} needs a public constructor of one parameter and a property of its name");
        }
        return new VariantMapping(variant, net, cases);
    }

    /// <summary>The concrete classes derived from <paramref name="net"/>: nested in it (closed over its type
    /// arguments if it is generic), else in its assembly.</summary>
    private static List<Type> CaseTypes(Type net)
    {
        var nested = net.GetNestedTypes(BindingFlags.Public)
            .Select(t => t.IsGenericTypeDefinition && net.IsConstructedGenericType && t.GetGenericArguments().Length == net.GenericTypeArguments.Length
                ? t.MakeGenericType(net.GenericTypeArguments) : t)
            .Where(t => !t.IsAbstract && !t.ContainsGenericParameters && net.IsAssignableFrom(t)).ToList();
        if (nested.Count > 0) return nested;
        return net.Assembly.GetTypes().Where(t => t.IsPublic && !t.IsAbstract && !t.ContainsGenericParameters && t.BaseType == net).ToList();
    }

    private static CaseClass? CaseOf(Case c, Type type, string path)
    {
        foreach (var constructor in type.GetConstructors())
        {
            var parameters = constructor.GetParameters();
            if (c.Type is null && parameters.Length == 0) return new CaseClass(type, constructor, null, null);
            if (c.Type is null || parameters.Length != 1) continue;
            var property = type.GetProperty(parameters[0].Name ?? "", BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is { CanRead: true } && property.PropertyType == parameters[0].ParameterType)
                return new CaseClass(type, constructor, property, TypeMapper.Map(c.Type, property.PropertyType, path));
        }
        return null;
    }

    public override ComponentValue ToComponent(object? value)
    {
        int i = Array.FindIndex(_cases, c => c.Type == value?.GetType());
        if (i < 0) throw NotAValue(value, $"{value?.GetType().Name ?? "null"} is no case of {NetType.Name}");
        var c = _cases[i];
        return new VariantValue(_variant.Cases[i].Label, c.Mapping?.ToComponent(c.Payload!.GetValue(value)));
    }

    public override object? FromComponent(ComponentValue value)
    {
        var v = Expect<VariantValue>(value);
        int i = _variant.Cases.FindIndex(c => c.Label == v.Case);
        if (i < 0) throw new ArgumentException($"{v} has no case of {_variant}", nameof(value));
        var c = _cases[i];
        return c.Mapping is null ? c.Constructor.Invoke([]) : c.Constructor.Invoke([c.Mapping.FromComponent(v.Payload!)]);
    }

    internal override Expression Lower(Expression value, Place place, EmitContext cx) => EmitContext.Let(value, v =>
    {
        Expression chain = Throw(EmitContext.Helper(nameof(CompiledAbi.NoCase), Convert(v, typeof(object)), Constant($"variant {NetType.Name}")));
        for (int i = _cases.Length - 1; i >= 0; i--)
        {
            var c = _cases[i];
            var lower = Cases.Lower(_variant, place, cx, i,
                c.Mapping is null ? null : payload => c.Mapping.Lower(Property(Convert(v, c.Type), c.Payload!), payload, cx));
            chain = IfThenElse(TypeEqual(v, c.Type), lower, chain);
        }
        return chain;
    });

    internal override Expression Lift(Place place, EmitContext cx) =>
        Cases.Lift(_variant, NetType, place, cx, _cases.Length, (i, payload) => _cases[i].Mapping is { } m
            ? New(_cases[i].Constructor, m.Lift(payload, cx))
            : New(_cases[i].Constructor));
}
