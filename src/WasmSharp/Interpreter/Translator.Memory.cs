namespace WasmSharp.Interpreter;

/// <summary>Loads and stores: address arithmetic taken over, store-to-load forwarding, and the -O0 frame shapes.</summary>
internal sealed partial class Translator
{
    // Store-to-load forwarding: what straight-line code stored at a local or constant address, as a local or
    // constant. An entry dies when its address or value local is written, when memory may change otherwise
    // (a store elsewhere, a call, bulk memory) and at every label.
    private readonly record struct Known(int Addr, int Offset, Op StoreOp, int Value);
    private readonly List<Known> _known = new();

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
            Emit(OpInfo.AddForm(op)!.Value); EmitDst(height); EmitRaw(x); EmitRaw(y); Emit(addend2); Emit((int)offset);
            return EndProducer(result, height);
        }
        if (op is Op.I32Load8U or Op.I32Load8S && addr.Loc is Loc.Local or Loc.Const
            && (LastInstructionIs(Op.I32Load8UStore8) || LastInstructionIs(Op.I32Load8SStore8)))
        {
            // A byte just copied to this address, read back: the copy's loaded byte, extended as asked (its only
            // reader so far, the store, takes the low byte either way).
            int c = _instrStart;
            if (_code[c + Layout.I32Load8UStore8.StoreAddr] == Encode(addr) && _code[c + Layout.I32Load8UStore8.StoreOffset] == (int)offset
                && _code[c + Layout.I32Load8UStore8.Dst] == (TempTag | height))
            {
                _code[c] = (int)(op == Op.I32Load8U ? Op.I32Load8UStore8 : Op.I32Load8SStore8);
                // The copy is the value's producer again: a local.set may take its result, an extension its sign.
                (_lastStart, _lastDstPos, _lastDstHeight, _lastEnd) = (c, c + Layout.I32Load8UStore8.Dst, height, _len);
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
                    if (k.Addr == Encode(addr) && k.Offset == (int)offset && k.StoreOp == OpInfo.MatchingStore(op))
                        return Decode(k.Value, result);
            if (addr.Loc is Loc.Local or Loc.Const && LastStore(out var storeOp, out int storeAddr, out int v, out int storeOffset)
                && storeOp == OpInfo.MatchingStore(op) && storeAddr == Encode(addr) && storeOffset == (int)offset)
            {
                if ((v & TempTag) == 0) return Decode(v, result);
                // A temporary stored from this very height (see Store) is still there.
                if ((v & IndexMask) == height) return new Operand(result, Loc.Temp, height);
            }
            // Two loads in a row: one dispatch. The second may read the first one's result.
            if (LastInstructionIs(op))
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
            int dst = _code[start + Layout.I32LoadAddImm.Dst], loadAddr = _code[start + Layout.I32LoadAddImm.Addr],
                loadOffset = _code[start + Layout.I32LoadAddImm.Offset], k = _code[start + Layout.I32LoadAddImm.Imm];
            DropLastInstruction(start);
            Emit(Op.I32LoadAddImmStore); EmitRaw(dst); EmitRaw(loadAddr); Emit(loadOffset); Emit(k); EmitSlot(addr); Emit((int)offset);
            _lastDstPos = -1;
            return;
        }
        if (op == Op.I32Store && IsLastResult(v) && LastInstructionIs(Op.I32AddImm) && _instrStart == _addAfterLoad
            && _loadThenAdd >= 0)
        {
            // old = load; store old + k (a pointer or counter in memory post-incremented, the old value used):
            // one instruction, which leaves the old value where the load put it.
            int start = _loadThenAdd;
            int dst = _code[start + Layout.I32Load.Dst], loadAddr = _code[start + Layout.I32Load.Addr], loadOffset = _code[start + Layout.I32Load.Offset];
            int k = _code[_lastStart + Layout.I32AddImm.Imm];
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
            Emit(OpInfo.AddForm(op)!.Value); EmitRaw(x); EmitRaw(y); EmitSlot(value); Emit(addend2); Emit((int)offset);
            return;
        }
        bool known = addr.Loc is Loc.Local or Loc.Const;
        if (known)
        {
            // A store through another address may alias anything known; through this one, what it overlaps.
            int a = Encode(addr), size = OpInfo.AccessSize(op);
            for (int i = _known.Count - 1; i >= 0; i--)
            {
                var k = _known[i];
                if (k.Addr != a || (long)k.Offset < (long)(uint)offset + size && (long)(uint)offset < (long)k.Offset + OpInfo.AccessSize(k.StoreOp))
                    _known.RemoveAt(i);
            }
        }
        else _known.Clear();
        if (op == Op.I32Store8 && addr.Loc != Loc.Temp && IsLastResult(v) && v.Index > 0 && _lastStart == _instrStart
            && (LastInstructionIs(Op.I32Load8U) || LastInstructionIs(Op.I32Load8S)))
        {
            // A byte copied (c = *p, kept in memory by unoptimised code): one instruction. The byte goes to the
            // slot of the address's height, where a reload of it would put its result.
            MoveLastResult(v.Index - 1);
            _code[_instrStart] = (int)(_code[_instrStart] == (int)Op.I32Load8U ? Op.I32Load8UStore8 : Op.I32Load8SStore8);
            EmitSlot(addr); Emit((int)offset);
            _lastDstPos = -1;
            return;
        }
        if (IsLastResult(v) && _lastStart == _instrStart && StoreOfResult(op, LastInstruction) is Op fused)
        {
            // An operation (or a load) whose result is stored right away: one instruction; the result stays
            // in its slot for later uses.
            _code[_instrStart] = (int)fused;
            EmitSlot(addr); Emit((int)offset);
            _lastDstPos = -1;
            // x + y stored, both just loaded by a pair: one instruction (-O0 x += y).
            int add = _instrStart;
            if (fused == Op.I32AddStore && _prevDstPos >= 0 && _prevStart + Layout.I32Load2.Length == add && _code[_prevStart] == (int)Op.I32Load2
                && IsPair(_prevStart, _code[add + Layout.I32AddStore.A], _code[add + Layout.I32AddStore.B], ordered: false))
            {
                int dst = _code[add + Layout.I32AddStore.Dst], storeAddr = _code[add + Layout.I32AddStore.Addr];
                int storeOffset = _code[add + Layout.I32AddStore.Offset], pair = _prevStart;
                DropLastInstruction(add);
                MergeIntoLoad2(pair, Op.I32Load2AddStore);
                EmitRaw(dst); EmitRaw(storeAddr); Emit(storeOffset);
                _lastDstPos = -1;
            }
            return;
        }
        if (op == Op.I32Store && addr.Loc == Loc.Local && LastInstructionIs(Op.GlobalAddImm) && _code[_instrStart + Layout.GlobalAddImm.Dst] == addr.Index)
        {
            // A prologue: the stack pointer bumped into the frame pointer, then a parameter spilled through it.
            _code[_instrStart] = (int)Op.GlobalAddImmStore;
            EmitSlot(v); Emit((int)offset);
            _lastDstPos = -1;
            if (v.Loc is Loc.Local or Loc.Const) Remember(Encode(addr), offset, op, Encode(v));
            return;
        }
        if (op is Op.I32Store or Op.I64Store && LastInstructionIs(op))
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

    /// <summary>The fused form of <paramref name="producer"/> (the last instruction) followed by store
    /// <paramref name="store"/> of its result, if there is one.</summary>
    private static Op? StoreOfResult(Op store, Op? producer) =>
        producer is Op p && OpInfo.StoreForm(p) is Op fused && OpInfo.TryLastStore(fused, out var plain, out _, out _, out _) && plain == store
            ? fused : null;

    /// <summary>The last instruction, if it ends in a store whose stored value stays in a slot: the plain store
    /// op, address slot, value slot and offset (all as encoded).</summary>
    private bool LastStore(out Op op, out int addr, out int value, out int offset) => LastStore(out op, out addr, out value, out offset, out _);

    /// <summary>The same, and where in the code the stored value's slot is.</summary>
    private bool LastStore(out Op op, out int addr, out int value, out int offset, out int valueAt)
    {
        if (LastInstruction is Op last && OpInfo.TryLastStore(last, out op, out int a, out int v, out int o))
        {
            (addr, value, offset, valueAt) = (_code[_instrStart + a], _code[_instrStart + v], _code[_instrStart + o], _instrStart + v);
            return true;
        }
        op = default;
        addr = value = offset = valueAt = 0;
        return false;
    }

    /// <summary>If the address was just computed as base + (index &lt;&lt; k), by an i32.shl and an i32.add right after it,
    /// removes both and returns base, index and k. A base that is a local read only here, computed by the
    /// instruction just before as another slot plus a constant (a local array's address in unoptimised code:
    /// fp + 192), is taken over too: that slot becomes the base and the constant the <paramref name="addend"/>.</summary>
    private bool TryTakeScaledAddress(in Operand addr, out int bas, out int index, out int shift, out int addend)
    {
        bas = index = shift = addend = 0;
        if (!IsLastResult(addr) || _code[_lastStart] != (int)Op.I32Add || _prevDstPos < 0) return false;
        int add = _lastStart, shl = _prevStart;
        if (_code[shl] != (int)Op.I32Shl || (_code[shl + Layout.I32Shl.B] & ConstTag) == 0 || shl + Layout.I32Shl.Length != add) return false;
        int scaled = _code[_prevDstPos];
        if ((scaled & TempTag) == 0) return false;
        int x = _code[add + Layout.I32Add.A], y = _code[add + Layout.I32Add.B];
        if (y == scaled && x != scaled) bas = x;
        else if (x == scaled && y != scaled) bas = y;
        else return false;
        index = _code[shl + Layout.I32Shl.A];
        shift = (int)(_constants[_code[shl + Layout.I32Shl.B] & IndexMask] & 31);
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
        if (end != _len || start + Layout.I32AddImm.Length != end || _code[dst] != slot || _code[start] != (int)Op.I32AddImm) return 0;
        int k = _code[start + Layout.I32AddImm.Imm];
        slot = _code[start + Layout.I32AddImm.A];
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
        var op = (Op)_code[start];
        if (op == Op.I32Add)
        {
            x = _code[start + Layout.I32Add.A];
            y = _code[start + Layout.I32Add.B];
        }
        else if (op == Op.I32AddImm)
        {
            x = _code[start + Layout.I32AddImm.A];
            y = ConstTag | Constant(ValueType.I32, (uint)_code[start + Layout.I32AddImm.Imm]).Index;
        }
        else return false;
        DropLastInstruction(start);
        if (op == Op.I32Add)
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
        int d1 = _code[start + Layout.I32Load2.X], d2 = _code[start + Layout.I32Load2.Y];
        return d1 != d2 && (x == d1 && y == d2 || !ordered && x == d2 && y == d1);
    }

    /// <summary>The start of the I32Load2 that ends the code and loads <paramref name="x"/> and <paramref name="y"/>
    /// (see <see cref="IsPair"/>), or -1.</summary>
    private int Load2Feeding(int x, int y, bool ordered) =>
        _lastDstPos >= 0 && _lastEnd == _len && _lastStart + Layout.I32Load2.Length == _len && _code[_lastStart] == (int)Op.I32Load2
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
}
