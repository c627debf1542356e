using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using WasmSharp.Components.Compiled;
using WasmSharp.Components.Runtime;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>
/// A component function the host implements as a typed .NET delegate, its parameter and result types checked
/// against the function type once, when it is made (see <see cref="TypeMapping"/>). A core function lowered from it
/// runs glue compiled for its signature (<see cref="CompiledImport"/>) that lifts the core arguments straight into
/// .NET values and lowers the result straight back; where that cannot run (no dynamic code, an <c>async</c> lower,
/// handles in the signature) or is not wanted, <see cref="Call"/> converts through the reference path.
/// </summary>
internal sealed class TypedHostFunction : ComponentFunction
{
    private readonly Delegate _target;
    private readonly TypeMapping[] _parameters;
    private readonly TypeMapping? _result;
    private readonly bool _compile;
    private readonly bool _hasHandles;
    private readonly Func<object?[], object?> _invoke;

    /// <summary>Checks <paramref name="target"/> against <paramref name="type"/>: an <see cref="ArgumentException"/>
    /// names the parameter (or the result) that does not fit, and why. <paramref name="compile"/>: false to lower
    /// through the reference path even where compiled glue could run.</summary>
    public TypedHostFunction(ComponentFunctionType type, Delegate target, bool compile) : base(type)
    {
        (_parameters, _result) = TypedFunctions.Check(type, target.GetType().GetMethod("Invoke")!);
        _target = target;
        _compile = compile;
        _hasHandles = type.Parameters.Any(p => ValueTypeWalk.HasHandles(p.Type)) || type.Result is { } r && ValueTypeWalk.HasHandles(r);
        _invoke = Invoker(target, _parameters);
    }

    /// <summary><c>args => (object?)target((T1)args[0], ...)</c>: the delegate called with boxed values, as an
    /// expression the runtime interprets where it cannot compile.</summary>
    private static Func<object?[], object?> Invoker(Delegate target, TypeMapping[] parameters)
    {
        var args = Parameter(typeof(object?[]), "args");
        Expression call = Expression.Invoke(Constant(target),
            parameters.Select((p, i) => Convert(ArrayIndex(args, Constant(i)), p.NetType)));
        Expression body = call.Type == typeof(void) ? Block(call, Constant(null, typeof(object))) : Convert(call, typeof(object));
        return Lambda<Func<object?[], object?>>(body, args).Compile();
    }

    /// <summary>The reference path: the component values converted to .NET values, the delegate called, its result
    /// converted back (a value its type cannot carry is an <see cref="ArgumentException"/>).</summary>
    internal override ComponentValue? Call(ComponentValue[] args, InstanceState? caller)
    {
        var values = new object?[args.Length];
        for (int i = 0; i < values.Length; i++) values[i] = _parameters[i].FromComponent(args[i]);
        var result = _invoke(values);
        return _result?.ToComponent(result);
    }

    /// <summary>The core function <c>canon lower</c> makes of this function through compiled glue, or null where the
    /// reference path serves: no dynamic code, an <c>async</c> lower, own or borrow in the signature (they need a
    /// borrow scope per call), or compilation not wanted.</summary>
    internal HostFunction? LowerCompiled(Store store, ResolvedOptions options, InstanceState instance, string name)
    {
        if (!_compile || !RuntimeFeature.IsDynamicCodeSupported || options.IsAsync || _hasHandles) return null;
        // No handles: the options need no handle scope, so one set serves every call.
        var abi = options.For(instance, null);
        var glue = CompiledImport.For(Type, _parameters, _result, _target.GetType(), abi.Pointer);
        var (flatParams, flatResults) = CanonicalLayout.FlattenFunction(Type, FlatContext.Lower, abi.Pointer);
        var core = new FunctionType(flatParams, flatResults);
        return new HostFunction(store, core, glue.Bind(_target, abi, instance, core), name);
    }
}
