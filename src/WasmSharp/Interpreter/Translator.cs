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
internal struct Operand : Validation.IStackValue<Operand>
{
    public ValueType Type { get; set; }
    public Loc Loc;
    /// <summary>Local index, constant index or stack height, per <see cref="Loc"/>.</summary>
    public int Index;

    public static Operand Typed(ValueType type) => new(type, Loc.None, 0);

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
/// Translator.*.cs files (arithmetic, memory, locals, branches), and what the peephole rules know of the code just
/// emitted in Translator.Recent.cs.
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

    /// <summary>The last instructions emitted, as the peephole rules see them (Translator.Recent.cs).</summary>
    private readonly RecentInstructions _recent = new();

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
        _recent.Clear();
        _openTries.Clear();
        _legacyTries.Clear();
        _handlers.Clear();
        _tryDepth = 0;
        _exceptionSlots = 0;
        _legacyDepth = 0;
        _rethrown.Clear();
        _paramCount = paramCount;
        _localCount = localCount;
    }

    public int Pc => _len;

    private void Emit(int v)
    {
        if (_len == _code.Length) Array.Resize(ref _code, _len * 2);
        _code[_len++] = v;
        _recent.Extend(_len);
    }

    /// <summary>Starts instruction <paramref name="op"/>: see <see cref="RecentInstructions.Push"/>.</summary>
    private void Emit(Op op, bool keepsProducer = false)
    {
        if (_known.Count > 0 && !OpInfo.KeepsMemoryFacts(op)) _known.Clear();
        _recent.Push(op, _len, keepsProducer);
        Emit((int)op);
    }

    /// <summary>A local is written: what was known to be stored as its value, or at its address, is no longer.</summary>
    private void ForgetLocal(int local)
    {
        for (int i = _known.Count - 1; i >= 0; i--)
            if (_known[i].Addr == local || _known[i].Value == local) _known.RemoveAt(i);
    }

    /// <summary>Whether the last instruction is <paramref name="op"/> and a superinstruction may merge into it.</summary>
    private bool LastInstructionIs(Op op) => _recent.Mergeable?.Op == op;

    /// <summary>The last instruction, if a superinstruction may merge into it.</summary>
    private Op? LastInstruction => _recent.Mergeable?.Op;

    /// <summary>Whether <paramref name="o"/> is the temporary the last instruction just wrote.</summary>
    private bool IsLastResult(in Operand o) => o.Loc == Loc.Temp && _recent.LastProducer is { } p && o.Index == p.Height;

    /// <summary>The last instruction writes the temporary at <paramref name="height"/> instead of its own (a lower
    /// slot nothing live occupies); the operand is already in the relocation list.</summary>
    private void MoveLastResult(int height)
    {
        var p = _recent.Last!;
        _code[p.Dst] = TempTag | height;
        p.Height = height;
    }

    /// <summary>The last instruction becomes <paramref name="op"/> (a merge: its operands stay where they are); a fused
    /// local write it had is forgotten (<see cref="Emitted.Local"/>).</summary>
    private void Rewrite(Op op)
    {
        var last = _recent.Last!;
        _code[last.Start] = (int)op;
        last.Op = op;
        last.Local = -1;
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

    /// <summary>Emits the last instruction's destination, the temporary at <paramref name="height"/>: it is the producer.</summary>
    private void EmitDst(int height)
    {
        _recent.SetProducer(_recent.Last!, _len, height);
        EmitTemp(height);
    }

    private static Operand Temp(ValueType type, int height) => new(type, Loc.Temp, height);

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

    /// <summary>Removes the code from <paramref name="start"/> (where an instruction starts): the last instruction or
    /// instructions, taken over by their consumer, or a jump to the next instruction.</summary>
    private void Remove(int start)
    {
        _len = start;
        while (_slotPositions.Count > 0 && _slotPositions[^1] >= start) _slotPositions.RemoveAt(_slotPositions.Count - 1);
        _recent.RemoveFrom(start);
    }

    /// <summary>An instruction with a destination and immediate/slot operands, e.g. global.get, memory.size.</summary>
    public Operand Produce(Op op, ValueType result, int height, ReadOnlySpan<int> immediatesBefore, ReadOnlySpan<Operand> slots)
    {
        Emit(op); EmitDst(height);
        foreach (var i in immediatesBefore) Emit(i);
        foreach (ref readonly var s in slots) EmitSlot(s);
        return Temp(result, height);
    }

    /// <summary>Makes <paramref name="memory"/> the one memory instructions act on (multi-memory: around each
    /// instruction on another memory than 0). As an instruction that is no producer and keeps no memory facts, it
    /// also keeps the access it precedes from fusing with what came before, and the next one from fusing with it.</summary>
    public void UseMemory(int memory)
    {
        Emit(Op.UseMemory);
        Emit(memory);
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
        if (IsLastResult(value) && _recent.Last!.Op == Op.I32AddImm)
        {
            // global = x + k (the stack pointer restored on return)
            int start = _recent.Last.Start;
            int src = _code[start + Layout.I32AddImm.A], k = _code[start + Layout.I32AddImm.Imm];
            Remove(start);
            Emit(Op.GlobalSetAddImm); Emit(global); EmitRaw(src); Emit(k);
            return;
        }
        // global.get g; add k; (local.tee x;) global.set g: the stack pointer bumped on entry.
        var bump = IsLastResult(value) || (value.Loc == Loc.Local && _recent.Last?.Local == value.Index) ? _recent.Last : null;
        if (bump is { Op: Op.GlobalGetAddImm } && _code[bump.Start + Layout.GlobalGetAddImm.Global] == global)
        {
            Rewrite(Op.GlobalAddImm);
            bump.Uncovered = false; // a store through the new pointer may join it
            _recent.EndProducer();
            return;
        }
        Effect(Op.GlobalSet, [global], [value]);
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
        Emit(HasV128(args) ? Op.CallV128 : Op.Call); Emit(function); EmitTemp(argHeight);
        EmitCallTail(args, argHeight, resultCount);
    }

    public void CallIndirect(int typeIndex, int table, in Operand element, int argHeight, ReadOnlySpan<Operand> args, int resultCount)
    {
        Emit(HasV128(args) ? Op.CallIndirectV128 : Op.CallIndirect); Emit(typeIndex); Emit(table); EmitSlot(element); EmitTemp(argHeight);
        EmitCallTail(args, argHeight, resultCount);
    }

    /// <summary>return_call: the arguments move to the frame's first slots and the callee takes the frame over.</summary>
    public void ReturnCall(int function, ReadOnlySpan<Operand> args)
    {
        Emit(Op.ReturnCall); Emit(function); Emit(args.Length);
        foreach (ref readonly var a in args) EmitSlot(a);
        _jumpEnd = _len;
    }

    public void ReturnCallIndirect(int typeIndex, int table, in Operand element, ReadOnlySpan<Operand> args)
    {
        Emit(Op.ReturnCallIndirect); Emit(typeIndex); Emit(table); EmitSlot(element); Emit(args.Length);
        foreach (ref readonly var a in args) EmitSlot(a);
        _jumpEnd = _len;
    }

    private static bool HasV128(ReadOnlySpan<Operand> args)
    {
        foreach (ref readonly var a in args)
            if (a.Type == ValueType.V128) return true;
        return false;
    }

    /// <summary>[result slot, n, args...]; a single result makes the call the producer.</summary>
    private void EmitCallTail(ReadOnlySpan<Operand> args, int argHeight, int resultCount)
    {
        int resultPos = _len;
        EmitTemp(argHeight);
        Emit(args.Length);
        foreach (ref readonly var a in args) EmitSlot(a);
        NoteHeight(argHeight + Math.Max(args.Length, resultCount));
        var call = _recent.Last!;
        call.Below = 0;
        if (resultCount == 1) _recent.SetProducer(call, resultPos, argHeight);
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
        bool wide = _v128Ids.Count > 0; // both words of every constant, else only the low ones
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
                if (wide) frameConstants.Add(_constantHighs[c]);
            }
        }
        // Legacy catches' exception slots follow the locals (EnterLegacyTry).
        int constBase = _paramCount + _localCount + _exceptionSlots;
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
            WideConstants = wide,
            ParamCount = _paramCount,
            LocalCount = _localCount + _exceptionSlots,
            ZeroSlots = Array.ConvertAll(zeroSlots, z => z * CompiledFunction.SlotWords),
            FrameSize = tempBase + _maxHeight + 1,
            Handlers = FinishHandlers(tempBase),
        };
#if WASMSHARP_OPSTATS
        OpStats.Register(fn);
#endif
        return fn;
    }
}
