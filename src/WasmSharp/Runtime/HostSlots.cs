using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace WasmSharp;

/// <summary>
/// A host function's arguments and results as raw slots, the convention every engine calls hosts by (ARCHITECTURE
/// decision 10): value i is in slot i, slots 16 bytes apart (a v128 fills one, other values take its first 8 bytes,
/// an i32 or f32 the low 4 of those). Results are written from slot 0 over the arguments, so read every argument
/// before writing a result. Numbers and v128 only: a function with reference-typed parameters or results takes
/// <see cref="Value"/>s (<see cref="HostCallback"/>).
/// </summary>
public readonly unsafe ref struct HostSlots
{
    private readonly ulong* _slots;

    internal HostSlots(ulong* slots) => _slots = slots;

    /// <summary>64-bit words per slot.</summary>
    internal const int Words = 2;

    public int I32(int i) => (int)_slots[i * Words];
    public long I64(int i) => (long)_slots[i * Words];
    public float F32(int i) => BitConverter.UInt32BitsToSingle((uint)_slots[i * Words]);
    public double F64(int i) => BitConverter.UInt64BitsToDouble(_slots[i * Words]);
    public Vector128<byte> V128(int i) => Vector128.Load((byte*)(_slots + i * Words));

    public void SetI32(int i, int value) => _slots[i * Words] = (uint)value;
    public void SetI64(int i, long value) => _slots[i * Words] = (ulong)value;
    public void SetF32(int i, float value) => _slots[i * Words] = BitConverter.SingleToUInt32Bits(value);
    public void SetF64(int i, double value) => _slots[i * Words] = BitConverter.DoubleToUInt64Bits(value);
    public void SetV128(int i, Vector128<byte> value) => value.Store((byte*)(_slots + i * Words));

    /// <summary>Slot <paramref name="i"/> as the typed-delegate type <typeparamref name="T"/> (see ValueMarshal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal T Get<T>(int i)
    {
        ulong* s = _slots + i * Words;
        if (typeof(T) == typeof(int)) { int x = (int)*s; return Unsafe.As<int, T>(ref x); }
        if (typeof(T) == typeof(long)) { long x = (long)*s; return Unsafe.As<long, T>(ref x); }
        if (typeof(T) == typeof(float)) { float x = BitConverter.UInt32BitsToSingle((uint)*s); return Unsafe.As<float, T>(ref x); }
        if (typeof(T) == typeof(double)) { double x = BitConverter.UInt64BitsToDouble(*s); return Unsafe.As<double, T>(ref x); }
        if (typeof(T) == typeof(Vector128<byte>)) { var x = Vector128.Load((byte*)s); return Unsafe.As<Vector128<byte>, T>(ref x); }
        throw new WasmException($"type {typeof(T).Name} has no WebAssembly equivalent");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Set<T>(int i, T x)
    {
        ulong* s = _slots + i * Words;
        if (typeof(T) == typeof(int)) *s = (uint)Unsafe.As<T, int>(ref x);
        else if (typeof(T) == typeof(long)) *s = (ulong)Unsafe.As<T, long>(ref x);
        else if (typeof(T) == typeof(float)) *s = BitConverter.SingleToUInt32Bits(Unsafe.As<T, float>(ref x));
        else if (typeof(T) == typeof(double)) *s = BitConverter.DoubleToUInt64Bits(Unsafe.As<T, double>(ref x));
        else if (typeof(T) == typeof(Vector128<byte>)) Unsafe.As<T, Vector128<byte>>(ref x).Store((byte*)s);
        else throw new WasmException($"type {typeof(T).Name} has no WebAssembly equivalent");
    }

    /// <summary>The value of type <paramref name="t"/> in <paramref name="slot"/> (i32 and f32 use its low 32 bits,
    /// v128 both words; references are decoded by <paramref name="store"/>).</summary>
    internal static Value Read(Store store, ValueType t, ulong* slot) => t switch
    {
        ValueType.I32 or ValueType.F32 => store.FromBits(t, (uint)slot[0]),
        ValueType.V128 => store.FromBits(t, slot[0], slot[1]),
        _ => store.FromBits(t, slot[0]),
    };

    /// <summary>Writes <paramref name="v"/> into <paramref name="slot"/>, both words.</summary>
    internal static void Write(Store store, ulong* slot, in Value v)
    {
        slot[0] = store.ToBits(v);
        slot[1] = v.HighBits;
    }

    /// <summary>Calls <paramref name="f"/> with its arguments in raw slots, its results written back over them: a
    /// raw host function directly, any other through <see cref="Function.Invoke(Value[])"/>.</summary>
    internal static void InvokeOnSlots(Function f, ulong* slots)
    {
        if (f is HostFunction { SlotsCallback: { } raw })
        {
            raw(new HostSlots(slots));
            return;
        }
        var type = f.Type;
        var args = new Value[type.Parameters.Length];
        for (int i = 0; i < args.Length; i++) args[i] = Read(f.Store, type.Parameters[i], slots + i * Words);
        var results = f.Invoke(args);
        for (int i = 0; i < results.Length; i++) Write(f.Store, slots + i * Words, results[i]);
    }

    /// <summary>Calls a function that is not Wasm code (a host function) on raw values, a word each, and returns its
    /// results as raw values (see <c>Executor.InvokeRaw</c>).</summary>
    internal static void InvokeRaw(Function f, ReadOnlySpan<ulong> args, Span<ulong> results)
    {
        int n = Math.Max(Math.Max(args.Length, results.Length), 1);
        ulong* slots = stackalloc ulong[n * Words];
        for (int i = 0; i < args.Length; i++) slots[i * Words] = args[i];
        InvokeOnSlots(f, slots);
        var types = f.Type.Results;
        for (int i = 0; i < results.Length; i++) results[i] = RawResult(types[i], slots[i * Words]);
    }

    /// <summary>A result of type <paramref name="t"/> as a raw value from its slot's first word: an i32 or f32 is the
    /// low half (native code may leave the high one as it was).</summary>
    internal static ulong RawResult(ValueType t, ulong word) => t is ValueType.I32 or ValueType.F32 ? (uint)word : word;

    /// <summary>Calls <paramref name="callback"/> on <paramref name="args"/>, staged in slots, and returns its
    /// results into <paramref name="results"/> (a raw function called through the <see cref="Value"/> API).</summary>
    internal static void Invoke(Store store, HostSlotsCallback callback, FunctionType type, ReadOnlySpan<Value> args, Span<Value> results)
    {
        int n = Math.Max(type.Parameters.Length, type.Results.Length);
        ulong* slots = stackalloc ulong[Math.Max(n, 1) * Words];
        for (int i = 0; i < args.Length; i++) Write(store, slots + i * Words, args[i]);
        callback(new HostSlots(slots));
        for (int i = 0; i < type.Results.Length; i++) results[i] = Read(store, type.Results[i], slots + i * Words);
    }

    /// <summary>Throws unless every parameter and result of <paramref name="type"/> is a number or a v128.</summary>
    internal static void Check(FunctionType type)
    {
        foreach (var t in type.Parameters.Concat(type.Results))
            if (t.IsReference())
                throw new WasmException($"a host function on raw slots cannot take or return {t.ToText()} (type {type}); use a HostCallback");
    }
}

/// <summary>A host function on raw slots (see <see cref="HostSlots"/>): reads its arguments, then writes every result.</summary>
public delegate void HostSlotsCallback(HostSlots slots);
