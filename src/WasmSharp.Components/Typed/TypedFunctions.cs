using System.Reflection;
using System.Runtime.CompilerServices;
using WasmSharp.Components.Compiled;
using WasmSharp.Components.Runtime;

namespace WasmSharp.Components;

/// <summary>
/// Component functions as .NET delegates: <c>instance.GetFunction&lt;string, uint&gt;("count")</c> is a
/// <c>Func&lt;string, uint&gt;</c>, <c>function.AsDelegate&lt;MyDelegate&gt;()</c> any delegate type. The delegate's
/// parameter and return types are checked against the function's type once, when it is made (see
/// <see cref="TypeMapping"/> for what maps to what). A lifted function is then called through Canonical ABI code
/// compiled for its signature (cached per signature); where that cannot run (no dynamic code, an <c>async</c> lift,
/// a host function) the reference path converts the values.
/// </summary>
public static class TypedFunctions
{
    /// <summary>A <typeparamref name="TDelegate"/> that calls <paramref name="function"/>.</summary>
    /// <param name="function">the function to call.</param>
    /// <param name="compile">false to use the reference path even where compiled code could run (for comparison).</param>
    public static TDelegate AsDelegate<TDelegate>(this ComponentFunction function, bool compile = true) where TDelegate : Delegate
    {
        var invoke = typeof(TDelegate).GetMethod("Invoke")!;
        var (parameters, result) = Check(function.Type, invoke);
        if (compile && RuntimeFeature.IsDynamicCodeSupported && function is LiftedFunction { Options.IsAsync: false } lifted)
            return (TDelegate)CompiledSignature.For(function.Type, parameters, result, typeof(TDelegate), ValueType.I32).Bind(lifted);
        return ReferenceInvoker.Create<TDelegate>(function, parameters, result, invoke);
    }

    /// <summary>The mappings of a delegate's parameters and result to a function type's.</summary>
    internal static (TypeMapping[] Parameters, TypeMapping? Result) Check(ComponentFunctionType type, MethodInfo invoke)
    {
        var parameters = invoke.GetParameters();
        if (parameters.Length != type.Parameters.Count)
            throw new ArgumentException($"the delegate takes {parameters.Length} parameter(s), the component function {type.Parameters.Count}");
        var mappings = new TypeMapping[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            var name = type.Parameters[i].Label;
            if (parameters[i].ParameterType.IsByRef) throw new ArgumentException($"parameter {name}: a component function takes no ref or out parameters");
            mappings[i] = TypeMapper.Map(type.Parameters[i].Type, parameters[i].ParameterType, $"parameter {name}");
        }
        TypeMapping? result = (type.Result, invoke.ReturnType == typeof(void)) switch
        {
            (null, true) => null,
            (null, false) => throw new ArgumentException($"the component function returns nothing, the delegate {TypeMapper.Name(invoke.ReturnType)}"),
            (_, true) => throw new ArgumentException($"the component function returns a {CanonicalAbi.Describe(type.Result)}, the delegate nothing"),
            var (t, _) => TypeMapper.Map(t, invoke.ReturnType, "the result"),
        };
        return (mappings, result);
    }

    private static ComponentFunction Export(ComponentInstance instance, string name) =>
        instance.GetFunction(name) ?? throw new ArgumentException($"the instance exports no function '{name}'", nameof(name));

    /// <summary>The exported function <paramref name="name"/>, as a delegate.</summary>
    public static Func<TResult> GetFunction<TResult>(this ComponentInstance instance, string name) =>
        Export(instance, name).AsDelegate<Func<TResult>>();
    public static Func<T1, TResult> GetFunction<T1, TResult>(this ComponentInstance instance, string name) =>
        Export(instance, name).AsDelegate<Func<T1, TResult>>();
    public static Func<T1, T2, TResult> GetFunction<T1, T2, TResult>(this ComponentInstance instance, string name) =>
        Export(instance, name).AsDelegate<Func<T1, T2, TResult>>();
    public static Func<T1, T2, T3, TResult> GetFunction<T1, T2, T3, TResult>(this ComponentInstance instance, string name) =>
        Export(instance, name).AsDelegate<Func<T1, T2, T3, TResult>>();
    public static Func<T1, T2, T3, T4, TResult> GetFunction<T1, T2, T3, T4, TResult>(this ComponentInstance instance, string name) =>
        Export(instance, name).AsDelegate<Func<T1, T2, T3, T4, TResult>>();

    /// <summary>The exported function <paramref name="name"/>, which returns nothing, as a delegate.</summary>
    public static Action GetAction(this ComponentInstance instance, string name) => Export(instance, name).AsDelegate<Action>();
    public static Action<T1> GetAction<T1>(this ComponentInstance instance, string name) => Export(instance, name).AsDelegate<Action<T1>>();
    public static Action<T1, T2> GetAction<T1, T2>(this ComponentInstance instance, string name) =>
        Export(instance, name).AsDelegate<Action<T1, T2>>();
    public static Action<T1, T2, T3> GetAction<T1, T2, T3>(this ComponentInstance instance, string name) =>
        Export(instance, name).AsDelegate<Action<T1, T2, T3>>();
    public static Action<T1, T2, T3, T4> GetAction<T1, T2, T3, T4>(this ComponentInstance instance, string name) =>
        Export(instance, name).AsDelegate<Action<T1, T2, T3, T4>>();
}
