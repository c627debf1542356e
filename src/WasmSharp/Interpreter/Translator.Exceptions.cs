using WasmSharp.Validation;

namespace WasmSharp.Interpreter;

/// <summary>
/// Exception handling: throw and throw_ref, and try_table as a region of code with a handler per catch clause.
/// Nothing runs on entry to a region or while nothing throws: a throw looks its pc up in the function's handler
/// table (<see cref="CompiledFunction.Handlers"/>), innermost region first, and a caller's frame is searched at its
/// call. A handler writes the exception's values (and an exnref) to temporaries above the try_table's height and
/// jumps to its landing pad, placed after the region: a branch, with its copies, to the clause's target.
/// Regions are fenced: no peephole rule reaches across their start or end, and a loop head is copied to a back edge
/// (loop rotation) only within the same regions, so every instruction stays in the region it was written in.
/// </summary>
internal sealed partial class Translator
{
    private readonly record struct OpenTry(int Start, CatchClause[] Catches, int Height);
    private readonly Stack<OpenTry> _openTries = new();
    private readonly List<ExceptionHandler> _handlers = new();
    /// <summary>try_table regions open here.</summary>
    private int _tryDepth;

    /// <summary>Forgets what peephole rules know of the code before: it may be a region's bound.</summary>
    private void Fence()
    {
        _recent.Clear();
        _known.Clear();
        _openLoop = -1;
        _lastBrPos = -1;
        _condEnd = -1;
    }

    /// <summary>A try_table's body begins here; <paramref name="height"/> is its frame's height.</summary>
    public void EnterTry(ReadOnlySpan<CatchClause> catches, int height)
    {
        Fence();
        _openTries.Push(new OpenTry(_len, catches.ToArray(), height));
        _tryDepth++;
    }

    /// <summary>The innermost try_table's body ended here (its end label bound): its handlers are recorded, with
    /// their landing pads; <paramref name="fallsThrough"/>: code runs on past the end, so it jumps over them.</summary>
    public void ExitTry(bool fallsThrough)
    {
        var open = _openTries.Pop();
        _tryDepth--;
        Fence();
        int end = _len;
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
            var values = new Operand[c.Types.Length];
            for (int i = 0; i < values.Length; i++) values[i] = Temp(c.Types[i], open.Height + i);
            NoteHeight(open.Height + values.Length);
            _handlers.Add(new ExceptionHandler(open.Start, end, c.Kind, c.Tag, _labelPc[pad], open.Height));
            Branch(c.Label, values, c.Height, rotate: false);
        }
        if (after >= 0) Bind(after);
    }

    /// <summary>throw: the exception of <paramref name="tag"/> with <paramref name="args"/>.</summary>
    public void Throw(int tag, ReadOnlySpan<Operand> args)
    {
        Emit(Op.Throw); Emit(tag); Emit(args.Length);
        foreach (ref readonly var a in args) EmitSlot(a);
        _jumpEnd = _len;
    }

    /// <summary>throw_ref: the exception <paramref name="exception"/> refers to.</summary>
    public void ThrowRef(in Operand exception)
    {
        Emit(Op.ThrowRef); EmitSlot(exception);
        _jumpEnd = _len;
    }

    /// <summary>The handler table, payload heights made word offsets of the frame.</summary>
    private ExceptionHandler[] FinishHandlers(int tempBase) =>
        _handlers.Count == 0 ? [] : _handlers.Select(h => h with { Payload = (tempBase + h.Payload) * CompiledFunction.SlotWords }).ToArray();
}

/// <summary>One catch clause of a try_table in register code: the pcs [<see cref="Start"/>, <see cref="End"/>) it
/// guards, its kind (0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref) and tag (of the instance's tag index space,
/// -1 for any), the pc of its landing pad, and the frame word offset where the exception's values go (then its
/// exnref, for the _ref kinds).</summary>
internal readonly record struct ExceptionHandler(int Start, int End, byte Kind, int Tag, int Target, int Payload);
