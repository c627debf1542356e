using WasmSharp.Binary;
using WasmSharp.Interpreter;

namespace WasmSharp.Validation;

/// <summary>
/// Validates one function body and drives the <see cref="Translator"/> in the same walk (ARCHITECTURE §1):
/// each instruction is decoded once, type-checked on the operand stack, and emitted as register code.
/// The operand stack holds types and providers together.
/// </summary>
internal sealed class FunctionValidator
{
    private enum Kind : byte { Block, Loop, If, Else, Function }

    private struct Control
    {
        public Kind Kind;
        public ValueType[] Params;
        public ValueType[] Results;
        public int Height;
        public bool Unreachable;
        /// <summary>Entered in unreachable code: nothing inside is translated.</summary>
        public bool Dead;
        public int Label;
        public int ElseLabel;

        public readonly ValueType[] LabelTypes => Kind == Kind.Loop ? Params : Results;
        public readonly bool Live => !Unreachable && !Dead;
    }

    private const ValueType Unknown = 0;

    // Forwarding of single-read locals (see LocalReadCounter): a local.set of a constant or another local to a
    // local read exactly once is not stored; the value waits here and the one local.get takes it over. A constant
    // waits for every read of its local the same way (unoptimised code names constants: x = 16; a << x >> x),
    // and is dropped once all the function's reads took it. Before control flow can leave the straight-line
    // code, waiting values are stored after all.
    private int[] _reads = [];
    // Which locals a read may see before any write (their slots are zeroed on entry; the others need not be):
    // a local counts as written when a write precedes the read in the code since the last point that paths
    // can reach without passing that write: an else, or the end of a block or if (branches join there). A loop
    // head is not such a point (its back edges come from paths that entered it from above, through the same
    // writes), nor is a loop's end (reached only by falling through). _writtenIn[i] == _region: local i written.
    private int[] _writtenIn = [];
    private int _region;
    private int _paramCount;
    private bool[] _zeroed = [];
    private int[] _pendingUses = [];
    private Operand?[] _pending = [];
    private readonly List<int> _pendingList = new();

    private readonly ModuleInfo _module;
    private readonly HashSet<uint> _declaredRefs;
    private readonly Translator _t = new();
    private readonly List<Operand> _stack = new();
    private readonly List<Control> _ctrl = new();
    private ValueType[] _locals = [];
    private int _funcIndex;
    private long _instrOffset;

    /// <summary>Whether bodies are translated too; without, the walk only validates (a module that runs as native
    /// code needs no register code until something asks for it).</summary>
    private readonly bool _translate;

    public FunctionValidator(ModuleInfo module, HashSet<uint> declaredRefs, bool interruptible = false, bool translate = true)
    {
        _module = module;
        _declaredRefs = declaredRefs;
        _t.Interruptible = interruptible;
        _translate = translate;
    }

    /// <summary>Largest number of locals (params included) a function may declare.</summary>
    public const int MaxLocals = 50_000;

    /// <summary>Validates body <paramref name="funcIndex"/> and returns its register code (null when not translating).</summary>
    public CompiledFunction? Validate(int funcIndex, FunctionBody body)
    {
        _funcIndex = funcIndex;
        var type = _module.GetFunctionType(funcIndex);
        int paramCount = type.Parameters.Length;
        _paramCount = paramCount;
        ulong total = (ulong)paramCount + body.TotalLocals;
        if (total > MaxLocals) throw Invalid("too many locals", body.CodeOffset);
        _locals = new ValueType[total];
        type.Parameters.CopyTo(_locals, 0);
        int k = paramCount;
        foreach (var (count, t) in body.LocalGroups)
            for (uint i = 0; i < count; i++) _locals[k++] = t;

        if (_reads.Length < _locals.Length) { _reads = new int[_locals.Length]; _pendingUses = new int[_locals.Length]; _pending = new Operand?[_locals.Length]; }
        _t.Begin(paramCount, (int)body.TotalLocals, _reads);
        _pendingList.Clear();
        if (_writtenIn.Length < _locals.Length) { _writtenIn = new int[_locals.Length]; _zeroed = new bool[_locals.Length]; }
        _writtenIn.AsSpan(0, _locals.Length).Clear();
        _zeroed.AsSpan(0, _locals.Length).Clear();
        _region = 1;
        var reads = _reads.AsSpan(0, _locals.Length);
        reads.Clear();
        _pending.AsSpan(0, _locals.Length).Clear();
        if (_translate && !LocalReadCounter.TryCount(_module.Bytes.Span.Slice(body.CodeOffset, body.CodeLength), reads))
            reads.Fill(int.MaxValue);
        _stack.Clear();
        _ctrl.Clear();
        _ctrl.Add(new Control
        {
            Kind = Kind.Function, Params = [], Results = type.Results, Height = 0,
            Label = _t.NewLabel(), ElseLabel = -1,
            // Not translating, the body is walked as code after an unconditional branch is: typed, never emitted.
            Dead = !_translate,
        });

        var bytes = _module.Bytes.Span.Slice(body.CodeOffset, body.CodeLength);
        var r = new WasmReader(bytes, body.CodeOffset, "code");
        while (_ctrl.Count > 0)
        {
            if (r.AtEnd) throw new MalformedModuleException(body.MissingEndReason, r.Offset, "code");
            _instrOffset = r.Offset;
            Step(ref r);
        }
        if (!r.AtEnd) throw new MalformedModuleException("section size mismatch", r.Offset, "code");
        if (!_translate) return null;
        var zeroSlots = new List<int>();
        for (int i = paramCount; i < _locals.Length; i++)
            if (_zeroed[i]) zeroSlots.Add(i);
        return _t.Finish(type, funcIndex, zeroSlots.ToArray());
    }

    // ---- errors ----------------------------------------------------------------------------------

    private InvalidModuleException Invalid(string reason) => new(reason, _instrOffset, _funcIndex, "code");
    private InvalidModuleException Invalid(string reason, long offset) => new(reason, offset, _funcIndex, "code");
    private MalformedModuleException Malformed(string reason) =>
        new(reason + $" (function {_funcIndex})", _instrOffset, "code");

    // ---- stacks ----------------------------------------------------------------------------------

    private ref Control Top => ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_ctrl)[^1];
    private bool Live => Top.Live;
    private int Height => _stack.Count;
    private Span<Operand> StackSpan => Translator.AsSpan(_stack);

    private void Push(Operand o) => _stack.Add(o);

    /// <summary>Pushes a result: with its provider when live, type-only otherwise.</summary>
    private void PushTyped(ValueType t) => _stack.Add(new Operand(t, Loc.None, 0));

    private Operand Pop()
    {
        ref var c = ref Top;
        if (_stack.Count == c.Height)
        {
            if (c.Unreachable) return new Operand(Unknown, Loc.None, 0);
            throw Invalid("type mismatch");
        }
        var o = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return o;
    }

    private Operand Pop(ValueType expect)
    {
        var o = Pop();
        if (o.Type != expect && o.Type != Unknown && expect != Unknown) throw Invalid("type mismatch");
        return o;
    }

    /// <summary>Pops values of <paramref name="types"/> (top last) and returns them bottom first.</summary>
    private Operand[] PopValues(ValueType[] types)
    {
        var ops = types.Length == 0 ? [] : new Operand[types.Length];
        for (int i = types.Length - 1; i >= 0; i--) ops[i] = Pop(types[i]);
        return ops;
    }

    private void SetUnreachable()
    {
        // Nothing after this point in the block runs: values still waiting are never read.
        foreach (int x in _pendingList) _pending[x] = null;
        _pendingList.Clear();
        ref var c = ref Top;
        _stack.RemoveRange(c.Height, _stack.Count - c.Height);
        c.Unreachable = true;
    }

    // ---- immediates ------------------------------------------------------------------------------

    private (ValueType[] Params, ValueType[] Results) ReadBlockType(ref WasmReader r)
    {
        byte b = r.PeekByte();
        if (b == 0x40) { r.ReadByte(); return ([], []); }
        if (IsValueType(b)) { r.ReadByte(); return ([], [(ValueType)b]); }
        long idx = r.ReadS33();
        if (idx < 0 || idx >= _module.Types.Count) throw Invalid("unknown type");
        var ft = _module.Types[(int)idx];
        return (ft.Parameters, ft.Results);
    }

    internal static bool IsValueType(byte b) => b is 0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F;

    private ValueType ReadValueType(ref WasmReader r)
    {
        byte b = r.ReadByte();
        if (!IsValueType(b)) throw Malformed("malformed value type");
        return (ValueType)b;
    }

    private ValueType ReadRefType(ref WasmReader r)
    {
        byte b = r.ReadByte();
        if (b is not (0x70 or 0x6F)) throw Malformed("malformed reference type");
        return (ValueType)b;
    }

    private uint ReadMemArg(ref WasmReader r, int naturalAlign)
    {
        uint align = r.ReadU32();
        // Flags of 32 and up would be 3.0's memory index bit or an alignment no address can have.
        if (align >= 32) throw Malformed("malformed memop flags");
        uint offset = r.ReadU32();
        if (_module.AllMemories.Count == 0) throw Invalid("unknown memory 0");
        if (align > naturalAlign) throw Invalid("alignment must not be larger than natural");
        return offset;
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

    private void CheckMemory()
    {
        if (_module.AllMemories.Count == 0) throw Invalid("unknown memory 0");
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
            case 0x1A: Pop(); return; // drop: providers have no effects
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
                if (!Live) { PushTyped(t); return; }
                if (_writtenIn[idx] != _region && idx >= _paramCount) _zeroed[idx] = true;
                if (_pending[idx] is Operand forwarded)
                {
                    if (++_pendingUses[idx] >= _reads[idx])
                    {
                        _pending[idx] = null;
                        _pendingList.Remove((int)idx);
                    }
                    forwarded.Type = t;
                    Push(forwarded);
                }
                else if (_reads[idx] == 1 && !HasLocalProvider((int)idx) && _t.TryReclaimLocal((int)idx, Height, t, out var temp)) Push(temp);
                else Push(Translator.Local((int)idx, t));
                return;
            }
            case 0x21: case 0x22:
            {
                uint idx = r.ReadU32();
                var t = LocalType(idx);
                var v = Pop(t);
                if (Live) SetLocal((int)idx, v, tee: op == 0x22);
                else if (op == 0x22) PushTyped(t);
                return;
            }
            case 0x23:
            {
                uint idx = r.ReadU32();
                var g = GlobalTypeAt(idx);
                if (Live) Push(_t.Produce(g.ValueType == ValueType.V128 ? Op.GlobalGetV128 : Op.GlobalGet, g.ValueType, Height, [(int)idx], []));
                else PushTyped(g.ValueType);
                return;
            }
            case 0x24:
            {
                uint idx = r.ReadU32();
                var g = GlobalTypeAt(idx);
                if (!g.Mutable) throw Invalid("global is immutable");
                var v = Pop(g.ValueType);
                if (Live && g.ValueType == ValueType.V128) _t.Effect(Op.GlobalSetV128, [(int)idx], [v]);
                else if (Live) _t.GlobalSet((int)idx, v);
                return;
            }
            case 0x25:
            {
                uint idx = r.ReadU32();
                var tt = TableAt(idx);
                var i = Pop(ValueType.I32);
                if (Live) Push(_t.Produce(Op.TableGet, tt.ElementType, Height, [(int)idx], [i]));
                else PushTyped(tt.ElementType);
                return;
            }
            case 0x26:
            {
                uint idx = r.ReadU32();
                var tt = TableAt(idx);
                var v = Pop(tt.ElementType);
                var i = Pop(ValueType.I32);
                if (Live) _t.Effect(Op.TableSet, [(int)idx], [i, v]);
                return;
            }
            case >= 0x28 and <= 0x35: Load(ref r, op); return;
            case >= 0x36 and <= 0x3E: Store(ref r, op); return;
            case 0x3F:
                ReadZeroByte(ref r);
                CheckMemory();
                if (Live) Push(_t.Produce(Op.MemorySize, ValueType.I32, Height, [], []));
                else PushTyped(ValueType.I32);
                return;
            case 0x40:
            {
                ReadZeroByte(ref r);
                CheckMemory();
                var d = Pop(ValueType.I32);
                if (Live) Push(_t.Produce(Op.MemoryGrow, ValueType.I32, Height, [], [d]));
                else PushTyped(ValueType.I32);
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
                if (Live) Push(_t.Unary(Op.RefIsNull, ValueType.I32, Height, a));
                else PushTyped(ValueType.I32);
                return;
            }
            case 0xD2:
            {
                uint f = r.ReadU32();
                if (f >= _module.FunctionTypeIndices.Count) throw Invalid($"unknown function {f}");
                if (!_declaredRefs.Contains(f)) throw Invalid("undeclared function reference");
                if (Live) Push(_t.Produce(Op.RefFunc, ValueType.FuncRef, Height, [(int)f], []));
                else PushTyped(ValueType.FuncRef);
                return;
            }
            case 0xFC: Prefixed(ref r); return;
            case 0xFD: Simd(ref r); return;
            default: throw Malformed("illegal opcode");
        }
    }

    private void SetLocal(int idx, Operand v, bool tee)
    {
        _writtenIn[idx] = _region;
        // A value written now replaces one still waiting; values waiting as reads of this local are stored first.
        if (_pending[idx] is not null) { _pending[idx] = null; _pendingList.Remove(idx); }
        for (int i = _pendingList.Count - 1; i >= 0; i--)
        {
            int x = _pendingList[i];
            if (_pending[x] is { Loc: Loc.Local } w && w.Index == idx) StorePending(x);
        }
        if (!tee && (_reads[idx] == 1 && v.Loc is Loc.Const or Loc.Local || _reads[idx] > 1 && v.Loc == Loc.Const)
            && !(v.Loc == Loc.Local && v.Index == idx) && !HasLocalProvider(idx))
        {
            _pending[idx] = v;
            _pendingUses[idx] = 0;
            _pendingList.Add(idx);
            return;
        }
        _t.LocalSet(idx, v, StackSpan);
        if (tee) Push(Translator.Local(idx, _locals[idx]));
    }

    private bool HasLocalProvider(int idx)
    {
        foreach (ref var o in StackSpan)
            if (o.Loc == Loc.Local && o.Index == idx) return true;
        return false;
    }

    private void StorePending(int x)
    {
        var v = _pending[x]!.Value;
        _pending[x] = null;
        _pendingList.Remove(x);
        _t.LocalSet(x, v, StackSpan);
    }

    /// <summary>Stores every waiting local: control may leave the straight-line code here.</summary>
    private void FlushPending()
    {
        while (_pendingList.Count > 0) StorePending(_pendingList[^1]);
    }

    private void PushConst(ValueType t, ulong bits) =>
        Push(Live ? _t.Constant(t, bits) : new Operand(t, Loc.None, 0));

    private void Numeric(byte op)
    {
        NumericOps.TryGet(op, out var sig);
        Operand a, b = default;
        if (sig.Binary) { b = Pop(sig.B); a = Pop(sig.A); }
        else a = Pop(sig.A);
        if (!Live) { PushTyped(sig.Result); return; }
        if (op is >= 0xBC and <= 0xBF)
        {
            // Reinterpretations keep the bits: the provider stays, only its type changes.
            a.Type = sig.Result;
            Push(a);
            return;
        }
        var operation = OpInfo.FromWasm(op);
        Push(sig.Binary ? _t.Binary(operation, sig.Result, Height, a, b) : _t.Unary(operation, sig.Result, Height, a));
    }

    private static readonly (Op Op, ValueType Type, byte Align)[] Loads =
    [
        (Op.I32Load, ValueType.I32, 2), (Op.I64Load, ValueType.I64, 3), (Op.I32Load, ValueType.F32, 2), (Op.I64Load, ValueType.F64, 3),
        (Op.I32Load8S, ValueType.I32, 0), (Op.I32Load8U, ValueType.I32, 0), (Op.I32Load16S, ValueType.I32, 1), (Op.I32Load16U, ValueType.I32, 1),
        (Op.I64Load8S, ValueType.I64, 0), (Op.I64Load8U, ValueType.I64, 0), (Op.I64Load16S, ValueType.I64, 1), (Op.I64Load16U, ValueType.I64, 1),
        (Op.I64Load32S, ValueType.I64, 2), (Op.I64Load32U, ValueType.I64, 2),
    ];

    private static readonly (Op Op, ValueType Type, byte Align)[] Stores =
    [
        (Op.I32Store, ValueType.I32, 2), (Op.I64Store, ValueType.I64, 3), (Op.I32Store, ValueType.F32, 2), (Op.I64Store, ValueType.F64, 3),
        (Op.I32Store8, ValueType.I32, 0), (Op.I32Store16, ValueType.I32, 1),
        (Op.I64Store8, ValueType.I64, 0), (Op.I64Store16, ValueType.I64, 1), (Op.I64Store32, ValueType.I64, 2),
    ];

    private void Load(ref WasmReader r, byte op)
    {
        var (o, t, align) = Loads[op - 0x28];
        uint offset = ReadMemArg(ref r, align);
        var addr = Pop(ValueType.I32);
        if (Live) Push(_t.Load(o, t, Height, addr, offset));
        else PushTyped(t);
    }

    private void Store(ref WasmReader r, byte op)
    {
        var (o, t, align) = Stores[op - 0x36];
        uint offset = ReadMemArg(ref r, align);
        var v = Pop(t);
        var addr = Pop(ValueType.I32);
        if (Live) _t.Store(o, addr, v, offset);
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
        if (Live) FlushPending();
        Operand cond = default;
        if (op == 0x04) cond = Pop(ValueType.I32);
        var args = PopValues(ps);
        bool live = Live;
        int height = Height;
        // The params stay on the stack with their providers (popped only to check their types).
        for (int i = 0; i < ps.Length; i++)
        {
            var o = args[i];
            if (o.Type == Unknown) o = new Operand(ps[i], Loc.None, 0);
            else o.Type = ps[i];
            _stack.Add(o);
        }
        var frame = new Control
        {
            Kind = op switch { 0x02 => Kind.Block, 0x03 => Kind.Loop, _ => Kind.If },
            Params = ps, Results = rs, Height = height, Dead = !live, Label = -1, ElseLabel = -1,
        };
        if (live)
        {
            _t.MaterializeLocals(StackSpan);
            // A loop's params are rewritten by branches back to its head, an if's are read by both arms.
            if (op != 0x02) _t.MaterializeFrom(StackSpan, height);
            frame.Label = _t.NewLabel();
            if (op == 0x03) _t.BindLoop(frame.Label);
            if (op == 0x04)
            {
                frame.ElseLabel = _t.NewLabel();
                _t.BranchIfZero(cond, frame.ElseLabel);
            }
        }
        _ctrl.Add(frame);
    }

    private void Else()
    {
        ref var c = ref Top;
        if (c.Kind != Kind.If) throw Malformed("else without if");
        _region++; // the else arm starts from the if's entry, not from the then arm
        if (c.Live) FlushPending();
        CheckFrameEnd(ref c);
        if (c.Live)
        {
            _t.PlaceResults(StackSpan[c.Height..], c.Height);
            _t.Branch(c.Label, [], 0);
        }
        if (!c.Dead) _t.Bind(c.ElseLabel);
        c.ElseLabel = -1;
        c.Kind = Kind.Else;
        c.Unreachable = false;
        _stack.RemoveRange(c.Height, _stack.Count - c.Height);
        for (int i = 0; i < c.Params.Length; i++)
            _stack.Add(c.Dead ? new Operand(c.Params[i], Loc.None, 0) : new Operand(c.Params[i], Loc.Temp, c.Height + i));
    }

    /// <summary>The stack above the frame must hold exactly the frame's results.</summary>
    private void CheckFrameEnd(ref Control c)
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
        if (Top.Kind != Kind.Loop) _region++; // branches to the end join here
        if (Live && _ctrl.Count > 1) FlushPending(); // at the function's end the locals die
        ref var c = ref Top;
        CheckFrameEnd(ref c);
        if (c.Kind == Kind.If && !c.Params.AsSpan().SequenceEqual(c.Results)) throw Invalid("type mismatch");
        var frame = c;
        // Results need their canonical slots only where paths merge: a branch to the end, or an if's two arms.
        // A loop's end and a block nobody branches to are straight-line code: the providers stay as they are.
        bool merges = !frame.Dead && (frame.Kind is Kind.If or Kind.Else || (frame.Kind != Kind.Loop && _t.HasBranches(frame.Label)));
        bool live = frame.Live;
        if (live && merges) _t.PlaceResults(StackSpan[frame.Height..], frame.Height);
        if (!frame.Dead)
        {
            if (frame.ElseLabel >= 0) _t.Bind(frame.ElseLabel);
            if (frame.Kind != Kind.Loop) _t.Bind(frame.Label);
        }
        _ctrl.RemoveAt(_ctrl.Count - 1);
        if (frame.Kind == Kind.Function)
        {
            if (!frame.Dead && (live || merges))
            {
                var results = new Operand[frame.Results.Length];
                for (int i = 0; i < results.Length; i++)
                    results[i] = live && !merges ? _stack[frame.Height + i] : new Operand(frame.Results[i], Loc.Temp, i);
                _t.Return(results);
            }
            _stack.Clear();
            return;
        }
        bool parentLive = !frame.Dead && Live;
        if (live && !merges) return; // the results stay on the stack with their providers
        _stack.RemoveRange(frame.Height, _stack.Count - frame.Height);
        for (int i = 0; i < frame.Results.Length; i++)
        {
            if (parentLive) _t.NoteHeight(frame.Height + i + 1);
            _stack.Add(parentLive ? new Operand(frame.Results[i], Loc.Temp, frame.Height + i) : new Operand(frame.Results[i], Loc.None, 0));
        }
    }

    private ref Control Label(uint depth)
    {
        if (depth >= _ctrl.Count) throw Invalid("unknown label");
        return ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_ctrl)[_ctrl.Count - 1 - (int)depth];
    }

    private void Br(uint depth)
    {
        if (Live) FlushPending();
        var target = Label(depth);
        var vals = PopValues(target.LabelTypes);
        if (Live) _t.Branch(target.Label, vals, target.Height);
        SetUnreachable();
    }

    private void BrIf(uint depth)
    {
        if (Live) FlushPending();
        var target = Label(depth);
        var cond = Pop(ValueType.I32);
        var types = target.LabelTypes;
        var vals = PopValues(types);
        if (Live) _t.BranchIf(cond, target.Label, vals, target.Height);
        // The values stay for the fallthrough, typed as the label's types.
        for (int i = 0; i < vals.Length; i++)
        {
            var o = vals[i];
            if (o.Type == Unknown) o = new Operand(types[i], Loc.None, 0);
            else o.Type = types[i];
            _stack.Add(o);
        }
    }

    private void BrTable(ref WasmReader r)
    {
        if (Live) FlushPending();
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

    private void Call(uint f)
    {
        if (f >= _module.FunctionTypeIndices.Count) throw Invalid($"unknown function {f}");
        var ft = _module.GetFunctionType((int)f);
        var args = PopValues(ft.Parameters);
        EmitCall(ft, args, argHeight => _t.Call((int)f, argHeight, args, ft.Results.Length));
    }

    private void CallIndirect(uint typeIdx, uint tableIdx)
    {
        var tt = TableAt(tableIdx);
        if (typeIdx >= _module.Types.Count) throw Invalid($"unknown type {typeIdx}");
        if (tt.ElementType != ValueType.FuncRef) throw Invalid("type mismatch");
        var ft = _module.Types[(int)typeIdx];
        var elem = Pop(ValueType.I32);
        var args = PopValues(ft.Parameters);
        EmitCall(ft, args, argHeight => _t.CallIndirect((int)typeIdx, (int)tableIdx, elem, argHeight, args, ft.Results.Length));
    }

    private void EmitCall(FunctionType ft, Operand[] args, Action<int> emit)
    {
        int argHeight = Height;
        bool live = Live;
        if (live) emit(argHeight);
        for (int i = 0; i < ft.Results.Length; i++)
            _stack.Add(live ? new Operand(ft.Results[i], Loc.Temp, argHeight + i) : new Operand(ft.Results[i], Loc.None, 0));
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
                if (Live) Push(_t.Unary(OpInfo.FromWasmFC(sub), sig.Result, Height, a));
                else PushTyped(sig.Result);
                return;
            }
            case 8: // memory.init
            {
                uint seg = r.ReadU32();
                ReadZeroByte(ref r);
                CheckMemory();
                CheckData(seg);
                var n = Pop(ValueType.I32); var s = Pop(ValueType.I32); var d = Pop(ValueType.I32);
                if (Live) _t.Effect(Op.MemoryInit, [(int)seg], [d, s, n]);
                return;
            }
            case 9: // data.drop
            {
                uint seg = r.ReadU32();
                CheckData(seg);
                if (Live) _t.Effect(Op.DataDrop, [(int)seg], []);
                return;
            }
            case 10: // memory.copy
            {
                ReadZeroByte(ref r); ReadZeroByte(ref r);
                CheckMemory();
                var n = Pop(ValueType.I32); var s = Pop(ValueType.I32); var d = Pop(ValueType.I32);
                if (Live) _t.Effect(Op.MemoryCopy, [], [d, s, n]);
                return;
            }
            case 11: // memory.fill
            {
                ReadZeroByte(ref r);
                CheckMemory();
                var n = Pop(ValueType.I32); var v = Pop(ValueType.I32); var d = Pop(ValueType.I32);
                if (Live) _t.Effect(Op.MemoryFill, [], [d, v, n]);
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
                if (Live) _t.Effect(Op.TableInit, [(int)table, (int)seg], [d, s, n]);
                return;
            }
            case 13: // elem.drop
            {
                uint seg = r.ReadU32();
                CheckElem(seg);
                if (Live) _t.Effect(Op.ElemDrop, [(int)seg], []);
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
                if (Live) _t.Effect(Op.TableCopy, [(int)dt, (int)st], [d, s, n]);
                return;
            }
            case 15: // table.grow
            {
                uint table = r.ReadU32();
                var tt = TableAt(table);
                var n = Pop(ValueType.I32);
                var init = Pop(tt.ElementType);
                if (Live) Push(_t.Produce(Op.TableGrow, ValueType.I32, Height, [(int)table], [init, n]));
                else PushTyped(ValueType.I32);
                return;
            }
            case 16: // table.size
            {
                uint table = r.ReadU32();
                TableAt(table);
                if (Live) Push(_t.Produce(Op.TableSize, ValueType.I32, Height, [(int)table], []));
                else PushTyped(ValueType.I32);
                return;
            }
            case 17: // table.fill
            {
                uint table = r.ReadU32();
                var tt = TableAt(table);
                var n = Pop(ValueType.I32);
                var v = Pop(tt.ElementType);
                var i = Pop(ValueType.I32);
                if (Live) _t.Effect(Op.TableFill, [(int)table], [i, v, n]);
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
        Span<int> immediates = stackalloc int[2];
        int immediateCount = 0;
        ulong low = 0, high = 0;
        switch (info.Immediate)
        {
            case SimdImmediate.MemArg:
                immediates[immediateCount++] = (int)ReadMemArg(ref r, info.Align);
                break;
            case SimdImmediate.MemArgLane:
                immediates[immediateCount++] = (int)ReadMemArg(ref r, info.Align);
                immediates[immediateCount++] = ReadLane(ref r, info.Lanes);
                break;
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
        if (info.Operation is not Op op)
        {
            Push(_t.ConstantV128(low, high)); // v128.const
            return;
        }
        // i8x16.shuffle reads its lane indices from a constant slot.
        Operand[] slots = info.Immediate == SimdImmediate.Shuffle ? [.. args, _t.ConstantV128(low, high)] : args;
        if (_t.Shaped(op, info.Result, Height, slots, immediates[..immediateCount]) is Operand result) Push(result);
    }

    private int ReadLane(ref WasmReader r, int lanes)
    {
        byte lane = r.ReadByte();
        if (lane >= lanes) throw Invalid("invalid lane index");
        return lane;
    }
}
