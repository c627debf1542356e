namespace WasmSharp.Isa;

/// <summary>The Wasm numeric instructions (0x45..0xC4, and the saturating truncations 0xFC 0..7): one operation
/// each, [dst, a] or [dst, a, b], named as in the text format.</summary>
public static partial class Instructions
{
    private static void Unary(int wasm, string name, string display, string expr, Props props = Props.None, int signExtended = 0) =>
        Add(name, "d:dst s:a", $"$dst = {expr};", $"{display}.", Keeps | props, display: display, wasm: wasm, signExtended: signExtended,
            family: "Unary");

    private static Instr Binary(int wasm, string name, string display, string expr, Props props = Props.None) =>
        Add(name, "d:dst s:a s:b", $"$dst = {expr};", $"{display}.", Keeps | props, display: display, wasm: wasm, family: "Binary");

    private static void Numeric()
    {
        // i32 and i64 comparisons, in Wasm's order (eqz, then IntCompares).
        foreach (var (bits, first, u, s) in new[] { ("32", 0x45, "uint", "int"), ("64", 0x50, "ulong", "long") })
        {
            Unary(first, $"I{bits}Eqz", $"i{bits}.eqz", $"({u})$a == 0 ? 1UL : 0UL", Props.Boolean);
            for (int c = 0; c < IntCompares.Length; c++)
            {
                var (name, signed, op) = IntCompares[c];
                string t = signed ? s : u;
                string display = $"i{bits}.{Text(name)}";
                var cmp = Binary(first + 1 + c, $"I{bits}{name}", display, $"({t})$a {op} ({t})$b ? 1UL : 0UL", Props.Boolean);
                cmp.Rel["BranchForm"] = $"BrI{bits}{name}";
                if (bits == "32") cmp.Rel["SelectForm"] = $"SelectI32{name}";
            }
        }
        Get("I32Eqz").Rel["BranchForm"] = "BrIfEqz";
        foreach (var (bits, first, conv) in new[] { ("32", 0x5B, "F32"), ("64", 0x61, "F64") })
            for (int c = 0; c < FloatCompares.Length; c++)
            {
                var (name, op) = FloatCompares[c];
                var cmp = Binary(first + c, $"F{bits}{name}", $"f{bits}.{name.ToLowerInvariant()}", $"{conv}($a) {op} {conv}($b) ? 1UL : 0UL", Props.Boolean);
                cmp.Rel["BranchForm"] = $"BrF{bits}{name}";
            }

        Unary(0x67, "I32Clz", "i32.clz", "Clz((uint)$a)");
        Unary(0x68, "I32Ctz", "i32.ctz", "Ctz((uint)$a)");
        Unary(0x69, "I32Popcnt", "i32.popcnt", "Popcnt((uint)$a)");
        Binary(0x6A, "I32Add", "i32.add", "(uint)$a + (uint)$b");
        Binary(0x6B, "I32Sub", "i32.sub", "(uint)$a - (uint)$b");
        Binary(0x6C, "I32Mul", "i32.mul", "(uint)$a * (uint)$b");
        Binary(0x6D, "I32DivS", "i32.div_s", "(uint)DivS((int)$a, (int)$b)");
        Binary(0x6E, "I32DivU", "i32.div_u", "DivU((uint)$a, (uint)$b)");
        Binary(0x6F, "I32RemS", "i32.rem_s", "(uint)RemS((int)$a, (int)$b)");
        Binary(0x70, "I32RemU", "i32.rem_u", "RemU((uint)$a, (uint)$b)");
        Binary(0x71, "I32And", "i32.and", "(uint)$a & (uint)$b").Rel["BranchForm"] = "BrI32AndNz";
        Binary(0x72, "I32Or", "i32.or", "(uint)$a | (uint)$b");
        Binary(0x73, "I32Xor", "i32.xor", "(uint)$a ^ (uint)$b");
        Binary(0x74, "I32Shl", "i32.shl", "(uint)$a << (int)$b");
        Binary(0x75, "I32ShrS", "i32.shr_s", "(uint)((int)$a >> (int)$b)");
        Binary(0x76, "I32ShrU", "i32.shr_u", "(uint)$a >> (int)$b");
        Binary(0x77, "I32Rotl", "i32.rotl", "BitOperations.RotateLeft((uint)$a, (int)$b)");
        Binary(0x78, "I32Rotr", "i32.rotr", "BitOperations.RotateRight((uint)$a, (int)$b)");

        Unary(0x79, "I64Clz", "i64.clz", "Clz($a)");
        Unary(0x7A, "I64Ctz", "i64.ctz", "Ctz($a)");
        Unary(0x7B, "I64Popcnt", "i64.popcnt", "Popcnt($a)");
        Binary(0x7C, "I64Add", "i64.add", "$a + $b");
        Binary(0x7D, "I64Sub", "i64.sub", "$a - $b");
        Binary(0x7E, "I64Mul", "i64.mul", "$a * $b");
        Binary(0x7F, "I64DivS", "i64.div_s", "(ulong)DivS((long)$a, (long)$b)");
        Binary(0x80, "I64DivU", "i64.div_u", "DivU($a, $b)");
        Binary(0x81, "I64RemS", "i64.rem_s", "(ulong)RemS((long)$a, (long)$b)");
        Binary(0x82, "I64RemU", "i64.rem_u", "RemU($a, $b)");
        Binary(0x83, "I64And", "i64.and", "$a & $b");
        Binary(0x84, "I64Or", "i64.or", "$a | $b");
        Binary(0x85, "I64Xor", "i64.xor", "$a ^ $b");
        Binary(0x86, "I64Shl", "i64.shl", "$a << (int)$b");
        Binary(0x87, "I64ShrS", "i64.shr_s", "(ulong)((long)$a >> (int)$b)");
        Binary(0x88, "I64ShrU", "i64.shr_u", "$a >> (int)$b");
        Binary(0x89, "I64Rotl", "i64.rotl", "BitOperations.RotateLeft($a, (int)$b)");
        Binary(0x8A, "I64Rotr", "i64.rotr", "BitOperations.RotateRight($a, (int)$b)");

        foreach (var (bits, first, conv, math, sign, magnitude, mask) in new[]
                 {
                     ("32", 0x8B, "F32", "MathF", "0x8000_0000u", "0x7FFF_FFFFu", "(uint)"),
                     ("64", 0x99, "F64", "Math", "0x8000_0000_0000_0000UL", "0x7FFF_FFFF_FFFF_FFFFUL", ""),
                 })
        {
            string f = $"f{bits}";
            // abs, neg and copysign are bit operations: NaN payloads pass through.
            Unary(first, $"F{bits}Abs", $"{f}.abs", $"{mask}$a & {magnitude}");
            Unary(first + 1, $"F{bits}Neg", $"{f}.neg", $"{mask}$a ^ {sign}");
            Unary(first + 2, $"F{bits}Ceil", $"{f}.ceil", $"Bits(Ceil({conv}($a)))");
            Unary(first + 3, $"F{bits}Floor", $"{f}.floor", $"Bits(Floor({conv}($a)))");
            Unary(first + 4, $"F{bits}Trunc", $"{f}.trunc", $"Bits(Trunc({conv}($a)))");
            Unary(first + 5, $"F{bits}Nearest", $"{f}.nearest", $"Bits(Nearest({conv}($a)))");
            Unary(first + 6, $"F{bits}Sqrt", $"{f}.sqrt", $"Bits({math}.Sqrt({conv}($a)))");
            Binary(first + 7, $"F{bits}Add", $"{f}.add", $"Bits({conv}($a) + {conv}($b))");
            Binary(first + 8, $"F{bits}Sub", $"{f}.sub", $"Bits({conv}($a) - {conv}($b))");
            Binary(first + 9, $"F{bits}Mul", $"{f}.mul", $"Bits({conv}($a) * {conv}($b))");
            Binary(first + 10, $"F{bits}Div", $"{f}.div", $"Bits({conv}($a) / {conv}($b))");
            Binary(first + 11, $"F{bits}Min", $"{f}.min", $"Bits(Min({conv}($a), {conv}($b)))");
            Binary(first + 12, $"F{bits}Max", $"{f}.max", $"Bits(Max({conv}($a), {conv}($b)))");
            Binary(first + 13, $"F{bits}Copysign", $"{f}.copysign", $"({mask}$a & {magnitude}) | ({mask}$b & {sign})");
        }

        Unary(0xA7, "I32WrapI64", "i32.wrap_i64", "(uint)$a");
        Unary(0xA8, "I32TruncF32S", "i32.trunc_f32_s", "(uint)I32TruncS(F32($a))");
        Unary(0xA9, "I32TruncF32U", "i32.trunc_f32_u", "I32TruncU(F32($a))");
        Unary(0xAA, "I32TruncF64S", "i32.trunc_f64_s", "(uint)I32TruncS(F64($a))");
        Unary(0xAB, "I32TruncF64U", "i32.trunc_f64_u", "I32TruncU(F64($a))");
        Unary(0xAC, "I64ExtendI32S", "i64.extend_i32_s", "(ulong)(long)(int)$a");
        Unary(0xAD, "I64ExtendI32U", "i64.extend_i32_u", "(uint)$a");
        Unary(0xAE, "I64TruncF32S", "i64.trunc_f32_s", "(ulong)I64TruncS(F32($a))");
        Unary(0xAF, "I64TruncF32U", "i64.trunc_f32_u", "I64TruncU(F32($a))");
        Unary(0xB0, "I64TruncF64S", "i64.trunc_f64_s", "(ulong)I64TruncS(F64($a))");
        Unary(0xB1, "I64TruncF64U", "i64.trunc_f64_u", "I64TruncU(F64($a))");
        Unary(0xB2, "F32ConvertI32S", "f32.convert_i32_s", "Bits((float)(int)$a)");
        Unary(0xB3, "F32ConvertI32U", "f32.convert_i32_u", "Bits((float)(uint)$a)");
        Unary(0xB4, "F32ConvertI64S", "f32.convert_i64_s", "Bits((float)(long)$a)");
        Unary(0xB5, "F32ConvertI64U", "f32.convert_i64_u", "Bits(U64ToF32($a))");
        Unary(0xB6, "F32DemoteF64", "f32.demote_f64", "Bits((float)F64($a))");
        Unary(0xB7, "F64ConvertI32S", "f64.convert_i32_s", "Bits((double)(int)$a)");
        Unary(0xB8, "F64ConvertI32U", "f64.convert_i32_u", "Bits((double)(uint)$a)");
        Unary(0xB9, "F64ConvertI64S", "f64.convert_i64_s", "Bits((double)(long)$a)");
        Unary(0xBA, "F64ConvertI64U", "f64.convert_i64_u", "Bits(U64ToF64($a))");
        Unary(0xBB, "F64PromoteF32", "f64.promote_f32", "Bits((double)F32($a))");
        // The translator never emits these (the validator retypes the provider), but they are Wasm operations.
        Unary(0xBC, "I32ReinterpretF32", "i32.reinterpret_f32", "$a");
        Unary(0xBD, "I64ReinterpretF64", "i64.reinterpret_f64", "$a");
        Unary(0xBE, "F32ReinterpretI32", "f32.reinterpret_i32", "$a");
        Unary(0xBF, "F64ReinterpretI64", "f64.reinterpret_i64", "$a");
        Unary(0xC0, "I32Extend8S", "i32.extend8_s", "(uint)(int)(sbyte)$a", signExtended: 8);
        Unary(0xC1, "I32Extend16S", "i32.extend16_s", "(uint)(int)(short)$a", signExtended: 16);
        Unary(0xC2, "I64Extend8S", "i64.extend8_s", "(ulong)(long)(sbyte)$a", signExtended: 8);
        Unary(0xC3, "I64Extend16S", "i64.extend16_s", "(ulong)(long)(short)$a", signExtended: 16);
        Unary(0xC4, "I64Extend32S", "i64.extend32_s", "(ulong)(long)(int)$a", signExtended: 32);

        // 0xFC 0..7. The disassembler names them by their operation, as before.
        string[] sat = ["I32TruncSatF32S", "I32TruncSatF32U", "I32TruncSatF64S", "I32TruncSatF64U",
                        "I64TruncSatF32S", "I64TruncSatF32U", "I64TruncSatF64S", "I64TruncSatF64U"];
        for (int i = 0; i < sat.Length; i++)
        {
            string name = sat[i];
            bool i64 = name.StartsWith("I64"), signed = name.EndsWith('S');
            string conv = name.Contains("F32") ? "F32" : "F64";
            string call = $"{(i64 ? "I64" : "I32")}TruncSat{(signed ? "S" : "U")}({conv}($a))";
            string expr = signed ? $"({(i64 ? "ulong" : "uint")}){call}" : call;
            Add(name, "d:dst s:a", $"$dst = {expr};", $"The saturating truncation 0xFC {i}.", Keeps, wasm: 0xFC00 + i, family: "Unary");
        }

        Get("I32Add").Rel["StoreForm"] = "I32AddStore";
        Get("I32Xor").Rel["StoreForm"] = "I32XorStore";
        Get("F64Add").Rel["StoreForm"] = "F64AddStore";
        Get("F64Mul").Rel["StoreForm"] = "F64MulStore";
        Get("I32Load").Rel["StoreForm"] = "I32LoadStore";
        foreach (var op in new[] { "I32Add", "I32Sub" }) Get(op).Rel["ImmediateForm"] = "I32AddImm";
        foreach (var op in new[] { "I64Add", "I64Sub" }) Get(op).Rel["ImmediateForm"] = "I64AddImm";
    }

    /// <summary>"LtS" → "lt_s", "Eq" → "eq".</summary>
    private static string Text(string name) =>
        name.Length == 3 ? $"{char.ToLowerInvariant(name[0])}{name[1]}_{char.ToLowerInvariant(name[2])}" : name.ToLowerInvariant();
}
