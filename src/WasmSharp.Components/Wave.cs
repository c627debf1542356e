using System.Globalization;
using System.Text;

namespace WasmSharp.Components;

/// <summary>
/// WAVE, the WebAssembly Value Encoding (bytecodealliance/wasm-tools, crates/wasm-wave): component values as text,
/// as Wasmtime's CLI reads arguments and prints results. <c>true</c>, <c>-9</c>, <c>3.14</c>, <c>nan</c>,
/// <c>'x'</c>, <c>"abc\t123"</c>, <c>("abc", 123)</c>, <c>[1, 2]</c>, <c>{field-a: 1}</c>, <c>days(30)</c>,
/// <c>south</c>, <c>some(1)</c> or <c>1</c>, <c>none</c>, <c>ok("x")</c>, <c>err(...)</c>, <c>{read, write}</c>.
/// Parsing follows the value's type; printing writes the explicit forms (<c>some(...)</c>, <c>ok(...)</c>).
/// </summary>
public static class Wave
{
    private static readonly HashSet<string> Keywords = ["true", "false", "inf", "nan", "some", "none", "ok", "err"];

    /// <summary>The WAVE text of <paramref name="v"/>.</summary>
    public static string Print(ComponentValue v)
    {
        var text = new StringBuilder();
        Print(v, text);
        return text.ToString();
    }

    private static void Print(ComponentValue v, StringBuilder text)
    {
        switch (v)
        {
            case BoolValue b: text.Append(b.Value ? "true" : "false"); break;
            case IntegerValue i: text.Append(i.Value.ToString(CultureInfo.InvariantCulture)); break;
            case FloatValue f: text.Append(Float(f)); break;
            case CharValue c: text.Append('\''); Escape(c.Value, '\'', text); text.Append('\''); break;
            case StringValue s:
                text.Append('"');
                foreach (var rune in s.Value.EnumerateRunes()) Escape(rune, '"', text);
                text.Append('"');
                break;
            case ListValue l: Sequence('[', l.Elements, ']', text); break;
            case TupleValue t: Sequence('(', t.Values, ')', text); break;
            case RecordValue r:
                text.Append('{');
                for (int i = 0; i < r.Fields.Count; i++)
                {
                    if (i > 0) text.Append(", ");
                    text.Append(r.Fields[i].Label).Append(": ");
                    Print(r.Fields[i].Value, text);
                }
                text.Append('}');
                break;
            case VariantValue x: Case(x.Case, x.Payload, text); break;
            case EnumValue e: text.Append(Label(e.Label)); break;
            case OptionValue o: if (o.Value is null) text.Append("none"); else Case("some", o.Value, text, keyword: true); break;
            case ResultValue r: Case(r.IsOk ? "ok" : "err", r.Payload, text, keyword: true); break;
            case FlagsValue f: text.Append('{').AppendJoin(", ", f.Set).Append('}'); break;
            default: throw new ArgumentException($"no WAVE form for {v}", nameof(v));
        }
    }

    private static void Sequence(char open, IEnumerable<ComponentValue> values, char close, StringBuilder text)
    {
        text.Append(open);
        bool first = true;
        foreach (var v in values)
        {
            if (!first) text.Append(", ");
            first = false;
            Print(v, text);
        }
        text.Append(close);
    }

    private static void Case(string label, ComponentValue? payload, StringBuilder text, bool keyword = false)
    {
        text.Append(keyword ? label : Label(label));
        if (payload is null) return;
        text.Append('(');
        Print(payload, text);
        text.Append(')');
    }

    /// <summary>A case label, %-prefixed where it is a WAVE keyword.</summary>
    private static string Label(string label) => Keywords.Contains(label) ? "%" + label : label;

    private static string Float(FloatValue f) => f.Value switch
    {
        double.NaN => "nan",
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        var x => f.Kind == Primitive.F32 ? ((float)x).ToString("R", CultureInfo.InvariantCulture) : x.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void Escape(Rune rune, char quote, StringBuilder text)
    {
        switch (rune.Value)
        {
            case '\\': text.Append("\\\\"); break;
            case '\n': text.Append("\\n"); break;
            case '\t': text.Append("\\t"); break;
            case '\r': text.Append("\\r"); break;
            case var c when c == quote: text.Append('\\').Append(quote); break;
            case var c when c < 0x20 || c == 0x7F: text.Append("\\u{").Append(c.ToString("x", CultureInfo.InvariantCulture)).Append('}'); break;
            default: text.Append(rune.ToString()); break;
        }
    }

    /// <summary>The value of type <paramref name="t"/> that <paramref name="text"/> spells, whitespace and
    /// comments around it allowed. Throws <see cref="FormatException"/> saying what was expected where.</summary>
    public static ComponentValue Parse(string text, ComponentValueType t)
    {
        var parser = new Parser(text);
        var v = parser.Value(t);
        parser.End();
        return v;
    }

    /// <summary>A function call, <c>name(arg, ...)</c>, with arguments of the types of <paramref name="parameters"/>
    /// (trailing <c>none</c> arguments may be left out). <paramref name="parameters"/> gives the types once the
    /// name is known.</summary>
    public static (string Name, ComponentValue[] Arguments) ParseCall(string text, Func<string, IReadOnlyList<ComponentValueType>> parameters)
    {
        var parser = new Parser(text);
        string name = parser.CallName();
        var types = parameters(name);
        var arguments = parser.Arguments(types);
        parser.End();
        return (name, arguments);
    }

    private sealed class Parser(string text)
    {
        private int _at;
        private bool AtEnd => _at >= text.Length;

        private FormatException Error(string expected) =>
            new($"expected {expected} at {Position(_at)}{(_at < text.Length ? $", found {Quote()}" : ", found the end")}");

        private string Position(int at)
        {
            int line = 1, column = 1;
            for (int i = 0; i < at; i++) if (text[i] == '\n') { line++; column = 1; } else column++;
            return $"{line}:{column}";
        }

        private string Quote()
        {
            int end = _at;
            while (end < text.Length && end - _at < 12 && !char.IsWhiteSpace(text[end])) end++;
            return $"'{text[_at..Math.Max(end, _at + 1)]}'";
        }

        private void Skip()
        {
            while (_at < text.Length)
            {
                if (char.IsWhiteSpace(text[_at])) _at++;
                else if (text.AsSpan(_at).StartsWith("//")) while (_at < text.Length && text[_at] != '\n') _at++;
                else break;
            }
        }

        private bool Take(char c)
        {
            Skip();
            if (_at < text.Length && text[_at] == c) { _at++; return true; }
            return false;
        }

        private void Expect(char c, string what)
        {
            if (!Take(c)) throw Error(what);
        }

        public void End()
        {
            Skip();
            if (_at != text.Length) throw Error("the end of the value");
        }

        /// <summary>A label, its % taken off; null (nothing consumed) if none is here. <paramref name="escaped"/>:
        /// whether it had a %.</summary>
        private string? Label(out bool escaped)
        {
            Skip();
            int start = _at;
            escaped = _at < text.Length && text[_at] == '%';
            int at = escaped ? _at + 1 : _at;
            int wordStart = at;
            while (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] == '-')) at++;
            if (at == wordStart || !char.IsAsciiLetter(text[wordStart])) { _at = start; return null; }
            _at = at;
            return text[wordStart..at];
        }

        private string Label(string what)
        {
            var label = Label(out _);
            return label ?? throw Error(what);
        }

        public string CallName()
        {
            var name = Label(out _) ?? throw Error("a function name");
            // interface-qualified names (ns:pkg/iface#name) are taken whole
            while (_at < text.Length && text[_at] is ':' or '/' or '#' or '@' or '.' && _at + 1 < text.Length && text[_at + 1] != '(')
            {
                int start = _at++;
                while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] is '-' or '.')) _at++;
                name += text[start.._at];
            }
            return name;
        }

        public ComponentValue[] Arguments(IReadOnlyList<ComponentValueType> types)
        {
            var values = Sequence('(', ')', i => i < types.Count ? types[i] : throw Error($"')' after {types.Count} argument(s)"),
                "'(' and the arguments");
            for (int i = values.Count; i < types.Count; i++)
            {
                if (types[i] is not OptionType) throw Error($"argument {i + 1} ({CanonicalAbi.Describe(types[i])})");
                values.Add(new OptionValue(null));
            }
            return values.ToArray();
        }

        public ComponentValue Value(ComponentValueType t)
        {
            Skip();
            switch (t)
            {
                case PrimitiveType { Kind: Primitive.Bool }:
                {
                    int start = _at;
                    var label = Label(out bool escaped);
                    if (!escaped && label is "true" or "false") return new BoolValue(label == "true");
                    _at = start;
                    throw Error("true or false");
                }
                case PrimitiveType { Kind: Primitive.Char }: return new CharValue(Char());
                case PrimitiveType { Kind: Primitive.String }: return new StringValue(String());
                case PrimitiveType { Kind: Primitive.F32 or Primitive.F64 } f:
                {
                    double x = Float();
                    return new FloatValue(f.Kind, f.Kind == Primitive.F32 ? (float)x : x);
                }
                case PrimitiveType integer when integer.Kind != Primitive.ErrorContext:
                {
                    int start = _at;
                    var digits = Number();
                    if (digits is null || digits.AsSpan().IndexOfAny('.', 'e', 'E') >= 0) { _at = start; throw Error($"a {integer}"); }
                    var (min, max) = IntegerValue.Range(integer.Kind);
                    if (!Int128.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                    {
                        _at = start;
                        throw Error($"a {integer} ({min} to {max})");
                    }
                    return new IntegerValue(integer.Kind, value);
                }
                case ListType list:
                {
                    var elements = Sequence('[', ']', _ => list.Element);
                    if (list.Length is { } n && elements.Count != n) throw Error($"{n} elements, not {elements.Count}");
                    return new ListValue(elements.ToArray());
                }
                case MapType map:
                {
                    var entry = map.Entry;
                    return new ListValue(Sequence('[', ']', _ => entry).ToArray());
                }
                case TupleType tuple:
                {
                    var values = Sequence('(', ')', i => i < tuple.Types.Count ? tuple.Types[i] : throw Error($"')' after {tuple.Types.Count} values"));
                    if (values.Count != tuple.Types.Count) throw Error($"{tuple.Types.Count} values, not {values.Count}");
                    return new TupleValue(values.ToArray());
                }
                case RecordType record: return Record(record);
                case FlagsType flags: return Flags(flags);
                case VariantType variant:
                {
                    var label = Label("a case of the variant");
                    int index = variant.Cases.FindIndex(c => c.Label == label);
                    if (index < 0) throw Error($"one of {string.Join(", ", variant.Cases.Select(c => c.Label))}, not {label}");
                    var c = variant.Cases[index];
                    return new VariantValue(c.Label, c.Type is null ? null : Payload(c.Type));
                }
                case EnumType e:
                {
                    var label = Label("a case of the enum");
                    if (!e.Labels.Contains(label)) throw Error($"one of {string.Join(", ", e.Labels)}, not {label}");
                    return new EnumValue(label);
                }
                case OptionType option:
                {
                    int start = _at;
                    var label = Label(out bool escaped);
                    if (!escaped && label == "none") return new OptionValue(null);
                    if (!escaped && label == "some") return new OptionValue(Payload(option.Type));
                    _at = start;
                    if (option.Type is OptionType or ResultType) throw Error("some(...) or none");
                    return new OptionValue(Value(option.Type));
                }
                case ResultType result:
                {
                    int start = _at;
                    var label = Label(out bool escaped);
                    if (!escaped && label is "ok" or "err")
                    {
                        var side = label == "ok" ? result.Ok : result.Error;
                        return new ResultValue(label == "ok", side is null ? null : Payload(side));
                    }
                    _at = start;
                    if (result.Ok is null or OptionType or ResultType) throw Error("ok or err");
                    return new ResultValue(true, Value(result.Ok));
                }
                default: throw new ArgumentException($"no WAVE form for values of {t}", nameof(t));
            }
        }

        private ComponentValue Payload(ComponentValueType t)
        {
            Expect('(', "'(' and the payload");
            var v = Value(t);
            Expect(')', "')' after the payload");
            return v;
        }

        /// <summary>Items separated by commas, a trailing one allowed, up to <paramref name="close"/>; each read by
        /// <paramref name="item"/>, given its index.</summary>
        private void Separated(char close, Action<int> item)
        {
            for (int n = 0; !Take(close); n++)
            {
                if (n > 0) { Expect(',', $"',' or '{close}'"); if (Take(close)) break; }
                item(n);
            }
        }

        /// <summary>Values between <paramref name="open"/> and <paramref name="close"/>, the n-th of type
        /// <paramref name="type"/>(n).</summary>
        private List<ComponentValue> Sequence(char open, char close, Func<int, ComponentValueType> type, string? opening = null)
        {
            Expect(open, opening ?? $"'{open}'");
            var values = new List<ComponentValue>();
            Separated(close, i => values.Add(Value(type(i))));
            return values;
        }

        private RecordValue Record(RecordType record)
        {
            Expect('{', "'{' and the record's fields");
            var given = new Dictionary<string, ComponentValue>();
            if (!Take(':') || !Take('}'))
            {
                Separated('}', _ =>
                {
                    var label = Label("a field label");
                    var field = record.Fields.FirstOrDefault(f => f.Label == label) ?? throw Error($"a field of the record, not {label}");
                    if (given.ContainsKey(label)) throw Error($"each field once, not {label} again");
                    Expect(':', "':' after the field label");
                    given[label] = Value(field.Type);
                });
            }
            var fields = new (string, ComponentValue)[record.Fields.Count];
            for (int i = 0; i < fields.Length; i++)
            {
                var f = record.Fields[i];
                fields[i] = (f.Label, given.TryGetValue(f.Label, out var v) ? v
                    : f.Type is OptionType ? new OptionValue(null) : throw Error($"the field {f.Label}"));
            }
            return new RecordValue(fields);
        }

        private FlagsValue Flags(FlagsType flags)
        {
            Expect('{', "'{' and the flags");
            var set = new HashSet<string>();
            Separated('}', _ =>
            {
                var label = Label("a flag");
                if (!flags.Labels.Contains(label)) throw Error($"one of {string.Join(", ", flags.Labels)}, not {label}");
                set.Add(label);
            });
            return new FlagsValue(flags.Labels.Where(set.Contains).ToArray());
        }

        /// <summary>A number token (JSON-like), or null.</summary>
        private string? Number()
        {
            Skip();
            int start = _at, at = _at;
            if (at < text.Length && text[at] == '-') at++;
            int digits = at;
            while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
            if (at == digits || text[digits] == '0' && at - digits > 1) return null;
            if (at < text.Length && text[at] == '.')
            {
                int fraction = ++at;
                while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
                if (at == fraction) return null;
            }
            if (at < text.Length && text[at] is 'e' or 'E')
            {
                at++;
                if (at < text.Length && text[at] is '+' or '-') at++;
                int exponent = at;
                while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
                if (at == exponent) return null;
            }
            if (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] == '_')) return null;
            _at = at;
            return text[start..at];
        }

        private double Float()
        {
            int start = _at;
            if (Take('-'))
            {
                var label = Label(out bool escaped);
                if (!escaped && label == "inf") return double.NegativeInfinity;
                _at = start;
            }
            else
            {
                var label = Label(out bool escaped);
                if (!escaped && label == "nan") return CanonicalAbi.CanonicalNaN64;
                if (!escaped && label == "inf") return double.PositiveInfinity;
                _at = start;
            }
            var number = Number() ?? throw Error("a number, nan, inf or -inf");
            return double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        private Rune Char()
        {
            Expect('\'', "a char ('x')");
            if (_at < text.Length && text[_at] == '\'') throw Error("a char between the quotes");
            var c = Character('\'');
            if (_at >= text.Length || text[_at] != '\'') throw Error("''' after one char");
            _at++;
            return c;
        }

        private string String()
        {
            Skip();
            if (text.AsSpan(_at).StartsWith("\"\"\"")) return Multiline();
            Expect('"', "a string (\"...\")");
            var s = new StringBuilder();
            while (true)
            {
                if (_at >= text.Length) throw Error("'\"' to end the string");
                if (text[_at] == '"') { _at++; return s.ToString(); }
                s.Append(Character('"').ToString());
            }
        }

        private string Multiline()
        {
            _at += 3;
            if (text.AsSpan(_at).StartsWith("\r\n")) _at += 2;
            else if (_at < text.Length && text[_at] == '\n') _at++;
            else throw Error("a line break after '\"\"\"'");
            int end = text.IndexOf("\"\"\"", _at, StringComparison.Ordinal);
            while (end > 0 && text[end - 1] == '\\') end = text.IndexOf("\"\"\"", end + 1, StringComparison.Ordinal);
            if (end < 0) throw Error("'\"\"\"' to end the string");
            // the spaces before the closing quotes are the indent of every line
            int lineStart = text.LastIndexOf('\n', end - 1) + 1;
            if (lineStart <= _at)
            {
                if (text[_at..end].Any(c => c != ' ')) throw Error("the closing '\"\"\"' on a line of its own");
                _at = end + 3;
                return "";
            }
            if (text[lineStart..end].Any(c => c != ' ')) throw Error("the closing '\"\"\"' on a line of its own");
            int indent = end - lineStart;
            var lines = text[_at..(lineStart > _at ? lineStart - 1 : _at)].Split('\n');
            var s = new StringBuilder();
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
                if (line.Length < indent || line[..indent].Any(c => c != ' ')) throw Error($"{indent} spaces of indent on line {i + 1} of the string");
                if (i > 0) s.Append('\n');
                var inner = new Parser(line[indent..]);
                while (!inner.AtEnd) s.Append(inner.Character(null).ToString());
            }
            _at = end + 3;
            return s.ToString();
        }

        /// <summary>One char of a char or string literal: an escape or a literal scalar value
        /// (<paramref name="quote"/> may not appear unescaped).</summary>
        private Rune Character(char? quote)
        {
            if (_at >= text.Length) throw Error("a char");
            char c = text[_at];
            if (c == '\n' || c == quote) throw Error("a char (escape it: \\n, \\', \\\")");
            if (c != '\\')
            {
                if (Rune.DecodeFromUtf16(text.AsSpan(_at), out var rune, out int used) != System.Buffers.OperationStatus.Done)
                    throw Error("a Unicode scalar value");
                _at += used;
                return rune;
            }
            _at++;
            if (_at >= text.Length) throw Error("an escape after '\\'");
            char e = text[_at++];
            switch (e)
            {
                case '\'': return new Rune('\'');
                case '"': return new Rune('"');
                case '\\': return new Rune('\\');
                case 't': return new Rune('\t');
                case 'n': return new Rune('\n');
                case 'r': return new Rune('\r');
                case 'u' when _at < text.Length && text[_at] == '{':
                {
                    int close = text.IndexOf('}', _at);
                    if (close < 0 || !uint.TryParse(text.AsSpan(_at + 1, close - _at - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value)
                        || close == _at + 1 || !Rune.IsValid(value))
                        throw Error("a Unicode scalar value in hex, \\u{...}");
                    _at = close + 1;
                    return new Rune(value);
                }
                default:
                    _at -= 2;
                    throw Error("an escape: \\', \\\", \\\\, \\t, \\n, \\r or \\u{...}");
            }
        }
    }
}
