using System.Linq.Expressions;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary><c>result&lt;T, E&gt;</c> as <see cref="Result{T, E}"/>, a side without a payload as <see cref="Unit"/>.</summary>
internal sealed class ResultMapping : TypeMapping
{
    private readonly ResultType _result;
    private readonly TypeMapping? _ok, _error;

    private ResultMapping(ResultType result, Type net, TypeMapping? ok, TypeMapping? error) : base(result, net) =>
        (_result, _ok, _error) = (result, ok, error);

    public static ResultMapping Create(ResultType result, Type net, string path)
    {
        if (!net.IsConstructedGenericType || net.GetGenericTypeDefinition() != typeof(Result<,>))
            throw TypeMapper.Misfit(path, result, net, "a result is a WasmSharp.Components.Result<T, E>");
        var args = net.GenericTypeArguments;
        return new ResultMapping(result, net, Side(result.Ok, args[0], $"{path}.ok", result, net), Side(result.Error, args[1], $"{path}.error", result, net));
    }

    private static TypeMapping? Side(ComponentValueType? t, Type net, string path, ResultType result, Type resultNet) =>
        t is null
            ? net == typeof(Unit) ? null : throw TypeMapper.Misfit(path, result, resultNet, "a side without a payload is Unit")
            : TypeMapper.Map(t, net, path);

    private Type Ok => NetType.GenericTypeArguments[0];
    private Type Error => NetType.GenericTypeArguments[1];

    public override ComponentValue ToComponent(object? value)
    {
        if (value?.GetType() != NetType) throw NotAValue(value, $"not a {TypeMapper.Name(NetType)}");
        bool ok = (bool)NetType.GetProperty("IsOk")!.GetValue(value)!;
        var side = ok ? _ok : _error;
        return new ResultValue(ok, side?.ToComponent(NetType.GetProperty(ok ? "Value" : "Error")!.GetValue(value)));
    }

    public override object? FromComponent(ComponentValue value)
    {
        var r = Expect<ResultValue>(value);
        var side = r.IsOk ? _ok : _error;
        object? payload = side is null ? default(Unit) : side.FromComponent(r.Payload!);
        return NetType.GetMethod(r.IsOk ? "Ok" : "Err")!.Invoke(null, [payload]);
    }

    internal override Expression Lower(Expression value, Place place, EmitContext cx) => EmitContext.Let(value, v =>
        IfThenElse(Property(v, "IsOk"),
            Cases.Lower(_result, place, cx, 0, _ok is null ? null : payload => _ok.Lower(Property(v, "Value"), payload, cx)),
            Cases.Lower(_result, place, cx, 1, _error is null ? null : payload => _error.Lower(Property(v, "Error"), payload, cx))));

    internal override Expression Lift(Place place, EmitContext cx) =>
        Cases.Lift(_result, NetType, place, cx, 2, (i, payload) => (i == 0 ? _ok : _error) is { } side
            ? Call(NetType.GetMethod(i == 0 ? "Ok" : "Err")!, side.Lift(payload, cx))
            : Call(NetType.GetMethod(i == 0 ? "Ok" : "Err")!, Default(i == 0 ? Ok : Error)));
}
