using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
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
    private readonly Func<CompiledInvoker<TArgs, TResult>, Delegate> _entry;

    /// <summary>A whole plain call: lowering, core call and lifting in one method (<see cref="ThunkCompiler.WholeCall"/>).</summary>
    internal Func<CompiledInvoker<TArgs, TResult>, TArgs, TResult> Call { get; }

    public CompiledSignature(TypeMapping[] parameters, TypeMapping[] results, Type delegateType, ValueType pointer)
    {
        Call = (Func<CompiledInvoker<TArgs, TResult>, TArgs, TResult>)ThunkCompiler.WholeCall(typeof(CompiledInvoker<TArgs, TResult>),
            parameters, results, pointer).Compile();
        _entry = Entry(delegateType);
        _conversions = new(() => new(
            (Func<CanonicalOptions, TArgs, ulong[], ulong[]>)ThunkCompiler.Lower(parameters, pointer, CanonicalLayout.MaxFlatParams).Compile(),
            (Func<CanonicalOptions, ulong[], TResult>)ThunkCompiler.Lift(results, pointer, CanonicalLayout.MaxFlatResults).Compile()));
    }

    /// <summary>The lowering and lifting on their own, for calls through the protocol
    /// (<see cref="LiftedFunction.CallWith"/>): compiled on the first call that is not plain.</summary>
    internal CompiledConversions<TArgs, TResult> Conversions => _conversions.Value;
    private readonly Lazy<CompiledConversions<TArgs, TResult>> _conversions;

    /// <summary><c>(invoker, a1, ..., an) => invoker.Invoke((a1, ..., an))</c>, a method compiled once for every
    /// function it is bound to: each binding is a delegate closed over its invoker, which the call passes as the
    /// method's first argument (a lambda would reach it through its closure's array, checked and cast).</summary>
    private static Func<CompiledInvoker<TArgs, TResult>, Delegate> Entry(Type delegateType)
    {
        var invoke = delegateType.GetMethod("Invoke")!;
        var invokerType = typeof(CompiledInvoker<TArgs, TResult>);
        var parameters = invoke.GetParameters().Select(p => p.ParameterType).ToArray();
        var method = new DynamicMethod("Entry", invoke.ReturnType, [invokerType, .. parameters], invokerType, skipVisibility: true);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        NewTuple(il, typeof(TArgs), 1, parameters.Length);
        il.Emit(OpCodes.Call, invokerType.GetMethod(nameof(CompiledInvoker<TArgs, TResult>.Invoke))!);
        if (invoke.ReturnType == typeof(void)) il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Ret);
        return invoker => method.CreateDelegate(delegateType, invoker);
    }

    /// <summary>Pushes a new tuple of type <paramref name="tuple"/> made of the <paramref name="count"/> arguments
    /// from <paramref name="first"/> on (nested past seven, as ValueTuple's Rest).</summary>
    private static void NewTuple(ILGenerator il, Type tuple, int first, int count)
    {
        if (count == 0)
        {
            var empty = il.DeclareLocal(tuple);
            il.Emit(OpCodes.Ldloca, empty);
            il.Emit(OpCodes.Initobj, tuple);
            il.Emit(OpCodes.Ldloc, empty);
            return;
        }
        for (int i = 0; i < Math.Min(count, 7); i++) il.Emit(OpCodes.Ldarg, (short)(first + i));
        var items = tuple.GetGenericArguments();
        if (count > 7) NewTuple(il, items[7], first + 7, count - 7);
        il.Emit(OpCodes.Newobj, tuple.GetConstructor(items)!);
    }

    public override Delegate Bind(LiftedFunction function) => _entry(new CompiledInvoker<TArgs, TResult>(function, this));
}

/// <summary>Calls one lifted function with its signature's compiled code: a plain call in one method
/// (<see cref="CompiledSignature{TArgs,TResult}.Call"/>), any other through the call protocol
/// (<see cref="LiftedFunction.CallWith"/>).</summary>
internal sealed class CompiledInvoker<TArgs, TResult>(LiftedFunction function, CompiledSignature<TArgs, TResult> signature)
{
    /// <summary>The function called (a field: the compiled call reads it).</summary>
    internal readonly LiftedFunction Function = function;
    private readonly Func<CompiledInvoker<TArgs, TResult>, TArgs, TResult> _call = signature.Call;

    public TResult Invoke(TArgs args) => _call(this, args);

    /// <summary>A call that is not plain, through the protocol.</summary>
    internal TResult Slow(TArgs args) =>
        Function.CallWith<TArgs, TResult, CompiledConversions<TArgs, TResult>>(args, caller: null, signature.Conversions);
}

/// <summary>A signature's compiled lowering and lifting, as a call's conversions.</summary>
internal readonly struct CompiledConversions<TArgs, TResult>(Func<CanonicalOptions, TArgs, ulong[], ulong[]> lower,
    Func<CanonicalOptions, ulong[], TResult> lift) : ICallConversions<TArgs, TResult>
{
    public ulong[] Lower(CanonicalOptions abi, TArgs args, ulong[] flat) => lower(abi, args, flat);
    public TResult Lift(CanonicalOptions abi, ulong[] flat) => lift(abi, flat);
}
