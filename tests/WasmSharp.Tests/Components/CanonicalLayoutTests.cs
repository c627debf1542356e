using WasmSharp.Components;
using static WasmSharp.Components.PrimitiveType;
using V = WasmSharp.ValueType;

namespace WasmSharp.Tests.Components;

/// <summary>The Canonical ABI's layout of component values, each case worked out by hand from the rules of the
/// spec's definitions.py (alignment, elem_size, discriminant_type, flatten_type, flatten_functype).</summary>
public class CanonicalLayoutTests
{
    private static readonly PrimitiveType Str = PrimitiveType.String, Chr = PrimitiveType.Char;

    private static RecordType Record(params ComponentValueType[] types) =>
        new(types.Select((t, i) => new Field(((char)('a' + i)).ToString(), t)).ToArray());

    private static VariantType Variant(params ComponentValueType?[] payloads) =>
        new(payloads.Select((t, i) => new Case("c" + i, t)).ToArray());

    private static EnumType Enum(int labels) => new(Enumerable.Range(0, labels).Select(i => "l" + i).ToArray());
    private static FlagsType Flags(int labels) => new(Enumerable.Range(0, labels).Select(i => "f" + i).ToArray());
    private static TupleType Tuple(params ComponentValueType[] types) => new(types);

    public static TheoryData<string, ComponentValueType, V, int, long, V[]> Layouts => new()
    {
        // name, type, address type, alignment, size, flat types
        { "bool", Bool, V.I32, 1, 1, [V.I32] },
        { "s8", S8, V.I32, 1, 1, [V.I32] },
        { "u8", U8, V.I32, 1, 1, [V.I32] },
        { "s16", S16, V.I32, 2, 2, [V.I32] },
        { "u16", U16, V.I32, 2, 2, [V.I32] },
        { "s32", S32, V.I32, 4, 4, [V.I32] },
        { "u32", U32, V.I32, 4, 4, [V.I32] },
        { "s64", S64, V.I32, 8, 8, [V.I64] },
        { "u64", U64, V.I32, 8, 8, [V.I64] },
        { "f32", F32, V.I32, 4, 4, [V.F32] },
        { "f64", F64, V.I32, 8, 8, [V.F64] },
        { "char", Chr, V.I32, 4, 4, [V.I32] },
        { "error-context", ErrorContext, V.I32, 4, 4, [V.I32] },
        { "string", Str, V.I32, 4, 8, [V.I32, V.I32] },
        { "string in memory64", Str, V.I64, 8, 16, [V.I64, V.I64] },
        { "list<u8>", new ListType(U8), V.I32, 4, 8, [V.I32, V.I32] },
        { "list<u8> in memory64", new ListType(U8), V.I64, 8, 16, [V.I64, V.I64] },
        { "list<u16, 3>", new ListType(U16, 3), V.I32, 2, 6, [V.I32, V.I32, V.I32] },
        { "record {u8, u32, u16}: fields at 0, 4, 8", Record(U8, U32, U16), V.I32, 4, 12, [V.I32, V.I32, V.I32] },
        { "tuple<u8, u64>", Tuple(U8, U64), V.I32, 8, 16, [V.I32, V.I64] },
        { "record {u8, list<u8; 3>}", Record(U8, new ListType(U8, 3)), V.I32, 1, 4, [V.I32, V.I32, V.I32, V.I32] },
        { "variant {c0, c1(u8), c2(u64)}: u8 then payload at 8, joined", Variant(null, U8, U64), V.I32, 8, 16, [V.I32, V.I64] },
        { "variant {c0(u64), c1(tuple<f32, f32>)}", Variant(U64, Tuple(F32, F32)), V.I32, 8, 16, [V.I32, V.I64, V.F32] },
        { "option<string>", new OptionType(Str), V.I32, 4, 12, [V.I32, V.I32, V.I32] },
        { "option<string> in memory64", new OptionType(Str), V.I64, 8, 24, [V.I32, V.I64, V.I64] },
        { "result", new ResultType(null, null), V.I32, 1, 1, [V.I32] },
        { "result<u32, f32>: i32 and f32 join to i32", new ResultType(U32, F32), V.I32, 4, 8, [V.I32, V.I32] },
        { "result<f32, f32>", new ResultType(F32, F32), V.I32, 4, 8, [V.I32, V.F32] },
        { "result<f64, u32>: anything else joins to i64", new ResultType(F64, U32), V.I32, 8, 16, [V.I32, V.I64] },
        { "result<_, string>", new ResultType(null, Str), V.I32, 4, 12, [V.I32, V.I32, V.I32] },
        { "enum of 3", Enum(3), V.I32, 1, 1, [V.I32] },
        { "enum of 256", Enum(256), V.I32, 1, 1, [V.I32] },
        { "enum of 257: a u16 discriminant", Enum(257), V.I32, 2, 2, [V.I32] },
        { "enum of 65537: a u32 discriminant", Enum(65537), V.I32, 4, 4, [V.I32] },
        { "flags of 8", Flags(8), V.I32, 1, 1, [V.I32] },
        { "flags of 9", Flags(9), V.I32, 2, 2, [V.I32] },
        { "flags of 16", Flags(16), V.I32, 2, 2, [V.I32] },
        { "flags of 17", Flags(17), V.I32, 4, 4, [V.I32] },
        { "flags of 32", Flags(32), V.I32, 4, 4, [V.I32] },
        { "map<string, u32>: a list of tuples", new MapType(Str, U32), V.I32, 4, 8, [V.I32, V.I32] },
        { "own", new OwnType(new ResourceType("r")), V.I32, 4, 4, [V.I32] },
        { "borrow in memory64", new BorrowType(new ResourceType("r")), V.I64, 4, 4, [V.I32] },
        { "stream<u8>", new StreamType(U8), V.I32, 4, 4, [V.I32] },
        { "future", new FutureType(null), V.I32, 4, 4, [V.I32] },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void AlignmentSizeAndFlatTypesFollowTheSpec(string name, ComponentValueType type, V pointer, int alignment, long size,
        V[] flat)
    {
        Assert.False(string.IsNullOrEmpty(name));
        Assert.Equal(alignment, CanonicalLayout.Alignment(type, pointer));
        Assert.Equal(size, CanonicalLayout.Size(type, pointer));
        Assert.Equal(flat, CanonicalLayout.Flatten(type, pointer));
    }

    [Fact]
    public void FieldsAndPayloadsStartWhereTheirAlignmentSays()
    {
        Assert.Equal([0L, 4, 8], CanonicalLayout.FieldOffsets(Record(U8, U32, U16)));
        Assert.Equal([0L, 8], CanonicalLayout.FieldOffsets(Tuple(U8, U64)));
        Assert.Equal([0L, 4, 12], CanonicalLayout.FieldOffsets(Tuple(U8, Str, U8)));
        Assert.Equal([0L, 8, 24], CanonicalLayout.FieldOffsets(Tuple(U8, Str, U8), V.I64));
        Assert.Equal(8, CanonicalLayout.PayloadOffset(Variant(null, U8, U64)));
        Assert.Equal(1, CanonicalLayout.PayloadOffset(new OptionType(U8)));
        Assert.Equal(2, CanonicalLayout.PayloadOffset(Enum(300)));
        Assert.Throws<ArgumentException>(() => CanonicalLayout.FieldOffsets(U8));
        Assert.Throws<ArgumentException>(() => CanonicalLayout.PayloadOffset(Record(U8)));
    }

    [Theory]
    [InlineData(1, Primitive.U8)]
    [InlineData(256, Primitive.U8)]
    [InlineData(257, Primitive.U16)]
    [InlineData(65536, Primitive.U16)]
    [InlineData(65537, Primitive.U32)]
    public void DiscriminantsAreTheNarrowestUnsignedThatNumbersTheCases(int cases, Primitive expected) =>
        Assert.Equal(expected, CanonicalLayout.DiscriminantType(cases).Kind);

    [Fact]
    public void FunctionsSpillParametersPastSixteenAndResultsPastOne()
    {
        static ComponentFunctionType Function(int parameters, ComponentValueType? result) =>
            new(Enumerable.Range(0, parameters).Select(i => new Field("p" + i, U32)).ToArray(), result);
        static string Flat(ComponentFunctionType f, FlatContext context, V pointer = V.I32)
        {
            var (parameters, results) = CanonicalLayout.FlattenFunction(f, context, pointer);
            return $"({string.Join(" ", parameters)}) -> ({string.Join(" ", results)})";
        }

        Assert.Equal($"({string.Join(" ", Enumerable.Repeat("I32", 16))}) -> (I32)", Flat(Function(16, U32), FlatContext.Lift));
        Assert.Equal("(I32) -> ()", Flat(Function(17, null), FlatContext.Lower));
        Assert.Equal("(I64) -> ()", Flat(Function(17, null), FlatContext.Lower, V.I64));
        // A string result is two flat values: lifted, the core function returns a pointer to them; lowered, the
        // caller passes one for them as a last parameter.
        Assert.Equal("(I32) -> (I32)", Flat(Function(1, Str), FlatContext.Lift));
        Assert.Equal("(I32 I32) -> ()", Flat(Function(1, Str), FlatContext.Lower));
        Assert.Equal("(I32 I64) -> ()", Flat(Function(1, Str), FlatContext.Lower, V.I64));
        Assert.Equal("() -> (F64)", Flat(Function(0, Tuple(F64)), FlatContext.Lift));
        // 18 flat values from 9 parameters (a string is two): one pointer to them all.
        var strings = new ComponentFunctionType(Enumerable.Range(0, 9).Select(i => new Field("s" + i, Str)).ToArray(), null);
        Assert.Equal("(I32) -> ()", Flat(strings, FlatContext.Lift));
        var eight = new ComponentFunctionType(Enumerable.Range(0, 8).Select(i => new Field("s" + i, Str)).ToArray(), null);
        Assert.Equal($"({string.Join(" ", Enumerable.Repeat("I32", 16))}) -> ()", Flat(eight, FlatContext.Lift));
    }

    [Fact]
    public void TypesCompareByStructureAndResourcesByIdentity()
    {
        Assert.Equal(Record(U8, new ListType(Str)), Record(U8, new ListType(Str)));
        Assert.Equal(Record(U8, new ListType(Str)).GetHashCode(), Record(U8, new ListType(Str)).GetHashCode());
        Assert.NotEqual(Record(U8, U16), Record(U8, U32));
        Assert.NotEqual<ComponentValueType>(new RecordType(new[] { new Field("x", U8) }), new RecordType(new[] { new Field("y", U8) }));
        Assert.NotEqual<ComponentValueType>(new ListType(U8), new ListType(U8, 4));
        var r = new ResourceType("r");
        Assert.Equal(new OwnType(r), new OwnType(r));
        Assert.NotEqual(new OwnType(r), new OwnType(new ResourceType("r")));
    }

    [Fact]
    public void TypesTheFormatForbidsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new RecordType(Array.Empty<Field>()));
        Assert.Throws<ArgumentException>(() => new TupleType(Array.Empty<ComponentValueType>()));
        Assert.Throws<ArgumentException>(() => new VariantType(Array.Empty<Case>()));
        Assert.Throws<ArgumentException>(() => new EnumType(Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => Flags(0));
        Assert.Throws<ArgumentException>(() => Flags(33));
        Assert.Throws<ArgumentException>(() => new ListType(U8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CanonicalLayout.DiscriminantType(0));
        Assert.Throws<ArgumentException>(() => CanonicalLayout.Size(Str, V.F32));
    }
}
