using WasmSharp.Cli;
using WasmSharp.Cli.Commands;

namespace WasmSharp.Tests.Cli;

public class ValueTextTests
{
    [Theory]
    [InlineData("42", 42)]
    [InlineData("-1", -1)]
    [InlineData("4294967295", -1)]
    [InlineData("0x7fffffff", int.MaxValue)]
    [InlineData("0xFFFF_FFFF", -1)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("-0x10", -16)]
    public void ParsesI32(string text, int expected) => Assert.Equal(expected, ValueText.Parse(ValueType.I32, text).AsI32());

    [Theory]
    [InlineData("4294967296")]
    [InlineData("-2147483649")]
    [InlineData("1.5")]
    [InlineData("abc")]
    [InlineData("")]
    public void RejectsBadI32(string text) => Assert.Throws<FormatException>(() => ValueText.Parse(ValueType.I32, text));

    [Theory]
    [InlineData("18446744073709551615", -1L)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("0x8000000000000000", long.MinValue)]
    public void ParsesI64(string text, long expected) => Assert.Equal(expected, ValueText.Parse(ValueType.I64, text).AsI64());

    [Fact]
    public void RejectsI64Overflow() => Assert.Throws<FormatException>(() => ValueText.Parse(ValueType.I64, "18446744073709551616"));

    [Theory]
    [InlineData("1.5", 0x3FC0_0000u)]
    [InlineData("-0", 0x8000_0000u)]
    [InlineData("inf", 0x7F80_0000u)]
    [InlineData("-inf", 0xFF80_0000u)]
    [InlineData("nan", 0x7FC0_0000u)]
    [InlineData("-nan", 0xFFC0_0000u)]
    [InlineData("nan:0x200000", 0x7FA0_0000u)]
    [InlineData("0.1", 0x3DCC_CCCDu)] // rounded once, to float
    public void ParsesF32(string text, uint bits) => Assert.Equal(bits, (uint)ValueText.Parse(ValueType.F32, text).Bits);

    [Theory]
    [InlineData("666.6", 0x4084_D4CC_CCCC_CCCDUL)]
    [InlineData("nan:0x1", 0x7FF0_0000_0000_0001UL)]
    [InlineData("-infinity", 0xFFF0_0000_0000_0000UL)]
    public void ParsesF64(string text, ulong bits) => Assert.Equal(bits, ValueText.Parse(ValueType.F64, text).Bits);

    [Fact]
    public void RejectsNanWithoutPayload() => Assert.Throws<FormatException>(() => ValueText.Parse(ValueType.F32, "nan:0x0"));

    [Fact]
    public void ParsesReferencesAndV128()
    {
        Assert.True(ValueText.Parse(ValueType.ExternRef, "null").IsNull);
        Assert.Throws<FormatException>(() => ValueText.Parse(ValueType.FuncRef, "1"));
        var v = ValueText.Parse(ValueType.V128, "0x000102030405060708090a0b0c0d0e0f");
        Assert.Equal(0x08090A0B0C0D0E0FUL, v.Bits);
        Assert.Equal(0x0001020304050607UL, v.HighBits);
    }

    [Theory]
    [InlineData(0x7FC0_0000u, "nan")]
    [InlineData(0xFFC0_0000u, "-nan")]
    [InlineData(0x7F80_0001u, "nan:0x1")]
    [InlineData(0xFF80_0000u, "-inf")]
    [InlineData(0x8000_0000u, "-0")]
    [InlineData(0x3FC0_0000u, "1.5")]
    public void FormatsF32(uint bits, string text) => Assert.Equal(text, ValueText.Format(Value.F32Bits(bits)));

    [Fact]
    public void FormatsOtherTypes()
    {
        Assert.Equal("-1", ValueText.Format(Value.I32(-1)));
        Assert.Equal("-9223372036854775808", ValueText.Format(Value.I64(long.MinValue)));
        Assert.Equal("0.1", ValueText.Format(Value.F64(0.1)));
        Assert.Equal("0x000102030405060708090a0b0c0d0e0f", ValueText.Format(Value.V128(0x08090A0B0C0D0E0FUL, 0x0001020304050607UL)));
        Assert.Equal("null", ValueText.Format(Value.Null(ValueType.FuncRef)));
        Assert.Equal("i32:7", ValueText.Describe(Value.I32(7)));
    }

    [Fact]
    public void FormatRoundTripsThroughParse()
    {
        foreach (var bits in new uint[] { 0x7FA0_0000, 0xFFFF_FFFF, 0x0000_0001, 0x7F7F_FFFF, 0xC2F6_E979 })
            Assert.Equal(bits, (uint)ValueText.Parse(ValueType.F32, ValueText.Format(Value.F32Bits(bits))).Bits);
    }

    [Fact]
    public void RunCommandLineKeepsNegativeArguments()
    {
        var parse = RunVerb.Create().Parse(["m.wasm", "--invoke", "add", "-5", "7"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("m.wasm", parse.GetValue<string>("FILE"));
        Assert.Equal("add", parse.GetValue<string?>("--invoke"));
        Assert.Equal(new[] { "-5", "7" }, parse.GetValue<string[]>("ARGS")!);
    }
}
