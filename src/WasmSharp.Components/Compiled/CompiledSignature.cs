using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using WasmSharp.Components.Runtime;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components.Compiled;

/// <summary>What compiled Canonical ABI code is made for, and cached by: a component function type, the memory's
/// address type, and the .NET delegate type on the host's side.</summary>
internal sealed record SignatureKey(ComponentFunctionType Type, ValueType Pointer, Type Delegate);

/// <summary>
/// The compiled code for one signature: a component function type, the memory's address type and a .NET delegate
/// type — its argument lowering, its result lifting and the delegate's entry point, compiled once and cached, then
/// bound to each lifted function of that signature.
/// </summary>
internal abstract class CompiledSignature
{
    private static readonly ConcurrentDictionary<SignatureKey, CompiledSignature> Cache = new();

    /// <summary>A delegate of the signature's type that calls <paramref name="function"/>.</summary>
    public abstract Delegate Bind(LiftedFunction function);

    /// <summary>The compiled code for <paramref name="delegateType"/> calling functions of <paramref name="type"/>,
    /// whose values map as <paramref name="parameters"/> and <paramref name="result"/> say.</summary>
    public static CompiledSignature For(ComponentFunctionType type, TypeMapping[] parameters, TypeMapping? result, Type delegateType,
        ValueType pointer) =>
        Cache.GetOrAdd(new SignatureKey(type, pointer, delegateType), key =>
        {
            TypeMapping[] results = result is null ? [] : [result];
            var signature = typeof(CompiledSignature<,>).MakeGenericType(ThunkCompiler.ArgumentsType(parameters), ThunkCompiler.ResultsType(results));
            return (CompiledSignature)Activator.CreateInstance(signature, parameters, results, delegateType, pointer)!;
        });

    /// <summary>How many signatures are compiled (for tests of the cache).</summary>
    internal static int Count => Cache.Count;
}

/// <summary>The compiled code for one signature whose arguments travel as <typeparamref name="TArgs"/> (a
/// ValueTuple) and whose result is a <typeparamref name="TResult"/> (ValueTuple if there is none).</summary>
internal sealed class CompiledSignature<TArgs, TResult> : CompiledSignature
{
    private readonly Func<CanonicalOptions, TArgs, ulong[], ulong[]> _lower;
    private readonly Func<CanonicalOptions, ulong[], TResult> _lift;
    private readonly Func<CompiledInvoker<TArgs, TResult>, Delegate> _entry;

    public CompiledSignature(TypeMapping[] parameters, TypeMapping[] results, Type delegateType, ValueType pointer)
    {
        _lower = (Func<CanonicalOptions, TArgs, ulong[], ulong[]>)ThunkCompiler.Lower(parameters, pointer, CanonicalLayout.MaxFlatParams).Compile();
        _lift = (Func<CanonicalOptions, ulong[], TResult>)ThunkCompiler.Lift(results, pointer, CanonicalLayout.MaxFlatResults).Compile();
        _entry = Entry(delegateType);
    }

    /// <summary><c>invoker => (a1, ..., an) => invoker.Invoke((a1, ..., an))</c>: the delegate's body, compiled once
    /// for every function it is bound to.</summary>
    private static Func<CompiledInvoker<TArgs, TResult>, Delegate> Entry(Type delegateType)
    {
        var invoke = delegateType.GetMethod("Invoke")!;
        var invoker = Parameter(typeof(CompiledInvoker<TArgs, TResult>), "invoker");
        var parameters = invoke.GetParameters().Select(p => Parameter(p.ParameterType, p.Name)).ToArray();
        Expression call = Call(invoker, typeof(CompiledInvoker<TArgs, TResult>).GetMethod(nameof(CompiledInvoker<TArgs, TResult>.Invoke))!,
            ValueTuples.New(typeof(TArgs), parameters));
        if (invoke.ReturnType == typeof(void)) call = Block(typeof(void), call);
        return Lambda<Func<CompiledInvoker<TArgs, TResult>, Delegate>>(Lambda(delegateType, call, parameters), invoker).Compile();
    }

    public override Delegate Bind(LiftedFunction function) => _entry(new CompiledInvoker<TArgs, TResult>(function, _lower, _lift));
}

/// <summary>Calls one lifted function with compiled conversions, through its call protocol
/// (<see cref="LiftedFunction.CallWith"/>).</summary>
internal sealed class CompiledInvoker<TArgs, TResult>(LiftedFunction function, Func<CanonicalOptions, TArgs, ulong[], ulong[]> lower,
    Func<CanonicalOptions, ulong[], TResult> lift)
{
    private readonly CompiledConversions<TArgs, TResult> _conversions = new(lower, lift);

    public TResult Invoke(TArgs args) => function.CallWith<TArgs, TResult, CompiledConversions<TArgs, TResult>>(args, caller: null, _conversions);
}

/// <summary>A signature's compiled lowering and lifting, as a call's conversions.</summary>
internal readonly struct CompiledConversions<TArgs, TResult>(Func<CanonicalOptions, TArgs, ulong[], ulong[]> lower,
    Func<CanonicalOptions, ulong[], TResult> lift) : ICallConversions<TArgs, TResult>
{
    public ulong[] Lower(CanonicalOptions abi, TArgs args, ulong[] flat) => lower(abi, args, flat);
    public TResult Lift(CanonicalOptions abi, ulong[] flat) => lift(abi, flat);
}
