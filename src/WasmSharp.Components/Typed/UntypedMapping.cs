using System.Linq.Expressions;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>Any type as an untyped <see cref="ComponentValue"/> (own and borrow also as <see cref="ResourceValue"/>),
/// converted by the reference path even inside compiled code: the way to pass what has no .NET mapping yet
/// (resources) inside an otherwise typed signature.</summary>
internal sealed class UntypedMapping(ComponentValueType type, Type net) : TypeMapping(type, net)
{
    public override ComponentValue ToComponent(object? value) =>
        value is ComponentValue v && NetType.IsInstanceOfType(v) ? v : throw NotAValue(value, $"not a {NetType.Name}");

    public override object? FromComponent(ComponentValue value) => value;

    internal override Expression Lower(Expression value, Place place, EmitContext cx) =>
        place.LowerUntyped(Convert(value, typeof(ComponentValue)), ComponentType);

    internal override Expression Lift(Place place, EmitContext cx) => Convert(place.LiftUntyped(ComponentType), NetType);
}
