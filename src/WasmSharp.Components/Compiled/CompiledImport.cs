using System.Collections.Concurrent;
using System.Linq.Expressions;
using WasmSharp.Components.Runtime;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components.Compiled;

/// <summary>
/// The compiled glue of <c>canon lower</c> for a host function given as a typed .NET delegate, the exports' thunks
/// (<see cref="CompiledSignature"/>) in the other direction: the core arguments lifted straight into .NET values
/// (flat, or from the caller's memory past <see cref="CanonicalLayout.MaxFlatParams"/>), the delegate called, its
/// result lowered straight into the flat result or, when it flattens to more than
/// <see cref="CanonicalLayout.MaxFlatResults"/> values, stored at the out-pointer the core code passes last. Compiled
/// once per signature (function type, address type, delegate type) and cached, then bound to each lowering.
/// </summary>
/// <remarks>Synchronous lowers of signatures without handles only: an async lower, or own and borrow (which need a
/// borrow scope per call), take the reference path (<see cref="Lowering"/>).</remarks>
internal sealed class CompiledImport
{
    private static readonly ConcurrentDictionary<SignatureKey, CompiledImport> Cache = new();

    /// <summary>(options, core values, delegate): lifts the arguments from the core values, calls the delegate and
    /// writes the result's core values over the arguments (from the first).</summary>
    private readonly Action<CanonicalOptions, ulong[], Delegate> _call;

    private CompiledImport(Action<CanonicalOptions, ulong[], Delegate> call) => _call = call;

    /// <summary>The glue for <paramref name="delegateType"/> implementing functions of <paramref name="type"/>, whose
    /// values map as <paramref name="parameters"/> and <paramref name="result"/> say.</summary>
    public static CompiledImport For(ComponentFunctionType type, TypeMapping[] parameters, TypeMapping? result, Type delegateType,
        ValueType pointer) =>
        Cache.GetOrAdd(new SignatureKey(type, pointer, delegateType), _ => new CompiledImport(Compile(parameters, result, delegateType, pointer).Compile()));

    /// <summary>How many signatures are compiled (for tests of the cache).</summary>
    internal static int Count => Cache.Count;

    /// <summary>The glue as an expression: <c>(options, flat, target) => { a1..an = lift(flat); r = target(a1..an);
    /// lower(r) }</c>. <c>flat</c> holds the core arguments, the out-pointer last when the result
    /// spills; a flat result is written over them from slot 0 (every argument is lifted before).</summary>
    public static Expression<Action<CanonicalOptions, ulong[], Delegate>> Compile(TypeMapping[] parameters, TypeMapping? result,
        Type delegateType, ValueType pointer)
    {
        var options = Parameter(typeof(CanonicalOptions), "options");
        var flat = Parameter(typeof(ulong[]), "flat");
        var target = Parameter(typeof(Delegate), "target");
        var cx = new EmitContext(options, pointer);
        var body = new List<Expression>();
        var variables = new List<ParameterExpression>();
        var args = ThunkCompiler.LiftValues(parameters, cx, flat, CanonicalLayout.MaxFlatParams, body, variables);
        Expression call = Invoke(Convert(target, delegateType), args);
        if (result is null) body.Add(call);
        else
        {
            var value = Variable(result.NetType, "result");
            variables.Add(value);
            body.Add(Assign(value, call));
            int flatArgs = parameters.Sum(p => CanonicalLayout.Flatten(p.ComponentType).Count);
            int outIndex = flatArgs > CanonicalLayout.MaxFlatParams ? 1 : flatArgs;
            TypeMapping[] results = [result];
            var places = ThunkCompiler.Places(results, cx, flat, CanonicalLayout.MaxFlatResults, spill =>
            {
                body.Add(Assign(spill, new FlatPlace(cx, flat, outIndex).ReadPointer()));
                body.Add(ThunkCompiler.CheckTuple(results, cx, spill));
            }, _ => { }, out var spillVariable);
            variables.Add(spillVariable);
            body.Add(result.Lower(value, places[0], cx));
        }
        body.Add(Empty());
        return Lambda<Action<CanonicalOptions, ulong[], Delegate>>(Block(typeof(void), variables, body), "LowerImport", [options, flat, target]);
    }

    /// <summary>Runs the glue on <paramref name="flat"/> (for tests against the reference).</summary>
    internal void Run(CanonicalOptions options, ulong[] flat, Delegate target) => _call(options, flat, target);

    /// <summary>The body of the core function <c>canon lower</c> makes of <paramref name="target"/>, on raw slots (so
    /// engines call it with no <see cref="Value"/> in between): checks the instance may call out, stages the core
    /// arguments (i32 and f32 as their low 32 bits), runs the glue with <paramref name="options"/> and writes the
    /// core results back. The staging buffer is reused unless the call is re-entered.</summary>
    public HostSlotsCallback Bind(Delegate target, CanonicalOptions options, InstanceState instance, FunctionType core)
    {
        var call = _call;
        var parameters = core.Parameters;
        int results = core.Results.Length;
        int size = Math.Max(parameters.Length, results);
        var narrow = parameters.Select(t => t is ValueType.I32 or ValueType.F32).ToArray();
        var buffer = new ulong[size];
        bool busy = false;
        return slots =>
        {
            instance.CheckMayLeave();
            bool reentered = busy;
            var flat = reentered ? new ulong[size] : buffer;
            busy = true;
            try
            {
                for (int i = 0; i < narrow.Length; i++) flat[i] = narrow[i] ? (uint)slots.I64(i) : (ulong)slots.I64(i);
                call(options, flat, target);
                for (int i = 0; i < results; i++) slots.SetI64(i, (long)flat[i]);
            }
            finally { busy = reentered; }
        };
    }
}
