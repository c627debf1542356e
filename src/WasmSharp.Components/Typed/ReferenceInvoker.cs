using System.Linq.Expressions;
using System.Reflection;
using WasmSharp.Components.Runtime;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>Calls a component function with .NET values through the reference path: each argument converted to a
/// <see cref="ComponentValue"/>, <see cref="ComponentFunction.Invoke"/>, the result converted back. Runs everywhere
/// (its delegate is an expression the runtime interprets where it cannot compile), with no per-signature code.</summary>
internal sealed class ReferenceInvoker(ComponentFunction function, TypeMapping[] parameters, TypeMapping? result)
{
    public object? Invoke(object?[] args)
    {
        var values = new ComponentValue[args.Length];
        for (int i = 0; i < values.Length; i++) values[i] = parameters[i].ToComponent(args[i]);
        var value = function.Invoke(values);
        return result?.FromComponent(value ?? throw new InvalidOperationException("the function returned no value"));
    }

    /// <summary>A <typeparamref name="TDelegate"/> (whose Invoke is <paramref name="invoke"/>) that calls
    /// <paramref name="function"/>.</summary>
    public static TDelegate Create<TDelegate>(ComponentFunction function, TypeMapping[] parameters, TypeMapping? result, MethodInfo invoke)
    {
        var invoker = new ReferenceInvoker(function, parameters, result);
        var ps = invoke.GetParameters().Select(p => Parameter(p.ParameterType, p.Name)).ToArray();
        Expression call = Call(Constant(invoker), typeof(ReferenceInvoker).GetMethod(nameof(Invoke))!,
            NewArrayInit(typeof(object), ps.Select(p => Convert(p, typeof(object)))));
        Expression body = invoke.ReturnType == typeof(void) ? Block(typeof(void), call) : Convert(call, invoke.ReturnType);
        return Lambda<TDelegate>(body, ps).Compile();
    }
}
