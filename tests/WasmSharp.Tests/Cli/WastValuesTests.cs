using WasmSharp.Cli.Wast;

namespace WasmSharp.Tests.Cli;

public class WastValuesTests
{
    private static WastValue V(string json) => WastScript.Deserialize<WastValue>(json);

    private static readonly HostRefs Refs = new();

    [Theory]
    [InlineData("""{"type": "i32", "value": "4294967295"}""", ValueType.I32, 0xFFFF_FFFFUL)]
    [InlineData("""{"type": "i32", "value": "0"}""", ValueType.I32, 0UL)]
    [InlineData("""{"type": "i64", "value": "18446744073709551615"}""", ValueType.I64, ulong.MaxValue)]
    [InlineData("""{"type": "f32", "value": "2143289344"}""", ValueType.F32, 0x7FC0_0000UL)]
    [InlineData("""{"type": "f64", "value": "9221120237041090560"}""", ValueType.F64, 0x7FF8_0000_0000_0000UL)]
    public void ParsesNumbersAsUnsignedBits(string json, ValueType type, ulong bits)
    {
        var v = WastValues.ToValue(V(json), Refs);
        Assert.Equal(type, v.Type);
        Assert.Equal(bits, v.Bits);
    }

    [Fact]
    public void I32AsUnsignedDecimalIsNegativeInt() =>
        Assert.Equal(-1, WastValues.ToValue(V("""{"type": "i32", "value": "4294967295"}"""), Refs).AsI32());

    [Fact]
    public void RejectsI32ThatDoesNotFit() =>
        Assert.Throws<FormatException>(() => WastValues.ToValue(V("""{"type": "i32", "value": "4294967296"}"""), Refs));

    [Fact]
    public void BuildsV128FromLanesLittleEndian()
    {
        var v = WastValues.ToValue(V("""{"type": "v128", "lane_type": "i32", "value": ["1", "2", "3", "4294967295"]}"""), Refs);
        Assert.Equal(ValueType.V128, v.Type);
        Assert.Equal(0x0000_0002_0000_0001UL, v.Bits);
        Assert.Equal(0xFFFF_FFFF_0000_0003UL, v.HighBits);

        var bytes = WastValues.ToValue(V("""{"type": "v128", "lane_type": "i8", "value": ["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","255"]}"""), Refs);
        Assert.Equal(0x0807_0605_0403_0201UL, bytes.Bits);
        Assert.Equal(0xFF0F_0E0D_0C0B_0A09UL, bytes.HighBits);
    }

    [Theory]
    [InlineData(0x7FC0_0000u, true, true)]    // canonical
    [InlineData(0xFFC0_0000u, true, true)]    // canonical, negative
    [InlineData(0x7FC0_0001u, false, true)]   // arithmetic: quiet bit and payload
    [InlineData(0x7FA0_0000u, false, false)]  // signalling NaN
    [InlineData(0x7F80_0000u, false, false)]  // infinity
    [InlineData(0x3F80_0000u, false, false)]  // 1.0
    public void F32NanPatterns(uint bits, bool canonical, bool arithmetic)
    {
        var actual = Value.F32Bits(bits);
        Assert.Equal(canonical, WastValues.Matches(V("""{"type": "f32", "value": "nan:canonical"}"""), actual, Refs));
        Assert.Equal(arithmetic, WastValues.Matches(V("""{"type": "f32", "value": "nan:arithmetic"}"""), actual, Refs));
    }

    [Theory]
    [InlineData(0x7FF8_0000_0000_0000UL, true, true)]
    [InlineData(0xFFF8_0000_0000_0000UL, true, true)]
    [InlineData(0x7FF8_0000_0000_0001UL, false, true)]
    [InlineData(0xFFFC_0000_0000_0000UL, false, true)]
    [InlineData(0x7FF4_0000_0000_0000UL, false, false)]
    [InlineData(0x7FF0_0000_0000_0000UL, false, false)]
    public void F64NanPatterns(ulong bits, bool canonical, bool arithmetic)
    {
        var actual = Value.F64Bits(bits);
        Assert.Equal(canonical, WastValues.Matches(V("""{"type": "f64", "value": "nan:canonical"}"""), actual, Refs));
        Assert.Equal(arithmetic, WastValues.Matches(V("""{"type": "f64", "value": "nan:arithmetic"}"""), actual, Refs));
    }

    [Fact]
    public void FloatsCompareBitExactly()
    {
        var zero = V("""{"type": "f32", "value": "0"}""");
        Assert.True(WastValues.Matches(zero, Value.F32(0f), Refs));
        Assert.False(WastValues.Matches(zero, Value.F32(-0f), Refs));
        // An exact NaN expectation needs the exact payload.
        var nan = V("""{"type": "f64", "value": "9221120237041090561"}""");
        Assert.True(WastValues.Matches(nan, Value.F64Bits(0x7FF8_0000_0000_0001UL), Refs));
        Assert.False(WastValues.Matches(nan, Value.F64Bits(0x7FF8_0000_0000_0000UL), Refs));
    }

    [Fact]
    public void TypeMustMatch() =>
        Assert.False(WastValues.Matches(V("""{"type": "i64", "value": "1"}"""), Value.I32(1), Refs));

    [Fact]
    public void V128ComparesLaneWiseWithNanPatterns()
    {
        var expected = V("""{"type": "v128", "lane_type": "f32", "value": ["nan:canonical", "nan:arithmetic", "1065353216", "0"]}""");
        ulong lo(uint a, uint b) => a | ((ulong)b << 32);
        Assert.True(WastValues.Matches(expected, Value.V128(lo(0xFFC0_0000, 0x7FC0_1234), lo(0x3F80_0000, 0)), Refs));
        Assert.False(WastValues.Matches(expected, Value.V128(lo(0x7FC0_0001, 0x7FC0_1234), lo(0x3F80_0000, 0)), Refs));
        Assert.False(WastValues.Matches(expected, Value.V128(lo(0x7FC0_0000, 0x7FC0_1234), lo(0x3F80_0000, 1)), Refs));

        var ints = V("""{"type": "v128", "lane_type": "i16", "value": ["65535","0","0","0","0","0","0","32768"]}""");
        Assert.True(WastValues.Matches(ints, Value.V128(0xFFFF, 0x8000_0000_0000_0000UL), Refs));
        Assert.False(WastValues.Matches(ints, Value.V128(0xFFFF, 0), Refs));
    }

    [Fact]
    public void ExternRefsAreOneObjectPerNumber()
    {
        var refs = new HostRefs();
        var arg = WastValues.ToValue(V("""{"type": "externref", "value": "1"}"""), refs);
        Assert.Same(arg.Reference, WastValues.ToValue(V("""{"type": "externref", "value": "1"}"""), refs).Reference);
        Assert.True(WastValues.Matches(V("""{"type": "externref", "value": "1"}"""), arg, refs));
        Assert.False(WastValues.Matches(V("""{"type": "externref", "value": "2"}"""), arg, refs));
        Assert.False(WastValues.Matches(V("""{"type": "externref", "value": "null"}"""), arg, refs));
        Assert.True(WastValues.Matches(V("""{"type": "externref", "value": "null"}"""), Value.Null(ValueType.ExternRef), refs));
        // A different object that happens to print the same is not the same reference.
        Assert.False(WastValues.Matches(V("""{"type": "externref", "value": "1"}"""), Value.ExternRef(new HostRef(1)), refs));
    }

    [Fact]
    public void FuncRefNullAndAnyFunction()
    {
        Assert.True(WastValues.Matches(V("""{"type": "funcref", "value": "null"}"""), Value.Null(ValueType.FuncRef), Refs));
        Assert.False(WastValues.Matches(V("""{"type": "funcref"}"""), Value.Null(ValueType.FuncRef), Refs));
        Assert.False(WastValues.Matches(V("""{"type": "funcref", "value": "null"}"""), Value.Null(ValueType.ExternRef), Refs));
        Assert.Equal(ValueType.FuncRef, WastValues.ToValue(V("""{"type": "funcref", "value": "null"}"""), Refs).Type);
    }

    [Fact]
    public void TypeWithoutValueMatchesAnyValueOfThatType()
    {
        Assert.True(WastValues.Matches(V("""{"type": "i32"}"""), Value.I32(7), Refs));
        Assert.False(WastValues.Matches(V("""{"type": "i32"}"""), Value.I64(7), Refs));
    }

    [Fact]
    public void EitherMatchesAnyAlternative()
    {
        var either = V("""{"type": "either", "values": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "2"}]}""");
        Assert.True(WastValues.Matches(either, Value.I32(2), Refs));
        Assert.False(WastValues.Matches(either, Value.I32(3), Refs));
    }

    [Fact]
    public void DescribesExpectedValues()
    {
        Assert.Equal("i32:-1", WastValues.Describe(V("""{"type": "i32", "value": "4294967295"}""")));
        Assert.Equal("f32:nan:canonical", WastValues.Describe(V("""{"type": "f32", "value": "nan:canonical"}""")));
        Assert.Equal("f64:-inf", WastValues.Describe(V("""{"type": "f64", "value": "18442240474082181120"}""")));
        Assert.Equal("i8x16:[-1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1]",
            WastValues.Describe(V("""{"type": "v128", "lane_type": "i8", "value": ["255","0","0","0","0","0","0","0","0","0","0","0","0","0","0","1"]}""")));
    }

    [Theory]
    [InlineData("integer divide by zero", "integer divide by zero", true)]
    [InlineData("unknown import", "unknown import: spectest.foo", true)]  // ours is longer
    [InlineData("type mismatch in the operand stack", "type mismatch", true)]  // expected is longer
    [InlineData("unreachable", "unreachable executed", true)]
    [InlineData("integer overflow", "integer divide by zero", false)]
    [InlineData("out of bounds memory access", "", false)]
    [InlineData("", "anything", true)]
    public void MessagePrefixMatching(string expected, string actual, bool matches) =>
        Assert.Equal(matches, ScriptRunner.MessageMatches(expected, actual));

    [Fact]
    public void ParsesScriptCommands()
    {
        var script = WastScript.Parse("""
            {"source_filename": "x.wast",
             "commands": [
              {"type": "module", "line": 3, "name": "$M1", "filename": "x.0.wasm"},
              {"type": "register", "line": 4, "name": "$M1", "as": "m"},
              {"type": "assert_return", "line": 5, "action": {"type": "invoke", "module": "$M1", "field": "f", "args": [{"type": "i32", "value": "1"}]}, "expected": [{"type": "i64", "value": "2"}]},
              {"type": "assert_malformed", "line": 6, "filename": "x.1.wat", "text": "unknown operator", "module_type": "text"}]}
            """);
        Assert.Equal(4, script.Commands.Count);
        Assert.Equal("$M1", script.Commands[0].Name);
        Assert.Equal("m", script.Commands[1].As);
        var action = script.Commands[2].Action!;
        Assert.Equal(("invoke", "$M1", "f"), (action.Type, action.Module, action.Field));
        Assert.Equal("i32", action.Args![0].Type);
        Assert.Equal("text", script.Commands[3].ModuleType);
        Assert.Equal(6, script.Commands[3].Line);
    }
}
