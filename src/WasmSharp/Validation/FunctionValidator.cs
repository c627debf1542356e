using WasmSharp.Binary;

namespace WasmSharp.Validation;

/// <summary>
/// Validates one function body and drives a translator in the same walk (ARCHITECTURE §1): each instruction is
/// decoded once, type-checked on the operand stack, and handed to the translator (<see cref="IFunctionTranslator{TValue, TResult}"/>)
/// with the values it consumes. The operand stack holds the translator's values, each with its type.
/// </summary>
internal sealed class FunctionValidator<TValue, TResult>
    where TValue : struct, IStackValue<TValue>
{
    private const ValueType Unknown = 0;

    private readonly ModuleInfo _module;
    private readonly HashSet<uint> _declaredRefs;
    private readonly IFunctionTranslator<TValue, TResult> _t;
    private readonly ValueStack<TValue> _stack = new();
    private readonly ValueStack<ControlFrame> _ctrl = new();
    private ValueType[] _locals = [];
    private int _funcIndex;
    private long _instrOffset;
    private TValue[] _results = new TValue[4];

    /// <summary>Whether bodies are translated too; without, the walk only validates (a module that runs as native
    /// code needs no register code until something asks for it).</summary>
    private readonly bool _translate;

    /// <summary>Memory indices in memory instructions (Wasm 3.0 multi-memory); without, they are 2.0's zero bytes.</summary>
    private readonly bool _multiMemory;
    /// <summary>Exception handling: throw, throw_ref, try_table and exnref.</summary>
    private readonly bool _exceptions;
    /// <summary>Tail calls: return_call, return_call_indirect.</summary>
    private readonly bool _tailCalls;
    /// <summary>try_table frames on the control stack: calls and throws inside one may leave the straight line (to
    /// a catch's target), so a translator settles deferred work before them as before a branch.</summary>
    private int _tryDepth;

    /// <summary>A validator of <paramref name="module"/>'s bodies, translating them (when <paramref name="translate"/>)
    /// with <paramref name="translator"/>; what may be used beyond Wasm 2.0 is <paramref name="features"/> (a module
    /// validated before, with whatever features, is valid with all of them).</summary>
    public FunctionValidator(ModuleInfo module, HashSet<uint> declaredRefs, IFunctionTranslator<TValue, TResult> translator, bool translate = true,
        WasmFeatures features = WasmFeatures.All)
    {
        _module = module;
        _declaredRefs = declaredRefs;
        _t = translator;
        _translate = translate;
        _multiMemory = (features & WasmFeatures.MultiMemory) != 0;
        _exceptions = (features & WasmFeatures.ExceptionHandling) != 0;
        _tailCalls = (features & WasmFeatures.TailCall) != 0;
    }

    /// <summary>Largest number of locals (params included) a function may declare.</summary>
    public const int MaxLocals = FunctionValidator.MaxLocals;

    /// <summary>Validates body <paramref name="funcIndex"/> and returns its translation (default when not translating).</summary>
    public TResult? Validate(int funcIndex, FunctionBody body)
    {
        _funcIndex = funcIndex;
        var type = _module.GetFunctionType(funcIndex);
        int paramCount = type.Parameters.Length;
        ulong total = (ulong)paramCount + body.TotalLocals;
        if (total > MaxLocals) throw Invalid("too many locals", body.CodeOffset);
        _locals = new ValueType[total];
        type.Parameters.CopyTo(_locals, 0);
        int k = paramCount;
        foreach (var (count, t) in body.LocalGroups)
            for (uint i = 0; i < count; i++) _locals[k++] = t;

        var bytes = _module.Bytes.Span.Slice(body.CodeOffset, body.CodeLength);
        _stack.Clear();
        _ctrl.Clear();
        _tryDepth = 0;
        var function = new ControlFrame
        {
            Kind = 0, Params = [], Results = type.Results, Height = 0, Label = -1, ElseLabel = -1,
            // Not translating, the body is walked as code after an unconditional branch is: typed, never emitted.
            Dead = !_translate,
        };
        if (_translate) _t.Begin(ref function, funcIndex, type, _locals, bytes);
        _ctrl.Add(function);

        var r = new WasmReader(bytes, body.CodeOffset, "code");
        while (_ctrl.Count > 0)
        {
            if (r.AtEnd) throw new MalformedModuleException(body.MissingEndReason, r.Offset, "code");
            _instrOffset = r.Offset;
            Step(ref r);
        }
        if (!r.AtEnd) throw new MalformedModuleException("section size mismatch", r.Offset, "code");
        return _translate ? _t.Finish() : default;
    }

    // ---- errors ----------------------------------------------------------------------------------

    private InvalidModuleException Invalid(string reason) => new(reason, _instrOffset, _funcIndex, "code");
    private InvalidModuleException Invalid(string reason, long offset) => new(reason, offset, _funcIndex, "code");
    private MalformedModuleException Malformed(string reason) =>
        new(reason + $" (function {_funcIndex})", _instrOffset, "code");

    // ---- stacks ----------------------------------------------------------------------------------

    private ref ControlFrame Top => ref _ctrl.Top;
    private bool Live => Top.Live;
    private int Height => _stack.Count;
    private Span<TValue> StackSpan => _stack.AsSpan();

    private void Push(TValue o) => _stack.Add(o);

    /// <summary>Pushes a value known only by its type.</summary>
    private void PushTyped(ValueType t) => _stack.Add(TValue.Typed(t));

    private TValue Pop()
    {
        ref var c = ref Top;
        if (_stack.Count == c.Height)
        {
            if (c.Unreachable) return TValue.Typed(Unknown);
            throw Invalid("type mismatch");
        }
        return _stack.Pop();
    }

    private TValue Pop(ValueType expect)
    {
        var o = Pop();
        if (o.Type != expect && o.Type != Unknown && expect != Unknown) throw Invalid("type mismatch");
        return o;
    }

    /// <summary>Pops values of <paramref name="types"/> (top last) and returns them bottom first.</summary>
    private TValue[] PopValues(ValueType[] types)
    {
        var ops = types.Length == 0 ? [] : new TValue[types.Length];
        for (int i = types.Length - 1; i >= 0; i--) ops[i] = Pop(types[i]);
        return ops;
    }

    /// <summary>Pushes <paramref name="values"/> back, typed as <paramref name="types"/> (a value of the polymorphic
    /// stack gets its type).</summary>
    private void PushAs(TValue[] values, ValueType[] types)
    {
        for (int i = 0; i < values.Length; i++)
        {
            var o = values[i];
            if (o.Type == Unknown) o = TValue.Typed(types[i]);
            else o.Type = types[i];
            _stack.Add(o);
        }
    }

    private void SetUnreachable()
    {
        ref var c = ref Top;
        _stack.Truncate(c.Height);
        c.Unreachable = true;
    }

    // ---- immediates ------------------------------------------------------------------------------

    private (ValueType[] Params, ValueType[] Results) ReadBlockType(ref WasmReader r)
    {
        byte b = r.PeekByte();
        if (b == 0x40) { r.ReadByte(); return ([], []); }
        if (FunctionValidator.IsValueType(b) && (b != (byte)ValueType.ExnRef || _exceptions)) { r.ReadByte(); return ([], [(ValueType)b]); }
        long idx = r.ReadS33();
        if (idx < 0 || idx >= _module.Types.Count) throw Invalid("unknown type");
        var ft = _module.Types[(int)idx];
        return (ft.Parameters, ft.Results);
    }


    private ValueType ReadValueType(ref WasmReader r)
    {
        byte b = r.ReadByte();
        if (!FunctionValidator.IsValueType(b) || (b == (byte)ValueType.ExnRef && !_exceptions)) throw Malformed("malformed value type");
        return (ValueType)b;
    }

    private ValueType ReadRefType(ref WasmReader r)
    {
        byte b = r.ReadByte();
        if (b is not (0x70 or 0x6F) && !(b == (byte)ValueType.ExnRef && _exceptions)) throw Malformed("malformed reference type");
        return (ValueType)b;
    }

    /// <summary>A memarg: its offset, and in <paramref name="memory"/> the memory it accesses. The flags hold the
    /// alignment's exponent, and with multi-memory bit 6 when a memory index follows them.</summary>
    private uint ReadMemArg(ref WasmReader r, int naturalAlign, out int memory)
    {
        uint align = r.ReadU32(), index = 0;
        if (_multiMemory)
        {
            if (align >= 128) throw Malformed("malformed memop flags");
            if (align >= 64)
            {
                align -= 64;
                index = r.ReadU32();
            }
        }
        // Flags of 32 and up would be 3.0's memory index bit or an alignment no address can have.
        else if (align >= 32) throw Malformed("malformed memop flags");
        uint offset = r.ReadU32();
        memory = CheckMemory(index);
        if (align > naturalAlign) throw Invalid("alignment must not be larger than natural");
        return offset;
    }

    /// <summary>The memory index of memory.size, .grow, .fill, .copy and .init (a zero byte in Wasm 2.0), not yet
    /// checked: decoding comes first.</summary>
    private uint ReadMemoryIndex(ref WasmReader r)
    {
        if (_multiMemory) return r.ReadU32();
        ReadZeroByte(ref r);
        return 0;
    }

    private void ReadZeroByte(ref WasmReader r)
    {
        if (r.ReadByte() != 0) throw Malformed("zero byte expected");
    }

    private ValueType LocalType(uint idx)
    {
        if (idx >= _locals.Length) throw Invalid($"unknown local {idx}");
        return _locals[idx];
    }

    private GlobalType GlobalTypeAt(uint idx)
    {
        if (idx >= _module.AllGlobals.Count) throw Invalid($"unknown global {idx}");
        return _module.AllGlobals[(int)idx];
    }

    private TableType TableAt(uint idx)
    {
        if (idx >= _module.AllTables.Count) throw Invalid($"unknown table {idx}");
        return _module.AllTables[(int)idx];
    }

    private int CheckMemory(uint index)
    {
        if (index >= _module.AllMemories.Count) throw Invalid($"unknown memory {index}");
        return (int)index;
    }

    /// <summary>Set when a body used a data segment without a data count section: whether that is malformed
    /// ("data count section required") or invalid depends on the data section, which comes after the code.</summary>
    public (long Offset, int Function, uint Index)? DataCountNeeded { get; private set; }

    private void CheckData(uint idx)
    {
        if (_module.DataCount is uint n)
        {
            if (idx >= n) throw Invalid($"unknown data segment {idx}");
        }
        else DataCountNeeded ??= (_instrOffset, _funcIndex, idx);
    }

    private void CheckElem(uint idx)
    {
        if (idx >= _module.Elements.Count) throw Invalid($"unknown elem segment {idx}");
    }

    // ---- instructions ----------------------------------------------------------------------------

    private void Step(ref WasmReader r)
    {
        byte op = r.ReadByte();
        switch (op)
        {
            case 0x00: // unreachable
                if (Live) _t.Unreachable();
                SetUnreachable();
                return;
            case 0x01: return; // nop
            case 0x02: case 0x03: case 0x04: EnterBlock(ref r, op); return;
            case 0x1F when _exceptions: EnterBlock(ref r, op); return;
            case 0x06 when _exceptions: EnterBlock(ref r, op); return;
            case 0x07 when _exceptions: LegacyCatch((int)TagAt(r.ReadU32())); return;
            case 0x19 when _exceptions: LegacyCatch(-1); return;
            case 0x18 when _exceptions: Delegate(r.ReadU32()); return;
            case 0x09 when _exceptions: Rethrow(r.ReadU32()); return;
            case 0x08 when _exceptions: Throw(r.ReadU32()); return;
            case 0x0A when _exceptions: ThrowRef(); return;
            case 0x05: Else(); return;
            case 0x0B: End(); return;
            case 0x0C: Br(r.ReadU32()); return;
            case 0x0D: BrIf(r.ReadU32()); return;
            case 0x0E: BrTable(ref r); return;
            case 0x0F: Return(); return;
            case 0x10: Call(r.ReadU32()); return;
            case 0x11:
            {
                uint typeIdx = r.ReadU32();
                uint tableIdx = r.ReadU32();
                CallIndirect(typeIdx, tableIdx);
                return;
            }
            case 0x12 when _tailCalls: ReturnCall(r.ReadU32()); return;
            case 0x13 when _tailCalls:
            {
                uint typeIdx = r.ReadU32();
                uint tableIdx = r.ReadU32();
                ReturnCallIndirect(typeIdx, tableIdx);
                return;
            }
            case 0x1A:
            {
                var v = Pop();
                if (Live) _t.Drop(v);
                return;
            }
            case 0x1B: Select(null); return;
            case 0x1C:
            {
                uint n = r.ReadCount();
                if (n != 1) throw Invalid("invalid result arity");
                Select(ReadValueType(ref r));
                return;
            }
            case 0x20:
            {
                uint idx = r.ReadU32();
                var t = LocalType(idx);
                if (Live) Push(_t.LocalGet((int)idx, t, StackSpan));
                else PushTyped(t);
                return;
            }
            case 0x21: case 0x22:
            {
                uint idx = r.ReadU32();
                var t = LocalType(idx);
                var v = Pop(t);
                if (!Live) { if (op == 0x22) PushTyped(t); }
                else if (op == 0x22) Push(_t.LocalTee((int)idx, v, StackSpan));
                else _t.LocalSet((int)idx, v, StackSpan);
                return;
            }
            case 0x23:
            {
                uint idx = r.ReadU32();
                var g = GlobalTypeAt(idx);
                Produce(new Instruction(op, A: (int)idx), g.ValueType, []);
                return;
            }
            case 0x24:
            {
                uint idx = r.ReadU32();
                var g = GlobalTypeAt(idx);
                if (!g.Mutable) throw Invalid("global is immutable");
                var v = Pop(g.ValueType);
                if (Live) _t.Effect(new Instruction(op, A: (int)idx), [v]);
                return;
            }
            case 0x25:
            {
                uint idx = r.ReadU32();
                var tt = TableAt(idx);
                var i = Pop(ValueType.I32);
                Produce(new Instruction(op, A: (int)idx), tt.ElementType, [i]);
                return;
            }
            case 0x26:
            {
                uint idx = r.ReadU32();
                var tt = TableAt(idx);
                var v = Pop(tt.ElementType);
                var i = Pop(ValueType.I32);
                if (Live) _t.Effect(new Instruction(op, A: (int)idx), [i, v]);
                return;
            }
            case >= 0x28 and <= 0x35: Load(ref r, op); return;
            case >= 0x36 and <= 0x3E: Store(ref r, op); return;
            case 0x3F:
                Produce(new Instruction(op, A: CheckMemory(ReadMemoryIndex(ref r))), ValueType.I32, []);
                return;
            case 0x40:
            {
                int memory = CheckMemory(ReadMemoryIndex(ref r));
                var d = Pop(ValueType.I32);
                Produce(new Instruction(op, A: memory), ValueType.I32, [d]);
                return;
            }
            case 0x41: PushConst(ValueType.I32, (uint)r.ReadS32()); return;
            case 0x42: PushConst(ValueType.I64, (ulong)r.ReadS64()); return;
            case 0x43: PushConst(ValueType.F32, r.ReadF32Bits()); return;
            case 0x44: PushConst(ValueType.F64, r.ReadF64Bits()); return;
            case >= 0x45 and <= 0xC4: Numeric(op); return;
            case 0xD0: PushConst(ReadRefType(ref r), 0); return;
            case 0xD1:
            {
                var a = Pop();
                if (a.Type != Unknown && !a.Type.IsReference()) throw Invalid("type mismatch");
                Produce(new Instruction(op), ValueType.I32, [a]);
                return;
            }
            case 0xD2:
            {
                uint f = r.ReadU32();
                if (f >= _module.FunctionTypeIndices.Count) throw Invalid($"unknown function {f}");
                if (!_declaredRefs.Contains(f)) throw Invalid("undeclared function reference");
                Produce(new Instruction(op, A: (int)f), ValueType.FuncRef, []);
                return;
            }
            case 0xFC: Prefixed(ref r); return;
            case 0xFD: Simd(ref r); return;
            default: throw Malformed("illegal opcode");
        }
    }

    /// <summary>Pushes the result of an instruction whose operands were popped (<paramref name="args"/>).</summary>
    private void Produce(Instruction instruction, ValueType result, ReadOnlySpan<TValue> args)
    {
        if (Live) Push(_t.Produce(instruction, result, Height, args));
        else PushTyped(result);
    }

    private void PushConst(ValueType t, ulong bits) => Push(Live ? _t.Constant(t, bits) : TValue.Typed(t));

    private void Numeric(byte op)
    {
        NumericOps.TryGet(op, out var sig);
        TValue a, b = default;
        if (sig.Binary) { b = Pop(sig.B); a = Pop(sig.A); }
        else a = Pop(sig.A);
        if (!Live) PushTyped(sig.Result);
        else Push(sig.Binary ? _t.Binary(op, sig.Result, Height, a, b) : _t.Unary(op, sig.Result, Height, a));
    }

    private static readonly (ValueType Type, byte Align)[] Loads =
    [
        (ValueType.I32, 2), (ValueType.I64, 3), (ValueType.F32, 2), (ValueType.F64, 3),
        (ValueType.I32, 0), (ValueType.I32, 0), (ValueType.I32, 1), (ValueType.I32, 1),
        (ValueType.I64, 0), (ValueType.I64, 0), (ValueType.I64, 1), (ValueType.I64, 1),
        (ValueType.I64, 2), (ValueType.I64, 2),
    ];

    private static readonly (ValueType Type, byte Align)[] Stores =
    [
        (ValueType.I32, 2), (ValueType.I64, 3), (ValueType.F32, 2), (ValueType.F64, 3),
        (ValueType.I32, 0), (ValueType.I32, 1), (ValueType.I64, 0), (ValueType.I64, 1), (ValueType.I64, 2),
    ];

    private void Load(ref WasmReader r, byte op)
    {
        var (t, align) = Loads[op - 0x28];
        uint offset = ReadMemArg(ref r, align, out int memory);
        var addr = Pop(ValueType.I32);
        if (Live) Push(_t.Load(op, t, memory, offset, Height, addr));
        else PushTyped(t);
    }

    private void Store(ref WasmReader r, byte op)
    {
        var (t, align) = Stores[op - 0x36];
        uint offset = ReadMemArg(ref r, align, out int memory);
        var v = Pop(t);
        var addr = Pop(ValueType.I32);
        if (Live) _t.Store(op, memory, offset, addr, v);
    }

    private void Select(ValueType? annotated)
    {
        var cond = Pop(ValueType.I32);
        var b = annotated is ValueType at ? Pop(at) : Pop();
        var a = annotated is ValueType at2 ? Pop(at2) : Pop();
        ValueType t;
        if (annotated is ValueType ann) t = ann;
        else
        {
            if (a.Type.IsReference() || b.Type.IsReference()) throw Invalid("type mismatch");
            if (a.Type != Unknown && b.Type != Unknown && a.Type != b.Type) throw Invalid("type mismatch");
            t = a.Type == Unknown ? b.Type : a.Type;
        }
        if (Live) Push(_t.Select(t, Height, a, b, cond));
        else PushTyped(t);
    }

    // ---- control ---------------------------------------------------------------------------------

    private void EnterBlock(ref WasmReader r, byte op)
    {
        var (ps, rs) = ReadBlockType(ref r);
        var catches = op == 0x1F ? ReadCatches(ref r) : null;
        if (Live) _t.LeaveStraightLine(StackSpan);
        TValue cond = default;
        if (op == 0x04) cond = Pop(ValueType.I32);
        var args = PopValues(ps);
        bool live = Live;
        int height = Height;
        // The params stay on the stack (popped only to check their types).
        PushAs(args, ps);
        var frame = new ControlFrame
        {
            Kind = op, Params = ps, Results = rs, Height = height, Dead = !live, Label = -1, ElseLabel = -1,
        };
        if (live && catches is not null) _t.EnterTry(ref frame, StackSpan, catches);
        else if (live && op == 0x06) _t.EnterLegacyTry(ref frame, StackSpan);
        else if (live) _t.Enter(ref frame, StackSpan, cond);
        _ctrl.Add(frame);
        if (op is 0x1F or 0x06) _tryDepth++;
    }

    // ---- legacy exception handling (try, catch, catch_all, delegate, rethrow) ------------------------

    private void LegacyCatch(int tag)
    {
        ref var c = ref Top;
        if (c.Kind is not (0x06 or 0x07)) throw Malformed(tag < 0 ? "catch_all without try" : "catch without try");
        if (c.Kind == 0x06) _tryDepth--; // the body, the region the catches guard, ends
        if (c.Live) _t.LeaveStraightLine(StackSpan);
        CheckFrameEnd(ref c);
        var types = tag < 0 ? [] : _module.GetTagType(tag).Parameters;
        if (!c.Dead) _t.Catch(ref c, _stack, tag, types);
        else
        {
            _stack.Truncate(c.Height);
            foreach (var t in types) PushTyped(t);
        }
        c.Kind = tag < 0 ? (byte)0x19 : (byte)0x07;
        c.Unreachable = false;
    }

    private void Delegate(uint depth)
    {
        ref var c = ref Top;
        if (c.Kind != 0x06) throw Malformed("delegate without try");
        if (c.Live) _t.LeaveStraightLine(StackSpan);
        CheckFrameEnd(ref c);
        var frame = c;
        _tryDepth--;
        _ctrl.Truncate(_ctrl.Count - 1);
        // The target is a label around the try; the regions that still handle what the body throws are those
        // around it, and its own if it is a try (or try_table) in its body.
        Label(depth);
        int target = _ctrl.Count - 1 - (int)depth, regions = 0;
        for (int i = 0; i <= target; i++)
            if (_ctrl[i].Kind is 0x06 or 0x1F) regions++;
        _t.Delegate(in frame, _stack, regions, parentLive: !frame.Dead && Live);
    }

    private void Rethrow(uint depth)
    {
        ref var target = ref Label(depth);
        if (target.Kind is not (0x07 or 0x19)) throw Invalid("invalid rethrow label");
        if (Live)
        {
            _t.LeaveStraightLine(StackSpan);
            _t.Rethrow(in target);
        }
        SetUnreachable();
    }

    /// <summary>A try_table's catch clauses. Their labels are those around the try_table (its own is not yet bound),
    /// and each target must take what its clause branches with.</summary>
    private CatchClause[] ReadCatches(ref WasmReader r)
    {
        uint n = r.ReadCount();
        var catches = n == 0 ? [] : new CatchClause[n];
        for (int i = 0; i < catches.Length; i++)
        {
            long at = r.Offset;
            byte kind = r.ReadByte();
            if (kind > 3) throw Malformed("malformed catch clause");
            int tag = -1;
            ValueType[] types = [];
            if (kind < 2)
            {
                uint x = r.ReadU32();
                tag = (int)TagAt(x);
                types = _module.GetTagType(tag).Parameters;
            }
            if (kind is 1 or 3) types = [.. types, ValueType.ExnRef];
            ref var target = ref Label(r.ReadU32());
            if (!target.LabelTypes.AsSpan().SequenceEqual(types)) throw Invalid("type mismatch", at);
            catches[i] = new CatchClause(kind, tag, types, target.Label, target.Height);
        }
        return catches;
    }

    private uint TagAt(uint index)
    {
        if (index >= _module.AllTags.Count) throw Invalid($"unknown tag {index}");
        return index;
    }

    private void Throw(uint tag)
    {
        var type = _module.GetTagType((int)TagAt(tag));
        if (Live) _t.LeaveStraightLine(StackSpan); // a handler may read any local
        var args = PopValues(type.Parameters);
        if (Live) _t.Throw((int)tag, type, args);
        SetUnreachable();
    }

    private void ThrowRef()
    {
        if (Live) _t.LeaveStraightLine(StackSpan);
        var exception = Pop(ValueType.ExnRef);
        if (Live) _t.ThrowRef(exception);
        SetUnreachable();
    }

    private void Else()
    {
        ref var c = ref Top;
        if (c.Kind != 0x04) throw Malformed("else without if");
        if (c.Live) _t.LeaveStraightLine(StackSpan);
        CheckFrameEnd(ref c);
        _t.Else(ref c, _stack);
        c.ElseLabel = -1;
        c.Kind = 0x05;
        c.Unreachable = false;
    }

    /// <summary>The stack above the frame must hold exactly the frame's results.</summary>
    private void CheckFrameEnd(ref ControlFrame c)
    {
        var rs = c.Results;
        int avail = _stack.Count - c.Height;
        if (!c.Unreachable && avail != rs.Length) throw Invalid("type mismatch");
        if (avail > rs.Length) throw Invalid("type mismatch");
        for (int i = 0; i < avail; i++)
        {
            var t = _stack[_stack.Count - avail + i].Type;
            var want = rs[rs.Length - avail + i];
            if (t != want && t != Unknown) throw Invalid("type mismatch");
        }
    }

    private void End()
    {
        if (Live && _ctrl.Count > 1) _t.LeaveStraightLine(StackSpan); // at the function's end the locals die
        ref var c = ref Top;
        CheckFrameEnd(ref c);
        if (c.Kind == 0x04 && !c.Params.AsSpan().SequenceEqual(c.Results)) throw Invalid("type mismatch");
        var frame = c;
        if (frame.Kind is 0x1F or 0x06) _tryDepth--;
        _ctrl.Truncate(_ctrl.Count - 1);
        _t.End(in frame, _stack, parentLive: _ctrl.Count > 0 && !frame.Dead && Live);
        if (_ctrl.Count == 0) _stack.Clear();
    }

    private ref ControlFrame Label(uint depth)
    {
        if (depth >= _ctrl.Count) throw Invalid("unknown label");
        return ref _ctrl[_ctrl.Count - 1 - (int)depth];
    }

    private void Br(uint depth)
    {
        if (Live) _t.LeaveStraightLine(StackSpan);
        var target = Label(depth);
        var vals = PopValues(target.LabelTypes);
        if (Live) _t.Branch(in target, vals);
        SetUnreachable();
    }

    private void BrIf(uint depth)
    {
        if (Live) _t.LeaveStraightLine(StackSpan);
        var target = Label(depth);
        var cond = Pop(ValueType.I32);
        var types = target.LabelTypes;
        var vals = PopValues(types);
        if (Live) _t.BranchIf(cond, in target, vals);
        // The values stay for the fallthrough, typed as the label's types.
        PushAs(vals, types);
    }

    private void BrTable(ref WasmReader r)
    {
        if (Live) _t.LeaveStraightLine(StackSpan);
        uint n = r.ReadCount();
        var depths = new uint[n + 1];
        for (int i = 0; i <= n; i++) depths[i] = r.ReadU32();
        var index = Pop(ValueType.I32);
        var defTypes = Label(depths[n]).LabelTypes;
        int arity = defTypes.Length;
        // Every target must accept the top `arity` values.
        foreach (var d in depths)
        {
            var lt = Label(d).LabelTypes;
            if (lt.Length != arity) throw Invalid("type mismatch");
            int avail = _stack.Count - Top.Height;
            for (int i = 0; i < arity; i++)
            {
                int fromTop = arity - 1 - i;
                if (fromTop >= avail)
                {
                    if (Top.Unreachable) continue;
                    throw Invalid("type mismatch");
                }
                var t = _stack[_stack.Count - 1 - fromTop].Type;
                if (t != lt[i] && t != Unknown) throw Invalid("type mismatch");
            }
        }
        var vals = PopValues(defTypes);
        if (Live)
        {
            var labels = new int[n + 1];
            var heights = new int[n + 1];
            for (int i = 0; i <= n; i++)
            {
                var target = Label(depths[i]);
                labels[i] = target.Label;
                heights[i] = target.Height;
            }
            _t.BranchTable(index, labels, heights, vals);
        }
        SetUnreachable();
    }

    private void Return()
    {
        var results = _ctrl[0].Results;
        var vals = PopValues(results);
        if (Live) _t.Return(vals);
        SetUnreachable();
    }

    /// <summary>The type of function <paramref name="f"/>, called directly.</summary>
    private FunctionType CalleeType(uint f)
    {
        if (f >= _module.FunctionTypeIndices.Count) throw Invalid($"unknown function {f}");
        return _module.GetFunctionType((int)f);
    }

    /// <summary>The type <paramref name="typeIdx"/> of a call through table <paramref name="tableIdx"/>, which must
    /// hold functions.</summary>
    private FunctionType IndirectCalleeType(uint typeIdx, uint tableIdx)
    {
        var tt = TableAt(tableIdx);
        if (typeIdx >= _module.Types.Count) throw Invalid($"unknown type {typeIdx}");
        if (tt.ElementType != ValueType.FuncRef) throw Invalid("type mismatch");
        return _module.Types[(int)typeIdx];
    }

    private void Call(uint f)
    {
        var ft = CalleeType(f);
        if (_tryDepth > 0 && Live) _t.LeaveStraightLine(StackSpan); // the callee may throw to a catch
        var args = PopValues(ft.Parameters);
        int argHeight = Height;
        if (Live) _t.Call((int)f, ft, argHeight, args, Results(ft));
        PushResults(ft);
    }

    private void CallIndirect(uint typeIdx, uint tableIdx)
    {
        var ft = IndirectCalleeType(typeIdx, tableIdx);
        if (_tryDepth > 0 && Live) _t.LeaveStraightLine(StackSpan);
        var elem = Pop(ValueType.I32);
        var args = PopValues(ft.Parameters);
        int argHeight = Height;
        if (Live) _t.CallIndirect((int)typeIdx, (int)tableIdx, ft, elem, argHeight, args, Results(ft));
        PushResults(ft);
    }

    /// <summary>A tail call's callee must return what this function returns.</summary>
    private void CheckTailResults(FunctionType callee)
    {
        if (!callee.Results.AsSpan().SequenceEqual(_ctrl[0].Results)) throw Invalid("type mismatch");
    }

    private void ReturnCall(uint f)
    {
        var ft = CalleeType(f);
        CheckTailResults(ft);
        if (Live) _t.LeaveStraightLine(StackSpan);
        var args = PopValues(ft.Parameters);
        if (Live) _t.ReturnCall((int)f, ft, args);
        SetUnreachable();
    }

    private void ReturnCallIndirect(uint typeIdx, uint tableIdx)
    {
        var ft = IndirectCalleeType(typeIdx, tableIdx);
        CheckTailResults(ft);
        if (Live) _t.LeaveStraightLine(StackSpan);
        var elem = Pop(ValueType.I32);
        var args = PopValues(ft.Parameters);
        if (Live) _t.ReturnCallIndirect((int)typeIdx, (int)tableIdx, ft, elem, args);
        SetUnreachable();
    }

    /// <summary>Where the translator leaves a call's results.</summary>
    private Span<TValue> Results(FunctionType ft)
    {
        if (_results.Length < ft.Results.Length) _results = new TValue[ft.Results.Length];
        return _results.AsSpan(0, ft.Results.Length);
    }

    private void PushResults(FunctionType ft)
    {
        bool live = Live;
        for (int i = 0; i < ft.Results.Length; i++) Push(live ? _results[i] : TValue.Typed(ft.Results[i]));
    }

    // ---- 0xFC prefix -----------------------------------------------------------------------------

    private void Prefixed(ref WasmReader r)
    {
        uint sub = r.ReadU32();
        switch (sub)
        {
            case <= 7:
            {
                var sig = NumericOps.TruncSat(sub);
                var a = Pop(sig.A);
                if (Live) Push(_t.Unary(0xFC00 | (int)sub, sig.Result, Height, a));
                else PushTyped(sig.Result);
                return;
            }
            case 8: // memory.init
            {
                uint seg = r.ReadU32();
                int memory = CheckMemory(ReadMemoryIndex(ref r));
                CheckData(seg);
                var n = Pop(ValueType.I32); var s = Pop(ValueType.I32); var d = Pop(ValueType.I32);
                if (Live) _t.Effect(new Instruction(0xFC, sub, (int)seg, memory), [d, s, n]);
                return;
            }
            case 9: // data.drop
            {
                uint seg = r.ReadU32();
                CheckData(seg);
                if (Live) _t.Effect(new Instruction(0xFC, sub, (int)seg), []);
                return;
            }
            case 10: // memory.copy
            case 11: // memory.fill
            {
                // memory.copy: the destination's memory, then the source's.
                uint dst = ReadMemoryIndex(ref r), src = sub == 10 ? ReadMemoryIndex(ref r) : dst;
                int memory = CheckMemory(dst), source = CheckMemory(src);
                var n = Pop(ValueType.I32); var v = Pop(ValueType.I32); var d = Pop(ValueType.I32);
                if (Live) _t.Effect(new Instruction(0xFC, sub, memory, source), [d, v, n]);
                return;
            }
            case 12: // table.init elem table
            {
                uint seg = r.ReadU32();
                uint table = r.ReadU32();
                var tt = TableAt(table);
                CheckElem(seg);
                if (_module.Elements[(int)seg].ElementType != tt.ElementType) throw Invalid("type mismatch");
                var n = Pop(ValueType.I32); var s = Pop(ValueType.I32); var d = Pop(ValueType.I32);
                if (Live) _t.Effect(new Instruction(0xFC, sub, (int)seg, (int)table), [d, s, n]);
                return;
            }
            case 13: // elem.drop
            {
                uint seg = r.ReadU32();
                CheckElem(seg);
                if (Live) _t.Effect(new Instruction(0xFC, sub, (int)seg), []);
                return;
            }
            case 14: // table.copy dst src
            {
                uint dt = r.ReadU32();
                uint st = r.ReadU32();
                var dtt = TableAt(dt);
                var stt = TableAt(st);
                if (dtt.ElementType != stt.ElementType) throw Invalid("type mismatch");
                var n = Pop(ValueType.I32); var s = Pop(ValueType.I32); var d = Pop(ValueType.I32);
                if (Live) _t.Effect(new Instruction(0xFC, sub, (int)dt, (int)st), [d, s, n]);
                return;
            }
            case 15: // table.grow
            {
                uint table = r.ReadU32();
                var tt = TableAt(table);
                var n = Pop(ValueType.I32);
                var init = Pop(tt.ElementType);
                Produce(new Instruction(0xFC, sub, (int)table), ValueType.I32, [init, n]);
                return;
            }
            case 16: // table.size
            {
                uint table = r.ReadU32();
                TableAt(table);
                Produce(new Instruction(0xFC, sub, (int)table), ValueType.I32, []);
                return;
            }
            case 17: // table.fill
            {
                uint table = r.ReadU32();
                var tt = TableAt(table);
                var n = Pop(ValueType.I32);
                var v = Pop(tt.ElementType);
                var i = Pop(ValueType.I32);
                if (Live) _t.Effect(new Instruction(0xFC, sub, (int)table), [i, v, n]);
                return;
            }
            default: throw Malformed("illegal opcode");
        }
    }

    // ---- SIMD ------------------------------------------------------------------------------------

    private void Simd(ref WasmReader r)
    {
        uint sub = r.ReadU32();
        if (!SimdOpcodes.TryGet(sub, out var info)) throw Malformed("illegal opcode");
        Span<int> immediates = stackalloc int[3];
        int immediateCount = 0;
        ulong low = 0, high = 0;
        switch (info.Immediate)
        {
            // The memory index last: [offset, memory] or [offset, lane, memory].
            case SimdImmediate.MemArg:
            {
                immediates[immediateCount++] = (int)ReadMemArg(ref r, info.Align, out int memory);
                immediates[immediateCount++] = memory;
                break;
            }
            case SimdImmediate.MemArgLane:
            {
                immediates[immediateCount++] = (int)ReadMemArg(ref r, info.Align, out int memory);
                immediates[immediateCount++] = ReadLane(ref r, info.Lanes);
                immediates[immediateCount++] = memory;
                break;
            }
            case SimdImmediate.Lane:
                immediates[immediateCount++] = ReadLane(ref r, info.Lanes);
                break;
            case SimdImmediate.Bytes16:
            case SimdImmediate.Shuffle:
            {
                var bytes = r.ReadBytes(16);
                if (info.Immediate == SimdImmediate.Shuffle)
                    foreach (byte lane in bytes)
                        if (lane >= info.Lanes) throw Invalid("invalid lane index");
                low = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                high = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
                break;
            }
        }
        var args = PopValues(info.Params);
        if (!Live)
        {
            if (info.Result is ValueType rt) PushTyped(rt);
            return;
        }
        if (_t.Simd(in info, Height, args, immediates[..immediateCount], low, high) is TValue result) Push(result);
    }

    private int ReadLane(ref WasmReader r, int lanes)
    {
        byte lane = r.ReadByte();
        if (lane >= lanes) throw Invalid("invalid lane index");
        return lane;
    }
}

/// <summary>What every instantiation of <see cref="FunctionValidator{TValue, TResult}"/> shares.</summary>
internal static class FunctionValidator
{
    /// <summary>Largest number of locals (params included) a function may declare.</summary>
    public const int MaxLocals = 50_000;

    internal static bool IsValueType(byte b) => b is 0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F or 0x69;
}
