using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WasmSharp.Components.Runtime;

/// <summary>
/// The run-time state of one component instance (definitions.py, <c>ComponentInstance</c>, synchronous part): its
/// handle table, and the two flags that keep calls well nested. <see cref="MayLeave"/> is false while the instance
/// runs realloc or post-return for the ABI, which may not call out; <see cref="MayEnter"/> is false while a call
/// into it (or into a component it contains) runs, so it is not entered again before that call returns.
/// </summary>
public sealed class InstanceState(InstanceState? parent)
{
    public InstanceState? Parent { get; } = parent;
    public HandleTable Handles { get; } = new();
    public bool MayEnter { get; internal set; } = true;
    public bool MayLeave { get; internal set; } = true;
    /// <summary>The <c>backpressure.inc</c>s not yet matched by a <c>backpressure.dec</c>.</summary>
    public int Backpressure { get; internal set; }
    /// <summary>The call into this instance that runs now (its core code calls the task built-ins), or null. Kept
    /// only where <see cref="TracksCalls"/>.</summary>
    internal CallFrame? Current { get; set; }

    /// <summary>Built-ins that read the running call (<c>context.get</c>/<c>set</c>, <c>task.return</c>) were made
    /// for this instance, so calls into it keep <see cref="Current"/>; the others spare its two stores (each with
    /// a GC write barrier).</summary>
    internal bool TracksCalls { get; set; }

    /// <summary>The parent, its parent, and so on to the outermost.</summary>
    private readonly InstanceState[] _chain = parent is null ? [] : parent.Chain;

    /// <summary>This instance, then its ancestors.</summary>
    private InstanceState[] Chain => _chainWithSelf ??= [this, .. _chain];
    private InstanceState[]? _chainWithSelf;

    /// <summary>Enters from <paramref name="caller"/> (null: the host): the instances entered are this one and its
    /// ancestors up to the first that is also the caller's (a call between siblings enters only the callee's side),
    /// and none may be running a call already; a caller that is an ancestor or a descendant of this one may not
    /// call it at all. Returns how many were entered, for <see cref="Leave"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Enter(InstanceState? caller)
    {
        // The host entering an outermost instance (most calls): that one alone.
        if (caller is null && TryEnterFromHost()) return 1;
        return EnterChain(caller);
    }

    /// <summary>The host entering an outermost instance that runs no call (a plain call): true if entered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryEnterFromHost()
    {
        if (Parent is not null || !MayEnter) return false;
        MayEnter = false;
        return true;
    }

    /// <summary>Leaves what <see cref="TryEnterFromHost"/> entered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void LeaveFromHost() => MayEnter = true;

    private int EnterChain(InstanceState? caller)
    {
        var chain = Chain;
        // A call between a component and one of its (reflexive) ancestors might be recursive: it traps, for now
        // (definitions.py, call_might_be_recursive).
        if (caller is not null && (Array.IndexOf(chain, caller) >= 0 || Array.IndexOf(caller.Chain, this) >= 0))
            throw CanonicalAbi.Trap("cannot enter component instance");
        int count = 0;
        while (count < chain.Length && (caller is null || Array.IndexOf(caller.Chain, chain[count]) < 0))
        {
            if (!chain[count].MayEnter) throw CanonicalAbi.Trap("cannot enter component instance");
            count++;
        }
        for (int i = 0; i < count; i++) chain[i].MayEnter = false;
        return count;
    }

    /// <summary>Leaves the <paramref name="entered"/> instances <see cref="Enter"/> entered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Leave(int entered)
    {
        if (entered == 1) LeaveFromHost(); // this one, the first of the chain
        else LeaveChain(entered);
    }

    private void LeaveChain(int entered)
    {
        var chain = Chain;
        for (int i = 0; i < entered; i++) chain[i].MayEnter = true;
    }

    /// <summary>Traps unless the instance may call out now (canon lower and the resource built-ins check this).</summary>
    internal void CheckMayLeave()
    {
        if (!MayLeave) throw CanonicalAbi.Trap("cannot leave component instance");
    }
}

/// <summary>One call of a lifted function while it runs (the spec's <c>Task</c> and its implicit thread, for calls
/// that complete without blocking): its context slots (<c>context.get</c>/<c>set</c>), and for an <c>async</c> lift
/// the result <c>task.return</c> gave.</summary>
internal sealed class CallFrame(LiftedFunction function)
{
    public LiftedFunction Function { get; } = function;
    public uint[] Context => _context ??= new uint[2];
    private uint[]? _context;
    public bool Returned { get; set; }
    public ComponentValue? Result { get; set; }

    /// <summary>Readies the frame for another call (frames are reused while calls do not overlap).</summary>
    public CallFrame Reset()
    {
        if (_context is { } context) context[0] = context[1] = 0;
        Returned = false;
        Result = null;
        return this;
    }
}

/// <summary>A component-level function: called with component values, it returns its result (or null).</summary>
public abstract class ComponentFunction(ComponentFunctionType type)
{
    public ComponentFunctionType Type { get; } = type;

    /// <summary>Calls the function from the host.</summary>
    public ComponentValue? Invoke(params ComponentValue[] args)
    {
        if (args.Length != Type.Parameters.Count)
            throw new ArgumentException($"the function takes {Type.Parameters.Count} argument(s), not {args.Length}", nameof(args));
        return Call(args, caller: null);
    }

    /// <summary>Calls with <paramref name="args"/> lifted from <paramref name="caller"/> (null: the host).</summary>
    internal abstract ComponentValue? Call(ComponentValue[] args, InstanceState? caller);
}

/// <summary>A component function the host implements.</summary>
public sealed class HostComponentFunction(ComponentFunctionType type, Func<ComponentValue[], ComponentValue?> body) : ComponentFunction(type)
{
    internal override ComponentValue? Call(ComponentValue[] args, InstanceState? caller) => body(args);
}

/// <summary>The canonical options of a lift or lower, resolved: the memory, realloc and post-return core functions.</summary>
internal sealed record ResolvedOptions(StringEncoding Encoding, Memory? Memory, Function? Realloc, Function? PostReturn, bool IsAsync = false,
    bool HasCallback = false)
{
    /// <summary>The Canonical ABI's options for a call in <paramref name="instance"/>, with its handle scope.</summary>
    public CanonicalOptions For(InstanceState instance, ResourceScope? scope) => new(
        Memory is { } m ? () => m.Span : NoMemory,
        Encoding,
        ValueType.I32,
        Realloc is { } r ? (old, oldSize, align, size) => CallRealloc(instance, r, old, oldSize, align, size) : null,
        scope);

    private static Span<byte> NoMemory() => throw new InvalidOperationException("the canonical options name no memory");

    /// <summary>realloc runs with the instance unable to call out (definitions.py, <c>reallocate</c>).</summary>
    private static ulong CallRealloc(InstanceState instance, Function realloc, ulong old, ulong oldSize, ulong align, ulong size)
    {
        instance.MayLeave = false;
        try
        {
            // realloc runs for every string and list a call passes (three times for a UTF-8 string that is not
            // ASCII).
            if (CoreCalls.EntersNatively(realloc)) return ReallocOnSlots(realloc, old, oldSize, align, size);
            Span<ulong> args = [(uint)old, (uint)oldSize, (uint)align, (uint)size];
            ulong result = 0;
            realloc.InvokeRaw(args, new Span<ulong>(ref result));
            return (uint)result;
        }
        finally { instance.MayLeave = true; }
    }

    /// <summary>realloc on host slots in a local (the typed delegates' buffer; no stackalloc, which would keep the
    /// method from tiering up with a profile and give it a stack cookie).</summary>
    [SkipLocalsInit]
    private static unsafe ulong ReallocOnSlots(Function realloc, ulong old, ulong oldSize, ulong align, ulong size)
    {
        Unsafe.SkipInit(out TypedSlots buffer);
        ulong* slots = buffer.Pointer;
        slots[0] = (uint)old;
        slots[HostSlots.Words] = (uint)oldSize;
        slots[2 * HostSlots.Words] = (uint)align;
        slots[3 * HostSlots.Words] = (uint)size;
        realloc.InvokeSlots(slots);
        return (uint)slots[0];
    }
}

/// <summary><c>canon lift</c>: a core function called through the Canonical ABI as a component function.</summary>
/// <remarks>With the <c>async</c> option and no callback (a "stackful" lift) the core function returns nothing and
/// gives its result to <c>task.return</c>; such a call must have returned its result when the core function returns
/// (blocking is not supported yet).</remarks>
internal sealed class LiftedFunction(ComponentFunctionType type, Function core, ResolvedOptions options, InstanceState instance)
    : ComponentFunction(type)
{
    private readonly ComponentValueType[] _parameterTypes = type.Parameters.Select(p => p.Type).ToArray();
    private readonly ComponentValueType[] _resultTypes = type.Result is null ? [] : [type.Result];

    /// <summary>For a signature without handles (most): the Canonical ABI's options, made once (no handle scope is
    /// needed, and no borrow can be left behind).</summary>
    private readonly CanonicalOptions? _plainAbi = HasHandles(type) ? null : options.For(instance, null);

    /// <summary>The core call's argument and result values, reused unless the function is re-entered.</summary>
    private readonly ulong[] _rawResults = new ulong[core.Type.Results.Length];
    private readonly ulong[] _rawArgs = new ulong[core.Type.Parameters.Length];
    private CallFrame? _frame;
    private bool _busy;
    /// <summary>The options every call reads, as fields of this object (the options are a record of their own).</summary>
    private readonly bool _async = options.IsAsync;
    private readonly Function? _postReturn = options.PostReturn;

    private static bool HasHandles(ComponentFunctionType t) =>
        t.Parameters.Any(p => ValueTypeWalk.HasHandles(p.Type)) || t.Result is not null && ValueTypeWalk.HasHandles(t.Result);

    public ResolvedOptions Options => options;
    public IReadOnlyList<ComponentValueType> ResultTypes => _resultTypes;

    // ---- plain calls (compiled glue: ThunkCompiler.WholeCall) ----

    /// <summary>Calls that may go the plain way: no handles (the options made once serve), not async.</summary>
    private bool PlainCalls => _plainAbi is not null && !_async;

    /// <summary>Where a plain call's core values go: host slots (<see cref="HostSlots"/>, two words a value, results
    /// over the arguments), pinned, so the core call takes their address.</summary>
    private readonly ulong[] _plainSlots = GC.AllocateArray<ulong>(Math.Max(Math.Max(core.Type.Parameters.Length, core.Type.Results.Length), 1) * HostSlots.Words,
        pinned: true);

    internal CanonicalOptions PlainAbi => _plainAbi!;
    internal ulong[] PlainSlots => _plainSlots;

    /// <summary>Enters a plain call if this one is: from the host into an outermost instance that no call runs in,
    /// nothing reading the running call (<see cref="InstanceState.TracksCalls"/>), the function not running already
    /// (its slots are free). Otherwise the call takes the protocol (<see cref="CallWith"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryEnterPlain()
    {
        if (!PlainCalls || _busy || instance.TracksCalls || !instance.TryEnterFromHost()) return false;
        _busy = true;
        return true;
    }

    /// <summary><see cref="PlainSlots"/>' address (the array is pinned).</summary>
    private unsafe ulong* PlainSlotsPointer => (ulong*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_plainSlots));

    /// <summary>The core call of a plain call, on <see cref="PlainSlots"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void CallCorePlain() => core.InvokeSlots(PlainSlotsPointer);

    /// <summary>Post-return after a plain call, on its core results in <see cref="PlainSlots"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void PostReturnPlain()
    {
        if (_postReturn is not null) RunPostReturnPlain();
    }

    private void RunPostReturnPlain()
    {
        // Native code takes the core results where the call left them, as its arguments (an i32 from its slot's low
        // half, whatever the high half holds). The interpreter gets them cut to their types, in the function's raw
        // buffer, which is free: a plain call does not overlap another of this function.
        ulong[]? flat = null;
        if (!CoreCalls.EntersNatively(_postReturn!))
        {
            flat = _rawResults;
            var types = core.Type.Results;
            for (int i = 0; i < flat.Length; i++) flat[i] = HostSlots.RawResult(types[i], _plainSlots[i * HostSlots.Words]);
        }
        RunPostReturn(flat);
    }

    /// <summary>Post-return on the core results <paramref name="flat"/> (null: on <see cref="PlainSlots"/> as the
    /// core call left them), with the instance unable to call out. It returns nothing, so it needs no result buffer
    /// and writes none over the slots.</summary>
    private unsafe void RunPostReturn(ulong[]? flat)
    {
        instance.MayLeave = false;
        try
        {
            if (flat is null) _postReturn!.InvokeSlots(PlainSlotsPointer);
            else CoreCalls.Call(_postReturn!, flat, []);
        }
        finally { instance.MayLeave = true; }
    }

    /// <summary>Leaves a plain call (trapped or not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void LeavePlain()
    {
        _busy = false;
        instance.LeaveFromHost();
    }

    internal override ComponentValue? Call(ComponentValue[] args, InstanceState? caller) =>
        CallWith<ComponentValue[], ComponentValue?, ReferenceConversions>(args, caller, new ReferenceConversions(this));

    /// <summary>The reference Canonical ABI's conversions of this function's component values.</summary>
    private readonly struct ReferenceConversions(LiftedFunction f) : ICallConversions<ComponentValue[], ComponentValue?>
    {
        public ulong[] Lower(CanonicalOptions abi, ComponentValue[] args, ulong[] flat) =>
            CanonicalAbi.LowerFlatValues(abi, CanonicalLayout.MaxFlatParams, args, f._parameterTypes);

        public ComponentValue? Lift(CanonicalOptions abi, ulong[] flat)
        {
            var results = CanonicalAbi.LiftFlatValues(abi, CanonicalLayout.MaxFlatResults, flat, f._resultTypes);
            return results.Length == 0 ? null : results[0];
        }
    }

    /// <summary>The protocol of a call into the lifted function (definitions.py, <c>canon_lift</c>, synchronous
    /// completion), with the value conversions given: enter the instance from <paramref name="caller"/>, lower the
    /// arguments with <paramref name="conversions"/> into core values (and the instance's memory), call the core
    /// function, lift the result with them (or take the one task.return gave), run post-return, check the call
    /// dropped its borrows, and leave. The reference path passes component values; compiled thunks pass their own,
    /// and lower into the array they are given (as long as the core function's parameters; reused by calls that do
    /// not overlap). The conversions are a struct, so this is compiled for each kind and calls them directly.</summary>
    /// <remarks>Not inlined: a compiled entry (a DynamicMethod, compiled once, without a profile) calls this method's
    /// tiered code, optimised with the profile of its calls.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal TResult CallWith<TArgs, TResult, TConversions>(TArgs args, InstanceState? caller, TConversions conversions)
        where TConversions : struct, ICallConversions<TArgs, TResult>
    {
        int entered = instance.Enter(caller);
        bool tracked = instance.TracksCalls;
        var outer = tracked ? instance.Current : null;
        bool reentered = _busy;
        // A call that does not overlap another of this function reuses its frame and buffers. Only the built-ins
        // that track calls and an async lift's end read the frame: other calls need none.
        var frame = !tracked && !_async ? null : reentered ? new CallFrame(this) : (_frame ??= new CallFrame(this)).Reset();
        if (tracked) instance.Current = frame;
        _busy = true;
        try
        {
            var task = _plainAbi is null ? new CallTask() : null;
            var abi = _plainAbi ?? options.For(instance, new ResourceScope(instance.Handles, instance, task));
            var flatArgs = conversions.Lower(abi, args, reentered ? new ulong[_rawArgs.Length] : _rawArgs);
            var flatResults = reentered
                ? CoreCalls.Call(core, flatArgs)
                : CoreCalls.Call(core, flatArgs, _rawResults);
            TResult result;
            if (_async)
            {
                // With a callback the core function returns what to do next: EXIT (0) is done; waiting needs the
                // event loop, which is not built yet (NotSupportedException: no trap, the program is not at fault).
                // EXIT 0, YIELD 1, WAIT 2; any other code traps.
                if (options.HasCallback && (flatResults[0] & 0xF) is ulong code and not 0)
                {
                    if (code > 2) throw CanonicalAbi.Trap("unsupported callback code");
                    throw new NotSupportedException("the async-lifted function asked to wait or yield (blocking is not supported yet)");
                }
                // The task ends with the core function: without its result it traps (definitions.py, Task.exit).
                if (frame is not { Returned: true }) throw CanonicalAbi.Trap("the async-lifted function returned without calling task.return");
                result = (TResult)(object?)frame.Result!;
            }
            else
            {
                result = conversions.Lift(abi, flatResults);
                if (_postReturn is not null) RunPostReturn(flatResults);
            }
            task?.Return();
            return result;
        }
        finally
        {
            _busy = reentered;
            if (tracked) instance.Current = outer;
            instance.Leave(entered);
        }
    }
}

/// <summary>How a call's arguments become core values and its core results a result: the reference Canonical ABI on
/// component values, or a signature's compiled thunks on .NET values.</summary>
internal interface ICallConversions<TArgs, TResult>
{
    /// <summary>Lowers <paramref name="args"/> into <paramref name="flat"/> (or a longer array it returns).</summary>
    ulong[] Lower(CanonicalOptions abi, TArgs args, ulong[] flat);
    TResult Lift(CanonicalOptions abi, ulong[] flat);
}

/// <summary>Calls core functions with core values as raw 64-bit slots (an i32 or f32 in the low 32 bits).</summary>
internal static class CoreCalls
{
    /// <summary>Whether <paramref name="f"/> runs as native code, which takes host slots as they are: the glue's
    /// calls to realloc and post-return then stage their values on slots and enter it directly (2-5 ns less a call
    /// than the raw path, interleaved A/B); on the interpreter, whose frame gets the values copied in either way,
    /// the raw path measured as fast.</summary>
    public static bool EntersNatively(Function f) => f is WasmFunction { NativeEntry: not 0 };

    public static ulong[] Call(Function f, ReadOnlySpan<ulong> args) => Call(f, args, new ulong[f.Type.Results.Length]);

    /// <summary>As <see cref="Call(Function, ReadOnlySpan{ulong})"/>, returning the results in <paramref name="raw"/>.</summary>
    public static ulong[] Call(Function f, ReadOnlySpan<ulong> args, ulong[] raw)
    {
        f.InvokeRaw(args, raw);
        return raw;
    }
}

/// <summary><c>canon lower</c>: a component function made callable from the core code of a component instance.</summary>
internal static class Lowering
{
    /// <summary>The status an <c>async</c> lower returns for a call that completed (the subtask state RETURNED).</summary>
    private const int Returned = 2;

    /// <remarks>Synchronous: parameters flat up to <see cref="CanonicalLayout.MaxFlatParams"/>, a result that
    /// flattens to more than one core value stored at a last pointer parameter. <c>async</c> (a call that completes
    /// without blocking): parameters flat up to <see cref="CanonicalLayout.MaxFlatAsyncParams"/>, any result stored
    /// at the pointer, and the status RETURNED.</remarks>
    public static HostFunction Lower(Store store, ComponentFunction callee, ResolvedOptions options, InstanceState instance, string name)
    {
        // A typed host function brings glue compiled for its signature where it can run.
        if (callee is TypedHostFunction typed && typed.LowerCompiled(store, options, instance, name) is { } compiled) return compiled;
        var type = callee.Type;
        var (flatParams, flatResults) = CanonicalLayout.FlattenFunction(type, FlatContext.Lower, isAsync: options.IsAsync);
        var parameterTypes = type.Parameters.Select(p => p.Type).ToArray();
        ComponentValueType[] resultTypes = type.Result is null ? [] : [type.Result];
        int maxParams = options.IsAsync ? CanonicalLayout.MaxFlatAsyncParams : CanonicalLayout.MaxFlatParams;
        int maxResults = options.IsAsync ? 0 : CanonicalLayout.MaxFlatResults;
        bool resultPointer = type.Result is not null && CanonicalLayout.Flatten(type.Result).Count > maxResults;
        return new HostFunction(store, new FunctionType(flatParams, flatResults), (args, results) =>
        {
            instance.CheckMayLeave();
            var raw = new ulong[args.Length];
            for (int i = 0; i < raw.Length; i++) raw[i] = args[i].Bits;
            var subcall = new Subcall();
            var abi = options.For(instance, new ResourceScope(instance.Handles, instance, Subcall: subcall));
            int paramCount = resultPointer ? raw.Length - 1 : raw.Length;
            var values = CanonicalAbi.LiftFlatValues(abi, maxParams, raw.AsSpan(0, paramCount), parameterTypes);
            var result = callee.Call(values, instance);
            subcall.Resolve();
            ComponentValue[] resultValues = result is null ? [] : [result];
            var flat = CanonicalAbi.LowerFlatValues(abi, maxResults, resultValues, resultTypes, resultPointer ? (uint)raw[^1] : null);
            if (options.IsAsync) results[0] = Value.I32(Returned);
            else for (int i = 0; i < flat.Length; i++) results[i] = Value.FromBits(flatResults[i], flat[i]);
        }, name);
    }
}
