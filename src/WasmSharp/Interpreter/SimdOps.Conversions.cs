using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace WasmSharp.Interpreter;

// Conversions between integer and float lanes, and between f32 and f64. The float-to-int ones saturate (NaN gives 0);
// the *_zero ones fill the two high i32 (or f32) lanes with zeros.
internal static partial class SimdOps
{
    /// <summary>Each i32 lane to the nearest f32 (ties to even).</summary>
    public static Vector128<byte> F32x4ConvertI32x4S(Vector128<byte> a) => Vector128.ConvertToSingle(a.AsInt32()).AsByte();

    /// <summary>Each u32 lane to the nearest f32 (ties to even), rounded once.</summary>
    public static Vector128<byte> F32x4ConvertI32x4U(Vector128<byte> a) =>
        // Without AVX-512, .NET converts the high and low 16 bits separately (both exact) and rounds only in the
        // final add, so the result is correctly rounded; with it, vcvtudq2ps.
        Vector128.ConvertToSingle(a.AsUInt32()).AsByte();

    /// <summary>Each f32 lane truncated to i32, saturating; NaN gives 0.</summary>
    public static Vector128<byte> I32x4TruncSatF32x4S(Vector128<byte> a) =>
        // Since .NET 9, Vector128's float-to-integer conversions saturate and map NaN to 0 on every platform
        // (cvttps2dq plus a fix-up on x86, fcvtzs on Arm), exactly trunc_sat.
        Vector128.ConvertToInt32(a.AsSingle()).AsByte();

    /// <summary>Each f32 lane truncated to u32, saturating; NaN and negatives give 0.</summary>
    public static Vector128<byte> I32x4TruncSatF32x4U(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
        {
            // Below AVX-512, Vector128.ConvertToUInt32 converts lane by lane. cvttps2dq covers [0, 2^31) and gives
            // 0x80000000 above, so lanes in [2^31, 2^32) are converted less 2^31 (exact there) and or-ed with it;
            // lanes at or above 2^32 become all ones.
            var x = Sse.Max(a.AsSingle(), Vector128<float>.Zero); // maxps returns +0 for NaN and negatives
            var two31 = Vector128.Create(2147483648f);
            var low = Sse2.ConvertToVector128Int32WithTruncation(x);
            var high = Sse2.ConvertToVector128Int32WithTruncation(x - two31) & Sse.CompareGreaterThanOrEqual(x, two31).AsInt32();
            var over = Sse.CompareGreaterThanOrEqual(x, Vector128.Create(4294967296f)).AsInt32();
            return (low | high | over).AsByte();
        }
        return Vector128.ConvertToUInt32(a.AsSingle()).AsByte(); // saturating since .NET 9 (fcvtzu on Arm)
    }

    /// <summary>The two f64 lanes truncated to i32 in lanes 0 and 1, saturating (NaN gives 0); lanes 2, 3 are 0.</summary>
    public static Vector128<byte> I32x4TruncSatF64x2SZero(Vector128<byte> a)
    {
        var x = a.AsDouble();
        if (Sse2.IsSupported)
        {
            // cvttpd2dq gives 0x80000000 (int.MinValue) for NaN and out-of-range lanes, right for large negative
            // ones: zero the NaNs and clamp from above first. It also zeroes lanes 2 and 3.
            x = Sse2.Min(Sse2.And(x, Sse2.CompareOrdered(x, x)), Vector128.Create(2147483647.0));
            return Sse2.ConvertToVector128Int32WithTruncation(x).AsByte();
        }
        // Clamp (NaN stays NaN), then the saturating conversion maps NaN to 0 and the narrowing cannot overflow.
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(-2147483648.0)), Vector128.Create(2147483647.0));
        return Vector128.Narrow(Vector128.ConvertToInt64(x), Vector128<long>.Zero).AsByte();
    }

    /// <summary>The two f64 lanes truncated to u32 in lanes 0 and 1, saturating (NaN gives 0); lanes 2, 3 are 0.</summary>
    public static Vector128<byte> I32x4TruncSatF64x2UZero(Vector128<byte> a)
    {
        var x = a.AsDouble();
        if (Sse2.IsSupported)
        {
            // Clamp to [0, 2^32 - 1] (maxpd returns +0 for NaN). cvttpd2dq covers [0, 2^31): lanes at or above 2^31
            // are converted less 2^31 (exact there) and get the top bit back from the comparison mask.
            var two31 = Vector128.Create(2147483648.0);
            x = Sse2.Min(Sse2.Max(x, Vector128<double>.Zero), Vector128.Create(4294967295.0));
            var big = Sse2.CompareGreaterThanOrEqual(x, two31);
            var converted = Sse2.ConvertToVector128Int32WithTruncation(x - (two31 & big)).AsUInt32();
            // The mask's 64-bit lanes 0 and 1 hold i32 lanes 0..3; pshufd brings lanes 0 and 2 down to 0 and 1.
            var topBit = Sse2.Shuffle(big.AsUInt32(), 0b00_00_10_00) & Vector128.Create(0x8000_0000u, 0x8000_0000u, 0, 0);
            return (converted | topBit).AsByte();
        }
        // Clamp from above (NaN stays NaN); the saturating conversion maps NaN and negatives to 0.
        x = Vector128.Min(x, Vector128.Create(4294967295.0));
        return Vector128.Narrow(Vector128.ConvertToUInt64(x), Vector128<ulong>.Zero).AsByte();
    }

    /// <summary>i32 lanes 0 and 1 to f64 (exact).</summary>
    public static Vector128<byte> F64x2ConvertLowI32x4S(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
            return Sse2.ConvertToVector128Double(a.AsInt32()).AsByte(); // cvtdq2pd reads lanes 0 and 1
        return Vector128.ConvertToDouble(Vector128.WidenLower(a.AsInt32())).AsByte();
    }

    /// <summary>u32 lanes 0 and 1 to f64 (exact).</summary>
    public static Vector128<byte> F64x2ConvertLowI32x4U(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
        {
            // No unsigned conversion below AVX-512: the double with high word 0x43300000 and low word u is exactly
            // 2^52 + u, so subtracting 2^52 leaves u.
            var biased = Sse2.UnpackLow(a.AsUInt32(), Vector128.Create(0x4330_0000u)).AsDouble();
            return (biased - Vector128.Create(4503599627370496.0)).AsByte();
        }
        return Vector128.ConvertToDouble(Vector128.WidenLower(a.AsUInt32())).AsByte();
    }

    /// <summary>Both f64 lanes to the nearest f32 in lanes 0 and 1; lanes 2 and 3 are +0.</summary>
    public static Vector128<byte> F32x4DemoteF64x2Zero(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
            return Sse2.ConvertToVector128Single(a.AsDouble()).AsByte(); // cvtpd2ps zeroes the upper lanes
        return Vector128.Narrow(a.AsDouble(), Vector128<double>.Zero).AsByte();
    }

    /// <summary>f32 lanes 0 and 1 to f64 (exact; NaNs stay NaN).</summary>
    public static Vector128<byte> F64x2PromoteLowF32x4(Vector128<byte> a) => Vector128.WidenLower(a.AsSingle()).AsByte();
}
