using System.Text;
using System.Text.Unicode;

namespace WasmSharp.Text;

/// <summary>
/// A cursor over the tokens of one source, with the reading steps every part of the text front end shares:
/// parentheses, keywords, identifiers, literals and errors at a token's line and column. The module parser
/// (<see cref="ModuleParser"/>) and the script parser read through it.
/// </summary>
internal sealed class TextParser
{
    public byte[] Source { get; }
    private readonly Token[] _tokens;
    public int TokenCount { get; }
    /// <summary>The index of the next token.</summary>
    public int Position { get; set; }

    public TextParser(byte[] source)
    {
        Source = source;
        _tokens = Lexer.Tokenize(source, out int count);
        TokenCount = count;
    }

    /// <summary>A second cursor over <paramref name="other"/>'s tokens, at its position.</summary>
    public TextParser(TextParser other)
    {
        Source = other.Source;
        _tokens = other._tokens;
        TokenCount = other.TokenCount;
        Position = other.Position;
    }

    public Token Peek(int ahead = 0) => _tokens[Math.Min(Position + ahead, TokenCount - 1)];
    public Token Next() => _tokens[Math.Min(Position++, TokenCount - 1)];
    public ReadOnlySpan<byte> Text(Token t) => Source.AsSpan(t.Start, t.Length);
    public string String(Token t) => Encoding.UTF8.GetString(Text(t));

    public bool AtEnd => Peek().Kind == TokenKind.EndOfFile;
    public bool AtRightParen => Peek().Kind == TokenKind.RightParen;

    /// <summary>Whether the next token is keyword <paramref name="keyword"/>.</summary>
    public bool IsKeyword(ReadOnlySpan<byte> keyword, int ahead = 0)
    {
        var t = Peek(ahead);
        return t.Kind == TokenKind.Keyword && Text(t).SequenceEqual(keyword);
    }

    /// <summary>Whether the next tokens are <c>(</c> and keyword <paramref name="keyword"/>.</summary>
    public bool IsForm(ReadOnlySpan<byte> keyword) => Peek().Kind == TokenKind.LeftParen && IsKeyword(keyword, 1);

    /// <summary>Takes keyword <paramref name="keyword"/> if it is next.</summary>
    public bool TakeKeyword(ReadOnlySpan<byte> keyword)
    {
        if (!IsKeyword(keyword)) return false;
        Position++;
        return true;
    }

    /// <summary>Takes <c>(</c> and keyword <paramref name="keyword"/> if they are next.</summary>
    public bool TakeForm(ReadOnlySpan<byte> keyword)
    {
        if (!IsForm(keyword)) return false;
        Position += 2;
        return true;
    }

    public void ExpectKeyword(ReadOnlySpan<byte> keyword)
    {
        if (!TakeKeyword(keyword)) throw Unexpected(Peek());
    }

    public void ExpectLeftParen()
    {
        if (Peek().Kind != TokenKind.LeftParen) throw Unexpected(Peek());
        Position++;
    }

    public void ExpectRightParen()
    {
        if (Peek().Kind != TokenKind.RightParen) throw Unexpected(Peek());
        Position++;
    }

    /// <summary>An identifier if one is next (with its <c>$</c>), else null.</summary>
    public string? TakeId()
    {
        var t = Peek();
        if (t.Kind != TokenKind.Id) return null;
        Position++;
        return IdName(t);
    }

    /// <summary>The name an identifier token stands for, with its <c>$</c>: <c>$"a b"</c> is the name <c>$a b</c>.</summary>
    public string IdName(Token t)
    {
        var text = Text(t);
        if (text.Length > 1 && text[1] == '"')
        {
            var bytes = TextNumbers.DecodeString(text[1..]);
            if (bytes is null) throw Error(t, "malformed string escape");
            if (bytes.Length == 0) throw Error(t, "empty identifier");
            if (!Utf8.IsValid(bytes)) throw Error(t, "malformed UTF-8 encoding");
            return "$" + Encoding.UTF8.GetString(bytes);
        }
        return Encoding.UTF8.GetString(text);
    }

    /// <summary>Looks identifier <paramref name="t"/> up in <paramref name="names"/>; a plain one by its bytes, without
    /// making a string of it (references outnumber definitions many times: every <c>local.get $x</c>).</summary>
    public bool TryFind(NameTable names, Token t, out int value)
    {
        var text = Text(t);
        if (text.Length < 2 || text[1] != '"') return names.TryGet(text, out value);
        return names.TryGet(Encoding.UTF8.GetBytes(IdName(t)), out value);
    }

    /// <summary>Whether identifier <paramref name="t"/> names <paramref name="name"/> (a label), without a string.</summary>
    public bool IdEquals(Token t, string? name)
    {
        if (name is null) return false;
        var text = Text(t);
        if (text.Length < 2 || text[1] != '"')
        {
            if (text.Length != name.Length) return false;
            for (int i = 0; i < text.Length; i++)
                if (text[i] != name[i]) return false;
            return true;
        }
        return IdName(t) == name;
    }

    /// <summary>The bytes of string token <paramref name="t"/>.</summary>
    public byte[] StringBytes(Token t)
    {
        if (t.Kind != TokenKind.String) throw Unexpected(t);
        return TextNumbers.DecodeString(Text(t)) ?? throw Error(t, "malformed string escape");
    }

    /// <summary>Takes a string token and returns its bytes.</summary>
    public byte[] ExpectString() => StringBytes(Next());

    /// <summary>String tokens up to the next <c>)</c> (left in place), their bytes concatenated: data segments,
    /// custom sections, binary and quoted modules.</summary>
    public byte[] ExpectStrings()
    {
        var bytes = new WasmWriter(64);
        while (!AtRightParen) bytes.Bytes(ExpectString());
        return bytes.ToArray();
    }

    /// <summary>Skips annotations, <c>(@name ...)</c> forms, that are next.</summary>
    public void SkipAnnotations()
    {
        while (Peek().Kind == TokenKind.Annotation)
        {
            Next();
            SkipForm();
        }
    }

    /// <summary>Takes a string token that must be valid UTF-8 (a name).</summary>
    public string ExpectName()
    {
        var t = Peek();
        var bytes = ExpectString();
        if (!Utf8.IsValid(bytes)) throw Error(t, "malformed UTF-8 encoding");
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Skips the rest of the form whose <c>(</c> has been taken, through its <c>)</c>.</summary>
    public void SkipForm()
    {
        int depth = 1;
        while (depth > 0)
        {
            var t = Next();
            switch (t.Kind)
            {
                case TokenKind.LeftParen: case TokenKind.Annotation: depth++; break;
                case TokenKind.RightParen: depth--; break;
                case TokenKind.EndOfFile: throw Error(t, "unexpected end of input");
            }
        }
    }

    // ---- literals ----

    public ulong ExpectUnsigned(ulong max)
    {
        var t = NextLiteral();
        return Literal(t, TextNumbers.ParseUnsigned(Text(t), max, out ulong v), v);
    }

    public uint ExpectU32() => (uint)ExpectUnsigned(uint.MaxValue);

    /// <summary>Whether the next token (or the one <paramref name="ahead"/> after it) reads as an unsigned integer
    /// (an index, a limit).</summary>
    public bool IsUnsigned(int ahead = 0) => Peek(ahead) is { Kind: TokenKind.Reserved } t && TextNumbers.ParseUnsigned(Text(t), ulong.MaxValue, out _) != LiteralStatus.NotANumber;

    public ulong ExpectInt(int bits)
    {
        var t = NextLiteral();
        return Literal(t, TextNumbers.ParseInt(Text(t), bits, out ulong v), v);
    }

    public uint ExpectF32()
    {
        var t = NextLiteral();
        return Literal(t, TextNumbers.ParseF32(Text(t), out uint v), v);
    }

    public ulong ExpectF64()
    {
        var t = NextLiteral();
        return Literal(t, TextNumbers.ParseF64(Text(t), out ulong v), v);
    }

    /// <summary>The next token, which must be a word (a literal's kind of token).</summary>
    private Token NextLiteral()
    {
        var t = Next();
        if (t.Kind is not (TokenKind.Reserved or TokenKind.Keyword)) throw Unexpected(t);
        return t;
    }

    /// <summary><paramref name="value"/>, read from literal <paramref name="t"/> with <paramref name="status"/>;
    /// otherwise the error in the spec's words.</summary>
    public T Literal<T>(Token t, LiteralStatus status, T value, string outOfRange = "constant out of range") => status switch
    {
        LiteralStatus.Ok => value,
        LiteralStatus.OutOfRange => throw Error(t, outOfRange),
        _ => throw NotALiteral(t),
    };

    // ---- errors ----

    /// <summary>A token where a literal belongs: a malformed number is an "unknown operator" (the spec's lexer
    /// makes it a reserved token), a well-formed word of another kind (<c>nan:canonical</c>) an "unexpected token".</summary>
    public MalformedTextException NotALiteral(Token t) =>
        t.Kind == TokenKind.Keyword && (Text(t).SequenceEqual("nan:canonical"u8) || Text(t).SequenceEqual("nan:arithmetic"u8))
            ? Error(t, "unexpected token")
            : Unexpected(t);

    public MalformedTextException Error(Token t, string reason) => MalformedTextException.At(Source, t.Start, reason);

    /// <summary>The spec's wording for a token where it does not belong: a word no rule accepts is an "unknown
    /// operator"; anything else, "unexpected token".</summary>
    public MalformedTextException Unexpected(Token t) => t.Kind switch
    {
        TokenKind.Keyword or TokenKind.Reserved => Error(t, $"unknown operator {String(t)}"),
        TokenKind.EndOfFile => Error(t, "unexpected end of input"),
        _ => Error(t, "unexpected token"),
    };
}
