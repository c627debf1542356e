using System.Numerics;
using WasmSharp.Interpreter;
using static WasmSharp.Tests.Interpreter.SimdOpsTests.Kind;
using V = System.Runtime.Intrinsics.Vector128<byte>;

namespace WasmSharp.Tests.Interpreter;

// The reference for every lane-wise instruction, written per lane from the spec's definitions. A reference returns
// the expected bits of result lane i (the harness keeps the low lane-width bits, so integer results wrap by
// construction); float references that produce a NaN return the strictest NaN the spec allows (see Nans32/Nans64).
public partial class SimdOpsTests
{
    private abstract record Case;
    private sealed record UnaryCase(Kind In, Res Out, Func<V, V> Op, Func<V, int, ulong> Ref) : Case;
    private sealed record BinaryCase(Kind In, Res Out, Func<V, V, V> Op, Func<V, V, int, ulong> Ref) : Case;
    private sealed record ShiftCase(Kind In, Func<V, int, V> Op, Func<V, int, int, ulong> Ref) : Case;
    private sealed record TestCase(Kind In, Func<V, int> Op, Func<V, int> Ref) : Case;

    private static ulong L(long x) => (ulong)x;
    private static ulong Mask(bool b) => b ? ulong.MaxValue : 0;
    private static long Sat(long x, long min, long max) => Math.Clamp(x, min, max);

    // ---- float references ----

    private const ulong CanonicalNaN32 = 0x7FC0_0000, ArithmeticNaN32 = 0x7FC0_0001;
    private const ulong CanonicalNaN64 = 0x7FF8_0000_0000_0000, ArithmeticNaN64 = 0x7FF8_0000_0000_0001;

    /// <summary>The spec's nans{z*}: canonical NaNs if every NaN operand is canonical (or there is none), else any
    /// arithmetic NaN.</summary>
    private static ulong Nans32(params float[] operands) =>
        operands.Any(z => float.IsNaN(z) && !IsCanonical(F(z), 4)) ? ArithmeticNaN32 : CanonicalNaN32;

    private static ulong Nans64(params double[] operands) =>
        operands.Any(z => double.IsNaN(z) && !IsCanonical(D(z), 8)) ? ArithmeticNaN64 : CanonicalNaN64;

    private static ulong Out32(float result, params float[] operands) => float.IsNaN(result) ? Nans32(operands) : F(result);
    private static ulong Out64(double result, params double[] operands) => double.IsNaN(result) ? Nans64(operands) : D(result);

    private static bool Negative(double z) => double.IsNegative(z);

    /// <summary>fmin: NaN if either is, -0 below +0.</summary>
    private static double FMin(double x, double y) =>
        double.IsNaN(x) || double.IsNaN(y) ? double.NaN : x == y ? (Negative(x) ? x : y) : x < y ? x : y;

    /// <summary>fmax: NaN if either is, +0 above -0.</summary>
    private static double FMax(double x, double y) =>
        double.IsNaN(x) || double.IsNaN(y) ? double.NaN : x == y ? (Negative(x) ? y : x) : x > y ? x : y;

    /// <summary>Integral results keep the operand's sign, zero included (ceil(-0.5) = -0).</summary>
    private static double Signed(double r, double z) => double.CopySign(r, z);

    private static double FCeil(double z) => double.IsFinite(z) ? Signed(Math.Ceiling(z), z) : z;
    private static double FFloor(double z) => double.IsFinite(z) ? Signed(Math.Floor(z), z) : z;
    private static double FTrunc(double z) => double.IsFinite(z) ? Signed(Math.Floor(Math.Abs(z)), z) : z;

    /// <summary>Nearest integer, ties to even, written out: |z| - floor(|z|) is exact.</summary>
    private static double FNearest(double z)
    {
        if (!double.IsFinite(z)) return z;
        double a = Math.Abs(z), f = Math.Floor(a), frac = a - f;
        double r = frac > 0.5 ? f + 1 : frac < 0.5 ? f : Math.IEEERemainder(f, 2) == 0 ? f : f + 1;
        return Signed(r, z);
    }

    /// <summary>trunc_sat: NaN to 0, out-of-range to the nearest bound.</summary>
    private static long TruncSat(double z, long min, long max)
    {
        if (double.IsNaN(z)) return 0;
        double t = Math.Truncate(z);
        return t <= min ? min : t >= max ? max : (long)t;
    }

    private static ulong F32Unary(V a, int i, Func<double, double> f)
    {
        float z = F32(a, i);
        return Out32((float)f(z), z);
    }

    private static ulong F64Unary(V a, int i, Func<double, double> f)
    {
        double z = F64(a, i);
        return Out64(f(z), z);
    }

    private static ulong F32Binary(V a, V b, int i, Func<float, float, float> f)
    {
        float x = F32(a, i), y = F32(b, i);
        return Out32(f(x, y), x, y);
    }

    private static ulong F64Binary(V a, V b, int i, Func<double, double, double> f)
    {
        double x = F64(a, i), y = F64(b, i);
        return Out64(f(x, y), x, y);
    }

    private static ulong Demote(double z) => double.IsNaN(z)
        ? (IsCanonical(D(z), 8) ? CanonicalNaN32 : ArithmeticNaN32)
        : F((float)z); // round to nearest, ties to even

    private static ulong Promote(float z) => float.IsNaN(z)
        ? (IsCanonical(F(z), 4) ? CanonicalNaN64 : ArithmeticNaN64)
        : D(z); // exact

    // ---- the table ----

    private static readonly Dictionary<string, Case> Cases = BuildCases();

    private static Dictionary<string, Case> BuildCases()
    {
        var t = new Dictionary<string, Case>();
        void Un(string name, Kind k, Res r, Func<V, V> op, Func<V, int, ulong> reference) => t.Add(name, new UnaryCase(k, r, op, reference));
        void Bin(string name, Kind k, Res r, Func<V, V, V> op, Func<V, V, int, ulong> reference) => t.Add(name, new BinaryCase(k, r, op, reference));
        void Sh(string name, Kind k, Func<V, int, V> op, Func<V, int, int, ulong> reference) => t.Add(name, new ShiftCase(k, op, reference));
        void Test(string name, Kind k, Func<V, int> op, Func<V, int> reference) => t.Add(name, new TestCase(k, op, reference));

        int AllTrue(V v, int w) => Enumerable.Range(0, 16 / w).All(i => Lane(v, w, i) != 0) ? 1 : 0;
        int Bitmask(V v, int w) => Enumerable.Range(0, 16 / w).Sum(i => (int)(Lane(v, w, i) >> (8 * w - 1)) << i);

        // ---- bitwise ----
        Bin("i8x16.swizzle", I8, R8, SimdOps.I8x16Swizzle, (a, s, i) => U8(s, i) < 16 ? U8(a, U8(s, i)) : 0UL);
        Un("v128.not", I64, R64, SimdOps.V128Not, (a, i) => ~U64(a, i));
        Bin("v128.and", I64, R64, SimdOps.V128And, (a, b, i) => U64(a, i) & U64(b, i));
        Bin("v128.andnot", I64, R64, SimdOps.V128Andnot, (a, b, i) => U64(a, i) & ~U64(b, i));
        Bin("v128.or", I64, R64, SimdOps.V128Or, (a, b, i) => U64(a, i) | U64(b, i));
        Bin("v128.xor", I64, R64, SimdOps.V128Xor, (a, b, i) => U64(a, i) ^ U64(b, i));
        Test("v128.any_true", I8, SimdOps.V128AnyTrue, v => Enumerable.Range(0, 16).Any(i => U8(v, i) != 0) ? 1 : 0);

        // ---- i8x16 ----
        Bin("i8x16.eq", I8, R8, SimdOps.I8x16Eq, (a, b, i) => Mask(U8(a, i) == U8(b, i)));
        Bin("i8x16.ne", I8, R8, SimdOps.I8x16Ne, (a, b, i) => Mask(U8(a, i) != U8(b, i)));
        Bin("i8x16.lt_s", I8, R8, SimdOps.I8x16LtS, (a, b, i) => Mask(S8(a, i) < S8(b, i)));
        Bin("i8x16.lt_u", I8, R8, SimdOps.I8x16LtU, (a, b, i) => Mask(U8(a, i) < U8(b, i)));
        Bin("i8x16.gt_s", I8, R8, SimdOps.I8x16GtS, (a, b, i) => Mask(S8(a, i) > S8(b, i)));
        Bin("i8x16.gt_u", I8, R8, SimdOps.I8x16GtU, (a, b, i) => Mask(U8(a, i) > U8(b, i)));
        Bin("i8x16.le_s", I8, R8, SimdOps.I8x16LeS, (a, b, i) => Mask(S8(a, i) <= S8(b, i)));
        Bin("i8x16.le_u", I8, R8, SimdOps.I8x16LeU, (a, b, i) => Mask(U8(a, i) <= U8(b, i)));
        Bin("i8x16.ge_s", I8, R8, SimdOps.I8x16GeS, (a, b, i) => Mask(S8(a, i) >= S8(b, i)));
        Bin("i8x16.ge_u", I8, R8, SimdOps.I8x16GeU, (a, b, i) => Mask(U8(a, i) >= U8(b, i)));
        Un("i8x16.abs", I8, R8, SimdOps.I8x16Abs, (a, i) => L(Math.Abs((long)S8(a, i))));
        Un("i8x16.neg", I8, R8, SimdOps.I8x16Neg, (a, i) => L(-(long)S8(a, i)));
        Un("i8x16.popcnt", I8, R8, SimdOps.I8x16Popcnt, (a, i) => (ulong)BitOperations.PopCount(U8(a, i)));
        Test("i8x16.all_true", I8, SimdOps.I8x16AllTrue, v => AllTrue(v, 1));
        Test("i8x16.bitmask", I8, SimdOps.I8x16Bitmask, v => Bitmask(v, 1));
        Bin("i8x16.narrow_i16x8_s", I16, R8, SimdOps.I8x16NarrowI16x8S,
            (a, b, i) => L(Sat(i < 8 ? S16(a, i) : S16(b, i - 8), sbyte.MinValue, sbyte.MaxValue)));
        Bin("i8x16.narrow_i16x8_u", I16, R8, SimdOps.I8x16NarrowI16x8U,
            (a, b, i) => L(Sat(i < 8 ? S16(a, i) : S16(b, i - 8), 0, byte.MaxValue)));
        Sh("i8x16.shl", I8, SimdOps.I8x16Shl, (a, n, i) => (ulong)U8(a, i) << (n & 7));
        Sh("i8x16.shr_s", I8, SimdOps.I8x16ShrS, (a, n, i) => L(S8(a, i) >> (n & 7)));
        Sh("i8x16.shr_u", I8, SimdOps.I8x16ShrU, (a, n, i) => (ulong)U8(a, i) >> (n & 7));
        Bin("i8x16.add", I8, R8, SimdOps.I8x16Add, (a, b, i) => (ulong)(U8(a, i) + U8(b, i)));
        Bin("i8x16.add_sat_s", I8, R8, SimdOps.I8x16AddSatS, (a, b, i) => L(Sat(S8(a, i) + S8(b, i), sbyte.MinValue, sbyte.MaxValue)));
        Bin("i8x16.add_sat_u", I8, R8, SimdOps.I8x16AddSatU, (a, b, i) => L(Sat(U8(a, i) + U8(b, i), 0, byte.MaxValue)));
        Bin("i8x16.sub", I8, R8, SimdOps.I8x16Sub, (a, b, i) => L(U8(a, i) - U8(b, i)));
        Bin("i8x16.sub_sat_s", I8, R8, SimdOps.I8x16SubSatS, (a, b, i) => L(Sat(S8(a, i) - S8(b, i), sbyte.MinValue, sbyte.MaxValue)));
        Bin("i8x16.sub_sat_u", I8, R8, SimdOps.I8x16SubSatU, (a, b, i) => L(Sat(U8(a, i) - U8(b, i), 0, byte.MaxValue)));
        Bin("i8x16.min_s", I8, R8, SimdOps.I8x16MinS, (a, b, i) => L(Math.Min(S8(a, i), S8(b, i))));
        Bin("i8x16.min_u", I8, R8, SimdOps.I8x16MinU, (a, b, i) => Math.Min(U8(a, i), U8(b, i)));
        Bin("i8x16.max_s", I8, R8, SimdOps.I8x16MaxS, (a, b, i) => L(Math.Max(S8(a, i), S8(b, i))));
        Bin("i8x16.max_u", I8, R8, SimdOps.I8x16MaxU, (a, b, i) => Math.Max(U8(a, i), U8(b, i)));
        Bin("i8x16.avgr_u", I8, R8, SimdOps.I8x16AvgrU, (a, b, i) => (ulong)(U8(a, i) + U8(b, i) + 1) >> 1);

        // ---- i16x8 ----
        Bin("i16x8.eq", I16, R16, SimdOps.I16x8Eq, (a, b, i) => Mask(U16(a, i) == U16(b, i)));
        Bin("i16x8.ne", I16, R16, SimdOps.I16x8Ne, (a, b, i) => Mask(U16(a, i) != U16(b, i)));
        Bin("i16x8.lt_s", I16, R16, SimdOps.I16x8LtS, (a, b, i) => Mask(S16(a, i) < S16(b, i)));
        Bin("i16x8.lt_u", I16, R16, SimdOps.I16x8LtU, (a, b, i) => Mask(U16(a, i) < U16(b, i)));
        Bin("i16x8.gt_s", I16, R16, SimdOps.I16x8GtS, (a, b, i) => Mask(S16(a, i) > S16(b, i)));
        Bin("i16x8.gt_u", I16, R16, SimdOps.I16x8GtU, (a, b, i) => Mask(U16(a, i) > U16(b, i)));
        Bin("i16x8.le_s", I16, R16, SimdOps.I16x8LeS, (a, b, i) => Mask(S16(a, i) <= S16(b, i)));
        Bin("i16x8.le_u", I16, R16, SimdOps.I16x8LeU, (a, b, i) => Mask(U16(a, i) <= U16(b, i)));
        Bin("i16x8.ge_s", I16, R16, SimdOps.I16x8GeS, (a, b, i) => Mask(S16(a, i) >= S16(b, i)));
        Bin("i16x8.ge_u", I16, R16, SimdOps.I16x8GeU, (a, b, i) => Mask(U16(a, i) >= U16(b, i)));
        Un("i16x8.extadd_pairwise_i8x16_s", I8, R16, SimdOps.I16x8ExtaddPairwiseI8x16S, (a, i) => L(S8(a, 2 * i) + S8(a, 2 * i + 1)));
        Un("i16x8.extadd_pairwise_i8x16_u", I8, R16, SimdOps.I16x8ExtaddPairwiseI8x16U, (a, i) => (ulong)(U8(a, 2 * i) + U8(a, 2 * i + 1)));
        Un("i16x8.abs", I16, R16, SimdOps.I16x8Abs, (a, i) => L(Math.Abs((long)S16(a, i))));
        Un("i16x8.neg", I16, R16, SimdOps.I16x8Neg, (a, i) => L(-(long)S16(a, i)));
        Bin("i16x8.q15mulr_sat_s", I16, R16, SimdOps.I16x8Q15mulrSatS,
            (a, b, i) => L(Sat(((long)S16(a, i) * S16(b, i) + 0x4000) >> 15, short.MinValue, short.MaxValue)));
        Test("i16x8.all_true", I16, SimdOps.I16x8AllTrue, v => AllTrue(v, 2));
        Test("i16x8.bitmask", I16, SimdOps.I16x8Bitmask, v => Bitmask(v, 2));
        Bin("i16x8.narrow_i32x4_s", I32, R16, SimdOps.I16x8NarrowI32x4S,
            (a, b, i) => L(Sat(i < 4 ? S32(a, i) : S32(b, i - 4), short.MinValue, short.MaxValue)));
        Bin("i16x8.narrow_i32x4_u", I32, R16, SimdOps.I16x8NarrowI32x4U,
            (a, b, i) => L(Sat(i < 4 ? S32(a, i) : S32(b, i - 4), 0, ushort.MaxValue)));
        Un("i16x8.extend_low_i8x16_s", I8, R16, SimdOps.I16x8ExtendLowI8x16S, (a, i) => L(S8(a, i)));
        Un("i16x8.extend_high_i8x16_s", I8, R16, SimdOps.I16x8ExtendHighI8x16S, (a, i) => L(S8(a, i + 8)));
        Un("i16x8.extend_low_i8x16_u", I8, R16, SimdOps.I16x8ExtendLowI8x16U, (a, i) => U8(a, i));
        Un("i16x8.extend_high_i8x16_u", I8, R16, SimdOps.I16x8ExtendHighI8x16U, (a, i) => U8(a, i + 8));
        Sh("i16x8.shl", I16, SimdOps.I16x8Shl, (a, n, i) => (ulong)U16(a, i) << (n & 15));
        Sh("i16x8.shr_s", I16, SimdOps.I16x8ShrS, (a, n, i) => L(S16(a, i) >> (n & 15)));
        Sh("i16x8.shr_u", I16, SimdOps.I16x8ShrU, (a, n, i) => (ulong)U16(a, i) >> (n & 15));
        Bin("i16x8.add", I16, R16, SimdOps.I16x8Add, (a, b, i) => (ulong)(U16(a, i) + U16(b, i)));
        Bin("i16x8.add_sat_s", I16, R16, SimdOps.I16x8AddSatS, (a, b, i) => L(Sat(S16(a, i) + S16(b, i), short.MinValue, short.MaxValue)));
        Bin("i16x8.add_sat_u", I16, R16, SimdOps.I16x8AddSatU, (a, b, i) => L(Sat(U16(a, i) + U16(b, i), 0, ushort.MaxValue)));
        Bin("i16x8.sub", I16, R16, SimdOps.I16x8Sub, (a, b, i) => L(U16(a, i) - U16(b, i)));
        Bin("i16x8.sub_sat_s", I16, R16, SimdOps.I16x8SubSatS, (a, b, i) => L(Sat(S16(a, i) - S16(b, i), short.MinValue, short.MaxValue)));
        Bin("i16x8.sub_sat_u", I16, R16, SimdOps.I16x8SubSatU, (a, b, i) => L(Sat(U16(a, i) - U16(b, i), 0, ushort.MaxValue)));
        Bin("i16x8.mul", I16, R16, SimdOps.I16x8Mul, (a, b, i) => L((long)S16(a, i) * S16(b, i)));
        Bin("i16x8.min_s", I16, R16, SimdOps.I16x8MinS, (a, b, i) => L(Math.Min(S16(a, i), S16(b, i))));
        Bin("i16x8.min_u", I16, R16, SimdOps.I16x8MinU, (a, b, i) => Math.Min(U16(a, i), U16(b, i)));
        Bin("i16x8.max_s", I16, R16, SimdOps.I16x8MaxS, (a, b, i) => L(Math.Max(S16(a, i), S16(b, i))));
        Bin("i16x8.max_u", I16, R16, SimdOps.I16x8MaxU, (a, b, i) => Math.Max(U16(a, i), U16(b, i)));
        Bin("i16x8.avgr_u", I16, R16, SimdOps.I16x8AvgrU, (a, b, i) => (ulong)(U16(a, i) + U16(b, i) + 1) >> 1);
        Bin("i16x8.extmul_low_i8x16_s", I8, R16, SimdOps.I16x8ExtmulLowI8x16S, (a, b, i) => L(S8(a, i) * S8(b, i)));
        Bin("i16x8.extmul_high_i8x16_s", I8, R16, SimdOps.I16x8ExtmulHighI8x16S, (a, b, i) => L(S8(a, i + 8) * S8(b, i + 8)));
        Bin("i16x8.extmul_low_i8x16_u", I8, R16, SimdOps.I16x8ExtmulLowI8x16U, (a, b, i) => (ulong)(U8(a, i) * U8(b, i)));
        Bin("i16x8.extmul_high_i8x16_u", I8, R16, SimdOps.I16x8ExtmulHighI8x16U, (a, b, i) => (ulong)(U8(a, i + 8) * U8(b, i + 8)));

        // ---- i32x4 ----
        Bin("i32x4.eq", I32, R32, SimdOps.I32x4Eq, (a, b, i) => Mask(U32(a, i) == U32(b, i)));
        Bin("i32x4.ne", I32, R32, SimdOps.I32x4Ne, (a, b, i) => Mask(U32(a, i) != U32(b, i)));
        Bin("i32x4.lt_s", I32, R32, SimdOps.I32x4LtS, (a, b, i) => Mask(S32(a, i) < S32(b, i)));
        Bin("i32x4.lt_u", I32, R32, SimdOps.I32x4LtU, (a, b, i) => Mask(U32(a, i) < U32(b, i)));
        Bin("i32x4.gt_s", I32, R32, SimdOps.I32x4GtS, (a, b, i) => Mask(S32(a, i) > S32(b, i)));
        Bin("i32x4.gt_u", I32, R32, SimdOps.I32x4GtU, (a, b, i) => Mask(U32(a, i) > U32(b, i)));
        Bin("i32x4.le_s", I32, R32, SimdOps.I32x4LeS, (a, b, i) => Mask(S32(a, i) <= S32(b, i)));
        Bin("i32x4.le_u", I32, R32, SimdOps.I32x4LeU, (a, b, i) => Mask(U32(a, i) <= U32(b, i)));
        Bin("i32x4.ge_s", I32, R32, SimdOps.I32x4GeS, (a, b, i) => Mask(S32(a, i) >= S32(b, i)));
        Bin("i32x4.ge_u", I32, R32, SimdOps.I32x4GeU, (a, b, i) => Mask(U32(a, i) >= U32(b, i)));
        Un("i32x4.extadd_pairwise_i16x8_s", I16, R32, SimdOps.I32x4ExtaddPairwiseI16x8S, (a, i) => L(S16(a, 2 * i) + S16(a, 2 * i + 1)));
        Un("i32x4.extadd_pairwise_i16x8_u", I16, R32, SimdOps.I32x4ExtaddPairwiseI16x8U, (a, i) => (ulong)(U16(a, 2 * i) + U16(a, 2 * i + 1)));
        Un("i32x4.abs", I32, R32, SimdOps.I32x4Abs, (a, i) => L(Math.Abs((long)S32(a, i))));
        Un("i32x4.neg", I32, R32, SimdOps.I32x4Neg, (a, i) => L(-(long)S32(a, i)));
        Test("i32x4.all_true", I32, SimdOps.I32x4AllTrue, v => AllTrue(v, 4));
        Test("i32x4.bitmask", I32, SimdOps.I32x4Bitmask, v => Bitmask(v, 4));
        Un("i32x4.extend_low_i16x8_s", I16, R32, SimdOps.I32x4ExtendLowI16x8S, (a, i) => L(S16(a, i)));
        Un("i32x4.extend_high_i16x8_s", I16, R32, SimdOps.I32x4ExtendHighI16x8S, (a, i) => L(S16(a, i + 4)));
        Un("i32x4.extend_low_i16x8_u", I16, R32, SimdOps.I32x4ExtendLowI16x8U, (a, i) => U16(a, i));
        Un("i32x4.extend_high_i16x8_u", I16, R32, SimdOps.I32x4ExtendHighI16x8U, (a, i) => U16(a, i + 4));
        Sh("i32x4.shl", I32, SimdOps.I32x4Shl, (a, n, i) => (ulong)U32(a, i) << (n & 31));
        Sh("i32x4.shr_s", I32, SimdOps.I32x4ShrS, (a, n, i) => L(S32(a, i) >> (n & 31)));
        Sh("i32x4.shr_u", I32, SimdOps.I32x4ShrU, (a, n, i) => (ulong)U32(a, i) >> (n & 31));
        Bin("i32x4.add", I32, R32, SimdOps.I32x4Add, (a, b, i) => (ulong)U32(a, i) + U32(b, i));
        Bin("i32x4.sub", I32, R32, SimdOps.I32x4Sub, (a, b, i) => (ulong)U32(a, i) - U32(b, i));
        Bin("i32x4.mul", I32, R32, SimdOps.I32x4Mul, (a, b, i) => L((long)S32(a, i) * S32(b, i)));
        Bin("i32x4.min_s", I32, R32, SimdOps.I32x4MinS, (a, b, i) => L(Math.Min(S32(a, i), S32(b, i))));
        Bin("i32x4.min_u", I32, R32, SimdOps.I32x4MinU, (a, b, i) => Math.Min(U32(a, i), U32(b, i)));
        Bin("i32x4.max_s", I32, R32, SimdOps.I32x4MaxS, (a, b, i) => L(Math.Max(S32(a, i), S32(b, i))));
        Bin("i32x4.max_u", I32, R32, SimdOps.I32x4MaxU, (a, b, i) => Math.Max(U32(a, i), U32(b, i)));
        Bin("i32x4.dot_i16x8_s", I16, R32, SimdOps.I32x4DotI16x8S,
            (a, b, i) => L((long)S16(a, 2 * i) * S16(b, 2 * i) + (long)S16(a, 2 * i + 1) * S16(b, 2 * i + 1)));
        Bin("i32x4.extmul_low_i16x8_s", I16, R32, SimdOps.I32x4ExtmulLowI16x8S, (a, b, i) => L((long)S16(a, i) * S16(b, i)));
        Bin("i32x4.extmul_high_i16x8_s", I16, R32, SimdOps.I32x4ExtmulHighI16x8S, (a, b, i) => L((long)S16(a, i + 4) * S16(b, i + 4)));
        Bin("i32x4.extmul_low_i16x8_u", I16, R32, SimdOps.I32x4ExtmulLowI16x8U, (a, b, i) => (ulong)U16(a, i) * U16(b, i));
        Bin("i32x4.extmul_high_i16x8_u", I16, R32, SimdOps.I32x4ExtmulHighI16x8U, (a, b, i) => (ulong)U16(a, i + 4) * U16(b, i + 4));

        // ---- i64x2 ----
        Un("i64x2.abs", I64, R64, SimdOps.I64x2Abs, (a, i) => S64(a, i) < 0 ? 0 - U64(a, i) : U64(a, i));
        Un("i64x2.neg", I64, R64, SimdOps.I64x2Neg, (a, i) => 0 - U64(a, i));
        Test("i64x2.all_true", I64, SimdOps.I64x2AllTrue, v => AllTrue(v, 8));
        Test("i64x2.bitmask", I64, SimdOps.I64x2Bitmask, v => Bitmask(v, 8));
        Un("i64x2.extend_low_i32x4_s", I32, R64, SimdOps.I64x2ExtendLowI32x4S, (a, i) => L(S32(a, i)));
        Un("i64x2.extend_high_i32x4_s", I32, R64, SimdOps.I64x2ExtendHighI32x4S, (a, i) => L(S32(a, i + 2)));
        Un("i64x2.extend_low_i32x4_u", I32, R64, SimdOps.I64x2ExtendLowI32x4U, (a, i) => U32(a, i));
        Un("i64x2.extend_high_i32x4_u", I32, R64, SimdOps.I64x2ExtendHighI32x4U, (a, i) => U32(a, i + 2));
        Sh("i64x2.shl", I64, SimdOps.I64x2Shl, (a, n, i) => U64(a, i) << (n & 63));
        Sh("i64x2.shr_s", I64, SimdOps.I64x2ShrS, (a, n, i) => L(S64(a, i) >> (n & 63)));
        Sh("i64x2.shr_u", I64, SimdOps.I64x2ShrU, (a, n, i) => U64(a, i) >> (n & 63));
        Bin("i64x2.add", I64, R64, SimdOps.I64x2Add, (a, b, i) => U64(a, i) + U64(b, i));
        Bin("i64x2.sub", I64, R64, SimdOps.I64x2Sub, (a, b, i) => U64(a, i) - U64(b, i));
        Bin("i64x2.mul", I64, R64, SimdOps.I64x2Mul, (a, b, i) => U64(a, i) * U64(b, i));
        Bin("i64x2.eq", I64, R64, SimdOps.I64x2Eq, (a, b, i) => Mask(U64(a, i) == U64(b, i)));
        Bin("i64x2.ne", I64, R64, SimdOps.I64x2Ne, (a, b, i) => Mask(U64(a, i) != U64(b, i)));
        Bin("i64x2.lt_s", I64, R64, SimdOps.I64x2LtS, (a, b, i) => Mask(S64(a, i) < S64(b, i)));
        Bin("i64x2.gt_s", I64, R64, SimdOps.I64x2GtS, (a, b, i) => Mask(S64(a, i) > S64(b, i)));
        Bin("i64x2.le_s", I64, R64, SimdOps.I64x2LeS, (a, b, i) => Mask(S64(a, i) <= S64(b, i)));
        Bin("i64x2.ge_s", I64, R64, SimdOps.I64x2GeS, (a, b, i) => Mask(S64(a, i) >= S64(b, i)));
        Bin("i64x2.extmul_low_i32x4_s", I32, R64, SimdOps.I64x2ExtmulLowI32x4S, (a, b, i) => L((long)S32(a, i) * S32(b, i)));
        Bin("i64x2.extmul_high_i32x4_s", I32, R64, SimdOps.I64x2ExtmulHighI32x4S, (a, b, i) => L((long)S32(a, i + 2) * S32(b, i + 2)));
        Bin("i64x2.extmul_low_i32x4_u", I32, R64, SimdOps.I64x2ExtmulLowI32x4U, (a, b, i) => (ulong)U32(a, i) * U32(b, i));
        Bin("i64x2.extmul_high_i32x4_u", I32, R64, SimdOps.I64x2ExtmulHighI32x4U, (a, b, i) => (ulong)U32(a, i + 2) * U32(b, i + 2));

        // ---- f32x4 ----
        Bin("f32x4.eq", Kind.F32, R32, SimdOps.F32x4Eq, (a, b, i) => Mask(F32(a, i) == F32(b, i)));
        Bin("f32x4.ne", Kind.F32, R32, SimdOps.F32x4Ne, (a, b, i) => Mask(F32(a, i) != F32(b, i)));
        Bin("f32x4.lt", Kind.F32, R32, SimdOps.F32x4Lt, (a, b, i) => Mask(F32(a, i) < F32(b, i)));
        Bin("f32x4.gt", Kind.F32, R32, SimdOps.F32x4Gt, (a, b, i) => Mask(F32(a, i) > F32(b, i)));
        Bin("f32x4.le", Kind.F32, R32, SimdOps.F32x4Le, (a, b, i) => Mask(F32(a, i) <= F32(b, i)));
        Bin("f32x4.ge", Kind.F32, R32, SimdOps.F32x4Ge, (a, b, i) => Mask(F32(a, i) >= F32(b, i)));
        Un("f32x4.ceil", Kind.F32, RF32, SimdOps.F32x4Ceil, (a, i) => F32Unary(a, i, FCeil));
        Un("f32x4.floor", Kind.F32, RF32, SimdOps.F32x4Floor, (a, i) => F32Unary(a, i, FFloor));
        Un("f32x4.trunc", Kind.F32, RF32, SimdOps.F32x4Trunc, (a, i) => F32Unary(a, i, FTrunc));
        Un("f32x4.nearest", Kind.F32, RF32, SimdOps.F32x4Nearest, (a, i) => F32Unary(a, i, FNearest));
        Un("f32x4.abs", Kind.F32, R32, SimdOps.F32x4Abs, (a, i) => U32(a, i) & 0x7FFF_FFFF); // bit-exact
        Un("f32x4.neg", Kind.F32, R32, SimdOps.F32x4Neg, (a, i) => U32(a, i) ^ 0x8000_0000);
        Un("f32x4.sqrt", Kind.F32, RF32, SimdOps.F32x4Sqrt, (a, i) => F32Unary(a, i, Math.Sqrt)); // sqrt in f64 then rounding to f32 is exact (53 >= 2*24+2)
        Bin("f32x4.add", Kind.F32, RF32, SimdOps.F32x4Add, (a, b, i) => F32Binary(a, b, i, (x, y) => x + y));
        Bin("f32x4.sub", Kind.F32, RF32, SimdOps.F32x4Sub, (a, b, i) => F32Binary(a, b, i, (x, y) => x - y));
        Bin("f32x4.mul", Kind.F32, RF32, SimdOps.F32x4Mul, (a, b, i) => F32Binary(a, b, i, (x, y) => x * y));
        Bin("f32x4.div", Kind.F32, RF32, SimdOps.F32x4Div, (a, b, i) => F32Binary(a, b, i, (x, y) => x / y));
        Bin("f32x4.min", Kind.F32, RF32, SimdOps.F32x4Min, (a, b, i) => F32Binary(a, b, i, (x, y) => (float)FMin(x, y)));
        Bin("f32x4.max", Kind.F32, RF32, SimdOps.F32x4Max, (a, b, i) => F32Binary(a, b, i, (x, y) => (float)FMax(x, y)));
        // pmin/pmax return one operand as is, NaN payload and all.
        Bin("f32x4.pmin", Kind.F32, R32, SimdOps.F32x4Pmin, (a, b, i) => F32(b, i) < F32(a, i) ? U32(b, i) : U32(a, i));
        Bin("f32x4.pmax", Kind.F32, R32, SimdOps.F32x4Pmax, (a, b, i) => F32(a, i) < F32(b, i) ? U32(b, i) : U32(a, i));

        // ---- f64x2 ----
        Bin("f64x2.eq", Kind.F64, R64, SimdOps.F64x2Eq, (a, b, i) => Mask(F64(a, i) == F64(b, i)));
        Bin("f64x2.ne", Kind.F64, R64, SimdOps.F64x2Ne, (a, b, i) => Mask(F64(a, i) != F64(b, i)));
        Bin("f64x2.lt", Kind.F64, R64, SimdOps.F64x2Lt, (a, b, i) => Mask(F64(a, i) < F64(b, i)));
        Bin("f64x2.gt", Kind.F64, R64, SimdOps.F64x2Gt, (a, b, i) => Mask(F64(a, i) > F64(b, i)));
        Bin("f64x2.le", Kind.F64, R64, SimdOps.F64x2Le, (a, b, i) => Mask(F64(a, i) <= F64(b, i)));
        Bin("f64x2.ge", Kind.F64, R64, SimdOps.F64x2Ge, (a, b, i) => Mask(F64(a, i) >= F64(b, i)));
        Un("f64x2.ceil", Kind.F64, RF64, SimdOps.F64x2Ceil, (a, i) => F64Unary(a, i, FCeil));
        Un("f64x2.floor", Kind.F64, RF64, SimdOps.F64x2Floor, (a, i) => F64Unary(a, i, FFloor));
        Un("f64x2.trunc", Kind.F64, RF64, SimdOps.F64x2Trunc, (a, i) => F64Unary(a, i, FTrunc));
        Un("f64x2.nearest", Kind.F64, RF64, SimdOps.F64x2Nearest, (a, i) => F64Unary(a, i, FNearest));
        Un("f64x2.abs", Kind.F64, R64, SimdOps.F64x2Abs, (a, i) => U64(a, i) & 0x7FFF_FFFF_FFFF_FFFF);
        Un("f64x2.neg", Kind.F64, R64, SimdOps.F64x2Neg, (a, i) => U64(a, i) ^ 0x8000_0000_0000_0000);
        Un("f64x2.sqrt", Kind.F64, RF64, SimdOps.F64x2Sqrt, (a, i) => F64Unary(a, i, Math.Sqrt));
        Bin("f64x2.add", Kind.F64, RF64, SimdOps.F64x2Add, (a, b, i) => F64Binary(a, b, i, (x, y) => x + y));
        Bin("f64x2.sub", Kind.F64, RF64, SimdOps.F64x2Sub, (a, b, i) => F64Binary(a, b, i, (x, y) => x - y));
        Bin("f64x2.mul", Kind.F64, RF64, SimdOps.F64x2Mul, (a, b, i) => F64Binary(a, b, i, (x, y) => x * y));
        Bin("f64x2.div", Kind.F64, RF64, SimdOps.F64x2Div, (a, b, i) => F64Binary(a, b, i, (x, y) => x / y));
        Bin("f64x2.min", Kind.F64, RF64, SimdOps.F64x2Min, (a, b, i) => F64Binary(a, b, i, FMin));
        Bin("f64x2.max", Kind.F64, RF64, SimdOps.F64x2Max, (a, b, i) => F64Binary(a, b, i, FMax));
        Bin("f64x2.pmin", Kind.F64, R64, SimdOps.F64x2Pmin, (a, b, i) => F64(b, i) < F64(a, i) ? U64(b, i) : U64(a, i));
        Bin("f64x2.pmax", Kind.F64, R64, SimdOps.F64x2Pmax, (a, b, i) => F64(a, i) < F64(b, i) ? U64(b, i) : U64(a, i));

        // ---- conversions ----
        Un("i32x4.trunc_sat_f32x4_s", Kind.F32, R32, SimdOps.I32x4TruncSatF32x4S, (a, i) => L(TruncSat(F32(a, i), int.MinValue, int.MaxValue)));
        Un("i32x4.trunc_sat_f32x4_u", Kind.F32, R32, SimdOps.I32x4TruncSatF32x4U, (a, i) => L(TruncSat(F32(a, i), 0, uint.MaxValue)));
        Un("f32x4.convert_i32x4_s", I32, R32, SimdOps.F32x4ConvertI32x4S, (a, i) => F((float)(double)S32(a, i))); // one rounding: i32 is exact in f64
        Un("f32x4.convert_i32x4_u", I32, R32, SimdOps.F32x4ConvertI32x4U, (a, i) => F((float)(double)U32(a, i)));
        Un("i32x4.trunc_sat_f64x2_s_zero", Kind.F64, R32, SimdOps.I32x4TruncSatF64x2SZero,
            (a, i) => i < 2 ? L(TruncSat(F64(a, i), int.MinValue, int.MaxValue)) : 0);
        Un("i32x4.trunc_sat_f64x2_u_zero", Kind.F64, R32, SimdOps.I32x4TruncSatF64x2UZero,
            (a, i) => i < 2 ? L(TruncSat(F64(a, i), 0, uint.MaxValue)) : 0);
        Un("f64x2.convert_low_i32x4_s", I32, R64, SimdOps.F64x2ConvertLowI32x4S, (a, i) => D(S32(a, i)));
        Un("f64x2.convert_low_i32x4_u", I32, R64, SimdOps.F64x2ConvertLowI32x4U, (a, i) => D(U32(a, i)));
        Un("f32x4.demote_f64x2_zero", Kind.F64, RF32, SimdOps.F32x4DemoteF64x2Zero, (a, i) => i < 2 ? Demote(F64(a, i)) : 0);
        Un("f64x2.promote_low_f32x4", Kind.F32, RF64, SimdOps.F64x2PromoteLowF32x4, (a, i) => Promote(F32(a, i)));

        return t;
    }
}
