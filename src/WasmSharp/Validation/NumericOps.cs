namespace WasmSharp.Validation;

/// <summary>
/// Signatures of the numeric instructions 0x45..0xC4 (one operand or two, one result), built once from the
/// opcode ranges of the binary format. The interpreter executes them under the same numbers.
/// </summary>
internal static class NumericOps
{
    internal readonly record struct Signature(ValueType A, ValueType B, ValueType Result, bool Binary);

    private static readonly Signature[] Table = Build();

    public static bool TryGet(byte opcode, out Signature sig)
    {
        if (opcode >= 0x45 && opcode <= 0xC4)
        {
            sig = Table[opcode];
            return true;
        }
        sig = default;
        return false;
    }

    /// <summary>Signature of the saturating truncation 0xFC <paramref name="sub"/> (0..7).</summary>
    public static Signature TruncSat(uint sub) =>
        new((sub & 2) == 0 ? ValueType.F32 : ValueType.F64, default, sub < 4 ? ValueType.I32 : ValueType.I64, false);

    private static Signature[] Build()
    {
        const ValueType i32 = ValueType.I32, i64 = ValueType.I64, f32 = ValueType.F32, f64 = ValueType.F64;
        var t = new Signature[256];
        void Un(int from, int to, ValueType a, ValueType r) { for (int i = from; i <= to; i++) t[i] = new(a, default, r, false); }
        void Bin(int from, int to, ValueType a, ValueType r) { for (int i = from; i <= to; i++) t[i] = new(a, a, r, true); }

        Un(0x45, 0x45, i32, i32); Bin(0x46, 0x4F, i32, i32);   // eqz, comparisons
        Un(0x50, 0x50, i64, i32); Bin(0x51, 0x5A, i64, i32);
        Bin(0x5B, 0x60, f32, i32); Bin(0x61, 0x66, f64, i32);
        Un(0x67, 0x69, i32, i32); Bin(0x6A, 0x78, i32, i32);   // clz ctz popcnt; add .. rotr
        Un(0x79, 0x7B, i64, i64); Bin(0x7C, 0x8A, i64, i64);
        Un(0x8B, 0x91, f32, f32); Bin(0x92, 0x98, f32, f32);   // abs .. sqrt; add .. copysign
        Un(0x99, 0x9F, f64, f64); Bin(0xA0, 0xA6, f64, f64);
        Un(0xA7, 0xA7, i64, i32);                               // i32.wrap_i64
        Un(0xA8, 0xA9, f32, i32); Un(0xAA, 0xAB, f64, i32);     // i32.trunc_*
        Un(0xAC, 0xAD, i32, i64);                               // i64.extend_i32_*
        Un(0xAE, 0xAF, f32, i64); Un(0xB0, 0xB1, f64, i64);     // i64.trunc_*
        Un(0xB2, 0xB3, i32, f32); Un(0xB4, 0xB5, i64, f32); Un(0xB6, 0xB6, f64, f32);
        Un(0xB7, 0xB8, i32, f64); Un(0xB9, 0xBA, i64, f64); Un(0xBB, 0xBB, f32, f64);
        Un(0xBC, 0xBC, f32, i32); Un(0xBD, 0xBD, f64, i64);     // reinterpret
        Un(0xBE, 0xBE, i32, f32); Un(0xBF, 0xBF, i64, f64);
        Un(0xC0, 0xC1, i32, i32); Un(0xC2, 0xC4, i64, i64);     // sign extension
        return t;
    }
}
