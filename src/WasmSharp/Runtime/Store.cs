using System.Runtime.CompilerServices;
using WasmSharp.Interpreter;

namespace WasmSharp;

/// <summary>
/// Owns every runtime object (functions, memories, tables, globals, instances) and the interpreter's stack.
/// Not thread-safe: one thread uses a store at a time. Disposing it frees the linear memories.
/// </summary>
public sealed class Store : IDisposable
{
    private readonly List<Function> _functions = new();
    private readonly List<object> _externs = new();
    private readonly Dictionary<object, int> _externIds = new(ReferenceEqualityComparer.Instance);
    private readonly List<IDisposable> _owned = new();

    internal Executor Executor { get; }

    /// <summary>Most nested Wasm calls before "call stack exhausted".</summary>
    public int MaxCallDepth { get; init; } = 10_000;

    /// <summary>A store of <see cref="Engine.Default"/>.</summary>
    public Store() : this(Engine.Default) { }

    /// <summary>A store whose modules are compiled by <paramref name="engine"/>.</summary>
    public Store(Engine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        Executor = new Executor(this);
    }

    /// <summary>The engine whose modules this store instantiates.</summary>
    public Engine Engine { get; }

    /// <summary>
    /// Stops the Wasm code running in this store; any thread may call it. The running call traps "interrupted"
    /// (<see cref="TrapCode.Interrupted"/>) at its next function entry, or at its next loop iteration in modules
    /// compiled with <see cref="EngineConfig.Interruptible"/>. With nothing running, the next call traps at once.
    /// </summary>
    public void Interrupt() => Executor.Interrupt();

    internal int AddFunction(Function f)
    {
        _functions.Add(f);
        Records.Add(f.TypeId);
        return _functions.Count - 1;
    }

    /// <summary>The functions' records for native code's indirect calls.</summary>
    internal FunctionRecords Records { get; } = new();

    internal Function GetFunction(int address) => _functions[address];

    internal void Own(IDisposable d) => _owned.Add(d);

    /// <summary>Calls into this store's Wasm code under way (nested through host functions): each entry calls
    /// <see cref="Started"/>, and <see cref="Stopped"/> when it returns or traps.</summary>
    internal int Running { get; private set; }
    private List<Memory>? _disposeWhenStopped;

    /// <summary>Frees <paramref name="memory"/> once the outermost call returns (<see cref="Memory.Dispose"/>).</summary>
    internal void DisposeWhenStopped(Memory memory) => (_disposeWhenStopped ??= []).Add(memory);

    internal void Started() => Running++;

    /// <summary>A memory of this store has been disposed (then calls look for their instance's: see
    /// <see cref="Instance.HasDisposedMemory"/>).</summary>
    internal bool MemoryDisposed;

    /// <summary>A call has returned; after the outermost, memories disposed meanwhile go.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Stopped()
    {
        if (--Running == 0 && _disposeWhenStopped is not null) DisposeDeferred();
    }

    private void DisposeDeferred()
    {
        var memories = _disposeWhenStopped!;
        _disposeWhenStopped = null;
        foreach (var m in memories) m.Dispose();
    }

    /// <summary>Encodes a reference for a slot: 0 is null, otherwise a function address + 1 or an extern id + 1 (an
    /// exnref's exception is kept as an extern is).</summary>
    internal ulong RefToBits(Value v)
    {
        if (v.Reference is null) return 0;
        if (v.Type == ValueType.FuncRef)
        {
            var f = (Function)v.Reference;
            if (f.Store != this) throw new WasmException("function belongs to another store");
            return (ulong)f.Address + 1;
        }
        if (!_externIds.TryGetValue(v.Reference, out int id))
        {
            id = _externs.Count;
            _externs.Add(v.Reference);
            _externIds.Add(v.Reference, id);
        }
        return (ulong)id + 1;
    }

    internal Value BitsToRef(ValueType type, ulong bits)
    {
        if (bits == 0) return Value.Null(type);
        return type switch
        {
            ValueType.FuncRef => Value.FuncRef(_functions[(int)(bits - 1)]),
            ValueType.ExnRef => Value.ExnRef((ExceptionInstance)_externs[(int)(bits - 1)]),
            _ => Value.ExternRef(_externs[(int)(bits - 1)]),
        };
    }

    /// <summary>Slot bits of any value (numbers: their bits; references: encoded as above; v128: low half).</summary>
    internal ulong ToBits(Value v) => v.Type.IsReference() ? RefToBits(v) : v.Bits;

    internal Value FromBits(ValueType type, ulong bits, ulong high = 0) =>
        type.IsReference() ? BitsToRef(type, bits) : Value.FromBits(type, bits, high);

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
