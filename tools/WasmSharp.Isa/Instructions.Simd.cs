namespace WasmSharp.Isa;

/// <summary>How the validator decodes one SIMD instruction (0xFD prefix): its immediates, operand and result types,
/// the natural alignment of a memory access and the lane count of a lane index.</summary>
public sealed record SimdDecode(int Opcode, string Text, string Immediate, string[] Params, string? Result, int Align, int Lanes);

/// <summary>The SIMD instructions of Wasm 2.0: how each is decoded (generated into the validator's SimdOpcodes) and
/// the register-code operation that runs it (v128 slots are pairs; <c>%name</c> is a pointer to the first).</summary>
public static partial class Instructions
{
    private static readonly List<SimdDecode> SimdList = new();

    /// <summary>Every SIMD opcode, with the operation that runs it (null for v128.const, a constant provider).</summary>
    public static IReadOnlyList<(SimdDecode Decode, Instr? Op)> Simd =>
        SimdList.Select(d => (d, List.FirstOrDefault(i => i.SimdOpcode == d.Opcode))).ToList();

    /// <summary>"i8x16.add_sat_s" → "I8x16AddSatS".</summary>
    private static string PascalOf(string text) =>
        string.Concat(text.Split('.', '_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    private static Instr SimdOp(int opcode, string text, string imm, string[] ps, string? result, int align, int lanes,
        string operands, string body, string doc, Props props = Props.KeepsMemoryFacts)
    {
        SimdList.Add(new SimdDecode(opcode, text, imm, ps, result, align, lanes));
        var instr = Add(PascalOf(text), operands, body, doc, props, display: text);
        instr.SimdOpcode = opcode;
        instr.Simd = true;
        return instr;
    }

    // Scalar slots to the SimdOps parameter types, and results back (i32 results zero-extended in their slot).
    private static string ScalarArg(string type) => type switch { "I32" => "(int)", "I64" => "(long)", "F32" => "(uint)", _ => "" };
    private static string ScalarResult(string type) => type switch { "I32" => "(uint)", "I64" => "(ulong)", _ => "" };

    private static readonly string[] V = ["V128"], VV = ["V128", "V128"], VVV = ["V128", "V128", "V128"];

    private static void SimdInstructions()
    {
        // Loads: [dst, addr, offset]; what the access reads, then how it becomes a vector.
        void Load(int op, string text, int align, int size, string make)
        {
            string read = size switch
            {
                1 => "_mem[ea]", 2 => "Unsafe.ReadUnaligned<ushort>(_mem + ea)", 4 => "Unsafe.ReadUnaligned<uint>(_mem + ea)",
                8 => "Unsafe.ReadUnaligned<ulong>(_mem + ea)", _ => "Vector128.Load(_mem + ea)",
            };
            SimdOp(op, text, "MemArg", ["I32"], "V128", align, 0, "d:dst s:addr o:offset",
                $"{Ea("$addr", "$offset", size)} StoreV(%dst, {string.Format(make, read)});", $"{text}: {size} bytes at addr + offset.");
        }
        void Store(int op, string text, int align) =>
            SimdOp(op, text, "MemArg", ["I32", "V128"], null, align, 0, "s:addr s:value o:offset",
                $"{Ea("$addr", "$offset", 16)} LoadV(%value).Store(_mem + ea);", $"{text}: 16 bytes at addr + offset.", Props.None);
        void LoadLane(int op, string text, int align, int lanes)
        {
            int size = 16 / lanes;
            string read = size switch { 1 => "_mem[ea]", 2 => "Unsafe.ReadUnaligned<ushort>(_mem + ea)", 4 => "Unsafe.ReadUnaligned<uint>(_mem + ea)", _ => "Unsafe.ReadUnaligned<ulong>(_mem + ea)" };
            SimdOp(op, text, "MemArgLane", ["I32", "V128"], "V128", align, lanes, "d:dst s:addr s:vec o:offset i:lane",
                $"{Ea("$addr", "$offset", size)} StoreV(%dst, SimdOps.Load{size * 8}Lane(LoadV(%vec), $lane, {read}));",
                $"{text}: vec with lane replaced by {size} bytes at addr + offset.");
        }
        void StoreLane(int op, string text, int align, int lanes)
        {
            int size = 16 / lanes;
            string value = $"SimdOps.Store{size * 8}Lane(LoadV(%vec), $lane)";
            string write = size == 1 ? $"_mem[ea] = {value}" : $"Unsafe.WriteUnaligned(_mem + ea, {value})";
            SimdOp(op, text, "MemArgLane", ["I32", "V128"], null, align, lanes, "s:addr s:vec o:offset i:lane",
                $"{Ea("$addr", "$offset", size)} {write};", $"{text}: lane of vec, {size} bytes at addr + offset.", Props.None);
        }
        void Splat(int op, string text, string scalar) =>
            SimdOp(op, text, "None", [scalar], "V128", 0, 0, "d:dst s:x",
                $"StoreV(%dst, SimdOps.{PascalOf(text)}({ScalarArg(scalar)}$x));", $"{text}.");
        void ExtractLane(int op, string text, int lanes, string result) =>
            SimdOp(op, text, "Lane", V, result, 0, lanes, "d:dst s:a i:lane",
                $"$dst = {ScalarResult(result)}SimdOps.{PascalOf(text)}(LoadV(%a), $lane);", $"{text}.");
        void ReplaceLane(int op, string text, int lanes, string scalar) =>
            SimdOp(op, text, "Lane", ["V128", scalar], "V128", 0, lanes, "d:dst s:a s:x i:lane",
                $"StoreV(%dst, SimdOps.{PascalOf(text)}(LoadV(%a), $lane, {ScalarArg(scalar)}$x));", $"{text}.");
        void Unary(int op, string text) =>
            SimdOp(op, text, "None", V, "V128", 0, 0, "d:dst s:a", $"StoreV(%dst, SimdOps.{PascalOf(text)}(LoadV(%a)));", $"{text}.");
        void Binary(int op, string text) =>
            SimdOp(op, text, "None", VV, "V128", 0, 0, "d:dst s:a s:b",
                $"StoreV(%dst, SimdOps.{PascalOf(text)}(LoadV(%a), LoadV(%b)));", $"{text}.");
        void Ternary(int op, string text) =>
            SimdOp(op, text, "None", VVV, "V128", 0, 0, "d:dst s:a s:b s:c",
                $"StoreV(%dst, SimdOps.{PascalOf(text)}(LoadV(%a), LoadV(%b), LoadV(%c)));", $"{text}.");
        void Shift(int op, string text) =>
            SimdOp(op, text, "None", ["V128", "I32"], "V128", 0, 0, "d:dst s:a s:count",
                $"StoreV(%dst, SimdOps.{PascalOf(text)}(LoadV(%a), (int)$count));", $"{text}.");
        void Test(int op, string text) =>
            SimdOp(op, text, "None", V, "I32", 0, 0, "d:dst s:a", $"$dst = (uint)SimdOps.{PascalOf(text)}(LoadV(%a));", $"{text}.");

        Load(0x00, "v128.load", 4, 16, "{0}");
        Load(0x01, "v128.load8x8_s", 3, 8, "SimdOps.Load8x8S({0})");
        Load(0x02, "v128.load8x8_u", 3, 8, "SimdOps.Load8x8U({0})");
        Load(0x03, "v128.load16x4_s", 3, 8, "SimdOps.Load16x4S({0})");
        Load(0x04, "v128.load16x4_u", 3, 8, "SimdOps.Load16x4U({0})");
        Load(0x05, "v128.load32x2_s", 3, 8, "SimdOps.Load32x2S({0})");
        Load(0x06, "v128.load32x2_u", 3, 8, "SimdOps.Load32x2U({0})");
        Load(0x07, "v128.load8_splat", 0, 1, "SimdOps.Load8Splat({0})");
        Load(0x08, "v128.load16_splat", 1, 2, "SimdOps.Load16Splat({0})");
        Load(0x09, "v128.load32_splat", 2, 4, "SimdOps.Load32Splat({0})");
        Load(0x0A, "v128.load64_splat", 3, 8, "SimdOps.Load64Splat({0})");
        Store(0x0B, "v128.store", 4);
        // v128.const is a constant provider, like i32.const: no operation.
        SimdList.Add(new SimdDecode(0x0C, "v128.const", "Bytes16", [], "V128", 0, 0));
        // The lane indices are a v128 constant: one slot operand instead of 16 immediates.
        SimdOp(0x0D, "i8x16.shuffle", "Shuffle", VV, "V128", 0, 32, "d:dst s:a s:b s:lanes",
            "StoreV(%dst, SimdOps.I8x16Shuffle(LoadV(%a), LoadV(%b), LoadV(%lanes)));", "i8x16.shuffle (lanes: the 16 indices, a constant).");
        Binary(0x0E, "i8x16.swizzle");
        Splat(0x0F, "i8x16.splat", "I32");
        Splat(0x10, "i16x8.splat", "I32");
        Splat(0x11, "i32x4.splat", "I32");
        Splat(0x12, "i64x2.splat", "I64");
        Splat(0x13, "f32x4.splat", "F32");
        Splat(0x14, "f64x2.splat", "F64");
        ExtractLane(0x15, "i8x16.extract_lane_s", 16, "I32");
        ExtractLane(0x16, "i8x16.extract_lane_u", 16, "I32");
        ReplaceLane(0x17, "i8x16.replace_lane", 16, "I32");
        ExtractLane(0x18, "i16x8.extract_lane_s", 8, "I32");
        ExtractLane(0x19, "i16x8.extract_lane_u", 8, "I32");
        ReplaceLane(0x1A, "i16x8.replace_lane", 8, "I32");
        ExtractLane(0x1B, "i32x4.extract_lane", 4, "I32");
        ReplaceLane(0x1C, "i32x4.replace_lane", 4, "I32");
        ExtractLane(0x1D, "i64x2.extract_lane", 2, "I64");
        ReplaceLane(0x1E, "i64x2.replace_lane", 2, "I64");
        ExtractLane(0x1F, "f32x4.extract_lane", 4, "F32");
        ReplaceLane(0x20, "f32x4.replace_lane", 4, "F32");
        ExtractLane(0x21, "f64x2.extract_lane", 2, "F64");
        ReplaceLane(0x22, "f64x2.replace_lane", 2, "F64");
        int code = 0x23;
        foreach (var shape in new[] { "i8x16", "i16x8", "i32x4" })
            foreach (var cmp in new[] { "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u" })
                Binary(code++, $"{shape}.{cmp}");
        foreach (var shape in new[] { "f32x4", "f64x2" })
            foreach (var cmp in new[] { "eq", "ne", "lt", "gt", "le", "ge" })
                Binary(code++, $"{shape}.{cmp}");
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
        Load(0x5C, "v128.load32_zero", 2, 4, "SimdOps.Load32Zero({0})");
        Load(0x5D, "v128.load64_zero", 3, 8, "SimdOps.Load64Zero({0})");
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

        // Moving v128 values (a pair of slots): locals, block results, select, globals.
        Add("CopyV128", "d:dst s:src", "StoreV(%dst, LoadV(%src));", "dst = src (v128).", Props.KeepsMemoryFacts).Simd = true;
        Add("SelectV128", "d:dst s:cond s:a s:b", "StoreV(%dst, (uint)$cond != 0 ? LoadV(%a) : LoadV(%b));", "dst = cond ? a : b (v128).",
            Props.KeepsMemoryFacts).Simd = true;
        Add("GlobalGetV128", "d:dst i:global", "StoreV(%dst, LoadV(_globals[$global]));",
            "dst = global (v128).", Props.KeepsMemoryFacts).Simd = true;
        Add("GlobalSetV128", "i:global s:src", "StoreV(_globals[$global], LoadV(%src));",
            "global = src (v128).", Props.KeepsMemoryFacts).Simd = true;
    }
}
