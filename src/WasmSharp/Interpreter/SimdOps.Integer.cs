using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace WasmSharp.Interpreter;

// Lane-wise integer instructions: arithmetic (wrapping and saturating), shifts, min/max, averages, comparisons,
// popcnt and the lane tests (all_true, bitmask). Comparisons give all-ones or all-zero lanes.
internal static partial class SimdOps
{
    // ---- i8x16 ----

    public static Vector128<byte> I8x16Add(Vector128<byte> a, Vector128<byte> b) => a + b;

    public static Vector128<byte> I8x16Sub(Vector128<byte> a, Vector128<byte> b) => a - b;

    public static Vector128<byte> I8x16Neg(Vector128<byte> a) => Vector128<byte>.Zero - a;

    /// <summary>Wraps: abs(-128) is -128.</summary>
    public static Vector128<byte> I8x16Abs(Vector128<byte> a) => Vector128.Abs(a.AsSByte()).AsByte();

    public static Vector128<byte> I8x16AddSatS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.AddSaturate(a.AsSByte(), b.AsSByte()).AsByte();

    public static Vector128<byte> I8x16AddSatU(Vector128<byte> a, Vector128<byte> b) => Vector128.AddSaturate(a, b);

    public static Vector128<byte> I8x16SubSatS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.SubtractSaturate(a.AsSByte(), b.AsSByte()).AsByte();

    public static Vector128<byte> I8x16SubSatU(Vector128<byte> a, Vector128<byte> b) => Vector128.SubtractSaturate(a, b);

    public static Vector128<byte> I8x16MinS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsSByte(), b.AsSByte()).AsByte();

    public static Vector128<byte> I8x16MinU(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a, b);

    public static Vector128<byte> I8x16MaxS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsSByte(), b.AsSByte()).AsByte();

    public static Vector128<byte> I8x16MaxU(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a, b);

    /// <summary>(a + b + 1) >> 1 per unsigned lane, computed without overflow.</summary>
    public static Vector128<byte> I8x16AvgrU(Vector128<byte> a, Vector128<byte> b)
    {
        if (Sse2.IsSupported)
            return Sse2.Average(a, b); // pavgb is exactly this rounding average
        // ceil((a + b) / 2) = (a | b) - ((a ^ b) >> 1): the shared bits plus the rounded-up half of the differing ones.
        return (a | b) - Vector128.ShiftRightLogical(a ^ b, 1);
    }

    public static Vector128<byte> I8x16Shl(Vector128<byte> a, int count) => Vector128.ShiftLeft(a, count & 7);

    public static Vector128<byte> I8x16ShrS(Vector128<byte> a, int count) =>
        Vector128.ShiftRightArithmetic(a.AsSByte(), count & 7).AsByte();

    public static Vector128<byte> I8x16ShrU(Vector128<byte> a, int count) => Vector128.ShiftRightLogical(a, count & 7);

    /// <summary>Number of set bits in each byte.</summary>
    public static Vector128<byte> I8x16Popcnt(Vector128<byte> a)
    {
        var nibble = Vector128.Create((byte)0x0F);
        if (Ssse3.IsSupported)
        {
            // pshufb as a 16-entry table lookup: the bit count of the low nibble plus that of the high nibble.
            var table = Vector128.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            var high = Vector128.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & nibble;
            return Ssse3.Shuffle(table, a & nibble) + Ssse3.Shuffle(table, high);
        }
        // Classic SWAR count within each byte: pairs, then nibbles, then the byte.
        var x = a - (Vector128.ShiftRightLogical(a, 1) & Vector128.Create((byte)0x55));
        x = (x & Vector128.Create((byte)0x33)) + (Vector128.ShiftRightLogical(x, 2) & Vector128.Create((byte)0x33));
        return (x + Vector128.ShiftRightLogical(x, 4)) & nibble;
    }

    /// <summary>1 if no lane is zero.</summary>
    public static int I8x16AllTrue(Vector128<byte> a) => Vector128.EqualsAny(a, Vector128<byte>.Zero) ? 0 : 1;

    /// <summary>Bit i is the sign bit of lane i.</summary>
    public static int I8x16Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a);

    public static Vector128<byte> I8x16Eq(Vector128<byte> a, Vector128<byte> b) => Vector128.Equals(a, b);

    public static Vector128<byte> I8x16Ne(Vector128<byte> a, Vector128<byte> b) => ~Vector128.Equals(a, b);

    public static Vector128<byte> I8x16LtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsSByte(), b.AsSByte()).AsByte();

    public static Vector128<byte> I8x16LtU(Vector128<byte> a, Vector128<byte> b) => Vector128.LessThan(a, b);

    public static Vector128<byte> I8x16GtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsSByte(), b.AsSByte()).AsByte();

    public static Vector128<byte> I8x16GtU(Vector128<byte> a, Vector128<byte> b) => Vector128.GreaterThan(a, b);

    public static Vector128<byte> I8x16LeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsSByte(), b.AsSByte()).AsByte();

    public static Vector128<byte> I8x16LeU(Vector128<byte> a, Vector128<byte> b) => Vector128.LessThanOrEqual(a, b);

    public static Vector128<byte> I8x16GeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsSByte(), b.AsSByte()).AsByte();

    public static Vector128<byte> I8x16GeU(Vector128<byte> a, Vector128<byte> b) => Vector128.GreaterThanOrEqual(a, b);

    // ---- i16x8 ----

    public static Vector128<byte> I16x8Add(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() + b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() - b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() * b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8Neg(Vector128<byte> a) => (Vector128<ushort>.Zero - a.AsUInt16()).AsByte();

    /// <summary>Wraps: abs(-32768) is -32768.</summary>
    public static Vector128<byte> I16x8Abs(Vector128<byte> a) => Vector128.Abs(a.AsInt16()).AsByte();

    public static Vector128<byte> I16x8AddSatS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.AddSaturate(a.AsInt16(), b.AsInt16()).AsByte();

    public static Vector128<byte> I16x8AddSatU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.AddSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8SubSatS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.SubtractSaturate(a.AsInt16(), b.AsInt16()).AsByte();

    public static Vector128<byte> I16x8SubSatU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.SubtractSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8MinS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsInt16(), b.AsInt16()).AsByte();

    public static Vector128<byte> I16x8MinU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsUInt16(), b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8MaxS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsInt16(), b.AsInt16()).AsByte();

    public static Vector128<byte> I16x8MaxU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsUInt16(), b.AsUInt16()).AsByte();

    /// <summary>(a + b + 1) >> 1 per unsigned lane, computed without overflow.</summary>
    public static Vector128<byte> I16x8AvgrU(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsUInt16();
        var y = b.AsUInt16();
        if (Sse2.IsSupported)
            return Sse2.Average(x, y).AsByte(); // pavgw
        return ((x | y) - Vector128.ShiftRightLogical(x ^ y, 1)).AsByte(); // as in I8x16AvgrU
    }

    public static Vector128<byte> I16x8Shl(Vector128<byte> a, int count) =>
        Vector128.ShiftLeft(a.AsUInt16(), count & 15).AsByte();

    public static Vector128<byte> I16x8ShrS(Vector128<byte> a, int count) =>
        Vector128.ShiftRightArithmetic(a.AsInt16(), count & 15).AsByte();

    public static Vector128<byte> I16x8ShrU(Vector128<byte> a, int count) =>
        Vector128.ShiftRightLogical(a.AsUInt16(), count & 15).AsByte();

    public static int I16x8AllTrue(Vector128<byte> a) => Vector128.EqualsAny(a.AsUInt16(), Vector128<ushort>.Zero) ? 0 : 1;

    public static int I16x8Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt16());

    public static Vector128<byte> I16x8Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsUInt16(), b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsUInt16(), b.AsUInt16())).AsByte();

    public static Vector128<byte> I16x8LtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsInt16(), b.AsInt16()).AsByte();

    public static Vector128<byte> I16x8LtU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsUInt16(), b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8GtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsInt16(), b.AsInt16()).AsByte();

    public static Vector128<byte> I16x8GtU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsUInt16(), b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8LeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsInt16(), b.AsInt16()).AsByte();

    public static Vector128<byte> I16x8LeU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsUInt16(), b.AsUInt16()).AsByte();

    public static Vector128<byte> I16x8GeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsInt16(), b.AsInt16()).AsByte();

    public static Vector128<byte> I16x8GeU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsUInt16(), b.AsUInt16()).AsByte();

    // ---- i32x4 ----

    public static Vector128<byte> I32x4Add(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() + b.AsUInt32()).AsByte();

    public static Vector128<byte> I32x4Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() - b.AsUInt32()).AsByte();

    public static Vector128<byte> I32x4Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() * b.AsUInt32()).AsByte();

    public static Vector128<byte> I32x4Neg(Vector128<byte> a) => (Vector128<uint>.Zero - a.AsUInt32()).AsByte();

    /// <summary>Wraps: abs(int.MinValue) is int.MinValue.</summary>
    public static Vector128<byte> I32x4Abs(Vector128<byte> a) => Vector128.Abs(a.AsInt32()).AsByte();

    public static Vector128<byte> I32x4MinS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsInt32(), b.AsInt32()).AsByte();

    public static Vector128<byte> I32x4MinU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Min(a.AsUInt32(), b.AsUInt32()).AsByte();

    public static Vector128<byte> I32x4MaxS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsInt32(), b.AsInt32()).AsByte();

    public static Vector128<byte> I32x4MaxU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Max(a.AsUInt32(), b.AsUInt32()).AsByte();

    public static Vector128<byte> I32x4Shl(Vector128<byte> a, int count) =>
        Vector128.ShiftLeft(a.AsUInt32(), count & 31).AsByte();

    public static Vector128<byte> I32x4ShrS(Vector128<byte> a, int count) =>
        Vector128.ShiftRightArithmetic(a.AsInt32(), count & 31).AsByte();

    public static Vector128<byte> I32x4ShrU(Vector128<byte> a, int count) =>
        Vector128.ShiftRightLogical(a.AsUInt32(), count & 31).AsByte();

    public static int I32x4AllTrue(Vector128<byte> a) => Vector128.EqualsAny(a.AsUInt32(), Vector128<uint>.Zero) ? 0 : 1;

    public static int I32x4Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt32());

    public static Vector128<byte> I32x4Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsUInt32(), b.AsUInt32()).AsByte();

    public static Vector128<byte> I32x4Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsUInt32(), b.AsUInt32())).AsByte();

    public static Vector128<byte> I32x4LtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsInt32(), b.AsInt32()).AsByte();

    public static Vector128<byte> I32x4LtU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsUInt32(), b.AsUInt32()).AsByte();

    public static Vector128<byte> I32x4GtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsInt32(), b.AsInt32()).AsByte();

    public static Vector128<byte> I32x4GtU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsUInt32(), b.AsUInt32()).AsByte();

    public static Vector128<byte> I32x4LeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsInt32(), b.AsInt32()).AsByte();

    public static Vector128<byte> I32x4LeU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsByte();

    public static Vector128<byte> I32x4GeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsInt32(), b.AsInt32()).AsByte();

    public static Vector128<byte> I32x4GeU(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsByte();

    // ---- i64x2 (Wasm has only the signed orderings for i64x2) ----

    public static Vector128<byte> I64x2Add(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() + b.AsUInt64()).AsByte();

    public static Vector128<byte> I64x2Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() - b.AsUInt64()).AsByte();

    public static Vector128<byte> I64x2Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() * b.AsUInt64()).AsByte();

    public static Vector128<byte> I64x2Neg(Vector128<byte> a) => (Vector128<ulong>.Zero - a.AsUInt64()).AsByte();

    /// <summary>Wraps: abs(long.MinValue) is long.MinValue.</summary>
    public static Vector128<byte> I64x2Abs(Vector128<byte> a) => Vector128.Abs(a.AsInt64()).AsByte();

    public static Vector128<byte> I64x2Shl(Vector128<byte> a, int count) =>
        Vector128.ShiftLeft(a.AsUInt64(), count & 63).AsByte();

    public static Vector128<byte> I64x2ShrS(Vector128<byte> a, int count) =>
        Vector128.ShiftRightArithmetic(a.AsInt64(), count & 63).AsByte();

    public static Vector128<byte> I64x2ShrU(Vector128<byte> a, int count) =>
        Vector128.ShiftRightLogical(a.AsUInt64(), count & 63).AsByte();

    public static int I64x2AllTrue(Vector128<byte> a) => Vector128.EqualsAny(a.AsUInt64(), Vector128<ulong>.Zero) ? 0 : 1;

    public static int I64x2Bitmask(Vector128<byte> a) => (int)Vector128.ExtractMostSignificantBits(a.AsUInt64());

    public static Vector128<byte> I64x2Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsUInt64(), b.AsUInt64()).AsByte();

    public static Vector128<byte> I64x2Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsUInt64(), b.AsUInt64())).AsByte();

    public static Vector128<byte> I64x2LtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsInt64(), b.AsInt64()).AsByte();

    public static Vector128<byte> I64x2GtS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsInt64(), b.AsInt64()).AsByte();

    public static Vector128<byte> I64x2LeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsInt64(), b.AsInt64()).AsByte();

    public static Vector128<byte> I64x2GeS(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsInt64(), b.AsInt64()).AsByte();
}
