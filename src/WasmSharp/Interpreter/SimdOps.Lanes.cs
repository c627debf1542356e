using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace WasmSharp.Interpreter;

// Lane access: shuffle, swizzle, splat, extract_lane, replace_lane, and the data half of the v128 loads and stores.
internal static partial class SimdOps
{
    /// <summary>
    /// <c>i8x16.shuffle</c>: lane i is byte <c>lanes[i]</c> of the 32-byte concatenation a ++ b (the validator
    /// guarantees every index is below 32).
    /// </summary>
    public static Vector128<byte> I8x16Shuffle(Vector128<byte> a, Vector128<byte> b, Vector128<byte> lanes)
    {
        // Subtracting 16 wraps the indices 0..15 to 240..255, which select nothing from b.
        var fromB = lanes - Vector128.Create((byte)16);
        if (Ssse3.IsSupported)
        {
            // pshufb gives 0 where an index has its top bit set and otherwise uses its low 4 bits: adding 0x70 sets
            // the top bit of 16..31 only. Two pshufb instead of Vector128.Shuffle's range checks.
            return Ssse3.Shuffle(a, lanes + Vector128.Create((byte)0x70)) | Ssse3.Shuffle(b, fromB);
        }
        // Vector128.Shuffle gives 0 for an index of 16 or more.
        return Vector128.Shuffle(a, lanes) | Vector128.Shuffle(b, fromB);
    }

    /// <summary><c>i8x16.swizzle</c>: lane i is <c>a[s[i]]</c>, or 0 where <c>s[i]</c> is 16 or more.</summary>
    public static Vector128<byte> I8x16Swizzle(Vector128<byte> a, Vector128<byte> s) =>
        // Exactly Vector128.Shuffle's contract for out-of-range indices (pshufb plus a mask on x86, tbl on Arm).
        Vector128.Shuffle(a, s);

    // ---- splat: the scalar wraps to the lane width ----

    public static Vector128<byte> I8x16Splat(int x) => Vector128.Create((byte)x);

    public static Vector128<byte> I16x8Splat(int x) => Vector128.Create((ushort)x).AsByte();

    public static Vector128<byte> I32x4Splat(int x) => Vector128.Create(x).AsByte();

    public static Vector128<byte> I64x2Splat(long x) => Vector128.Create(x).AsByte();

    /// <summary><c>f32x4.splat</c> of the f32 with these bits (as bits, so a NaN keeps its payload).</summary>
    public static Vector128<byte> F32x4Splat(uint bits) => Vector128.Create(bits).AsByte();

    /// <summary><c>f64x2.splat</c> of the f64 with these bits.</summary>
    public static Vector128<byte> F64x2Splat(ulong bits) => Vector128.Create(bits).AsByte();

    // ---- extract_lane ----

    public static int I8x16ExtractLaneS(Vector128<byte> v, int lane) => v.AsSByte().GetElement(lane);

    public static int I8x16ExtractLaneU(Vector128<byte> v, int lane) => v.GetElement(lane);

    public static int I16x8ExtractLaneS(Vector128<byte> v, int lane) => v.AsInt16().GetElement(lane);

    public static int I16x8ExtractLaneU(Vector128<byte> v, int lane) => v.AsUInt16().GetElement(lane);

    public static int I32x4ExtractLane(Vector128<byte> v, int lane) => v.AsInt32().GetElement(lane);

    public static long I64x2ExtractLane(Vector128<byte> v, int lane) => v.AsInt64().GetElement(lane);

    /// <summary><c>f32x4.extract_lane</c>, as the f32's bits.</summary>
    public static uint F32x4ExtractLane(Vector128<byte> v, int lane) => v.AsUInt32().GetElement(lane);

    /// <summary><c>f64x2.extract_lane</c>, as the f64's bits.</summary>
    public static ulong F64x2ExtractLane(Vector128<byte> v, int lane) => v.AsUInt64().GetElement(lane);

    // ---- replace_lane: i32 operands wrap to the lane width ----

    public static Vector128<byte> I8x16ReplaceLane(Vector128<byte> v, int lane, int x) => v.WithElement(lane, (byte)x);

    public static Vector128<byte> I16x8ReplaceLane(Vector128<byte> v, int lane, int x) =>
        v.AsUInt16().WithElement(lane, (ushort)x).AsByte();

    public static Vector128<byte> I32x4ReplaceLane(Vector128<byte> v, int lane, int x) =>
        v.AsInt32().WithElement(lane, x).AsByte();

    public static Vector128<byte> I64x2ReplaceLane(Vector128<byte> v, int lane, long x) =>
        v.AsInt64().WithElement(lane, x).AsByte();

    /// <summary><c>f32x4.replace_lane</c> with the f32 whose bits are <paramref name="bits"/>.</summary>
    public static Vector128<byte> F32x4ReplaceLane(Vector128<byte> v, int lane, uint bits) =>
        v.AsUInt32().WithElement(lane, bits).AsByte();

    /// <summary><c>f64x2.replace_lane</c> with the f64 whose bits are <paramref name="bits"/>.</summary>
    public static Vector128<byte> F64x2ReplaceLane(Vector128<byte> v, int lane, ulong bits) =>
        v.AsUInt64().WithElement(lane, bits).AsByte();

    // ---- The data half of the memory instructions: the executor reads (or writes) the bytes, these build the
    // ---- vector (or pick the lane). Multi-byte values are the little-endian reads of memory.

    /// <summary><c>v128.load8x8_s</c>: the 8 bytes read, each sign-extended to an i16 lane.</summary>
    public static Vector128<byte> Load8x8S(ulong bytes) =>
        Vector128.WidenLower(Vector128.CreateScalar(bytes).AsSByte()).AsByte();

    /// <summary><c>v128.load8x8_u</c>: the 8 bytes read, each zero-extended to an i16 lane.</summary>
    public static Vector128<byte> Load8x8U(ulong bytes) =>
        Vector128.WidenLower(Vector128.CreateScalar(bytes).AsByte()).AsByte();

    /// <summary><c>v128.load16x4_s</c>: four i16 read, each sign-extended to an i32 lane.</summary>
    public static Vector128<byte> Load16x4S(ulong bytes) =>
        Vector128.WidenLower(Vector128.CreateScalar(bytes).AsInt16()).AsByte();

    /// <summary><c>v128.load16x4_u</c>: four i16 read, each zero-extended to an i32 lane.</summary>
    public static Vector128<byte> Load16x4U(ulong bytes) =>
        Vector128.WidenLower(Vector128.CreateScalar(bytes).AsUInt16()).AsByte();

    /// <summary><c>v128.load32x2_s</c>: two i32 read, each sign-extended to an i64 lane.</summary>
    public static Vector128<byte> Load32x2S(ulong bytes) =>
        Vector128.WidenLower(Vector128.CreateScalar(bytes).AsInt32()).AsByte();

    /// <summary><c>v128.load32x2_u</c>: two i32 read, each zero-extended to an i64 lane.</summary>
    public static Vector128<byte> Load32x2U(ulong bytes) =>
        Vector128.WidenLower(Vector128.CreateScalar(bytes).AsUInt32()).AsByte();

    public static Vector128<byte> Load8Splat(byte x) => Vector128.Create(x);

    public static Vector128<byte> Load16Splat(ushort x) => Vector128.Create(x).AsByte();

    public static Vector128<byte> Load32Splat(uint x) => Vector128.Create(x).AsByte();

    public static Vector128<byte> Load64Splat(ulong x) => Vector128.Create(x).AsByte();

    /// <summary><c>v128.load32_zero</c>: the i32 read in lane 0, zeros above.</summary>
    public static Vector128<byte> Load32Zero(uint x) => Vector128.CreateScalar(x).AsByte();

    /// <summary><c>v128.load64_zero</c>: the i64 read in lane 0, zeros above.</summary>
    public static Vector128<byte> Load64Zero(ulong x) => Vector128.CreateScalar(x).AsByte();

    /// <summary><c>v128.load8_lane</c>: <paramref name="v"/> with one 8-bit lane replaced by the byte read.</summary>
    public static Vector128<byte> Load8Lane(Vector128<byte> v, int lane, byte x) => v.WithElement(lane, x);

    public static Vector128<byte> Load16Lane(Vector128<byte> v, int lane, ushort x) =>
        v.AsUInt16().WithElement(lane, x).AsByte();

    public static Vector128<byte> Load32Lane(Vector128<byte> v, int lane, uint x) =>
        v.AsUInt32().WithElement(lane, x).AsByte();

    public static Vector128<byte> Load64Lane(Vector128<byte> v, int lane, ulong x) =>
        v.AsUInt64().WithElement(lane, x).AsByte();

    /// <summary><c>v128.store8_lane</c>: the byte to write.</summary>
    public static byte Store8Lane(Vector128<byte> v, int lane) => v.GetElement(lane);

    public static ushort Store16Lane(Vector128<byte> v, int lane) => v.AsUInt16().GetElement(lane);

    public static uint Store32Lane(Vector128<byte> v, int lane) => v.AsUInt32().GetElement(lane);

    public static ulong Store64Lane(Vector128<byte> v, int lane) => v.AsUInt64().GetElement(lane);
}
