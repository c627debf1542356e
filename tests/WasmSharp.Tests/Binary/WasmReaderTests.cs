using WasmSharp.Binary;

namespace WasmSharp.Tests.Binary;

public class WasmReaderTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    private static string Error(string hex, Func<byte[], object> read)
    {
        var e = Assert.Throws<MalformedModuleException>(() => read(Hex(hex)));
        return e.Reason;
    }

    [Theory]
    [InlineData("00", 0u)]
    [InlineData("7f", 127u)]
    [InlineData("8001", 128u)]
    [InlineData("8000", 0u)] // not minimal, still allowed
    [InlineData("e58e26", 624485u)]
    [InlineData("ffffffff0f", uint.MaxValue)]
    [InlineData("8080808000", 0u)]
    public void U32(string hex, uint expected)
    {
        var r = new WasmReader(Hex(hex));
        Assert.Equal(expected, r.ReadU32());
        Assert.True(r.AtEnd);
    }

    [Theory]
    [InlineData("ffffffff1f", "integer too large")]
    [InlineData("ffffffff7f", "integer too large")]
    [InlineData("8080808010", "integer too large")]
    [InlineData("808080808000", "integer representation too long")]
    [InlineData("ffffffff8f00", "integer representation too long")]
    [InlineData("8080808090", "integer too large")] // unused bits checked before the continuation bit
    [InlineData("", WasmReader.UnexpectedEnd)]
    [InlineData("8080", WasmReader.UnexpectedEnd)]
    public void U32Errors(string hex, string reason) =>
        Assert.Equal(reason, Error(hex, b => new WasmReader(b).ReadU32()));

    [Theory]
    [InlineData("00", 0)]
    [InlineData("3f", 63)]
    [InlineData("40", -64)]
    [InlineData("7f", -1)]
    [InlineData("c000", 64)]
    [InlineData("bf7f", -65)]
    [InlineData("ffffffff07", int.MaxValue)]
    [InlineData("8080808078", int.MinValue)]
    [InlineData("ffffffff7f", -1)]
    [InlineData("8080808000", 0)]
    public void S32(string hex, int expected)
    {
        var r = new WasmReader(Hex(hex));
        Assert.Equal(expected, r.ReadS32());
        Assert.True(r.AtEnd);
    }

    [Theory]
    [InlineData("ffffffff0f", "integer too large")] // bit 31 set but bits 32..34 not
    [InlineData("8080808070", "integer too large")]
    [InlineData("ffffffff4f", "integer too large")]
    [InlineData("808080808000", "integer representation too long")]
    [InlineData("ffffffffff7f", "integer representation too long")]
    public void S32Errors(string hex, string reason) =>
        Assert.Equal(reason, Error(hex, b => new WasmReader(b).ReadS32()));

    [Theory]
    [InlineData("00", 0L)]
    [InlineData("7f", -1L)]
    [InlineData("ffffffffffffffffff00", long.MaxValue)]
    [InlineData("8080808080808080807f", long.MinValue)]
    [InlineData("ffffffffffffffffff7f", -1L)]
    public void S64(string hex, long expected)
    {
        var r = new WasmReader(Hex(hex));
        Assert.Equal(expected, r.ReadS64());
        Assert.True(r.AtEnd);
    }

    [Theory]
    [InlineData("ffffffffffffffffff01", "integer too large")]
    [InlineData("8080808080808080807e", "integer too large")]
    [InlineData("80808080808080808080 00", "integer representation too long")]
    public void S64Errors(string hex, string reason) =>
        Assert.Equal(reason, Error(hex, b => new WasmReader(b).ReadS64()));

    [Theory]
    [InlineData("ffffffffffffffffff01", ulong.MaxValue)]
    [InlineData("00", 0UL)]
    public void U64(string hex, ulong expected) => Assert.Equal(expected, new WasmReader(Hex(hex)).ReadU64());

    [Theory]
    [InlineData("ffffffffffffffffff03", "integer too large")]
    [InlineData("80808080808080808080 00", "integer representation too long")]
    public void U64Errors(string hex, string reason) =>
        Assert.Equal(reason, Error(hex, b => new WasmReader(b).ReadU64()));

    [Theory]
    [InlineData("40", -64L)]
    [InlineData("ffffffff0f", 0xFFFFFFFFL)] // a type index may use all 32 bits
    [InlineData("8080808070", -0x100000000L)]
    public void S33(string hex, long expected) => Assert.Equal(expected, new WasmReader(Hex(hex)).ReadS33());

    [Theory]
    [InlineData("ffffffff1f", "integer too large")]
    [InlineData("808080808000", "integer representation too long")]
    public void S33Errors(string hex, string reason) =>
        Assert.Equal(reason, Error(hex, b => new WasmReader(b).ReadS33()));

    [Fact]
    public void NamesAreStrictUtf8()
    {
        Assert.Equal("h\u00e9", new WasmReader(Hex("0368c3a9")).ReadName());
        Assert.Equal("malformed UTF-8 encoding", Error("02c0af", b => new WasmReader(b).ReadName())); // overlong
        Assert.Equal("malformed UTF-8 encoding", Error("03eda080", b => new WasmReader(b).ReadName())); // surrogate
        Assert.Equal("malformed UTF-8 encoding", Error("01ff", b => new WasmReader(b).ReadName()));
    }

    [Fact]
    public void LengthsBeyondTheBytesLeftAreOutOfBounds()
    {
        Assert.Equal("length out of bounds", Error("05616263", b => new WasmReader(b).ReadName()));
        Assert.Equal("length out of bounds", Error("ffffffff0f", b => new WasmReader(b).ReadCount()));
        // The length's own byte counts as left (as in the reference decoder): one past is an unexpected end.
        Assert.Equal(WasmReader.UnexpectedEnd, Error("04616263", b => new WasmReader(b).ReadName()));
        Assert.Equal(WasmReader.UnexpectedEnd, Error("03616263", b => new WasmReader(b).ReadCount(2)));
    }

    [Fact]
    public void ErrorsCarryTheAbsoluteOffset()
    {
        var e = Assert.Throws<MalformedModuleException>(() => new WasmReader(Hex("8080808010"), 100).ReadU32());
        Assert.Equal(104, e.Offset);
    }
}
