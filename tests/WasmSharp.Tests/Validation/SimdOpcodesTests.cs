using WasmSharp.Validation;

namespace WasmSharp.Tests.Validation;

public class SimdOpcodesTests
{
    private const ValueType I32 = ValueType.I32;
    private const ValueType I64 = ValueType.I64;
    private const ValueType F32 = ValueType.F32;
    private const ValueType F64 = ValueType.F64;
    private const ValueType V128 = ValueType.V128;

    /// <summary>Opcodes below 0x100 left unassigned by the Wasm 2.0 spec (index-instructions.py / BinarySIMD.md).</summary>
    private static readonly uint[] Unassigned =
    [
        0x9A, 0xA2, 0xA5, 0xA6, 0xAF, 0xB0, 0xB2, 0xB3, 0xB4, 0xBB,
        0xC2, 0xC5, 0xC6, 0xCF, 0xD0, 0xD2, 0xD3, 0xD4, 0xE2, 0xEE,
    ];

    private static SimdOpInfo Get(uint opcode)
    {
        Assert.True(SimdOpcodes.TryGet(opcode, out var info), $"opcode 0x{opcode:X2} missing");
        return info;
    }

    private static void AssertOp(uint opcode, string name, SimdImmediate imm, ValueType[] ps, ValueType? result, byte align = 0, byte lanes = 0)
    {
        var info = Get(opcode);
        Assert.Equal(name, info.Name);
        Assert.Equal(imm, info.Immediate);
        Assert.Equal(ps, info.Params);
        Assert.Equal(result, info.Result);
        Assert.Equal(align, info.Align);
        Assert.Equal(lanes, info.Lanes);
    }

    [Fact]
    public void ExactlyTheSpecOpcodesAreAssigned()
    {
        int count = 0;
        for (uint op = 0; op < 0x100; op++)
        {
            bool present = SimdOpcodes.TryGet(op, out _);
            Assert.True(present != Unassigned.Contains(op), $"opcode 0x{op:X2}: present={present}");
            if (present) count++;
        }
        Assert.Equal(236, count);
        Assert.Equal(256 - Unassigned.Length, count);
        Assert.Equal(SimdOpcodes.Count, count);
    }

    [Theory]
    [InlineData(0x9Au)]
    [InlineData(0xBBu)]
    [InlineData(0xEEu)]
    [InlineData(0x100u)] // relaxed SIMD (Wasm 3.0) is not part of 2.0
    [InlineData(0x113u)]
    [InlineData(0x1000u)]
    [InlineData(uint.MaxValue)]
    public void UnassignedOrOutOfRangeReturnsFalse(uint opcode)
    {
        Assert.False(SimdOpcodes.TryGet(opcode, out var info));
        Assert.Equal(default, info);
    }

    [Fact]
    public void NamesAreUniqueAndWellFormed()
    {
        var names = new HashSet<string>();
        for (uint op = 0; op < 0x100; op++)
        {
            if (!SimdOpcodes.TryGet(op, out var info)) continue;
            Assert.True(names.Add(info.Name), $"duplicate name {info.Name}");
            Assert.Matches(@"^(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.[a-z0-9_]+$", info.Name);
            Assert.NotNull(info.Params);
            bool memory = info.Immediate is SimdImmediate.MemArg or SimdImmediate.MemArgLane;
            Assert.Equal(memory, info.Name.StartsWith("v128.load", StringComparison.Ordinal) || info.Name.StartsWith("v128.store", StringComparison.Ordinal));
            if (memory) Assert.InRange(info.Align, 0, 4);
            else Assert.Equal(0, info.Align);
            bool lanes = info.Immediate is SimdImmediate.Lane or SimdImmediate.MemArgLane or SimdImmediate.Shuffle;
            Assert.Equal(lanes, info.Lanes != 0);
        }
        Assert.Equal(236, names.Count);
    }

    [Fact]
    public void MemoryInstructions()
    {
        AssertOp(0x00, "v128.load", SimdImmediate.MemArg, [I32], V128, align: 4);
        AssertOp(0x01, "v128.load8x8_s", SimdImmediate.MemArg, [I32], V128, align: 3);
        AssertOp(0x06, "v128.load32x2_u", SimdImmediate.MemArg, [I32], V128, align: 3);
        AssertOp(0x07, "v128.load8_splat", SimdImmediate.MemArg, [I32], V128, align: 0);
        AssertOp(0x08, "v128.load16_splat", SimdImmediate.MemArg, [I32], V128, align: 1);
        AssertOp(0x09, "v128.load32_splat", SimdImmediate.MemArg, [I32], V128, align: 2);
        AssertOp(0x0A, "v128.load64_splat", SimdImmediate.MemArg, [I32], V128, align: 3);
        AssertOp(0x0B, "v128.store", SimdImmediate.MemArg, [I32, V128], null, align: 4);
        AssertOp(0x54, "v128.load8_lane", SimdImmediate.MemArgLane, [I32, V128], V128, align: 0, lanes: 16);
        AssertOp(0x55, "v128.load16_lane", SimdImmediate.MemArgLane, [I32, V128], V128, align: 1, lanes: 8);
        AssertOp(0x56, "v128.load32_lane", SimdImmediate.MemArgLane, [I32, V128], V128, align: 2, lanes: 4);
        AssertOp(0x57, "v128.load64_lane", SimdImmediate.MemArgLane, [I32, V128], V128, align: 3, lanes: 2);
        AssertOp(0x58, "v128.store8_lane", SimdImmediate.MemArgLane, [I32, V128], null, align: 0, lanes: 16);
        AssertOp(0x5B, "v128.store64_lane", SimdImmediate.MemArgLane, [I32, V128], null, align: 3, lanes: 2);
        AssertOp(0x5C, "v128.load32_zero", SimdImmediate.MemArg, [I32], V128, align: 2);
        AssertOp(0x5D, "v128.load64_zero", SimdImmediate.MemArg, [I32], V128, align: 3);
    }

    [Fact]
    public void ConstShuffleSplatAndLanes()
    {
        AssertOp(0x0C, "v128.const", SimdImmediate.Bytes16, [], V128);
        AssertOp(0x0D, "i8x16.shuffle", SimdImmediate.Shuffle, [V128, V128], V128, lanes: 32);
        AssertOp(0x0E, "i8x16.swizzle", SimdImmediate.None, [V128, V128], V128);
        AssertOp(0x0F, "i8x16.splat", SimdImmediate.None, [I32], V128);
        AssertOp(0x12, "i64x2.splat", SimdImmediate.None, [I64], V128);
        AssertOp(0x13, "f32x4.splat", SimdImmediate.None, [F32], V128);
        AssertOp(0x14, "f64x2.splat", SimdImmediate.None, [F64], V128);
        AssertOp(0x15, "i8x16.extract_lane_s", SimdImmediate.Lane, [V128], I32, lanes: 16);
        AssertOp(0x17, "i8x16.replace_lane", SimdImmediate.Lane, [V128, I32], V128, lanes: 16);
        AssertOp(0x19, "i16x8.extract_lane_u", SimdImmediate.Lane, [V128], I32, lanes: 8);
        AssertOp(0x1B, "i32x4.extract_lane", SimdImmediate.Lane, [V128], I32, lanes: 4);
        AssertOp(0x1D, "i64x2.extract_lane", SimdImmediate.Lane, [V128], I64, lanes: 2);
        AssertOp(0x1E, "i64x2.replace_lane", SimdImmediate.Lane, [V128, I64], V128, lanes: 2);
        AssertOp(0x1F, "f32x4.extract_lane", SimdImmediate.Lane, [V128], F32, lanes: 4);
        AssertOp(0x20, "f32x4.replace_lane", SimdImmediate.Lane, [V128, F32], V128, lanes: 4);
        AssertOp(0x21, "f64x2.extract_lane", SimdImmediate.Lane, [V128], F64, lanes: 2);
        AssertOp(0x22, "f64x2.replace_lane", SimdImmediate.Lane, [V128, F64], V128, lanes: 2);
    }

    [Theory]
    [InlineData(0x23u, "i8x16.eq")]
    [InlineData(0x40u, "i32x4.ge_u")]
    [InlineData(0x4Cu, "f64x2.ge")]
    [InlineData(0x4Eu, "v128.and")]
    [InlineData(0x4Fu, "v128.andnot")]
    [InlineData(0x51u, "v128.xor")]
    [InlineData(0x65u, "i8x16.narrow_i16x8_s")]
    [InlineData(0x86u, "i16x8.narrow_i32x4_u")]
    [InlineData(0x6Fu, "i8x16.add_sat_s")]
    [InlineData(0x7Bu, "i8x16.avgr_u")]
    [InlineData(0x82u, "i16x8.q15mulr_sat_s")]
    [InlineData(0x95u, "i16x8.mul")]
    [InlineData(0x9Bu, "i16x8.avgr_u")]
    [InlineData(0x9Cu, "i16x8.extmul_low_i8x16_s")]
    [InlineData(0xBAu, "i32x4.dot_i16x8_s")]
    [InlineData(0xBFu, "i32x4.extmul_high_i16x8_u")]
    [InlineData(0xD5u, "i64x2.mul")]
    [InlineData(0xD6u, "i64x2.eq")]
    [InlineData(0xDBu, "i64x2.ge_s")]
    [InlineData(0xDFu, "i64x2.extmul_high_i32x4_u")]
    [InlineData(0xEAu, "f32x4.pmin")]
    [InlineData(0xF7u, "f64x2.pmax")]
    public void BinaryOps(uint opcode, string name) => AssertOp(opcode, name, SimdImmediate.None, [V128, V128], V128);

    [Theory]
    [InlineData(0x4Du, "v128.not")]
    [InlineData(0x5Eu, "f32x4.demote_f64x2_zero")]
    [InlineData(0x5Fu, "f64x2.promote_low_f32x4")]
    [InlineData(0x60u, "i8x16.abs")]
    [InlineData(0x62u, "i8x16.popcnt")]
    [InlineData(0x67u, "f32x4.ceil")]
    [InlineData(0x6Au, "f32x4.nearest")]
    [InlineData(0x74u, "f64x2.ceil")]
    [InlineData(0x7Au, "f64x2.trunc")]
    [InlineData(0x94u, "f64x2.nearest")]
    [InlineData(0x7Cu, "i16x8.extadd_pairwise_i8x16_s")]
    [InlineData(0x7Fu, "i32x4.extadd_pairwise_i16x8_u")]
    [InlineData(0x87u, "i16x8.extend_low_i8x16_s")]
    [InlineData(0xCAu, "i64x2.extend_high_i32x4_u")]
    [InlineData(0xC1u, "i64x2.neg")]
    [InlineData(0xE3u, "f32x4.sqrt")]
    [InlineData(0xEFu, "f64x2.sqrt")]
    [InlineData(0xF8u, "i32x4.trunc_sat_f32x4_s")]
    [InlineData(0xFBu, "f32x4.convert_i32x4_u")]
    [InlineData(0xFCu, "i32x4.trunc_sat_f64x2_s_zero")]
    [InlineData(0xFDu, "i32x4.trunc_sat_f64x2_u_zero")]
    [InlineData(0xFEu, "f64x2.convert_low_i32x4_s")]
    [InlineData(0xFFu, "f64x2.convert_low_i32x4_u")]
    public void UnaryOps(uint opcode, string name) => AssertOp(opcode, name, SimdImmediate.None, [V128], V128);

    [Theory]
    [InlineData(0x53u, "v128.any_true")]
    [InlineData(0x63u, "i8x16.all_true")]
    [InlineData(0x64u, "i8x16.bitmask")]
    [InlineData(0x83u, "i16x8.all_true")]
    [InlineData(0xA4u, "i32x4.bitmask")]
    [InlineData(0xC3u, "i64x2.all_true")]
    [InlineData(0xC4u, "i64x2.bitmask")]
    public void TestOps(uint opcode, string name) => AssertOp(opcode, name, SimdImmediate.None, [V128], I32);

    [Theory]
    [InlineData(0x6Bu, "i8x16.shl")]
    [InlineData(0x6Du, "i8x16.shr_u")]
    [InlineData(0x8Cu, "i16x8.shr_s")]
    [InlineData(0xABu, "i32x4.shl")]
    [InlineData(0xCDu, "i64x2.shr_u")]
    public void ShiftOps(uint opcode, string name) => AssertOp(opcode, name, SimdImmediate.None, [V128, I32], V128);

    [Fact]
    public void Bitselect() => AssertOp(0x52, "v128.bitselect", SimdImmediate.None, [V128, V128, V128], V128);

    [Fact]
    public void SignatureClassesHaveExpectedSizes()
    {
        int unary = 0, binary = 0, ternary = 0, shift = 0, test = 0, splat = 0, other = 0;
        for (uint op = 0; op < 0x100; op++)
        {
            if (!SimdOpcodes.TryGet(op, out var info) || info.Immediate != SimdImmediate.None) continue;
            var ps = info.Params;
            if (info.Result == I32 && ps.SequenceEqual([V128])) test++;
            else if (info.Result != V128) other++;
            else if (ps.SequenceEqual([V128])) unary++;
            else if (ps.SequenceEqual([V128, V128])) binary++;
            else if (ps.SequenceEqual([V128, V128, V128])) ternary++;
            else if (ps.SequenceEqual([V128, I32])) shift++;
            else if (ps.Length == 1) splat++;
            else other++;
        }
        // Counts derived from the spec's index of instructions (index-instructions.py).
        Assert.Equal(50, unary);
        Assert.Equal(120, binary);
        Assert.Equal(1, ternary);
        Assert.Equal(12, shift);
        Assert.Equal(9, test); // v128.any_true, 4 x all_true, 4 x bitmask
        Assert.Equal(6, splat);
        Assert.Equal(0, other);
    }
}
