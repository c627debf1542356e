using System.Runtime.CompilerServices;
using WasmSharp.Interpreter;

namespace WasmSharp;

/// <summary>Callback of a host function: reads <paramref name="args"/>, writes every slot of <paramref name="results"/>.</summary>
public delegate void HostCallback(ReadOnlySpan<Value> args, Span<Value> results);

/// <summary>A function instance in a <see cref="Store"/>: defined by a Wasm module or by the host.</summary>
public abstract partial class Function
{
    public FunctionType Type { get; }
    public Store Store { get; }
    /// <summary>Canonical id of <see cref="Type"/> (structurally equal types share it), for call_indirect checks.</summary>
    internal readonly int TypeId;
    /// <summary>Index in <see cref="Store"/>'s function list; a funcref slot holds Address + 1 (0 is null).</summary>
    internal int Address;

    private protected Function(Store store, FunctionType type)
    {
        Store = store;
        Type = type;
        TypeId = TypeRegistry.GetId(type);
        Address = store.AddFunction(this);
    }

    /// <summary>Calls the function. Traps surface as <see cref="TrapException"/>.</summary>
    public Value[] Invoke(params Value[] args)
    {
        var results = new Value[Type.Results.Length];
        Invoke(args, results);
        return results;
    }

    /// <summary>Calls the function, writing its results into <paramref name="results"/>.</summary>
    public void Invoke(ReadOnlySpan<Value> args, Span<Value> results) => Store.Executor.Invoke(this, args, results);

    /// <summary>Calls the function on raw values, a word each (see <c>Executor.InvokeRaw</c>): unchecked, for glue
    /// that knows the function's type.</summary>
    internal void InvokeRaw(ReadOnlySpan<ulong> args, Span<ulong> results) => Store.Executor.InvokeRaw(this, args, results);

    /// <summary>Calls the function on slots in the host convention (<see cref="HostSlots"/>: arguments in, results
    /// out over them), unchecked: for the typed delegates, whose signature was checked when they were made.</summary>
    internal unsafe void InvokeSlots(ulong* slots) => Store.Executor.InvokeSlots(this, slots);

    /// <summary>Calls the function; when <paramref name="cancellationToken"/> is cancelled, the call traps
    /// "interrupted" (<see cref="TrapCode.Interrupted"/>), as <see cref="Store.Interrupt"/> makes it. A token already
    /// cancelled traps at once.</summary>
    public void Invoke(ReadOnlySpan<Value> args, Span<Value> results, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            Invoke(args, results);
            return;
        }
        var registration = cancellationToken.Register(static store => ((Store)store!).Interrupt(), Store);
        try
        {
            Store.Executor.Invoke(this, args, results);
        }
        finally
        {
            registration.Dispose(); // waits for a callback that is running
            // A cancellation that came after the call ended must not stop the store's next call.
            if (cancellationToken.IsCancellationRequested) Store.Executor.ClearInterrupt();
        }
    }

    /// <summary>Calls the function with a <paramref name="cancellationToken"/> (see
    /// <see cref="Invoke(ReadOnlySpan{Value}, Span{Value}, CancellationToken)"/>).</summary>
    public Value[] Invoke(CancellationToken cancellationToken, params Value[] args)
    {
        var results = new Value[Type.Results.Length];
        Invoke(args, results, cancellationToken);
        return results;
    }

    /// <summary>Name for backtraces.</summary>
    public virtual string DebugName => "<function>";

    /// <summary>Throws unless this function's type is exactly (<paramref name="parameters"/>) -> (<paramref name="results"/>).</summary>
    private void CheckSignature(ValueType[] parameters, ValueType[] results)
    {
        var wanted = new FunctionType(parameters, results);
        if (!Type.Equals(wanted))
            throw new WasmException($"function {DebugName} has type {Type}, not {wanted}");
    }
}

/// <summary>A function defined by a module, executed by the interpreter.</summary>
internal sealed class WasmFunction : Function
{
    public readonly Instance Instance;
    public readonly int Index;

    /// <summary>The interpreter's code (for a function that runs natively, translated only when first asked).</summary>
    public CompiledFunction Code => Compiled ?? MakeCode();

    /// <summary><see cref="Code"/> once made (a field: the interpreter's loop reads it without a call), else null.</summary>
    internal CompiledFunction? Compiled;

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal CompiledFunction MakeCode() => Compiled = Instance.Module.Functions[Index - Instance.Module.Info.ImportedFunctionCount];

    /// <summary>The native entry (see <see cref="NativeCode"/>), or 0: the interpreter runs <see cref="Code"/>.
    /// Native code has entries only for the functions that can be called from outside the module's code (exported,
    /// or referenced); the others run natively from their callers, and here on the interpreter if ever asked.</summary>
    public readonly nint NativeEntry;

    /// <summary>The function has a native entry and is a leaf (<see cref="Validation.LeafCode"/>): the host calls it
    /// without a GC transition.</summary>
    public readonly bool NativeLeaf;

    /// <summary>The function is a leaf none of whose instructions can trap: the host calls its native entry
    /// directly, without the entry that catches traps.</summary>
    public readonly bool NativeTrapFree;

    /// <summary>A raw call (<c>Executor.InvokeRaw</c>) may stage this function's values on the .NET stack and enter
    /// its native code directly: it has an entry and few enough values.</summary>
    internal readonly bool RawNative;

    /// <summary><paramref name="native"/>: the instance runs native code (<paramref name="nativeEntry"/> may still be
    /// 0); else the interpreter's code is made now.</summary>
    public WasmFunction(Store store, Instance instance, int index, nint nativeEntry = 0, bool native = false)
        : base(store, instance.Module.Info.GetFunctionType(index))
    {
        Instance = instance;
        Index = index;
        NativeEntry = nativeEntry;
        var leaf = nativeEntry == 0 ? Validation.LeafKind.None : instance.Module.Info.LeafKind(index - instance.Module.Info.ImportedFunctionCount);
        NativeLeaf = leaf != Validation.LeafKind.None;
        NativeTrapFree = leaf == Validation.LeafKind.TrapFree;
        RawNative = nativeEntry != 0 && Math.Max(Type.Parameters.Length, Type.Results.Length) <= Interpreter.Executor.RawNativeSlots;
        if (!native) MakeCode();
    }

    public override string DebugName =>
        Instance.Module.Info.FunctionNames.TryGetValue((uint)Index, out var n) ? n : $"func[{Index}]";
}

/// <summary>A function implemented by the host, on <see cref="Value"/>s or on raw slots (<see cref="HostSlots"/>).</summary>
public sealed class HostFunction : Function
{
    /// <summary>The function on <see cref="Value"/>s (for one on raw slots, a bridge that stages them).</summary>
    public HostCallback Callback { get; }
    /// <summary>The function on raw slots, which engines call directly; null for one on <see cref="Value"/>s.</summary>
    public HostSlotsCallback? SlotsCallback { get; }
    public string Name { get; }

    public HostFunction(Store store, FunctionType type, HostCallback callback, string name = "<host>")
        : base(store, type)
    {
        ArgumentNullException.ThrowIfNull(callback);
        Callback = callback;
        Name = name;
    }

    /// <summary>A host function on raw slots: engines call it with no <see cref="Value"/> in between. Its type may
    /// hold numbers and v128 only.</summary>
    public HostFunction(Store store, FunctionType type, HostSlotsCallback callback, string name = "<host>")
        : base(store, type)
    {
        ArgumentNullException.ThrowIfNull(callback);
        HostSlots.Check(type);
        SlotsCallback = callback;
        Callback = (args, results) => HostSlots.Invoke(store, callback, type, args, results);
        Name = name;
    }

    public override string DebugName => Name;
}

/// <summary>Process-wide canonical ids of function types, so call_indirect compares ints.</summary>
internal static class TypeRegistry
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<FunctionType, int> Ids = new();
    private static int _next;

    public static int GetId(FunctionType type) => Ids.GetOrAdd(type, _ => Interlocked.Increment(ref _next));
}
