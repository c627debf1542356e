using System.Text;
using WasmSharp.Text;

namespace WasmSharp.Tests.Text;

/// <summary>
/// The <c>(module ...)</c> forms of a .wast script, found with the lexer alone (no script parser): at top level and
/// as direct children of <c>assert_*</c> forms, by balanced parentheses.
/// </summary>
internal static class WastModules
{
    public enum Kind { Text, Binary, Quote }

    /// <summary>One module form. For <see cref="Kind.Text"/>, <see cref="Fields"/> is the source of its fields
    /// (after <c>(module $id?</c>); for <see cref="Kind.Binary"/>, <see cref="Bytes"/> holds the decoded strings,
    /// or null when a string has an invalid escape.</summary>
    public sealed record Form(string File, int Line, Kind Kind, string Fields, byte[]? Bytes)
    {
        public override string ToString() => $"{File}:{Line}";
    }

    public static List<Form> Read(string path)
    {
        var source = File.ReadAllBytes(path);
        var tokens = Lexer.Tokenize(source);
        var forms = new List<Form>();
        string file = Path.GetFileName(path);
        int i = 0;
        while (tokens[i].Kind != TokenKind.EndOfFile)
        {
            if (tokens[i].Kind == TokenKind.Annotation)
            {
                i = Close(tokens, i) + 1;
                continue;
            }
            if (tokens[i].Kind != TokenKind.LeftParen)
            {
                i++;
                continue;
            }
            int close = Close(tokens, i);
            if (IsKeyword(source, tokens[i + 1], "module")) forms.Add(Module(source, tokens, i, close, file));
            else if (tokens[i + 1].Kind == TokenKind.Keyword && Text(source, tokens[i + 1]).StartsWith("assert_", StringComparison.Ordinal))
            {
                // Direct children of the assertion.
                for (int j = i + 2; j < close;)
                {
                    if (tokens[j].Kind is TokenKind.LeftParen or TokenKind.Annotation)
                    {
                        int end = Close(tokens, j);
                        if (tokens[j].Kind == TokenKind.LeftParen && IsKeyword(source, tokens[j + 1], "module"))
                            forms.Add(Module(source, tokens, j, end, file));
                        j = end + 1;
                    }
                    else j++;
                }
            }
            i = close + 1;
        }
        return forms;
    }

    private static Form Module(byte[] source, Token[] tokens, int open, int close, string file)
    {
        int line = Lexer.LineColumn(source, tokens[open].Start).Line;
        int k = open + 2;
        if (tokens[k].Kind == TokenKind.Id) k++;
        if (IsKeyword(source, tokens[k], "binary") || IsKeyword(source, tokens[k], "quote"))
        {
            bool binary = IsKeyword(source, tokens[k], "binary");
            var bytes = new List<byte>();
            bool ok = true;
            for (int j = k + 1; j < close; j++)
            {
                var decoded = tokens[j].Kind == TokenKind.String ? TextNumbers.DecodeString(source.AsSpan(tokens[j].Start, tokens[j].Length)) : null;
                if (decoded is null) ok = false;
                else bytes.AddRange(decoded);
            }
            return new Form(file, line, binary ? Kind.Binary : Kind.Quote, "", ok ? bytes.ToArray() : null);
        }
        int start = tokens[k].Start;
        string fields = Encoding.UTF8.GetString(source, start, tokens[close].Start - start);
        return new Form(file, line, Kind.Text, fields, null);
    }

    /// <summary>The index of the <c>)</c> that closes the form opened at <paramref name="open"/> (or the end of file).</summary>
    private static int Close(Token[] tokens, int open)
    {
        int depth = 0;
        for (int i = open; ; i++)
        {
            switch (tokens[i].Kind)
            {
                case TokenKind.LeftParen: case TokenKind.Annotation: depth++; break;
                case TokenKind.RightParen: if (--depth == 0) return i; break;
                case TokenKind.EndOfFile: return i;
            }
        }
    }

    private static string Text(byte[] source, Token t) => Encoding.UTF8.GetString(source, t.Start, t.Length);

    private static bool IsKeyword(byte[] source, Token t, string keyword) =>
        t.Kind == TokenKind.Keyword && source.AsSpan(t.Start, t.Length).SequenceEqual(Encoding.ASCII.GetBytes(keyword));
}
