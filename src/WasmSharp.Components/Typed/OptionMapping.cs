using System.Linq.Expressions;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary><c>option&lt;T&gt;</c> as <c>T?</c>: a <see cref="Nullable{T}"/> when T is a value type, else the reference
/// type itself with null for none. An option of an option has no such .NET type (none and some(none) would both be
/// null), so it must be mapped to <see cref="ComponentValue"/>.</summary>
internal sealed class OptionMapping : TypeMapping
{
    private readonly OptionType _option;
    private readonly TypeMapping _inner;

    private OptionMapping(OptionType option, Type net, TypeMapping inner) : base(option, net) => (_option, _inner) = (option, inner);

    internal override bool UsesNull => true;

    public static OptionMapping Create(OptionType option, Type net, string path)
    {
        var innerNet = Nullable.GetUnderlyingType(net) ?? (net.IsValueType
            ? throw TypeMapper.Misfit(path, option, net, $"an option of a value type is a Nullable, {TypeMapper.Name(net)}?")
            : net);
        var inner = TypeMapper.Map(option.Type, innerNet, path + "?");
        if (inner.UsesNull) throw TypeMapper.Misfit(path, option, net, "none and some(none) would both be null; map it to ComponentValue");
        return new OptionMapping(option, net, inner);
    }

    public override ComponentValue ToComponent(object? value) => new OptionValue(value is null ? null : _inner.ToComponent(value));

    public override object? FromComponent(ComponentValue value) =>
        Expect<OptionValue>(value).Value is { } some ? _inner.FromComponent(some) : null;

    internal override Expression Lower(Expression value, Place place, EmitContext cx) => EmitContext.Let(value, v =>
    {
        bool nullable = NetType.IsValueType;
        return IfThenElse(nullable ? Property(v, "HasValue") : ReferenceNotEqual(v, Constant(null)),
            Cases.Lower(_option, place, cx, 1, payload => _inner.Lower(nullable ? Property(v, "Value") : v, payload, cx)),
            Cases.Lower(_option, place, cx, 0, null));
    });

    internal override Expression Lift(Place place, EmitContext cx) =>
        Cases.Lift(_option, NetType, place, cx, 2, (i, payload) => i == 0 ? Default(NetType) : _inner.Lift(payload, cx));
}
