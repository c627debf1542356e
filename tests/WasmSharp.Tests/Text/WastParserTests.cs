using System.Text;
using WasmSharp.Tests.Binary;
using WasmSharp.Text;
using WasmSharp.Text.Wast;

namespace WasmSharp.Tests.Text;

/// <summary>The .wast script parser: every command form, constants and result patterns, lines, and errors.</summary>
public class WastParserTests
{
    /// <summary>The empty binary module, as a script string.</summary>
    private const string Empty = """ "\00asm\01\00\00\00" """;
    private static readonly byte[] EmptyBytes = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    private static WastScript Parse(string text) => WastParser.Parse(Encoding.UTF8.GetBytes(text));

    private static IReadOnlyList<WastCommand> Commands(string text)
    {
        var script = Parse(text);
        Assert.Null(script.Error);
        return script.Commands;
    }

    private static T Single<T>(string text) => Assert.IsType<T>(Assert.Single(Commands(text)));

    private static byte[] Wat(string text) => ModuleParser.ParseFile(Encoding.UTF8.GetBytes(text));

    /// <summary>The expected result of <c>(assert_return (invoke "f") <paramref name="text"/>)</c>.</summary>
    private static WastValue Result(string text) => Single<AssertReturnCommand>($"(assert_return (invoke \"f\") {text})").Expected.Single();

    /// <summary>The argument of <c>(invoke "f" <paramref name="text"/>)</c>.</summary>
    private static WastValue Arg(string text) => Single<ActionCommand>($"(invoke \"f\" {text})").Action.Args.Single();

    private static MalformedTextException Error(string text)
    {
        var script = Parse(text);
        return script.Error ?? throw new Xunit.Sdk.XunitException("no error");
    }

    // ---- modules ----

    [Fact]
    public void BinaryModulesConcatenateTheirStrings()
    {
        var c = Single<ModuleCommand>("""(module $M binary "\00asm" "\01\00" "" "\00\00")""");
        Assert.Equal(("module", 1, "$M", ModuleFormat.Binary, false), (c.Kind, c.Line, c.Module.Id, c.Module.Format, c.Module.IsDefinition));
        Assert.Equal(EmptyBytes, c.Module.ToBinary());
    }

    [Fact]
    public void QuoteModulesKeepTheirTextToBeParsedWhenUsed()
    {
        var c = Single<ModuleCommand>("""(module quote "(func" " (i32.nope))")""");
        Assert.Equal(ModuleFormat.Quote, c.Module.Format);
        Assert.Equal("(func (i32.nope))"u8.ToArray(), c.Module.QuoteSource);
        Assert.Null(c.Module.TextError);
        var e = Assert.Throws<MalformedTextException>(() => c.Module.ToBinary());
        Assert.StartsWith("unknown operator", e.Reason);

        var good = Single<ModuleCommand>("""(module $q quote "(memory 1)" "(func)")""");
        Assert.Equal("$q", good.Module.Id);
        Assert.Equal(Wat("(module (memory 1) (func))"), good.Module.ToBinary());
    }

    [Fact]
    public void TextModulesAreCompiledByTheModuleParser()
    {
        var c = Single<ModuleCommand>("""(module $m (func (export "f") (result i32) (i32.const 7)) (memory 1))""");
        Assert.Equal((ModuleFormat.Text, "$m"), (c.Module.Format, c.Module.Id));
        Assert.Equal(Wat("""(module (func (export "f") (result i32) (i32.const 7)) (memory 1))"""), c.Module.ToBinary());
        Assert.Equal(Wat("(module)"), Single<ModuleCommand>("(module)").Module.ToBinary());
    }

    [Fact]
    public void AMalformedTextModuleDoesNotStopTheScript()
    {
        var commands = Commands($"""
            (module (func (block (i32.nope (i32.const 1)))))
            (assert_malformed (module (func (i32.nope))) "unknown operator")
            (module binary {Empty})
            """);
        Assert.Equal(3, commands.Count);
        var first = Assert.IsType<ModuleCommand>(commands[0]);
        var error = Assert.IsType<MalformedTextException>(first.Module.TextError);
        Assert.StartsWith("unknown operator", error.Reason);
        Assert.Equal(1, error.Line);
        Assert.Throws<MalformedTextException>(() => first.Module.ToBinary());
        var assertion = Assert.IsType<AssertModuleCommand>(commands[1]);
        Assert.Equal((ModuleAssertion.Malformed, "unknown operator", 2), (assertion.Expect, assertion.Message, assertion.Line));
        Assert.NotNull(assertion.Module.TextError);
        Assert.Equal(EmptyBytes, Assert.IsType<ModuleCommand>(commands[2]).Module.ToBinary());
    }

    [Fact]
    public void ModuleDefinitionsAndInstances()
    {
        var commands = Commands($"""
            (module definition $M binary {Empty})
            (module instance $I $M)
            (module instance)
            """);
        var definition = Assert.IsType<ModuleCommand>(commands[0]);
        Assert.Equal(("module definition", true, "$M"), (definition.Kind, definition.Module.IsDefinition, definition.Module.Id));
        Assert.Equal(new InstanceCommand(2, "$I", "$M"), commands[1]);
        Assert.Equal(new InstanceCommand(3, null, null), commands[2]);
        Assert.Equal("module instance", commands[1].Kind);
    }

    [Fact]
    public void AScriptOfBareFieldsIsOneInlineModule()
    {
        var c = Single<ModuleCommand>("""(func) (memory 0) (func (export "f"))""");
        Assert.Equal(Wat("""(module (func) (memory 0) (func (export "f")))"""), c.Module.ToBinary());
    }

    // ---- register and actions ----

    [Fact]
    public void RegisterNamesAModule()
    {
        var commands = Commands("""
            (register "M")
            (register "N" $m)
            """);
        Assert.Equal(new RegisterCommand(1, "M", null), commands[0]);
        Assert.Equal(new RegisterCommand(2, "N", "$m"), commands[1]);
    }

    [Fact]
    public void ActionsAreCommands()
    {
        var commands = Commands("""
            (invoke "f" (i32.const 1) (i64.const 2))
            (get $g "glob")
            (invoke $"my module" "\e2\82\ac")
            """);
        var invoke = Assert.IsType<ActionCommand>(commands[0]);
        Assert.Equal(("action", 1, false, null, "f"), (invoke.Kind, invoke.Line, invoke.Action.IsGet, invoke.Action.Module, invoke.Action.Name));
        Assert.Equal([new WastValue.Number(ValueType.I32, new(1)), new WastValue.Number(ValueType.I64, new(2))], invoke.Action.Args);
        Assert.Equal(new WastAction(true, "$g", "glob", []), Assert.IsType<ActionCommand>(commands[1]).Action);
        Assert.Equal(("$my module", "€"), (((ActionCommand)commands[2]).Action.Module, ((ActionCommand)commands[2]).Action.Name));
    }

    // ---- assertions ----

    [Fact]
    public void AssertReturnHoldsItsActionAndResults()
    {
        var c = Single<AssertReturnCommand>("""(assert_return (invoke $m "f" (f32.const 1)) (i32.const 1) (f64.const nan:canonical))""");
        Assert.Equal(new WastAction(false, "$m", "f", [new WastValue.Number(ValueType.F32, new(0x3F80_0000))]), c.Action);
        Assert.Equal([new WastValue.Number(ValueType.I32, new(1)), new WastValue.Number(ValueType.F64, NumberPattern.CanonicalNan)], c.Expected);
        Assert.Empty(Single<AssertReturnCommand>("""(assert_return (get "g"))""").Expected);
    }

    [Fact]
    public void AssertTrapTakesAnActionOrAModule()
    {
        var commands = Commands($"""
            (assert_trap (invoke "f") "unreachable")
            (assert_trap (module binary {Empty}) "out of bounds memory access")
            (assert_exhaustion (invoke "g" (i32.const 0)) "call stack exhausted")
            """);
        Assert.Equal(new AssertTrapCommand(1, new WastAction(false, null, "f", []), "unreachable", false), commands[0]);
        var module = Assert.IsType<AssertModuleCommand>(commands[1]);
        Assert.Equal((ModuleAssertion.Uninstantiable, "assert_uninstantiable", "out of bounds memory access"), (module.Expect, module.Kind, module.Message));
        var exhaustion = Assert.IsType<AssertTrapCommand>(commands[2]);
        Assert.Equal(("assert_exhaustion", true, "call stack exhausted"), (exhaustion.Kind, exhaustion.Exhaustion, exhaustion.Message));
    }

    [Theory]
    [InlineData("assert_malformed", nameof(ModuleAssertion.Malformed))]
    [InlineData("assert_invalid", nameof(ModuleAssertion.Invalid))]
    [InlineData("assert_unlinkable", nameof(ModuleAssertion.Unlinkable))]
    [InlineData("assert_uninstantiable", nameof(ModuleAssertion.Uninstantiable))]
    public void ModuleAssertions(string keyword, string expected)
    {
        var expect = Enum.Parse<ModuleAssertion>(expected);
        var c = Single<AssertModuleCommand>($"""({keyword} (module binary {Empty}) "some message")""");
        Assert.Equal((keyword, expect, "some message"), (c.Kind, c.Expect, c.Message));
        Assert.Equal(EmptyBytes, c.Module.ToBinary());
    }

    [Fact]
    public void LinesAreThoseOfTheActionOrModuleOrKeyword()
    {
        // As wast2json numbered them: an assertion by its action or module, other commands by their keyword.
        var commands = Commands($"""
            (assert_trap
              (module binary {Empty})
              "msg")
            (assert_return

              (invoke "f"))
            (
            register "x")
            ;; a comment (; and a block comment ;)
            (module
              binary {Empty})
            """);
        Assert.Equal([2, 6, 8, 10], commands.Select(c => c.Line));
    }

    [Fact]
    public void AnnotationsBetweenCommandsAreSkipped()
    {
        var commands = Commands($"""
            (@custom "x" (nested (deeper)))
            (module binary {Empty})
            (@a)
            """);
        Assert.IsType<ModuleCommand>(Assert.Single(commands));
    }

    [Fact]
    public void CommandsOfProposalsAndMetaCommandsAreSkippedWhole()
    {
        var commands = Commands($"""
            (thread $T (module binary {Empty}) (invoke "x"))
            (invoke "g")
            """);
        Assert.Equal(new UnsupportedCommand(1, "thread"), commands[0]);
        Assert.IsType<ActionCommand>(commands[1]);
    }

    [Fact]
    public void AssertExceptionTakesAnAction()
    {
        var commands = Commands("""
            (assert_exception (invoke "f"))
            (assert_exception
              (invoke $m "g" (i32.const 7)))
            """);
        Assert.Equal(new AssertExceptionCommand(1, new WastAction(false, null, "f", [])), commands[0]);
        Assert.Equal(new AssertExceptionCommand(3, new WastAction(false, "$m", "g", [new WastValue.Number(ValueType.I32, new(7))])), commands[1]);
        Assert.Equal("assert_exception", commands[0].Kind);
        Assert.Equal("unexpected token", Error("(assert_exception (invoke \"f\") \"message\")").Reason);
    }

    // ---- constants ----

    [Theory]
    [InlineData("(i32.const -1)", ValueType.I32, 0xFFFF_FFFFUL)]
    [InlineData("(i32.const 0xffff_ffff)", ValueType.I32, 0xFFFF_FFFFUL)]
    [InlineData("(i32.const -0x8000_0000)", ValueType.I32, 0x8000_0000UL)]
    [InlineData("(i64.const -1)", ValueType.I64, ulong.MaxValue)]
    [InlineData("(i64.const 18446744073709551615)", ValueType.I64, ulong.MaxValue)]
    [InlineData("(f32.const -0.5)", ValueType.F32, 0xBF00_0000UL)]
    [InlineData("(f32.const inf)", ValueType.F32, 0x7F80_0000UL)]
    [InlineData("(f32.const -nan:0x200000)", ValueType.F32, 0xFFA0_0000UL)]
    [InlineData("(f64.const 0x1p-1)", ValueType.F64, 0x3FE0_0000_0000_0000UL)]
    [InlineData("(f64.const -0)", ValueType.F64, 0x8000_0000_0000_0000UL)]
    [InlineData("(f64.const nan:0x4)", ValueType.F64, 0x7FF0_0000_0000_0004UL)]
    public void NumbersAreTheirBits(string text, ValueType type, ulong bits)
    {
        var expected = new WastValue.Number(type, new NumberPattern(bits));
        Assert.Equal(expected, Arg(text));
        Assert.Equal(expected, Result(text));
    }

    [Theory]
    [InlineData("i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 -1 255", nameof(LaneType.I8), new ulong[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0xFF, 0xFF })]
    [InlineData("i16x8 0 1 2 3 4 5 -1 0xffff", nameof(LaneType.I16), new ulong[] { 0, 1, 2, 3, 4, 5, 0xFFFF, 0xFFFF })]
    [InlineData("i32x4 1 -2 0x8000_0000 4294967295", nameof(LaneType.I32), new ulong[] { 1, 0xFFFF_FFFE, 0x8000_0000, 0xFFFF_FFFF })]
    [InlineData("i64x2 -1 0x7fffffffffffffff", nameof(LaneType.I64), new ulong[] { ulong.MaxValue, long.MaxValue })]
    [InlineData("f32x4 1 -0 inf nan", nameof(LaneType.F32), new ulong[] { 0x3F80_0000, 0x8000_0000, 0x7F80_0000, 0x7FC0_0000 })]
    [InlineData("f64x2 0x1p0 -inf", nameof(LaneType.F64), new ulong[] { 0x3FF0_0000_0000_0000, 0xFFF0_0000_0000_0000 })]
    public void VectorsHaveEveryLane(string lanes, string laneType, ulong[] bits)
    {
        var expected = new WastValue.Vector(Enum.Parse<LaneType>(laneType), bits.Select(b => new NumberPattern(b)).ToArray());
        Assert.Equal(expected, Arg($"(v128.const {lanes})"));
        Assert.Equal(expected, Result($"(v128.const {lanes})"));
    }

    [Fact]
    public void References()
    {
        Assert.Equal(new WastValue.Null(ValueType.FuncRef), Arg("(ref.null func)"));
        Assert.Equal(new WastValue.Null(ValueType.ExternRef), Arg("(ref.null extern)"));
        Assert.Equal(new WastValue.Null(ValueType.ExnRef), Arg("(ref.null exn)"));
        Assert.Equal(new WastValue.Null(ValueType.ExnRef), Result("(ref.null exn)"));
        Assert.Equal(new WastValue.Extern(7), Arg("(ref.extern 7)"));
        Assert.Equal(new WastValue.Extern(7), Result("(ref.extern 7)"));
    }

    [Fact]
    public void ResultPatterns()
    {
        Assert.Equal(new WastValue.Number(ValueType.F32, NumberPattern.ArithmeticNan), Result("(f32.const nan:arithmetic)"));
        Assert.Equal(new WastValue.Number(ValueType.F64, NumberPattern.CanonicalNan), Result("(f64.const nan:canonical)"));
        Assert.Equal(new WastValue.Vector(LaneType.F32, [NumberPattern.CanonicalNan, NumberPattern.ArithmeticNan, new(0x3F80_0000), new(0)]),
            Result("(v128.const f32x4 nan:canonical nan:arithmetic 1 0)"));
        Assert.Equal(new WastValue.Vector(LaneType.F64, [new(0), NumberPattern.ArithmeticNan]), Result("(v128.const f64x2 0 nan:arithmetic)"));
        Assert.Equal(new WastValue.Func(), Result("(ref.func)"));
        Assert.Equal(new WastValue.Extern(null), Result("(ref.extern)"));
        Assert.Equal(new WastValue.Null(null), Result("(ref.null)"));
        Assert.Equal(new WastValue.Either([new WastValue.Number(ValueType.I32, new(1)), new WastValue.Either([new WastValue.Func()])]),
            Result("(either (i32.const 1) (either (ref.func)))"));
    }

    // ---- component constants and forms ----

    [Fact]
    public void ComponentConstants()
    {
        var args = Single<ActionCommand>("""
            (invoke "f" (bool.const true) (s8.const -128) (u8.const 255) (s16.const -1) (u64.const 18446744073709551615)
              (char.const "⛳") (str.const "hi") (list.const (u32.const 1) (u32.const 2)) (tuple.const)
              (record.const (field "s" str.const "v=") (field "l" list.const (u32.const 10)) (field "n" (u32.const 7)))
              (variant.const "a") (variant.const "b" (u8.const 1)) (enum.const "e") (option.none)
              (option.some (bool.const false)) (result.ok) (result.err (str.const "x")) (flags.const "a" "b") (flags.const)
              (f32.const 1.5))
            """).Action.Args;
        WastValue u32(ulong v) => new WastValue.Integer(ComponentInt.U32, v);
        WastValue[] expected =
        [
            new WastValue.Bool(true), new WastValue.Integer(ComponentInt.S8, 0x80), new WastValue.Integer(ComponentInt.U8, 255),
            new WastValue.Integer(ComponentInt.S16, 0xFFFF), new WastValue.Integer(ComponentInt.U64, ulong.MaxValue),
            new WastValue.Char(new System.Text.Rune(0x26F3)), new WastValue.String("hi"),
            new WastValue.Sequence(false, [u32(1), u32(2)]), new WastValue.Sequence(true, []),
            new WastValue.Record([new("s", new WastValue.String("v=")), new("l", new WastValue.Sequence(false, [u32(10)])), new("n", u32(7))]),
            new WastValue.Case(false, "a", null), new WastValue.Case(false, "b", new WastValue.Integer(ComponentInt.U8, 1)),
            new WastValue.Case(true, "e", null), new WastValue.Option(null), new WastValue.Option(new WastValue.Bool(false)),
            new WastValue.Result(true, null), new WastValue.Result(false, new WastValue.String("x")),
            new WastValue.Flags(["a", "b"]), new WastValue.Flags([]),
            new WastValue.Number(ValueType.F32, new NumberPattern(0x3FC00000)),
        ];
        Assert.Equal(expected, args);
        Assert.Equal(-128, ((WastValue.Integer)args[1]).Signed);
        Assert.Equal(-1, ((WastValue.Integer)args[3]).Signed);
    }

    [Theory]
    [InlineData("(s8.const 128)", "constant out of range")]
    [InlineData("(u8.const 256)", "constant out of range")]
    [InlineData("(s32.const -2147483649)", "constant out of range")]
    [InlineData("(char.const \"ab\")", "a char constant holds one character")]
    [InlineData("(bool.const 1)", "unknown operator 1")]
    public void ComponentConstantsOutOfTheirType(string text, string reason) =>
        Assert.Equal(reason, Error($"(invoke \"f\" {text})").Reason);

    [Fact]
    public void WithoutComponentTextComponentFormsAreSkipped()
    {
        var commands = Commands("""
            (component $C (core module) (func $f))
            (component instance $i $C)
            (assert_invalid (component (type (frob))) "x")
            (assert_return (invoke "f" (u32.const 1)) (str.const "x"))
            (module)
            """);
        Assert.Equal(["component", "component", "assert_invalid", "assert_return", "module"], commands.Select(c => c.Kind));
        Assert.IsType<UnsupportedCommand>(commands[0]);
        Assert.IsType<UnsupportedCommand>(commands[2]);
    }

    // ---- errors ----

    [Theory]
    [InlineData("(assert_return (invoke \"f\") (i32.const))", "unexpected token", 1, 39)]
    [InlineData("(assert_return (invoke \"f\") (i32.const 0x1_0000_0000))", "constant out of range", 1, 40)]
    [InlineData("(assert_return (invoke \"f\") (f32.const 1e39))", "constant out of range", 1, 40)]
    [InlineData("(invoke \"f\" (f32.const nan:canonical))", "unexpected token", 1, 24)]
    [InlineData("(invoke \"f\" (ref.func))", "unknown operator ref.func", 1, 14)]
    [InlineData("(invoke \"f\" (ref.null))", "unexpected token", 1, 22)]
    [InlineData("(invoke \"f\" (ref.null any))", "unknown operator any", 1, 23)]
    [InlineData("(invoke \"f\" (either (i32.const 1)))", "unknown operator either", 1, 14)]
    [InlineData("(assert_return (invoke \"f\") (either))", "unexpected token", 1, 36)]
    [InlineData("(assert_return (invoke \"f\") (v128.const i32x4 1 2 3))", "wrong number of lane literals", 1, 52)]
    [InlineData("(assert_return (invoke \"f\") (v128.const i32x4 1 2 3 4 5))", "wrong number of lane literals", 1, 55)]
    [InlineData("(assert_return (invoke \"f\") (v128.const i32x3 1 2 3))", "unknown operator i32x3", 1, 41)]
    [InlineData("(assert_return (invoke \"f\") (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))", "constant out of range", 1, 47)]
    [InlineData("(assert_return (module binary \"\") \"x\")", "unknown operator module", 1, 17)]
    [InlineData("(assert_trap (invoke \"f\"))", "unexpected token", 1, 26)]
    [InlineData("(module binary \"\\00asm\" 42)", "unknown operator 42", 1, 25)]
    [InlineData("(register \"x\"", "unexpected end of input", 1, 14)]
    [InlineData("(invoke \"f\")\n  (frobnicate)", "unknown operator frobnicate", 2, 4)]
    [InlineData("(module binary \"\")\n)", "unexpected token", 2, 1)]
    [InlineData("(module binary \"\\00asm\")\n\"unclosed", "unclosed string", 2, 1)]
    [InlineData("(module binary \"\\q\")", "malformed string escape", 1, 16)]
    public void ErrorsSayWhereTheyAre(string text, string reason, int line, int column)
    {
        var e = Error(text);
        Assert.Equal((reason, line, column), (e.Reason, e.Line, e.Column));
        Assert.Contains($"(at {line}:{column})", e.Message);
    }

    [Fact]
    public void AnUnbalancedTextModuleEndsTheScript()
    {
        var e = Error("(module $m (func)\n(invoke \"f\")");
        Assert.Equal("unexpected end of input", e.Reason);
    }

    [Fact]
    public void CommandsBeforeASyntaxErrorAreKept()
    {
        var script = Parse("""
            (invoke "a")
            (invoke "b")
            (oops)
            (invoke "c")
            """);
        Assert.Equal(2, script.Commands.Count);
        Assert.Equal((3, 2), (script.Error!.Line, script.Error.Column));
    }

    [Fact]
    public void AnUnreadableScriptHasNoCommands()
    {
        var script = Parse("(invoke \"a\")\n(; unclosed comment");
        Assert.Empty(script.Commands);
        Assert.Equal(("unclosed comment", 2, 1), (script.Error!.Reason, script.Error.Line, script.Error.Column));
    }

    [Fact]
    public void AnEmptyScriptHasNoCommands()
    {
        var script = Parse(" ;; nothing\n");
        Assert.Empty(script.Commands);
        Assert.Null(script.Error);
    }

    [SpecTestsuiteFact]
    public void EveryCoreScriptParsesToTheEnd()
    {
        int commands = 0;
        foreach (var wast in SpecTestsuite.AllWastFiles())
        {
            var script = WastParser.Parse(File.ReadAllBytes(Path.Combine(SpecTestsuite.CoreDirectory!, wast)));
            Assert.True(script.Error is null, $"{wast}: {script.Error?.Message}");
            commands += script.Commands.Count;
        }
        Assert.True(commands > 50_000, $"only {commands} commands");
    }

    /// <summary>A script's module that nests deeper than the calling thread's stack allows is parsed again on a
    /// thread of the parser's own, as a .wat file is.</summary>
    [Fact]
    public void DeepModulesOfScriptsParse()
    {
        var script = Parse("(module (func " + string.Concat(Enumerable.Repeat("(block ", 90_000)) + new string(')', 90_000) + "))\n" +
            "(assert_return (invoke \"f\"))");
        var module = Assert.IsType<ModuleCommand>(script.Commands[0]).Module;
        Assert.Null(module.TextError);
        Assert.True(module.ToBinary().Length > 180_000);
        Assert.Equal(2, script.Commands.Count);
    }
}
