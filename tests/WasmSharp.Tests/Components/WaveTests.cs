using System.Text;
using FsCheck;
using FsCheck.Fluent;
using WasmSharp.Components;
using P = WasmSharp.Components.PrimitiveType;

namespace WasmSharp.Tests.Components;

/// <summary>WAVE text (the wasm-wave README's examples and rules): printing, parsing by type, and their errors.</summary>
public class WaveTests
{
    private static IntegerValue Int(Primitive kind, Int128 v) => new(kind, v);
    private static readonly RecordType Example = new(new[] { new Field("must-have", P.U8), new Field("optional", new OptionType(P.U8)) });
    private static readonly VariantType Response = new(new[] { new Case("empty"), new Case("body", new ListType(P.U8)), new Case("err", P.String) });

    public static TheoryData<ComponentValueType, string, ComponentValue> Examples => new()
    {
        { P.Bool, "true", new BoolValue(true) },
        { P.S32, "-9", Int(Primitive.S32, -9) },
        { P.U64, "18446744073709551615", Int(Primitive.U64, ulong.MaxValue) },
        { P.F64, "3.14", new FloatValue(Primitive.F64, 3.14) },
        { P.F64, "6.022e+23", new FloatValue(Primitive.F64, 6.022e23) },
        { P.F32, "-inf", new FloatValue(Primitive.F32, double.NegativeInfinity) },
        { P.F64, "nan", new FloatValue(Primitive.F64, double.NaN) },
        { P.Char, "'x'", new CharValue(new Rune('x')) },
        { P.Char, "'\\''", new CharValue(new Rune('\'')) },
        { P.Char, "'\\u{0}'", new CharValue(new Rune(0)) },
        { P.Char, "'☃'", new CharValue(new Rune('☃')) },
        { P.String, "\"abc\\t123\"", new StringValue("abc\t123") },
        { P.String, "\"😀 \\u{1F600} \\\"q\\\" \\\\\"", new StringValue("😀 😀 \"q\" \\") },
        { new TupleType(new ComponentValueType[] { P.String, P.U8 }), "(\"abc\", 123)", new TupleValue(new ComponentValue[] { new StringValue("abc"), Int(Primitive.U8, 123) }) },
        { new ListType(P.Char), "[]", new ListValue(Array.Empty<ComponentValue>()) },
        { new ListType(P.U8), "[1, 2, 3,]", new ListValue(new ComponentValue[] { Int(Primitive.U8, 1), Int(Primitive.U8, 2), Int(Primitive.U8, 3) }) },
        { Example, "{must-have: 123}", new RecordValue(new (string, ComponentValue)[] { ("must-have", Int(Primitive.U8, 123)), ("optional", new OptionValue(null)) }) },
        { Example, "{ optional: some(4), must-have: 1, }", new RecordValue(new (string, ComponentValue)[] { ("must-have", Int(Primitive.U8, 1)), ("optional", new OptionValue(Int(Primitive.U8, 4))) }) },
        { new RecordType(new[] { new Field("optional", new OptionType(P.U8)) }), "{:}", new RecordValue(new (string, ComponentValue)[] { ("optional", new OptionValue(null)) }) },
        { Response, "empty", new VariantValue("empty") },
        { Response, "body([79, 75])", new VariantValue("body", new ListValue(new ComponentValue[] { Int(Primitive.U8, 79), Int(Primitive.U8, 75) })) },
        { Response, "%err(\"oops\")", new VariantValue("err", new StringValue("oops")) },
        { new EnumType(new[] { "ok", "not-found" }), "%ok", new EnumValue("ok") },
        { new OptionType(P.U8), "123", new OptionValue(Int(Primitive.U8, 123)) },
        { new OptionType(P.U8), "some(123)", new OptionValue(Int(Primitive.U8, 123)) },
        { new OptionType(new OptionType(P.U8)), "some(none)", new OptionValue(new OptionValue(null)) },
        { new ResultType(P.U8, null), "123", new ResultValue(true, Int(Primitive.U8, 123)) },
        { new ResultType(null, P.String), "err(\"oops\")", new ResultValue(false, new StringValue("oops")) },
        { new ResultType(null, null), "ok", new ResultValue(true) },
        { new FlagsType(new[] { "read", "write", "exec" }), "{write, read,}", new FlagsValue(new[] { "read", "write" }) },
        { new FlagsType(new[] { "read" }), "{}", new FlagsValue(Array.Empty<string>()) },
        { P.U32, " // a comment\n 7 // and another\n", Int(Primitive.U32, 7) },
        { P.String, "\"\"\"\n    Indentation determined\n      by ending delimiter\n  \"\"\"", new StringValue("  Indentation determined\n    by ending delimiter") },
        { P.String, "\"\"\"\nA single line\n\"\"\"", new StringValue("A single line") },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void TheReadmesExamplesParse(ComponentValueType type, string text, ComponentValue expected) =>
        Assert.Equal(expected, Wave.Parse(text, type));

    [Fact]
    public void PrintingWritesTheExplicitForms()
    {
        Assert.Equal("some(123)", Wave.Print(new OptionValue(Int(Primitive.U8, 123))));
        Assert.Equal("ok(\"x\")", Wave.Print(new ResultValue(true, new StringValue("x"))));
        Assert.Equal("err", Wave.Print(new ResultValue(false)));
        Assert.Equal("%err(\"oops\")", Wave.Print(new VariantValue("err", new StringValue("oops"))));
        Assert.Equal("{must-have: 1, optional: none}", Wave.Print(new RecordValue(new (string, ComponentValue)[] { ("must-have", Int(Primitive.U8, 1)), ("optional", new OptionValue(null)) })));
        Assert.Equal("'\\n'", Wave.Print(new CharValue(new Rune('\n'))));
        Assert.Equal("\"a\\\"b\\\\c\\u{1}\"", Wave.Print(new StringValue("a\"b\\c\u0001")));
        Assert.Equal("[1.5, -inf, nan]", Wave.Print(new ListValue(new ComponentValue[] {
            new FloatValue(Primitive.F32, 1.5), new FloatValue(Primitive.F32, double.NegativeInfinity), new FloatValue(Primitive.F64, double.NaN) })));
        Assert.Equal("{read, exec}", Wave.Print(new FlagsValue(new[] { "read", "exec" })));
    }

    [Fact]
    public void WhatIsPrintedParsesBackTheSame() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), Prop.ForAll(Arb.From(ComponentGenerators.TypedValue), x =>
            Assert.Equal(x.Value, Wave.Parse(Wave.Print(x.Value), x.Type))));

    [Theory]
    [InlineData("256", "expected a u8 (0 to 255) at 1:1, found '256'")]
    [InlineData("1.5", "expected a u8 at 1:1, found '1.5'")]
    [InlineData("01", "expected a u8 at 1:1, found '01'")]
    [InlineData("1 2", "expected the end of the value at 1:3, found '2'")]
    [InlineData("", "expected a u8 at 1:1, found the end")]
    public void IntegersOutOfRangeOrMalformedAreRefused(string text, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => Wave.Parse(text, P.U8)).Message);

    [Fact]
    public void ErrorsSayWhatWasExpectedWhere()
    {
        string Error(string text, ComponentValueType t) => Assert.Throws<FormatException>(() => Wave.Parse(text, t)).Message;
        Assert.Equal("expected ',' or ']' at 2:4, found '3]'", Error("[1,\n 2 3]", new ListType(P.U8)));
        Assert.Equal("expected one of empty, body, err, not error at 1:6, found the end", Error("error", Response));
        Assert.Equal("expected the field must-have at 1:14, found the end", Error("{optional: 1}", Example));
        Assert.Equal("expected true or false at 1:1, found '%true'", Error("%true", P.Bool));
        Assert.Equal("expected some(...) or none at 1:1, found '3'", Error("3", new OptionType(new OptionType(P.U8))));
        Assert.Equal("expected a Unicode scalar value in hex, \\u{...} at 1:4, found '{d800}\"'", Error("\"\\u{d800}\"", P.String));
        Assert.Equal("expected 2 elements, not 1 at 1:4, found the end", Error("[1]", new ListType(P.U8, 2)));
        Assert.Equal("expected ''' after one char at 1:3, found 'b''", Error("'ab'", P.Char));
    }

    [Fact]
    public void CallsNameAFunctionAndMayLeaveOutTrailingNones()
    {
        IReadOnlyList<ComponentValueType> Parameters(string name) => name switch
        {
            "f" => [new OptionType(P.U8), new OptionType(P.U8), new OptionType(P.U8)],
            "greet" => [P.String],
            "wasi:cli/run@0.2.0#run" => [],
            _ => throw new KeyNotFoundException(name),
        };
        foreach (var call in new[] { "f(some(1))", "f(some(1), none)", "f(1, none, none,)" })
            Assert.Equal(("f", "some(1) | none | none"), Normalise(Wave.ParseCall(call, Parameters)));
        Assert.Equal(("greet", "\"world\""), Normalise(Wave.ParseCall(" greet( \"world\" ) ", Parameters)));
        Assert.Equal(("wasi:cli/run@0.2.0#run", ""), Normalise(Wave.ParseCall("wasi:cli/run@0.2.0#run()", Parameters)));
        Assert.Equal("expected argument 1 (string) at 1:8, found the end",
            Assert.Throws<FormatException>(() => Wave.ParseCall("greet()", Parameters)).Message);
        Assert.Equal("expected ')' after 1 argument(s) at 1:12, found '2)'",
            Assert.Throws<FormatException>(() => Wave.ParseCall("greet(\"a\", 2)", Parameters)).Message);

        static (string, string) Normalise((string Name, ComponentValue[] Arguments) call) => (call.Name, string.Join(" | ", call.Arguments.Select(Wave.Print)));
    }
}
