using System.Text;
using WasmSharp.Text;

namespace WasmSharp.Tests.Text;

public class LexerTests
{
    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The tokens of <paramref name="source"/> as (kind, text), without the final end of file.</summary>
    private static (TokenKind Kind, string Text)[] Lex(string source)
    {
        var bytes = U(source);
        var tokens = Lexer.Tokenize(bytes);
        Assert.Equal(TokenKind.EndOfFile, tokens[^1].Kind);
        Assert.Equal(bytes.Length, tokens[^1].Start);
        return tokens[..^1].Select(t => (t.Kind, Encoding.UTF8.GetString(bytes, t.Start, t.Length))).ToArray();
    }

    private static (TokenKind, string) K(string s) => (TokenKind.Keyword, s);
    private static (TokenKind, string) R(string s) => (TokenKind.Reserved, s);
    private static (TokenKind, string) Id(string s) => (TokenKind.Id, s);
    private static (TokenKind, string) S(string s) => (TokenKind.String, s);
    private static readonly (TokenKind, string) L = (TokenKind.LeftParen, "(");
    private static readonly (TokenKind, string) Rp = (TokenKind.RightParen, ")");

    private static (TokenKind, string)[] Tokens(params (TokenKind, string)[] tokens) => tokens;

    private static MalformedTextException Malformed(string source) =>
        Assert.Throws<MalformedTextException>(() => Lexer.Tokenize(U(source)));

    [Fact]
    public void EmptySourceIsJustEndOfFile()
    {
        Assert.Empty(Lex(""));
        Assert.Empty(Lex(" \t\r\n  "));
        var tokens = Lexer.Tokenize(U("  "), out int count);
        Assert.Equal(1, count);
        Assert.Equal(new Token(TokenKind.EndOfFile, 2, 0), tokens[0]);
    }

    [Fact]
    public void Parentheses() =>
        Assert.Equal(Tokens(L, K("module"), Rp), Lex("(module)"));

    [Fact]
    public void TokensCarryTheirOffsets()
    {
        var tokens = Lexer.Tokenize(U("(func $f\n  (nop))"));
        Assert.Equal(
            new Token[] { new(TokenKind.LeftParen, 0, 1), new(TokenKind.Keyword, 1, 4), new(TokenKind.Id, 6, 2), new(TokenKind.LeftParen, 11, 1),
             new(TokenKind.Keyword, 12, 3), new(TokenKind.RightParen, 15, 1), new(TokenKind.RightParen, 16, 1), new(TokenKind.EndOfFile, 17, 0) },
            tokens);
        Assert.Equal(12, tokens[4].Start);
        Assert.Equal(15, tokens[4].End);
    }

    [Theory]
    [InlineData("module")]
    [InlineData("i32.add")]
    [InlineData("offset=4")]
    [InlineData("align=0x10")]
    [InlineData("nan:0x1")]
    [InlineData("nan")]
    [InlineData("inf")]
    [InlineData("i32.const0")]
    public void LowercaseStartIsKeyword(string word)
    {
        var tokens = Lex(word);
        Assert.Single(tokens);
        Assert.Equal(TokenKind.Keyword, tokens[0].Kind);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("-1")]
    [InlineData("+inf")]
    [InlineData("-nan:0x1")]
    [InlineData("-0x1p3")]
    [InlineData("0x1.8p-3")]
    [InlineData("1_000")]
    [InlineData("Module")]
    [InlineData("_x")]
    [InlineData("0$l")]
    [InlineData("!#%&'*+-./:<=>?@\\^_`|~")]
    public void OtherIdCharRunsAreReserved(string word) => Assert.Equal(Tokens(R(word)), Lex(word));

    [Fact]
    public void Identifiers()
    {
        Assert.Equal(Tokens(Id("$x")), Lex("$x"));
        Assert.Equal(Tokens(Id("$l$l")), Lex("$l$l"));
        Assert.Equal(Tokens(Id("$0")), Lex("$0"));
        Assert.Equal(Tokens(Id("$a.b-c!")), Lex("$a.b-c!"));
        Assert.Equal(Tokens(Id("$\"a b\"")), Lex("$\"a b\""));
        Assert.Equal(Tokens(Id("$\"a\\\"b\"")), Lex("$\"a\\\"b\""));
        Assert.Equal(Tokens(L, K("func"), Id("$f"), L, K("nop"), Rp, Rp), Lex("(func $f(nop))"));
    }

    [Fact]
    public void EmptyIdentifierIsMalformed()
    {
        Assert.Equal("empty identifier", Malformed("$").Reason);
        Assert.Equal("empty identifier", Malformed("(func $ )").Reason);
    }

    [Fact]
    public void Strings()
    {
        Assert.Equal(Tokens(S("\"\"")), Lex("\"\""));
        Assert.Equal(Tokens(S("\"abc\"")), Lex("\"abc\""));
        Assert.Equal(Tokens(S("\"a\\\"b\"")), Lex("\"a\\\"b\""));
        Assert.Equal(Tokens(S("\"\\\\\"")), Lex("\"\\\\\""));
        Assert.Equal(Tokens(S("\"\\t\\n\\u{41}\\ff\"")), Lex("\"\\t\\n\\u{41}\\ff\""));
        Assert.Equal(Tokens(S("\"(; ;; )\"")), Lex("\"(; ;; )\""));
        Assert.Equal(Tokens(S("\"h\u00e9\u2713\"")), Lex("\"h\u00e9\u2713\""));
        Assert.Equal(Tokens(L, K("data"), S("\"a\""), S("\"b\""), Rp), Lex("(data \"a\" \"b\")"));
        Assert.Equal(Tokens(L, K("data"), S("\"a\""), Rp), Lex("(data \"a\";;bla\n)"));
    }

    [Fact]
    public void StringContentDecodes()
    {
        var source = U("(data \"a\\u{1F600}\\00\")");
        var tokens = Lexer.Tokenize(source);
        Assert.Equal(TokenKind.String, tokens[2].Kind);
        Assert.Equal(new byte[] { 0x61, 0xF0, 0x9F, 0x98, 0x80, 0 }, TextNumbers.DecodeString(source.AsSpan(tokens[2].Start, tokens[2].Length)));
    }

    [Theory]
    [InlineData("$l\"a\"")]
    [InlineData("0\"x\"")]
    [InlineData("\"a\"\"b\"")]
    [InlineData("\"a\"b")]
    [InlineData("data\"a\"")]
    [InlineData("$\"a\"b")]
    [InlineData("$l\" a\"")]
    public void QuotesGlueTokensIntoOneReserved(string word) => Assert.Equal(Tokens(R(word)), Lex(word));

    [Fact]
    public void LineComments()
    {
        Assert.Equal(Tokens(K("x")), Lex(";; comment\nx"));
        Assert.Equal(Tokens(K("x")), Lex("x;;comment"));
        Assert.Equal(Tokens(K("x")), Lex("x;;"));
        Assert.Equal(Tokens(K("x")), Lex(";;;;;;\nx;;(;"));
        Assert.Equal(Tokens(K("x"), K("y")), Lex("x ;; (; not a block\ny"));
        Assert.Equal(Tokens(L, K("func"), Rp), Lex("(func;;bla\n)"));
        Assert.Equal(Tokens(K("x")), Lex(";; Hei\u00dfe W\u00fcrstchen\r\nx"));
    }

    [Fact]
    public void LineCommentEndsAtCarriageReturn()
    {
        Assert.Equal(Tokens(K("x")), Lex(";; comment\rx"));
        Assert.Equal(Tokens(L, K("func"), L, K("i32.const"), R("1"), Rp, L, K("return"), Rp, Rp),
            Lex("(func (i32.const 1)  ;; comment\r  (return))"));
    }

    [Fact]
    public void BlockComments()
    {
        Assert.Equal(Tokens(K("x")), Lex("(; (; ;) ;) x"));
        Assert.Equal(Tokens(K("x"), K("y")), Lex("x(;c;)y"));
        Assert.Equal(Tokens(K("x")), Lex("(;;)x"));
        Assert.Equal(Tokens(K("x")), Lex("(;;;comment;)x"));
        Assert.Equal(Tokens(K("x")), Lex("(;;;;;;;;;;;;;;)x"));
        Assert.Equal(Tokens(K("x")), Lex("(;(((((((((( ;)x"));
        Assert.Equal(Tokens(K("x")), Lex("(;)))))))))));)x"));
        Assert.Equal(Tokens(K("x")), Lex("(;comment\";)x"));
        Assert.Equal(Tokens(K("x")), Lex("(;comment;;comment;)x"));
        Assert.Equal(Tokens(K("x")), Lex("(;comment;;comment\n;)x"));
        Assert.Equal(Tokens(K("x")), Lex("(;a(;b(;c;)b;)a;)x"));
        Assert.Equal(Tokens(K("x")), Lex("(;\0\u0001\t\n ;)x"));
        Assert.Equal(Tokens(K("x")), Lex("(; Hei\u00dfe W\u00fcrstchen ;)x"));
        Assert.Equal(Tokens(L, K("module"), Rp), Lex("(;c;)((;c;)\n(;c;)module(;c;)\n(;c;))(;c;)"));
        Assert.Equal(Tokens(L, K("module"), Rp), Lex("(module\n  (;comment;;comment(;nested;)comment;)\n)"));
    }

    [Fact]
    public void Annotations()
    {
        var source = U("(@name foo) (@\"str ing\" 1)");
        var tokens = Lexer.Tokenize(source);
        Assert.Equal(new Token(TokenKind.Annotation, 2, 4), tokens[0]);
        Assert.Equal(TokenKind.Keyword, tokens[1].Kind);
        Assert.Equal(TokenKind.RightParen, tokens[2].Kind);
        Assert.Equal(new Token(TokenKind.Annotation, 14, 9), tokens[3]);
        Assert.Equal(TokenKind.Reserved, tokens[4].Kind);
        Assert.Equal(TokenKind.RightParen, tokens[5].Kind);
        Assert.Equal(Tokens((TokenKind.Annotation, "custom"), K("x"), Rp, Rp), Lex("(@custom x))"));
        Assert.Equal(Tokens((TokenKind.Annotation, "a.b=c"), Rp), Lex("(@a.b=c)"));
    }

    [Fact]
    public void EmptyAnnotationIdIsMalformed()
    {
        Assert.Equal("empty annotation id", Malformed("(@ x)").Reason);
        Assert.Equal("empty annotation id", Malformed("(@").Reason);
    }

    [Fact]
    public void WhiteSpaceSeparates() =>
        Assert.Equal(Tokens(L, K("a"), K("b"), K("c"), K("d"), K("e"), Rp), Lex("( a\tb\nc\r\nd\re )"));

    [Fact]
    public void UnclosedStringCarriesItsPosition()
    {
        var e = Malformed("(module\n  (data \"abc");
        Assert.Equal("unclosed string", e.Reason);
        Assert.Equal((2, 9), (e.Line, e.Column));
        Assert.Contains("2:9", e.Message);
        Assert.Equal("unclosed string", Malformed("\"").Reason);
        Assert.Equal("unclosed string", Malformed("\"abc\\\"").Reason);
        Assert.Equal("unclosed string", Malformed("$\"abc").Reason);
        Assert.Equal("unclosed string", Malformed("(@\"abc").Reason);
        Assert.Equal("unclosed string", Malformed("x\"abc").Reason);
    }

    [Fact]
    public void ControlCharactersInStringsAreMalformed()
    {
        var e = Malformed("x\n\"ab\ncd\"");
        Assert.Equal("illegal character in string", e.Reason);
        Assert.Equal((2, 4), (e.Line, e.Column));
        Assert.Equal("illegal character in string", Malformed("\"a\u0001\"").Reason);
        Assert.Equal("illegal character in string", Malformed("\"a\u007f\"").Reason);
        Assert.Equal("illegal character in string", Malformed("\"a\r\"").Reason);
    }

    [Fact]
    public void TabInStringIsMalformed() => Malformed("\"a\tb\"");

    [Fact]
    public void UnclosedCommentCarriesItsPosition()
    {
        var e = Malformed("x\n  (; abc");
        Assert.Equal("unclosed comment", e.Reason);
        Assert.Equal((2, 3), (e.Line, e.Column));
        Assert.Equal("unclosed comment", Malformed("(;").Reason);
        Assert.Equal("unclosed comment", Malformed("(;)").Reason);
        Assert.Equal("unclosed comment", Malformed("(; ;").Reason);
        var nested = Malformed("(module\n(; outer\n  (; inner ;)\n");
        Assert.Equal("unclosed comment", nested.Reason);
        Assert.Equal((2, 1), (nested.Line, nested.Column));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("x \u00e9")]
    [InlineData("\u0001")]
    [InlineData("\\\u007f")]
    public void CharactersOutsideTokensAreMalformed(string source) =>
        Assert.StartsWith("unexpected character", Malformed(source).Reason);

    [Fact]
    public void LineColumnIsOneBasedInBytes()
    {
        var source = U("ab\ncd\n\u00e9f");
        Assert.Equal((1, 1), Lexer.LineColumn(source, 0));
        Assert.Equal((1, 3), Lexer.LineColumn(source, 2));
        Assert.Equal((2, 1), Lexer.LineColumn(source, 3));
        Assert.Equal((2, 2), Lexer.LineColumn(source, 4));
        Assert.Equal((3, 3), Lexer.LineColumn(source, 8)); // after the two bytes of é
        Assert.Equal((3, 4), Lexer.LineColumn(source, 100)); // clamped to the end
    }

    [Fact]
    public void ManyTokensGrowTheArray()
    {
        var source = string.Concat(Enumerable.Repeat("(a)", 1000));
        var tokens = Lexer.Tokenize(U(source), out int count);
        Assert.Equal(3001, count);
        Assert.True(tokens.Length >= count);
        Assert.Equal(TokenKind.EndOfFile, tokens[count - 1].Kind);
        Assert.Equal(new Token(TokenKind.Keyword, 2998, 1), tokens[2998]);
    }

    [Fact]
    public void IsIdCharMatchesTheSpec()
    {
        const string idChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'*+-./:<=>?@\\^_`|~";
        for (int c = 0; c < 256; c++)
            Assert.Equal(c < 128 && idChars.Contains((char)c), Lexer.IsIdChar((byte)c));
    }

    /// <summary>A source of a megabyte or more is lexed in two halves at once, split after the line break past its
    /// middle: whatever lies across the middle (a block comment, a line comment, strings, annotations, an error
    /// on either side), the tokens or the error are those of one pass from the start.</summary>
    [Theory]
    [InlineData("(; a block comment\n across\n the (; nested ;) middle\n\n\n ;)")]
    [InlineData(";; a line comment\n;; and another\n\n\n\n\n")]
    [InlineData("\"a string\" $id\n 0x1p3 (@custom \"x\"\n \"y\")\n\n $\"quoted id\"\n\n")]
    [InlineData("(; unclosed\n\n\n\n")]
    [InlineData("\n\n\n\n\n\n \u0001 \n")]
    [InlineData(" \u0001 \n\n\n\n\n\n\n")]
    [InlineData(" \u0001 \n\n\n\n\n\n\n \u0002 ")]
    [InlineData("(;\n\n\n\n\n\n\n;) (;\n\n\n\n ;) \"unclosed\n")]
    public void LargeSourcesLexInTwoHalvesAsOnePass(string middle)
    {
        var filler = string.Concat(Enumerable.Repeat("  (i32.add (local.get $x) (i32.const 0x12)) ;; f\n", 12_000));
        var source = U(filler + middle + filler);
        Assert.True(source.Length > 1 << 20);
        Assert.InRange(source.Length / 2, U(filler).Length, U(filler + middle).Length);
        MalformedTextException? oneError = null, twoError = null;
        Token[] one = [], two = [];
        int oneCount = 0, twoCount = 0;
        try { one = Lexer.Tokenize(source.AsSpan(), out oneCount); } catch (MalformedTextException e) { oneError = e; }
        try { two = Lexer.Tokenize(source, out twoCount); } catch (MalformedTextException e) { twoError = e; }
        Assert.Equal(oneError?.Message, twoError?.Message);
        Assert.Equal(one.AsSpan(0, oneCount).ToArray(), two.AsSpan(0, twoCount).ToArray());
    }
}
