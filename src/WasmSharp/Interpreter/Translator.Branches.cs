namespace WasmSharp.Interpreter;

/// <summary>Compare-and-branch and compare-and-select, labels, branches, loop rotation and returns.</summary>
internal sealed partial class Translator
{
    // Loop rotation: a loop whose code starts with a few instructions and a conditional exit has them copied to
    // each back edge, with the exit condition negated to jump to the body, so an iteration runs no Br.
    private const int MaxLoopHeadWords = 24;
    /// <summary>A rotatable loop head: code [Start, CondStart), then a conditional branch to <see cref="Target"/>
    /// (its label) that ends at <see cref="End"/>. <see cref="IntoBody"/>: the target is a label inside the loop
    /// (the branch enters the body, and falling through leaves the loop); otherwise the branch is the exit.</summary>
    /// <summary><see cref="TryDepth"/>: the try_table regions the head is in (it is copied only to back edges in the
    /// same ones).</summary>
    private readonly record struct LoopHead(int Start, int CondStart, int End, int Target, bool IntoBody, int TryDepth);
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

    /// <summary>If <paramref name="cond"/> is the result of the instruction just emitted and that instruction is
    /// a comparison (i32/i64/f32/f64, or i32.eqz) or an i32.and (a bit test, for branches), removes it and returns
    /// its opcode and encoded operands, so the consumer can take the comparison over.</summary>
    private bool TryTakeCompare(in Operand cond, Func<Op, bool> accept, out Op op, out int a, out int b)
    {
        op = default;
        a = b = 0;
        if (cond.Loc != Loc.Temp || _recent.ProducerBeforeMoves is not { } producer || cond.Index != producer.Height) return false;
        bool adjacent = producer == _recent.Last;
        int start = producer.Start, end = producer.End;
        op = producer.Op;
        if (OpInfo.BranchForm(op) is null || !accept(op)) return false;
        a = _code[start + (op == Op.I32Eqz ? Layout.Unary.A : Layout.Binary.A)];
        b = op == Op.I32Eqz ? 0 : _code[start + Layout.Binary.B];
        if (adjacent)
        {
            Remove(start); // its slot operands are re-emitted with the consumer
            return true;
        }
        // Local moves (Copy) came between the comparison and its consumer, as optimised code puts its phi moves
        // before a loop's back edge. The comparison can move after them when none writes what it reads or reads
        // its result.
        int dst = _code[producer.Dst];
        for (int pos = end; pos < _len; pos += OpInfo.Length((Op)_code[pos]))
            for (int pair = pos + Layout.Copy.Dst; pair < pos + OpInfo.Length((Op)_code[pos]); pair += Layout.Copy2.Dst2 - Layout.Copy2.Dst)
            {
                int moveDst = _code[pair], moveSrc = _code[pair + Layout.Copy.Src - Layout.Copy.Dst];
                if (moveDst == a || (op != Op.I32Eqz && moveDst == b) || moveSrc == dst) return false;
            }
        int length = end - start;
        _code.AsSpan(end, _len - end).CopyTo(_code.AsSpan(start));
        _len -= length;
        for (int i = _slotPositions.Count - 1; i >= 0; i--)
        {
            int pos = _slotPositions[i];
            if (pos >= end) _slotPositions[i] = pos - length;
            else if (pos >= start) _slotPositions.RemoveAt(i);
            else break;
        }
        _recent.Clear(); // the moves moved
        return true;
    }

    /// <summary>The compare-and-branch op for comparison <paramref name="op"/>, taken when it holds, or when it fails
    /// if <paramref name="negate"/>. Integer comparisons negate into their complements; float ones (NaN makes every
    /// ordering false) have their own negated forms.</summary>
    private static Op CompareBranch(Op op, bool negate)
    {
        var branch = OpInfo.BranchForm(op)!.Value;
        return negate ? Negated(branch) : branch;
    }

    /// <summary>
    /// If the instruction just before i32 compare-and-branch <paramref name="branch"/> (of slots <paramref name="a"/>
    /// and <paramref name="b"/>) is an i32.load or an I32Load2 writing what it compares, turns it into the fused
    /// compare-and-branch on loaded values (only its target is left to emit).
    /// </summary>
    private bool TryTakeLoads(Op branch, int a, int b)
    {
        if (Load2Feeding(a, b, ordered: false))
        {
            if (a != _code[_recent.Last!.Start + Layout.I32Load2.X]) branch = OpInfo.Swapped(branch)!.Value; // it compares the second load with the first
            MergeIntoLoad2(OpInfo.Load2Form(branch)!.Value);
            return true;
        }
        if (_recent.LastProducer is { Op: Op.I32Load } load)
        {
            int start = load.Start;
            int dst = _code[start + Layout.I32Load.Dst], addr = _code[start + Layout.I32Load.Addr], offset = _code[start + Layout.I32Load.Offset];
            int x;
            if (b == dst && a != dst) x = a;
            else if (a == dst && b != dst) { x = b; branch = OpInfo.Swapped(branch)!.Value; }
            else return false;
            Remove(start);
            Emit(OpInfo.LoadForm(branch)!.Value); EmitRaw(x); EmitRaw(dst); EmitRaw(addr); Emit(offset);
            return true;
        }
        return false;
    }

    /// <summary>Emits a conditional branch on <paramref name="cond"/> (taken when it is non-zero, or zero when
    /// <paramref name="whenZero"/>), fused with the comparison that produced it where possible.</summary>
    private void EmitCondBranch(in Operand cond, bool whenZero, int label)
    {
        if (TryTakeCompare(cond, static _ => true, out var cmp, out int a, out int b))
        {
            // Branching on eqz(x) is branching on x the other way; x may be a comparison just computed, too.
            while (cmp == Op.I32Eqz && (a & TempTag) != 0
                   && TryTakeCompare(new Operand(ValueType.I32, Loc.Temp, a & IndexMask), static _ => true, out var inner, out int ia, out int ib))
            {
                whenZero = !whenZero;
                (cmp, a, b) = (inner, ia, ib);
            }
            var op = CompareBranch(cmp, whenZero);
            if (!(OpInfo.IntBranch(op) && TryTakeLoads(op, a, b)))
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
        int condStart = _recent.Last!.Start;
        EmitTarget(label);
        (_condStart, _condEnd) = (condStart, _len);
        if (_openLoop >= 0)
        {
            if (label != _openLoop && condStart - _openLoopStart <= MaxLoopHeadWords)
                _loopHeads[_openLoop] = new LoopHead(_openLoopStart, condStart, _len, label, label > _openLoop, _tryDepth);
            _openLoop = -1;
        }
    }

    public Operand Select(ValueType type, int height, in Operand a, in Operand b, in Operand cond)
    {
        if (type == ValueType.V128) return SelectV128(height, a, b, cond);
        // select on an i32 comparison takes the comparison over; on i32.eqz it swaps its operands.
        if (TryTakeCompare(cond, static op => op == Op.I32Eqz || OpInfo.SelectForm(op) is not null, out var cmp, out int ca, out int cb))
        {
            if (cmp == Op.I32Eqz)
            {
                Emit(Op.Select); EmitDst(height); EmitRaw(ca); EmitSlot(b); EmitSlot(a);
            }
            else
            {
                Emit(OpInfo.SelectForm(cmp)!.Value); EmitDst(height); EmitRaw(ca); EmitRaw(cb); EmitSlot(a); EmitSlot(b);
            }
            return Temp(type, height);
        }
        Emit(Op.Select); EmitDst(height); EmitSlot(cond); EmitSlot(a); EmitSlot(b);
        return Temp(type, height);
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
        if (Interruptible)
        {
            // Every iteration passes the check: the head is where each back-edge lands, so the loop is not rotated
            // (a rotated back-edge would jump past the head).
            Emit(Op.Interrupt);
            return;
        }
        _openLoop = label;
        _openLoopStart = _len;
    }

    /// <summary>Loop heads check the store's interrupt flag (<see cref="EngineConfig.Interruptible"/>).</summary>
    public bool Interruptible { get; set; }

    /// <summary>Whether some branch waits for <paramref name="label"/> (forward labels only).</summary>
    public bool HasBranches(int label) => _labelFixups[label] is { Count: > 0 };

    /// <summary>Places <paramref name="label"/> here. A label no branch reaches (nothing waiting for it, and not a
    /// loop's, which <paramref name="backward"/> branches will reach) joins nothing: the code runs straight on,
    /// so what the translator knows about the instructions before it stays valid and fusions may span it.</summary>
    public void Bind(int label, bool backward = false)
    {
        if (_lastBrPos >= 0 && _lastBrPos + Layout.Br.Length == _len && _lastBrLabel == label)
        {
            // br to the very next instruction (the exit of a rotated loop head, mostly): nothing to do.
            var fixups = _labelFixups[label]!;
            fixups.RemoveAt(fixups.Count - 1);
            Remove(_lastBrPos);
        }
        else if (_lastBrPos >= 0 && _lastBrPos + Layout.Br.Length == _len && _condEnd == _lastBrPos
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
        _recent.Clear();
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
        _recent.Clear(); // the branch changed in place
        EmitTarget(brLabel);
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
            Emit(CopyOf(v.Type)); EmitTemp(destHeight + i); EmitSlot(v);
        }
        _recent.EndProducer(); // the values are the target's now, moved or not
    }

    /// <summary>Writes values into a block's result slots at its end (fallthrough); updates the stack entries.</summary>
    public void PlaceResults(Span<Operand> values, int destHeight)
    {
        EmitCopies(values, destHeight);
        for (int i = 0; i < values.Length; i++) values[i] = new Operand(values[i].Type, Loc.Temp, destHeight + i);
    }

    /// <summary>A branch to <paramref name="label"/> with <paramref name="values"/> for the slots from
    /// <paramref name="destHeight"/>; to a rotated loop, its head's copy unless <paramref name="rotate"/> is false (or
    /// the branch is in other try_table regions than the head).</summary>
    public void Branch(int label, ReadOnlySpan<Operand> values, int destHeight, bool rotate = true)
    {
        EmitCopies(values, destHeight);
        _openLoop = -1;
        if (rotate && _loopHeads.TryGetValue(label, out var head) && head.TryDepth == _tryDepth)
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
            if (c - from >= Layout.Load.Length && _code[from] is (int)Op.I32Load or (int)Op.I64Load
                && storeOp == OpInfo.MatchingStore((Op)_code[from])
                && storeAddr == _code[from + Layout.Load.Addr] && storeOffset == _code[from + Layout.Load.Offset] && value == _code[from + Layout.Load.Dst])
                from += Layout.Load.Length;
            else if (c == from && storeOp == Op.I32Store)
            {
                var fused = (Op)_code[c];
                if (OpInfo.BranchOnLoad(fused)
                    && storeAddr == _code[c + Layout.BrI32Load.Addr] && storeOffset == _code[c + Layout.BrI32Load.Offset] && value == _code[c + Layout.BrI32Load.Y])
                    inPlace = 1;
                else if (OpInfo.BranchOnLoad2(fused)
                         && storeAddr == _code[c + Layout.BrI32Load2.XAddr] && storeOffset == _code[c + Layout.BrI32Load2.XOffset] && value == _code[c + Layout.BrI32Load2.X])
                    inPlace = 2;
            }
        }
        int words = c - from;
        _recent.Clear(); // the head's code is copied in whole
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
            return;
        }
        EmitCondCopy(c, negate: true, inPlace);
        Emit(head.End - _len);
        Branch(head.Target, [], 0);
    }

    /// <summary>Emits the conditional branch at <paramref name="c"/> again (negated if asked), all but its target.
    /// <paramref name="inPlace"/>: 1 when a fused load's value is already in its slot (the plain compare-and-branch
    /// does), 2 when the first of a fused pair's is (the single-load form does).</summary>
    private void EmitCondCopy(int c, bool negate, int inPlace)
    {
        var op = (Op)_code[c];
        if (negate) op = Negated(op);
        if (inPlace == 2 && OpInfo.BranchOnLoad2(op))
        {
            Emit(OpInfo.LoadForm(op)!.Value);
            EmitRaw(_code[c + Layout.BrI32Load2.X]); EmitRaw(_code[c + Layout.BrI32Load2.Y]);
            EmitRaw(_code[c + Layout.BrI32Load2.YAddr]); Emit(_code[c + Layout.BrI32Load2.YOffset]);
            return;
        }
        if (inPlace == 1 && OpInfo.BranchOnLoad(op))
        {
            Emit(OpInfo.PlainForm(op)!.Value); EmitRaw(_code[c + Layout.BrI32Load.X]); EmitRaw(_code[c + Layout.BrI32Load.Y]);
            return;
        }
        // The same operands, all but the target (the branch's last).
        Emit(op);
        string shape = OpInfo.Shape(op);
        for (int k = 0; k < shape.Length - 1; k++)
        {
            if (shape[k] is 'd' or 's') EmitRaw(_code[c + 1 + k]);
            else Emit(_code[c + 1 + k]);
        }
    }

    /// <summary>The conditional branch taken exactly when <paramref name="op"/> is not.</summary>
    private static Op Negated(Op op) => OpInfo.Negated(op) ?? throw new InvalidOperationException($"not a conditional branch: {op}");

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
    }

    public void Return(ReadOnlySpan<Operand> values)
    {
        _openLoop = -1;
        switch (values.Length)
        {
            case 0: Emit(Op.Return0); break;
            case 1:
                bool v128 = values[0].Type == ValueType.V128;
                if (!v128 && LastInstructionIs(Op.GlobalSetAddImm))
                {
                    // An unoptimised function's epilogue (stack pointer restored, then return): one dispatch.
                    Rewrite(Op.GlobalSetAddImmReturn1);
                    EmitSlot(values[0]);
                }
                else { Emit(v128 ? Op.Return1V128 : Op.Return1); EmitSlot(values[0]); }
                break;
            default:
                Emit(Op.ReturnN); Emit(values.Length);
                foreach (ref readonly var v in values) EmitSlot(v);
                break;
        }
        _jumpEnd = _len;
    }
}
