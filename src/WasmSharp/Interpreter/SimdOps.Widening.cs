using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace WasmSharp.Interpreter;

// Integer instructions whose lanes change width: narrow (saturating), extend, extmul, extadd_pairwise, dot and
// q15mulr_sat_s (which widens internally).
internal static partial class SimdOps
{
    // ---- narrow: a fills the low half of the result, b the high half; inputs are always signed ----

    public static Vector128<byte> I8x16NarrowI16x8S(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.NarrowWithSaturation(a.AsInt16(), b.AsInt16()).AsByte();

    /// <summary>Signed i16 lanes saturated to 0..255.</summary>
    public static Vector128<byte> I8x16NarrowI16x8U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
            return Sse2.PackUnsignedSaturate(a.AsInt16(), b.AsInt16()); // packuswb: signed in, unsigned out
        // Vector128 narrows unsigned to unsigned only: clamp negative lanes to 0 first, then 256.. saturate to 255.
        var zero = Vector128<short>.Zero;
        return Vector128.NarrowWithSaturation(
            Vector128.Max(a.AsInt16(), zero).AsUInt16(), Vector128.Max(b.AsInt16(), zero).AsUInt16());
    }

    public static Vector128<byte> I16x8NarrowI32x4S(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.NarrowWithSaturation(a.AsInt32(), b.AsInt32()).AsByte();

    /// <summary>Signed i32 lanes saturated to 0..65535.</summary>
    public static Vector128<byte> I16x8NarrowI32x4U(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse41.IsSupported)
            return Sse41.PackUnsignedSaturate(a.AsInt32(), b.AsInt32()).AsByte(); // packusdw
        var zero = Vector128<int>.Zero;
        return Vector128.NarrowWithSaturation(
            Vector128.Max(a.AsInt32(), zero).AsUInt32(), Vector128.Max(b.AsInt32(), zero).AsUInt32()).AsByte();
    }

    // ---- extend ----

    public static Vector128<byte> I16x8ExtendLowI8x16S(Vector128<byte> a) => Vector128.WidenLower(a.AsSByte()).AsByte();

    public static Vector128<byte> I16x8ExtendHighI8x16S(Vector128<byte> a) => Vector128.WidenUpper(a.AsSByte()).AsByte();

    public static Vector128<byte> I16x8ExtendLowI8x16U(Vector128<byte> a) => Vector128.WidenLower(a).AsByte();

    public static Vector128<byte> I16x8ExtendHighI8x16U(Vector128<byte> a) => Vector128.WidenUpper(a).AsByte();

    public static Vector128<byte> I32x4ExtendLowI16x8S(Vector128<byte> a) => Vector128.WidenLower(a.AsInt16()).AsByte();

    public static Vector128<byte> I32x4ExtendHighI16x8S(Vector128<byte> a) => Vector128.WidenUpper(a.AsInt16()).AsByte();

    public static Vector128<byte> I32x4ExtendLowI16x8U(Vector128<byte> a) => Vector128.WidenLower(a.AsUInt16()).AsByte();

    public static Vector128<byte> I32x4ExtendHighI16x8U(Vector128<byte> a) => Vector128.WidenUpper(a.AsUInt16()).AsByte();

    public static Vector128<byte> I64x2ExtendLowI32x4S(Vector128<byte> a) => Vector128.WidenLower(a.AsInt32()).AsByte();

    public static Vector128<byte> I64x2ExtendHighI32x4S(Vector128<byte> a) => Vector128.WidenUpper(a.AsInt32()).AsByte();

    public static Vector128<byte> I64x2ExtendLowI32x4U(Vector128<byte> a) => Vector128.WidenLower(a.AsUInt32()).AsByte();

    public static Vector128<byte> I64x2ExtendHighI32x4U(Vector128<byte> a) => Vector128.WidenUpper(a.AsUInt32()).AsByte();

    // ---- extmul: the full product of the extended lanes (it always fits the wide lane) ----

    // 8-bit products fit 16 bits, so widening then pmullw is already the short way.
    public static Vector128<byte> I16x8ExtmulLowI8x16S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenLower(a.AsSByte()) * Vector128.WidenLower(b.AsSByte())).AsByte();

    public static Vector128<byte> I16x8ExtmulHighI8x16S(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenUpper(a.AsSByte()) * Vector128.WidenUpper(b.AsSByte())).AsByte();

    public static Vector128<byte> I16x8ExtmulLowI8x16U(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenLower(a) * Vector128.WidenLower(b)).AsByte();

    public static Vector128<byte> I16x8ExtmulHighI8x16U(Vector128<byte> a, Vector128<byte> b) =>
        (Vector128.WidenUpper(a) * Vector128.WidenUpper(b)).AsByte();

    // On x86, pmullw and pmulhw(u) give the low and high 16 bits of all eight 32-bit products; interleaving them
    // builds the products of the low (or high) four lanes, avoiding two widenings and the slow pmulld.
    public static Vector128<byte> I32x4ExtmulLowI16x8S(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsInt16();
        var y = b.AsInt16();
        if (Sse2.IsSupported)
            return Sse2.UnpackLow(Sse2.MultiplyLow(x, y), Sse2.MultiplyHigh(x, y)).AsByte();
        return (Vector128.WidenLower(x) * Vector128.WidenLower(y)).AsByte();
    }

    public static Vector128<byte> I32x4ExtmulHighI16x8S(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsInt16();
        var y = b.AsInt16();
        if (Sse2.IsSupported)
            return Sse2.UnpackHigh(Sse2.MultiplyLow(x, y), Sse2.MultiplyHigh(x, y)).AsByte();
        return (Vector128.WidenUpper(x) * Vector128.WidenUpper(y)).AsByte();
    }

    public static Vector128<byte> I32x4ExtmulLowI16x8U(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsUInt16();
        var y = b.AsUInt16();
        if (Sse2.IsSupported)
            return Sse2.UnpackLow(Sse2.MultiplyLow(x, y), Sse2.MultiplyHigh(x, y)).AsByte();
        return (Vector128.WidenLower(x) * Vector128.WidenLower(y)).AsByte();
    }

    public static Vector128<byte> I32x4ExtmulHighI16x8U(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsUInt16();
        var y = b.AsUInt16();
        if (Sse2.IsSupported)
            return Sse2.UnpackHigh(Sse2.MultiplyLow(x, y), Sse2.MultiplyHigh(x, y)).AsByte();
        return (Vector128.WidenUpper(x) * Vector128.WidenUpper(y)).AsByte();
    }

    // On x86, pmuldq / pmuludq multiply the 32-bit lanes 0 and 2 into two 64-bit products; pshufd first moves the
    // wanted lanes there (low: 0,0,1,1; high: 2,2,3,3). Without it, an i64 multiply has no single SSE instruction.
    private const byte LowPairs = 0b01_01_00_00;
    private const byte HighPairs = 0b11_11_10_10;

    public static Vector128<byte> I64x2ExtmulLowI32x4S(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsInt32();
        var y = b.AsInt32();
        if (Sse41.IsSupported)
            return Sse41.Multiply(Sse2.Shuffle(x, LowPairs), Sse2.Shuffle(y, LowPairs)).AsByte();
        return (Vector128.WidenLower(x) * Vector128.WidenLower(y)).AsByte();
    }

    public static Vector128<byte> I64x2ExtmulHighI32x4S(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsInt32();
        var y = b.AsInt32();
        if (Sse41.IsSupported)
            return Sse41.Multiply(Sse2.Shuffle(x, HighPairs), Sse2.Shuffle(y, HighPairs)).AsByte();
        return (Vector128.WidenUpper(x) * Vector128.WidenUpper(y)).AsByte();
    }

    public static Vector128<byte> I64x2ExtmulLowI32x4U(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsUInt32();
        var y = b.AsUInt32();
        if (Sse2.IsSupported)
            return Sse2.Multiply(Sse2.Shuffle(x, LowPairs), Sse2.Shuffle(y, LowPairs)).AsByte();
        return (Vector128.WidenLower(x) * Vector128.WidenLower(y)).AsByte();
    }

    public static Vector128<byte> I64x2ExtmulHighI32x4U(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsUInt32();
        var y = b.AsUInt32();
        if (Sse2.IsSupported)
            return Sse2.Multiply(Sse2.Shuffle(x, HighPairs), Sse2.Shuffle(y, HighPairs)).AsByte();
        return (Vector128.WidenUpper(x) * Vector128.WidenUpper(y)).AsByte();
    }

    // ---- extadd_pairwise: lane i is ext(a[2i]) + ext(a[2i+1]). Portably, the pair already sits in one wide lane:
    // ---- the high element is a shift away and the low one a mask (or a shift up and back for the sign). ----

    public static Vector128<byte> I16x8ExtaddPairwiseI8x16S(Vector128<byte> a)
    {
        if (Ssse3.IsSupported)
            return Ssse3.MultiplyAddAdjacent(Vector128<byte>.One, a.AsSByte()).AsByte(); // pmaddubsw: 1*a0 + 1*a1
        var x = a.AsInt16();
        return (Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 8), 8) + Vector128.ShiftRightArithmetic(x, 8)).AsByte();
    }

    public static Vector128<byte> I16x8ExtaddPairwiseI8x16U(Vector128<byte> a)
    {
        if (Ssse3.IsSupported)
            return Ssse3.MultiplyAddAdjacent(a, Vector128<sbyte>.One).AsByte(); // pmaddubsw: at most 510, no saturation
        var x = a.AsUInt16();
        return ((x & Vector128.Create((ushort)0xFF)) + Vector128.ShiftRightLogical(x, 8)).AsByte();
    }

    public static Vector128<byte> I32x4ExtaddPairwiseI16x8S(Vector128<byte> a)
    {
        if (Sse2.IsSupported)
            return Sse2.MultiplyAddAdjacent(a.AsInt16(), Vector128<short>.One).AsByte(); // pmaddwd: 1*a0 + 1*a1
        var x = a.AsInt32();
        return (Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 16), 16) + Vector128.ShiftRightArithmetic(x, 16)).AsByte();
    }

    public static Vector128<byte> I32x4ExtaddPairwiseI16x8U(Vector128<byte> a)
    {
        var x = a.AsUInt32();
        return ((x & Vector128.Create(0xFFFFu)) + Vector128.ShiftRightLogical(x, 16)).AsByte();
    }

    // ---- dot and q15mulr ----

    /// <summary>Lane i is a[2i]*b[2i] + a[2i+1]*b[2i+1] (signed i16 products, wrapping i32 sum).</summary>
    public static Vector128<byte> I32x4DotI16x8S(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
            return Sse2.MultiplyAddAdjacent(a.AsInt16(), b.AsInt16()).AsByte(); // pmaddwd, which wraps the same way
        // Sign-extend the low and high i16 of each i32 lane in place, then multiply-add in i32 (wrapping).
        var x = a.AsInt32();
        var y = b.AsInt32();
        var low = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 16), 16) *
                  Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(y, 16), 16);
        var high = Vector128.ShiftRightArithmetic(x, 16) * Vector128.ShiftRightArithmetic(y, 16);
        return (low + high).AsByte();
    }

    /// <summary>Saturate((a*b + 0x4000) >> 15) per signed i16 lane: the rounded Q15 product.</summary>
    public static Vector128<byte> I16x8Q15mulrSatS(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsInt16();
        var y = b.AsInt16();
        if (Ssse3.IsSupported)
        {
            // pmulhrsw computes exactly this except for -32768 * -32768, which wraps to -32768 instead of saturating
            // to 32767; no other product can give -32768, so flipping the bits of those lanes fixes it.
            var r = Ssse3.MultiplyHighRoundScale(x, y);
            return (r ^ Vector128.Equals(r, Vector128.Create(short.MinValue))).AsByte();
        }
        var (xl, xh) = Vector128.Widen(x);
        var (yl, yh) = Vector128.Widen(y);
        var round = Vector128.Create(0x4000);
        var low = Vector128.ShiftRightArithmetic(xl * yl + round, 15);
        var high = Vector128.ShiftRightArithmetic(xh * yh + round, 15);
        return Vector128.NarrowWithSaturation(low, high).AsByte();
    }
}
