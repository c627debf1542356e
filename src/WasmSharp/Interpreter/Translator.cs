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
/// This file holds the state and the helpers every part uses; the instructions are by concern in the other
/// Translator.*.cs files (arithmetic, memory, locals, branches).
/// </summary>
internal sealed partial class Translator
{
    private const int TempTag = 1 << 30;
    private const int ConstTag = 1 << 29;
    private const int IndexMask = ConstTag - 1;

    private int[] _code = new int[256];
    private int _len;
    private readonly List<int> _slotPositions = new();
    private readonly List<ulong> _constants = new();
    /// <summary>The high half of each constant (0 but for v128s), parallel to <see cref="_constants"/>.</summary>
    private readonly List<ulong> _constantHighs = new();
    private readonly Dictionary<ulong, int> _constantIds = new();
    private readonly Dictionary<(ulong, ulong), int> _v128Ids = new();
    private int _maxHeight;

    // Labels: bound pc (or -1) and the code positions waiting for it.
    private readonly List<int> _labelPc = new();
    private readonly List<List<int>?> _labelFixups = new();
    // Store-to-load forwarding (_known) is in Translator.Memory.cs; loop rotation's state in Translator.Branches.cs.

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
        _constantHighs.Clear();
        _constantIds.Clear();
        _v128Ids.Clear();
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
        if (_known.Count > 0 && !OpInfo.KeepsMemoryFacts(op)) _known.Clear();
        Emit((int)op);
    }

    /// <summary>A local is written: what was known to be stored as its value, or at its address, is no longer.</summary>
    private void ForgetLocal(int local)
    {
        for (int i = _known.Count - 1; i >= 0; i--)
            if (_known[i].Addr == local || _known[i].Value == local) _known.RemoveAt(i);
    }

    /// <summary>Whether the last instruction emitted is <paramref name="op"/> and still ends the code.</summary>
    private bool LastInstructionIs(Op op) =>
        _instrStart >= 0 && _instrStart + OpInfo.Length(op) == _len && _code[_instrStart] == (int)op;

    /// <summary>The last instruction emitted, if it still ends the code whole.</summary>
    private Op? LastInstruction =>
        _instrStart >= 0 && _instrStart + OpInfo.Length((Op)_code[_instrStart]) == _len ? (Op)_code[_instrStart] : null;

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
            _constantHighs.Add(0);
            _constantIds.Add(bits, id);
        }
        return new Operand(type, Loc.Const, id);
    }

    /// <summary>A v128 constant: one slot, like any constant, holding both halves.</summary>
    public Operand ConstantV128(ulong low, ulong high)
    {
        if (!_v128Ids.TryGetValue((low, high), out int id))
        {
            id = _constants.Count;
            _constants.Add(low);
            _constantHighs.Add(high);
            _v128Ids.Add((low, high), id);
        }
        return new Operand(ValueType.V128, Loc.Const, id);
    }

    public static Operand Local(int index, ValueType type) => new(type, Loc.Local, index);

    /// <summary>Re-emits an already encoded slot operand, keeping it in the relocation list if tagged.</summary>
    private void EmitRaw(int slot)
    {
        if ((slot & (TempTag | ConstTag)) != 0) _slotPositions.Add(_len);
        Emit(slot);
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
            int src = _code[start + Layout.I32AddImm.A], k = _code[start + Layout.I32AddImm.Imm];
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
        if (bumpStart >= 0 && _code[bumpStart] == (int)Op.GlobalGetAddImm && _code[bumpStart + Layout.GlobalGetAddImm.Global] == global)
        {
            _code[bumpStart] = (int)Op.GlobalAddImm;
            _lastDstPos = -1;
            _instrStart = bumpStart + Layout.GlobalAddImm.Length == _len ? bumpStart : -1; // a store through the new pointer may join it
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
        var frameConstants = new List<ulong>();
        foreach (int pos in _slotPositions)
        {
            int v = _code[pos];
            if ((v & ConstTag) == 0) continue;
            int c = v & IndexMask;
            if (newIndex[c] < 0)
            {
                newIndex[c] = used.Count;
                used.Add(_constants[c]);
                frameConstants.Add(_constants[c]);
                frameConstants.Add(_constantHighs[c]);
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
        // Slot operands become word offsets (every slot is two words), so handlers index the frame with them.
        for (int pc = 0; pc < code.Length; pc += OpInfo.LengthAt(code, pc))
            for (int at = pc + 1, end = pc + OpInfo.LengthAt(code, pc); at < end; at++)
                if (OpInfo.IsSlot(code, pc, at)) code[at] *= CompiledFunction.SlotWords;
        var fn = new CompiledFunction
        {
            Type = type,
            Index = index,
            Code = code,
            Constants = used.ToArray(),
            FrameConstants = frameConstants.ToArray(),
            ParamCount = _paramCount,
            LocalCount = _localCount,
            ZeroSlots = Array.ConvertAll(zeroSlots, z => z * CompiledFunction.SlotWords),
            FrameSize = tempBase + _maxHeight + 1,
        };
#if WASMSHARP_OPSTATS
        OpStats.Register(fn);
#endif
        return fn;
    }

    internal static Span<Operand> AsSpan(List<Operand> list) => CollectionsMarshal.AsSpan(list);
}
