namespace WasmSharp.Text.Wast;

/// <summary>
/// Reads a .wast script (spec interpreter, "Scripts") into <see cref="WastCommand"/>s: modules in their three forms,
/// register, actions and the assertions, with the constants and result patterns they hold. Text modules are compiled
/// by <see cref="ModuleParser"/> as they are read; one that is not well formed does not stop the script: its error is
/// kept on the module (an <c>assert_malformed</c> expects exactly that) and reading goes on after its <c>)</c>.
/// Components (the component model's scripts) are read the same way through an <see cref="IComponentText"/>, with
/// the component constants of their actions.
/// </summary>
internal static class WastParser
{
    /// <summary>Parses <paramref name="source"/> (UTF-8). Never throws for bad input: a script that cannot be read on
    /// comes back with the commands before the problem and <see cref="WastScript.Error"/> set. Component forms are
    /// compiled by <paramref name="components"/>; without it, commands that hold one are skipped as
    /// <see cref="UnsupportedCommand"/>s.</summary>
    public static WastScript Parse(byte[] source, IComponentText? components = null)
    {
        var commands = new List<WastCommand>();
        try
        {
            var reader = new Reader(new TextParser(source), components);
            reader.ReadScript(commands);
            return new WastScript(commands, null);
        }
        catch (MalformedTextException e)
        {
            return new WastScript(commands, e);
        }
    }

    /// <summary>The parsing state of one script: the token cursor and a line counter.</summary>
    private sealed class Reader(TextParser p, IComponentText? components)
    {
        // Lines are counted forward from the last token asked about: counting from the start for every command
        // would be quadratic in scripts with tens of thousands of commands.
        private int _lineOffset;
        private int _line = 1;

        /// <summary>The 1-based line of token <paramref name="t"/>.</summary>
        private int LineOf(Token t)
        {
            if (t.Start < _lineOffset)
            {
                _lineOffset = 0;
                _line = 1;
            }
            _line += p.Source.AsSpan(_lineOffset, t.Start - _lineOffset).Count((byte)'\n');
            _lineOffset = t.Start;
            return _line;
        }

        public void ReadScript(List<WastCommand> commands)
        {
            p.SkipAnnotations();
            if (IsInlineModule())
            {
                commands.Add(ReadInlineModule());
                return;
            }
            while (!p.AtEnd)
            {
                commands.Add(ReadCommand());
                p.SkipAnnotations();
            }
        }


        // ---- commands ----

        /// <summary>A script may be just the fields of one module, as a .wat file (spec: inline module); it is one
        /// when its first form is not a command.</summary>
        private bool IsInlineModule() =>
            p.Peek().Kind == TokenKind.LeftParen && p.Peek(1) is { Kind: TokenKind.Keyword } k && !IsCommandKeyword(p.String(k));

        private static bool IsCommandKeyword(string word) =>
            word is "module" or "component" or "register" or "invoke" or "get" or "script" or "input" or "output" or "thread" or "wait"
            || word.StartsWith("assert_", StringComparison.Ordinal);

        private ModuleCommand ReadInlineModule()
        {
            int line = LineOf(p.Peek());
            WastModule module;
            try
            {
                var binary = ModuleParser.ParseFields(p);
                if (!p.AtEnd) throw p.Unexpected(p.Peek());
                module = WastModule.FromText(line, null, false, binary);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The module is the whole script: nothing comes after it to go on with.
                module = WastModule.FromTextError(line, null, false, e);
            }
            return new ModuleCommand(line, module);
        }

        private WastCommand ReadCommand()
        {
            if (p.Peek().Kind != TokenKind.LeftParen) throw p.Unexpected(p.Peek());
            var keyword = p.Peek(1);
            if (keyword.Kind != TokenKind.Keyword) throw p.Unexpected(keyword);
            string word = p.String(keyword);
            if (components is null && HoldsComponent(word))
            {
                // No component text format: the command is skipped whole, as one this runner does not implement.
                p.Position += 2;
                p.SkipForm();
                return new UnsupportedCommand(LineOf(keyword), word);
            }
            switch (word)
            {
                case "module":
                case "component":
                    if (p.IsKeyword("instance"u8, 2)) return ReadInstance();
                    var module = ReadModule();
                    return new ModuleCommand(module.Line, module);
                case "invoke":
                case "get":
                {
                    var (line, action) = ReadAction();
                    return new ActionCommand(line, action);
                }
            }

            p.Position += 2;
            WastCommand command;
            switch (word)
            {
                case "register":
                {
                    int line = LineOf(keyword);
                    string name = p.ExpectName();
                    command = new RegisterCommand(line, name, p.TakeId());
                    break;
                }
                case "assert_return":
                {
                    var (line, action) = ReadAction();
                    var expected = new List<WastValue>();
                    while (!p.AtRightParen) expected.Add(ReadValue(result: true));
                    command = new AssertReturnCommand(line, action, expected.ToArray());
                    break;
                }
                case "assert_trap" when p.IsForm("module"u8) || p.IsForm("component"u8):
                    command = ReadModuleAssertion(ModuleAssertion.Uninstantiable);
                    break;
                case "assert_trap":
                case "assert_exhaustion":
                {
                    var (line, action) = ReadAction();
                    command = new AssertTrapCommand(line, action, p.ExpectName(), Exhaustion: word == "assert_exhaustion");
                    break;
                }
                case "assert_exception":
                {
                    var (line, action) = ReadAction();
                    command = new AssertExceptionCommand(line, action);
                    break;
                }
                case "assert_malformed": command = ReadModuleAssertion(ModuleAssertion.Malformed); break;
                case "assert_invalid": command = ReadModuleAssertion(ModuleAssertion.Invalid); break;
                case "assert_unlinkable": command = ReadModuleAssertion(ModuleAssertion.Unlinkable); break;
                case "assert_uninstantiable": command = ReadModuleAssertion(ModuleAssertion.Uninstantiable); break;
                default:
                    if (!IsCommandKeyword(word)) throw p.Unexpected(keyword);
                    // A command of a proposal or a meta command this runner does not implement: its form is
                    // skipped whole, and the runner counts it as skipped.
                    p.SkipForm();
                    return new UnsupportedCommand(LineOf(keyword), word);
            }
            p.ExpectRightParen();
            return command;
        }

        /// <summary>Whether the command with keyword <paramref name="word"/> (its <c>(</c> next) is or holds a
        /// component.</summary>
        private bool HoldsComponent(string word) =>
            word == "component" || word.StartsWith("assert_", StringComparison.Ordinal) && p.Peek(2).Kind == TokenKind.LeftParen && p.IsKeyword("component"u8, 3);

        private AssertModuleCommand ReadModuleAssertion(ModuleAssertion expect)
        {
            var module = ReadModule();
            return new AssertModuleCommand(module.Line, expect, module, p.ExpectName());
        }

        /// <summary><c>(module instance $id? $definition?)</c> or <c>(component instance $id? $definition?)</c>.</summary>
        private InstanceCommand ReadInstance()
        {
            p.Position += 1;
            var keyword = p.Next();
            int line = LineOf(keyword);
            p.ExpectKeyword("instance"u8);
            string? id = p.TakeId();
            string? definition = p.TakeId();
            p.ExpectRightParen();
            return new InstanceCommand(line, id, definition, IsComponent: p.Text(keyword).SequenceEqual("component"u8));
        }

        /// <summary><c>(module definition? $id? ...)</c> with text fields, <c>binary</c> strings or <c>quote</c>
        /// strings. A text module that does not compile is returned with its error, the cursor after its <c>)</c>.</summary>
        private WastModule ReadModule()
        {
            p.ExpectLeftParen();
            int line = LineOf(p.Peek());
            // A component is read as a module is, through the component text format (the caller saw it is given).
            var component = p.TakeKeyword("component"u8) ? components : null;
            if (component is null) p.ExpectKeyword("module"u8);
            bool isComponent = component is not null;
            bool definition = p.TakeKeyword("definition"u8);
            string? id = p.TakeId();
            if (p.TakeKeyword("binary"u8))
            {
                var bytes = p.ExpectStrings();
                p.ExpectRightParen();
                return WastModule.FromBinary(line, id, definition, bytes, isComponent);
            }
            if (p.TakeKeyword("quote"u8))
            {
                var text = p.ExpectStrings();
                p.ExpectRightParen();
                return WastModule.FromQuote(line, id, definition, text, component);
            }

            int fields = p.Position;
            try
            {
                var binary = component is not null ? component.ParseFields(p, id) : ModuleParser.ParseFields(p);
                p.ExpectRightParen();
                return WastModule.FromText(line, id, definition, binary, isComponent);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Any failure, also a bug of the module parser, belongs to this module alone: go back to its first
                // field, where the depth is known, and skip to its ')'.
                p.Position = fields;
                p.SkipForm();
                return WastModule.FromTextError(line, id, definition, e, isComponent);
            }
        }


        /// <summary><c>(invoke $m? "name" const*)</c> or <c>(get $m? "name")</c>, with the line of its keyword.</summary>
        private (int Line, WastAction Action) ReadAction()
        {
            p.ExpectLeftParen();
            var keyword = p.Next();
            bool isGet;
            if (keyword.Kind == TokenKind.Keyword && p.Text(keyword).SequenceEqual("invoke"u8)) isGet = false;
            else if (keyword.Kind == TokenKind.Keyword && p.Text(keyword).SequenceEqual("get"u8)) isGet = true;
            else throw p.Unexpected(keyword);
            int line = LineOf(keyword);
            string? module = p.TakeId();
            string name = p.ExpectName();
            var args = new List<WastValue>();
            if (!isGet)
                while (!p.AtRightParen) args.Add(ReadValue(result: false));
            p.ExpectRightParen();
            return (line, new WastAction(isGet, module, name, args.ToArray()));
        }

        // ---- constants and result patterns ----

        /// <summary>A constant form; with <paramref name="result"/> also the patterns only results may use.</summary>
        private WastValue ReadValue(bool result)
        {
            p.ExpectLeftParen();
            var value = ReadValueBody(p.Next(), result);
            p.ExpectRightParen();
            return value;
        }

        /// <summary>A constant after its <c>(</c>, from its keyword <paramref name="t"/> up to its <c>)</c>.</summary>
        private WastValue ReadValueBody(Token t, bool result)
        {
            if (t.Kind != TokenKind.Keyword) throw p.Unexpected(t);
            WastValue value;
            switch (p.String(t))
            {
                case "i32.const": value = new WastValue.Number(ValueType.I32, new NumberPattern(p.ExpectInt(32))); break;
                case "i64.const": value = new WastValue.Number(ValueType.I64, new NumberPattern(p.ExpectInt(64))); break;
                case "f32.const": value = new WastValue.Number(ValueType.F32, ReadFloat(32, result)); break;
                case "f64.const": value = new WastValue.Number(ValueType.F64, ReadFloat(64, result)); break;
                case "v128.const": value = ReadVector(result); break;
                case "ref.null":
                {
                    // A heap type (func, extern, exn), or in a result none: a null of any type.
                    if (result && p.AtRightParen)
                    {
                        value = new WastValue.Null(null);
                        break;
                    }
                    var heap = p.Next();
                    value = heap.Kind == TokenKind.Keyword && ModuleParser.HeapTypeOf(p.Text(heap)) is byte type
                        ? new WastValue.Null((ValueType)type) : throw p.Unexpected(heap);
                    break;
                }
                case "ref.extern":
                    value = result && p.AtRightParen ? new WastValue.Extern(null) : new WastValue.Extern(p.ExpectUnsigned(ulong.MaxValue));
                    break;
                case "ref.func" when result:
                    value = new WastValue.Func();
                    break;
                case "either" when result:
                {
                    var alternatives = new List<WastValue>();
                    do alternatives.Add(ReadValue(result: true));
                    while (!p.AtRightParen);
                    value = new WastValue.Either(alternatives.ToArray());
                    break;
                }
                default:
                    return ReadComponentValue(t, result) ?? throw p.Unexpected(t);
            }
            return value;
        }

        // ---- component constants ----

        /// <summary>A component constant after its keyword <paramref name="t"/>, up to its <c>)</c>; null when
        /// <paramref name="t"/> names none.</summary>
        private WastValue? ReadComponentValue(Token t, bool result)
        {
            string word = p.String(t);
            if (ComponentIntOf(word) is ComponentInt type) return new WastValue.Integer(type, ReadComponentInt(type));
            switch (word)
            {
                case "bool.const":
                    if (p.TakeKeyword("true"u8)) return new WastValue.Bool(true);
                    if (p.TakeKeyword("false"u8)) return new WastValue.Bool(false);
                    throw p.Unexpected(p.Peek());
                case "char.const":
                {
                    var at = p.Peek();
                    string text = p.ExpectName();
                    if (System.Text.Rune.DecodeFromUtf16(text, out var rune, out int length) != System.Buffers.OperationStatus.Done || length != text.Length)
                        throw p.Error(at, "a char constant holds one character");
                    return new WastValue.Char(rune);
                }
                case "str.const": return new WastValue.String(p.ExpectName());
                case "list.const": return new WastValue.Sequence(false, ReadValues(result));
                case "tuple.const": return new WastValue.Sequence(true, ReadValues(result));
                case "record.const":
                {
                    var fields = new List<WastValue.Field>();
                    while (p.TakeForm("field"u8))
                    {
                        string label = p.ExpectName();
                        // The testsuite writes a field's value without its parentheses too: (field "n" u32.const 7).
                        var value = p.Peek().Kind == TokenKind.LeftParen ? ReadValue(result) : ReadValueBody(p.Next(), result);
                        fields.Add(new WastValue.Field(label, value));
                        p.ExpectRightParen();
                    }
                    return new WastValue.Record(fields.ToArray());
                }
                case "variant.const": return new WastValue.Case(false, p.ExpectName(), ReadOptionalValue(result));
                case "enum.const": return new WastValue.Case(true, p.ExpectName(), null);
                case "option.none": return new WastValue.Option(null);
                case "option.some": return new WastValue.Option(ReadValue(result));
                case "result.ok": return new WastValue.Result(true, ReadOptionalValue(result));
                case "result.err": return new WastValue.Result(false, ReadOptionalValue(result));
                case "flags.const":
                {
                    var labels = new List<string>();
                    while (!p.AtRightParen) labels.Add(p.ExpectName());
                    return new WastValue.Flags(labels.ToArray());
                }
                default: return null;
            }
        }

        /// <summary>Constants up to a <c>)</c>.</summary>
        private WastValue[] ReadValues(bool result)
        {
            var values = new List<WastValue>();
            while (!p.AtRightParen) values.Add(ReadValue(result));
            return values.ToArray();
        }

        private WastValue? ReadOptionalValue(bool result) => p.AtRightParen ? null : ReadValue(result);

        /// <summary>The integer type of keyword <paramref name="word"/> (<c>s8.const</c> ... <c>u64.const</c>).</summary>
        private static ComponentInt? ComponentIntOf(string word)
        {
            if (!word.EndsWith(".const", StringComparison.Ordinal)) return null;
            var name = word.AsSpan(0, word.Length - ".const".Length);
            for (var type = ComponentInt.S8; type <= ComponentInt.U64; type++)
                if (name.SequenceEqual(type.ToText())) return type;
            return null;
        }

        /// <summary>An integer of <paramref name="type"/>: a signed type takes -2^(N-1) .. 2^(N-1)-1, an unsigned
        /// one 0 .. 2^N-1; the bits in the type's width.</summary>
        private ulong ReadComponentInt(ComponentInt type)
        {
            int bits = type.Bits();
            ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
            var t = p.Next();
            if (t.Kind is not (TokenKind.Reserved or TokenKind.Keyword)) throw p.Unexpected(t);
            var text = p.Text(t);
            ulong value;
            var status = !type.IsSigned() ? TextNumbers.ParseUnsigned(text, mask, out value)
                : text.Length > 0 && text[0] is (byte)'-' or (byte)'+' ? TextNumbers.ParseInt(text, bits, out value)
                : TextNumbers.ParseUnsigned(text, mask >> 1, out value);
            return p.Literal(t, status, value);
        }

        /// <summary>A float of <paramref name="bits"/> bits, or in a result a NaN pattern.</summary>
        private NumberPattern ReadFloat(int bits, bool result)
        {
            if (result && p.TakeKeyword("nan:canonical"u8)) return NumberPattern.CanonicalNan;
            if (result && p.TakeKeyword("nan:arithmetic"u8)) return NumberPattern.ArithmeticNan;
            return new NumberPattern(bits == 32 ? p.ExpectF32() : p.ExpectF64());
        }

        /// <summary><c>v128.const</c>'s shape and lanes (the keyword taken).</summary>
        private WastValue.Vector ReadVector(bool result)
        {
            var shape = p.Next();
            LaneType laneType = shape.Kind != TokenKind.Keyword ? throw p.Unexpected(shape) : p.String(shape) switch
            {
                "i8x16" => LaneType.I8,
                "i16x8" => LaneType.I16,
                "i32x4" => LaneType.I32,
                "i64x2" => LaneType.I64,
                "f32x4" => LaneType.F32,
                "f64x2" => LaneType.F64,
                _ => throw p.Unexpected(shape),
            };
            var lanes = new NumberPattern[laneType.Count()];
            for (int i = 0; i < lanes.Length; i++)
            {
                // Fewer lanes than the shape has: the spec's wording for a missing lane.
                if (p.AtRightParen) throw p.Error(p.Peek(), "wrong number of lane literals");
                lanes[i] = laneType.IsFloat()
                    ? ReadFloat(laneType.Bits(), result)
                    : new NumberPattern(p.ExpectInt(laneType.Bits()));
            }
            if (!p.AtRightParen) throw p.Error(p.Peek(), "wrong number of lane literals");
            return new WastValue.Vector(laneType, lanes);
        }
    }
}
