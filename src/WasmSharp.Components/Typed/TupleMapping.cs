using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary><c>tuple&lt;T, ...&gt;</c> as the <see cref="ValueTuple"/> of the same arity (past seven, nested in
/// <c>Rest</c> as C# nests them).</summary>
internal sealed class TupleMapping : TypeMapping
{
    private readonly TypeMapping[] _elements;

    private TupleMapping(TupleType tuple, Type net, TypeMapping[] elements) : base(tuple, net) => _elements = elements;

    public static TupleMapping Create(TupleType tuple, Type net, string path)
    {
        var types = ValueTuples.ElementTypes(net)
            ?? throw TypeMapper.Misfit(path, tuple, net, "a tuple is a ValueTuple");
        if (types.Count != tuple.Types.Count)
            throw TypeMapper.Misfit(path, tuple, net, $"{types.Count} elements for {tuple.Types.Count}");
        return new TupleMapping(tuple, net, tuple.Types.Select((t, i) => TypeMapper.Map(t, types[i], $"{path}.{i}")).ToArray());
    }

    public override ComponentValue ToComponent(object? value)
    {
        if (value is not ITuple tuple || value.GetType() != NetType) throw NotAValue(value, $"not a {TypeMapper.Name(NetType)}");
        return new TupleValue(_elements.Select((e, i) => e.ToComponent(tuple[i])).ToArray());
    }

    public override object? FromComponent(ComponentValue value)
    {
        var tuple = Expect<TupleValue>(value);
        return ValueTuples.Create(NetType, tuple.Values.Select((v, i) => _elements[i].FromComponent(v)).ToArray());
    }

    internal override Expression Lower(Expression value, Place place, EmitContext cx) => EmitContext.Let(value, v =>
    {
        var body = LowerFields(_elements, i => ValueTuples.Item(v, i), place, cx).ToList();
        body.Add(Empty());
        return Block(body);
    });

    internal override Expression Lift(Place place, EmitContext cx)
    {
        var temps = _elements.Select(e => Variable(e.NetType)).ToArray();
        var body = LiftFields(_elements, temps, place, cx).ToList();
        body.Add(ValueTuples.New(NetType, temps));
        return Block(NetType, temps, body);
    }
}

/// <summary>ValueTuple types of any arity: their element types, element access and construction, through the
/// nesting C# uses past seven elements (the eighth type argument, <c>Rest</c>, is a tuple of the rest).</summary>
internal static class ValueTuples
{
    private static readonly Type[] Definitions =
    [
        typeof(ValueTuple<>), typeof(ValueTuple<,>), typeof(ValueTuple<,,>), typeof(ValueTuple<,,,>), typeof(ValueTuple<,,,,>),
        typeof(ValueTuple<,,,,,>), typeof(ValueTuple<,,,,,,>), typeof(ValueTuple<,,,,,,,>),
    ];

    /// <summary>The element types of a ValueTuple type (none for <see cref="ValueTuple"/>), or null if it is not one.</summary>
    public static List<Type>? ElementTypes(Type t)
    {
        if (t == typeof(ValueTuple)) return [];
        if (!t.IsGenericType || Array.IndexOf(Definitions, t.GetGenericTypeDefinition()) < 0) return null;
        var args = t.GetGenericArguments();
        if (args.Length < 8) return [.. args];
        var rest = ElementTypes(args[7]);
        return rest is null ? null : [.. args[..7], .. rest];
    }

    /// <summary>The ValueTuple type of <paramref name="types"/>.</summary>
    public static Type Of(IReadOnlyList<Type> types) => types.Count switch
    {
        0 => typeof(ValueTuple),
        <= 7 => Definitions[types.Count - 1].MakeGenericType([.. types]),
        _ => Definitions[7].MakeGenericType([.. types.Take(7), Of(types.Skip(7).ToArray())]),
    };

    /// <summary>Element <paramref name="i"/> of the tuple <paramref name="tuple"/>.</summary>
    public static Expression Item(Expression tuple, int i) =>
        i < 7 ? Field(tuple, "Item" + (i + 1)) : Item(Field(tuple, "Rest"), i - 7);

    /// <summary>A new tuple of type <paramref name="t"/> with <paramref name="items"/>.</summary>
    public static Expression New(Type t, IReadOnlyList<Expression> items)
    {
        if (items.Count == 0) return Default(t);
        var args = t.GetGenericArguments();
        return Expression.New(t.GetConstructor(args)!,
            items.Count <= 7 ? items : [.. items.Take(7), New(args[7], items.Skip(7).ToArray())]);
    }

    /// <summary>A new tuple of type <paramref name="t"/> with <paramref name="items"/>, by reflection.</summary>
    public static object Create(Type t, IReadOnlyList<object?> items)
    {
        if (items.Count == 0) return default(ValueTuple);
        var args = t.GetGenericArguments();
        return Activator.CreateInstance(t, items.Count <= 7 ? [.. items] : [.. items.Take(7), Create(args[7], items.Skip(7).ToArray())])!;
    }
}
