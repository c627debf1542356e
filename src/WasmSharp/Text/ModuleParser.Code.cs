using System.Numerics;
using System.Runtime.CompilerServices;

namespace WasmSharp.Text;

internal sealed partial class ModuleParser
{
    private readonly NameTable _localNames = new();
    private int _localCount;
    /// <summary>The enclosing blocks' labels, innermost last (null: unnamed).</summary>
    private readonly List<string?> _labels = [];
    /// <summary>Per folding depth, the instruction being folded (written after its operands).</summary>
    private readonly List<WasmWriter> _pending = [];
    private int _depth;

    private void FunctionBody(TypedEntry f)
    {
        _p.Position = f.BodyStart;
        _localNames.Clear();
        _labels.Clear();
        var use = f.Use;
        int parameters = use.Resolved.Params.Length;
        if (use.HasInline)
            for (int i = 0; i < use.ParamNames.Count; i++)
                if (use.ParamNames[i] is string name && !_localNames.TryAdd(name, i)) throw _p.Error(use.At, $"duplicate local {name}");
        _localCount = parameters;

        var locals = new List<byte>();
        while (_p.IsForm("local"u8))
        {
            _p.Position += 2;
            if (_p.Peek().Kind == TokenKind.Id)
            {
                var at = _p.Peek();
                string name = _p.TakeId()!;
                if (!_localNames.TryAdd(name, _localCount)) throw _p.Error(at, $"duplicate local {name}");
                locals.Add(ValueType());
                _localCount++;
            }
            else
                while (!_p.AtRightParen)
                {
                    locals.Add(ValueType());
                    _localCount++;
                }
            _p.ExpectRightParen();
        }

        var body = new WasmWriter(256);
        int runs = 0;
        for (int i = 0; i < locals.Count; i++)
            if (i == 0 || locals[i] != locals[i - 1]) runs++;
        body.U32((uint)runs);
        for (int i = 0; i < locals.Count;)
        {
            int j = i;
            while (j < locals.Count && locals[j] == locals[i]) j++;
            body.U32((uint)(j - i));
            body.Byte(locals[i]);
            i = j;
        }
        Expression(body);
        _p.ExpectRightParen();
        body.Byte(0x0B);
        _codeSection.Sized(body.Written);
    }

    /// <summary>Instructions, plain or folded, up to a <c>)</c> (left in place).</summary>
    private void Expression(WasmWriter w)
    {
        while (true)
        {
            var t = _p.Peek();
            if (t.Kind == TokenKind.RightParen) return;
            if (t.Kind == TokenKind.LeftParen) FoldedInstruction(w);
            else if (t.Kind == TokenKind.Annotation) { _p.Next(); _p.SkipForm(); }
            else PlainInstruction(w); // end, else and the other delimiters are unexpected here
        }
    }

    /// <summary>Plain instructions of a block up to a delimiter (<c>end</c>, <c>else</c>, <c>catch</c>,
    /// <c>catch_all</c>, <c>delegate</c>), left in place.</summary>
    private void BlockInstructions(WasmWriter w)
    {
        while (true)
        {
            var t = _p.Peek();
            if (t.Kind == TokenKind.LeftParen) FoldedInstruction(w);
            else if (t.Kind == TokenKind.Annotation) { _p.Next(); _p.SkipForm(); }
            else if (t.Kind is TokenKind.RightParen or TokenKind.EndOfFile) throw _p.Unexpected(t);
            else
            {
                var ins = Lookup(t);
                if (ins.IsDelimiter) return;
                _p.Next();
                PlainInstruction(w, t, ins);
            }
        }
    }

    private Instruction Lookup(Token t)
    {
        if (t.Kind == TokenKind.Keyword && Instructions.TryGet(_p.Text(t), out var instruction)) return instruction;
        throw _p.Unexpected(t);
    }

    /// <summary>The forms of a function's header, which cannot come among its instructions ("unexpected token",
    /// not "unknown operator").</summary>
    private bool IsHeaderForm(Token t)
    {
        var text = _p.Text(t);
        return t.Kind == TokenKind.Keyword && (text.SequenceEqual("type"u8) || text.SequenceEqual("param"u8) || text.SequenceEqual("result"u8)
            || text.SequenceEqual("local"u8) || text.SequenceEqual("then"u8) || text.SequenceEqual("else"u8));
    }

    private void PlainInstruction(WasmWriter w)
    {
        var t = _p.Next();
        PlainInstruction(w, t, Lookup(t));
    }

    /// <summary>Instruction <paramref name="ins"/>, whose name <paramref name="t"/> has been taken.</summary>
    private void PlainInstruction(WasmWriter w, Token t, Instruction ins)
    {
        if (ins.IsDelimiter) throw _p.Error(t, "unexpected token");
        if (ins.Immediate is not (Immediate.Block or Immediate.TryTable))
        {
            Operation(w, ins);
            return;
        }
        EnsureStack(t);
        string? label = _p.TakeId();
        var immediates = BlockImmediates(ins);
        w.Byte((byte)ins.Opcode);
        w.Bytes(immediates.Written);
        _labels.Add(label);
        BlockInstructions(w);
        if (ins.Opcode == 0x04 && _p.TakeKeyword("else"u8))
        {
            CheckEndLabel(label);
            w.Byte(0x05);
            BlockInstructions(w);
        }
        else if (ins.Opcode == 0x06 && Handlers(w, label, folded: false)) return;
        // The instructions stopped at a delimiter: one that does not belong here (an else, a catch) is unexpected.
        if (!_p.TakeKeyword("end"u8)) throw _p.Error(_p.Peek(), "unexpected token");
        CheckEndLabel(label);
        _labels.RemoveAt(_labels.Count - 1);
        w.Byte(0x0B);
    }

    /// <summary>A block's immediates after its opcode: its block type, and try_table's catch clauses, which are read
    /// before the block's label is bound: their labels are the enclosing blocks' (spec: catch in the context I, the
    /// instructions in I').</summary>
    private WasmWriter BlockImmediates(Instruction ins)
    {
        var w = new WasmWriter(8);
        BlockType(w);
        if (ins.Immediate != Immediate.TryTable) return w;
        var clauses = new WasmWriter(16);
        uint count = 0;
        while (_p.Peek().Kind == TokenKind.LeftParen && _p.Peek(1) is { Kind: TokenKind.Keyword } keyword
               && Array.IndexOf(Instructions.CatchClauses, _p.String(keyword)) is int kind and >= 0)
        {
            _p.Position += 2;
            clauses.Byte((byte)kind);
            if (Instructions.CatchHasTag((byte)kind)) clauses.U32(Tag());
            clauses.U32(Label());
            _p.ExpectRightParen();
            count++;
        }
        w.U32(count);
        w.Bytes(clauses.Written);
        return w;
    }

    /// <summary>
    /// The handlers of a legacy try after its instructions: <c>catch x instr*</c> any number of times, then
    /// <c>catch_all instr*</c> or not; or, in place of them all, <c>delegate l</c>. Flat, they are keywords (catch and
    /// catch_all may repeat the try's label) and the last handler's instructions end at a delimiter;
    /// <paramref name="folded"/>, they are forms. The try's label (<paramref name="label"/>) stays bound in the
    /// handlers: a rethrow or br there names the try. Delegate's label is resolved around the try. Returns whether
    /// the try ended in delegate, with its label unbound: no <c>end</c> follows.
    /// </summary>
    private bool Handlers(WasmWriter w, string? label, bool folded)
    {
        bool caught = false;
        while (Handler("catch"u8, folded))
        {
            caught = true;
            // catch $label? x: two indices are the label repeated and the tag (instructions follow the tag).
            if (!folded && _p.Peek().Kind == TokenKind.Id && IsIndex(1)) CheckEndLabel(label);
            w.Byte(0x07);
            w.U32(Tag());
            HandlerInstructions(w, folded);
        }
        if (Handler("catch_all"u8, folded))
        {
            if (!folded) CheckEndLabel(label);
            w.Byte(0x19);
            HandlerInstructions(w, folded);
        }
        else if (!caught && Handler("delegate"u8, folded))
        {
            _labels.RemoveAt(_labels.Count - 1);
            w.Byte(0x18);
            w.U32(Label());
            if (folded) _p.ExpectRightParen();
            return true;
        }
        return false;
    }

    /// <summary>Takes handler <paramref name="keyword"/>, flat or <paramref name="folded"/> (its form opened), if it
    /// comes next.</summary>
    private bool Handler(ReadOnlySpan<byte> keyword, bool folded) => folded ? _p.TakeForm(keyword) : _p.TakeKeyword(keyword);

    /// <summary>A handler's instructions: flat up to a delimiter, or <paramref name="folded"/> up to its form's
    /// <c>)</c>, which is taken.</summary>
    private void HandlerInstructions(WasmWriter w, bool folded)
    {
        if (!folded)
        {
            BlockInstructions(w);
            return;
        }
        Expression(w);
        _p.ExpectRightParen();
    }

    /// <summary>A tag index (a name or a number).</summary>
    private uint Tag() => (uint)ResolveIndex(_tags, _p.Next());

    /// <summary>The optional label after <c>end</c> or <c>else</c>, which must repeat the block's.</summary>
    private void CheckEndLabel(string? label)
    {
        var t = _p.Peek();
        if (t.Kind != TokenKind.Id) return;
        _p.Next();
        if (!_p.IdEquals(t, label)) throw _p.Error(t, "mismatching label");
    }

    private void FoldedInstruction(WasmWriter w)
    {
        _p.ExpectLeftParen();
        var t = _p.Next();
        EnsureStack(t);
        if (IsHeaderForm(t)) throw _p.Error(t, "unexpected token");
        var ins = Lookup(t);
        if (ins.Immediate is Immediate.Block or Immediate.TryTable)
        {
            string? label = _p.TakeId();
            var type = BlockImmediates(ins);
            _labels.Add(label);
            if (ins.Opcode == 0x04)
            {
                // (if label bt condition* (then ...) (else ...)?): the condition first.
                while (_p.Peek().Kind == TokenKind.LeftParen && !_p.IsForm("then"u8)) FoldedInstruction(w);
                w.Byte(0x04);
                w.Bytes(type.Written);
                if (!_p.TakeForm("then"u8)) throw _p.Error(_p.Peek(), "unexpected token");
                Expression(w);
                _p.ExpectRightParen();
                if (_p.TakeForm("else"u8))
                {
                    w.Byte(0x05);
                    Expression(w);
                    _p.ExpectRightParen();
                }
            }
            else if (ins.Opcode == 0x06)
            {
                // (try label bt (do instr*) handler*)
                w.Byte(0x06);
                w.Bytes(type.Written);
                if (!_p.TakeForm("do"u8)) throw _p.Error(_p.Peek(), "unexpected token");
                Expression(w);
                _p.ExpectRightParen();
                if (Handlers(w, label, folded: true))
                {
                    _p.ExpectRightParen();
                    return;
                }
            }
            else
            {
                w.Byte((byte)ins.Opcode);
                w.Bytes(type.Written);
                Expression(w);
            }
            _labels.RemoveAt(_labels.Count - 1);
            w.Byte(0x0B);
            _p.ExpectRightParen();
            return;
        }
        if (ins.IsDelimiter) throw _p.Error(t, "unexpected token");

        // (op immediates operand*): the operands' code first, then the operation's.
        if (_pending.Count == _depth) _pending.Add(new WasmWriter(32));
        var op = _pending[_depth++];
        op.Clear();
        try
        {
            Operation(op, ins);
            Expression(w);
            w.Bytes(op.Written);
        }
        finally
        {
            _depth--;
        }
        _p.ExpectRightParen();
    }

    /// <summary>Nested blocks and folded operands recurse: where the stack runs short the text is "nesting too
    /// deep" (an error, never a stack overflow; <see cref="ParseFile"/> retries on a large stack).</summary>
    private void EnsureStack(Token t)
    {
        if (_labels.Count + _depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack()) throw _p.Error(t, TooDeep);
    }

    /// <summary>A block type: nothing, one result, or a type index (a type use).</summary>
    private void BlockType(WasmWriter w)
    {
        var use = ReadTypeUse(allowNames: false);
        if (use.Reference is null && use.Inline.Params.Length == 0 && use.Inline.Results.Length <= 1)
        {
            w.Byte(use.Inline.Results.Length == 0 ? (byte)0x40 : (byte)use.Inline.Results[0]);
            return;
        }
        Resolve(use);
        w.S64((uint)use.Index); // an index past 2^31 is a u32, not a negative block type
    }

    /// <summary>An instruction other than a block: its opcode and immediates.</summary>
    private void Operation(WasmWriter w, Instruction ins)
    {
        if (ins.Prefix != 0)
        {
            w.Byte(ins.Prefix);
            w.U32(ins.Opcode);
        }
        else if (ins.Immediate != Immediate.Select) w.Byte((byte)ins.Opcode);

        switch (ins.Immediate)
        {
            case Immediate.None:
                return;
            case Immediate.Label:
                w.U32(Label());
                return;
            case Immediate.BrTable:
            {
                var labels = new List<uint>();
                while (IsIndex()) labels.Add(Label());
                if (labels.Count == 0) throw _p.Unexpected(_p.Peek());
                w.U32((uint)(labels.Count - 1));
                foreach (uint l in labels) w.U32(l);
                return;
            }
            case Immediate.Function:
                w.U32((uint)ResolveIndex(_funcs, _p.Next()));
                return;
            case Immediate.Tag:
                w.U32(Tag());
                return;
            case Immediate.CallIndirect:
            {
                int table = IsIndex() ? ResolveIndex(_tables, _p.Next()) : 0;
                var use = ReadTypeUse(allowNames: false);
                Resolve(use);
                w.U32((uint)use.Index);
                w.U32((uint)table);
                return;
            }
            case Immediate.Local:
                w.U32(Local());
                return;
            case Immediate.Global:
                w.U32((uint)ResolveIndex(_globals, _p.Next()));
                return;
            case Immediate.Table:
                w.U32(IsIndex() ? (uint)ResolveIndex(_tables, _p.Next()) : 0);
                return;
            case Immediate.TableCopy:
                if (IsIndex())
                {
                    w.U32((uint)ResolveIndex(_tables, _p.Next()));
                    w.U32((uint)ResolveIndex(_tables, _p.Next()));
                }
                else
                {
                    w.U32(0);
                    w.U32(0);
                }
                return;
            case Immediate.TableInit:
            {
                var first = _p.Next();
                if (IsIndex())
                {
                    w.U32((uint)ResolveIndex(_elems, _p.Next()));
                    w.U32((uint)ResolveIndex(_tables, first));
                }
                else
                {
                    w.U32((uint)ResolveIndex(_elems, first));
                    w.U32(0);
                }
                return;
            }
            case Immediate.Element:
                w.U32((uint)ResolveIndex(_elems, _p.Next()));
                return;
            case Immediate.MemArg:
                MemArg(w, ins.NaturalAlignment, OptionalMemory());
                return;
            case Immediate.MemArgLane:
            {
                // memidx? memarg laneidx: a number is the memory only when another number (the lane) or the memarg
                // follows it; alone, it is the lane (the reference interpreter's reading).
                uint memory = _p.Peek().Kind == TokenKind.Id || _p.IsUnsigned() && (_p.IsUnsigned(1) || IsMemArgKeyword(1))
                    ? (uint)ResolveIndex(_memories, _p.Next()) : 0;
                MemArg(w, ins.NaturalAlignment, memory);
                w.Byte(LaneIndex());
                return;
            }
            case Immediate.Memory:
                w.U32(OptionalMemory());
                return;
            case Immediate.MemoryCopy:
                // Destination, then source; none for 0 0.
                if (IsIndex())
                {
                    w.U32((uint)ResolveIndex(_memories, _p.Next()));
                    w.U32((uint)ResolveIndex(_memories, _p.Next()));
                }
                else
                {
                    w.U32(0);
                    w.U32(0);
                }
                return;
            case Immediate.MemoryInit:
            {
                // memory.init memidx? dataidx; the binary has the data segment first.
                _usesDataCount = true;
                var first = _p.Next();
                if (IsIndex())
                {
                    w.U32((uint)ResolveIndex(_datas, _p.Next()));
                    w.U32((uint)ResolveIndex(_memories, first));
                }
                else
                {
                    w.U32((uint)ResolveIndex(_datas, first));
                    w.U32(0);
                }
                return;
            }
            case Immediate.Data:
                _usesDataCount = true;
                w.U32((uint)ResolveIndex(_datas, _p.Next()));
                return;
            case Immediate.I32:
                w.S32((int)(uint)_p.ExpectInt(32));
                return;
            case Immediate.I64:
                w.S64((long)_p.ExpectInt(64));
                return;
            case Immediate.F32:
                w.F32(_p.ExpectF32());
                return;
            case Immediate.F64:
                w.F64(_p.ExpectF64());
                return;
            case Immediate.Select:
            {
                var types = new List<byte>();
                bool typed = false;
                while (_p.TakeForm("result"u8))
                {
                    typed = true;
                    while (!_p.AtRightParen) types.Add(ValueType());
                    _p.ExpectRightParen();
                }
                if (!typed)
                {
                    w.Byte(0x1B);
                    return;
                }
                w.Byte(0x1C);
                w.U32((uint)types.Count);
                foreach (byte b in types) w.Byte(b);
                return;
            }
            case Immediate.HeapType:
                w.Byte(HeapType());
                return;
            case Immediate.V128:
                V128Constant(w);
                return;
            case Immediate.Shuffle:
            {
                if (LiteralsAhead() != 16) throw _p.Error(_p.Peek(), "invalid lane length");
                for (int i = 0; i < 16; i++) w.Byte(LaneIndex(malformed: true));
                return;
            }
            case Immediate.Lane:
                w.Byte(LaneIndex());
                return;
            default:
                throw new InvalidOperationException($"immediate {ins.Immediate} of {ins.Name}");
        }
    }

    /// <summary>A lane index: a u8 ("malformed lane index" above 255; for a shuffle's lanes, <paramref name="malformed"/>,
    /// whatever is not one).</summary>
    private byte LaneIndex(bool malformed = false)
    {
        var t = _p.Next();
        if (t.Kind is not (TokenKind.Reserved or TokenKind.Keyword)) throw _p.Unexpected(t);
        return TextNumbers.ParseUnsigned(_p.Text(t), byte.MaxValue, out ulong v) switch
        {
            LiteralStatus.Ok => (byte)v,
            LiteralStatus.OutOfRange => throw _p.Error(t, "malformed lane index"),
            _ => throw _p.Error(t, malformed ? "malformed lane index" : "unexpected token"),
        };
    }

    /// <summary>How many literal tokens come next (numbers, and the float keywords inf and nan...): lanes are
    /// counted before they are read, so a wrong number is reported as that.</summary>
    private int LiteralsAhead()
    {
        int n = 0;
        while (true)
        {
            var t = _p.Peek(n);
            var text = _p.Text(t);
            if (t.Kind == TokenKind.Reserved || t.Kind == TokenKind.Keyword && (text.StartsWith("inf"u8) || text.StartsWith("nan"u8))) n++;
            else return n;
        }
    }

    private void V128Constant(WasmWriter w)
    {
        var shape = _p.Next();
        var s = _p.Text(shape);
        int lanes = s.SequenceEqual("i8x16"u8) ? 16 : s.SequenceEqual("i16x8"u8) ? 8 : s.SequenceEqual("i32x4"u8) || s.SequenceEqual("f32x4"u8) ? 4
            : s.SequenceEqual("i64x2"u8) || s.SequenceEqual("f64x2"u8) ? 2 : throw _p.Error(shape, "unexpected token");
        bool isFloat = s[0] == 'f';
        int bits = 128 / lanes;
        if (LiteralsAhead() != lanes) throw _p.Error(_p.Peek(), "wrong number of lane literals");
        for (int i = 0; i < lanes; i++)
        {
            ulong v = isFloat ? bits == 32 ? _p.ExpectF32() : _p.ExpectF64() : _p.ExpectInt(bits);
            for (int b = 0; b < bits / 8; b++) w.Byte((byte)(v >> (8 * b)));
        }
    }

    /// <summary>A memory index (a name or a number) if one comes next, else memory 0.</summary>
    private uint OptionalMemory() => IsIndex() ? (uint)ResolveIndex(_memories, _p.Next()) : 0;

    /// <summary>Whether the token <paramref name="ahead"/> is <c>offset=N</c> or <c>align=N</c>.</summary>
    private bool IsMemArgKeyword(int ahead)
    {
        var t = _p.Peek(ahead);
        return t.Kind == TokenKind.Keyword && (_p.Text(t).StartsWith("offset="u8) || _p.Text(t).StartsWith("align="u8));
    }

    /// <summary><c>offset=N</c>? <c>align=N</c>? of memory <paramref name="memory"/> (read before them) as the binary
    /// memarg: the alignment exponent, the memory index after it when not 0 (flagged by bit 6 of the exponent's
    /// field, as Wasm 3.0 has it; memory 0 keeps the 1.0 encoding), the offset.</summary>
    private void MemArg(WasmWriter w, int natural, uint memory)
    {
        uint offset = 0;
        int align = natural;
        var t = _p.Peek();
        if (t.Kind == TokenKind.Keyword && _p.Text(t).StartsWith("offset="u8))
        {
            _p.Next();
            offset = MemArgValue(t, "offset="u8.Length, "i32 constant");
            t = _p.Peek();
        }
        if (t.Kind == TokenKind.Keyword && _p.Text(t).StartsWith("align="u8))
        {
            _p.Next();
            uint a = MemArgValue(t, "align="u8.Length, "alignment");
            if (!BitOperations.IsPow2(a)) throw _p.Error(t, "alignment must be a power of two");
            align = (int)a;
        }
        uint exponent = (uint)BitOperations.Log2((uint)align);
        if (memory == 0) w.U32(exponent);
        else
        {
            w.U32(exponent | 0x40);
            w.U32(memory);
        }
        w.U32(offset);
    }

    private uint MemArgValue(Token t, int prefix, string tooLarge) =>
        (uint)_p.Literal(t, TextNumbers.ParseUnsigned(_p.Text(t)[prefix..], uint.MaxValue, out ulong v), v, tooLarge + " out of range");

    /// <summary>A branch target: a label's name or a relative depth.</summary>
    private uint Label()
    {
        var t = _p.Next();
        if (t.Kind == TokenKind.Id)
        {
            for (int i = _labels.Count - 1; i >= 0; i--)
                if (_p.IdEquals(t, _labels[i])) return (uint)(_labels.Count - 1 - i);
            throw _p.Error(t, $"unknown label {_p.IdName(t)}");
        }
        return (uint)ResolveIndex(_funcs, t);
    }

    private uint Local()
    {
        var t = _p.Next();
        if (t.Kind == TokenKind.Id)
            return _p.TryFind(_localNames, t, out int i) ? (uint)i : throw _p.Error(t, $"unknown local {_p.IdName(t)}");
        return (uint)ResolveIndex(_funcs, t);
    }

    /// <summary>A constant expression (global initialisers, offsets, element items) up to its <c>)</c>.</summary>
    private void ConstantExpression(WasmWriter w)
    {
        Expression(w);
        w.Byte(0x0B);
    }
}
