using System.Linq.Expressions;
using WasmSharp.Components.Compiled;

namespace WasmSharp.Components;

/// <summary>
/// How one component value type meets one .NET type, checked when it is made: the reference conversion between
/// .NET values and <see cref="ComponentValue"/>s, and the expressions the compiled Canonical ABI path is built from.
/// Each kind of type says both in one class, so the two paths cannot drift apart.
/// </summary>
/// <remarks>Make one with <see cref="Create"/>; a .NET type that does not fit is an <see cref="ArgumentException"/>
/// that says where and why.</remarks>
public abstract class TypeMapping
{
    private protected TypeMapping(ComponentValueType componentType, Type netType) =>
        (ComponentType, NetType) = (componentType, netType);

    public ComponentValueType ComponentType { get; }
    public Type NetType { get; }

    /// <summary>Whether null (or an empty <see cref="Nullable{T}"/>) is one of the values this mapping gives: an
    /// option's none. An option of such a type could not tell none from some(none).</summary>
    internal virtual bool UsesNull => false;

    /// <summary>The component value for <paramref name="value"/>, a <see cref="NetType"/>; a value the type
    /// cannot carry (null where no option allows it, a list of the wrong fixed length, an enum value that is no
    /// label) is an <see cref="ArgumentException"/>.</summary>
    public abstract ComponentValue ToComponent(object? value);

    /// <summary>The <see cref="NetType"/> value for <paramref name="value"/>, a value of <see cref="ComponentType"/>.</summary>
    public abstract object? FromComponent(ComponentValue value);

    /// <summary>An expression that lowers <paramref name="value"/> (of <see cref="NetType"/>) into
    /// <paramref name="place"/>, with the checks and traps of the reference path.</summary>
    internal abstract Expression Lower(Expression value, Place place, EmitContext cx);

    /// <summary>An expression of <see cref="NetType"/> that lifts the value at <paramref name="place"/>.</summary>
    internal abstract Expression Lift(Place place, EmitContext cx);

    /// <summary>How <paramref name="type"/> maps to <paramref name="netType"/>.</summary>
    public static TypeMapping Create(ComponentValueType type, Type netType) => TypeMapper.Map(type, netType, "the value");

    public override string ToString() => $"{ComponentType} as {NetType.Name}";

    /// <summary>The error for a .NET value this mapping cannot lower.</summary>
    private protected ArgumentException NotAValue(object? value, string? why = null) =>
        new($"{value ?? "null"} is not a {CanonicalAbi.Describe(ComponentType)} value{(why is null ? "" : $" ({why})")}", nameof(value));

    /// <summary>The component value <paramref name="value"/>, as the type <typeparamref name="TValue"/> it must be.</summary>
    private protected TValue Expect<TValue>(ComponentValue value) where TValue : ComponentValue =>
        value as TValue ?? throw new ArgumentException($"{value} is not a {CanonicalAbi.Describe(ComponentType)} value", nameof(value));

    /// <summary>Lowers the fields of a record or tuple (<see cref="ComponentType"/>), mapped by
    /// <paramref name="fields"/>: <paramref name="field"/> gives field i's .NET value, which goes to its offset and
    /// flat position in <paramref name="place"/>. In the type's order.</summary>
    private protected IEnumerable<Expression> LowerFields(TypeMapping[] fields, Func<int, Expression> field, Place place, EmitContext cx)
    {
        var offsets = CanonicalLayout.FieldOffsets(ComponentType, cx.Pointer);
        int flat = 0;
        for (int i = 0; i < fields.Length; i++)
        {
            yield return fields[i].Lower(field(i), place.At(offsets[i], flat), cx);
            flat += CanonicalLayout.Flatten(fields[i].ComponentType).Count;
        }
    }

    /// <summary>Lifts the fields of a record or tuple into <paramref name="temps"/> (one per field), in the type's
    /// order, so the first bad one traps first.</summary>
    private protected IEnumerable<Expression> LiftFields(TypeMapping[] fields, ParameterExpression[] temps, Place place, EmitContext cx)
    {
        var offsets = CanonicalLayout.FieldOffsets(ComponentType, cx.Pointer);
        int flat = 0;
        for (int i = 0; i < fields.Length; i++)
        {
            yield return Expression.Assign(temps[i], fields[i].Lift(place.At(offsets[i], flat), cx));
            flat += CanonicalLayout.Flatten(fields[i].ComponentType).Count;
        }
    }

    /// <summary>The .NET value <paramref name="value"/>, as the <typeparamref name="T"/> it must be.</summary>
    private protected T Net<T>(object? value) => value is T t ? t : throw NotAValue(value, $"not a {typeof(T).Name}");
}
