using static WasmSharp.Llvm.Native.LlvmApi;
using WasmSharp.Llvm.Native;

namespace WasmSharp.Llvm;

/// <summary>
/// The stack frame in registers. Code built without optimisation keeps every C variable in a frame in linear memory
/// (<c>global.get $sp; i32.const 48; i32.sub; local.set 3</c>, then <c>local.get 3; i32.load offset=12</c>), and a
/// store through any pointer might change any of it as far as LLVM knows, so a loop reloads its variables from the
/// frame after every store. Here each frame slot (an access at a constant offset from the frame's base, of 1, 2, 4
/// or 8 bytes) gets an LLVM variable that mem2reg makes a register:
/// <list type="bullet">
/// <item>A store to a slot writes the memory (every observer sees what it would without this) and the variable.</item>
/// <item>A load from a slot reads the variable, after the access's bounds check as before.</item>
/// <item>The variables are read from the memory again (a resync) where the memory may have changed behind them: at
/// the frame's start, after a call, memory.grow or a bulk operation, and after a store elsewhere whose bytes meet
/// the slots' range (a guard of two instructions, its range filled in when the function's slots are known).</item>
/// <item>An object of the frame that stores at computed places write (<c>a[i] = x</c>, the address the frame's base
/// plus a constant plus an index) has no slots: <c>a[0]</c> read at a constant offset reads the memory. Such a
/// store's guard first tests whether it stays inside its object, up to the next object or slot (one comparison);
/// only a store outside it tests the slots' ranges.</item>
/// </list>
/// Invariant: wherever the code is, a slot inside the memory holds what the memory does; one outside may hold
/// anything, and its own bounds check traps before it is read. A resync therefore reads a slot only when it lies
/// inside the memory (the memory never shrinks while code runs, and grows only across a call or memory.grow).
/// The base is a local written once, at the function's top level, to a global's value minus something: the
/// stack-pointer idiom. Under guard pages too, where slots keep explicit bounds checks (a slot's load no longer
/// touches the memory, so it would not fault).
/// </summary>
internal sealed unsafe partial class FunctionTranslator
{
    /// <summary>More slots than this: the rest stay in memory (each resync reads every slot that is live).</summary>
    private const int MaxSlots = 64;

    /// <summary>The most slot reads all resyncs together may make (slots times resyncs): each is a few
    /// instructions, twice over where the frame may reach past the memory's end.</summary>
    private const int MaxResyncReads = 16384;

    /// <summary>The most byte ranges a guard tests (each costs a subtraction and a comparison).</summary>
    private const int MaxRanges = 3;

    private int[] _writes = [];
    private readonly HashSet<int> _globalLocals = new();
    private readonly HashSet<nint> _globalValues = new(), _belowGlobal = new();
    // Values and locals computed from the frame's base, with the constant added to the base on the way (where an
    // object of the frame starts, most likely), or Unknown.
    private readonly Dictionary<nint, long> _derived = new();
    private readonly Dictionary<int, long> _derivedLocals = new();
    private const long Unknown = -1;
    // Locals written once, with a constant, and their reads: unoptimised code puts each constant in a local first.
    private readonly Dictionary<int, long> _constantLocals = new();
    private readonly Dictionary<nint, long> _constants = new();
    private int _frameLocal = -1;
    private long _frameVersion;
    private ulong _topFrameEnd; // how far past the frame's base a check at the top level proved the memory reaches
    private nint _frameBase;
    private readonly Dictionary<(ulong Offset, int Size), nint> _slots = new();
    private readonly List<(nint Block, nint Next, ulong Known)> _resyncs = new();
    private readonly List<(nint Branch, nint Address, int Size, long Object)> _guards = new();
    // The stores at known places in the frame: a slot's store to its variable, or another's to memory.
    private readonly List<(nint Store, ulong Offset, int Size)> _slotStores = new();
    // The access Address made last: its effective address and size, and its slot if it is one.
    private nint _accessAddress;
    private int _accessSize;
    private (ulong Offset, int Size)? _accessSlot;
    private ulong? _accessFrameOffset; // an access at a constant offset from the frame's base, slot or not
    private long? _accessDerived; // an access at an address computed from the frame's base: where its object starts
    private readonly List<(nint Load, nint Pointer, (ulong Offset, int Size) Slot)> _slotLoads = new();
    // Where the objects start that stores at computed places in the frame write (arrays, mostly).
    private readonly SortedSet<long> _storedObjects = new();
    private bool _storesIntoUnknown; // stores at computed places in the frame, of objects not known

    private void BeginFrame(ReadOnlySpan<byte> code)
    {
        _frameLocal = -1;
        _topFrameEnd = 0;
        _globalLocals.Clear(); _globalValues.Clear(); _belowGlobal.Clear(); _derivedLocals.Clear(); _derived.Clear();
        _slots.Clear(); _resyncs.Clear(); _guards.Clear(); _slotStores.Clear(); _slotLoads.Clear();
        _storedObjects.Clear(); _constantLocals.Clear(); _constants.Clear();
        _storesIntoUnknown = false;
        _accessSlot = null;
        _writes = new int[_locals.Count];
        if (_memBase == 0 || !Validation.LocalReadCounter.TryCount(code, new int[_locals.Count], _writes))
            _writes.AsSpan().Fill(int.MaxValue);
    }

    /// <summary>global.get of an i32: its value, and the locals it is copied to, may be a stack pointer.</summary>
    private void GlobalValue(nint value) => _globalValues.Add(value);

    private void LocalRead(int local, nint value)
    {
        if (_globalLocals.Contains(local)) _globalValues.Add(value);
        if (_constantLocals.TryGetValue(local, out long constant)) _constants[value] = constant;
        if (local == _frameLocal) _derived[value] = 0;
        else if (_derivedLocals.TryGetValue(local, out long start)) _derived[value] = start;
    }

    /// <summary>i32.add or i32.sub (<paramref name="k"/> 0 or 1): of a global's value, a frame's base if a local
    /// set once at the top level takes it; of the frame's base, an address inside the frame (most likely).</summary>
    private void Arithmetic(int k, nint a, nint b, nint result)
    {
        if (k == 1 && _globalValues.Contains(a)) _belowGlobal.Add(result);
        if (_frameLocal < 0) return;
        bool fromA = _derived.TryGetValue(a, out long startA), fromB = _derived.TryGetValue(b, out long startB);
        if (!fromA && !fromB) return;
        long start = Unknown;
        if (fromA != fromB && (fromA || k == 0))
        {
            long from = fromA ? startA : startB;
            nint other = fromA ? b : a;
            // base + constant: the object there; base + index: the same object as base (an element of the array)
            start = Constant(other) is { } c ? from + (k == 0 ? c : -c) : from;
            if (from == Unknown || start < 0) start = Unknown;
        }
        _derived[result] = start;
    }

    /// <summary>An i32 constant's value, also read from a local that holds it.</summary>
    private long? Constant(nint value) =>
        LLVMIsAConstantInt(value) != 0 ? LLVMConstIntGetSExtValue(value) : _constants.TryGetValue(value, out long c) ? c : null;

    private void LocalWritten(int local, nint value)
    {
        if (_writes[local] == 1 && Constant(value) is { } constant) _constantLocals[local] = constant;
        if (_globalValues.Contains(value)) _globalLocals.Add(local); else _globalLocals.Remove(local);
        if (_derived.TryGetValue(value, out long start)) // for every read, wherever: a heuristic
            _derivedLocals[local] = _derivedLocals.TryGetValue(local, out long was) && was != start ? Unknown : start;
        if (_frameLocal >= 0 || _frames.Count != 1 || _writes[local] != 1 || !_belowGlobal.Contains(value)) return;
        _frameLocal = local;
        _frameVersion = _versions;
        _frameBase = Zext(value);
        Resync();
    }

    /// <summary>Called by <see cref="Address"/> for every access it makes.</summary>
    private void Accessing((int Local, long Value) key, nint operand, nint effectiveAddress, ulong offset, int size)
    {
        _accessAddress = effectiveAddress;
        _accessSize = size;
        _accessSlot = null;
        _accessFrameOffset = null;
        _accessDerived = _derived.TryGetValue(operand, out long start) ? start : null;
        if (_frameLocal < 0 || key != (_frameLocal, _frameVersion)) return;
        _accessFrameOffset = offset;
        if (size is not (1 or 2 or 4 or 8)) return;
        if (!_slots.ContainsKey((offset, size)))
        {
            if (_slots.Count >= MaxSlots) return;
            _slots[(offset, size)] = AllocaAtEntry(IntOfBits(size * 8));
        }
        _accessSlot = (offset, size);
    }

    /// <summary>A load of a slot: its variable's value as <paramref name="type"/> (of the slot's size), else 0.</summary>
    private nint SlotLoad(nint address, nint type)
    {
        if (_accessSlot is not { } slot) return 0;
        _accessSlot = null;
        nint v = LLVMBuildLoad2(_b, IntOfBits(slot.Size * 8), _slots[slot], "");
        _slotLoads.Add((v, address, slot));
        return LLVMTypeOf(v) == type ? v : LLVMBuildCast(_b, LLVMOpcode.BitCast, v, type, "");
    }

    /// <summary>After a store to memory: a slot's variable takes the value too; a store elsewhere checks whether it
    /// met the slots (and if so resyncs).</summary>
    private void Stored(nint store, nint value)
    {
        if (_memory != 0 && !MayShareMemory0(_memory)) return; // another memory's bytes: not the frame's
        if (_accessSlot is { } slot)
        {
            _accessSlot = null;
            nint type = IntOfBits(slot.Size * 8);
            if (LLVMTypeOf(value) != type) value = LLVMBuildCast(_b, LLVMOpcode.BitCast, value, type, "");
            _slotStores.Add((LLVMBuildStore(_b, value, _slots[slot]), slot.Offset, slot.Size));
            return;
        }
        if (_frameLocal < 0) return;
        if (_accessFrameOffset is { } offset)
        {
            // At a known place in the frame: the slots it meets are known too, and read again right after it.
            _slotStores.Add((store, offset, _accessSize));
            return;
        }
        long into = Unknown;
        if (_accessDerived is { } start)
        {
            into = start;
            // Into an object of the frame, most likely an array: its slots go back to memory (FinishFrame), or else
            // the guard would find the store meeting them each time.
            if (start == Unknown) _storesIntoUnknown = true;
            else _storedObjects.Add(start);
        }
        _guards.Add((Resync(guarded: true), _accessAddress, _accessSize, into));
    }

    /// <summary>Where the memory may have changed behind the slots: read them again (filled in by FinishFrame);
    /// <paramref name="guarded"/>: only if a guard finds so, whose condition FinishFrame makes too. Returns the
    /// branch to the resync.</summary>
    private nint Resync(bool guarded = false)
    {
        if (_frameLocal < 0) return 0;
        var resync = Block("resync");
        var next = Block("synced");
        nint branch = guarded ? LLVMBuildCondBr(_b, LLVMConstInt(_m.I1, 0, 0), resync, next) : LLVMBuildBr(_b, resync);
        _resyncs.Add((resync, next, KnownFrameEnd()));
        Position(next);
        return branch;
    }

    /// <summary>How far past the frame's base the bounds checks so far have proved the memory reaches.</summary>
    private ulong KnownFrameEnd() =>
        Math.Max(_topFrameEnd, _checkedEnds.TryGetValue((_frameLocal, _frameVersion), out var c) ? c.End : 0);

    /// <summary>A bounds check of <paramref name="end"/> bytes past <paramref name="key"/> holds here: at the
    /// function's top level (whose code runs in order, before all that follows it) one of the frame's base holds
    /// for the rest of the function, loops included, as the memory never shrinks.</summary>
    private void NoteCheck((int Local, long Value) key, ulong end)
    {
        if (_frames.Count == 1 && _frameLocal >= 0 && key == (_frameLocal, _frameVersion))
            _topFrameEnd = Math.Max(_topFrameEnd, end);
    }

    /// <summary>The function's slots are known: the guards get their range, the resyncs their loads, and a store at
    /// a known place in the frame that meets slots other than its own (a field and its struct) reads those again.</summary>
    private void FinishFrame()
    {
        if (_frameLocal < 0) return;
        var ends = _storedObjects.ToDictionary(start => start, ObjectEnd);
        var demoted = StoredSlots(ends);
        var slots = _slots.Keys.Where(s => !demoted.Contains(s)).OrderBy(s => s.Offset).ToArray();
        int loads = _slotLoads.Count(l => !demoted.Contains(l.Slot));
        if (slots.Length == 0 || _storesIntoUnknown || loads < 2 * _resyncs.Count
            || (long)slots.Length * _resyncs.Count > MaxResyncReads)
        {
            // No slots; or stores at computed places in the frame whose object is not known (which may meet any
            // slot, and so resync at every store); or fewer loads from slots than resyncs and guards would cost
            // (optimised code, whose frame holds what escapes to its callees); or so many slots and resyncs that
            // reading them again would swell the function (a test made of thousands of calls): the frame stays in
            // memory. The variables' stores are dead, and LLVM drops them.
            ToMemory(_ => true);
            foreach (var g in _guards) LLVMSetOperand(g.Branch, 0, LLVMConstInt(_m.I1, 0, 0));
            foreach (var (block, next, _) in _resyncs) { Position(block); LLVMBuildBr(_b, next); }
            return;
        }
        ToMemory(demoted.Contains);
        ulong hi = slots.Max(s => s.Offset + (ulong)s.Size);
        var ranges = SlotRanges(slots);
        foreach (var (branch, address, size, into) in _guards)
        {
            // A store of size bytes at distance d from the base meets [lo, end) iff d - (lo - size + 1) is below
            // end - lo + size - 1, unsigned.
            LLVMPositionBuilderBefore(_b, branch);
            nint distance = LLVMBuildBinOp(_b, LLVMOpcode.Sub, address, _frameBase, "");
            nint resync = LLVMGetSuccessor(branch, 0), next = LLVMGetSuccessor(branch, 1);
            if (into != Unknown && ends[into] is var objectEnd && objectEnd != ulong.MaxValue
                && objectEnd - (ulong)into >= (ulong)size)
            {
                // Into an object without slots: first whether the store stays inside it (one comparison), and only
                // if not whether it meets slots.
                nint offset = LLVMBuildBinOp(_b, LLVMOpcode.Sub, distance, Const(ValueType.I64, (ulong)into), "");
                nint last = Const(ValueType.I64, objectEnd - (ulong)into - (ulong)size);
                var full = Block("guard.full");
                LLVMBuildCondBr(_b, LLVMBuildICmp(_b, LLVMIntPredicate.UGT, offset, last, ""), full, next);
                Position(full);
            }
            else Position(LLVMGetInstructionParent(branch));
            nint meets = 0;
            foreach (var (lo, end) in ranges)
            {
                nint shifted = LLVMBuildBinOp(_b, LLVMOpcode.Sub, distance, Const(ValueType.I64, lo - (ulong)size + 1), "");
                nint inside = LLVMBuildICmp(_b, LLVMIntPredicate.ULT, shifted, Const(ValueType.I64, end - lo + (ulong)size - 1), "");
                meets = meets == 0 ? inside : LLVMBuildBinOp(_b, LLVMOpcode.Or, meets, inside, "");
            }
            LLVMBuildCondBr(_b, meets, resync, next);
            LLVMInstructionEraseFromParent(branch);
        }
        void ReadAll(nint next, bool guarded)
        {
            foreach (var s in slots) ReadSlot(s, guarded);
            LLVMBuildBr(_b, next);
        }
        foreach (var (block, next, known) in _resyncs)
        {
            Position(block);
            if (known >= hi)
            {
                ReadAll(next, guarded: false);
                continue;
            }
            var whole = Block("resync.whole");
            var each = Block("resync.each");
            nint end = LLVMBuildBinOp(_b, LLVMOpcode.Add, _frameBase, Const(ValueType.I64, hi), "");
            LLVMBuildCondBr(_b, LLVMBuildICmp(_b, LLVMIntPredicate.ULE, end, LLVMBuildLoad2(_b, _m.I64, _memLength, ""), ""), whole, each);
            Position(whole);
            ReadAll(next, guarded: false);
            Position(each);
            ReadAll(next, guarded: true);
        }
        foreach (var (store, offset, size) in _slotStores)
        {
            nint after = 0;
            foreach (var s in slots)
            {
                if (s == (offset, size) || s.Offset >= offset + (ulong)size || offset >= s.Offset + (ulong)s.Size) continue;
                if (after == 0)
                {
                    after = LLVMGetNextInstruction(store);
                    LLVMPositionBuilderBefore(_b, after);
                }
                ReadSlot(s, guarded: true);
            }
        }
    }

    /// <summary>The slots' loads that <paramref name="back"/> picks read the memory again.</summary>
    private void ToMemory(Func<(ulong Offset, int Size), bool> back)
    {
        foreach (var (load, pointer, slot) in _slotLoads)
        {
            if (!back(slot)) continue;
            LLVMPositionBuilderBefore(_b, load);
            LLVMReplaceAllUsesWith(load, MemoryLoad(pointer, LLVMTypeOf(load)));
            LLVMInstructionEraseFromParent(load);
        }
    }

    /// <summary>The slots inside objects that stores at computed places write: from where such an object starts to
    /// where the next object or slot does (<c>a[0]</c> of <c>a[i] = x</c>).</summary>
    private HashSet<(ulong Offset, int Size)> StoredSlots(Dictionary<long, ulong> ends)
    {
        var stored = new HashSet<(ulong Offset, int Size)>();
        foreach (var (start, end) in ends)
        {
            ulong lo = (ulong)start;
            foreach (var s in _slots.Keys) if (s.Offset < end && s.Offset + (ulong)s.Size > lo) stored.Add(s);
        }
        return stored;
    }

    /// <summary>Where an object that stores at computed places write ends (as far as the frame shows): where the
    /// next such object or slot starts, else nowhere (<see cref="ulong.MaxValue"/>).</summary>
    private ulong ObjectEnd(long start)
    {
        ulong end = ulong.MaxValue;
        foreach (long next in _storedObjects.GetViewBetween(start + 1, long.MaxValue)) { end = (ulong)next; break; }
        foreach (var (offset, _) in _slots.Keys) if (offset > (ulong)start && offset < end) end = offset;
        return end;
    }

    /// <summary>The byte ranges a guard tests: the slots, ordered by offset, in runs whose gaps are padding (under 8
    /// bytes); a wider gap is left out (most often an array, whose stores must not resync the frame each time). At
    /// most <see cref="MaxRanges"/>, the narrowest gaps closed first.</summary>
    private static List<(ulong Lo, ulong End)> SlotRanges((ulong Offset, int Size)[] slots)
    {
        var ranges = new List<(ulong Lo, ulong End)>();
        foreach (var (offset, size) in slots)
        {
            ulong end = offset + (ulong)size;
            if (ranges.Count > 0 && offset < ranges[^1].End + 8) ranges[^1] = (ranges[^1].Lo, Math.Max(ranges[^1].End, end));
            else ranges.Add((offset, end));
        }
        while (ranges.Count > MaxRanges)
        {
            int narrowest = 0;
            for (int i = 1; i < ranges.Count - 1; i++)
                if (ranges[i + 1].Lo - ranges[i].End < ranges[narrowest + 1].Lo - ranges[narrowest].End) narrowest = i;
            ranges[narrowest] = (ranges[narrowest].Lo, ranges[narrowest + 1].End);
            ranges.RemoveAt(narrowest + 1);
        }
        return ranges;
    }

    /// <summary>Reads a slot's bytes from memory into its variable; <paramref name="guarded"/>: only if they lie
    /// inside the memory (else a harmless read of the context's first bytes).</summary>
    private void ReadSlot((ulong Offset, int Size) slot, bool guarded)
    {
        nint type = IntOfBits(slot.Size * 8);
        nint at = LLVMBuildBinOp(_b, LLVMOpcode.Add, _frameBase, Const(ValueType.I64, slot.Offset), "");
        nint pointer = Gep(LLVMBuildLoad2(_b, _m.Ptr, _memBase, ""), at);
        if (guarded)
        {
            nint end = LLVMBuildBinOp(_b, LLVMOpcode.Add, at, Const(ValueType.I64, (ulong)slot.Size), "");
            nint inside = LLVMBuildICmp(_b, LLVMIntPredicate.ULE, end, LLVMBuildLoad2(_b, _m.I64, _memLength, ""), "");
            pointer = LLVMBuildSelect(_b, inside, pointer, _ctx, "");
        }
        LLVMBuildStore(_b, MemoryLoad(pointer, type, tagged: !guarded), _slots[slot]);
    }
}
