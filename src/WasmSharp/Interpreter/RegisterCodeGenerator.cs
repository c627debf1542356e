using WasmSharp.Binary;
using WasmSharp.Validation;

namespace WasmSharp.Interpreter;

/// <summary>
/// The interpreter's side of the validator's walk: hands each instruction to the <see cref="Translator"/>, which
/// emits register code, and keeps what only register code needs: which locals a read may see unwritten, and the
/// forwarding of values to locals read once.
/// </summary>
internal sealed class RegisterCodeGenerator : IFunctionTranslator<Operand, CompiledFunction>
{
    // Forwarding of single-read locals (see LocalReadCounter): a local.set of a constant or another local to a
    // local read exactly once is not stored; the value waits here and the one local.get takes it over. A constant
    // waits for every read of its local the same way (unoptimised code names constants: x = 16; a << x >> x),
    // and is dropped once all the function's reads took it. Before control flow can leave the straight-line
    // code, waiting values are stored after all.
    private int[] _reads = [];
    // Which locals a read may see before any write (their slots are zeroed on entry; the others need not be):
    // a local counts as written when a write precedes the read in the code since the last point that paths
    // can reach without passing that write: an else, or the end of a block or if (branches join there). A loop
    // head is not such a point (its back edges come from paths that entered it from above, through the same
    // writes), nor is a loop's end (reached only by falling through). _writtenIn[i] == _region: local i written.
    private int[] _writtenIn = [];
    private int _region;
    private int _paramCount;
    private bool[] _zeroed = [];
    private int[] _pendingUses = [];
    private Operand?[] _pending = [];
    private readonly List<int> _pendingList = new();

    private readonly Translator _t = new();
    private ValueType[] _locals = [];
    private FunctionType _type = null!;
    private int _function;

    public RegisterCodeGenerator(bool interruptible) => _t.Interruptible = interruptible;

    public void Begin(ref ControlFrame body, int function, FunctionType type, ValueType[] locals, ReadOnlySpan<byte> code)
    {
        _function = function;
        _type = type;
        _locals = locals;
        _paramCount = type.Parameters.Length;
        if (_reads.Length < locals.Length) { _reads = new int[locals.Length]; _pendingUses = new int[locals.Length]; _pending = new Operand?[locals.Length]; }
        _t.Begin(_paramCount, locals.Length - _paramCount, _reads);
        _pendingList.Clear();
        if (_writtenIn.Length < locals.Length) { _writtenIn = new int[locals.Length]; _zeroed = new bool[locals.Length]; }
        _writtenIn.AsSpan(0, locals.Length).Clear();
        _zeroed.AsSpan(0, locals.Length).Clear();
        _region = 1;
        var reads = _reads.AsSpan(0, locals.Length);
        reads.Clear();
        _pending.AsSpan(0, locals.Length).Clear();
        if (!LocalReadCounter.TryCount(code, reads)) reads.Fill(int.MaxValue);
        body.Label = _t.NewLabel();
    }

    public CompiledFunction Finish()
    {
        var zeroSlots = new List<int>();
        for (int i = _paramCount; i < _locals.Length; i++)
            if (_zeroed[i]) zeroSlots.Add(i);
        return _t.Finish(_type, _function, zeroSlots.ToArray());
    }

    // ---- locals ----------------------------------------------------------------------------------

    public Operand LocalGet(int idx, ValueType t, Span<Operand> stack)
    {
        if (_writtenIn[idx] != _region && idx >= _paramCount) _zeroed[idx] = true;
        if (_pending[idx] is Operand forwarded)
        {
            if (++_pendingUses[idx] >= _reads[idx])
            {
                _pending[idx] = null;
                _pendingList.Remove(idx);
            }
            forwarded.Type = t;
            return forwarded;
        }
        if (_reads[idx] == 1 && !HasLocalProvider(idx, stack) && _t.TryReclaimLocal(idx, stack.Length, t, out var temp)) return temp;
        return Translator.Local(idx, t);
    }

    public void LocalSet(int idx, Operand v, Span<Operand> stack) => SetLocal(idx, v, tee: false, stack);

    public Operand LocalTee(int idx, Operand v, Span<Operand> stack)
    {
        SetLocal(idx, v, tee: true, stack);
        return Translator.Local(idx, _locals[idx]);
    }

    private void SetLocal(int idx, Operand v, bool tee, Span<Operand> stack)
    {
        _writtenIn[idx] = _region;
        // A value written now replaces one still waiting; values waiting as reads of this local are stored first.
        if (_pending[idx] is not null) { _pending[idx] = null; _pendingList.Remove(idx); }
        for (int i = _pendingList.Count - 1; i >= 0; i--)
        {
            int x = _pendingList[i];
            if (_pending[x] is { Loc: Loc.Local } w && w.Index == idx) StorePending(x, stack);
        }
        if (!tee && (_reads[idx] == 1 && v.Loc is Loc.Const or Loc.Local || _reads[idx] > 1 && v.Loc == Loc.Const)
            && !(v.Loc == Loc.Local && v.Index == idx) && !HasLocalProvider(idx, stack))
        {
            _pending[idx] = v;
            _pendingUses[idx] = 0;
            _pendingList.Add(idx);
            return;
        }
        _t.LocalSet(idx, v, stack);
    }

    private static bool HasLocalProvider(int idx, Span<Operand> stack)
    {
        foreach (ref var o in stack)
            if (o.Loc == Loc.Local && o.Index == idx) return true;
        return false;
    }

    private void StorePending(int x, Span<Operand> stack)
    {
        var v = _pending[x]!.Value;
        _pending[x] = null;
        _pendingList.Remove(x);
        _t.LocalSet(x, v, stack);
    }

    /// <summary>Stores every waiting local: control may leave the straight-line code here.</summary>
    public void LeaveStraightLine(Span<Operand> stack)
    {
        while (_pendingList.Count > 0) StorePending(_pendingList[^1], stack);
    }

    /// <summary>Nothing after this point in the block runs: values still waiting are never read.</summary>
    private void DropPending()
    {
        foreach (int x in _pendingList) _pending[x] = null;
        _pendingList.Clear();
    }

    // ---- straight-line code ----------------------------------------------------------------------

    public Operand Constant(ValueType type, ulong bits) => _t.Constant(type, bits);

    public Operand Unary(int op, ValueType result, int height, Operand a)
    {
        // Reinterpretations keep the bits: the provider stays, only its type changes.
        if (op is >= 0xBC and <= 0xBF) { a.Type = result; return a; }
        var operation = op >= 0xFC00 ? OpInfo.FromWasmFC((uint)op & 0xFF) : OpInfo.FromWasm((byte)op);
        return _t.Unary(operation, result, height, a);
    }

    public Operand Binary(byte op, ValueType result, int height, Operand a, Operand b) =>
        _t.Binary(OpInfo.FromWasm(op), result, height, a, b);

    /// <summary>The operation of each load, 0x28 (i32.load) to 0x35; f32 and f64 move their bits as i32 and i64.</summary>
    private static readonly Op[] Loads =
    [
        Op.I32Load, Op.I64Load, Op.I32Load, Op.I64Load, Op.I32Load8S, Op.I32Load8U, Op.I32Load16S, Op.I32Load16U,
        Op.I64Load8S, Op.I64Load8U, Op.I64Load16S, Op.I64Load16U, Op.I64Load32S, Op.I64Load32U,
    ];

    /// <summary>The operation of each store, 0x36 (i32.store) to 0x3E.</summary>
    private static readonly Op[] Stores =
    [
        Op.I32Store, Op.I64Store, Op.I32Store, Op.I64Store, Op.I32Store8, Op.I32Store16, Op.I64Store8, Op.I64Store16, Op.I64Store32,
    ];

    public Operand Load(byte op, ValueType result, int memory, uint offset, int height, Operand address)
    {
        Switch(memory);
        var loaded = _t.Load(Loads[op - 0x28], result, height, address, offset);
        SwitchBack(memory);
        return loaded;
    }

    public void Store(byte op, int memory, uint offset, Operand address, Operand value)
    {
        Switch(memory);
        _t.Store(Stores[op - 0x36], address, value, offset);
        SwitchBack(memory);
    }

    /// <summary>Before an instruction on <paramref name="memory"/>: makes it the current memory (memory 0 is, but
    /// between the two).</summary>
    private void Switch(int memory)
    {
        if (memory != 0) _t.UseMemory(memory);
    }

    /// <summary>After an instruction on <paramref name="memory"/>: memory 0 is current again.</summary>
    private void SwitchBack(int memory)
    {
        if (memory != 0) _t.UseMemory(0);
    }

    /// <summary>Providers have no effects: nothing to do.</summary>
    public void Drop(Operand value) { }

    public Operand Select(ValueType type, int height, Operand a, Operand b, Operand condition) => _t.Select(type, height, a, b, condition);

    public Operand Produce(Instruction i, ValueType result, int height, ReadOnlySpan<Operand> args) => (i.Op, i.Sub) switch
    {
        (0x23, _) => _t.Produce(result == ValueType.V128 ? Op.GlobalGetV128 : Op.GlobalGet, result, height, [i.A], []),
        (0x25, _) => _t.Produce(Op.TableGet, result, height, [i.A], args),
        (0x3F, _) => MemorySize(i.A, result, height),
        (0x40, _) => _t.Shaped(Op.MemoryGrow, result, height, args, [i.A])!.Value,
        (0xD1, _) => _t.Unary(Op.RefIsNull, result, height, args[0]),
        (0xD2, _) => _t.Produce(Op.RefFunc, result, height, [i.A], []),
        (0xFC, 15) => _t.Produce(Op.TableGrow, result, height, [i.A], args),
        (0xFC, 16) => _t.Produce(Op.TableSize, result, height, [i.A], []),
        _ => throw new ArgumentOutOfRangeException(nameof(i), i, "not an instruction with a result"),
    };

    public void Effect(Instruction i, ReadOnlySpan<Operand> args)
    {
        switch (i.Op, i.Sub)
        {
            case (0x24, _) when args[0].Type == ValueType.V128: _t.Effect(Op.GlobalSetV128, [i.A], args); return;
            case (0x24, _): _t.GlobalSet(i.A, args[0]); return;
            case (0x26, _): _t.Effect(Op.TableSet, [i.A], args); return;
            case (0xFC, 8): OnMemory(i.B, Op.MemoryInit, [i.A], args); return;
            case (0xFC, 9): _t.Effect(Op.DataDrop, [i.A], []); return;
            case (0xFC, 10) when i.A != i.B: _t.Shaped(Op.MemoryCopyAcross, null, 0, args, [i.A, i.B]); return;
            case (0xFC, 10): OnMemory(i.A, Op.MemoryCopy, [], args); return;
            case (0xFC, 11): OnMemory(i.A, Op.MemoryFill, [], args); return;
            case (0xFC, 12): _t.Effect(Op.TableInit, [i.B, i.A], args); return;
            case (0xFC, 13): _t.Effect(Op.ElemDrop, [i.A], []); return;
            case (0xFC, 14): _t.Effect(Op.TableCopy, [i.A, i.B], args); return;
            case (0xFC, 17): _t.Effect(Op.TableFill, [i.A], args); return;
            default: throw new ArgumentOutOfRangeException(nameof(i), i, "not an instruction without a result");
        }
    }

    /// <summary>memory.size of <paramref name="memory"/>.</summary>
    private Operand MemorySize(int memory, ValueType result, int height)
    {
        Switch(memory);
        var size = _t.Produce(Op.MemorySize, result, height, [], []);
        SwitchBack(memory);
        return size;
    }

    /// <summary>An instruction without a result that acts on the current memory, made <paramref name="memory"/> for it.</summary>
    private void OnMemory(int memory, Op op, ReadOnlySpan<int> immediates, ReadOnlySpan<Operand> args)
    {
        Switch(memory);
        _t.Effect(op, immediates, args);
        SwitchBack(memory);
    }

    public Operand? Simd(in SimdOpInfo info, int height, ReadOnlySpan<Operand> args, ReadOnlySpan<int> immediates, ulong low, ulong high)
    {
        if (info.Immediate is SimdImmediate.MemArg or SimdImmediate.MemArgLane)
        {
            // The memory index comes last; the instruction acts on the current memory.
            int memory = immediates[^1];
            Switch(memory);
            var value = _t.Shaped(info.Operation!.Value, info.Result, height, args, immediates[..^1]);
            SwitchBack(memory);
            return value;
        }
        if (info.Operation is not Op op) return _t.ConstantV128(low, high); // v128.const: a constant provider
        // i8x16.shuffle reads its lane indices from a constant slot.
        if (info.Immediate == SimdImmediate.Shuffle) return _t.Shaped(op, info.Result, height, [.. args, _t.ConstantV128(low, high)], immediates);
        return _t.Shaped(op, info.Result, height, args, immediates);
    }

    public void Call(int function, FunctionType type, int argHeight, ReadOnlySpan<Operand> args, Span<Operand> results)
    {
        _t.Call(function, argHeight, args, type.Results.Length);
        Temporaries(type.Results, argHeight, results);
    }

    public void CallIndirect(int typeIndex, int table, FunctionType type, Operand element, int argHeight, ReadOnlySpan<Operand> args, Span<Operand> results)
    {
        _t.CallIndirect(typeIndex, table, element, argHeight, args, type.Results.Length);
        Temporaries(type.Results, argHeight, results);
    }

    public void ReturnCall(int function, FunctionType type, ReadOnlySpan<Operand> args)
    {
        _t.ReturnCall(function, args);
        DropPending();
    }

    public void ReturnCallIndirect(int typeIndex, int table, FunctionType type, Operand element, ReadOnlySpan<Operand> args)
    {
        _t.ReturnCallIndirect(typeIndex, table, element, args);
        DropPending();
    }

    /// <summary>Values in the temporaries from <paramref name="height"/> up, as a call or a merge leaves them.</summary>
    private static void Temporaries(ValueType[] types, int height, Span<Operand> values)
    {
        for (int i = 0; i < types.Length; i++) values[i] = new Operand(types[i], Loc.Temp, height + i);
    }

    // ---- control ---------------------------------------------------------------------------------

    public void Enter(ref ControlFrame frame, Span<Operand> stack, Operand condition)
    {
        _t.MaterializeLocals(stack);
        // A loop's params are rewritten by branches back to its head, an if's are read by both arms.
        if (frame.Kind != 0x02) _t.MaterializeFrom(stack, frame.Height);
        frame.Label = _t.NewLabel();
        if (frame.Kind == 0x03) _t.BindLoop(frame.Label);
        if (frame.Kind == 0x04)
        {
            frame.ElseLabel = _t.NewLabel();
            _t.BranchIfZero(condition, frame.ElseLabel);
        }
    }

    public void EnterTry(ref ControlFrame frame, Span<Operand> stack, ReadOnlySpan<CatchClause> catches)
    {
        _t.MaterializeLocals(stack);
        _t.MaterializeFrom(stack, frame.Height);
        frame.Label = _t.NewLabel();
        _t.EnterTry(catches, frame.Height);
    }

    public void EnterLegacyTry(ref ControlFrame frame, Span<Operand> stack)
    {
        _t.MaterializeLocals(stack);
        _t.MaterializeFrom(stack, frame.Height);
        frame.Label = _t.NewLabel();
        frame.Exception = _t.EnterLegacyTry(frame.Height);
    }

    public void Catch(ref ControlFrame frame, ValueStack<Operand> stack, int tag, ValueType[] types)
    {
        _region++; // a catch starts from the throw, not from the code before
        if (frame.Live)
        {
            _t.PlaceResults(stack.AsSpan()[frame.Height..], frame.Height);
            _t.Branch(frame.Label, [], 0);
        }
        var values = _t.Catch(first: frame.Kind == 0x06, tag, types, frame.Exception);
        stack.Truncate(frame.Height);
        foreach (var v in values) stack.Add(v);
    }

    public void Delegate(in ControlFrame frame, ValueStack<Operand> stack, int regions, bool parentLive)
    {
        EndFrame(frame, stack, parentLive);
        if (!frame.Dead) _t.Delegate(regions);
    }

    public void Rethrow(in ControlFrame target)
    {
        _t.ThrowRef(Translator.Local(target.Exception, ValueType.ExnRef));
        DropPending();
    }

    public void Throw(int tag, FunctionType type, ReadOnlySpan<Operand> args)
    {
        _t.Throw(tag, args);
        DropPending();
    }

    public void ThrowRef(Operand exception)
    {
        _t.ThrowRef(exception);
        DropPending();
    }

    public void Else(ref ControlFrame c, ValueStack<Operand> stack)
    {
        _region++; // the else arm starts from the if's entry, not from the then arm
        if (c.Live)
        {
            _t.PlaceResults(stack.AsSpan()[c.Height..], c.Height);
            _t.Branch(c.Label, [], 0);
        }
        if (!c.Dead) _t.Bind(c.ElseLabel);
        stack.Truncate(c.Height);
        for (int i = 0; i < c.Params.Length; i++)
            stack.Add(c.Dead ? Operand.Typed(c.Params[i]) : new Operand(c.Params[i], Loc.Temp, c.Height + i));
    }

    public void End(in ControlFrame frame, ValueStack<Operand> stack, bool parentLive)
    {
        EndFrame(frame, stack, parentLive);
        if (frame.Dead) return;
        if (frame.Kind == 0x1F) _t.ExitTry(fallsThrough: parentLive);
        else if (frame.Kind is 0x06 or 0x07 or 0x19) _t.ExitLegacyTry(caught: frame.Kind != 0x06);
    }

    private void EndFrame(in ControlFrame frame, ValueStack<Operand> stack, bool parentLive)
    {
        if (frame.Kind != 0x03) _region++; // branches to the end join here
        // Results need their canonical slots only where paths merge: a branch to the end, or an if's two arms.
        // A loop's end and a block nobody branches to are straight-line code: the providers stay as they are.
        bool merges = !frame.Dead && (frame.Kind is 0x04 or 0x05 || (frame.Kind != 0x03 && _t.HasBranches(frame.Label)));
        bool live = frame.Live;
        if (live && merges) _t.PlaceResults(stack.AsSpan()[frame.Height..], frame.Height);
        if (!frame.Dead)
        {
            if (frame.ElseLabel >= 0) _t.Bind(frame.ElseLabel);
            if (frame.Kind != 0x03) _t.Bind(frame.Label);
        }
        if (frame.Kind == 0)
        {
            if (!frame.Dead && (live || merges))
            {
                var results = new Operand[frame.Results.Length];
                if (live && !merges) stack.AsSpan().Slice(frame.Height, results.Length).CopyTo(results);
                else Temporaries(frame.Results, 0, results);
                _t.Return(results);
            }
            return;
        }
        if (live && !merges) return; // the results stay on the stack with their providers
        stack.Truncate(frame.Height);
        for (int i = 0; i < frame.Results.Length; i++)
        {
            if (parentLive) _t.NoteHeight(frame.Height + i + 1);
            stack.Add(parentLive ? new Operand(frame.Results[i], Loc.Temp, frame.Height + i) : Operand.Typed(frame.Results[i]));
        }
    }

    public void Branch(in ControlFrame target, ReadOnlySpan<Operand> values) => _t.Branch(target.Label, values, target.Height);

    public void BranchIf(Operand condition, in ControlFrame target, ReadOnlySpan<Operand> values) =>
        _t.BranchIf(condition, target.Label, values, target.Height);

    public void BranchTable(Operand index, ReadOnlySpan<int> labels, ReadOnlySpan<int> heights, ReadOnlySpan<Operand> values) =>
        _t.BranchTable(index, labels, heights, values);

    public void Return(ReadOnlySpan<Operand> values)
    {
        _t.Return(values);
        DropPending();
    }

    public void Unreachable()
    {
        _t.Unreachable();
        DropPending();
    }
}
