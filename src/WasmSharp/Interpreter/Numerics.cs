using System.Numerics;
using System.Runtime.CompilerServices;

namespace WasmSharp.Interpreter;

/// <summary>Wasm numeric semantics that C# operators do not give directly (NaN handling, trapping conversions).</summary>
internal static class Numerics
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TrapException Trap(TrapCode code) => new(code);

    public static float F32(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits);
    public static double F64(ulong bits) => BitConverter.UInt64BitsToDouble(bits);
    public static ulong Bits(float f) => BitConverter.SingleToUInt32Bits(f);
    public static ulong Bits(double d) => BitConverter.DoubleToUInt64Bits(d);

    public static float Min(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(a) | BitConverter.SingleToUInt32Bits(b));
        return a < b ? a : b;
    }

    public static float Max(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(a) & BitConverter.SingleToUInt32Bits(b));
        return a > b ? a : b;
    }

    public static double Min(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(a) | BitConverter.DoubleToUInt64Bits(b));
        return a < b ? a : b;
    }

    public static double Max(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return a + b;
        if (a == b) return BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(a) & BitConverter.DoubleToUInt64Bits(b));
        return a > b ? a : b;
    }

    public static float Nearest(float a) => float.IsNaN(a) ? a + a : MathF.Round(a, MidpointRounding.ToEven);
    public static double Nearest(double a) => double.IsNaN(a) ? a + a : Math.Round(a, MidpointRounding.ToEven);
    public static float Ceil(float a) => float.IsNaN(a) ? a + a : MathF.Ceiling(a);
    public static double Ceil(double a) => double.IsNaN(a) ? a + a : Math.Ceiling(a);
    public static float Floor(float a) => float.IsNaN(a) ? a + a : MathF.Floor(a);
    public static double Floor(double a) => double.IsNaN(a) ? a + a : Math.Floor(a);
    public static float Trunc(float a) => float.IsNaN(a) ? a + a : MathF.Truncate(a);
    public static double Trunc(double a) => double.IsNaN(a) ? a + a : Math.Truncate(a);

    public static int DivS(int a, int b)
    {
        if (b == 0) throw Trap(TrapCode.IntegerDivideByZero);
        if (a == int.MinValue && b == -1) throw Trap(TrapCode.IntegerOverflow);
        return a / b;
    }

    public static int RemS(int a, int b)
    {
        if (b == 0) throw Trap(TrapCode.IntegerDivideByZero);
        return b == -1 ? 0 : a % b;
    }

    public static uint DivU(uint a, uint b) => b == 0 ? throw Trap(TrapCode.IntegerDivideByZero) : a / b;
    public static uint RemU(uint a, uint b) => b == 0 ? throw Trap(TrapCode.IntegerDivideByZero) : a % b;

    public static long DivS(long a, long b)
    {
        if (b == 0) throw Trap(TrapCode.IntegerDivideByZero);
        if (a == long.MinValue && b == -1) throw Trap(TrapCode.IntegerOverflow);
        return a / b;
    }

    public static long RemS(long a, long b)
    {
        if (b == 0) throw Trap(TrapCode.IntegerDivideByZero);
        return b == -1 ? 0 : a % b;
    }

    public static ulong DivU(ulong a, ulong b) => b == 0 ? throw Trap(TrapCode.IntegerDivideByZero) : a / b;
    public static ulong RemU(ulong a, ulong b) => b == 0 ? throw Trap(TrapCode.IntegerDivideByZero) : a % b;

    // Trapping truncations: NaN is "invalid conversion", out of range is "integer overflow".
    public static int I32TruncS(double x)
    {
        if (double.IsNaN(x)) throw Trap(TrapCode.InvalidConversionToInteger);
        if (!(x > -2147483649.0 && x < 2147483648.0)) throw Trap(TrapCode.IntegerOverflow);
        return (int)x;
    }

    public static uint I32TruncU(double x)
    {
        if (double.IsNaN(x)) throw Trap(TrapCode.InvalidConversionToInteger);
        if (!(x > -1.0 && x < 4294967296.0)) throw Trap(TrapCode.IntegerOverflow);
        return (uint)x;
    }

    public static long I64TruncS(double x)
    {
        if (double.IsNaN(x)) throw Trap(TrapCode.InvalidConversionToInteger);
        if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) throw Trap(TrapCode.IntegerOverflow);
        return (long)x;
    }

    public static ulong I64TruncU(double x)
    {
        if (double.IsNaN(x)) throw Trap(TrapCode.InvalidConversionToInteger);
        if (!(x > -1.0 && x < 18446744073709551616.0)) throw Trap(TrapCode.IntegerOverflow);
        return (ulong)x;
    }

    public static int I32TruncSatS(double x) =>
        double.IsNaN(x) ? 0 : x <= int.MinValue ? int.MinValue : x >= 2147483647.0 ? int.MaxValue : (int)x;

    public static uint I32TruncSatU(double x) =>
        double.IsNaN(x) || x <= 0 ? 0 : x >= 4294967295.0 ? uint.MaxValue : (uint)x;

    public static long I64TruncSatS(double x) =>
        double.IsNaN(x) ? 0 : x <= -9223372036854775808.0 ? long.MinValue : x >= 9223372036854775808.0 ? long.MaxValue : (long)x;

    public static ulong I64TruncSatU(double x) =>
        double.IsNaN(x) || x <= 0 ? 0 : x >= 18446744073709551616.0 ? ulong.MaxValue : (ulong)x;

    /// <summary>u64 → f32 with one rounding (halving keeps a sticky bit so the result rounds correctly).</summary>
    public static float U64ToF32(ulong x)
    {
        if ((long)x >= 0) return (long)x;
        float f = (long)((x >> 1) | (x & 1));
        return f + f;
    }

    public static double U64ToF64(ulong x)
    {
        if ((long)x >= 0) return (long)x;
        double d = (long)((x >> 1) | (x & 1));
        return d + d;
    }

    public static uint Clz(uint x) => (uint)BitOperations.LeadingZeroCount(x);
    public static uint Ctz(uint x) => (uint)BitOperations.TrailingZeroCount(x);
    public static uint Popcnt(uint x) => (uint)BitOperations.PopCount(x);
    public static ulong Clz(ulong x) => (ulong)BitOperations.LeadingZeroCount(x);
    public static ulong Ctz(ulong x) => (ulong)BitOperations.TrailingZeroCount(x);
    public static ulong Popcnt(ulong x) => (ulong)BitOperations.PopCount(x);
}
