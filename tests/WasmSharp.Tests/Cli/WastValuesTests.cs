using System.Text;
using WasmSharp.Cli.Wast;
using WasmSharp.Text.Wast;

namespace WasmSharp.Tests.Cli;

/// <summary>Script constants as arguments, and results checked against expected values and patterns.</summary>
public class WastValuesTests
{
    /// <summary>An argument, as the script parser reads it.</summary>
    private static WastValue Arg(string text) => Action($"(invoke \"f\" {text})").Args[0];

    /// <summary>An expected result, as the script parser reads it.</summary>
    private static WastValue Result(string text)
    {
        var script = WastParser.Parse(Encoding.UTF8.GetBytes($"(assert_return (invoke \"f\") {text})"));
        Assert.Null(script.Error);
        return Assert.IsType<AssertReturnCommand>(Assert.Single(script.Commands)).Expected[0];
    }

    private static WastAction Action(string text)
    {
        var script = WastParser.Parse(Encoding.UTF8.GetBytes(text));
        Assert.Null(script.Error);
        return Assert.IsType<ActionCommand>(Assert.Single(script.Commands)).Action;
    }

    private static readonly HostRefs Refs = new();

    [Theory]
    [InlineData("(i32.const -1)", ValueType.I32, 0xFFFF_FFFFUL)]
    [InlineData("(i32.const 0)", ValueType.I32, 0UL)]
    [InlineData("(i64.const -1)", ValueType.I64, ulong.MaxValue)]
    [InlineData("(f32.const nan)", ValueType.F32, 0x7FC0_0000UL)]
    [InlineData("(f64.const nan)", ValueType.F64, 0x7FF8_0000_0000_0000UL)]
    [InlineData("(f64.const -0x1p-1074)", ValueType.F64, 0x8000_0000_0000_0001UL)]
    public void ArgumentsKeepTheirBits(string text, ValueType type, ulong bits)
    {
        var v = WastValues.ToValue(Arg(text), Refs);
        Assert.Equal(type, v.Type);
        Assert.Equal(bits, v.Bits);
    }

    [Fact]
    public void I32AsUnsignedDecimalIsNegativeInt() =>
        Assert.Equal(-1, WastValues.ToValue(Arg("(i32.const 4294967295)"), Refs).AsI32());

    [Fact]
    public void PatternsCannotBeArguments()
    {
        Assert.Throws<FormatException>(() => WastValues.ToValue(Result("(f32.const nan:canonical)"), Refs));
        Assert.Throws<FormatException>(() => WastValues.ToValue(Result("(ref.func)"), Refs));
        Assert.Throws<FormatException>(() => WastValues.ToValue(Result("(ref.null)"), Refs));
        Assert.Throws<FormatException>(() => WastValues.ToValue(Result("(ref.extern)"), Refs));
    }

    [Fact]
    public void BuildsV128FromLanesLittleEndian()
    {
        var v = WastValues.ToValue(Arg("(v128.const i32x4 1 2 3 -1)"), Refs);
        Assert.Equal(ValueType.V128, v.Type);
        Assert.Equal(0x0000_0002_0000_0001UL, v.Bits);
        Assert.Equal(0xFFFF_FFFF_0000_0003UL, v.HighBits);

        var bytes = WastValues.ToValue(Arg("(v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -1)"), Refs);
        Assert.Equal(0x0807_0605_0403_0201UL, bytes.Bits);
        Assert.Equal(0xFF0F_0E0D_0C0B_0A09UL, bytes.HighBits);

        var doubles = WastValues.ToValue(Arg("(v128.const f64x2 1 -0)"), Refs);
        Assert.Equal(0x3FF0_0000_0000_0000UL, doubles.Bits);
        Assert.Equal(0x8000_0000_0000_0000UL, doubles.HighBits);
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
        Assert.Equal(canonical, WastValues.Matches(Result("(f32.const nan:canonical)"), actual, Refs));
        Assert.Equal(arithmetic, WastValues.Matches(Result("(f32.const nan:arithmetic)"), actual, Refs));
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
        Assert.Equal(canonical, WastValues.Matches(Result("(f64.const nan:canonical)"), actual, Refs));
        Assert.Equal(arithmetic, WastValues.Matches(Result("(f64.const nan:arithmetic)"), actual, Refs));
    }

    [Fact]
    public void NanPatternsAreForFloatsOnly()
    {
        // A pattern only makes sense on a float: the same bits in an i32 do not match.
        Assert.False(WastValues.Matches(Result("(f32.const nan:canonical)"), Value.I32(0x7FC0_0000), Refs));
        Assert.False(WastValues.LaneMatches(NumberPattern.CanonicalNan, 0x7FC0_0000, 32, isFloat: false));
    }

    [Fact]
    public void FloatsCompareBitExactly()
    {
        var zero = Result("(f32.const 0)");
        Assert.True(WastValues.Matches(zero, Value.F32(0f), Refs));
        Assert.False(WastValues.Matches(zero, Value.F32(-0f), Refs));
        // An exact NaN expectation needs the exact payload.
        var nan = Result("(f64.const nan:0x8000000000001)");
        Assert.True(WastValues.Matches(nan, Value.F64Bits(0x7FF8_0000_0000_0001UL), Refs));
        Assert.False(WastValues.Matches(nan, Value.F64Bits(0x7FF8_0000_0000_0000UL), Refs));
    }

    [Fact]
    public void TypeMustMatch() =>
        Assert.False(WastValues.Matches(Result("(i64.const 1)"), Value.I32(1), Refs));

    [Fact]
    public void V128ComparesLaneWiseWithNanPatterns()
    {
        var expected = Result("(v128.const f32x4 nan:canonical nan:arithmetic 1.0 0)");
        ulong lo(uint a, uint b) => a | ((ulong)b << 32);
        Assert.True(WastValues.Matches(expected, Value.V128(lo(0xFFC0_0000, 0x7FC0_1234), lo(0x3F80_0000, 0)), Refs));
        Assert.False(WastValues.Matches(expected, Value.V128(lo(0x7FC0_0001, 0x7FC0_1234), lo(0x3F80_0000, 0)), Refs));
        Assert.False(WastValues.Matches(expected, Value.V128(lo(0x7FC0_0000, 0x7FC0_1234), lo(0x3F80_0000, 1)), Refs));

        var ints = Result("(v128.const i16x8 -1 0 0 0 0 0 0 32768)");
        Assert.True(WastValues.Matches(ints, Value.V128(0xFFFF, 0x8000_0000_0000_0000UL), Refs));
        Assert.False(WastValues.Matches(ints, Value.V128(0xFFFF, 0), Refs));
        Assert.False(WastValues.Matches(ints, Value.I64(0xFFFF), Refs));
    }

    [Fact]
    public void ExternRefsAreOneObjectPerNumber()
    {
        var refs = new HostRefs();
        var arg = WastValues.ToValue(Arg("(ref.extern 1)"), refs);
        Assert.Same(arg.Reference, WastValues.ToValue(Arg("(ref.extern 1)"), refs).Reference);
        Assert.True(WastValues.Matches(Result("(ref.extern 1)"), arg, refs));
        Assert.False(WastValues.Matches(Result("(ref.extern 2)"), arg, refs));
        Assert.False(WastValues.Matches(Result("(ref.null extern)"), arg, refs));
        Assert.True(WastValues.Matches(Result("(ref.null extern)"), Value.Null(ValueType.ExternRef), refs));
        // A different object that happens to print the same is not the same reference.
        Assert.False(WastValues.Matches(Result("(ref.extern 1)"), Value.ExternRef(new HostRef(1)), refs));
    }

    [Fact]
    public void RefExternWithoutNumberIsAnyNonNullExternRef()
    {
        var any = Result("(ref.extern)");
        Assert.True(WastValues.Matches(any, Value.ExternRef(new HostRef(5)), Refs));
        Assert.False(WastValues.Matches(any, Value.Null(ValueType.ExternRef), Refs));
        Assert.False(WastValues.Matches(any, Value.Null(ValueType.FuncRef), Refs));
    }

    [Fact]
    public void FuncRefNullAndAnyFunction()
    {
        Assert.True(WastValues.Matches(Result("(ref.null func)"), Value.Null(ValueType.FuncRef), Refs));
        Assert.False(WastValues.Matches(Result("(ref.func)"), Value.Null(ValueType.FuncRef), Refs));
        Assert.False(WastValues.Matches(Result("(ref.null func)"), Value.Null(ValueType.ExternRef), Refs));
        Assert.Equal(ValueType.FuncRef, WastValues.ToValue(Arg("(ref.null func)"), Refs).Type);
    }

    [Fact]
    public void RefNullWithoutTypeIsAnyNull()
    {
        var any = Result("(ref.null)");
        Assert.True(WastValues.Matches(any, Value.Null(ValueType.FuncRef), Refs));
        Assert.True(WastValues.Matches(any, Value.Null(ValueType.ExternRef), Refs));
        Assert.False(WastValues.Matches(any, Value.ExternRef(new HostRef(1)), Refs));
        Assert.False(WastValues.Matches(any, Value.I32(0), Refs));
    }

    [Fact]
    public void EitherMatchesAnyAlternative()
    {
        var either = Result("(either (i32.const 1) (i32.const 2))");
        Assert.True(WastValues.Matches(either, Value.I32(2), Refs));
        Assert.False(WastValues.Matches(either, Value.I32(3), Refs));
        var lanes = Result("(either (v128.const i32x4 1 1 1 1) (v128.const f32x4 nan:canonical 0 0 0))");
        Assert.True(WastValues.Matches(lanes, Value.V128(0x0000_0000_7FC0_0000UL, 0), Refs));
        Assert.True(WastValues.Matches(lanes, Value.V128(0x0000_0001_0000_0001UL, 0x0000_0001_0000_0001UL), Refs));
        Assert.False(WastValues.Matches(lanes, Value.V128(0, 0), Refs));
    }

    [Fact]
    public void DescribesExpectedValues()
    {
        Assert.Equal("i32:-1", WastValues.Describe(Result("(i32.const 4294967295)")));
        Assert.Equal("f32:nan:canonical", WastValues.Describe(Result("(f32.const nan:canonical)")));
        Assert.Equal("f64:-inf", WastValues.Describe(Result("(f64.const -inf)")));
        Assert.Equal("i8x16:[-1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1]", WastValues.Describe(Result("(v128.const i8x16 255 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1)")));
        Assert.Equal("f32x4:[nan:arithmetic 1 0 -0]", WastValues.Describe(Result("(v128.const f32x4 nan:arithmetic 1 0 -0)")));
        Assert.Equal("externref:ref.extern 3", WastValues.Describe(Result("(ref.extern 3)")));
        Assert.Equal("externref:non-null", WastValues.Describe(Result("(ref.extern)")));
        Assert.Equal("funcref:null", WastValues.Describe(Result("(ref.null func)")));
        Assert.Equal("ref:null", WastValues.Describe(Result("(ref.null)")));
        Assert.Equal("funcref:non-null", WastValues.Describe(Result("(ref.func)")));
        Assert.Equal("either(i32:1 | i32:2)", WastValues.Describe(Result("(either (i32.const 1) (i32.const 2))")));
    }

    [Fact]
    public void DescribesAV128ResultWithTheExpectedLaneType() =>
        Assert.Equal("i16x8:[-1 0 0 0 0 0 0 1]",
            WastValues.Describe(Value.V128(0xFFFF, 0x0001_0000_0000_0000UL), Result("(v128.const i16x8 0 0 0 0 0 0 0 0)")));

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
}
