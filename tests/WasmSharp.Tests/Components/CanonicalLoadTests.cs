using System.Buffers.Binary;
using System.Text;
using WasmSharp.Components;
using P = WasmSharp.Components.PrimitiveType;

namespace WasmSharp.Tests.Components;

/// <summary>The reference Canonical ABI reading values from a memory image laid out by hand (definitions.py's
/// load and its traps).</summary>
public class CanonicalLoadTests
{
    private readonly byte[] _memory = new byte[256];

    private CanonicalOptions Options(StringEncoding encoding = StringEncoding.Utf8, ValueType pointer = ValueType.I32) =>
        new(() => _memory, encoding, pointer);

    private ComponentValue Load(ComponentValueType t, ulong at = 0, StringEncoding encoding = StringEncoding.Utf8, ValueType pointer = ValueType.I32) =>
        CanonicalAbi.Load(Options(encoding, pointer), at, t);

    private void U32(int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(_memory.AsSpan(at), v);
    private void U64(int at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(_memory.AsSpan(at), v);
    private void Bytes(int at, params byte[] bytes) => bytes.CopyTo(_memory, at);

    private static IntegerValue Int(Primitive kind, Int128 v) => new(kind, v);

    private string Trap(ComponentValueType t, ulong at = 0, StringEncoding encoding = StringEncoding.Utf8, ValueType pointer = ValueType.I32)
    {
        var trap = Assert.Throws<TrapException>(() => Load(t, at, encoding, pointer));
        Assert.Equal(TrapCode.CanonicalAbi, trap.Code);
        return trap.Message;
    }

    [Fact]
    public void ScalarsReadLittleEndianWithTheirSign()
    {
        Bytes(0, 2);
        Assert.Equal(new BoolValue(true), Load(P.Bool)); // any non-zero byte is true
        Bytes(0, 0xFF, 0x80, 0, 0, 0, 0, 0, 0x80);
        Assert.Equal(Int(Primitive.U8, 255), Load(P.U8));
        Assert.Equal(Int(Primitive.S8, -1), Load(P.S8));
        Assert.Equal(Int(Primitive.S16, -32513), Load(P.S16)); // 0x80FF
        Assert.Equal(Int(Primitive.U16, 0x80FF), Load(P.U16));
        Assert.Equal(Int(Primitive.S64, unchecked((long)0x80000000_000080FF)), Load(P.S64));
        U64(8, ulong.MaxValue);
        Assert.Equal(Int(Primitive.U64, ulong.MaxValue), Load(P.U64, 8));
        Assert.Equal(Int(Primitive.S32, -1), Load(P.S32, 8));
        Assert.Equal(Int(Primitive.U32, uint.MaxValue), Load(P.U32, 8));
        U32(16, BitConverter.SingleToUInt32Bits(1.5f));
        Assert.Equal(new FloatValue(Primitive.F32, 1.5), Load(P.F32, 16));
        U64(24, BitConverter.DoubleToUInt64Bits(-0.25));
        Assert.Equal(new FloatValue(Primitive.F64, -0.25), Load(P.F64, 24));
    }

    [Fact]
    public void NaNsAreCanonicalised()
    {
        U32(0, 0x7FA00001); // a signalling NaN with a payload
        var f32 = Assert.IsType<FloatValue>(Load(P.F32));
        Assert.Equal(0x7FC00000u, BitConverter.SingleToUInt32Bits((float)f32.Value));
        U64(8, 0xFFF0000000000001);
        var f64 = Assert.IsType<FloatValue>(Load(P.F64, 8));
        Assert.Equal(0x7FF8000000000000ul, BitConverter.DoubleToUInt64Bits(f64.Value));
    }

    [Theory]
    [InlineData(0x41u, null)]
    [InlineData(0x1F600u, null)]
    [InlineData(0xD7FFu, null)]
    [InlineData(0xD800u, "char d800, not a Unicode scalar value")]
    [InlineData(0xDFFFu, "char dfff, not a Unicode scalar value")]
    [InlineData(0x110000u, "char 110000, not a Unicode scalar value")]
    public void CharsAreScalarValues(uint bits, string? trap)
    {
        U32(4, bits);
        if (trap is null) Assert.Equal(new CharValue(new Rune(bits)), Load(P.Char, 4));
        else Assert.Equal(trap, Trap(P.Char, 4));
    }

    [Fact]
    public void StringsDecodeInTheirEncoding()
    {
        var utf8 = Encoding.UTF8.GetBytes("héllo, 😀");
        Bytes(100, utf8);
        U32(0, 100); U32(4, (uint)utf8.Length);
        Assert.Equal(new StringValue("héllo, 😀"), Load(P.String));

        var utf16 = Encoding.Unicode.GetBytes("hé😀");
        Bytes(200, utf16);
        U32(8, 200); U32(12, (uint)utf16.Length / 2); // code units
        Assert.Equal(new StringValue("hé😀"), Load(P.String, 8, StringEncoding.Utf16));

        // latin1+utf16: the top bit of the length picks UTF-16
        Bytes(150, 0x63, 0xE9, 0x21);
        U32(16, 150); U32(20, 3);
        Assert.Equal(new StringValue("cé!"), Load(P.String, 16, StringEncoding.Latin1Utf16));
        U32(16, 200); U32(20, 0x8000_0000 | (uint)utf16.Length / 2);
        Assert.Equal(new StringValue("hé😀"), Load(P.String, 16, StringEncoding.Latin1Utf16));

        // memory64: 8-byte pointer and length, the tag in bit 63
        U64(24, 150); U64(32, 3);
        Assert.Equal(new StringValue("cé!"), Load(P.String, 24, StringEncoding.Latin1Utf16, ValueType.I64));
        U64(24, 200); U64(32, 0x8000_0000_0000_0000 | (ulong)utf16.Length / 2);
        Assert.Equal(new StringValue("hé😀"), Load(P.String, 24, StringEncoding.Latin1Utf16, ValueType.I64));
    }

    [Fact]
    public void StringsThatDoNotDecodeOrFitTrap()
    {
        Bytes(100, 0x61, 0xFF, 0x62);
        U32(0, 100); U32(4, 3);
        Assert.Equal("the 3 bytes at 100 are not UTF-8", Trap(P.String));
        Bytes(100, 0x00, 0xD8, 0x61, 0x00); // an unpaired high surrogate, then 'a'
        U32(0, 100); U32(4, 2);
        Assert.Equal("the 4 bytes at 100 are not UTF-16", Trap(P.String, 0, StringEncoding.Utf16));
        U32(0, 101); U32(4, 1);
        Assert.Equal("a UTF-16 string at 101, not 2-byte aligned", Trap(P.String, 0, StringEncoding.Utf16));
        U32(0, 250); U32(4, 7);
        Assert.Equal("a string of 7 bytes at 250, past the memory's end (256)", Trap(P.String));
        U32(0, 0); U32(4, 1 << 28);
        Assert.Equal($"a string of {1 << 28} code units, past the longest ({(1 << 28) - 1} bytes)", Trap(P.String));
        U32(0, 0); U32(4, 0x8000_0000 | 1 << 27);
        Assert.Equal($"a string of {1 << 27} code units, past the longest ({(1 << 28) - 1} bytes)", Trap(P.String, 0, StringEncoding.Latin1Utf16));
    }

    [Fact]
    public void ListsReadTheirElementsInPlace()
    {
        var list = new ListType(P.U16);
        Bytes(64, 1, 0, 2, 0, 3, 0);
        U32(0, 64); U32(4, 3);
        Assert.Equal(new ListValue(new ComponentValue[] { Int(Primitive.U16, 1), Int(Primitive.U16, 2), Int(Primitive.U16, 3) }), Load(list));
        U32(4, 0);
        Assert.Equal(new ListValue(Array.Empty<ComponentValue>()), Load(list));
        U32(0, 65); U32(4, 1);
        Assert.Equal("a list at 65, not 2-byte aligned", Trap(list));
        U32(0, 254); U32(4, 2);
        Assert.Equal("a list of 4 bytes at 254, past the memory's end (256)", Trap(list));
        U32(0, 0); U32(4, 1 << 27);
        Assert.Equal($"a list of {1 << 27} elements of 2 bytes, past the longest ({(1 << 28) - 1} bytes)", Trap(list));
        // a fixed-length list lies in place, in its record
        Bytes(128, 7, 8, 9, 10);
        Assert.Equal(new TupleValue(new ComponentValue[] {
            new ListValue(new ComponentValue[] { Int(Primitive.U8, 7), Int(Primitive.U8, 8), Int(Primitive.U8, 9) }), Int(Primitive.U8, 10) }),
            Load(new TupleType(new ComponentValueType[] { new ListType(P.U8, 3), P.U8 }), 128));
    }

    [Fact]
    public void RecordsReadEachFieldAtItsAlignedOffset()
    {
        var record = new RecordType(new[] { new Field("a", P.U8), new Field("b", P.U32), new Field("c", P.U16) });
        Bytes(32, 5, 0xEE, 0xEE, 0xEE); U32(36, 6); Bytes(40, 7, 0);
        Assert.Equal(new RecordValue(new (string, ComponentValue)[] { ("a", Int(Primitive.U8, 5)), ("b", Int(Primitive.U32, 6)), ("c", Int(Primitive.U16, 7)) }),
            Load(record, 32));
        Assert.Equal("a record at 34, not 4-byte aligned", Trap(record, 34));
        Assert.Equal("a record of 12 bytes at 248, past the memory's end (256)", Trap(record, 248));
    }

    [Fact]
    public void VariantsReadTheirCaseThenItsPayload()
    {
        var option = new OptionType(P.U32);
        Bytes(0, 1); U32(4, 42);
        Assert.Equal(new OptionValue(Int(Primitive.U32, 42)), Load(option));
        Bytes(0, 0);
        Assert.Equal(new OptionValue(null), Load(option));
        Bytes(0, 2);
        Assert.Equal("case 2 of a option with 2 cases, at 0", Trap(option));

        var result = new ResultType(null, P.String);
        Bytes(100, 0x6E, 0x6F);
        Bytes(16, 1); U32(20, 100); U32(24, 2);
        Assert.Equal(new ResultValue(false, new StringValue("no")), Load(result, 16));
        Bytes(16, 0);
        Assert.Equal(new ResultValue(true), Load(result, 16));

        var e = new EnumType(new[] { "red", "green", "blue" });
        Bytes(30, 2);
        Assert.Equal(new EnumValue("blue"), Load(e, 30));
        Bytes(30, 3);
        Assert.Equal("case 3 of a enum with 3 cases, at 30", Trap(e, 30));

        var variant = new VariantType(new[] { new Case("a"), new Case("b", P.U64) });
        Bytes(40, 1); U64(48, 9);
        Assert.Equal(new VariantValue("b", Int(Primitive.U64, 9)), Load(variant, 40));

        var wide = new EnumType(Enumerable.Range(0, 300).Select(i => "l" + i).ToArray()); // a u16 discriminant
        Bytes(60, 0x2B, 0x01);
        Assert.Equal(new EnumValue("l299"), Load(wide, 60));
        Bytes(60, 0x2C, 0x01);
        Assert.Equal("case 300 of a enum with 300 cases, at 60", Trap(wide, 60));
    }

    [Fact]
    public void FlagsReadTheirBitsAndIgnoreTheRest()
    {
        var flags = new FlagsType(Enumerable.Range(0, 10).Select(i => "f" + i).ToArray());
        Bytes(2, 0x01, 0x02);
        Assert.Equal(new FlagsValue(new[] { "f0", "f9" }), Load(flags, 2));
        Bytes(2, 0x00, 0xFC);
        Assert.Equal(new FlagsValue(Array.Empty<string>()), Load(flags, 2));
    }

    [Fact]
    public void HandlesNeedAScopeAndAsynchronousValuesWait()
    {
        Assert.Throws<InvalidOperationException>(() => Load(new OwnType(new ResourceType("r"))));
        Assert.Throws<NotSupportedException>(() => Load(P.ErrorContext));
        Assert.Throws<NotSupportedException>(() => Load(new StreamType(P.U8)));
    }
}
