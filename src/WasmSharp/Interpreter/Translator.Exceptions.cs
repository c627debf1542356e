using WasmSharp.Validation;

namespace WasmSharp.Interpreter;

/// <summary>
/// Exception handling: throw and throw_ref, try_table, and legacy try/catch/delegate/rethrow, as regions of code
/// with handlers. Nothing runs on entry to a region or while nothing throws: a throw looks its pc up in the
/// function's handler table (<see cref="CompiledFunction.Handlers"/>), innermost region first, and a caller's frame
/// is searched at its call. A handler writes the exception's values to temporaries from the try's height (and its
/// exnref where asked) and jumps: for a try_table clause to a landing pad placed after the region, a branch with its
/// copies to the clause's target; for a legacy catch to the catch's code. Regions are fenced: no peephole rule
/// reaches across their bounds, and a loop head is copied to a back edge (loop rotation) only within the same
/// regions, so every instruction stays in the regions it was written in.
/// </summary>
internal sealed partial class Translator
{
    /// <summary>An open region: where it starts, its try_table clauses (none for a legacy try, whose catches come
    /// after), the try's height, and its depth among the regions.</summary>
    private sealed record OpenTry(int Start, CatchClause[] Catches, int Height, int Depth)
    {
        /// <summary>Where a legacy try's body ended (its first catch), or -1 while it runs on.</summary>
        public int End = -1;
    }

    private readonly Stack<OpenTry> _openTries = new();
    /// <summary>Legacy tries, body ended, whose catches are still to come.</summary>
    private readonly Stack<OpenTry> _legacyTries = new();
    private readonly List<ExceptionHandler> _handlers = new();
    /// <summary>Regions open here.</summary>
    private int _tryDepth;
    /// <summary>Slots after the locals that hold what legacy catches caught (one per nesting level of legacy tries:
    /// rethrow in a nested catch may name an outer one's).</summary>
    private int _exceptionSlots;
    private int _legacyDepth;
    /// <summary>The exception slots some rethrow reads: a catch of a try no rethrow names keeps no exnref (each
    /// one kept is an entry in the store's reference table for good).</summary>
    private readonly HashSet<int> _rethrown = new();

    /// <summary>Forgets what peephole rules know of the code before: it may be a region's bound.</summary>
    private void Fence()
    {
        _recent.Clear();
        _known.Clear();
        _openLoop = -1;
        _lastBrPos = -1;
        _condEnd = -1;
    }

    private OpenTry OpenRegion(CatchClause[] catches, int height)
    {
        Fence();
        var open = new OpenTry(_len, catches, height, ++_tryDepth);
        _openTries.Push(open);
        return open;
    }

    /// <summary>Closes the innermost region here: returns its end.</summary>
    private int CloseRegion()
    {
        _openTries.Pop();
        _tryDepth--;
        Fence();
        return _len;
    }

    /// <summary>A try_table's body begins here; <paramref name="height"/> is its frame's height.</summary>
    public void EnterTry(ReadOnlySpan<CatchClause> catches, int height) => OpenRegion(catches.ToArray(), height);

    /// <summary>The innermost try_table's body ended here (its end label bound): its handlers are recorded, with
    /// their landing pads; <paramref name="fallsThrough"/>: code runs on past the end, so it jumps over them.</summary>
    public void ExitTry(bool fallsThrough)
    {
        var open = _openTries.Peek();
        int end = CloseRegion();
        if (open.Catches.Length == 0) return;
        int after = -1;
        if (fallsThrough)
        {
            after = NewLabel();
            Branch(after, [], 0);
        }
        foreach (var c in open.Catches)
        {
            int pad = NewLabel();
            Bind(pad, backward: true); // reached from the handler table, not from the code before
            var values = Caught(c.Types, open.Height);
            // catch_ref and catch_all_ref: the exnref is the last value.
            int exn = c.Kind is 1 or 3 ? TempTag | (open.Height + values.Length - 1) : -1;
            _handlers.Add(new ExceptionHandler(open.Start, end, c.Kind, c.Tag, _labelPc[pad], open.Height, exn, open.Depth));
            Branch(c.Label, values, c.Height, rotate: false);
        }
        if (after >= 0) Bind(after);
    }

    /// <summary>What a handler writes: values of <paramref name="types"/> in the temporaries from the try's
    /// <paramref name="height"/>.</summary>
    private Operand[] Caught(ValueType[] types, int height)
    {
        var values = new Operand[types.Length];
        for (int i = 0; i < values.Length; i++) values[i] = Temp(types[i], height + i);
        NoteHeight(height + values.Length);
        return values;
    }

    /// <summary>A legacy try's body begins here: returns the slot (a local's index past the declared ones) its
    /// catches keep the exception in.</summary>
    public int EnterLegacyTry(int height)
    {
        OpenRegion([], height);
        _exceptionSlots = Math.Max(_exceptionSlots, _legacyDepth + 1);
        return _paramCount + _localCount + _legacyDepth++;
    }

    /// <summary>A catch of the innermost legacy try (tag -1: catch_all) begins here; the <paramref name="first"/>
    /// ends the body's region. Returns the caught values, in temporaries from the try's height.</summary>
    public Operand[] Catch(bool first, int tag, ValueType[] types, int exceptionSlot)
    {
        if (first)
        {
            var body = _openTries.Peek();
            body.End = CloseRegion();
            _legacyTries.Push(body);
        }
        var open = _legacyTries.Peek();
        int pad = NewLabel();
        Bind(pad, backward: true); // reached from the handler table
        var values = Caught(types, open.Height);
        _handlers.Add(new ExceptionHandler(open.Start, open.End, tag < 0 ? (byte)2 : (byte)0, tag, _labelPc[pad], open.Height, exceptionSlot, open.Depth));
        return values;
    }

    /// <summary>A legacy try ends (its end label bound): <paramref name="caught"/>, after its catches; else it had
    /// none, and its body's region ends here.</summary>
    public void ExitLegacyTry(bool caught)
    {
        if (caught) _legacyTries.Pop();
        else CloseRegion();
        _legacyDepth--;
    }

    /// <summary>A legacy try's body ends with delegate: what it throws goes on to the handlers of the first
    /// <paramref name="regions"/> regions.</summary>
    public void Delegate(int regions)
    {
        var open = _openTries.Peek();
        int end = CloseRegion();
        _handlers.Add(new ExceptionHandler(open.Start, end, 4, -1, regions, 0, -1, open.Depth));
        _legacyDepth--;
    }

    /// <summary>throw: the exception of <paramref name="tag"/> with <paramref name="args"/>.</summary>
    public void Throw(int tag, ReadOnlySpan<Operand> args)
    {
        Emit(Op.Throw); Emit(tag); Emit(args.Length);
        foreach (ref readonly var a in args) EmitSlot(a);
        _jumpEnd = _len;
    }

    /// <summary>throw_ref (and a legacy rethrow): the exception <paramref name="exception"/> refers to.</summary>
    public void ThrowRef(in Operand exception)
    {
        if (exception.Loc == Loc.Local && exception.Index >= _paramCount + _localCount) _rethrown.Add(exception.Index);
        Emit(Op.ThrowRef); EmitSlot(exception);
        _jumpEnd = _len;
    }

    /// <summary>Whether a handler's slot operand is a legacy catch's exception slot (not -1, nor a temporary).</summary>
    private static bool IsExceptionSlot(int slot) => slot >= 0 && (slot & TempTag) == 0;

    /// <summary>The frame's word offset of a handler's slot operand (a temporary's height or an exception slot).</summary>
    private static int HandlerSlot(int slot, int tempBase) =>
        slot < 0 ? -1 : ((slot & TempTag) != 0 ? tempBase + (slot & IndexMask) : slot) * CompiledFunction.SlotWords;

    /// <summary>The handler table, payload heights and slots made word offsets of the frame.</summary>
    private ExceptionHandler[] FinishHandlers(int tempBase) =>
        _handlers.Count == 0 ? [] : _handlers.Select(h => h.Kind == 4 ? h : h with
        {
            Payload = HandlerSlot(TempTag | h.Payload, tempBase),
            Exception = HandlerSlot(IsExceptionSlot(h.Exception) && !_rethrown.Contains(h.Exception) ? -1 : h.Exception, tempBase),
        }).ToArray();
}

/// <summary>One handler of a region of register code: the pcs [<see cref="Start"/>, <see cref="End"/>) it guards;
/// its kind (0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref, 4 delegate) and tag (of the instance's tag index
/// space, -1 for any); where it goes (for a delegate: the number of regions whose handlers still apply); the frame
/// word offset of the exception's values, and of its exnref (-1: none); and the region's depth among the regions.</summary>
internal readonly record struct ExceptionHandler(int Start, int End, byte Kind, int Tag, int Target, int Payload, int Exception, int Depth);
