using WasmSharp.Binary;

namespace WasmSharp.Validation;

/// <summary>A value on the validator's operand stack: its type, and whatever a translator keeps for it.</summary>
internal interface IStackValue<TSelf> where TSelf : struct, IStackValue<TSelf>
{
    ValueType Type { get; set; }

    /// <summary>A value known only by its type: in unreachable code, or in a body that is not translated.</summary>
    static abstract TSelf Typed(ValueType type);
}

/// <summary>One instruction that is neither arithmetic, a memory access, a local nor control flow: its opcode, the
/// sub-opcode after a 0xFC prefix, and its index immediates in their order (global, table, function, segment).</summary>
internal readonly record struct Instruction(byte Op, uint Sub = 0, int A = 0, int B = 0);

/// <summary>A catch clause of a try_table (exception handling): <see cref="Kind"/> 0 catch, 1 catch_ref, 2 catch_all,
/// 3 catch_all_ref; the tag it matches (of the tag index space, -1 for the catch_all forms); the values it branches
/// with (the tag's, then an exnref for the _ref forms); and its target, a frame outside the try_table (its translator
/// label and height, as in <see cref="ControlFrame"/>).</summary>
internal readonly record struct CatchClause(byte Kind, int Tag, ValueType[] Types, int Label, int Height);

/// <summary>A block, loop, if, try_table or the function body, as the validator tracks it.</summary>
internal struct ControlFrame
{
    /// <summary>0x02 block, 0x03 loop, 0x04 if, 0x05 an if's else arm, 0x1F try_table, 0 the function; legacy
    /// exception handling's try: 0x06 in its body, 0x07 in a catch, 0x19 in its catch_all.</summary>
    public byte Kind;
    public ValueType[] Params;
    public ValueType[] Results;
    /// <summary>The operand stack's height below the frame's params.</summary>
    public int Height;
    /// <summary>Code after an unconditional branch, up to the frame's end.</summary>
    public bool Unreachable;
    /// <summary>Entered in unreachable code: nothing inside is translated.</summary>
    public bool Dead;
    /// <summary>The translator's labels for the frame's end (a loop's head) and an if's else arm.</summary>
    public int Label, ElseLabel;
    /// <summary>A legacy try: where the translator keeps the exception its catch caught (rethrow reads it).</summary>
    public int Exception;

    public readonly ValueType[] LabelTypes => Kind == 0x03 ? Params : Results;
    public readonly bool Live => !Unreachable && !Dead;
}

/// <summary>
/// What the validator's walk feeds (ARCHITECTURE §1): each instruction is decoded and type-checked once, by the
/// validator, which then hands the translator the instruction with the values it consumes and pushes what comes back.
/// Code in unreachable parts is never handed over. The stack spans are the operand stack below the instruction's own
/// operands (their length the height a result goes to): a translator may rewrite entries, never their types.
/// </summary>
internal interface IFunctionTranslator<TValue, TResult> where TValue : struct, IStackValue<TValue>
{
    /// <summary>Body <paramref name="function"/> starts: <paramref name="locals"/> holds the params, then the
    /// declared locals; <paramref name="code"/> is the body's code. Sets the labels of <paramref name="body"/>, the
    /// function's own frame.</summary>
    void Begin(ref ControlFrame body, int function, FunctionType type, ValueType[] locals, ReadOnlySpan<byte> code);
    /// <summary>The body's end was reached (its final <c>end</c> included).</summary>
    TResult Finish();

    TValue Constant(ValueType type, ulong bits);
    TValue LocalGet(int local, ValueType type, Span<TValue> stack);
    void LocalSet(int local, TValue value, Span<TValue> stack);
    TValue LocalTee(int local, TValue value, Span<TValue> stack);
    /// <summary>Opcodes 0x45 to 0xC4 of one operand, and 0xFC 0 to 7 (saturating truncations) as
    /// <c>0xFC00 | sub</c>.</summary>
    TValue Unary(int op, ValueType result, int height, TValue a);
    TValue Binary(byte op, ValueType result, int height, TValue a, TValue b);
    /// <summary>Opcodes 0x28 to 0x35 from memory <paramref name="memory"/>.</summary>
    TValue Load(byte op, ValueType result, int memory, uint offset, int height, TValue address);
    /// <summary>Opcodes 0x36 to 0x3E to memory <paramref name="memory"/>.</summary>
    void Store(byte op, int memory, uint offset, TValue address, TValue value);
    TValue Select(ValueType type, int height, TValue a, TValue b, TValue condition);
    void Drop(TValue value);
    /// <summary>An instruction with a result (global.get, table.get, memory.size and .grow, ref.is_null, ref.func,
    /// table.grow and .size). memory.size and .grow have their memory in <see cref="Instruction.A"/>.</summary>
    TValue Produce(Instruction instruction, ValueType result, int height, ReadOnlySpan<TValue> args);
    /// <summary>An instruction without one (global.set, table.set, the bulk memory and table operations). Memories:
    /// memory.init's in <see cref="Instruction.B"/> (its segment in A), memory.fill's in A, memory.copy's destination
    /// in A and source in B.</summary>
    void Effect(Instruction instruction, ReadOnlySpan<TValue> args);
    /// <summary>A SIMD instruction (0xFD <paramref name="info"/>), its 16 immediate bytes in
    /// <paramref name="low"/>/<paramref name="high"/>: its result, if it has one. A memory access has
    /// <paramref name="immediates"/> [offset, memory] or, with a lane, [offset, lane, memory].</summary>
    TValue? Simd(in SimdOpInfo info, int height, ReadOnlySpan<TValue> args, ReadOnlySpan<int> immediates, ulong low, ulong high);
    /// <summary>Fills <paramref name="results"/>, the values the call leaves at <paramref name="argHeight"/>.</summary>
    void Call(int function, FunctionType type, int argHeight, ReadOnlySpan<TValue> args, Span<TValue> results);
    void CallIndirect(int typeIndex, int table, FunctionType type, TValue element, int argHeight, ReadOnlySpan<TValue> args, Span<TValue> results);
    /// <summary>return_call (tail calls): the function returns what <paramref name="function"/> returns, its own frame
    /// gone before the callee runs.</summary>
    void ReturnCall(int function, FunctionType type, ReadOnlySpan<TValue> args);
    /// <summary>return_call_indirect: as <see cref="ReturnCall"/>, through a table as call_indirect.</summary>
    void ReturnCallIndirect(int typeIndex, int table, FunctionType type, TValue element, ReadOnlySpan<TValue> args);

    /// <summary>Control may leave straight-line code after this point (a block, else, end or branch follows);
    /// <paramref name="stack"/> is the whole operand stack.</summary>
    void LeaveStraightLine(Span<TValue> stack);
    /// <summary>A live block, loop or if begins (kind 0x02, 0x03, 0x04), its params on <paramref name="stack"/> from
    /// its height; an if branches on <paramref name="condition"/>. Sets the frame's labels.</summary>
    void Enter(ref ControlFrame frame, Span<TValue> stack, TValue condition);
    /// <summary>A live try_table begins (a block whose body's exceptions <paramref name="catches"/> catch, in order),
    /// its params on <paramref name="stack"/> from its height. Its <see cref="End"/> ends the region they guard.</summary>
    void EnterTry(ref ControlFrame frame, Span<TValue> stack, ReadOnlySpan<CatchClause> catches);
    /// <summary>Legacy exception handling: a live try begins (its body, until the first catch, is the region its
    /// catches guard).</summary>
    void EnterLegacyTry(ref ControlFrame frame, Span<TValue> stack);
    /// <summary>Legacy: a catch (of tag <paramref name="tag"/>, or -1 for catch_all) of <paramref name="frame"/>
    /// begins; the arm before it ended (checked: its results on the stack when live). The translator puts the caught
    /// values, of <paramref name="types"/>, on the stack from the frame's height.</summary>
    void Catch(ref ControlFrame frame, ValueStack<TValue> stack, int tag, ValueType[] types);
    /// <summary>Legacy: a try's body ends with delegate (checked, and removed from the control stack): what it
    /// throws is handled as if thrown where only the first <paramref name="regions"/> handler regions around it are
    /// (those around the delegate's target, and the target's if it is a try). The results stay as after
    /// <see cref="End"/>.</summary>
    void Delegate(in ControlFrame frame, ValueStack<TValue> stack, int regions, bool parentLive);
    /// <summary>Legacy: rethrow of the exception the catch of <paramref name="target"/> caught.</summary>
    void Rethrow(in ControlFrame target);
    /// <summary>throw: raises an exception of tag <paramref name="tag"/> (of type <paramref name="type"/>) carrying
    /// <paramref name="args"/>.</summary>
    void Throw(int tag, FunctionType type, ReadOnlySpan<TValue> args);
    /// <summary>throw_ref: raises the exception <paramref name="exception"/> (an exnref) refers to; null traps.</summary>
    void ThrowRef(TValue exception);
    /// <summary>An if's then arm ends (checked: its results on top of <paramref name="stack"/> when live); the else arm
    /// starts with the if's params, which the translator puts on the stack from the frame's height.</summary>
    void Else(ref ControlFrame frame, ValueStack<TValue> stack);
    /// <summary>Frame <paramref name="frame"/> ends (checked, and removed from the control stack); the translator leaves
    /// its results on the stack from the frame's height. <paramref name="parentLive"/>: the code after it runs.</summary>
    void End(in ControlFrame frame, ValueStack<TValue> stack, bool parentLive);
    void Branch(in ControlFrame target, ReadOnlySpan<TValue> values);
    void BranchIf(TValue condition, in ControlFrame target, ReadOnlySpan<TValue> values);
    void BranchTable(TValue index, ReadOnlySpan<int> labels, ReadOnlySpan<int> heights, ReadOnlySpan<TValue> values);
    void Return(ReadOnlySpan<TValue> values);
    void Unreachable();
}
