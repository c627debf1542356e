using System.Runtime.InteropServices;

namespace WasmSharp.Interpreter;

/// <summary>Where a value on the compile-time operand stack lives.</summary>
internal enum Loc : byte
{
    /// <summary>Unknown (the polymorphic stack of unreachable code): never reaches the translator.</summary>
    None,
    /// <summary>A local (or parameter): the slot of the local itself, read where the value is consumed.</summary>
    Local,
    /// <summary>A constant in the frame's constant area.</summary>
    Const,
    /// <summary>A temporary: the slot of its stack height.</summary>
    Temp,
}

/// <summary>An entry of the validator's operand stack: its type and its provider.</summary>
internal struct Operand
{
    public ValueType Type;
    public Loc Loc;
    /// <summary>Local index, constant index or stack height, per <see cref="Loc"/>.</summary>
    public int Index;

    public Operand(ValueType type, Loc loc, int index)
    {
        Type = type;
        Loc = loc;
        Index = index;
    }
}

/// <summary>
/// Emits register code while the validator walks a function body (ARCHITECTURE §2). Locals and constants are
/// never copied onto a stack: they are providers, read in place by the instruction that consumes them.
/// Temporaries take the slot of their stack height, so allocation is the validator's own height bookkeeping.
/// Slot operands are emitted tagged and placed once the constant count and frame size are known.
/// </summary>
internal sealed class Translator
{
    private const int TempTag = 1 << 30;
    private const int ConstTag = 1 << 29;
    private const int IndexMask = ConstTag - 1;

    private int[] _code = new int[256];
    private int _len;
    private readonly List<int> _slotPositions = new();
    private readonly List<ulong> _constants = new();
    private readonly Dictionary<ulong, int> _constantIds = new();
    private int _maxHeight;

    // Labels: bound pc (or -1) and the code positions waiting for it.
    private readonly List<int> _labelPc = new();
    private readonly List<List<int>?> _labelFixups = new();

    // Store-to-load forwarding: what straight-line code stored at a local or constant address, as a local or
    // constant. An entry dies when its address or value local is written, when memory may change otherwise
    // (a store elsewhere, a call, bulk memory) and at every label.
    private readonly record struct Known(int Addr, int Offset, Op StoreOp, int Value);
    private readonly List<Known> _known = new();

    // Loop rotation: a loop whose code starts with a few instructions and a conditional exit has them copied to
    // each back edge, with the exit condition negated to jump to the body, so an iteration runs no Br.
    private const int MaxLoopHeadWords = 24;
    /// <summary>A rotatable loop head: code [Start, CondStart), then a conditional branch to <see cref="Target"/>
    /// (its label) that ends at <see cref="End"/>. <see cref="IntoBody"/>: the target is a label inside the loop
    /// (the branch enters the body, and falling through leaves the loop); otherwise the branch is the exit.</summary>
    private readonly record struct LoopHead(int Start, int CondStart, int End, int Target, bool IntoBody);
    private readonly Dictionary<int, LoopHead> _loopHeads = new();
    private int _openLoop = -1;
    private int _openLoopStart;
    // The last unconditional branch, when it still ends the code: a jump to the next instruction is removed, and
    // a conditional branch over it is inverted (JumpOverBr).
    private int _lastBrPos = -1;
    private int _lastBrLabel;
    /// <summary>Where the last unconditional jump (br, br_table, return, unreachable) ends.</summary>
    private int _jumpEnd = -1;
    /// <summary>Labels bound where the code before runs on into them (not right after a jump).</summary>
    private readonly HashSet<int> _fallenInto = new();
    /// <summary>The last conditional branch: its start and end (its target operand is the last word).</summary>
    private int _condStart = -1, _condEnd = -1;

    /// <summary>Start of the instruction emitted last (-1 after a label or a removal): superinstructions merge
    /// into it only while nothing else, not even a branch target, came after it.</summary>
    private int _instrStart = -1;

    // The last instruction's destination, for fusing local.set/tee into it; _lastStart is that instruction's start.
    private int _lastDstPos = -1;
    /// <summary>An i32.load and the I32AddImm right after it that adds to what it loaded (their starts).</summary>
    private int _loadThenAdd = -1, _addAfterLoad = -1;
    private int _lastStart;
    private int _lastDstHeight;
    private int _lastEnd;
    // The last instruction's destination after a local.set was fused into it (see TryReclaimLocal).
    private int _fusedPos = -1;
    private int _fusedStart;
    private int _fusedLocal;
    private int _fusedEnd;
    /// <summary>The fused local write before the last one (see TryTakeScaledAddress), while the code up to its
    /// end stands: [start, end) writes the local at dst.</summary>
    private (int Local, int Start, int Dst, int End) _earlierFused = (-1, 0, 0, 0);
    private int _prevDstPos = -1;
    private int _prevDstHeight;
    private int _prevStart;
    // And the producer before that one, adjacent too: taking over two instructions (a comparison and its eqz)
    // can expose it (a load compared).
    private int _prev2DstPos = -1;
    private int _prev2DstHeight;
    private int _prev2Start;
    /// <summary>End of the run of local moves that follows the last producer, if any.</summary>
    private int _movesEnd = -1;


    private int _paramCount;
    private int _localCount;

    /// <summary>Static read counts of the locals (local.get and local.tee in the whole body), filled by the
    /// validator before the walk.</summary>
    private int[] _reads = [];

    public void Begin(int paramCount, int localCount, int[] reads)
    {
        _reads = reads;
        _len = 0;
        _slotPositions.Clear();
        _constants.Clear();
        _constantIds.Clear();
        _maxHeight = 0;
        _labelPc.Clear();
        _labelFixups.Clear();
        _loopHeads.Clear();
        _known.Clear();
        _openLoop = -1;
        _lastBrPos = -1;
        _condEnd = -1;
        _jumpEnd = -1;
        _fallenInto.Clear();
        _lastDstPos = -1;
        _fusedPos = -1;
        _earlierFused.Local = -1;
        _instrStart = -1;
        _loadThenAdd = _addAfterLoad = -1;
        _paramCount = paramCount;
        _localCount = localCount;
    }

    public int Pc => _len;

    private void Emit(int v)
    {
        if (_len == _code.Length) Array.Resize(ref _code, _len * 2);
        _code[_len++] = v;
    }

    private void Emit(Op op)
    {
        _instrStart = _len;
        if (_known.Count > 0 && !KeepsKnownMemory(op)) _known.Clear();
        Emit((int)op);
    }

    /// <summary>Whether <paramref name="op"/> leaves memory as it was (or is a plain store, which
    /// <see cref="Store"/> accounts for itself). Locals it writes are accounted for in <see cref="LocalSet"/>.</summary>
    private static bool KeepsKnownMemory(Op op) => op switch
    {
        >= Op.NumericFirst and <= Op.NumericLast => true,
        >= Op.I32Load and <= Op.I64Load32U => true,
        >= Op.I32Store and <= Op.I64Store32 => true,
        >= Op.I32LoadAdd and <= Op.I64Load32UAdd => true,
        >= Op.I32TruncSatF32S and <= Op.I64TruncSatF64U => true,
        >= Op.BrI32Eq and <= Op.BrI32AndNz => true,
        >= Op.BrI32EqLoad2 and <= Op.BrI32GeULoad2 => true,
        >= Op.BrI32EqLoad and <= Op.BrI32GeULoad => true,
        >= Op.SelectI32Eq and <= Op.SelectI32GeU => true,
        Op.BrIfNez or Op.BrIfEqz or Op.Copy or Op.Select or Op.GlobalGet or Op.GlobalSet or Op.RefFunc or Op.RefIsNull
            or Op.I32AddImm or Op.I64AddImm or Op.I32LoadAddImm or Op.GlobalGetAddImm or Op.GlobalAddImm
            or Op.GlobalSetAddImm or Op.I32Load2 or Op.I64Load2 or Op.MemorySize or Op.I32LoadShl or Op.I64LoadShl
            or Op.I32Store2 or Op.I64Store2 => true,
        _ => false,
    };

    private static int AccessSize(Op store) => store switch
    {
        Op.I32Store8 or Op.I64Store8 => 1,
        Op.I32Store16 or Op.I64Store16 => 2,
        Op.I32Store or Op.I64Store32 => 4,
        _ => 8,
    };

    /// <summary>A local is written: what was known to be stored as its value, or at its address, is no longer.</summary>
    private void ForgetLocal(int local)
    {
        for (int i = _known.Count - 1; i >= 0; i--)
            if (_known[i].Addr == local || _known[i].Value == local) _known.RemoveAt(i);
    }

    /// <summary>Whether the last instruction emitted is <paramref name="op"/> of <paramref name="length"/> words
    /// and still ends the code.</summary>
    private bool LastInstructionIs(Op op, int length) =>
        _instrStart >= 0 && _instrStart + length == _len && _code[_instrStart] == (int)op;

    /// <summary>Whether <paramref name="o"/> is the temporary the last instruction just wrote.</summary>
    private bool IsLastResult(in Operand o) =>
        o.Loc == Loc.Temp && _lastDstPos >= 0 && _lastEnd == _len && o.Index == _lastDstHeight;

    /// <summary>The last instruction writes the temporary at <paramref name="height"/> instead of its own (a lower
    /// slot nothing live occupies); the operand is already in the relocation list.</summary>
    private void MoveLastResult(int height)
    {
        _code[_lastDstPos] = TempTag | height;
        _lastDstHeight = height;
    }

    /// <summary>A local or constant slot operand as emitted, back as an operand of <paramref name="type"/>.</summary>
    private static Operand Decode(int slot, ValueType type) =>
        (slot & ConstTag) != 0 ? new Operand(type, Loc.Const, slot & IndexMask) : new Operand(type, Loc.Local, slot);

    /// <summary>Records that memory at (<paramref name="addr"/>, <paramref name="offset"/>) holds local or constant
    /// <paramref name="value"/> (a plain full-width store just stored it).</summary>
    private void Remember(int addr, uint offset, Op storeOp, int value)
    {
        if (offset <= int.MaxValue && _known.Count < 16) _known.Add(new Known(addr, (int)offset, storeOp, value));
    }

    /// <summary>The slot operand as emitted (locals untagged, constants and temporaries tagged).</summary>
    private static int Encode(in Operand o) => o.Loc switch
    {
        Loc.Local => o.Index,
        Loc.Const => ConstTag | o.Index,
        _ => TempTag | o.Index,
    };

    private void EmitSlot(in Operand o)
    {
        switch (o.Loc)
        {
            case Loc.Local: Emit(o.Index); break;
            case Loc.Const: _slotPositions.Add(_len); Emit(ConstTag | o.Index); break;
            case Loc.Temp: EmitTemp(o.Index); break;
            default: throw new InvalidOperationException("operand without a provider reached the translator");
        }
    }

    private void EmitTemp(int height)
    {
        if (height + 1 > _maxHeight) _maxHeight = height + 1;
        _slotPositions.Add(_len);
        Emit(TempTag | height);
    }

    /// <summary>Emits a destination temporary and remembers it for local.set fusion.</summary>
    private void EmitDst(int height)
    {
        // Remember the producer before this one when the two are adjacent, so that taking this one over
        // (TryTakeCompare) can expose it in turn.
        bool adjacent = _lastDstPos >= 0 && _lastEnd == _len - 1;
        (_prev2DstPos, _prev2DstHeight, _prev2Start) = adjacent ? (_prevDstPos, _prevDstHeight, _prevStart) : (-1, 0, 0);
        _prevDstPos = adjacent ? _lastDstPos : -1;
        _prevDstHeight = _lastDstHeight;
        _prevStart = _lastStart;
        _lastStart = _len - 1; // every producer is [op, dst, ...]
        _lastDstPos = _len;
        _lastDstHeight = height;
        EmitTemp(height);
    }

    private Operand EndProducer(ValueType type, int height)
    {
        _lastEnd = _len;
        return new Operand(type, Loc.Temp, height);
    }

    public void NoteHeight(int height)
    {
        if (height > _maxHeight) _maxHeight = height;
    }

    // ---- providers -------------------------------------------------------------------------------

    public Operand Constant(ValueType type, ulong bits)
    {
        if (!_constantIds.TryGetValue(bits, out int id))
        {
            id = _constants.Count;
            _constants.Add(bits);
            _constantIds.Add(bits, id);
        }
        return new Operand(type, Loc.Const, id);
    }

    public static Operand Local(int index, ValueType type) => new(type, Loc.Local, index);

    // ---- plain instructions ----------------------------------------------------------------------

    public Operand Unary(Op op, ValueType result, int height, in Operand a)
    {
        // A narrow unsigned load, then the sign extension of as many bits: the signed load (unoptimised code
        // reloads a char and sign-extends it for every use).
        if (IsLastResult(a) && SignedLoad(_code[_lastStart], (int)op) is int signedLoad)
        {
            _code[_lastStart] = signedLoad;
            MoveLastResult(height);
            return new Operand(result, Loc.Temp, height);
        }
        Emit(op); EmitDst(height); EmitSlot(a);
        return EndProducer(result, height);
    }

    /// <summary>The signed load that <paramref name="extend"/> (an i32/i64.extendN_s) after unsigned load
    /// <paramref name="load"/> amounts to, or null.</summary>
    private static int? SignedLoad(int load, int extend) => (extend, (Op)load) switch
    {
        (0xC0, Op.I32Load8U) => (int)Op.I32Load8S,
        (0xC0, Op.I32Load8UStore8) => (int)Op.I32Load8SStore8,
        (0xC0, Op.I32Load8UAdd) => (int)Op.I32Load8SAdd,
        (0xC1, Op.I32Load16U) => (int)Op.I32Load16S,
        (0xC1, Op.I32Load16UAdd) => (int)Op.I32Load16SAdd,
        (0xC2, Op.I64Load8U) => (int)Op.I64Load8S,
        (0xC2, Op.I64Load8UAdd) => (int)Op.I64Load8SAdd,
        (0xC3, Op.I64Load16U) => (int)Op.I64Load16S,
        (0xC3, Op.I64Load16UAdd) => (int)Op.I64Load16SAdd,
        (0xC4, Op.I64Load32U) => (int)Op.I64Load32S,
        (0xC4, Op.I64Load32UAdd) => (int)Op.I64Load32SAdd,
        _ => null,
    };

    public Operand Binary(Op op, ValueType result, int height, in Operand a, in Operand b)
    {
        if (a.Loc == Loc.Const && b.Loc == Loc.Const && TryFold(op, _constants[a.Index], _constants[b.Index], out ulong folded))
            return Constant(result, folded);
        // x & 1 where x is a comparison just computed is x itself (unoptimised code masks every condition).
        if (op == (Op)0x71 && IsJustComputedBoolean(a) && IsConstant(b, 1)) return a;
        if (op == (Op)0x71 && IsJustComputedBoolean(b) && IsConstant(a, 1))
        {
            // The comparison wrote the slot above this result's: it writes this one instead.
            MoveLastResult(height);
            return new Operand(result, Loc.Temp, height);
        }
        // A mask keeping every bit an unsigned narrow load can set is no operation (unoptimised code masks each
        // char it loads: load8_u, and 255).
        if (op is (Op)0x71 or (Op)0x83 && (b.Loc == Loc.Const && IsLastResult(a) && MaskKeepsLoadedBits(_constants[b.Index])
                                           || a.Loc == Loc.Const && IsLastResult(b) && MaskKeepsLoadedBits(_constants[a.Index])))
        {
            MoveLastResult(height);
            return new Operand(result, Loc.Temp, height);
        }
        if (TryShiftPair(op, a, b, height, out var pair)) return pair;
        if (TryImmediate(op, a, b, out var imm, out var reg))
        {
            // i32.load or global.get, then add a constant: one instruction (unoptimised code reads every
            // variable from the shadow stack and adjusts the stack pointer so).
            if (imm.Op == Op.I32AddImm && IsLastResult(reg) && _code[_lastStart] is (int)Op.I32Load or (int)Op.GlobalGet)
            {
                _code[_lastStart] = (int)(_code[_lastStart] == (int)Op.I32Load ? Op.I32LoadAddImm : Op.GlobalGetAddImm);
                MoveLastResult(height);
                _prevDstPos = _prev2DstPos = -1;
                Emit(imm.Value);
                return EndProducer(result, height);
            }
            // An add to what the instruction just before loaded: a store of the sum may take both over (Store).
            int loadStart = imm.Op == Op.I32AddImm && reg.Loc != Loc.Const && LastInstructionIs(Op.I32Load, 4)
                && _code[_instrStart + 1] == Encode(reg) ? _instrStart : -1;
            Emit(imm.Op); EmitDst(height); EmitSlot(reg); Emit(imm.Value);
            (_loadThenAdd, _addAfterLoad) = (loadStart, _instrStart);
            return EndProducer(result, height);
        }
        Emit(op); EmitDst(height); EmitSlot(a); EmitSlot(b);
        return EndProducer(result, height);
    }

    /// <summary>Integer operations on two constants that cannot trap are computed here (unoptimised code is full
    /// of them, e.g. <c>i32.and (i32.const 0) (i32.const 255)</c>).</summary>
    private static bool TryFold(Op op, ulong x, ulong y, out ulong r)
    {
        uint a = (uint)x, b = (uint)y;
        (bool ok, r) = (int)op switch
        {
            0x46 => (true, (ulong)(a == b ? 1u : 0u)), 0x47 => (true, (ulong)(a != b ? 1u : 0u)),
            0x48 => (true, (ulong)((int)a < (int)b ? 1u : 0u)), 0x49 => (true, (ulong)(a < b ? 1u : 0u)),
            0x4A => (true, (ulong)((int)a > (int)b ? 1u : 0u)), 0x4B => (true, (ulong)(a > b ? 1u : 0u)),
            0x4C => (true, (ulong)((int)a <= (int)b ? 1u : 0u)), 0x4D => (true, (ulong)(a <= b ? 1u : 0u)),
            0x4E => (true, (ulong)((int)a >= (int)b ? 1u : 0u)), 0x4F => (true, (ulong)(a >= b ? 1u : 0u)),
            0x6A => (true, (ulong)(a + b)), 0x6B => (true, (ulong)(a - b)), 0x6C => (true, (ulong)(a * b)),
            0x71 => (true, (ulong)(a & b)), 0x72 => (true, (ulong)(a | b)), 0x73 => (true, (ulong)(a ^ b)),
            0x74 => (true, (ulong)(a << (int)b)), 0x75 => (true, (ulong)((uint)((int)a >> (int)b))), 0x76 => (true, (ulong)(a >> (int)b)),
            0x7C => (true, (ulong)(x + y)), 0x7D => (true, (ulong)(x - y)), 0x7E => (true, (ulong)(x * y)),
            0x83 => (true, (ulong)(x & y)), 0x84 => (true, (ulong)(x | y)), 0x85 => (true, (ulong)(x ^ y)),
            0x86 => (true, (ulong)(x << (int)y)), 0x87 => (true, (ulong)((ulong)((long)x >> (int)y))), 0x88 => (true, (ulong)(x >> (int)y)),
            _ => (false, 0UL),
        };
        return ok;
    }

    /// <summary>(x &lt;&lt; k) >> k, as unoptimised code narrows a value: a sign extension (extend8_s, extend16_s,
    /// extend32_s) or a mask, one instruction for two.</summary>
    private bool TryShiftPair(Op op, in Operand a, in Operand b, int height, out Operand result)
    {
        result = default;
        const int i32Shl = 0x74, i32ShrS = 0x75, i32ShrU = 0x76, i64Shl = 0x86, i64ShrS = 0x87, i64ShrU = 0x88;
        int o = (int)op;
        bool is64 = o is i64ShrS or i64ShrU;
        if (!(o is i32ShrS or i32ShrU or i64ShrS or i64ShrU) || b.Loc != Loc.Const || !IsLastResult(a)) return false;
        int start = _lastStart;
        if (_code[start] != (is64 ? i64Shl : i32Shl) || (_code[start + 3] & ConstTag) == 0) return false;
        ulong k = _constants[b.Index] & (is64 ? 63UL : 31UL);
        if ((_constants[_code[start + 3] & IndexMask] & (is64 ? 63UL : 31UL)) != k || k == 0) return false;
        int x = _code[start + 2];
        var type = is64 ? ValueType.I64 : ValueType.I32;
        if (o is i32ShrS or i64ShrS)
        {
            int ext = (is64, k) switch { (false, 24) => 0xC0, (false, 16) => 0xC1, (true, 56) => 0xC2, (true, 48) => 0xC3, (true, 32) => 0xC4, _ => 0 };
            if (ext == 0) return false;
            DropLastInstruction(start);
            result = Unary((Op)ext, type, height, (x & TempTag) != 0 ? new Operand(type, Loc.Temp, x & IndexMask) : Decode(x, type));
            return true;
        }
        ulong mask = is64 ? ulong.MaxValue >> (int)k : uint.MaxValue >> (int)k;
        var m = Constant(type, mask);
        DropLastInstruction(start);
        Emit((Op)(is64 ? 0x83 : 0x71)); EmitDst(height); EmitRaw(x); EmitSlot(m);
        result = EndProducer(type, height);
        return true;
    }

    /// <summary>Whether the last instruction is an unsigned narrow load whose every possible result
    /// <paramref name="mask"/> leaves as it is.</summary>
    private bool MaskKeepsLoadedBits(ulong mask)
    {
        int bits = (Op)_code[_lastStart] switch
        {
            Op.I32Load8U or Op.I32Load8UAdd or Op.I64Load8U or Op.I64Load8UAdd or Op.I32Load8UStore8 or Op.I32Load2Load8UAdd => 8,
            Op.I32Load16U or Op.I32Load16UAdd or Op.I64Load16U or Op.I64Load16UAdd => 16,
            Op.I64Load32U or Op.I64Load32UAdd => 32,
            _ => 0,
        };
        ulong loaded = (1UL << bits) - 1;
        return bits > 0 && (mask & loaded) == loaded;
    }

    private bool IsConstant(in Operand o, ulong value) => o.Loc == Loc.Const && _constants[o.Index] == value;

    /// <summary>Whether <paramref name="o"/> is the result of the instruction just emitted, and that is a comparison.</summary>
    private bool IsJustComputedBoolean(in Operand o)
    {
        if (!IsLastResult(o)) return false;
        int op = _code[_lastStart];
        return op is >= 0x45 and <= 0x66;
    }

    /// <summary>Adding or subtracting a constant becomes one register-immediate instruction.</summary>
    private bool TryImmediate(Op op, in Operand a, in Operand b, out (Op Op, int Value) imm, out Operand reg)
    {
        imm = default;
        reg = default;
        const Op i32Add = (Op)0x6A, i32Sub = (Op)0x6B, i64Add = (Op)0x7C, i64Sub = (Op)0x7D;
        if (op is not (i32Add or i32Sub or i64Add or i64Sub)) return false;
        bool commutative = op is i32Add or i64Add;
        Operand c;
        if (b.Loc == Loc.Const) { c = b; reg = a; }
        else if (commutative && a.Loc == Loc.Const) { c = a; reg = b; }
        else return false;
        if (reg.Loc == Loc.Const) return false;
        ulong bits = _constants[c.Index];
        if (op is i32Add or i32Sub)
        {
            int v = (int)bits;
            imm = (Op.I32AddImm, op == i32Sub ? unchecked(-v) : v);
            return true;
        }
        long l = (long)bits;
        if (op == i64Sub) l = unchecked(-l);
        if (l < int.MinValue || l > int.MaxValue) return false;
        imm = (Op.I64AddImm, (int)l);
        return true;
    }

    /// <summary>If <paramref name="cond"/> is the result of the instruction just emitted and that instruction is
    /// a comparison (i32/i64/f32/f64, or i32.eqz) or an i32.and (a bit test, for branches), removes it and returns
    /// its opcode and encoded operands, so the consumer can take the comparison over.</summary>
    private bool TryTakeCompare(in Operand cond, Func<int, bool> accept, out int op, out int a, out int b)
    {
        op = a = b = 0;
        if (cond.Loc != Loc.Temp || _lastDstPos < 0 || cond.Index != _lastDstHeight) return false;
        bool adjacent = _lastEnd == _len;
        if (!adjacent && _movesEnd != _len) return false;
        int start = _lastStart;
        op = _code[start];
        if (!(op is 0x45 or 0x71 || op is (>= 0x46 and <= 0x4F) or (>= 0x51 and <= 0x66)) || !accept(op)) return false;
        a = _code[start + 2];
        b = op == 0x45 ? 0 : _code[start + 3];
        if (adjacent)
        {
            DropLastInstruction(start); // its slot operands are re-emitted with the consumer
            return true;
        }
        // Local moves (Copy) came between the comparison and its consumer, as optimised code puts its phi moves
        // before a loop's back edge. The comparison can move after them when none writes what it reads or reads
        // its result.
        int dst = _code[_lastDstPos];
        for (int pos = _lastEnd; pos < _len; pos += _code[pos] == (int)Op.Copy2 ? 5 : 3)
            for (int pair = pos + 1; pair < pos + (_code[pos] == (int)Op.Copy2 ? 5 : 3); pair += 2)
            {
                int moveDst = _code[pair], moveSrc = _code[pair + 1];
                if (moveDst == a || (op != 0x45 && moveDst == b) || moveSrc == dst) return false;
            }
        int length = _lastEnd - start;
        if (_earlierFused.End > start) _earlierFused.Local = -1;
        _code.AsSpan(_lastEnd, _len - _lastEnd).CopyTo(_code.AsSpan(start));
        _len -= length;
        for (int i = _slotPositions.Count - 1; i >= 0; i--)
        {
            int pos = _slotPositions[i];
            if (pos >= _lastEnd) _slotPositions[i] = pos - length;
            else if (pos >= start) _slotPositions.RemoveAt(i);
            else break;
        }
        _lastDstPos = -1;
        _prevDstPos = _prev2DstPos = -1;
        _instrStart = -1;
        return true;
    }

    /// <summary>The compare-and-branch op for Wasm comparison <paramref name="op"/>, taken when it holds, or when it
    /// fails if <paramref name="negate"/>. Integer comparisons negate into their complements; float ones (NaN
    /// makes every ordering false) have their own negated forms.</summary>
    private static Op CompareBranch(int op, bool negate)
    {
        if (op == 0x45) return negate ? Op.BrIfNez : Op.BrIfEqz;
        if (op == 0x71) return negate ? Op.BrI32AndZ : Op.BrI32AndNz;
        if (op <= 0x5A)
        {
            bool is64 = op >= 0x51;
            int cmp = op - (is64 ? 0x51 : 0x46); // eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u
            if (negate) cmp = NegatedIntCompare(cmp);
            return (is64 ? Op.BrI64Eq : Op.BrI32Eq) + cmp;
        }
        bool f64 = op >= 0x61;
        int f = op - (f64 ? 0x61 : 0x5B); // eq ne lt gt le ge
        if (negate)
        {
            if (f <= 1) f ^= 1;
            else return (f64 ? Op.BrF64NotLt : Op.BrF32NotLt) + (f - 2);
        }
        return (f64 ? Op.BrF64Eq : Op.BrF32Eq) + f;
    }

    /// <summary>
    /// If the instruction just before an i32 compare-and-branch (comparison <paramref name="cmp"/>, numbered as in
    /// <see cref="NegatedIntCompare"/>, of slots <paramref name="a"/> and <paramref name="b"/>) is an i32.load or
    /// an I32Load2 writing what it compares, turns it into the fused compare-and-branch on loaded values (only its
    /// target is left to emit).
    /// </summary>
    private bool TryTakeLoads(int cmp, int a, int b)
    {
        if (_lastDstPos < 0 || _lastEnd != _len) return false;
        int start = _lastStart;
        if (_code[start] == (int)Op.I32Load2 && start + 7 == _len)
        {
            int d1 = _code[start + 1], d2 = _code[start + 4];
            if (d1 == d2) return false;
            if (a == d2 && b == d1) cmp = SwappedIntCompare(cmp);
            else if (a != d1 || b != d2) return false;
            _code[start] = (int)(Op.BrI32EqLoad2 + cmp);
            _instrStart = start;
            _lastDstPos = -1;
            return true;
        }
        if (_code[start] == (int)Op.I32Load && start + 4 == _len)
        {
            int dst = _code[start + 1], addr = _code[start + 2], offset = _code[start + 3];
            int x;
            if (b == dst && a != dst) x = a;
            else if (a == dst && b != dst) { x = b; cmp = SwappedIntCompare(cmp); }
            else return false;
            DropLastInstruction(start);
            Emit(Op.BrI32EqLoad + cmp); EmitRaw(x); EmitRaw(dst); EmitRaw(addr); Emit(offset);
            _lastDstPos = -1;
            return true;
        }
        return false;
    }

    /// <summary>The integer comparison of (b, a) that holds exactly when <paramref name="cmp"/> of (a, b) does.</summary>
    private static int SwappedIntCompare(int cmp) =>
        cmp switch { 0 => 0, 1 => 1, 2 => 4, 3 => 5, 4 => 2, 5 => 3, 6 => 8, 7 => 9, 8 => 6, _ => 7 };

    /// <summary>The integer comparison that holds exactly when <paramref name="cmp"/> does not, both numbered in
    /// Wasm's order: eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u.</summary>
    private static int NegatedIntCompare(int cmp) =>
        cmp switch { 0 => 1, 1 => 0, 2 => 8, 3 => 9, 4 => 6, 5 => 7, 6 => 4, 7 => 5, 8 => 2, _ => 3 };

    /// <summary>Emits a conditional branch on <paramref name="cond"/> (taken when it is non-zero, or zero when
    /// <paramref name="whenZero"/>), fused with the comparison that produced it where possible.</summary>
    private void EmitCondBranch(in Operand cond, bool whenZero, int label)
    {
        if (TryTakeCompare(cond, static _ => true, out int cmp, out int a, out int b))
        {
            // Branching on eqz(x) is branching on x the other way; x may be a comparison just computed, too.
            while (cmp == 0x45 && (a & TempTag) != 0
                   && TryTakeCompare(new Operand(ValueType.I32, Loc.Temp, a & IndexMask), static _ => true, out int inner, out int ia, out int ib))
            {
                whenZero = !whenZero;
                (cmp, a, b) = (inner, ia, ib);
            }
            var op = CompareBranch(cmp, whenZero);
            if (!(op is >= Op.BrI32Eq and <= Op.BrI32GeU && TryTakeLoads(op - Op.BrI32Eq, a, b)))
            {
                Emit(op);
                EmitRaw(a);
                if (op is not (Op.BrIfNez or Op.BrIfEqz)) EmitRaw(b);
            }
        }
        else
        {
            Emit(whenZero ? Op.BrIfEqz : Op.BrIfNez);
            EmitSlot(cond);
        }
        int condStart = _instrStart;
        EmitTarget(label);
        _lastDstPos = -1;
        (_condStart, _condEnd) = (condStart, _len);
        if (_openLoop >= 0)
        {
            if (label != _openLoop && condStart - _openLoopStart <= MaxLoopHeadWords)
                _loopHeads[_openLoop] = new LoopHead(_openLoopStart, condStart, _len, label, label > _openLoop);
            _openLoop = -1;
        }
    }

    /// <summary>Re-emits an already encoded slot operand, keeping it in the relocation list if tagged.</summary>
    private void EmitRaw(int slot)
    {
        if ((slot & (TempTag | ConstTag)) != 0) _slotPositions.Add(_len);
        Emit(slot);
    }

    public Operand Select(ValueType type, int height, in Operand a, in Operand b, in Operand cond)
    {
        // select on an i32 comparison takes the comparison over; on i32.eqz it swaps its operands.
        if (TryTakeCompare(cond, static op => op <= 0x4F, out int cmp, out int ca, out int cb))
        {
            if (cmp == 0x45)
            {
                Emit(Op.Select); EmitDst(height); EmitRaw(ca); EmitSlot(b); EmitSlot(a);
            }
            else
            {
                Emit(Op.SelectI32Eq + (cmp - 0x46)); EmitDst(height); EmitRaw(ca); EmitRaw(cb); EmitSlot(a); EmitSlot(b);
            }
            return EndProducer(type, height);
        }
        Emit(Op.Select); EmitDst(height); EmitSlot(cond); EmitSlot(a); EmitSlot(b);
        return EndProducer(type, height);
    }

    public Operand Load(Op op, ValueType result, int height, in Operand addr, uint offset)
    {
        if (op is Op.I32Load or Op.I64Load && TryTakeScaledAddress(addr, out int b, out int i, out int shift, out int addend))
        {
            if (op == Op.I32Load && Load2Feeding(b, i, ordered: true) is >= 0 and int pair)
            {
                MergeIntoLoad2(pair, Op.I32Load2LoadShl);
                EmitDst(height); Emit(shift); Emit(addend); Emit((int)offset);
                return EndMerged(pair, result, height);
            }
            Emit(op == Op.I32Load ? Op.I32LoadShl : Op.I64LoadShl); EmitDst(height); EmitRaw(b); EmitRaw(i); Emit(shift); Emit(addend); Emit((int)offset);
            return EndProducer(result, height);
        }
        if (TryTakeAddressAdd(addr, out int x, out int y, out int addend2))
        {
            if (op == Op.I32Load8U && Load2Feeding(x, y, ordered: false) is >= 0 and int pair)
            {
                MergeIntoLoad2(pair, Op.I32Load2Load8UAdd);
                EmitDst(height); Emit(addend2); Emit((int)offset);
                return EndMerged(pair, result, height);
            }
            Emit(op - Op.I32Load + Op.I32LoadAdd); EmitDst(height); EmitRaw(x); EmitRaw(y); Emit(addend2); Emit((int)offset);
            return EndProducer(result, height);
        }
        if (op is Op.I32Load8U or Op.I32Load8S && addr.Loc is Loc.Local or Loc.Const
            && (LastInstructionIs(Op.I32Load8UStore8, 6) || LastInstructionIs(Op.I32Load8SStore8, 6)))
        {
            // A byte just copied to this address, read back: the copy's loaded byte, extended as asked (its only
            // reader so far, the store, takes the low byte either way).
            int c = _instrStart;
            if (_code[c + 4] == Encode(addr) && _code[c + 5] == (int)offset && _code[c + 1] == (TempTag | height))
            {
                _code[c] = (int)(op == Op.I32Load8U ? Op.I32Load8UStore8 : Op.I32Load8SStore8);
                // The copy is the value's producer again: a local.set may take its result, an extension its sign.
                (_lastStart, _lastDstPos, _lastDstHeight, _lastEnd) = (c, c + 1, height, _len);
                _prevDstPos = _prev2DstPos = -1;
                return new Operand(result, Loc.Temp, height);
            }
        }
        if (op is Op.I32Load or Op.I64Load)
        {
            // Store-to-load forwarding: reading back what was stored at the same local or constant address earlier
            // in this straight-line block (see _known), or by the instruction just before, is the stored value
            // itself (if the store did not trap, neither would the load). Unoptimised code stores every variable
            // and reloads it soon after.
            if (addr.Loc is Loc.Local or Loc.Const)
                foreach (var k in _known)
                    if (k.Addr == Encode(addr) && k.Offset == (int)offset && k.StoreOp == op - Op.I32Load + Op.I32Store)
                        return Decode(k.Value, result);
            if (addr.Loc is Loc.Local or Loc.Const && LastStore(out var storeOp, out int storeAddr, out int v, out int storeOffset)
                && storeOp == op - Op.I32Load + Op.I32Store && storeAddr == Encode(addr) && storeOffset == (int)offset)
            {
                if ((v & TempTag) == 0) return Decode(v, result);
                // A temporary stored from this very height (see Store) is still there.
                if ((v & IndexMask) == height) return new Operand(result, Loc.Temp, height);
            }
            // Two loads in a row: one dispatch. The second may read the first one's result.
            if (LastInstructionIs(op, 4))
            {
                int start = _instrStart;
                _code[start] = (int)(op == Op.I32Load ? Op.I32Load2 : Op.I64Load2);
                EmitDst(height); EmitSlot(addr); Emit((int)offset);
                _lastStart = start;
                _prevDstPos = _prev2DstPos = -1;
                _instrStart = start;
                return EndProducer(result, height);
            }
        }
        Emit(op); EmitDst(height); EmitSlot(addr); Emit((int)offset);
        return EndProducer(result, height);
    }

    public void Store(Op op, in Operand addr, in Operand value, uint offset)
    {
        var v = value;
        if (op is Op.I32Store or Op.I64Store && addr.Loc != Loc.Temp && IsLastResult(v) && v.Index > 0)
        {
            // The value's producer writes the slot of the address's height instead (free: the address is a local
            // or constant), where a reload of the stored value would put its result (store-to-load forwarding).
            MoveLastResult(v.Index - 1);
            v = new Operand(v.Type, Loc.Temp, v.Index - 1);
        }
        if (op is Op.I32Store or Op.I64Store && TryTakeScaledAddress(addr, out int sb, out int si, out int shift, out int addend))
        {
            Emit(op == Op.I32Store ? Op.I32StoreShl : Op.I64StoreShl); EmitRaw(sb); EmitRaw(si); Emit(shift); EmitSlot(v); Emit(addend); Emit((int)offset);
            _lastDstPos = -1;
            return;
        }
        if (op == Op.I32Store && IsLastResult(v) && _code[_lastStart] == (int)Op.I32LoadAddImm)
        {
            // x = load; x + k; store: one instruction, which leaves x + k in its temporary too.
            int start = _lastStart;
            int dst = _code[start + 1], loadAddr = _code[start + 2], loadOffset = _code[start + 3], k = _code[start + 4];
            DropLastInstruction(start);
            Emit(Op.I32LoadAddImmStore); EmitRaw(dst); EmitRaw(loadAddr); Emit(loadOffset); Emit(k); EmitSlot(addr); Emit((int)offset);
            _lastDstPos = -1;
            return;
        }
        if (op == Op.I32Store && IsLastResult(v) && LastInstructionIs(Op.I32AddImm, 4) && _instrStart == _addAfterLoad
            && _loadThenAdd >= 0)
        {
            // old = load; store old + k (a pointer or counter in memory post-incremented, the old value used):
            // one instruction, which leaves the old value where the load put it.
            int start = _loadThenAdd;
            int dst = _code[start + 1], loadAddr = _code[start + 2], loadOffset = _code[start + 3], k = _code[_lastStart + 3];
            DropLastInstruction(start); // the load and the add
            _lastDstPos = -1;
            _fusedPos = -1;
            Emit(Op.I32LoadStoreAddImm); EmitRaw(dst); EmitRaw(loadAddr); Emit(loadOffset); Emit(k); EmitSlot(addr); Emit((int)offset);
            return;
        }
        if (TryTakeAddressAdd(addr, out int x, out int y, out int addend2))
        {
            if (op == Op.I32Store8 && Load2Feeding(x, y, ordered: false) is >= 0 and int pair)
            {
                _known.Clear();
                MergeIntoLoad2(pair, Op.I32Load2Store8Add);
                EmitSlot(value); Emit(addend2); Emit((int)offset);
                _lastDstPos = -1;
                return;
            }
            Emit(op - Op.I32Store + Op.I32StoreAdd); EmitRaw(x); EmitRaw(y); EmitSlot(value); Emit(addend2); Emit((int)offset);
            return;
        }
        bool known = addr.Loc is Loc.Local or Loc.Const;
        if (known)
        {
            // A store through another address may alias anything known; through this one, what it overlaps.
            int a = Encode(addr), size = AccessSize(op);
            for (int i = _known.Count - 1; i >= 0; i--)
            {
                var k = _known[i];
                if (k.Addr != a || (long)k.Offset < (long)(uint)offset + size && (long)(uint)offset < (long)k.Offset + AccessSize(k.StoreOp))
                    _known.RemoveAt(i);
            }
        }
        else _known.Clear();
        if (op == Op.I32Store8 && addr.Loc != Loc.Temp && IsLastResult(v) && v.Index > 0 && _lastStart == _instrStart
            && (LastInstructionIs(Op.I32Load8U, 4) || LastInstructionIs(Op.I32Load8S, 4)))
        {
            // A byte copied (c = *p, kept in memory by unoptimised code): one instruction. The byte goes to the
            // slot of the address's height, where a reload of it would put its result.
            MoveLastResult(v.Index - 1);
            _code[_instrStart] = (int)(_code[_instrStart] == (int)Op.I32Load8U ? Op.I32Load8UStore8 : Op.I32Load8SStore8);
            EmitSlot(addr); Emit((int)offset);
            _lastDstPos = -1;
            return;
        }
        if (IsLastResult(v) && _lastStart == _instrStart && StoreOfResult(op, _instrStart >= 0 && _instrStart + 4 == _len ? _code[_instrStart] : -1) is Op fused)
        {
            // An operation (or a load) whose result is stored right away: one instruction; the result stays
            // in its slot for later uses.
            _code[_instrStart] = (int)fused;
            EmitSlot(addr); Emit((int)offset);
            _lastDstPos = -1;
            // x + y stored, both just loaded by a pair: one instruction (-O0 x += y).
            int add = _instrStart;
            if (fused == Op.I32AddStore && _prevDstPos >= 0 && _prevStart + 7 == add && _code[_prevStart] == (int)Op.I32Load2
                && IsPair(_prevStart, _code[add + 2], _code[add + 3], ordered: false))
            {
                int dst = _code[add + 1], storeAddr = _code[add + 4], storeOffset = _code[add + 5];
                _len = add;
                while (_slotPositions.Count > 0 && _slotPositions[^1] >= add) _slotPositions.RemoveAt(_slotPositions.Count - 1);
                MergeIntoLoad2(_prevStart, Op.I32Load2AddStore);
                EmitRaw(dst); EmitRaw(storeAddr); Emit(storeOffset);
            }
            return;
        }
        if (op == Op.I32Store && addr.Loc == Loc.Local && LastInstructionIs(Op.GlobalAddImm, 4) && _code[_instrStart + 1] == addr.Index)
        {
            // A prologue: the stack pointer bumped into the frame pointer, then a parameter spilled through it.
            _code[_instrStart] = (int)Op.GlobalAddImmStore;
            EmitSlot(v); Emit((int)offset);
            _lastDstPos = -1;
            if (v.Loc is Loc.Local or Loc.Const) Remember(Encode(addr), offset, op, Encode(v));
            return;
        }
        if (op is Op.I32Store or Op.I64Store && LastInstructionIs(op, 4))
        {
            // Two stores in a row (a prologue spilling its params, a frame written field by field): one dispatch.
            int start = _instrStart;
            _code[start] = (int)(op == Op.I32Store ? Op.I32Store2 : Op.I64Store2);
            EmitSlot(addr); EmitSlot(v); Emit((int)offset);
            _lastDstPos = -1;
        }
        else { Emit(op); EmitSlot(addr); EmitSlot(v); Emit((int)offset); }
        if (known && op is Op.I32Store or Op.I64Store && v.Loc is Loc.Local or Loc.Const) Remember(Encode(addr), offset, op, Encode(v));
    }

    /// <summary>The fused form of <paramref name="producer"/> (an opcode, of a 4-word instruction [op, dst, x, y])
    /// followed by store <paramref name="store"/> of its result, if there is one.</summary>
    private static Op? StoreOfResult(Op store, int producer) => (store, producer) switch
    {
        (Op.I32Store, 0x6A) => Op.I32AddStore,
        (Op.I32Store, 0x73) => Op.I32XorStore,
        (Op.I64Store, 0xA0) => Op.F64AddStore,
        (Op.I64Store, 0xA2) => Op.F64MulStore,
        (Op.I32Store, (int)Op.I32Load) => Op.I32LoadStore,
        _ => null,
    };

    /// <summary>Whether <paramref name="op"/> is one of <see cref="StoreOfResult"/>'s forms, [op, dst, x, y, store
    /// addr, store offset], which store the value they leave in dst.</summary>
    private static bool StoresItsResult(Op op) =>
        op is Op.I32AddStore or Op.I32XorStore or Op.F64AddStore or Op.F64MulStore or Op.I32LoadStore;

    /// <summary>The last instruction, if it is a store whose stored value stays in a slot: its plain store op,
    /// address slot, value slot and offset (all as encoded).</summary>
    private bool LastStore(out Op op, out int addr, out int value, out int offset)
    {
        if (LastInstructionIs(Op.I32Store, 4) || LastInstructionIs(Op.I64Store, 4))
        {
            op = (Op)_code[_instrStart];
            (addr, value, offset) = (_code[_instrStart + 1], _code[_instrStart + 2], _code[_instrStart + 3]);
            return true;
        }
        if (LastInstructionIs(Op.I32Store2, 7) || LastInstructionIs(Op.I64Store2, 7))
        {
            op = _code[_instrStart] == (int)Op.I32Store2 ? Op.I32Store : Op.I64Store;
            (addr, value, offset) = (_code[_instrStart + 4], _code[_instrStart + 5], _code[_instrStart + 6]);
            return true;
        }
        if (_instrStart >= 0 && _instrStart + 6 == _len && StoresItsResult((Op)_code[_instrStart]))
        {
            op = (Op)_code[_instrStart] is Op.F64AddStore or Op.F64MulStore ? Op.I64Store : Op.I32Store;
            (addr, value, offset) = (_code[_instrStart + 4], _code[_instrStart + 1], _code[_instrStart + 5]);
            return true;
        }
        if (LastInstructionIs(Op.I32LoadAddImmStore, 7))
        {
            op = Op.I32Store;
            (addr, value, offset) = (_code[_instrStart + 5], _code[_instrStart + 1], _code[_instrStart + 6]);
            return true;
        }
        if (LastInstructionIs(Op.I32Load2AddStore, 10))
        {
            op = Op.I32Store;
            (addr, value, offset) = (_code[_instrStart + 8], _code[_instrStart + 7], _code[_instrStart + 9]);
            return true;
        }
        op = default;
        addr = value = offset = 0;
        return false;
    }

    /// <summary>If the address was just computed as base + (index &lt;&lt; k), by an i32.shl and an i32.add right after it,
    /// removes both and returns base, index and k. A base that is a local read only here, computed by the
    /// instruction just before as another slot plus a constant (a local array's address in unoptimised code:
    /// fp + 192), is taken over too: that slot becomes the base and the constant the <paramref name="addend"/>.</summary>
    private bool TryTakeScaledAddress(in Operand addr, out int bas, out int index, out int shift, out int addend)
    {
        bas = index = shift = addend = 0;
        if (!IsLastResult(addr) || _code[_lastStart] != 0x6A || _prevDstPos < 0) return false;
        int add = _lastStart, shl = _prevStart;
        if (_code[shl] != 0x74 || (_code[shl + 3] & ConstTag) == 0 || shl + 4 != add) return false;
        int scaled = _code[_prevDstPos];
        if ((scaled & TempTag) == 0) return false;
        int x = _code[add + 2], y = _code[add + 3];
        if (y == scaled && x != scaled) bas = x;
        else if (x == scaled && y != scaled) bas = y;
        else return false;
        index = _code[shl + 2];
        shift = (int)(_constants[_code[shl + 3] & IndexMask] & 31);
        DropLastInstruction(add);
        DropLastInstruction(shl);
        addend = TakeAddImm(ref bas, index);
        return true;
    }

    /// <summary>
    /// If <paramref name="slot"/> (an address part) was computed by the instruction now ending the code as another
    /// slot plus a constant, and nothing else reads it (a temporary, or a local read only here), removes that
    /// instruction, puts its source in <paramref name="slot"/> and returns the constant; else returns 0. A local
    /// array's address in unoptimised code is such a sum: fp + 192. <paramref name="other"/>: the address's other
    /// part, which must not be the slot itself.
    /// </summary>
    private int TakeAddImm(ref int slot, int other)
    {
        if (slot == other || (slot & ConstTag) != 0) return 0;
        int start, dst, end;
        if ((slot & TempTag) != 0)
        {
            if (_lastDstPos < 0 || _lastEnd != _len) return 0;
            (start, dst, end) = (_lastStart, _lastDstPos, _lastEnd);
        }
        else
        {
            var (local, fStart, fDst, fEnd) = _fusedPos >= 0 && _fusedLocal == slot ? (_fusedLocal, _fusedStart, _fusedPos, _fusedEnd) : _earlierFused;
            if (local != slot || slot >= _reads.Length || _reads[slot] != 1) return 0;
            (start, dst, end) = (fStart, fDst, fEnd);
        }
        if (end != _len || start + 4 != end || _code[dst] != slot || _code[start] != (int)Op.I32AddImm) return 0;
        int k = _code[start + 3];
        slot = _code[start + 2];
        _fusedPos = -1;
        _earlierFused.Local = -1;
        DropLastInstruction(start);
        return k;
    }

    /// <summary>If the address was just computed by i32.add (or an add of a constant), removes that instruction and
    /// returns its two operands for a load or store that adds them itself, and a constant to add too (see
    /// <see cref="TakeAddImm"/>).</summary>
    private bool TryTakeAddressAdd(in Operand addr, out int x, out int y, out int addend)
    {
        x = y = addend = 0;
        if (!IsLastResult(addr)) return false;
        int start = _lastStart;
        int op = _code[start];
        if (op == 0x6A)
        {
            x = _code[start + 2];
            y = _code[start + 3];
        }
        else if (op == (int)Op.I32AddImm)
        {
            x = _code[start + 2];
            y = ConstTag | Constant(ValueType.I32, (uint)_code[start + 3]).Index;
        }
        else return false;
        DropLastInstruction(start);
        if (op == 0x6A)
        {
            addend = TakeAddImm(ref x, y);
            if (addend == 0) addend = TakeAddImm(ref y, x);
        }
        return true;
    }

    /// <summary>Whether the I32Load2 at <paramref name="start"/> writes <paramref name="x"/> and <paramref name="y"/>
    /// (two different slots), in this order or, unless <paramref name="ordered"/>, the other.</summary>
    private bool IsPair(int start, int x, int y, bool ordered)
    {
        int d1 = _code[start + 1], d2 = _code[start + 4];
        return d1 != d2 && (x == d1 && y == d2 || !ordered && x == d2 && y == d1);
    }

    /// <summary>The start of the I32Load2 that ends the code and loads <paramref name="x"/> and <paramref name="y"/>
    /// (see <see cref="IsPair"/>), or -1.</summary>
    private int Load2Feeding(int x, int y, bool ordered) =>
        _lastDstPos >= 0 && _lastEnd == _len && _lastStart + 7 == _len && _code[_lastStart] == (int)Op.I32Load2
        && IsPair(_lastStart, x, y, ordered) ? _lastStart : -1;

    /// <summary>The I32Load2 at <paramref name="start"/>, which ends the code, becomes <paramref name="merged"/>,
    /// whose own operands are emitted next.</summary>
    private void MergeIntoLoad2(int start, Op merged)
    {
        _code[start] = (int)merged;
        _instrStart = start;
    }

    /// <summary>Ends a merged producer: it starts at <paramref name="start"/> (not where EmitDst assumes).</summary>
    private Operand EndMerged(int start, ValueType result, int height)
    {
        _lastStart = start;
        _prevDstPos = _prev2DstPos = -1;
        return EndProducer(result, height);
    }

    /// <summary>Removes the last instruction (from <paramref name="start"/>), taken over by its consumer; the
    /// producer before it, if adjacent, is the last instruction again.</summary>
    private void DropLastInstruction(int start)
    {
        _len = start;
        if (_earlierFused.End > start) _earlierFused.Local = -1;
        while (_slotPositions.Count > 0 && _slotPositions[^1] >= start) _slotPositions.RemoveAt(_slotPositions.Count - 1);
        _lastDstPos = _prevDstPos;
        _lastDstHeight = _prevDstHeight;
        _lastStart = _prevStart;
        (_prevDstPos, _prevDstHeight, _prevStart) = (_prev2DstPos, _prev2DstHeight, _prev2Start);
        _prev2DstPos = -1;
        _lastEnd = _len;
        _instrStart = -1;
    }

    /// <summary>An instruction with a destination and immediate/slot operands, e.g. global.get, memory.size.</summary>
    public Operand Produce(Op op, ValueType result, int height, ReadOnlySpan<int> immediatesBefore, ReadOnlySpan<Operand> slots)
    {
        Emit(op); EmitDst(height);
        foreach (var i in immediatesBefore) Emit(i);
        foreach (ref readonly var s in slots) EmitSlot(s);
        return EndProducer(result, height);
    }

    /// <summary>An instruction without a result: immediates, then slots.</summary>
    public void Effect(Op op, ReadOnlySpan<int> immediates, ReadOnlySpan<Operand> slots)
    {
        Emit(op);
        foreach (var i in immediates) Emit(i);
        foreach (ref readonly var s in slots) EmitSlot(s);
    }

    public void GlobalSet(int global, in Operand value)
    {
        if (IsLastResult(value) && _code[_lastStart] == (int)Op.I32AddImm)
        {
            // global = x + k (the stack pointer restored on return)
            int start = _lastStart;
            int src = _code[start + 2], k = _code[start + 3];
            DropLastInstruction(start);
            Emit(Op.GlobalSetAddImm); Emit(global); EmitRaw(src); Emit(k);
            _lastDstPos = -1;
            return;
        }
        // global.get g; add k; (local.tee x;) global.set g: the stack pointer bumped on entry.
        int bumpStart = -1;
        if (IsLastResult(value)) bumpStart = _lastStart;
        else if (value.Loc == Loc.Local && _fusedPos >= 0 && _fusedEnd == _len && _fusedLocal == value.Index && _code[_fusedPos] == value.Index)
            bumpStart = _fusedStart;
        if (bumpStart >= 0 && _code[bumpStart] == (int)Op.GlobalGetAddImm && _code[bumpStart + 2] == global)
        {
            _code[bumpStart] = (int)Op.GlobalAddImm;
            _lastDstPos = -1;
            _instrStart = bumpStart + 4 == _len ? bumpStart : -1; // a store through the new pointer may join it
            return;
        }
        Effect(Op.GlobalSet, [global], [value]);
        _lastDstPos = -1;
    }

    public void Unreachable()
    {
        Emit(Op.Unreachable);
        _jumpEnd = _len;
    }

    public void SimdUnsupported() => Emit(Op.SimdUnsupported);

    // ---- locals ----------------------------------------------------------------------------------

    /// <summary>local.set: <paramref name="stack"/> is the operand stack after popping the value.</summary>
    public void LocalSet(int local, in Operand value, Span<Operand> stack)
    {
        ForgetLocal(local);
        bool pending = false;
        foreach (ref var o in stack)
            if (o.Loc == Loc.Local && o.Index == local) { pending = true; break; }

        if (!pending && value.Loc == Loc.Temp && _lastDstPos >= 0 && _lastEnd == _len && value.Index == _lastDstHeight)
        {
            // Fuse: the producer writes the local directly.
            _code[_lastDstPos] = local;
            if (_fusedPos >= 0) _earlierFused = (_fusedLocal, _fusedStart, _fusedPos, _fusedEnd);
            _fusedPos = _lastDstPos;
            _fusedStart = _lastStart;
            _fusedLocal = local;
            _fusedEnd = _len;
            _lastDstPos = -1;
            return;
        }
        if (!pending && value.Loc == Loc.Temp && LastStore(out var storeOp, out int storeAddr, out int stored, out _)
            && _code[_instrStart] is (int)Op.I32Store or (int)Op.I64Store && stored == Encode(value) && storeAddr != local
            && _lastDstPos >= 0 && _lastEnd == _instrStart && _code[_lastDstPos] == stored)
        {
            // x = (y = expr) through memory: the value stored just now, reloaded (forwarded) into a local. The
            // producer writes the local and the store stores it, so no move is needed.
            _code[_lastDstPos] = local;
            _code[_instrStart + 2] = local;
            _lastDstPos = -1;
            if ((storeAddr & TempTag) == 0) Remember(storeAddr, (uint)_code[_instrStart + 3], storeOp, local);
            return;
        }
        if (!pending && value.Loc == Loc.Temp && LastStore(out storeOp, out storeAddr, out stored, out int storedAt)
            && (StoresItsResult((Op)_code[_instrStart]) || _code[_instrStart] == (int)Op.I32Load2AddStore) && stored == Encode(value) && storeAddr != local)
        {
            // The same through an operation that stores its own result: it writes the local and stores it.
            _code[_instrStart + (_code[_instrStart] == (int)Op.I32Load2AddStore ? 7 : 1)] = local;
            if ((storeAddr & TempTag) == 0) Remember(storeAddr, (uint)storedAt, storeOp, local);
            return;
        }
        if (pending) MaterializeLocal(local, stack);
        if (value.Loc == Loc.Local && value.Index == local) return;
        // A move right after a producer (or after other such moves) leaves the producer takeable (TryTakeCompare).
        bool chained = _lastDstPos >= 0 && (_lastEnd == _len || _movesEnd == _len);
        if (LastInstructionIs(Op.Copy, 3) && _code[_instrStart + 1] != Encode(value))
        {
            // Two moves in a row (phi moves before a loop's back edge): one Copy2, which reads both sources first,
            // the same as in order since the second does not read what the first wrote.
            _code[_instrStart] = (int)Op.Copy2;
            Emit(local); EmitSlot(value);
        }
        else { Emit(Op.Copy); Emit(local); EmitSlot(value); }
        if (chained) _movesEnd = _len;
        else _lastDstPos = -1;
    }

    /// <summary>
    /// When the instruction just emitted writes <paramref name="local"/> (a fused local.set) and the caller knows
    /// this read is the local's last, the write is dead: the instruction writes a temporary at
    /// <paramref name="height"/> instead, and later fusions (compare-and-branch, local.set) see it as a fresh result.
    /// </summary>
    public bool TryReclaimLocal(int local, int height, ValueType type, out Operand temp)
    {
        temp = default;
        // The fused instruction must still be the last one: anything after it could write the temporary.
        if (_fusedPos < 0 || _fusedLocal != local || _fusedEnd != _len || _code[_fusedPos] != local) return false;
        _code[_fusedPos] = TempTag | height;
        NoteHeight(height + 1);
        _lastDstPos = _fusedPos;
        _lastStart = _fusedStart;
        _lastDstHeight = height;
        _fusedPos = -1;
        temp = new Operand(type, Loc.Temp, height);
        return true;
    }

    /// <summary>Copies every pending read of <paramref name="local"/> into its own temporary.</summary>
    private void MaterializeLocal(int local, Span<Operand> stack)
    {
        for (int h = 0; h < stack.Length; h++)
        {
            ref var o = ref stack[h];
            if (o.Loc == Loc.Local && o.Index == local) Materialize(ref o, h);
        }
    }

    private void Materialize(ref Operand o, int height)
    {
        if (o.Loc == Loc.Temp && o.Index == height) return;
        Emit(Op.Copy); EmitTemp(height); EmitSlot(o);
        o = new Operand(o.Type, Loc.Temp, height);
        _lastDstPos = -1;
    }

    /// <summary>On entry to a block: no local read may stay pending across control flow.</summary>
    public void MaterializeLocals(Span<Operand> stack)
    {
        for (int h = 0; h < stack.Length; h++)
            if (stack[h].Loc == Loc.Local) Materialize(ref stack[h], h);
    }

    /// <summary>Puts every operand from <paramref name="from"/> up in its own slot (block params, call args).</summary>
    public void MaterializeFrom(Span<Operand> stack, int from)
    {
        for (int h = from; h < stack.Length; h++)
            Materialize(ref stack[h], h);
    }

    // ---- labels and branches ---------------------------------------------------------------------

    public int NewLabel()
    {
        _labelPc.Add(-1);
        _labelFixups.Add(null);
        return _labelPc.Count - 1;
    }

    /// <summary>Binds a loop's label at its head and watches the head for a conditional exit (loop rotation).</summary>
    public void BindLoop(int label)
    {
        Bind(label, backward: true);
        _openLoop = label;
        _openLoopStart = _len;
    }

    /// <summary>Whether some branch waits for <paramref name="label"/> (forward labels only).</summary>
    public bool HasBranches(int label) => _labelFixups[label] is { Count: > 0 };

    /// <summary>Places <paramref name="label"/> here. A label no branch reaches (nothing waiting for it, and not a
    /// loop's, which <paramref name="backward"/> branches will reach) joins nothing: the code runs straight on,
    /// so what the translator knows about the instructions before it stays valid and fusions may span it.</summary>
    public void Bind(int label, bool backward = false)
    {
        if (_lastBrPos >= 0 && _lastBrPos + 2 == _len && _lastBrLabel == label)
        {
            // br to the very next instruction (the exit of a rotated loop head, mostly): nothing to do.
            var fixups = _labelFixups[label]!;
            fixups.RemoveAt(fixups.Count - 1);
            _len = _lastBrPos;
        }
        else if (_lastBrPos >= 0 && _lastBrPos + 2 == _len && _condEnd == _lastBrPos
                 && _labelFixups[label] is { Count: > 0 } waiting && waiting[^1] == _condEnd - 1)
            JumpOverBr(label);
        _lastBrPos = -1;
        _openLoop = -1;
        int pc = _len;
        _labelPc[label] = pc;
        if (_jumpEnd != pc) _fallenInto.Add(label);
        var fix = _labelFixups[label];
        _labelFixups[label] = null;
        if (!backward && fix is not { Count: > 0 }) return;
        if (fix is not null)
            foreach (var pos in fix) _code[pos] = pc - pos;
        _condEnd = -1; // branches reach here: a Br placed here next is a target, not only a fallthrough
        _known.Clear();
        _lastDstPos = -1;
        _fusedPos = -1;
        _instrStart = -1;
    }

    /// <summary>
    /// <c>br_if L1 (c); br L2; L1:</c> becomes <c>br_if L2 (!c)</c>: one dispatch fewer on the path that used to
    /// jump (unoptimised code writes <c>if (x) continue;</c> so). <paramref name="label"/> is L1, being bound.
    /// </summary>
    private void JumpOverBr(int label)
    {
        int brLabel = _lastBrLabel;
        if (_labelPc[brLabel] < 0) _labelFixups[brLabel]!.RemoveAt(_labelFixups[brLabel]!.Count - 1);
        _labelFixups[label]!.RemoveAt(_labelFixups[label]!.Count - 1);
        _len = _condEnd - 1; // the Br and the old target
        _code[_condStart] = (int)Negated((Op)_code[_condStart]);
        EmitTarget(brLabel);
        _instrStart = -1;
        _lastDstPos = -1;
        _fusedPos = -1;
        // A loop head ending in this branch now branches to L2 (it still ends where it did).
        foreach (var (loop, head) in _loopHeads)
            if (head.CondStart == _condStart)
            {
                if (brLabel == loop) _loopHeads.Remove(loop);
                else _loopHeads[loop] = head with { Target = brLabel, IntoBody = brLabel > loop };
                break;
            }
        _condEnd = -1;
    }

    /// <summary>A branch target, stored relative to the operand's own position so the executor needs no code
    /// base: <c>ip = &amp;operand + operand</c>.</summary>
    private void EmitTarget(int label)
    {
        int pc = _labelPc[label];
        if (pc >= 0) { Emit(pc - _len); return; }
        (_labelFixups[label] ??= new List<int>()).Add(_len);
        Emit(-1);
    }

    /// <summary>Whether moving <paramref name="values"/> to the slots from <paramref name="destHeight"/> needs code.</summary>
    private static bool NeedsCopies(ReadOnlySpan<Operand> values, int destHeight)
    {
        for (int i = 0; i < values.Length; i++)
            if (values[i].Loc != Loc.Temp || values[i].Index != destHeight + i) return true;
        return false;
    }

    /// <summary>Moves branch values into the target's slots. Sources at or above the destinations are read
    /// before they are overwritten (temporaries only move down), so ascending order is safe.</summary>
    private void EmitCopies(ReadOnlySpan<Operand> values, int destHeight)
    {
        for (int i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (v.Loc == Loc.Temp && v.Index == destHeight + i) continue;
            Emit(Op.Copy); EmitTemp(destHeight + i); EmitSlot(v);
        }
        _lastDstPos = -1;
    }

    /// <summary>Writes values into a block's result slots at its end (fallthrough); updates the stack entries.</summary>
    public void PlaceResults(Span<Operand> values, int destHeight)
    {
        EmitCopies(values, destHeight);
        for (int i = 0; i < values.Length; i++) values[i] = new Operand(values[i].Type, Loc.Temp, destHeight + i);
    }

    public void Branch(int label, ReadOnlySpan<Operand> values, int destHeight)
    {
        EmitCopies(values, destHeight);
        _openLoop = -1;
        if (_loopHeads.TryGetValue(label, out var head))
        {
            EmitLoopHead(head);
            return;
        }
        int at = _len;
        Emit(Op.Br); EmitTarget(label);
        _jumpEnd = _len;
        _lastBrPos = at;
        _lastBrLabel = label;
    }

    /// <summary>A back edge of a rotated loop: the head's instructions again, then its exit condition negated to
    /// jump into the body, then the exit itself (removed if the exit label comes next).</summary>
    private void EmitLoopHead(LoopHead head)
    {
        _known.Clear(); // the copied head may store; nothing follows it but a label
        int from = head.Start, c = head.CondStart;
        // A head that reloads the variable the back edge just stored (i++; i < n) has it in place already: a
        // load first in the head is left out, and so is the (first) load of a head that is one fused branch.
        int inPlace = 0;
        if (LastStore(out var storeOp, out int storeAddr, out int value, out int storeOffset) && (storeAddr & TempTag) == 0)
        {
            if (c - from >= 4 && _code[from] is (int)Op.I32Load or (int)Op.I64Load
                && storeOp == (Op)_code[from] - Op.I32Load + Op.I32Store
                && storeAddr == _code[from + 2] && storeOffset == _code[from + 3] && value == _code[from + 1])
                from += 4;
            else if (c == from && storeOp == Op.I32Store)
            {
                var fused = (Op)_code[c];
                if (fused is >= Op.BrI32EqLoad and <= Op.BrI32GeULoad
                    && storeAddr == _code[c + 3] && storeOffset == _code[c + 4] && value == _code[c + 2])
                    inPlace = 1;
                else if (fused is >= Op.BrI32EqLoad2 and <= Op.BrI32GeULoad2
                         && storeAddr == _code[c + 2] && storeOffset == _code[c + 3] && value == _code[c + 1])
                    inPlace = 2;
            }
        }
        int words = c - from;
        if (_len + words > _code.Length) Array.Resize(ref _code, Math.Max(_code.Length * 2, _len + words + 16));
        int at = _len;
        _code.AsSpan(from, words).CopyTo(_code.AsSpan(at));
        // Relocate the copied slot operands too (positions are ascending).
        int first = _slotPositions.Count;
        while (first > 0 && _slotPositions[first - 1] >= from) first--;
        for (int i = first; i < _slotPositions.Count && _slotPositions[i] < c; i++)
            _slotPositions.Add(_slotPositions[i] - from + at);
        _len += words;
        // A branch to a label inside the loop enters the body when the code it skips leaves the loop (the head
        // falls through to an exit); when that code runs on into the label (a && b), the branch is the rare way.
        if (head.IntoBody && _labelPc[head.Target] >= 0 && !_fallenInto.Contains(head.Target))
        {
            // The head's branch enters the body: the same branch, then a jump to where the head falls through.
            EmitCondCopy(c, negate: false, inPlace);
            EmitTarget(head.Target);
            Emit(Op.Br);
            Emit(head.End - _len);
            _jumpEnd = _len;
            _lastDstPos = -1;
            return;
        }
        EmitCondCopy(c, negate: true, inPlace);
        Emit(head.End - _len);
        _lastDstPos = -1;
        Branch(head.Target, [], 0);
    }

    /// <summary>Emits the conditional branch at <paramref name="c"/> again (negated if asked), all but its target.
    /// <paramref name="inPlace"/>: 1 when a fused load's value is already in its slot (the plain compare-and-branch
    /// does), 2 when the first of a fused pair's is (the single-load form does).</summary>
    private void EmitCondCopy(int c, bool negate, int inPlace)
    {
        var op = (Op)_code[c];
        if (negate) op = Negated(op);
        switch (op)
        {
            case >= Op.BrI32EqLoad2 and <= Op.BrI32GeULoad2 when inPlace == 2:
                Emit(Op.BrI32EqLoad + (op - Op.BrI32EqLoad2)); EmitRaw(_code[c + 1]); EmitRaw(_code[c + 4]); EmitRaw(_code[c + 5]); Emit(_code[c + 6]);
                break;
            case >= Op.BrI32EqLoad2 and <= Op.BrI32GeULoad2:
                Emit(op); EmitRaw(_code[c + 1]); EmitRaw(_code[c + 2]); Emit(_code[c + 3]); EmitRaw(_code[c + 4]); EmitRaw(_code[c + 5]); Emit(_code[c + 6]);
                break;
            case >= Op.BrI32EqLoad and <= Op.BrI32GeULoad when inPlace == 1:
                Emit(Op.BrI32Eq + (op - Op.BrI32EqLoad)); EmitRaw(_code[c + 1]); EmitRaw(_code[c + 2]);
                break;
            case >= Op.BrI32EqLoad and <= Op.BrI32GeULoad:
                Emit(op); EmitRaw(_code[c + 1]); EmitRaw(_code[c + 2]); EmitRaw(_code[c + 3]); Emit(_code[c + 4]);
                break;
            case Op.BrIfNez or Op.BrIfEqz:
                Emit(op); EmitRaw(_code[c + 1]);
                break;
            default:
                Emit(op); EmitRaw(_code[c + 1]); EmitRaw(_code[c + 2]);
                break;
        }
    }

    /// <summary>The conditional branch taken exactly when <paramref name="op"/> is not.</summary>
    private static Op Negated(Op op)
    {
        switch (op)
        {
            case Op.BrIfNez: return Op.BrIfEqz;
            case Op.BrIfEqz: return Op.BrIfNez;
            case >= Op.BrI32EqLoad2 and <= Op.BrI32GeULoad2: return Op.BrI32EqLoad2 + NegatedIntCompare(op - Op.BrI32EqLoad2);
            case >= Op.BrI32EqLoad and <= Op.BrI32GeULoad: return Op.BrI32EqLoad + NegatedIntCompare(op - Op.BrI32EqLoad);
            case Op.BrI32AndZ: return Op.BrI32AndNz;
            case Op.BrI32AndNz: return Op.BrI32AndZ;
            case >= Op.BrI32Eq and <= Op.BrI64GeU:
            {
                bool is64 = op >= Op.BrI64Eq;
                int cmp = op - (is64 ? Op.BrI64Eq : Op.BrI32Eq);
                return (is64 ? Op.BrI64Eq : Op.BrI32Eq) + NegatedIntCompare(cmp);
            }
            case Op.BrF32Eq: return Op.BrF32Ne;
            case Op.BrF32Ne: return Op.BrF32Eq;
            case Op.BrF64Eq: return Op.BrF64Ne;
            case Op.BrF64Ne: return Op.BrF64Eq;
            case >= Op.BrF32Lt and <= Op.BrF32Ge: return Op.BrF32NotLt + (op - Op.BrF32Lt);
            case >= Op.BrF64Lt and <= Op.BrF64Ge: return Op.BrF64NotLt + (op - Op.BrF64Lt);
            case >= Op.BrF32NotLt and <= Op.BrF32NotGe: return Op.BrF32Lt + (op - Op.BrF32NotLt);
            case >= Op.BrF64NotLt and <= Op.BrF64NotGe: return Op.BrF64Lt + (op - Op.BrF64NotLt);
            default: throw new InvalidOperationException($"not a conditional branch: {op}");
        }
    }

    public void BranchIf(in Operand cond, int label, ReadOnlySpan<Operand> values, int destHeight)
    {
        if (!NeedsCopies(values, destHeight))
        {
            EmitCondBranch(cond, whenZero: false, label);
            return;
        }
        int skip = NewLabel();
        EmitCondBranch(cond, whenZero: true, skip);
        Branch(label, values, destHeight);
        Bind(skip);
    }

    /// <summary>if: jumps to <paramref name="label"/> when the condition is zero.</summary>
    public void BranchIfZero(in Operand cond, int label) => EmitCondBranch(cond, whenZero: true, label);

    /// <summary>br_table: <paramref name="labels"/> and <paramref name="destHeights"/> per entry, the default
    /// last; every label takes the top <paramref name="values"/>. Targets that need copies go through stubs
    /// placed after the table (the code after br_table is unreachable).</summary>
    public void BranchTable(in Operand index, ReadOnlySpan<int> labels, ReadOnlySpan<int> destHeights, ReadOnlySpan<Operand> values)
    {
        _openLoop = -1;
        Emit(Op.BrTable); EmitSlot(index); Emit(labels.Length - 1);
        var stubs = new List<(int Stub, int Entry)>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (NeedsCopies(values, destHeights[i]))
            {
                int stub = NewLabel();
                stubs.Add((stub, i));
                EmitTarget(stub);
            }
            else EmitTarget(labels[i]);
        }
        _jumpEnd = _len;
        foreach (var (stub, i) in stubs)
        {
            Bind(stub);
            Branch(labels[i], values, destHeights[i]);
        }
        _lastDstPos = -1;
    }

    public void Return(ReadOnlySpan<Operand> values)
    {
        _openLoop = -1;
        switch (values.Length)
        {
            case 0: Emit(Op.Return0); break;
            case 1:
                if (LastInstructionIs(Op.GlobalSetAddImm, 4))
                {
                    // An unoptimised function's epilogue (stack pointer restored, then return): one dispatch.
                    _code[_instrStart] = (int)Op.GlobalSetAddImmReturn1;
                    EmitSlot(values[0]);
                }
                else { Emit(Op.Return1); EmitSlot(values[0]); }
                break;
            default:
                Emit(Op.ReturnN); Emit(values.Length);
                foreach (ref readonly var v in values) EmitSlot(v);
                break;
        }
        _jumpEnd = _len;
        _lastDstPos = -1;
    }

    // ---- calls -----------------------------------------------------------------------------------

    /// <summary>A call. The callee's frame starts at the slot of <paramref name="argHeight"/>; the instruction
    /// lists where each argument is, and the call itself moves them into place (no copy instruction per
    /// argument). Results come back in the same slots, except that a single result goes to the instruction's
    /// result slot: the temporary at <paramref name="argHeight"/> until a local.set takes it over.</summary>
    public void Call(int function, int argHeight, ReadOnlySpan<Operand> args, int resultCount)
    {
        int start = _len;
        Emit(Op.Call); Emit(function); EmitTemp(argHeight);
        EmitCallTail(start, args, argHeight, resultCount);
    }

    public void CallIndirect(int typeIndex, int table, in Operand element, int argHeight, ReadOnlySpan<Operand> args, int resultCount)
    {
        int start = _len;
        Emit(Op.CallIndirect); Emit(typeIndex); Emit(table); EmitSlot(element); EmitTemp(argHeight);
        EmitCallTail(start, args, argHeight, resultCount);
    }

    /// <summary>[result slot, n, args...]; a single result makes the call the last producer.</summary>
    private void EmitCallTail(int start, ReadOnlySpan<Operand> args, int argHeight, int resultCount)
    {
        int resultPos = _len;
        EmitTemp(argHeight);
        Emit(args.Length);
        foreach (ref readonly var a in args) EmitSlot(a);
        NoteHeight(argHeight + Math.Max(args.Length, resultCount));
        _prevDstPos = _prev2DstPos = -1;
        if (resultCount == 1)
        {
            _lastStart = start;
            _lastDstPos = resultPos;
            _lastDstHeight = argHeight;
            _lastEnd = _len;
        }
        else _lastDstPos = -1;
    }

    // ---- finish ----------------------------------------------------------------------------------

    public CompiledFunction Finish(FunctionType type, int index, int[] zeroSlots)
    {
        // Keep only the constants some instruction still reads (folding into immediates and dead code drop
        // others), so that frame entry copies no more than needed.
        var newIndex = new int[_constants.Count];
        Array.Fill(newIndex, -1);
        var used = new List<ulong>();
        foreach (int pos in _slotPositions)
        {
            int v = _code[pos];
            if ((v & ConstTag) == 0) continue;
            int c = v & IndexMask;
            if (newIndex[c] < 0)
            {
                newIndex[c] = used.Count;
                used.Add(_constants[c]);
            }
        }
        int constBase = _paramCount + _localCount;
        int tempBase = constBase + used.Count;
        var code = GC.AllocateUninitializedArray<int>(_len, pinned: true);
        _code.AsSpan(0, _len).CopyTo(code);
        foreach (int pos in _slotPositions)
        {
            int v = code[pos];
            if ((v & TempTag) != 0) code[pos] = tempBase + (v & IndexMask);
            else if ((v & ConstTag) != 0) code[pos] = constBase + newIndex[v & IndexMask];
        }
        var fn = new CompiledFunction
        {
            Type = type,
            Index = index,
            Code = code,
            Constants = used.ToArray(),
            ParamCount = _paramCount,
            LocalCount = _localCount,
            ZeroSlots = zeroSlots,
            FrameSize = tempBase + _maxHeight + 1,
        };
#if WASMSHARP_OPSTATS
        OpStats.Register(fn);
#endif
        return fn;
    }

    internal static Span<Operand> AsSpan(List<Operand> list) => CollectionsMarshal.AsSpan(list);
}
