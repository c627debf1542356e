namespace WasmSharp.Interpreter;

/// <summary>local.set fused into producers, single-read locals reclaimed, pending reads materialised.</summary>
internal sealed partial class Translator
{
    // ---- locals ----------------------------------------------------------------------------------

    /// <summary>local.set: <paramref name="stack"/> is the operand stack after popping the value.</summary>
    public void LocalSet(int local, in Operand value, Span<Operand> stack)
    {
        ForgetLocal(local);
        bool pending = false;
        foreach (ref var o in stack)
            if (o.Loc == Loc.Local && o.Index == local) { pending = true; break; }

        if (!pending && IsLastResult(value))
        {
            // Fuse: the producer writes the local directly.
            var producer = _recent.Last!;
            _code[producer.Dst] = local;
            producer.Local = local;
            producer.Producer = false;
            return;
        }
        if (!pending && value.Loc == Loc.Temp && LastStore(out var storeOp, out int storeAddr, out int stored, out int storedAt, out int valueAt)
            && LastInstruction is Op.I32Store or Op.I64Store && stored == Encode(value) && storeAddr != local
            && _recent.Back(1) is { Producer: true } source && _code[source.Dst] == stored)
        {
            // x = (y = expr) through memory: the value stored just now, reloaded (forwarded) into a local. The
            // producer (right before the store) writes the local and the store stores it, so no move is needed.
            _code[source.Dst] = local;
            _code[valueAt] = local;
            source.Producer = false;
            if ((storeAddr & TempTag) == 0) Remember(storeAddr, (uint)storedAt, storeOp, local);
            return;
        }
        if (!pending && value.Loc == Loc.Temp && LastStore(out storeOp, out storeAddr, out stored, out storedAt, out valueAt)
            && LastInstruction is Op last && (OpInfo.StoresItsResult(last) || last == Op.I32Load2AddStore) && stored == Encode(value) && storeAddr != local)
        {
            // The same through an operation that stores its own result: it writes the local and stores it.
            _code[valueAt] = local;
            if ((storeAddr & TempTag) == 0) Remember(storeAddr, (uint)storedAt, storeOp, local);
            return;
        }
        if (pending) MaterializeLocal(local, stack);
        if (value.Loc == Loc.Local && value.Index == local) return;
        // A move right after a producer (or after other such moves) leaves the producer takeable (TryTakeCompare).
        bool chained = _recent.ProducerBeforeMoves is not null;
        if (value.Type == ValueType.V128) { Emit(Op.CopyV128); Emit(local); EmitSlot(value); }
        else if (LastInstructionIs(Op.Copy) && _code[_recent.Last!.Start + Layout.Copy.Dst] != Encode(value))
        {
            // Two moves in a row (phi moves before a loop's back edge): one Copy2, which reads both sources first,
            // the same as in order since the second does not read what the first wrote.
            Rewrite(Op.Copy2);
            Emit(local); EmitSlot(value);
        }
        else { Emit(Op.Copy, keepsProducer: chained); Emit(local); EmitSlot(value); }
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
        if (_recent.Last is not { } fused || fused.Local != local) return false;
        _code[fused.Dst] = TempTag | height;
        NoteHeight(height + 1);
        fused.Local = -1;
        _recent.SetProducer(fused, fused.Dst, height);
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
        Emit(CopyOf(o.Type)); EmitTemp(height); EmitSlot(o);
        o = new Operand(o.Type, Loc.Temp, height);
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
}
