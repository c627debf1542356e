namespace WasmSharp.Validation;

/// <summary>Immediates that follow a SIMD opcode (after the 0xFD prefix and the u32 LEB opcode).</summary>
internal enum SimdImmediate : byte
{
    /// <summary>No immediate.</summary>
    None,
    /// <summary>A memarg (align exponent, offset).</summary>
    MemArg,
    /// <summary>A memarg followed by one lane-index byte.</summary>
    MemArgLane,
    /// <summary>One lane-index byte.</summary>
    Lane,
    /// <summary>16 raw bytes (v128.const).</summary>
    Bytes16,
    /// <summary>16 lane-index bytes, each &lt; 32 (i8x16.shuffle).</summary>
    Shuffle,
}

/// <summary>Decoding and typing information for one SIMD instruction.</summary>
/// <param name="Name">Text-format name, e.g. <c>i32x4.add</c>.</param>
/// <param name="Immediate">Kind of immediate following the opcode.</param>
/// <param name="Params">Operand types in order (bottom of the stack first).</param>
/// <param name="Result">Result type, or null if the instruction produces none.</param>
/// <param name="Align">For memargs: log2 of the natural alignment (maximum allowed align exponent); 0 otherwise.</param>
/// <param name="Lanes">For lane-index immediates: number of lanes (each index must be &lt; Lanes); 0 otherwise.</param>
internal readonly record struct SimdOpInfo(string Name, SimdImmediate Immediate, ValueType[] Params, ValueType? Result, byte Align, byte Lanes);

/// <summary>
/// Table of every WebAssembly 2.0 SIMD instruction (prefix 0xFD), indexed by opcode.
/// Source: WebAssembly spec <c>document/core/appendix/index-instructions.py</c> and
/// <c>proposals/simd/BinarySIMD.md</c>. All 2.0 SIMD opcodes are below 0x100; 236 of the 256 are assigned.
/// </summary>
internal static class SimdOpcodes
{
    /// <summary>Number of assigned SIMD opcodes in WebAssembly 2.0.</summary>
    public const int Count = 236;

    private static readonly ValueType[] NoParams = [];
    private static readonly ValueType[] I = [ValueType.I32];
    private static readonly ValueType[] V = [ValueType.V128];
    private static readonly ValueType[] VV = [ValueType.V128, ValueType.V128];
    private static readonly ValueType[] VVV = [ValueType.V128, ValueType.V128, ValueType.V128];
    private static readonly ValueType[] VI = [ValueType.V128, ValueType.I32];
    private static readonly ValueType[] IV = [ValueType.I32, ValueType.V128];

    private static readonly SimdOpInfo?[] Table = Build();

    /// <summary>Looks up a SIMD opcode (the u32 following the 0xFD prefix).</summary>
    public static bool TryGet(uint opcode, out SimdOpInfo info)
    {
        if (opcode < (uint)Table.Length && Table[opcode] is { } found)
        {
            info = found;
            return true;
        }
        info = default;
        return false;
    }

    private static SimdOpInfo?[] Build()
    {
        var t = new SimdOpInfo?[256];

        void Add(int op, string name, SimdImmediate imm, ValueType[] ps, ValueType? result, byte align, byte lanes)
        {
            if (t[op] is not null)
                throw new InvalidOperationException($"Duplicate SIMD opcode 0x{op:X2}");
            t[op] = new SimdOpInfo(name, imm, ps, result, align, lanes);
        }

        void Load(int op, string name, byte align) => Add(op, name, SimdImmediate.MemArg, I, ValueType.V128, align, 0);
        void Store(int op, string name, byte align) => Add(op, name, SimdImmediate.MemArg, IV, null, align, 0);
        void LoadLane(int op, string name, byte align, byte lanes) => Add(op, name, SimdImmediate.MemArgLane, IV, ValueType.V128, align, lanes);
        void StoreLane(int op, string name, byte align, byte lanes) => Add(op, name, SimdImmediate.MemArgLane, IV, null, align, lanes);
        void Splat(int op, string name, ValueType scalar) => Add(op, name, SimdImmediate.None, [scalar], ValueType.V128, 0, 0);
        void ExtractLane(int op, string name, byte lanes, ValueType result) => Add(op, name, SimdImmediate.Lane, V, result, 0, lanes);
        void ReplaceLane(int op, string name, byte lanes, ValueType scalar) => Add(op, name, SimdImmediate.Lane, [ValueType.V128, scalar], ValueType.V128, 0, lanes);
        void Unary(int op, string name) => Add(op, name, SimdImmediate.None, V, ValueType.V128, 0, 0);
        void Binary(int op, string name) => Add(op, name, SimdImmediate.None, VV, ValueType.V128, 0, 0);
        void Ternary(int op, string name) => Add(op, name, SimdImmediate.None, VVV, ValueType.V128, 0, 0);
        void Shift(int op, string name) => Add(op, name, SimdImmediate.None, VI, ValueType.V128, 0, 0);
        void Test(int op, string name) => Add(op, name, SimdImmediate.None, V, ValueType.I32, 0, 0);

        Load(0x00, "v128.load", 4);
        Load(0x01, "v128.load8x8_s", 3);
        Load(0x02, "v128.load8x8_u", 3);
        Load(0x03, "v128.load16x4_s", 3);
        Load(0x04, "v128.load16x4_u", 3);
        Load(0x05, "v128.load32x2_s", 3);
        Load(0x06, "v128.load32x2_u", 3);
        Load(0x07, "v128.load8_splat", 0);
        Load(0x08, "v128.load16_splat", 1);
        Load(0x09, "v128.load32_splat", 2);
        Load(0x0A, "v128.load64_splat", 3);
        Store(0x0B, "v128.store", 4);
        Add(0x0C, "v128.const", SimdImmediate.Bytes16, NoParams, ValueType.V128, 0, 0);
        Add(0x0D, "i8x16.shuffle", SimdImmediate.Shuffle, VV, ValueType.V128, 0, 32);
        Binary(0x0E, "i8x16.swizzle");
        Splat(0x0F, "i8x16.splat", ValueType.I32);
        Splat(0x10, "i16x8.splat", ValueType.I32);
        Splat(0x11, "i32x4.splat", ValueType.I32);
        Splat(0x12, "i64x2.splat", ValueType.I64);
        Splat(0x13, "f32x4.splat", ValueType.F32);
        Splat(0x14, "f64x2.splat", ValueType.F64);
        ExtractLane(0x15, "i8x16.extract_lane_s", 16, ValueType.I32);
        ExtractLane(0x16, "i8x16.extract_lane_u", 16, ValueType.I32);
        ReplaceLane(0x17, "i8x16.replace_lane", 16, ValueType.I32);
        ExtractLane(0x18, "i16x8.extract_lane_s", 8, ValueType.I32);
        ExtractLane(0x19, "i16x8.extract_lane_u", 8, ValueType.I32);
        ReplaceLane(0x1A, "i16x8.replace_lane", 8, ValueType.I32);
        ExtractLane(0x1B, "i32x4.extract_lane", 4, ValueType.I32);
        ReplaceLane(0x1C, "i32x4.replace_lane", 4, ValueType.I32);
        ExtractLane(0x1D, "i64x2.extract_lane", 2, ValueType.I64);
        ReplaceLane(0x1E, "i64x2.replace_lane", 2, ValueType.I64);
        ExtractLane(0x1F, "f32x4.extract_lane", 4, ValueType.F32);
        ReplaceLane(0x20, "f32x4.replace_lane", 4, ValueType.F32);
        ExtractLane(0x21, "f64x2.extract_lane", 2, ValueType.F64);
        ReplaceLane(0x22, "f64x2.replace_lane", 2, ValueType.F64);
        Binary(0x23, "i8x16.eq");
        Binary(0x24, "i8x16.ne");
        Binary(0x25, "i8x16.lt_s");
        Binary(0x26, "i8x16.lt_u");
        Binary(0x27, "i8x16.gt_s");
        Binary(0x28, "i8x16.gt_u");
        Binary(0x29, "i8x16.le_s");
        Binary(0x2A, "i8x16.le_u");
        Binary(0x2B, "i8x16.ge_s");
        Binary(0x2C, "i8x16.ge_u");
        Binary(0x2D, "i16x8.eq");
        Binary(0x2E, "i16x8.ne");
        Binary(0x2F, "i16x8.lt_s");
        Binary(0x30, "i16x8.lt_u");
        Binary(0x31, "i16x8.gt_s");
        Binary(0x32, "i16x8.gt_u");
        Binary(0x33, "i16x8.le_s");
        Binary(0x34, "i16x8.le_u");
        Binary(0x35, "i16x8.ge_s");
        Binary(0x36, "i16x8.ge_u");
        Binary(0x37, "i32x4.eq");
        Binary(0x38, "i32x4.ne");
        Binary(0x39, "i32x4.lt_s");
        Binary(0x3A, "i32x4.lt_u");
        Binary(0x3B, "i32x4.gt_s");
        Binary(0x3C, "i32x4.gt_u");
        Binary(0x3D, "i32x4.le_s");
        Binary(0x3E, "i32x4.le_u");
        Binary(0x3F, "i32x4.ge_s");
        Binary(0x40, "i32x4.ge_u");
        Binary(0x41, "f32x4.eq");
        Binary(0x42, "f32x4.ne");
        Binary(0x43, "f32x4.lt");
        Binary(0x44, "f32x4.gt");
        Binary(0x45, "f32x4.le");
        Binary(0x46, "f32x4.ge");
        Binary(0x47, "f64x2.eq");
        Binary(0x48, "f64x2.ne");
        Binary(0x49, "f64x2.lt");
        Binary(0x4A, "f64x2.gt");
        Binary(0x4B, "f64x2.le");
        Binary(0x4C, "f64x2.ge");
        Unary(0x4D, "v128.not");
        Binary(0x4E, "v128.and");
        Binary(0x4F, "v128.andnot");
        Binary(0x50, "v128.or");
        Binary(0x51, "v128.xor");
        Ternary(0x52, "v128.bitselect");
        Test(0x53, "v128.any_true");
        LoadLane(0x54, "v128.load8_lane", 0, 16);
        LoadLane(0x55, "v128.load16_lane", 1, 8);
        LoadLane(0x56, "v128.load32_lane", 2, 4);
        LoadLane(0x57, "v128.load64_lane", 3, 2);
        StoreLane(0x58, "v128.store8_lane", 0, 16);
        StoreLane(0x59, "v128.store16_lane", 1, 8);
        StoreLane(0x5A, "v128.store32_lane", 2, 4);
        StoreLane(0x5B, "v128.store64_lane", 3, 2);
        Load(0x5C, "v128.load32_zero", 2);
        Load(0x5D, "v128.load64_zero", 3);
        Unary(0x5E, "f32x4.demote_f64x2_zero");
        Unary(0x5F, "f64x2.promote_low_f32x4");
        Unary(0x60, "i8x16.abs");
        Unary(0x61, "i8x16.neg");
        Unary(0x62, "i8x16.popcnt");
        Test(0x63, "i8x16.all_true");
        Test(0x64, "i8x16.bitmask");
        Binary(0x65, "i8x16.narrow_i16x8_s");
        Binary(0x66, "i8x16.narrow_i16x8_u");
        Unary(0x67, "f32x4.ceil");
        Unary(0x68, "f32x4.floor");
        Unary(0x69, "f32x4.trunc");
        Unary(0x6A, "f32x4.nearest");
        Shift(0x6B, "i8x16.shl");
        Shift(0x6C, "i8x16.shr_s");
        Shift(0x6D, "i8x16.shr_u");
        Binary(0x6E, "i8x16.add");
        Binary(0x6F, "i8x16.add_sat_s");
        Binary(0x70, "i8x16.add_sat_u");
        Binary(0x71, "i8x16.sub");
        Binary(0x72, "i8x16.sub_sat_s");
        Binary(0x73, "i8x16.sub_sat_u");
        Unary(0x74, "f64x2.ceil");
        Unary(0x75, "f64x2.floor");
        Binary(0x76, "i8x16.min_s");
        Binary(0x77, "i8x16.min_u");
        Binary(0x78, "i8x16.max_s");
        Binary(0x79, "i8x16.max_u");
        Unary(0x7A, "f64x2.trunc");
        Binary(0x7B, "i8x16.avgr_u");
        Unary(0x7C, "i16x8.extadd_pairwise_i8x16_s");
        Unary(0x7D, "i16x8.extadd_pairwise_i8x16_u");
        Unary(0x7E, "i32x4.extadd_pairwise_i16x8_s");
        Unary(0x7F, "i32x4.extadd_pairwise_i16x8_u");
        Unary(0x80, "i16x8.abs");
        Unary(0x81, "i16x8.neg");
        Binary(0x82, "i16x8.q15mulr_sat_s");
        Test(0x83, "i16x8.all_true");
        Test(0x84, "i16x8.bitmask");
        Binary(0x85, "i16x8.narrow_i32x4_s");
        Binary(0x86, "i16x8.narrow_i32x4_u");
        Unary(0x87, "i16x8.extend_low_i8x16_s");
        Unary(0x88, "i16x8.extend_high_i8x16_s");
        Unary(0x89, "i16x8.extend_low_i8x16_u");
        Unary(0x8A, "i16x8.extend_high_i8x16_u");
        Shift(0x8B, "i16x8.shl");
        Shift(0x8C, "i16x8.shr_s");
        Shift(0x8D, "i16x8.shr_u");
        Binary(0x8E, "i16x8.add");
        Binary(0x8F, "i16x8.add_sat_s");
        Binary(0x90, "i16x8.add_sat_u");
        Binary(0x91, "i16x8.sub");
        Binary(0x92, "i16x8.sub_sat_s");
        Binary(0x93, "i16x8.sub_sat_u");
        Unary(0x94, "f64x2.nearest");
        Binary(0x95, "i16x8.mul");
        Binary(0x96, "i16x8.min_s");
        Binary(0x97, "i16x8.min_u");
        Binary(0x98, "i16x8.max_s");
        Binary(0x99, "i16x8.max_u");
        Binary(0x9B, "i16x8.avgr_u");
        Binary(0x9C, "i16x8.extmul_low_i8x16_s");
        Binary(0x9D, "i16x8.extmul_high_i8x16_s");
        Binary(0x9E, "i16x8.extmul_low_i8x16_u");
        Binary(0x9F, "i16x8.extmul_high_i8x16_u");
        Unary(0xA0, "i32x4.abs");
        Unary(0xA1, "i32x4.neg");
        Test(0xA3, "i32x4.all_true");
        Test(0xA4, "i32x4.bitmask");
        Unary(0xA7, "i32x4.extend_low_i16x8_s");
        Unary(0xA8, "i32x4.extend_high_i16x8_s");
        Unary(0xA9, "i32x4.extend_low_i16x8_u");
        Unary(0xAA, "i32x4.extend_high_i16x8_u");
        Shift(0xAB, "i32x4.shl");
        Shift(0xAC, "i32x4.shr_s");
        Shift(0xAD, "i32x4.shr_u");
        Binary(0xAE, "i32x4.add");
        Binary(0xB1, "i32x4.sub");
        Binary(0xB5, "i32x4.mul");
        Binary(0xB6, "i32x4.min_s");
        Binary(0xB7, "i32x4.min_u");
        Binary(0xB8, "i32x4.max_s");
        Binary(0xB9, "i32x4.max_u");
        Binary(0xBA, "i32x4.dot_i16x8_s");
        Binary(0xBC, "i32x4.extmul_low_i16x8_s");
        Binary(0xBD, "i32x4.extmul_high_i16x8_s");
        Binary(0xBE, "i32x4.extmul_low_i16x8_u");
        Binary(0xBF, "i32x4.extmul_high_i16x8_u");
        Unary(0xC0, "i64x2.abs");
        Unary(0xC1, "i64x2.neg");
        Test(0xC3, "i64x2.all_true");
        Test(0xC4, "i64x2.bitmask");
        Unary(0xC7, "i64x2.extend_low_i32x4_s");
        Unary(0xC8, "i64x2.extend_high_i32x4_s");
        Unary(0xC9, "i64x2.extend_low_i32x4_u");
        Unary(0xCA, "i64x2.extend_high_i32x4_u");
        Shift(0xCB, "i64x2.shl");
        Shift(0xCC, "i64x2.shr_s");
        Shift(0xCD, "i64x2.shr_u");
        Binary(0xCE, "i64x2.add");
        Binary(0xD1, "i64x2.sub");
        Binary(0xD5, "i64x2.mul");
        Binary(0xD6, "i64x2.eq");
        Binary(0xD7, "i64x2.ne");
        Binary(0xD8, "i64x2.lt_s");
        Binary(0xD9, "i64x2.gt_s");
        Binary(0xDA, "i64x2.le_s");
        Binary(0xDB, "i64x2.ge_s");
        Binary(0xDC, "i64x2.extmul_low_i32x4_s");
        Binary(0xDD, "i64x2.extmul_high_i32x4_s");
        Binary(0xDE, "i64x2.extmul_low_i32x4_u");
        Binary(0xDF, "i64x2.extmul_high_i32x4_u");
        Unary(0xE0, "f32x4.abs");
        Unary(0xE1, "f32x4.neg");
        Unary(0xE3, "f32x4.sqrt");
        Binary(0xE4, "f32x4.add");
        Binary(0xE5, "f32x4.sub");
        Binary(0xE6, "f32x4.mul");
        Binary(0xE7, "f32x4.div");
        Binary(0xE8, "f32x4.min");
        Binary(0xE9, "f32x4.max");
        Binary(0xEA, "f32x4.pmin");
        Binary(0xEB, "f32x4.pmax");
        Unary(0xEC, "f64x2.abs");
        Unary(0xED, "f64x2.neg");
        Unary(0xEF, "f64x2.sqrt");
        Binary(0xF0, "f64x2.add");
        Binary(0xF1, "f64x2.sub");
        Binary(0xF2, "f64x2.mul");
        Binary(0xF3, "f64x2.div");
        Binary(0xF4, "f64x2.min");
        Binary(0xF5, "f64x2.max");
        Binary(0xF6, "f64x2.pmin");
        Binary(0xF7, "f64x2.pmax");
        Unary(0xF8, "i32x4.trunc_sat_f32x4_s");
        Unary(0xF9, "i32x4.trunc_sat_f32x4_u");
        Unary(0xFA, "f32x4.convert_i32x4_s");
        Unary(0xFB, "f32x4.convert_i32x4_u");
        Unary(0xFC, "i32x4.trunc_sat_f64x2_s_zero");
        Unary(0xFD, "i32x4.trunc_sat_f64x2_u_zero");
        Unary(0xFE, "f64x2.convert_low_i32x4_s");
        Unary(0xFF, "f64x2.convert_low_i32x4_u");

        return t;
    }
}
