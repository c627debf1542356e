using System.Numerics;
using System.Runtime.Intrinsics;

namespace WasmSharp.Text;

/// <summary>The kinds of token of the text format (spec, "Lexical Format").</summary>
public enum TokenKind : byte
{
    EndOfFile,
    LeftParen,
    RightParen,
    /// <summary>Starts with a lowercase letter: <c>module</c>, <c>i32.add</c>, <c>offset=4</c>, <c>nan:0x1</c>, <c>inf</c>.</summary>
    Keyword,
    /// <summary><c>$name</c> or <c>$"name"</c>; the token includes the <c>$</c>.</summary>
    Id,
    /// <summary>A string literal with its quotes; <c>TextNumbers.DecodeString</c> gives its bytes.</summary>
    String,
    /// <summary>Any other run of identifier characters: numbers (<c>42</c>, <c>-0x1p3</c>, <c>+inf</c>) and what no rule accepts.</summary>
    Reserved,
    /// <summary><c>(@name</c>: the start of an annotation; the token covers the name after <c>(@</c>.</summary>
    Annotation,
}

/// <summary>One token: its kind and where it lies in the source (UTF-8 bytes). Eight bytes (the kind shares a word
/// with the length, which is below 2^28): the token list of a 10 MB module is tens of megabytes.</summary>
public readonly record struct Token
{
    public const int MaxLength = (1 << 28) - 1;
    private readonly int _start;
    private readonly uint _kindAndLength;

    public Token(TokenKind kind, int start, int length)
    {
        _start = start;
        _kindAndLength = (uint)kind << 28 | (uint)length & MaxLength;
    }

    public TokenKind Kind => (TokenKind)(_kindAndLength >> 28);
    public int Start => _start;
    public int Length => (int)(_kindAndLength & MaxLength);
    public int End => Start + Length;
}

/// <summary>The text is not well formed. <see cref="Reason"/> is the spec's wording where it has one ("unknown
/// operator", "unexpected token", "constant out of range", ...); <see cref="Exception.Message"/> adds the line and
/// column.</summary>
public sealed class MalformedTextException : WasmException
{
    public string Reason { get; }
    public int Line { get; }
    public int Column { get; }

    public MalformedTextException(string reason, int line, int column)
        : base($"{reason} (at {line}:{column})")
    {
        Reason = reason;
        Line = line;
        Column = column;
    }

    /// <summary>The exception for <paramref name="reason"/> at byte <paramref name="offset"/> of <paramref name="source"/>.</summary>
    public static MalformedTextException At(ReadOnlySpan<byte> source, int offset, string reason)
    {
        var (line, column) = Lexer.LineColumn(source, offset);
        return new MalformedTextException(reason, line, column);
    }
}

/// <summary>
/// Splits text-format source (UTF-8) into tokens, skipping white space, line comments (<c>;;</c>) and nested block
/// comments (<c>(; ;)</c>). Tokens are offsets into the source, so lexing allocates nothing per token; the whole
/// token list is kept, which lets the parser look ahead and come back to a function's body once all names are known.
/// </summary>
public static class Lexer
{
    /// <summary>The tokens of <paramref name="source"/>, ending with one <see cref="TokenKind.EndOfFile"/>.</summary>
    public static Token[] Tokenize(ReadOnlySpan<byte> source, out int count)
    {
        var tokens = new Token[EstimateTokens(source)];
        count = Lex(source, 0, source.Length, ref tokens, 0, out _);
        return tokens;
    }

    /// <summary>The tokens of <paramref name="source"/>, as <see cref="Tokenize(ReadOnlySpan{byte}, out int)"/> gives
    /// them. A large source is lexed in two halves at once, split after a line break: a token cannot span one (a
    /// string holds no raw line break), and the first half's lexer, which reads on to the split, shows whether a
    /// block comment does; then, and when the first half fails, the second half is lexed again where the first
    /// stopped, so tokens and errors are those of one pass from the start.</summary>
    public static Token[] Tokenize(byte[] source, out int count)
    {
        int split = source.Length < ParallelSource || Environment.ProcessorCount < 2
            ? -1
            : source.AsSpan(source.Length / 2).IndexOf((byte)'\n') + source.Length / 2 + 1;
        if (split <= source.Length / 2 || split >= source.Length) return Tokenize(source.AsSpan(), out count);

        int secondCount = 0;
        var second = new ThreadWork<Token[]>(() =>
        {
            var half = new Token[EstimateTokens(source.AsSpan(split))];
            secondCount = Lex(source, split, source.Length, ref half, 0, out _);
            return half;
        });
        var tokens = new Token[EstimateTokens(source)];
        int n, stop;
        try
        {
            n = Lex(source, 0, split, ref tokens, 0, out stop);
        }
        finally { second.Wait(); }
        if (stop != split)
        {
            // A block comment runs across the split: the second half was lexed from inside it.
            count = Lex(source, stop, source.Length, ref tokens, n, out _);
            return tokens;
        }
        var rest = second.Join();
        if (n + secondCount > tokens.Length) Array.Resize(ref tokens, n + secondCount);
        Array.Copy(rest, 0, tokens, n, secondCount);
        count = n + secondCount;
        return tokens;
    }

    /// <summary>Sources from this size on are lexed in two halves at once.</summary>
    private const int ParallelSource = 1 << 20;

    /// <summary>Lexes from <paramref name="i"/> into <paramref name="tokens"/> from index <paramref name="n"/>;
    /// returns the new count. With <paramref name="split"/> the source's length, it ends with the end-of-file token;
    /// otherwise it stops where white space reaches <paramref name="split"/> (<paramref name="stop"/> =
    /// <paramref name="split"/>), or past it where a comment crosses it (<paramref name="stop"/> the comment's
    /// start).</summary>
    private static int Lex(ReadOnlySpan<byte> source, int i, int split, ref Token[] tokens, int n, out int stop)
    {
        while (true)
        {
            int before = i;
            i = SkipSpace(source, i);
            if (split < source.Length && i >= split)
            {
                stop = SpaceEnd(source, before) >= split ? split : CommentAcross(source, before, split);
                return n;
            }
            if (n == tokens.Length) Array.Resize(ref tokens, tokens.Length * 2);
            if (i >= source.Length)
            {
                tokens[n++] = new Token(TokenKind.EndOfFile, source.Length, 0);
                stop = i;
                return n;
            }
            int start = i;
            tokens[n++] = Read(source, ref i);
            if (i - start > Token.MaxLength) throw MalformedTextException.At(source, start, "token too long");
        }
    }

    /// <summary>Where the comment that crosses <paramref name="split"/> starts, skipping from <paramref name="i"/>
    /// (<paramref name="split"/> itself when white space and comments that end before it reach it).</summary>
    private static int CommentAcross(ReadOnlySpan<byte> s, int i, int split)
    {
        while (true)
        {
            i = SpaceEnd(s, i);
            if (i >= split) return split;
            int end = CommentEnd(s, i);
            if (end > split) return i;
            i = end;
        }
    }

    /// <summary>About how many tokens <paramref name="source"/> holds, from its first 64 KB (text averages 4 to 20 bytes
    /// a token, with or without indentation): the array is then made once, neither grown nor much too large.</summary>
    private static int EstimateTokens(ReadOnlySpan<byte> source)
    {
        var sample = source[..Math.Min(source.Length, 1 << 16)];
        int starts = 0;
        bool inToken = false;
        foreach (byte c in sample)
        {
            bool space = c is (byte)' ' or (byte)'\n' or (byte)'\t' or (byte)'\r';
            if (c is (byte)'(' or (byte)')') { starts++; inToken = false; }
            else if (!space && !inToken) { starts++; inToken = true; }
            else if (space) inToken = false;
        }
        long estimate = (long)starts * source.Length / Math.Max(sample.Length, 1);
        return (int)Math.Clamp(estimate + estimate / 8 + 16, 16, Array.MaxLength);
    }

    /// <summary>The tokens of <paramref name="source"/> as an exact-length array.</summary>
    public static Token[] Tokenize(ReadOnlySpan<byte> source)
    {
        var tokens = Tokenize(source, out int count);
        Array.Resize(ref tokens, count);
        return tokens;
    }

    private static Token Read(ReadOnlySpan<byte> s, ref int i)
    {
        int start = i;
        byte c = s[i];
        switch (c)
        {
            case (byte)'(':
                if (i + 1 < s.Length && s[i + 1] == '@')
                {
                    int nameStart = i + 2;
                    int end = IdCharsEnd(s, nameStart);
                    if (end == nameStart && end < s.Length && s[end] == '"') end = StringEnd(s, end);
                    if (end == nameStart) throw MalformedTextException.At(s, start, "empty annotation id");
                    i = end;
                    return new Token(TokenKind.Annotation, nameStart, end - nameStart);
                }
                i++;
                return new Token(TokenKind.LeftParen, start, 1);
            case (byte)')':
                i++;
                return new Token(TokenKind.RightParen, start, 1);
            case (byte)'"':
                i = StringEnd(s, i);
                return Finish(s, new Token(TokenKind.String, start, i - start), ref i);
            case (byte)'$':
            {
                int end = IdCharsEnd(s, i + 1);
                if (end == i + 1 && end < s.Length && s[end] == '"') end = StringEnd(s, end);
                if (end == i + 1) throw MalformedTextException.At(s, start, "empty identifier");
                i = end;
                return Finish(s, new Token(TokenKind.Id, start, end - start), ref i);
            }
        }
        int stop = IdCharsEnd(s, i);
        if (stop == i)
            throw MalformedTextException.At(s, start, c < 0x80 ? $"unexpected character '{(char)c}'" : "unexpected character");
        i = stop;
        var kind = c is >= (byte)'a' and <= (byte)'z' ? TokenKind.Keyword : TokenKind.Reserved;
        return Finish(s, new Token(kind, start, stop - start), ref i);
    }

    /// <summary>A token must end at white space, a parenthesis or the end: <c>0"x"</c> or <c>"a""b"</c> is one
    /// reserved token, not two.</summary>
    private static Token Finish(ReadOnlySpan<byte> s, Token token, ref int i)
    {
        if (i >= s.Length || !(IsIdChar(s[i]) || s[i] == '"')) return token;
        while (i < s.Length && (IsIdChar(s[i]) || s[i] == '"'))
            i = s[i] == '"' ? StringEnd(s, i) : IdCharsEnd(s, i);
        return new Token(TokenKind.Reserved, token.Start, i - token.Start);
    }

    /// <summary>The index after the string literal that starts at <paramref name="i"/> (a quote).</summary>
    private static int StringEnd(ReadOnlySpan<byte> s, int i)
    {
        int start = i++;
        while (i < s.Length)
        {
            byte c = s[i];
            if (c == '"') return i + 1;
            if (c == '\\') i += 2;
            else if (c < 0x20 || c == 0x7F) throw MalformedTextException.At(s, i, "illegal character in string");
            else i++;
        }
        throw MalformedTextException.At(s, start, "unclosed string");
    }

    private static int IdCharsEnd(ReadOnlySpan<byte> s, int i)
    {
        var table = IdCharTable;
        while (i < s.Length && table[s[i]] != 0) i++;
        return i;
    }

    /// <summary>The characters of keywords, identifiers and numbers (spec: idchar).</summary>
    public static bool IsIdChar(byte c) => IdCharTable[c] != 0;

    /// <summary>1 for each idchar, by byte (a table in the assembly's data, no start-up cost).</summary>
    private static ReadOnlySpan<byte> IdCharTable =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        //  !  "  #  $  %  &  '  (  )  *  +  ,  -  .  /  0  1  2  3  4  5  6  7  8  9  :  ;  <  =  >  ?
        0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1,
        // @  A-Z                                                                        [  \  ]  ^  _
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1,
        // `  a-z                                                                        {  |  }  ~
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>The first byte from <paramref name="i"/> that is not a space, tab or line break: 16 bytes at a time,
    /// since indentation is most of a printed module's bytes (written out rather than with SearchValues, whose
    /// generic code is not precompiled and runs unoptimised for most of a short run).</summary>
    private static int SpaceEnd(ReadOnlySpan<byte> s, int i)
    {
        if (Vector128.IsHardwareAccelerated)
        {
            while (i + 16 <= s.Length)
            {
                var v = Vector128.Create(s.Slice(i, 16));
                var space = Vector128.Equals(v, Vector128.Create((byte)' ')) | Vector128.Equals(v, Vector128.Create((byte)'\n'))
                    | Vector128.Equals(v, Vector128.Create((byte)'\t')) | Vector128.Equals(v, Vector128.Create((byte)'\r'));
                uint other = ~space.ExtractMostSignificantBits() & 0xFFFF;
                if (other != 0) return i + BitOperations.TrailingZeroCount(other);
                i += 16;
            }
        }
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\n' or (byte)'\t' or (byte)'\r') i++;
        return i;
    }

    private static int SkipSpace(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length)
        {
            // Runs of white space (indentation) are most of a printed module's bytes: skipped vectorised.
            i = SpaceEnd(s, i);
            if (i >= s.Length) return i;
            int end = CommentEnd(s, i);
            if (end == i) break;
            i = end;
        }
        return i;
    }

    /// <summary>The end of the comment at <paramref name="i"/>: a line comment's line break, or after a block
    /// comment's <c>;)</c>; <paramref name="i"/> itself when no comment starts there.</summary>
    private static int CommentEnd(ReadOnlySpan<byte> s, int i)
    {
        if (i + 1 >= s.Length) return i;
        if (s[i] == ';' && s[i + 1] == ';')
        {
            int end = s[i..].IndexOfAny((byte)'\n', (byte)'\r');
            return end < 0 ? s.Length : i + end;
        }
        return s[i] == '(' && s[i + 1] == ';' ? BlockCommentEnd(s, i) : i;
    }

    private static int BlockCommentEnd(ReadOnlySpan<byte> s, int i)
    {
        int start = i, depth = 0;
        while (i + 1 < s.Length)
        {
            if (s[i] == '(' && s[i + 1] == ';') { depth++; i += 2; }
            else if (s[i] == ';' && s[i + 1] == ')')
            {
                i += 2;
                if (--depth == 0) return i;
            }
            else i++;
        }
        throw MalformedTextException.At(s, start, "unclosed comment");
    }

    /// <summary>1-based line and column (in bytes) of <paramref name="offset"/>.</summary>
    public static (int Line, int Column) LineColumn(ReadOnlySpan<byte> source, int offset)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var before = source[..offset];
        int line = before.Count((byte)'\n') + 1;
        int lastNewline = before.LastIndexOf((byte)'\n');
        return (line, offset - lastNewline);
    }
}
