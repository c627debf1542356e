using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace WasmSharp;

/// <summary>
/// Converts between <see cref="Value"/> and the .NET types of typed delegates: int ↔ i32, long ↔ i64,
/// float ↔ f32, double ↔ f64, <c>Vector128&lt;byte&gt;</c> ↔ v128. The <c>typeof(T)</c> tests are constants per
/// instantiation, so the JIT keeps only one branch and nothing is boxed.
/// </summary>
internal static class ValueMarshal<T>
{
    /// <summary>The Wasm type of <typeparamref name="T"/>, or null when it has none.</summary>
    public static readonly ValueType? WasmType =
        typeof(T) == typeof(int) ? ValueType.I32 :
        typeof(T) == typeof(long) ? ValueType.I64 :
        typeof(T) == typeof(float) ? ValueType.F32 :
        typeof(T) == typeof(double) ? ValueType.F64 :
        typeof(T) == typeof(Vector128<byte>) ? ValueType.V128 :
        null;

    /// <summary>The Wasm type of <typeparamref name="T"/>; throws <see cref="WasmException"/> when there is none.</summary>
    public static ValueType Require() =>
        WasmType ?? throw new WasmException(
            $"type {typeof(T).Name} has no WebAssembly equivalent (use int, long, float, double or Vector128<byte>)");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T From(in Value v)
    {
        if (typeof(T) == typeof(int)) { int x = (int)(uint)v.Bits; return Unsafe.As<int, T>(ref x); }
        if (typeof(T) == typeof(long)) { long x = (long)v.Bits; return Unsafe.As<long, T>(ref x); }
        if (typeof(T) == typeof(float)) { float x = BitConverter.UInt32BitsToSingle((uint)v.Bits); return Unsafe.As<float, T>(ref x); }
        if (typeof(T) == typeof(double)) { double x = BitConverter.UInt64BitsToDouble(v.Bits); return Unsafe.As<double, T>(ref x); }
        if (typeof(T) == typeof(Vector128<byte>)) { var x = Vector128.Create(v.Bits, v.HighBits).AsByte(); return Unsafe.As<Vector128<byte>, T>(ref x); }
        throw new WasmException($"type {typeof(T).Name} has no WebAssembly equivalent");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value To(T x)
    {
        if (typeof(T) == typeof(int)) return Value.I32(Unsafe.As<T, int>(ref x));
        if (typeof(T) == typeof(long)) return Value.I64(Unsafe.As<T, long>(ref x));
        if (typeof(T) == typeof(float)) return Value.F32Bits(BitConverter.SingleToUInt32Bits(Unsafe.As<T, float>(ref x)));
        if (typeof(T) == typeof(double)) return Value.F64Bits(BitConverter.DoubleToUInt64Bits(Unsafe.As<T, double>(ref x)));
        if (typeof(T) == typeof(Vector128<byte>))
        {
            var halves = Unsafe.As<T, Vector128<byte>>(ref x).AsUInt64();
            return Value.V128(halves.GetElement(0), halves.GetElement(1));
        }
        throw new WasmException($"type {typeof(T).Name} has no WebAssembly equivalent");
    }
}

/// <summary>Room for the arguments and results of a typed call, on the .NET stack.</summary>
[InlineArray(5)]
internal struct CallBuffer
{
    private Value _element0;
}
