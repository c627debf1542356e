using System.Buffers.Binary;
using System.Text;
using WasmSharp.Components;
using P = WasmSharp.Components.PrimitiveType;

namespace WasmSharp.Tests.Components;

/// <summary>The reference Canonical ABI writing values into a memory through a realloc that logs its calls
/// (definitions.py's store, store_string_into_range and store_list).</summary>
public class CanonicalStoreTests
{
    private readonly byte[] _memory = new byte[4096];
    private readonly BumpAllocator _allocator;
    private Func<ulong, ulong>? _override;

    public CanonicalStoreTests() => _allocator = new BumpAllocator(_memory);

    /// <summary>The bump allocator, or what a test overrides it with.</summary>
    private ulong Realloc(ulong old, ulong oldSize, ulong alignment, ulong newSize) =>
        _override?.Invoke(newSize) ?? _allocator.Realloc(old, oldSize, alignment, newSize);

    private CanonicalOptions Options(StringEncoding encoding = StringEncoding.Utf8, ValueType pointer = ValueType.I32) =>
        new(() => _memory, encoding, pointer, Realloc);

    private static IntegerValue Int(Primitive kind, Int128 v) => new(kind, v);

    public static TheoryData<ComponentValueType, ComponentValue> Values => new()
    {
        { P.Bool, new BoolValue(true) },
        { P.S8, Int(Primitive.S8, -128) },
        { P.U16, Int(Primitive.U16, 65535) },
        { P.S32, Int(Primitive.S32, -5) },
        { P.U64, Int(Primitive.U64, ulong.MaxValue) },
        { P.S64, Int(Primitive.S64, long.MinValue) },
        { P.F32, new FloatValue(Primitive.F32, -1.25) },
        { P.F64, new FloatValue(Primitive.F64, Math.PI) },
        { P.Char, new CharValue(new Rune(0x1F600)) },
        { P.String, new StringValue("") },
        { P.String, new StringValue("plain ascii") },
        { P.String, new StringValue("latin-1: café") },
        { P.String, new StringValue("beyond: €, 😀 and 中文") },
        { new ListType(P.U32), new ListValue(new ComponentValue[] { Int(Primitive.U32, 1), Int(Primitive.U32, 2) }) },
        { new ListType(P.String), new ListValue(new ComponentValue[] { new StringValue("a"), new StringValue("bé") }) },
        { new ListType(P.U8), new ListValue(Array.Empty<ComponentValue>()) },
        { new ListType(P.U16, 2), new ListValue(new ComponentValue[] { Int(Primitive.U16, 7), Int(Primitive.U16, 8) }) },
        {
            new RecordType(new[] { new Field("id", P.U8), new Field("name", P.String), new Field("score", P.F64) }),
            new RecordValue(new (string, ComponentValue)[] { ("id", Int(Primitive.U8, 3)), ("name", new StringValue("x€")), ("score", new FloatValue(Primitive.F64, 0.5)) })
        },
        { new TupleType(new ComponentValueType[] { P.U8, P.U64 }), new TupleValue(new ComponentValue[] { Int(Primitive.U8, 1), Int(Primitive.U64, 2) }) },
        { new OptionType(P.String), new OptionValue(new StringValue("some")) },
        { new OptionType(P.String), new OptionValue(null) },
        { new ResultType(P.U32, P.String), new ResultValue(false, new StringValue("failed")) },
        { new ResultType(P.U32, null), new ResultValue(false) },
        { new ResultType(null, null), new ResultValue(true) },
        { new EnumType(new[] { "a", "b", "c" }), new EnumValue("c") },
        { new VariantType(new[] { new Case("n"), new Case("f", P.F32), new Case("s", P.String) }), new VariantValue("s", new StringValue("v")) },
        { new FlagsType(Enumerable.Range(0, 20).Select(i => "f" + i).ToArray()), new FlagsValue(new[] { "f1", "f19" }) },
        { new MapType(P.String, P.U32), new ListValue(new ComponentValue[] { new TupleValue(new ComponentValue[] { new StringValue("k"), Int(Primitive.U32, 9) }) }) },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void WhatIsStoredLoadsBackTheSame(ComponentValueType type, ComponentValue value)
    {
        foreach (var encoding in Enum.GetValues<StringEncoding>())
        foreach (var pointer in new[] { ValueType.I32, ValueType.I64 })
        {
            var o = Options(encoding, pointer);
            CanonicalAbi.Store(o, value, type, 64);
            Assert.Equal(value, CanonicalAbi.Load(o, 64, type));
        }
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void WhatIsLoweredFlatLiftsBackTheSame(ComponentValueType type, ComponentValue value)
    {
        foreach (var encoding in Enum.GetValues<StringEncoding>())
        foreach (var pointer in new[] { ValueType.I32, ValueType.I64 })
        {
            var o = Options(encoding, pointer);
            var flat = CanonicalAbi.LowerFlatValues(o, int.MaxValue, [value], [type]);
            Assert.Equal(CanonicalLayout.Flatten(type, pointer).Count, flat.Length);
            Assert.Equal([value], CanonicalAbi.LiftFlatValues(o, int.MaxValue, flat, [type]));
            // past one flat value (a result), through memory behind a pointer
            var spilled = CanonicalAbi.LowerFlatValues(o, 1, [value, value], [type, type]);
            Assert.Single(spilled);
            Assert.Equal([value, value], CanonicalAbi.LiftFlatValues(o, 1, spilled, [type, type]));
        }
    }

    private static string Flat(CanonicalOptions o, ComponentValueType t, ComponentValue v) =>
        string.Join(" ", CanonicalAbi.LowerFlatValues(o, int.MaxValue, [v], [t]).Select(x => $"{x:x}"));

    [Fact]
    public void FlatValuesAreTheCoreBitsOfTheirTypes()
    {
        var o = Options();
        Assert.Equal("ffffffff", Flat(o, P.S8, Int(Primitive.S8, -1)));
        Assert.Equal("ffffffff", Flat(o, P.S32, Int(Primitive.S32, -1)));
        Assert.Equal("ffffffffffffffff", Flat(o, P.S64, Int(Primitive.S64, -1)));
        Assert.Equal("ff", Flat(o, P.U8, Int(Primitive.U8, 255)));
        Assert.Equal("1", Flat(o, P.Bool, new BoolValue(true)));
        Assert.Equal("3fc00000", Flat(o, P.F32, new FloatValue(Primitive.F32, 1.5)));
        Assert.Equal("7fc00000", Flat(o, P.F32, new FloatValue(Primitive.F32, double.NaN)));
        Assert.Equal("1f600", Flat(o, P.Char, new CharValue(new Rune(0x1F600))));
        var result = new ResultType(P.F32, P.U64); // the payload position joins f32 and i64 to i64
        Assert.Equal("0 3fc00000", Flat(o, result, new ResultValue(true, new FloatValue(Primitive.F32, 1.5))));
        Assert.Equal("1 ffffffffffffffff", Flat(o, result, new ResultValue(false, Int(Primitive.U64, ulong.MaxValue))));
        Assert.Equal("0 0", Flat(o, new OptionType(P.U8), new OptionValue(null))); // unused positions are 0
        var variant = new VariantType(new[] { new Case("a", P.U64), new Case("b", new TupleType(new ComponentValueType[] { P.F32, P.F32 })) });
        Assert.Equal("1 3f800000 40000000", Flat(o, variant, new VariantValue("b", new TupleValue(new ComponentValue[] {
            new FloatValue(Primitive.F32, 1), new FloatValue(Primitive.F32, 2) }))));
        Assert.Equal("0 5 0", Flat(o, variant, new VariantValue("a", Int(Primitive.U64, 5))));
    }

    [Fact]
    public void LiftingReadsEachCoreValueAsTheTypeItCarries()
    {
        var o = Options();
        // a u32 case reads the low half of the i64 its position joined to; an i32 read of a larger core value too
        Assert.Equal([new ResultValue(true, Int(Primitive.U32, 7))], CanonicalAbi.LiftFlatValues(o, 16, [0, 0x1_0000_0007], [new ResultType(P.U32, P.U64)]));
        Assert.Equal([new ResultValue(false, Int(Primitive.U64, 0x1_0000_0007))], CanonicalAbi.LiftFlatValues(o, 16, [1, 0x1_0000_0007], [new ResultType(P.U32, P.U64)]));
        Assert.Equal([new BoolValue(true)], CanonicalAbi.LiftFlatValues(o, 16, [2], [P.Bool]));
        Assert.Equal([Int(Primitive.U8, 0xFF)], CanonicalAbi.LiftFlatValues(o, 16, [0x1FF], [P.U8]));
        Assert.Equal([Int(Primitive.S16, -1)], CanonicalAbi.LiftFlatValues(o, 16, [0xFFFF], [P.S16]));
        var trap = Assert.Throws<TrapException>(() => CanonicalAbi.LiftFlatValues(o, 16, [2, 0], [new OptionType(P.U8)]));
        Assert.Equal("case 2 of a option with 2 cases", trap.Message);
        trap = Assert.Throws<TrapException>(() => CanonicalAbi.LiftFlatValues(o, 1, [2], [P.String]));
        Assert.Equal("a tuple at 2, not 4-byte aligned", trap.Message);
        Assert.Throws<ArgumentException>(() => CanonicalAbi.LiftFlatValues(o, 16, [1], [P.String]));
        Assert.Throws<ArgumentException>(() => CanonicalAbi.LiftFlatValues(o, 16, [1, 2], [P.U8]));
    }

    [Fact]
    public void ALoweredImportsResultGoesWhereTheCallerSays()
    {
        var o = Options();
        Assert.Empty(CanonicalAbi.LowerFlatValues(o, 1, [new StringValue("out")], [P.String], outPointer: 64));
        Assert.Equal(new TupleValue(new ComponentValue[] { new StringValue("out") }), CanonicalAbi.Load(o, 64, new TupleType(new ComponentValueType[] { P.String })));
        Assert.Equal([1024ul], CanonicalAbi.LowerFlatValues(o with { Realloc = (_, _, _, _) => 1024 }, 1, [Int(Primitive.U64, 1), Int(Primitive.U8, 2)], [P.U64, P.U8]));
        Assert.Equal([Int(Primitive.U64, 1), Int(Primitive.U8, 2)], CanonicalAbi.LiftFlatValues(o, 1, [1024], [P.U64, P.U8]));
    }

    [Fact]
    public void NaNsAreStoredWithTheCanonicalBits()
    {
        CanonicalAbi.Store(Options(), new FloatValue(Primitive.F32, double.NaN), P.F32, 0);
        Assert.Equal(0x7FC00000u, BinaryPrimitives.ReadUInt32LittleEndian(_memory));
        CanonicalAbi.Store(Options(), new FloatValue(Primitive.F64, -double.NaN), P.F64, 8);
        Assert.Equal(0x7FF8000000000000ul, BinaryPrimitives.ReadUInt64LittleEndian(_memory.AsSpan(8)));
    }

    /// <summary>Stores <paramref name="s"/> at 0 and returns realloc's calls and the stored (pointer, length).</summary>
    private (string Calls, ulong Pointer, ulong Length) StoreString(string s, StringEncoding encoding)
    {
        _allocator.Calls.Clear();
        CanonicalAbi.Store(Options(encoding), new StringValue(s), P.String, 0);
        return (string.Join(" ", _allocator.Calls.Select(c => $"({c.Old},{c.OldSize},{c.Alignment},{c.NewSize})")),
            BinaryPrimitives.ReadUInt32LittleEndian(_memory), BinaryPrimitives.ReadUInt32LittleEndian(_memory.AsSpan(4)));
    }

    [Fact]
    public void StringsAllocateAndTranscodeCallForCall()
    {
        // UTF-16 source to UTF-8: one byte per code unit while ASCII; at the first other character, grown to three
        // per code unit, then shrunk to the encoding's length.
        Assert.Equal(("(0,0,1,3)", 1024ul, 3ul), StoreString("abc", StringEncoding.Utf8));
        Assert.Equal(("(0,0,1,2) (1027,2,1,6) (1029,6,1,3)", 1035ul, 3ul), StoreString("aé", StringEncoding.Utf8));
        Assert.Equal("aé", Encoding.UTF8.GetString(_memory, 1035, 3));
        // to UTF-16: a copy
        Assert.Equal(("(0,0,2,4)", 1038ul, 2ul), StoreString("hé", StringEncoding.Utf16));
        // to latin1+utf16: one byte per code unit while Latin-1 ...
        Assert.Equal(("(0,0,2,4)", 1042ul, 4ul), StoreString("café", StringEncoding.Latin1Utf16));
        Assert.Equal("café", Encoding.Latin1.GetString(_memory, 1042, 4));
        // ... then two, the bytes so far widened in place, the length tagged
        Assert.Equal(("(0,0,2,2) (1046,2,2,4)", 1048ul, 0x8000_0002ul), StoreString("c€", StringEncoding.Latin1Utf16));
        Assert.Equal("c€", Encoding.Unicode.GetString(_memory, 1048, 4));
        Assert.Equal(("(0,0,2,3) (1052,3,2,6)", 1056ul, 0x8000_0003ul), StoreString("😀a", StringEncoding.Latin1Utf16));
    }

    [Fact]
    public void ReallocMustReturnAnAlignedPlaceInsideTheMemory()
    {
        _override = _ => 1;
        var trap = Assert.Throws<TrapException>(() => CanonicalAbi.Store(Options(StringEncoding.Utf16), new StringValue("x"), P.String, 0));
        Assert.Equal((TrapCode.CanonicalAbi, "realloc returned 1, not 2-byte aligned"), (trap.Code, trap.Message));
        _override = _ => 4094;
        trap = Assert.Throws<TrapException>(() => CanonicalAbi.Store(Options(), new ListValue(new ComponentValue[] { Int(Primitive.U8, 1), Int(Primitive.U8, 2), Int(Primitive.U8, 3) }), new ListType(P.U8), 0));
        Assert.Equal("realloc returned 4094 for 3 bytes, past the memory's end (4096)", trap.Message);
        trap = Assert.Throws<TrapException>(() => CanonicalAbi.Store(Options(), Int(Primitive.U32, 1), P.U32, 2));
        Assert.Equal("a u32 at 2, not 4-byte aligned", trap.Message);
    }

    [Fact]
    public void ValuesOfAnotherTypeAreTheCallersError()
    {
        var o = Options();
        Assert.Throws<ArgumentException>(() => CanonicalAbi.Store(o, Int(Primitive.U8, 1), P.U16, 0));
        Assert.Throws<ArgumentException>(() => CanonicalAbi.Store(o, new StringValue("x"), P.U32, 0));
        Assert.Throws<ArgumentException>(() => CanonicalAbi.Store(o, new EnumValue("d"), new EnumType(new[] { "a" }), 0));
        Assert.Throws<ArgumentException>(() => CanonicalAbi.Store(o, new VariantValue("a", Int(Primitive.U8, 1)), new VariantType(new[] { new Case("a") }), 0));
        Assert.Throws<ArgumentException>(() => CanonicalAbi.Store(o, new FlagsValue(new[] { "z" }), new FlagsType(new[] { "a" }), 0));
        Assert.Throws<ArgumentException>(() => CanonicalAbi.Store(o, new ListValue(Array.Empty<ComponentValue>()), new ListType(P.U8, 2), 0));
        Assert.Throws<ArgumentException>(() => CanonicalAbi.Store(o, new StringValue("\uD800x"), P.String, 0));
        Assert.Throws<InvalidOperationException>(() => CanonicalAbi.Store(o with { Realloc = null }, new StringValue("x"), P.String, 0));
    }
}
