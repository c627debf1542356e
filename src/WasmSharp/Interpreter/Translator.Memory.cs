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
            if (op == Op.I32Load && Load2Feeding(b, i, ordered: true))
            {
                MergeIntoLoad2(Op.I32Load2LoadShl);
                EmitDst(height); Emit(shift); Emit(addend); Emit((int)offset);
                return Temp(result, height);
            }
            Emit(op == Op.I32Load ? Op.I32LoadShl : Op.I64LoadShl); EmitDst(height); EmitRaw(b); EmitRaw(i); Emit(shift); Emit(addend); Emit((int)offset);
            return Temp(result, height);
        }
        if (TryTakeAddressAdd(addr, out int x, out int y, out int addend2))
        {
            if (op == Op.I32Load8U && Load2Feeding(x, y, ordered: false))
            {
                MergeIntoLoad2(Op.I32Load2Load8UAdd);
                EmitDst(height); Emit(addend2); Emit((int)offset);
                return Temp(result, height);
            }
            Emit(OpInfo.AddForm(op)!.Value); EmitDst(height); EmitRaw(x); EmitRaw(y); Emit(addend2); Emit((int)offset);
            return Temp(result, height);
        }
        if (op is Op.I32Load8U or Op.I32Load8S && addr.Loc is Loc.Local or Loc.Const
            && (LastInstructionIs(Op.I32Load8UStore8) || LastInstructionIs(Op.I32Load8SStore8)))
        {
            // A byte just copied to this address, read back: the copy's loaded byte, extended as asked (its only
            // reader so far, the store, takes the low byte either way).
            var copy = _recent.Last!;
            int c = copy.Start;
            if (_code[c + Layout.I32Load8UStore8.StoreAddr] == Encode(addr) && _code[c + Layout.I32Load8UStore8.StoreOffset] == (int)offset
                && _code[c + Layout.I32Load8UStore8.Dst] == (TempTag | height))
            {
                Rewrite(op == Op.I32Load8U ? Op.I32Load8UStore8 : Op.I32Load8SStore8);
                // The copy is the value's producer again: a local.set may take its result, an extension its sign.
                _recent.SetProducer(copy, c + Layout.I32Load8UStore8.Dst, height);
                copy.Below = 0; // removing it uncovers no producer
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
                Rewrite(op == Op.I32Load ? Op.I32Load2 : Op.I64Load2);
                _recent.Last!.Below = 0; // removing the pair uncovers no producer
                EmitDst(height); EmitSlot(addr); Emit((int)offset);
                return Temp(result, height);
            }
        }
        Emit(op); EmitDst(height); EmitSlot(addr); Emit((int)offset);
        return Temp(result, height);
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
            return;
        }
        if (op == Op.I32Store && IsLastResult(v) && _recent.Last!.Op == Op.I32LoadAddImm)
        {
            // x = load; x + k; store: one instruction, which leaves x + k in its temporary too.
            int start = _recent.Last.Start;
            int dst = _code[start + Layout.I32LoadAddImm.Dst], loadAddr = _code[start + Layout.I32LoadAddImm.Addr],
                loadOffset = _code[start + Layout.I32LoadAddImm.Offset], k = _code[start + Layout.I32LoadAddImm.Imm];
            Remove(start);
            Emit(Op.I32LoadAddImmStore); EmitRaw(dst); EmitRaw(loadAddr); Emit(loadOffset); Emit(k); EmitSlot(addr); Emit((int)offset);
            return;
        }
        if (op == Op.I32Store && IsLastResult(v) && LastInstructionIs(Op.I32AddImm) && _recent.Back(1) is { Op: Op.I32Load, Uncovered: false } load
            && _code[load.Start + Layout.I32Load.Dst] == _code[_recent.Last!.Start + Layout.I32AddImm.A])
        {
            // old = load; store old + k (a pointer or counter in memory post-incremented, the old value used):
            // one instruction, which leaves the old value where the load put it. (The load was whole when the add
            // came: nothing had been removed after it.)
            int start = load.Start;
            int dst = _code[start + Layout.I32Load.Dst], loadAddr = _code[start + Layout.I32Load.Addr], loadOffset = _code[start + Layout.I32Load.Offset];
            int k = _code[_recent.Last.Start + Layout.I32AddImm.Imm];
            Remove(start); // the load and the add
            Emit(Op.I32LoadStoreAddImm); EmitRaw(dst); EmitRaw(loadAddr); Emit(loadOffset); Emit(k); EmitSlot(addr); Emit((int)offset);
            return;
        }
        if (TryTakeAddressAdd(addr, out int x, out int y, out int addend2))
        {
            if (op == Op.I32Store8 && Load2Feeding(x, y, ordered: false))
            {
                _known.Clear();
                MergeIntoLoad2(Op.I32Load2Store8Add);
                EmitSlot(value); Emit(addend2); Emit((int)offset);
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
        if (op == Op.I32Store8 && addr.Loc != Loc.Temp && IsLastResult(v) && v.Index > 0
            && (LastInstructionIs(Op.I32Load8U) || LastInstructionIs(Op.I32Load8S)))
        {
            // A byte copied (c = *p, kept in memory by unoptimised code): one instruction. The byte goes to the
            // slot of the address's height, where a reload of it would put its result.
            MoveLastResult(v.Index - 1);
            Rewrite(_recent.Last!.Op == Op.I32Load8U ? Op.I32Load8UStore8 : Op.I32Load8SStore8);
            EmitSlot(addr); Emit((int)offset);
            _recent.EndProducer();
            return;
        }
        if (IsLastResult(v) && StoreOfResult(op, LastInstruction) is Op fused)
        {
            // An operation (or a load) whose result is stored right away: one instruction; the result stays
            // in its slot for later uses.
            var add = _recent.Last!;
            Rewrite(fused);
            EmitSlot(addr); Emit((int)offset);
            _recent.EndProducer();
            // x + y stored, both just loaded by a pair: one instruction (-O0 x += y).
            if (fused == Op.I32AddStore && add.Below > 0 && _recent.Back(1) is { Op: Op.I32Load2 } pair
                && IsPair(pair.Start, _code[add.Start + Layout.I32AddStore.A], _code[add.Start + Layout.I32AddStore.B], ordered: false))
            {
                int dst = _code[add.Start + Layout.I32AddStore.Dst], storeAddr = _code[add.Start + Layout.I32AddStore.Addr];
                int storeOffset = _code[add.Start + Layout.I32AddStore.Offset];
                Remove(add.Start);
                MergeIntoLoad2(Op.I32Load2AddStore);
                EmitRaw(dst); EmitRaw(storeAddr); Emit(storeOffset);
            }
            return;
        }
        if (op == Op.I32Store && addr.Loc == Loc.Local && LastInstructionIs(Op.GlobalAddImm) && _code[_recent.Last!.Start + Layout.GlobalAddImm.Dst] == addr.Index)
        {
            // A prologue: the stack pointer bumped into the frame pointer, then a parameter spilled through it.
            Rewrite(Op.GlobalAddImmStore);
            EmitSlot(v); Emit((int)offset);
            if (v.Loc is Loc.Local or Loc.Const) Remember(Encode(addr), offset, op, Encode(v));
            return;
        }
        if (op is Op.I32Store or Op.I64Store && LastInstructionIs(op))
        {
            // Two stores in a row (a prologue spilling its params, a frame written field by field): one dispatch.
            Rewrite(op == Op.I32Store ? Op.I32Store2 : Op.I64Store2);
            EmitSlot(addr); EmitSlot(v); Emit((int)offset);
            _recent.EndProducer();
        }
        else
        {
            // A store of the producer's result right after it: a local.set may still make the producer write the
            // local the store then stores (LocalSet).
            Emit(op, keepsProducer: _recent.LastProducer is not null); EmitSlot(addr); EmitSlot(v); Emit((int)offset);
        }
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
        if (_recent.Mergeable is { } last && OpInfo.TryLastStore(last.Op, out op, out int a, out int v, out int o))
        {
            int at = last.Start;
            (addr, value, offset, valueAt) = (_code[at + a], _code[at + v], _code[at + o], at + v);
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
        // The add is the producer, the shl the one right before it (Below).
        if (!IsLastResult(addr) || _recent.Last!.Op != Op.I32Add || _recent.Last.Below == 0 || _recent.Back(1) is not { Op: Op.I32Shl } shifted)
            return false;
        int add = _recent.Last.Start, shl = shifted.Start;
        if ((_code[shl + Layout.I32Shl.B] & ConstTag) == 0) return false;
        int scaled = _code[shifted.Dst];
        if ((scaled & TempTag) == 0) return false;
        int x = _code[add + Layout.I32Add.A], y = _code[add + Layout.I32Add.B];
        if (y == scaled && x != scaled) bas = x;
        else if (x == scaled && y != scaled) bas = y;
        else return false;
        index = _code[shl + Layout.I32Shl.A];
        shift = (int)(_constants[_code[shl + Layout.I32Shl.B] & IndexMask] & 31);
        Remove(add);
        Remove(shl);
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
        if (_recent.Last is not { Op: Op.I32AddImm } sum) return 0;
        // A temporary: the producer's result; a local: what a local.set fused into the sum makes it write.
        bool computes = (slot & TempTag) != 0 ? sum.Producer : sum.Local == slot && slot < _reads.Length && _reads[slot] == 1;
        if (!computes || _code[sum.Dst] != slot) return 0;
        int start = sum.Start;
        int k = _code[start + Layout.I32AddImm.Imm];
        slot = _code[start + Layout.I32AddImm.A];
        // The fused local writes are forgotten: after this sum, the address takes over none a local.set fused into.
        _recent.ForgetLocalWrites();
        Remove(start);
        return k;
    }

    /// <summary>If the address was just computed by i32.add (or an add of a constant), removes that instruction and
    /// returns its two operands for a load or store that adds them itself, and a constant to add too (see
    /// <see cref="TakeAddImm"/>).</summary>
    private bool TryTakeAddressAdd(in Operand addr, out int x, out int y, out int addend)
    {
        x = y = addend = 0;
        if (!IsLastResult(addr)) return false;
        int start = _recent.Last!.Start;
        var op = _recent.Last.Op;
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
        Remove(start);
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

    /// <summary>Whether the producer ends the code and is an I32Load2 that loads <paramref name="x"/> and
    /// <paramref name="y"/> (see <see cref="IsPair"/>).</summary>
    private bool Load2Feeding(int x, int y, bool ordered) =>
        _recent.LastProducer is { Op: Op.I32Load2 } pair && IsPair(pair.Start, x, y, ordered);

    /// <summary>The I32Load2 that ends the code becomes <paramref name="merged"/>, whose own operands are emitted
    /// next (a merged producer emits its destination: <see cref="EmitDst"/>). It is a new last instruction: one may
    /// merge into it, and its removal would make no producer before it the producer again.</summary>
    private void MergeIntoLoad2(Op merged)
    {
        Rewrite(merged);
        var last = _recent.Last!;
        last.Uncovered = false;
        last.Below = 0;
        _recent.EndProducer();
    }
}
