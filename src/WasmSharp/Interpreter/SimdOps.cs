using System.Runtime.Intrinsics;

namespace WasmSharp.Interpreter;

/// <summary>
/// Semantics of the WebAssembly 2.0 SIMD instructions (prefix 0xFD) that do not access memory: one static method per
/// instruction, named after its text name in PascalCase without dots or underscores (<c>i8x16.add_sat_s</c> is
/// <see cref="I8x16AddSatS"/>), plus the data half of the memory instructions (<see cref="Load8x8S"/>,
/// <see cref="Load32Zero"/>, <see cref="Load8Lane"/>, <see cref="Store8Lane"/>, ...), so the executor only reads or
/// writes the bytes.
/// </summary>
/// <remarks>
/// <para>Conventions, so the executor can call every method the same way:</para>
/// <list type="bullet">
/// <item>A v128 is a <see cref="Vector128{T}"/> of bytes in and out; methods reinterpret it (free). Wasm's lane order
/// is little-endian, which is Vector128's element order: lane 0 is the lowest bytes.</item>
/// <item>Operands come in stack order (bottom first); a lane-index immediate is an <see cref="int"/> right after the
/// vector (<c>replace_lane(v, lane, x)</c>, like <see cref="Vector128.WithElement{T}"/>), the shuffle's 16 indices a
/// third vector.</item>
/// <item>Scalars: i32 is <see cref="int"/>, i64 <see cref="long"/>; f32 and f64 are their raw bits (<see cref="uint"/>,
/// <see cref="ulong"/>), since splat, extract_lane and replace_lane must keep NaN payloads exactly.</item>
/// <item>any_true, all_true and bitmask return an <see cref="int"/>; shift counts are taken modulo the lane width.</item>
/// </list>
/// <para>Lane indices are assumed valid (the validator checks them); an out-of-range one throws.</para>
/// <para>Cross-platform <see cref="Vector128"/> operations come first; x86 intrinsics (behind IsSupported, with a
/// portable fallback) are used where Vector128 has no single equivalent and a short SSE sequence does the job.</para>
/// </remarks>
internal static partial class SimdOps
{
    // ---- v128.const and the bitwise instructions ----

    /// <summary><c>v128.const</c> from the immediate's two little-endian halves.</summary>
    public static Vector128<byte> V128Const(ulong low, ulong high) => Vector128.Create(low, high).AsByte();

    /// <summary><c>v128.const</c> from the immediate's 16 bytes, as they appear in the binary.</summary>
    public static Vector128<byte> V128Const(ReadOnlySpan<byte> bytes) => Vector128.Create(bytes);

    public static Vector128<byte> V128Not(Vector128<byte> a) => ~a;

    public static Vector128<byte> V128And(Vector128<byte> a, Vector128<byte> b) => a & b;

    /// <summary><c>a &amp; ~b</c> (Vector128.AndNot has the same operand order).</summary>
    public static Vector128<byte> V128Andnot(Vector128<byte> a, Vector128<byte> b) => Vector128.AndNot(a, b);

    public static Vector128<byte> V128Or(Vector128<byte> a, Vector128<byte> b) => a | b;

    public static Vector128<byte> V128Xor(Vector128<byte> a, Vector128<byte> b) => a ^ b;

    /// <summary>Bits of <paramref name="a"/> where <paramref name="c"/> is 1, of <paramref name="b"/> where it is 0.</summary>
    public static Vector128<byte> V128Bitselect(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c) =>
        Vector128.ConditionalSelect(c, a, b);

    /// <summary>1 if any bit is set.</summary>
    public static int V128AnyTrue(Vector128<byte> a) => a != Vector128<byte>.Zero ? 1 : 0;
}
