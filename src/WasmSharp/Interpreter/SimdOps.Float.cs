using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace WasmSharp.Interpreter;

// Lane-wise f32x4 / f64x2 instructions. Where the spec lets a NaN result be any NaN of the right kind (canonical, or
// arithmetic = quiet), the hardware's NaN is used: x86 and Arm both quiet a NaN operand and otherwise produce the
// canonical NaN. abs and neg are sign-bit operations and keep payloads; pmin and pmax return an operand unchanged.
internal static partial class SimdOps
{
    // ---- f32x4 ----

    public static Vector128<byte> F32x4Add(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() + b.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() - b.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() * b.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Div(Vector128<byte> a, Vector128<byte> b) => (a.AsSingle() / b.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Sqrt(Vector128<byte> a) => Vector128.Sqrt(a.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Abs(Vector128<byte> a) => (a.AsUInt32() & Vector128.Create(0x7FFF_FFFFu)).AsByte();

    public static Vector128<byte> F32x4Neg(Vector128<byte> a) => (a.AsUInt32() ^ Vector128.Create(0x8000_0000u)).AsByte();

    // Rounding keeps the sign of zero (ceil(-0.5) = -0) and quiets NaNs: roundps on x86 (SSE4.1), frint* on Arm.
    public static Vector128<byte> F32x4Ceil(Vector128<byte> a) => Vector128.Ceiling(a.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Floor(Vector128<byte> a) => Vector128.Floor(a.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Trunc(Vector128<byte> a) => Vector128.Truncate(a.AsSingle()).AsByte();

    /// <summary>Round to the nearest integer, ties to even.</summary>
    public static Vector128<byte> F32x4Nearest(Vector128<byte> a) => Vector128.Round(a.AsSingle()).AsByte();

    /// <summary>Wasm fmin: NaN if either lane is NaN, and -0 is less than +0.</summary>
    public static Vector128<byte> F32x4Min(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsSingle();
        var y = b.AsSingle();
        if (Sse.IsSupported)
        {
            // minps returns its second operand when the lanes are equal or unordered; or-ing both orders gives -0
            // for min(+0, -0). NaN lanes are replaced by x + y, which quiets a NaN and keeps a canonical one
            // canonical (the spec's nans rule; minps alone would return a signalling NaN as is).
            var min = Sse.Or(Sse.Min(x, y), Sse.Min(y, x));
            return Vector128.ConditionalSelect(Sse.CompareUnordered(x, y), x + y, min).AsByte();
        }
        // Vector128.Min is IEEE 754-2019 minimum (NaN-propagating, -0 < +0); only the NaN's quietness is left.
        return Vector128.ConditionalSelect(IsUnordered(x, y), x + y, Vector128.Min(x, y)).AsByte();
    }

    /// <summary>Wasm fmax: NaN if either lane is NaN, and +0 is greater than -0.</summary>
    public static Vector128<byte> F32x4Max(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsSingle();
        var y = b.AsSingle();
        if (Sse.IsSupported)
        {
            // As in F32x4Min, with and-ing giving +0 for max(+0, -0).
            var max = Sse.And(Sse.Max(x, y), Sse.Max(y, x));
            return Vector128.ConditionalSelect(Sse.CompareUnordered(x, y), x + y, max).AsByte();
        }
        return Vector128.ConditionalSelect(IsUnordered(x, y), x + y, Vector128.Max(x, y)).AsByte();
    }

    /// <summary>Pseudo-minimum <c>b &lt; a ? b : a</c>, returning the chosen operand bit for bit.</summary>
    public static Vector128<byte> F32x4Pmin(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsSingle();
        var y = b.AsSingle();
        if (Sse.IsSupported)
            return Sse.Min(y, x).AsByte(); // minps(b, a) is exactly b < a ? b : a
        return Vector128.ConditionalSelect(Vector128.LessThan(y, x), y, x).AsByte();
    }

    /// <summary>Pseudo-maximum <c>a &lt; b ? b : a</c>, returning the chosen operand bit for bit.</summary>
    public static Vector128<byte> F32x4Pmax(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsSingle();
        var y = b.AsSingle();
        if (Sse.IsSupported)
            return Sse.Max(y, x).AsByte(); // maxps(b, a) is exactly b > a ? b : a
        return Vector128.ConditionalSelect(Vector128.LessThan(x, y), y, x).AsByte();
    }

    // Comparisons are IEEE: false whenever a lane is NaN, except ne.
    public static Vector128<byte> F32x4Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsSingle(), b.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsSingle(), b.AsSingle())).AsByte();

    public static Vector128<byte> F32x4Lt(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsSingle(), b.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Gt(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsSingle(), b.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Le(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsSingle(), b.AsSingle()).AsByte();

    public static Vector128<byte> F32x4Ge(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsSingle(), b.AsSingle()).AsByte();

    // ---- f64x2 ----

    public static Vector128<byte> F64x2Add(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() + b.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Sub(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() - b.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Mul(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() * b.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Div(Vector128<byte> a, Vector128<byte> b) => (a.AsDouble() / b.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Sqrt(Vector128<byte> a) => Vector128.Sqrt(a.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Abs(Vector128<byte> a) =>
        (a.AsUInt64() & Vector128.Create(0x7FFF_FFFF_FFFF_FFFFUL)).AsByte();

    public static Vector128<byte> F64x2Neg(Vector128<byte> a) =>
        (a.AsUInt64() ^ Vector128.Create(0x8000_0000_0000_0000UL)).AsByte();

    public static Vector128<byte> F64x2Ceil(Vector128<byte> a) => Vector128.Ceiling(a.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Floor(Vector128<byte> a) => Vector128.Floor(a.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Trunc(Vector128<byte> a) => Vector128.Truncate(a.AsDouble()).AsByte();

    /// <summary>Round to the nearest integer, ties to even.</summary>
    public static Vector128<byte> F64x2Nearest(Vector128<byte> a) => Vector128.Round(a.AsDouble()).AsByte();

    /// <summary>Wasm fmin: NaN if either lane is NaN, and -0 is less than +0 (see <see cref="F32x4Min"/>).</summary>
    public static Vector128<byte> F64x2Min(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsDouble();
        var y = b.AsDouble();
        if (Sse2.IsSupported)
        {
            var min = Sse2.Or(Sse2.Min(x, y), Sse2.Min(y, x));
            return Vector128.ConditionalSelect(Sse2.CompareUnordered(x, y), x + y, min).AsByte();
        }
        return Vector128.ConditionalSelect(IsUnordered(x, y), x + y, Vector128.Min(x, y)).AsByte();
    }

    /// <summary>Wasm fmax: NaN if either lane is NaN, and +0 is greater than -0 (see <see cref="F32x4Max"/>).</summary>
    public static Vector128<byte> F64x2Max(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsDouble();
        var y = b.AsDouble();
        if (Sse2.IsSupported)
        {
            var max = Sse2.And(Sse2.Max(x, y), Sse2.Max(y, x));
            return Vector128.ConditionalSelect(Sse2.CompareUnordered(x, y), x + y, max).AsByte();
        }
        return Vector128.ConditionalSelect(IsUnordered(x, y), x + y, Vector128.Max(x, y)).AsByte();
    }

    /// <summary>Pseudo-minimum <c>b &lt; a ? b : a</c>, returning the chosen operand bit for bit.</summary>
    public static Vector128<byte> F64x2Pmin(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsDouble();
        var y = b.AsDouble();
        if (Sse2.IsSupported)
            return Sse2.Min(y, x).AsByte(); // minpd(b, a)
        return Vector128.ConditionalSelect(Vector128.LessThan(y, x), y, x).AsByte();
    }

    /// <summary>Pseudo-maximum <c>a &lt; b ? b : a</c>, returning the chosen operand bit for bit.</summary>
    public static Vector128<byte> F64x2Pmax(Vector128<byte> a, Vector128<byte> b)
    {
        var x = a.AsDouble();
        var y = b.AsDouble();
        if (Sse2.IsSupported)
            return Sse2.Max(y, x).AsByte(); // maxpd(b, a)
        return Vector128.ConditionalSelect(Vector128.LessThan(x, y), y, x).AsByte();
    }

    public static Vector128<byte> F64x2Eq(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.Equals(a.AsDouble(), b.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Ne(Vector128<byte> a, Vector128<byte> b) =>
        (~Vector128.Equals(a.AsDouble(), b.AsDouble())).AsByte();

    public static Vector128<byte> F64x2Lt(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThan(a.AsDouble(), b.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Gt(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThan(a.AsDouble(), b.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Le(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.LessThanOrEqual(a.AsDouble(), b.AsDouble()).AsByte();

    public static Vector128<byte> F64x2Ge(Vector128<byte> a, Vector128<byte> b) =>
        Vector128.GreaterThanOrEqual(a.AsDouble(), b.AsDouble()).AsByte();

    /// <summary>All-ones lanes where x or y is NaN.</summary>
    private static Vector128<T> IsUnordered<T>(Vector128<T> x, Vector128<T> y) =>
        ~(Vector128.Equals(x, x) & Vector128.Equals(y, y));
}
