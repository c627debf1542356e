using System.Runtime.InteropServices;
using WasmSharp.Binary;
using WasmSharp.Validation;
using WasmSharp.Llvm.Native;
using static WasmSharp.Llvm.Native.LlvmApi;

namespace WasmSharp.Llvm;

/// <summary>An entry of the validator's operand stack in a body translated to LLVM IR: its type and its LLVM value
/// (0 for a value known only by its type).</summary>
internal struct LlvmValue(nint value, ValueType type) : IStackValue<LlvmValue>
{
    public nint Value = value;
    public ValueType Type { get; set; } = type;

    public static LlvmValue Typed(ValueType type) => new(0, type);
}

/// <summary>
/// Translates one validated function body straight from Wasm to LLVM IR, every Wasm 2.0 instruction (SIMD in
/// FunctionTranslator.Simd.cs), as the validator's walk hands them over (<see cref="IFunctionTranslator{TValue, TResult}"/>:
/// decoded, type-checked, with their operands' LLVM values; unreachable code never comes). Locals and block results are allocas (mem2reg makes them SSA values); a stack frame
/// in linear memory gets variables of its own (FunctionTranslator.Frame.cs). Calls to other native functions of the
/// module are direct, memory.grow is native too (<see cref="ModuleTranslator.MemoryGrow"/>); imports, call_indirect
/// to other instances and bulk operations go through the instance context's callbacks. A trap stores its code in the context and longjmps to the entry the runtime called
/// (<see cref="ModuleTranslator.EnterSymbol"/>); a callback's trap is propagated the same way once it returns, so
/// no .NET frame is ever unwound.
/// </summary>
internal sealed unsafe partial class FunctionTranslator : IFunctionTranslator<LlvmValue, bool>
{
    private readonly ModuleTranslator _m;
    private readonly nint _b;
    private nint _function;
    private nint _ctx;
    private FunctionType _type = null!;
    private readonly List<(nint Slot, ValueType Type)> _locals = new();
    /// <summary>The operands of the instruction being translated, then its results (the validator keeps the
    /// operand stack itself).</summary>
    private readonly List<(nint Value, ValueType Type)> _stack = new();
    private readonly List<Frame> _frames = new();
    private readonly Dictionary<TrapCode, nint> _trapBlocks = new();
    private nint _propagate, _propagateFromHelper;
    /// <summary>Memory 0's base and length in allocas (SSA values after mem2reg), so accesses do not reload them
    /// through the context: the base never moves, and the length is reloaded after every call and memory.grow,
    /// the only things that change it. 0 without a memory.</summary>
    private nint _memBase, _memLength;
    /// <summary>The memory the instruction being translated accesses (memory 0 unless a load, store or SIMD access
    /// names another: set after <see cref="Start"/>).</summary>
    private int _memory;
    // ---- Bounds checks already made (explicit checks) -----------------------------------------------------
    // Memory 0's only: an access to another memory is checked every time (OtherAddress) and records nothing here.
    // Straight-line code often accesses several fields at one address (unoptimised code: its frame, through the
    // stack pointer in a local). A check that address + offset + size fits covers every later access there with a
    // smaller end, as long as the address is the same value: a memory never shrinks while code runs on it (one
    // disposed meanwhile goes when the outermost call returns, Memory.Dispose), so calls change nothing. Addresses
    // are the same when they are one LLVM value, or reads of one local with no write to it between them.
    // Structured control flow keeps them: what was checked before a block, if or else arm still holds in it and
    // after its end (a merge), while the code after a loop is reached only from its body. Into a loop they go as
    // tentative, since a local may be written further on in the body, which the head is reached from as well: an
    // access covered only by a tentative check gets a check of its own, made void at the loop's end (its branch set
    // to false) when the loop did not write the local.
    private readonly Dictionary<(int Local, long Value), Checked> _checkedEnds = new();
    /// <summary>How far accesses at one address are checked: <see cref="End"/> for certain, <see cref="Tentative"/>
    /// if <see cref="Loop"/> turns out to leave the address alone.</summary>
    private readonly record struct Checked(ulong End, ulong Tentative = 0, Frame? Loop = null);
    private readonly Dictionary<nint, (int, long)> _localValues = new();
    private long[] _localVersions = [];
    private long _versions;
    // A check may also cover accesses after it (guard widening): when a later access certainly follows (straight-line
    // code, no branch between) and nothing between the two has an effect or traps otherwise, checking the larger end
    // at the first one traps in the same state with the same message. The first check's end is then raised (its
    // constant patched) instead of a second check being made. Each address's last check since the last instruction
    // that is not Pure can be widened; they are forgotten after one.
    private readonly Dictionary<(int Local, long Value), nint> _widenable = new();

    // ---- Loads that must trap although their value is unused (guard pages) --------------------------
    // LLVM deletes a load whose value is never used; under guard pages that load's trap would go with it. So the
    // translator follows each load's value through the operand stack: a value computed from loads carries them
    // (_loadsOf), and one that is dropped makes its loads volatile, which LLVM keeps. Values that reach a local, a
    // store, a call, a branch or a result count as used (following them through locals made loads volatile in
    // hot loops: coremark -O0 718 -> 978 ms), so a load LLVM proves unused there can still lose its trap.
    private readonly Dictionary<nint, nint[]> _loadsOf = new();
    /// <summary>Loads followed per value at most: a value that depends on more is taken as used.</summary>
    private const int TrackedLoads = 8;
    /// <summary>The loads behind the operands the current instruction popped.</summary>
    private readonly List<nint> _consumed = new();
    /// <summary>A load just made, to go with the value pushed next.</summary>
    private nint _newLoad;

    private sealed class Frame
    {
        public byte Kind; // 0x02 block, 0x03 loop, 0x04 if, 0 the function
        public ValueType[] Params = [], Results = [];
        /// <summary>Where branches leave the values they carry: results (to the end), or a loop's parameters (to
        /// its head). Allocas, promoted to phis by mem2reg.</summary>
        public nint[] ResultSlots = [], ParamSlots = [];
        /// <summary>An if's parameters, which its else arm starts with too (SSA values from before the branch).</summary>
        public nint[] ParamValues = [];
        public nint End, Header, Else;
        public bool HasElse;
        /// <summary>The checks made before the block (a copy), and the local writes made before it.</summary>
        public Dictionary<(int Local, long Value), Checked>? Checks;
        public long Versions;
        /// <summary>A loop's checks made only in case it writes an address's local: (branch, local).</summary>
        public List<(nint Branch, int Local)>? Speculated;
    }

    public FunctionTranslator(ModuleTranslator module, nint builder)
    {
        _m = module;
        _b = builder;
        _validator = new FunctionValidator<LlvmValue, bool>(module.Info, ModuleValidator.DeclaredReferences(module.Info), this);
    }

    /// <summary>The validator's walk, which hands this translator each instruction (a body is validated again here,
    /// which costs little beside LLVM: one decoder and type checker for every engine).</summary>
    private readonly FunctionValidator<LlvmValue, bool> _validator;

    public void Translate(int functionIndex, nint function, FunctionBody body)
    {
        _function = function;
        _validator.Validate(functionIndex, body);
    }

    public void Begin(ref ControlFrame body, int functionIndex, FunctionType type, ValueType[] locals, ReadOnlySpan<byte> code)
    {
        _type = type;
        _locals.Clear(); _stack.Clear(); _frames.Clear(); _trapBlocks.Clear(); _propagate = _propagateFromHelper = 0;
        _loadsOf.Clear(); _consumed.Clear(); _newLoad = 0;
        _checkedEnds.Clear(); _localValues.Clear(); _widenable.Clear();
        _ctx = LLVMGetParam(_function, 0);
        Position(LLVMAppendBasicBlockInContext(_m.Context, _function, "entry"));
        int registers = _m.RegisterGlobals.Length;
        _registerSlots = new nint[registers];
        for (int k = 0; k < registers; k++)
        {
            _registerSlots[k] = Alloca(_m.GlobalType(_m.RegisterGlobals[k]), local: false);
            LLVMBuildStore(_b, LLVMGetParam(_function, (uint)(1 + k)), _registerSlots[k]);
        }
        for (int i = 0; i < type.Parameters.Length; i++)
        {
            var slot = Alloca(type.Parameters[i]);
            LLVMBuildStore(_b, LLVMGetParam(_function, (uint)(1 + registers + i)), slot);
        }
        for (int i = type.Parameters.Length; i < locals.Length; i++) LLVMBuildStore(_b, LLVMConstNull(_m.TypeOf(locals[i])), Alloca(locals[i]));
        _memBase = _memLength = 0;
        if (_m.Info.ImportedMemoryCount + _m.Info.Memories.Count > 0)
        {
            _memBase = LLVMBuildAlloca(_b, _m.Ptr, "membase");
            _memLength = LLVMBuildAlloca(_b, _m.I64, "memlength");
            ReloadMemory();
        }
        var end = Block("return");
        _frames.Add(new Frame { Kind = 0, Results = type.Results, End = end,
            ResultSlots = type.Results.Select(t => Alloca(t, local: false)).ToArray() });
        body.Label = 0;
        // The stack check: below the context's limit, trap "call stack exhausted" before the thread's stack ends.
        // Not in a leaf (Validation.LeafCode), which calls nothing and loops nowhere: its frame is all it adds to
        // its caller's, which checked, and it runs a bounded time. So a leaf without instructions that trap has no
        // trap at all, and the host calls it without the entry that catches traps.
        if (_m.Info.LeafKind(functionIndex - _m.Info.ImportedFunctionCount) == Validation.LeafKind.None)
        {
            nint sp = StackPointer();
            nint limit = ContextField(ModuleTranslator.StackLimitOffset, _m.I64, invariant: false);
            TrapIf(LLVMBuildICmp(_b, LLVMIntPredicate.ULT, sp, limit, ""), TrapCode.CallStackExhausted);
            InterruptCheck();
        }

        _localVersions = new long[_locals.Count];
        BeginFrame(code);
    }

    public bool Finish()
    {
        FinishFrame();
        return true;
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private nint Alloca(ValueType t, bool local = true)
    {
        // Allocas go to the entry block's start, where mem2reg finds them.
        var slot = LLVMBuildAlloca(_b, _m.TypeOf(t), "");
        if (local) _locals.Add((slot, t));
        return slot;
    }

    private nint Block(string name) => LLVMAppendBasicBlockInContext(_m.Context, _function, name);
    private void Position(nint block) => LLVMPositionBuilderAtEnd(_b, block);
    private bool Terminated => LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(_b)) != 0;

    /// <summary>After a branch, return or trap: the code that follows is unreachable (the validator hands none of it
    /// over); the frame's end is built in a block of its own that nothing reaches (LLVM drops it).</summary>
    private void Dead()
    {
        _checkedEnds.Clear();
        Position(Block("dead"));
        _stack.Clear();
    }

    private void Push(nint v, ValueType t)
    {
        _stack.Add((v, t));
        if (!_m.GuardPages) return;
        if (_newLoad != 0) _consumed.Add(_newLoad);
        _newLoad = 0;
        if (_consumed.Count is > 0 and <= TrackedLoads) _loadsOf[v] = _consumed.ToArray();
    }

    private nint Pop(ValueType t)
    {
        if (_stack.Count == 0) return LLVMGetUndef(_m.TypeOf(t)); // the end of unreachable code carries nothing
        var (v, _) = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        Consume(v);
        return v;
    }

    private (nint, ValueType) PopAny()
    {
        var top = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        Consume(top.Value);
        return top;
    }

    private void Consume(nint v)
    {
        if (_m.GuardPages && _loadsOf.TryGetValue(v, out var loads)) _consumed.AddRange(loads);
    }

    /// <summary>Makes loads volatile: their values are unused, and they must still trap.</summary>
    private static void Anchor(IEnumerable<nint> loads)
    {
        foreach (var load in loads) LLVMSetVolatile(load, 1);
    }

    private nint Const(ValueType t, ulong v) => LLVMConstInt(_m.TypeOf(t), v, 0);

    /// <summary>Loads a field of the instance context; <paramref name="invariant"/> for fields set once when the
    /// instance is made (array pointers, callbacks).</summary>
    private nint ContextField(int offset, nint type, bool invariant = true) =>
        ContextLoad(type, Gep(_ctx, Const(ValueType.I64, (ulong)offset)), invariant);

    /// <summary>The address of one of the arrays that follow the context's header (memories, globals, tables,
    /// function references, type ids): a constant offset from the context, as <see cref="InstanceContext.Create"/>
    /// lays them out, so no load of the array's pointer is needed.</summary>
    private nint ContextArray(ModuleTranslator.ContextArray array) => Gep(_ctx, Const(ValueType.I64, (ulong)_m.ArrayOffset(array)));

    private nint ContextLoad(nint type, nint pointer, bool invariant)
    {
        nint v = LLVMBuildLoad2(_b, type, pointer, "");
        _m.Tag(v, ModuleTranslator.Region.Context);
        if (invariant) _m.Invariant(v);
        return v;
    }

    private nint Gep(nint basePointer, nint byteOffset) => LLVMBuildGEP2(_b, _m.I8, basePointer, &byteOffset, 1, "");

    /// <summary>Branches to a trap of kind <paramref name="code"/> when <paramref name="condition"/> holds; returns
    /// the branch.</summary>
    private nint TrapIf(nint condition, TrapCode code)
    {
        var go = Block("ok");
        nint branch = LLVMBuildCondBr(_b, condition, TrapBlock(code), go);
        Position(go);
        return branch;
    }

    private nint TrapBlock(TrapCode code)
    {
        if (_trapBlocks.TryGetValue(code, out var block)) return block;
        var here = LLVMGetInsertBlock(_b);
        block = Block("trap");
        Position(block);
        StoreRegisterGlobals(); // the trap leaves the module's code: the globals' values as they were here
        _m.Tag(LLVMBuildStore(_b, LLVMConstInt(_m.I32, (ulong)code, 0), TrapCodePointer()), ModuleTranslator.Region.Context);
        Unwind();
        Position(here);
        return _trapBlocks[code] = block;
    }

    /// <summary>Leaves native code for the entry (<see cref="ModuleTranslator.EnterSymbol"/>): longjmp to the
    /// context's jump buffer, the trap code already set.</summary>
    private void Unwind()
    {
        nint buffer = ContextLoad(_m.Ptr, Gep(_ctx, Const(ValueType.I64, (ulong)ModuleTranslator.JumpBufferOffset)), invariant: false);
        nint* args = stackalloc nint[] { buffer, Const(ValueType.I32, 1) };
        LLVMBuildCall2(_b, _m.LongjmpType, _m.Longjmp, args, 2, "");
        LLVMBuildUnreachable(_b);
    }

    private nint TrapCodePointer() => Gep(_ctx, Const(ValueType.I64, (ulong)ModuleTranslator.TrapCodeOffset));

    /// <summary>After a call to native code: a trap there has longjmp'd past this frame already, so only the
    /// memory's length may have changed (grown by the callee; it never shrinks while code runs, and its base never
    /// moves then).</summary>
    private void AfterCall()
    {
        if (_memBase != 0) LLVMBuildStore(_b, MemoryLength(), _memLength); // unused (and dropped) under guard pages but for frame slots
        Resync();
    }

    /// <summary>After a callback into the runtime (an import, a call_indirect it makes, a bulk operation): if it
    /// failed, the trap code is in the context; leave for the entry. After a runtime operation that runs no Wasm
    /// code (<paramref name="helper"/>: bulk operations), the trap is this
    /// function's, so the globals in registers go to their cells first; after a call out, the cells already say
    /// what the callee left (written before the call, and by any code of the module it called back).</summary>
    private void PropagateTrap(bool helper = false)
    {
        ref nint target = ref helper ? ref _propagateFromHelper : ref _propagate;
        if (target == 0)
        {
            var here = LLVMGetInsertBlock(_b);
            target = Block("propagate");
            Position(target);
            if (helper) StoreRegisterGlobals();
            Unwind();
            Position(here);
        }
        nint code = ContextLoad(_m.I32, TrapCodePointer(), invariant: false);
        TrapIfTo(LLVMBuildICmp(_b, LLVMIntPredicate.NE, code, Const(ValueType.I32, 0), ""), target);
        AfterCall();
    }

    private void TrapIfTo(nint condition, nint target)
    {
        var go = Block("ok");
        LLVMBuildCondBr(_b, condition, target, go);
        Position(go);
    }

    /// <summary>Branches to frame <paramref name="f"/> with the values it carries stored: a
    /// loop's head with its parameters, or a block's end with its results. br_if keeps them on the stack for the
    /// path that falls through (<paramref name="keepValue"/>).</summary>
    private void BranchTo(Frame f, bool keepValue)
    {
        bool loop = f.Kind == 0x03;
        StoreCarried(loop ? f.Params : f.Results, loop ? f.ParamSlots : f.ResultSlots, keepValue);
        LLVMBuildBr(_b, loop ? f.Header : f.End);
    }

    /// <summary>Stores the top <c>types.Length</c> operands in <paramref name="slots"/> (popping them unless
    /// <paramref name="keep"/>).</summary>
    private void StoreCarried(ValueType[] types, nint[] slots, bool keep)
    {
        for (int i = types.Length - 1; i >= 0; i--)
        {
            nint v;
            if (!keep) v = Pop(types[i]);
            else
            {
                int at = _stack.Count - (types.Length - i);
                v = at >= 0 ? _stack[at].Value : LLVMGetUndef(_m.TypeOf(types[i]));
            }
            LLVMBuildStore(_b, v, slots[i]);
        }
    }

    /// <summary>Loads <paramref name="slots"/> onto the operand stack.</summary>
    private void PushSlots(ValueType[] types, nint[] slots)
    {
        for (int i = 0; i < types.Length; i++) Push(LLVMBuildLoad2(_b, _m.TypeOf(types[i]), slots[i], ""), types[i]);
    }

    // ---- instructions, as the validator hands them over -------------------------------------------
    // Each starts with the values it consumes on the operand stack (_stack holds only these: the validator keeps
    // the whole stack, its entries LlvmValues) and leaves its results there. Trap-free straight-line code may widen
    // an earlier bounds check (Pure); anything else ends that.

    private void Start(ReadOnlySpan<LlvmValue> args)
    {
        _memory = 0;
        _consumed.Clear();
        _stack.Clear();
        foreach (var a in args) _stack.Add((a.Value, a.Type));
    }

    private void Done(int op)
    {
        if (!Pure[op]) _widenable.Clear();
        _stack.Clear();
    }

    private LlvmValue Result(int op)
    {
        var (v, t) = _stack[^1];
        Done(op);
        return new LlvmValue(v, t);
    }

    /// <summary>The values the instruction left, bottom first, into <paramref name="results"/>.</summary>
    private void Results(Span<LlvmValue> results)
    {
        for (int i = 0; i < results.Length; i++) results[i] = new LlvmValue(_stack[i].Value, _stack[i].Type);
    }

    public LlvmValue Constant(ValueType type, ulong bits)
    {
        Start([]);
        Push(type switch
        {
            ValueType.I32 or ValueType.I64 => Const(type, bits),
            ValueType.F32 => LLVMBuildCast(_b, LLVMOpcode.BitCast, Const(ValueType.I32, bits), _m.F32, ""),
            ValueType.F64 => LLVMBuildCast(_b, LLVMOpcode.BitCast, Const(ValueType.I64, bits), _m.F64, ""),
            _ => Const(ValueType.I64, 0), // ref.null: references are bits, null 0
        }, type);
        return Result(0x41);
    }

    public LlvmValue LocalGet(int index, ValueType type, Span<LlvmValue> stack)
    {
        Start([]);
        var (slot, t) = _locals[index];
        nint value = LLVMBuildLoad2(_b, _m.TypeOf(t), slot, "");
        _localValues[value] = (index, _localVersions[index]);
        LocalRead(index, value);
        Push(value, t);
        return Result(0x20);
    }

    public void LocalSet(int index, LlvmValue value, Span<LlvmValue> stack)
    {
        Start([value]);
        SetLocal(index);
        Done(0x21);
    }

    public LlvmValue LocalTee(int index, LlvmValue value, Span<LlvmValue> stack)
    {
        Start([value]);
        nint v = SetLocal(index);
        Push(v, _locals[index].Type);
        return Result(0x22);
    }

    private nint SetLocal(int index)
    {
        var (slot, t) = _locals[index];
        nint v = Pop(t);
        LLVMBuildStore(_b, v, slot);
        _localVersions[index] = ++_versions;
        LocalWritten(index, v);
        return v;
    }

    public LlvmValue Unary(int op, ValueType result, int height, LlvmValue a)
    {
        Start([a]);
        if (op >= 0xFC00) Prefixed(new Instruction(0xFC, (uint)op & 0xFF));
        else Numeric((byte)op);
        return Result(op >= 0xFC00 ? 0xFC : op);
    }

    public LlvmValue Binary(byte op, ValueType result, int height, LlvmValue a, LlvmValue b)
    {
        Start([a, b]);
        Numeric(op);
        return Result(op);
    }

    /// <summary>The numeric instructions, 0x45 to 0xC4, their operands on the stack.</summary>
    private void Numeric(byte op)
    {
        switch (op)
        {
            case >= 0x5B and <= 0x60: FloatCompare(ValueType.F32, op - 0x5B); return;
            case >= 0x61 and <= 0x66: FloatCompare(ValueType.F64, op - 0x61); return;
            case >= 0x8B and <= 0x98: FloatOp(ValueType.F32, op - 0x8B); return;
            case >= 0x99 and <= 0xA6: FloatOp(ValueType.F64, op - 0x99); return;
            case 0xA8: Truncate(ValueType.F32, ValueType.I32, signed: true); return;
            case 0xA9: Truncate(ValueType.F32, ValueType.I32, signed: false); return;
            case 0xAA: Truncate(ValueType.F64, ValueType.I32, signed: true); return;
            case 0xAB: Truncate(ValueType.F64, ValueType.I32, signed: false); return;
            case 0xAE: Truncate(ValueType.F32, ValueType.I64, signed: true); return;
            case 0xAF: Truncate(ValueType.F32, ValueType.I64, signed: false); return;
            case 0xB0: Truncate(ValueType.F64, ValueType.I64, signed: true); return;
            case 0xB1: Truncate(ValueType.F64, ValueType.I64, signed: false); return;
            case 0xB2: Convert(ValueType.I32, ValueType.F32, LLVMOpcode.SIToFP); return;
            case 0xB3: Convert(ValueType.I32, ValueType.F32, LLVMOpcode.UIToFP); return;
            case 0xB4: Convert(ValueType.I64, ValueType.F32, LLVMOpcode.SIToFP); return;
            case 0xB5: Convert(ValueType.I64, ValueType.F32, LLVMOpcode.UIToFP); return;
            case 0xB6: Convert(ValueType.F64, ValueType.F32, LLVMOpcode.FPTrunc); Push(Quiet(Pop(ValueType.F32), ValueType.F32), ValueType.F32); return;
            case 0xB7: Convert(ValueType.I32, ValueType.F64, LLVMOpcode.SIToFP); return;
            case 0xB8: Convert(ValueType.I32, ValueType.F64, LLVMOpcode.UIToFP); return;
            case 0xB9: Convert(ValueType.I64, ValueType.F64, LLVMOpcode.SIToFP); return;
            case 0xBA: Convert(ValueType.I64, ValueType.F64, LLVMOpcode.UIToFP); return;
            case 0xBB: Convert(ValueType.F32, ValueType.F64, LLVMOpcode.FPExt); Push(Quiet(Pop(ValueType.F64), ValueType.F64), ValueType.F64); return;
            case 0xBC: Convert(ValueType.F32, ValueType.I32, LLVMOpcode.BitCast); return;
            case 0xBD: Convert(ValueType.F64, ValueType.I64, LLVMOpcode.BitCast); return;
            case 0xBE: Convert(ValueType.I32, ValueType.F32, LLVMOpcode.BitCast); return;
            case 0xBF: Convert(ValueType.I64, ValueType.F64, LLVMOpcode.BitCast); return;
            case 0x45: Eqz(ValueType.I32); return;
            case 0x50: Eqz(ValueType.I64); return;
            case >= 0x46 and <= 0x4F: Compare(ValueType.I32, op - 0x46); return;
            case >= 0x51 and <= 0x5A: Compare(ValueType.I64, op - 0x51); return;
            case >= 0x6A and <= 0x76: Binary(ValueType.I32, op - 0x6A); return;
            case >= 0x7C and <= 0x88: Binary(ValueType.I64, op - 0x7C); return;
            case 0x67: Unary(ValueType.I32, "llvm.ctlz"); return;
            case 0x68: Unary(ValueType.I32, "llvm.cttz"); return;
            case 0x69: Unary(ValueType.I32, "llvm.ctpop"); return;
            case 0x79: Unary(ValueType.I64, "llvm.ctlz"); return;
            case 0x7A: Unary(ValueType.I64, "llvm.cttz"); return;
            case 0x7B: Unary(ValueType.I64, "llvm.ctpop"); return;
            case 0x77: Rotate(ValueType.I32, "llvm.fshl"); return;
            case 0x78: Rotate(ValueType.I32, "llvm.fshr"); return;
            case 0x89: Rotate(ValueType.I64, "llvm.fshl"); return;
            case 0x8A: Rotate(ValueType.I64, "llvm.fshr"); return;
            case 0xC0: SignExtend(ValueType.I32, _m.I8); return;
            case 0xC1: SignExtend(ValueType.I32, _m.I16); return;
            case 0xC2: SignExtend(ValueType.I64, _m.I8); return;
            case 0xC3: SignExtend(ValueType.I64, _m.I16); return;
            case 0xC4: SignExtend(ValueType.I64, _m.I32); return;
            case 0xA7: Push(LLVMBuildCast(_b, LLVMOpcode.Trunc, Pop(ValueType.I64), _m.I32, ""), ValueType.I32); return;
            case 0xAC: Push(LLVMBuildCast(_b, LLVMOpcode.SExt, Pop(ValueType.I32), _m.I64, ""), ValueType.I64); return;
            case 0xAD: Push(LLVMBuildCast(_b, LLVMOpcode.ZExt, Pop(ValueType.I32), _m.I64, ""), ValueType.I64); return;
            default: throw new NotSupportedException($"opcode 0x{op:x2}");
        }
    }

    public LlvmValue Load(byte op, ValueType result, int memory, uint offset, int height, LlvmValue address)
    {
        Start([address]);
        _memory = memory;
        switch (op)
        {
            case 0x28: Load(offset, ValueType.I32, 4); break;
            case 0x29: Load(offset, ValueType.I64, 8); break;
            case 0x2A: Load(offset, ValueType.F32, 4); break;
            case 0x2B: Load(offset, ValueType.F64, 8); break;
            // Narrow loads: i32.load8_s/u, load16_s/u, then i64's 8, 16 and 32 (signed first).
            default:
            {
                int k = op - 0x2C;
                var t = k < 4 ? ValueType.I32 : ValueType.I64;
                int size = k < 4 ? 1 << (k / 2) : 1 << ((k - 4) / 2);
                NarrowLoad(offset, t, size, signed: k % 2 == 0);
                break;
            }
        }
        return Result(op);
    }

    public void Store(byte op, int memory, uint offset, LlvmValue address, LlvmValue value)
    {
        Start([address, value]);
        _memory = memory;
        switch (op)
        {
            case 0x36: Store(offset, ValueType.I32, 4); break;
            case 0x37: Store(offset, ValueType.I64, 8); break;
            case 0x38: Store(offset, ValueType.F32, 4); break;
            case 0x39: Store(offset, ValueType.F64, 8); break;
            case 0x3A: NarrowStore(offset, ValueType.I32, 1); break;
            case 0x3B: NarrowStore(offset, ValueType.I32, 2); break;
            case 0x3C: NarrowStore(offset, ValueType.I64, 1); break;
            case 0x3D: NarrowStore(offset, ValueType.I64, 2); break;
            default: NarrowStore(offset, ValueType.I64, 4); break;
        }
        Done(op);
    }

    public LlvmValue Select(ValueType type, int height, LlvmValue a, LlvmValue b, LlvmValue condition)
    {
        Start([a, b, condition]);
        nint cond = Pop(ValueType.I32);
        nint second = Pop(type), first = Pop(type);
        Push(LLVMBuildSelect(_b, LLVMBuildICmp(_b, LLVMIntPredicate.NE, cond, Const(ValueType.I32, 0), ""), first, second, ""), type);
        return Result(0x1B);
    }

    public void Drop(LlvmValue value)
    {
        Start([value]);
        PopAny();
        Anchor(_consumed); // the loads behind a dropped value
        Done(0x1A);
    }

    public LlvmValue Produce(Instruction i, ValueType result, int height, ReadOnlySpan<LlvmValue> args)
    {
        Start(args);
        switch (i.Op)
        {
            case 0x23: Global(i.A, get: true); break;
            case 0x25: TableAccess(i.A, get: true); break;
            case 0x3F:
            {
                nint length = MemoryLength(i.A);
                nint pages = LLVMBuildBinOp(_b, LLVMOpcode.LShr, length, Const(ValueType.I64, 16), "");
                Push(LLVMBuildCast(_b, LLVMOpcode.Trunc, pages, _m.I32, ""), ValueType.I32);
                break;
            }
            case 0x40:
            {
                nint delta = Pop(ValueType.I32);
                // In native code (ModuleTranslator.MemoryGrow): it cannot trap. Memory 0's length is read again
                // afterwards, whichever memory grew: an imported memory may be memory 0 under another index too.
                var (grow, growType) = _m.MemoryGrow;
                nint* growArgs = stackalloc nint[] { MemoryDefinition(i.A), delta };
                nint old = LLVMBuildCall2(_b, growType, grow, growArgs, 2, "");
                AfterCall();
                Push(old, ValueType.I32);
                break;
            }
            case 0xD1:
            {
                var (v, _) = PopAny();
                Push(LLVMBuildCast(_b, LLVMOpcode.ZExt, LLVMBuildICmp(_b, LLVMIntPredicate.EQ, v, Const(ValueType.I64, 0), ""), _m.I32, ""), ValueType.I32);
                break;
            }
            case 0xD2:
            {
                nint refs = ContextArray(ModuleTranslator.ContextArray.FunctionRefs);
                Push(ContextLoad(_m.I64, Gep(refs, Const(ValueType.I64, (ulong)i.A * 8)), invariant: true), ValueType.FuncRef);
                break;
            }
            default: Prefixed(i); break;
        }
        return Result(i.Op);
    }

    public void Effect(Instruction i, ReadOnlySpan<LlvmValue> args)
    {
        Start(args);
        switch (i.Op)
        {
            case 0x24: Global(i.A, get: false); break;
            case 0x26: TableAccess(i.A, get: false); break;
            default: Prefixed(i); break;
        }
        Done(i.Op);
    }

    // ---- globals in registers (ModuleTranslator.RegisterGlobals) -----------------------------------------
    // Each is a variable of the body (mem2reg makes it a register), passed to and returned from direct calls; its
    // cell is written before control leaves the module's code (a call through the runtime, a trap) and read back
    // after such a call, which may have called back in.

    private nint[] _registerSlots = [];

    private nint[] LoadRegisterGlobals() =>
        _registerSlots.Select((slot, k) => LLVMBuildLoad2(_b, _m.TypeOf(_m.GlobalType(_m.RegisterGlobals[k])), slot, "")).ToArray();

    private void StoreRegisterGlobals()
    {
        var values = LoadRegisterGlobals();
        for (int k = 0; k < values.Length; k++) _m.GlobalAccess(LLVMBuildStore(_b, values[k], _m.GlobalCell(_b, _ctx, _m.RegisterGlobals[k])));
    }

    private void ReloadRegisterGlobals()
    {
        for (int k = 0; k < _registerSlots.Length; k++)
        {
            int g = _m.RegisterGlobals[k];
            LLVMBuildStore(_b, _m.GlobalAccess(LLVMBuildLoad2(_b, _m.TypeOf(_m.GlobalType(g)), _m.GlobalCell(_b, _ctx, g), "")), _registerSlots[k]);
        }
    }

    private void Global(int g, bool get)
    {
        var t = _m.GlobalType(g);
        if (_m.RegisterGlobal(g) is var k and >= 0)
        {
            if (!get) { LLVMBuildStore(_b, Pop(t), _registerSlots[k]); return; }
            nint value = LLVMBuildLoad2(_b, _m.TypeOf(t), _registerSlots[k], "");
            Push(value, t);
            if (t == ValueType.I32) GlobalValue(value);
            return;
        }
        nint cell = _m.GlobalCell(_b, _ctx, g);
        // Cells are words: a v128 one need not be 16-aligned.
        nint access = _m.GlobalAccess(get ? LLVMBuildLoad2(_b, _m.TypeOf(t), cell, "") : LLVMBuildStore(_b, Pop(t), cell));
        if (get) Push(access, t);
        if (get && t == ValueType.I32) GlobalValue(access);
    }

    private void TableAccess(int table, bool get)
    {
        var elementType = _m.TableType(table);
        nint value = get ? 0 : Pop(elementType);
        nint index = LLVMBuildCast(_b, LLVMOpcode.ZExt, Pop(ValueType.I32), _m.I64, "");
        nint definition = TableDefinition(table);
        nint length = ContextLoad(_m.I64, Gep(definition, Const(ValueType.I64, 8)), invariant: false);
        TrapIf(LLVMBuildICmp(_b, LLVMIntPredicate.UGE, index, length, ""), TrapCode.OutOfBoundsTableAccess);
        nint elements = ContextLoad(_m.Ptr, definition, invariant: false); // growth may move them
        nint slot = LLVMBuildGEP2(_b, _m.I64, elements, &index, 1, "");
        if (get) Push(ContextLoad(_m.I64, slot, invariant: false), elementType);
        else _m.Tag(LLVMBuildStore(_b, value, slot), ModuleTranslator.Region.Context);
    }

    public LlvmValue? Simd(in SimdOpInfo info, int height, ReadOnlySpan<LlvmValue> args, ReadOnlySpan<int> immediates, ulong low, ulong high)
    {
        Start(args);
        Simd(info, immediates, low, high);
        if (info.Result is null) { Done(0xFD); return null; }
        return Result(0xFD);
    }

    public void Call(int function, FunctionType type, int argHeight, ReadOnlySpan<LlvmValue> args, Span<LlvmValue> results)
    {
        Start(args);
        if (function < _m.Info.ImportedFunctionCount) CallOut(function, type);
        else
        {
            int registers = _registerSlots.Length;
            var callArgs = new nint[1 + registers + type.Parameters.Length];
            for (int i = type.Parameters.Length - 1; i >= 0; i--) callArgs[1 + registers + i] = Pop(type.Parameters[i]);
            callArgs[0] = _ctx;
            LoadRegisterGlobals().CopyTo(callArgs, 1);
            var (fn, fnType) = _m.Internal(function);
            nint result;
            fixed (nint* a = callArgs) result = LLVMBuildCall2(_b, fnType, fn, a, (uint)callArgs.Length, "");
            AfterCall();
            if (registers == 0) PushResults(result, type);
            else
            {
                for (int i = 0; i < type.Results.Length; i++) Push(LLVMBuildExtractValue(_b, result, (uint)i, ""), type.Results[i]);
                for (int k = 0; k < registers; k++)
                    LLVMBuildStore(_b, LLVMBuildExtractValue(_b, result, (uint)(type.Results.Length + k), ""), _registerSlots[k]);
            }
        }
        Results(results);
        Done(0x10);
    }

    public void CallIndirect(int typeIndex, int table, FunctionType type, LlvmValue element, int argHeight, ReadOnlySpan<LlvmValue> args, Span<LlvmValue> results)
    {
        Start(args);
        _stack.Add((element.Value, element.Type));
        CallIndirect(typeIndex, table);
        Results(results);
        Done(0x11);
    }

    // ---- control -----------------------------------------------------------------------------------

    public void LeaveStraightLine(Span<LlvmValue> stack) { }

    // Exception handling runs on the interpreter: a module with tags is declined before translation
    // (LlvmBackend.TryCompile), these catch what is left (a try_table with catch_all only).
    public void EnterTry(ref ControlFrame frame, Span<LlvmValue> stack, ReadOnlySpan<CatchClause> catches) => throw ExceptionHandling();
    public void Throw(int tag, FunctionType type, ReadOnlySpan<LlvmValue> args) => throw ExceptionHandling();
    public void ThrowRef(LlvmValue exception) => throw ExceptionHandling();
    public void EnterLegacyTry(ref ControlFrame frame, Span<LlvmValue> stack) => throw ExceptionHandling();
    public void Catch(ref ControlFrame frame, ValueStack<LlvmValue> stack, int tag, ValueType[] types) => throw ExceptionHandling();
    public void Delegate(in ControlFrame frame, ValueStack<LlvmValue> stack, int regions, bool parentLive) => throw ExceptionHandling();
    public void Rethrow(in ControlFrame target) => throw ExceptionHandling();
    public void ReturnCall(int function, FunctionType type, ReadOnlySpan<LlvmValue> args) => throw new NotSupportedException("tail calls");
    public void ReturnCallIndirect(int typeIndex, int table, FunctionType type, LlvmValue element, ReadOnlySpan<LlvmValue> args) =>
        throw new NotSupportedException("tail calls");
    internal static NotSupportedException ExceptionHandling() => new("exception handling (tags, throw, try_table, exnref)");

    public void Enter(ref ControlFrame frame, Span<LlvmValue> stack, LlvmValue condition)
    {
        byte op = frame.Kind;
        var (ps, rs) = (frame.Params, frame.Results);
        Start(stack[frame.Height..]);
        if (op == 0x04) _stack.Add((condition.Value, condition.Type));
        foreach (var t in ps.Concat(rs)) _m.TypeOf(t); // refuses types the translator does not handle yet
        var f = new Frame { Kind = op, Params = ps, Results = rs, End = Block("end") };
        f.ResultSlots = rs.Select(t => AllocaAtEntry(t)).ToArray();
        nint cond = op == 0x04 ? Pop(ValueType.I32) : 0;
        var args = new nint[ps.Length];
        for (int i = ps.Length - 1; i >= 0; i--) args[i] = Pop(ps[i]);
        f.Versions = _versions;
        if (_checkedEnds.Count > 0) f.Checks = new(_checkedEnds); // none under guard pages
        if (op == 0x04)
        {
            var then = Block("then");
            f.Else = Block("else");
            f.ParamValues = args;
            LLVMBuildCondBr(_b, LLVMBuildICmp(_b, LLVMIntPredicate.NE, cond, Const(ValueType.I32, 0), ""), then, f.Else);
            Position(then);
        }
        _frames.Add(f);
        frame.Label = _frames.Count - 1;
        if (op == 0x03)
        {
            f.ParamSlots = ps.Select(t => AllocaAtEntry(t)).ToArray();
            for (int i = 0; i < ps.Length; i++) LLVMBuildStore(_b, args[i], f.ParamSlots[i]);
            f.Header = Block("loop");
            LLVMBuildBr(_b, f.Header);
            Position(f.Header);
            EnterLoop(f);
            InterruptCheck();
            PushSlots(ps, f.ParamSlots);
        }
        else
            for (int i = 0; i < ps.Length; i++) Push(args[i], ps[i]);
        Results(stack.Slice(frame.Height, ps.Length));
        Done(op);
    }

    public void Else(ref ControlFrame frame, ValueStack<LlvmValue> stack)
    {
        if (frame.Dead)
        {
            Retype(stack, frame.Height, frame.Params);
            return;
        }
        Start(frame.Live ? stack.AsSpan()[frame.Height..] : []);
        var f = _frames[^1];
        EndOfArm(f);
        Restore(f.Checks);
        f.HasElse = true;
        Position(f.Else);
        for (int i = 0; i < f.Params.Length; i++) Push(f.ParamValues[i], f.Params[i]);
        Replace(stack, frame.Height);
        Done(0x05);
    }

    public void End(in ControlFrame frame, ValueStack<LlvmValue> stack, bool parentLive)
    {
        if (frame.Dead)
        {
            Retype(stack, frame.Height, frame.Results);
            return;
        }
        Start(frame.Live ? stack.AsSpan()[frame.Height..] : []);
        var f = _frames[^1];
        EndOfArm(f);
        if (f.Kind == 0x03) LeaveLoop(f);
        else Restore(f.Checks);
        if (f.Kind == 0x04 && !f.HasElse)
        {
            // No else: the parameters pass through as the results (validation made their types equal).
            Position(f.Else);
            for (int i = 0; i < f.Results.Length; i++) LLVMBuildStore(_b, f.ParamValues[i], f.ResultSlots[i]);
            LLVMBuildBr(_b, f.End);
        }
        _frames.RemoveAt(_frames.Count - 1);
        Position(f.End);
        if (f.Kind == 0) Return(f);
        else PushSlots(f.Results, f.ResultSlots);
        Replace(stack, frame.Height);
        Done(0x0B);
    }

    /// <summary>The operand stack from <paramref name="height"/> on: values of <paramref name="types"/> known only by
    /// their types (a frame entered in unreachable code).</summary>
    private static void Retype(ValueStack<LlvmValue> stack, int height, ValueType[] types)
    {
        stack.Truncate(height);
        foreach (var t in types) stack.Add(LlvmValue.Typed(t));
    }

    /// <summary>The operand stack from <paramref name="height"/> on: the values the instruction left.</summary>
    private void Replace(ValueStack<LlvmValue> stack, int height)
    {
        stack.Truncate(height);
        foreach (var (v, t) in _stack) stack.Add(new LlvmValue(v, t));
    }

    public void Branch(in ControlFrame target, ReadOnlySpan<LlvmValue> values)
    {
        Start(values);
        BranchTo(_frames[target.Label], keepValue: false);
        Dead();
        Done(0x0C);
    }

    public void BranchIf(LlvmValue condition, in ControlFrame target, ReadOnlySpan<LlvmValue> values)
    {
        Start(values);
        _stack.Add((condition.Value, condition.Type));
        nint cond = Pop(ValueType.I32);
        var taken = Block("br_if");
        var next = Block("next");
        LLVMBuildCondBr(_b, LLVMBuildICmp(_b, LLVMIntPredicate.NE, cond, Const(ValueType.I32, 0), ""), taken, next);
        Position(taken);
        BranchTo(_frames[target.Label], keepValue: true);
        Position(next);
        Done(0x0D);
    }

    public void Return(ReadOnlySpan<LlvmValue> values)
    {
        Start(values);
        BranchTo(_frames[0], keepValue: false);
        Dead();
        Done(0x0F);
    }

    public void Unreachable()
    {
        Start([]);
        LLVMBuildBr(_b, TrapBlock(TrapCode.Unreachable));
        Dead();
        Done(0x00);
    }

    /// <summary>In interruptible code: traps "interrupted" when the store's interrupt flag is set (a volatile load:
    /// another thread sets it, and no loop may keep an old value).</summary>
    private void InterruptCheck()
    {
        if (!_m.Interruptible) return;
        nint records = ContextField(ModuleTranslator.FunctionsOffset, _m.Ptr);
        nint flag = LLVMBuildLoad2(_b, _m.I32, Gep(records, Const(ValueType.I64, (ulong)ModuleTranslator.InterruptOffset)), "");
        LLVMSetVolatile(flag, 1);
        TrapIf(LLVMBuildICmp(_b, LLVMIntPredicate.NE, flag, Const(ValueType.I32, 0), ""), TrapCode.Interrupted);
    }

    private nint TableDefinition(int table)
    {
        nint tables = ContextArray(ModuleTranslator.ContextArray.Tables);
        return ContextLoad(_m.Ptr, Gep(tables, Const(ValueType.I64, (ulong)table * 8)), invariant: true);
    }

    /// <summary>The 0xFC instructions: saturating truncations, bulk memory and table operations.</summary>
    private void Prefixed(Instruction instruction)
    {
        uint sub = instruction.Sub;
        switch (sub)
        {
            case <= 7:
            {
                // i32.trunc_sat_f32_s, _u, f64_s, _u, then i64's: LLVM's saturating conversions are Wasm's exactly.
                var to = sub < 4 ? ValueType.I32 : ValueType.I64;
                var from = sub % 4 < 2 ? ValueType.F32 : ValueType.F64;
                var (fn, type) = _m.Intrinsic(sub % 2 == 0 ? "llvm.fptosi.sat" : "llvm.fptoui.sat", _m.TypeOf(to), _m.TypeOf(from));
                nint x = Pop(from);
                Push(LLVMBuildCall2(_b, type, fn, &x, 1, ""), to);
                return;
            }
            case 8: // memory.init data memory: d s n
            {
                nint n = Pop(ValueType.I32), src = Pop(ValueType.I32), dst = Pop(ValueType.I32);
                Bulk(8, instruction.A, instruction.B, dst, src, n);
                return;
            }
            case 9: Bulk(9, instruction.A, 0, 0, 0, 0); return;
            case 10: case 11:
            {
                if (instruction.A != 0 || (sub == 10 && instruction.B != 0))
                {
                    // Another memory than 0 (on either side): through the runtime, which checks both ranges first.
                    nint count = Pop(ValueType.I32), from = Pop(ValueType.I32), into = Pop(ValueType.I32);
                    Bulk((int)sub, instruction.A, sub == 10 ? instruction.B : 0, into, from, count);
                    return;
                }
                nint n = Zext(Pop(ValueType.I32));
                nint source = Pop(ValueType.I32); // memory.copy's source, memory.fill's byte
                nint dst = Zext(Pop(ValueType.I32));
                nint length = MemoryLength();
                // Both ranges inside the memory, checked before any byte is written.
                nint outside = LLVMBuildICmp(_b, LLVMIntPredicate.UGT, LLVMBuildBinOp(_b, LLVMOpcode.Add, dst, n, ""), length, "");
                if (sub == 10)
                    outside = LLVMBuildBinOp(_b, LLVMOpcode.Or, outside,
                        LLVMBuildICmp(_b, LLVMIntPredicate.UGT, LLVMBuildBinOp(_b, LLVMOpcode.Add, Zext(source), n, ""), length, ""), "");
                TrapIf(outside, TrapCode.OutOfBoundsMemoryAccess);
                nint basePointer = LLVMBuildLoad2(_b, _m.Ptr, _memBase, "");
                nint to = Gep(basePointer, dst);
                nint call;
                if (sub == 10)
                {
                    var (fn, type) = _m.Intrinsic("llvm.memmove", _m.Ptr, _m.Ptr, _m.I64);
                    nint* args = stackalloc nint[] { to, Gep(basePointer, Zext(source)), n, LLVMConstInt(_m.I1, 0, 0) };
                    call = LLVMBuildCall2(_b, type, fn, args, 4, "");
                }
                else
                {
                    var (fn, type) = _m.Intrinsic("llvm.memset", _m.Ptr, _m.I64);
                    nint* args = stackalloc nint[] { to, LLVMBuildCast(_b, LLVMOpcode.Trunc, source, _m.I8, ""), n, LLVMConstInt(_m.I1, 0, 0) };
                    call = LLVMBuildCall2(_b, type, fn, args, 4, "");
                }
                Resync(); // the bytes may include the frame's
                return;
            }
            case 12: // table.init elem table: d s n
            {
                nint n = Pop(ValueType.I32), src = Pop(ValueType.I32), dst = Pop(ValueType.I32);
                Bulk(12, instruction.A, instruction.B, dst, src, n);
                return;
            }
            case 13: Bulk(13, instruction.A, 0, 0, 0, 0); return;
            case 14: // table.copy dst src: d s n
            {
                nint n = Pop(ValueType.I32), src = Pop(ValueType.I32), dst = Pop(ValueType.I32);
                Bulk(14, instruction.A, instruction.B, dst, src, n);
                return;
            }
            case 15: // table.grow: init n → old size or -1
            {
                int table = instruction.A;
                nint n = Pop(ValueType.I32);
                nint init = Pop(_m.TableType(table));
                Push(LLVMBuildCast(_b, LLVMOpcode.Trunc, Bulk(15, table, 0, init, n, 0), _m.I32, ""), ValueType.I32);
                return;
            }
            case 16:
            {
                nint length = ContextLoad(_m.I64, Gep(TableDefinition(instruction.A), Const(ValueType.I64, 8)), invariant: false);
                Push(LLVMBuildCast(_b, LLVMOpcode.Trunc, length, _m.I32, ""), ValueType.I32);
                return;
            }
            case 17: // table.fill: i value n
            {
                int table = instruction.A;
                nint n = Pop(ValueType.I32), value = Pop(_m.TableType(table)), index = Pop(ValueType.I32);
                Bulk(17, table, 0, index, value, n);
                return;
            }
            default: throw new NotSupportedException($"opcode 0xfc {sub}");
        }
    }

    private nint Zext(nint i32) => LLVMBuildCast(_b, LLVMOpcode.ZExt, i32, _m.I64, "");

    /// <summary>A memory's current length, read from its definition, with its range (<see cref="ModuleTranslator.LengthRange"/>).</summary>
    private nint MemoryLength(int memory = 0)
    {
        nint length = ContextLoad(_m.I64, Gep(MemoryDefinition(memory), Const(ValueType.I64, 8)), invariant: false);
        _m.LengthRange(length, memory);
        return length;
    }

    /// <summary>A memory's <see cref="MemoryDefinition"/>, from the context's array (set when the instance is made).</summary>
    private nint MemoryDefinition(int memory = 0)
    {
        nint array = ContextArray(ModuleTranslator.ContextArray.Memories);
        if (memory != 0) array = Gep(array, Const(ValueType.I64, (ulong)memory * 8));
        return ContextLoad(_m.Ptr, array, invariant: true);
    }

    /// <summary>Whether memory <paramref name="memory"/> may be memory 0 under another index: both imported (one
    /// memory may be imported twice); a defined memory is always a memory of its own.</summary>
    private bool MayShareMemory0(int memory) => memory < _m.Info.ImportedMemoryCount;

    /// <summary>A bulk operation through the context's callback: i32 operands zero-extended, references as bits.</summary>
    private nint Bulk(int op, int x, int y, nint a, nint b, nint c)
    {
        nint Word(nint v) => v == 0 ? Const(ValueType.I64, 0) : LLVMTypeOf(v) == _m.I64 ? v : Zext(v);
        nint target = ContextField(ModuleTranslator.BulkOffset, _m.Ptr);
        nint* args = stackalloc nint[] { _ctx, Const(ValueType.I32, (ulong)op), Const(ValueType.I32, (ulong)x), Const(ValueType.I32, (ulong)y), Word(a), Word(b), Word(c) };
        nint result = LLVMBuildCall2(_b, _m.BulkType, target, args, 7, "");
        PropagateTrap(helper: true);
        return result;
    }

    /// <summary>A call the module cannot make directly (an import, or call_indirect): through one of the context's
    /// callbacks, with the arguments in raw slots of a buffer in the frame, the result read back from slot 0.</summary>
    private void CallOut(int callee, FunctionType ct) => CallOut(ct, (buffer, ctx) =>
    {
        nint target = ContextField(ModuleTranslator.CallFunctionOffset, _m.Ptr);
        nint* args = stackalloc nint[] { ctx, Const(ValueType.I32, (ulong)callee), buffer };
        LLVMBuildCall2(_b, _m.CallOutType, target, args, 3, "");
    });

    private void CallOut(FunctionType ct, Action<nint, nint> call)
    {
        var results = CallOut(ct, PopArguments(ct), call);
        for (int i = 0; i < results.Length; i++) Push(results[i], ct.Results[i]);
    }

    private nint[] PopArguments(FunctionType ct)
    {
        var args = new nint[ct.Parameters.Length];
        for (int i = args.Length - 1; i >= 0; i--) args[i] = Pop(ct.Parameters[i]);
        return args;
    }

    /// <summary>A call through a callback with <paramref name="args"/> in raw slots; returns the results.</summary>
    private nint[] CallOut(FunctionType ct, nint[] args, Action<nint, nint> call)
    {
        int n = Math.Max(Math.Max(ct.Parameters.Length, ct.Results.Length), 1);
        nint buffer = AllocaAtEntry(LLVMArrayType2(_m.I8, (ulong)(n * HostSlots.Words * 8)));
        LLVMSetAlignment(buffer, 16);
        for (int i = 0; i < args.Length; i++)
        {
            nint v = args[i];
            if (ct.Parameters[i] == ValueType.I32) v = LLVMBuildCast(_b, LLVMOpcode.ZExt, v, _m.I64, "");
            else if (ct.Parameters[i] == ValueType.F32) v = LLVMBuildCast(_b, LLVMOpcode.ZExt, LLVMBuildCast(_b, LLVMOpcode.BitCast, v, _m.I32, ""), _m.I64, "");
            LLVMSetAlignment(LLVMBuildStore(_b, v, Gep(buffer, Const(ValueType.I64, (ulong)(i * HostSlots.Words * 8)))), 8);
        }
        StoreRegisterGlobals();
        call(buffer, _ctx);
        PropagateTrap();
        ReloadRegisterGlobals();
        var results = new nint[ct.Results.Length];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = LLVMBuildLoad2(_b, _m.TypeOf(ct.Results[i]), Gep(buffer, Const(ValueType.I64, (ulong)(i * HostSlots.Words * 8))), "");
            LLVMSetAlignment(results[i], 8);
        }
        return results;
    }

    /// <summary>
    /// call_indirect: the spec's checks (element inside the table, not null, of the expected type, by the type ids
    /// of <see cref="TypeRegistry"/> in the store's function records), then a direct call when the element is
    /// native code of this same instance (the common case: a C function pointer), else the call through the
    /// runtime, which runs host functions, interpreted ones and other instances' (each under its own context).
    /// </summary>
    private void CallIndirect(int typeIndex, int table)
    {
        var ct = _m.Info.Types[typeIndex];
        nint element = Zext(Pop(ValueType.I32));
        var args = PopArguments(ct);
        nint definition = TableDefinition(table);
        nint length = ContextLoad(_m.I64, Gep(definition, Const(ValueType.I64, 8)), invariant: false);
        TrapIf(LLVMBuildICmp(_b, LLVMIntPredicate.UGE, element, length, ""), TrapCode.UndefinedElement);
        nint elements = ContextLoad(_m.Ptr, definition, invariant: false);
        nint bits = ContextLoad(_m.I64, Gep(elements, LLVMBuildBinOp(_b, LLVMOpcode.Shl, element, Const(ValueType.I64, 3), "")), invariant: false);
        TrapIf(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, bits, Const(ValueType.I64, 0), ""), TrapCode.UninitializedElement);
        nint records = ContextLoad(_m.Ptr, ContextField(ModuleTranslator.FunctionsOffset, _m.Ptr), invariant: false);
        nint record = Gep(records, LLVMBuildBinOp(_b, LLVMOpcode.Mul, LLVMBuildBinOp(_b, LLVMOpcode.Sub, bits, Const(ValueType.I64, 1), ""),
            Const(ValueType.I64, (ulong)ModuleTranslator.RecordSize), ""));
        nint typeId = ContextLoad(_m.I32, record, invariant: false);
        nint typeIds = ContextArray(ModuleTranslator.ContextArray.TypeIds);
        nint expected = ContextLoad(_m.I32, Gep(typeIds, Const(ValueType.I64, (ulong)typeIndex * 4)), invariant: true);
        TrapIf(LLVMBuildICmp(_b, LLVMIntPredicate.NE, typeId, expected, ""), TrapCode.IndirectCallTypeMismatch);
        nint calleeContext = ContextLoad(_m.Ptr, Gep(record, Const(ValueType.I64, (ulong)ModuleTranslator.RecordContextOffset)), invariant: false);
        var resultSlots = ct.Results.Select(t => AllocaAtEntry(t)).ToArray();
        var direct = Block("direct");
        var runtime = Block("runtime");
        var join = Block("joined");
        LLVMBuildCondBr(_b, LLVMBuildICmp(_b, LLVMIntPredicate.EQ, calleeContext, _ctx, ""), direct, runtime);

        Position(direct);
        nint code = ContextLoad(_m.Ptr, Gep(record, Const(ValueType.I64, (ulong)ModuleTranslator.RecordCodeOffset)), invariant: false);
        var callArgs = new nint[args.Length + 1];
        callArgs[0] = _ctx;
        args.CopyTo(callArgs, 1);
        nint result;
        StoreRegisterGlobals(); // the callee is the wrapper, which reads them from their cells
        fixed (nint* a = callArgs) result = LLVMBuildCall2(_b, _m.FunctionType(ct), code, a, (uint)callArgs.Length, "");
        AfterCall();
        ReloadRegisterGlobals();
        for (int i = 0; i < ct.Results.Length; i++)
            LLVMBuildStore(_b, ct.Results.Length == 1 ? result : LLVMBuildExtractValue(_b, result, (uint)i, ""), resultSlots[i]);
        LLVMBuildBr(_b, join);

        Position(runtime);
        var viaRuntime = CallOut(ct, args, (buffer, ctx) =>
        {
            nint target = ContextField(ModuleTranslator.CallIndirectOffset, _m.Ptr);
            nint* a = stackalloc nint[] { ctx, Const(ValueType.I32, (ulong)table), Const(ValueType.I32, (ulong)typeIndex), LLVMBuildCast(_b, LLVMOpcode.Trunc, element, _m.I32, ""), buffer };
            LLVMBuildCall2(_b, _m.CallIndirectType, target, a, 5, "");
        });
        for (int i = 0; i < viaRuntime.Length; i++) LLVMBuildStore(_b, viaRuntime[i], resultSlots[i]);
        LLVMBuildBr(_b, join);

        Position(join);
        PushSlots(ct.Results, resultSlots);
    }

    private nint AllocaAtEntry(ValueType t) => AllocaAtEntry(_m.TypeOf(t));

    /// <summary>A direct call's results onto the stack: the value, or the fields of the struct it returned.</summary>
    private void PushResults(nint result, FunctionType ct)
    {
        if (ct.Results.Length == 1) Push(result, ct.Results[0]);
        else
            for (int i = 0; i < ct.Results.Length; i++) Push(LLVMBuildExtractValue(_b, result, (uint)i, ""), ct.Results[i]);
    }

    /// <summary>The function's end: its results returned (several as a struct).</summary>
    private void Return(Frame f)
    {
        var results = f.Results.Select((t, i) => LLVMBuildLoad2(_b, _m.TypeOf(t), f.ResultSlots[i], "")).ToArray();
        if (_registerSlots.Length == 0) _m.Return(_b, _type, results);
        else ModuleTranslator.Return(_b, [.. results, .. LoadRegisterGlobals()], LLVMGetReturnType(LLVMGlobalGetValueType(_function)));
    }

    private nint AllocaAtEntry(nint type)
    {
        var here = LLVMGetInsertBlock(_b);
        var entry = LLVMGetEntryBasicBlock(_function);
        var first = LLVMGetFirstInstruction(entry);
        if (first != 0) LLVMPositionBuilderBefore(_b, first); else Position(entry);
        var slot = LLVMBuildAlloca(_b, type, "");
        Position(here);
        return slot;
    }

    /// <summary>The end of a block's (or an if arm's) code: its result stored, then on to the end.</summary>
    private void EndOfArm(Frame f)
    {
        if (!Terminated)
        {
            StoreCarried(f.Results, f.ResultSlots, keep: false);
            LLVMBuildBr(_b, f.End);
        }
        _stack.Clear();
    }

    /// <summary>clz, ctz (zero is not poison: the width) and popcnt.</summary>
    private void Unary(ValueType t, string intrinsic)
    {
        var (fn, type) = _m.Intrinsic(intrinsic, _m.TypeOf(t));
        nint x = Pop(t);
        nint* args = stackalloc nint[] { x, LLVMConstInt(_m.I1, 0, 0) };
        Push(LLVMBuildCall2(_b, type, fn, args, intrinsic == "llvm.ctpop" ? 1u : 2u, ""), t);
    }

    /// <summary>rotl, rotr: funnel shifts of the value with itself (the count taken modulo the width).</summary>
    private void Rotate(ValueType t, string intrinsic)
    {
        var (fn, type) = _m.Intrinsic(intrinsic, _m.TypeOf(t));
        nint count = Pop(t), x = Pop(t);
        nint* args = stackalloc nint[] { x, x, count };
        Push(LLVMBuildCall2(_b, type, fn, args, 3, ""), t);
    }

    private void SignExtend(ValueType t, nint narrow) =>
        Push(LLVMBuildCast(_b, LLVMOpcode.SExt, LLVMBuildCast(_b, LLVMOpcode.Trunc, Pop(t), narrow, ""), _m.TypeOf(t), ""), t);

    private void NarrowLoad(uint offset, ValueType t, int size, bool signed)
    {
        nint v = LoadAt(offset, IntOfBits(size * 8), size);
        Push(LLVMBuildCast(_b, signed ? LLVMOpcode.SExt : LLVMOpcode.ZExt, v, _m.TypeOf(t), ""), t);
    }

    private void NarrowStore(uint offset, ValueType t, int size)
    {
        nint v = LLVMBuildCast(_b, LLVMOpcode.Trunc, Pop(t), IntOfBits(size * 8), "");
        StoreAt(Address(offset, size), v);
    }

    /// <summary>br_table: a switch on the index, each target through a block that stores the carried value (when
    /// the target takes one) and branches. <paramref name="labels"/>: the targets' frames, the default last.</summary>
    public void BranchTable(LlvmValue index, ReadOnlySpan<int> labels, ReadOnlySpan<int> heights, ReadOnlySpan<LlvmValue> values)
    {
        Start(values);
        _stack.Add((index.Value, index.Type));
        nint selector = Pop(ValueType.I32);
        var blocks = new Dictionary<int, nint>();
        var here = LLVMGetInsertBlock(_b);
        foreach (int target in labels)
        {
            if (blocks.ContainsKey(target)) continue;
            var block = Block("br_table");
            Position(block);
            BranchTo(_frames[target], keepValue: true);
            blocks[target] = block;
        }
        Position(here);
        uint count = (uint)labels.Length - 1;
        nint sw = LLVMBuildSwitch(_b, selector, blocks[labels[^1]], count);
        for (int i = 0; i < count; i++) LLVMAddCase(sw, Const(ValueType.I32, (ulong)i), blocks[labels[i]]);
        Dead();
        Done(0x0E);
    }

    private void Convert(ValueType from, ValueType to, LLVMOpcode cast) =>
        Push(LLVMBuildCast(_b, cast, Pop(from), _m.TypeOf(to), ""), to);

    private static readonly LLVMRealPredicate[] FloatPredicates =
        [LLVMRealPredicate.OEQ, LLVMRealPredicate.UNE, LLVMRealPredicate.OLT, LLVMRealPredicate.OGT, LLVMRealPredicate.OLE, LLVMRealPredicate.OGE];

    private void FloatCompare(ValueType t, int k)
    {
        nint b = Pop(t), a = Pop(t);
        Push(LLVMBuildCast(_b, LLVMOpcode.ZExt, LLVMBuildFCmp(_b, FloatPredicates[k], a, b, ""), _m.I32, ""), ValueType.I32);
    }

    /// <summary>abs neg ceil floor trunc nearest sqrt add sub mul div min max copysign, in Wasm's order. abs, neg and
    /// copysign work on the sign bit alone (NaN payloads kept); min and max are LLVM's minimum/maximum: NaN if
    /// either is, and -0 below +0, as Wasm has them.</summary>
    private void FloatOp(ValueType t, int k)
    {
        nint type = _m.TypeOf(t);
        if (k == 1) { Push(LLVMBuildFNeg(_b, Pop(t), ""), t); return; }
        string[] unary = ["llvm.fabs", "", "llvm.ceil", "llvm.floor", "llvm.trunc", "llvm.roundeven", "llvm.sqrt"];
        if (k < unary.Length)
        {
            var (fn, fnType) = _m.Intrinsic(unary[k], type);
            nint x = Pop(t);
            Push(LLVMBuildCall2(_b, fnType, fn, &x, 1, ""), t);
            return;
        }
        nint b = Pop(t), a = Pop(t);
        switch (k)
        {
            case >= 7 and <= 10:
            {
                LLVMOpcode[] ops = [LLVMOpcode.FAdd, LLVMOpcode.FSub, LLVMOpcode.FMul, LLVMOpcode.FDiv];
                nint v = LLVMBuildBinOp(_b, ops[k - 7], a, b, "");
                // The hardware quiets a NaN it computes; only LLVM's identity folds pass an operand through.
                Push(IsIdentityConstant(a) || IsIdentityConstant(b) ? Quiet(v, t) : v, t);
                return;
            }
        }
        var (f, ft) = _m.Intrinsic(k == 11 ? "llvm.minimum" : k == 12 ? "llvm.maximum" : "llvm.copysign", type);
        nint* args = stackalloc nint[] { a, b };
        nint r = LLVMBuildCall2(_b, ft, f, args, 2, "");
        Push(k == 13 ? r : Quiet(r, t), t);
    }

    /// <summary>A constant LLVM may fold an arithmetic operation with into one of its operands (or its negation):
    /// ±0 and ±1. x86 sets the quiet bit of any NaN it computes, so add, sub, mul and div need quieting only where
    /// such a fold can replace the instruction (x + -0, x - 0, -0 - x, x * 1, x * -1, x / 1, x / -1).
    /// Constants that appear only after inlining are not seen here: a signalling NaN reaching such a fold through a
    /// call with a constant argument keeps its signalling bit.</summary>
    private static bool IsIdentityConstant(nint v)
    {
        if (LLVMIsAConstantFP(v) == 0) return false;
        int lossy;
        double d = LLVMConstRealGetDouble(v, &lossy);
        return d is 0.0 or 1.0 or -1.0; // 0.0 matches -0.0 too
    }

    /// <summary>
    /// An arithmetic result as Wasm has it: a NaN result is an arithmetic NaN (quiet bit set). LLVM treats signalling
    /// NaNs as quiet ones, so it folds x - 0, x * 1, x / 1 to x and lets minimum pass a signalling NaN through; the
    /// quiet bit is set here where the result is a NaN (an integer or, which no fold removes).
    /// </summary>
    private nint Quiet(nint v, ValueType t) => Quiet(v, t == ValueType.F32, 1);

    /// <summary><see cref="Quiet(nint, ValueType)"/> for a scalar (<paramref name="lanes"/> 1) or a vector of f32 or f64.</summary>
    private nint Quiet(nint v, bool f32, int lanes)
    {
        nint it = f32 ? _m.I32 : _m.I64;
        nint bit = LLVMConstInt(it, f32 ? 0x0040_0000UL : 0x0008_0000_0000_0000UL, 0);
        nint intType = lanes == 1 ? it : LLVMVectorType(it, (uint)lanes);
        if (lanes > 1) bit = Splat(bit, it, lanes);
        nint bits = LLVMBuildCast(_b, LLVMOpcode.BitCast, v, intType, "");
        nint quieted = LLVMBuildCast(_b, LLVMOpcode.BitCast, LLVMBuildBinOp(_b, LLVMOpcode.Or, bits, bit, ""), LLVMTypeOf(v), "");
        return LLVMBuildSelect(_b, LLVMBuildFCmp(_b, LLVMRealPredicate.UNO, v, v, ""), quieted, v, "");
    }

    /// <summary>Float to integer, trapping on NaN ("invalid conversion to integer") and out of range ("integer
    /// overflow"): the value, exactly as a double, against the bounds of the integer type.</summary>
    private void Truncate(ValueType from, ValueType to, bool signed)
    {
        nint x = Pop(from);
        nint d = from == ValueType.F32 ? LLVMBuildCast(_b, LLVMOpcode.FPExt, x, _m.F64, "") : x;
        TrapIf(LLVMBuildFCmp(_b, LLVMRealPredicate.UNO, d, d, ""), TrapCode.InvalidConversionToInteger);
        (double low, double high) = (to, signed) switch
        {
            (ValueType.I32, true) => (-2147483649.0, 2147483648.0),
            (ValueType.I32, false) => (-1.0, 4294967296.0),
            (ValueType.I64, true) => (-9223372036854777856.0, 9223372036854775808.0), // the double below -2^63
            _ => (-1.0, 18446744073709551616.0),
        };
        nint above = LLVMBuildFCmp(_b, LLVMRealPredicate.OGT, d, Real(low), "");
        nint below = LLVMBuildFCmp(_b, LLVMRealPredicate.OLT, d, Real(high), "");
        TrapIf(LLVMBuildBinOp(_b, LLVMOpcode.Xor, LLVMBuildBinOp(_b, LLVMOpcode.And, above, below, ""), LLVMConstInt(_m.I1, 1, 0), ""),
            TrapCode.IntegerOverflow);
        Push(LLVMBuildCast(_b, signed ? LLVMOpcode.FPToSI : LLVMOpcode.FPToUI, d, _m.TypeOf(to), ""), to);
    }

    private nint Real(double v) => LLVMBuildCast(_b, LLVMOpcode.BitCast, Const(ValueType.I64, BitConverter.DoubleToUInt64Bits(v)), _m.F64, "");

    private void Eqz(ValueType t) =>
        Push(LLVMBuildCast(_b, LLVMOpcode.ZExt, LLVMBuildICmp(_b, LLVMIntPredicate.EQ, Pop(t), Const(t, 0), ""), _m.I32, ""), ValueType.I32);

    private static readonly LLVMIntPredicate[] Predicates =
    [
        LLVMIntPredicate.EQ, LLVMIntPredicate.NE, LLVMIntPredicate.SLT, LLVMIntPredicate.ULT, LLVMIntPredicate.SGT,
        LLVMIntPredicate.UGT, LLVMIntPredicate.SLE, LLVMIntPredicate.ULE, LLVMIntPredicate.SGE, LLVMIntPredicate.UGE,
    ];

    private void Compare(ValueType t, int k)
    {
        nint b = Pop(t), a = Pop(t);
        Push(LLVMBuildCast(_b, LLVMOpcode.ZExt, LLVMBuildICmp(_b, Predicates[k], a, b, ""), _m.I32, ""), ValueType.I32);
    }

    /// <summary>add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u, in Wasm's order.</summary>
    private void Binary(ValueType t, int k)
    {
        nint b = Pop(t), a = Pop(t);
        nint zero = Const(t, 0), minusOne = Const(t, ulong.MaxValue);
        ulong bits = t == ValueType.I32 ? 32UL : 64UL;
        nint result;
        switch (k)
        {
            case 3: case 4: case 5: case 6:
            {
                TrapIf(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, b, zero, ""), TrapCode.IntegerDivideByZero);
                if (k == 3)
                {
                    nint min = Const(t, 1UL << (int)(bits - 1));
                    nint overflow = LLVMBuildBinOp(_b, LLVMOpcode.And, LLVMBuildICmp(_b, LLVMIntPredicate.EQ, a, min, ""),
                        LLVMBuildICmp(_b, LLVMIntPredicate.EQ, b, minusOne, ""), "");
                    TrapIf(overflow, TrapCode.IntegerOverflow);
                    result = LLVMBuildBinOp(_b, LLVMOpcode.SDiv, a, b, "");
                }
                else if (k == 5)
                {
                    // MIN rem -1 is 0 in Wasm and undefined in LLVM: divide by 1 instead when b is -1.
                    nint isMinusOne = LLVMBuildICmp(_b, LLVMIntPredicate.EQ, b, minusOne, "");
                    nint safe = LLVMBuildSelect(_b, isMinusOne, Const(t, 1), b, "");
                    result = LLVMBuildSelect(_b, isMinusOne, zero, LLVMBuildBinOp(_b, LLVMOpcode.SRem, a, safe, ""), "");
                }
                else result = LLVMBuildBinOp(_b, k == 4 ? LLVMOpcode.UDiv : LLVMOpcode.URem, a, b, "");
                break;
            }
            case 10: case 11: case 12:
            {
                nint count = LLVMBuildBinOp(_b, LLVMOpcode.And, b, Const(t, bits - 1), ""); // Wasm takes the count mod the width
                result = LLVMBuildBinOp(_b, k == 10 ? LLVMOpcode.Shl : k == 11 ? LLVMOpcode.AShr : LLVMOpcode.LShr, a, count, "");
                break;
            }
            default:
            {
                LLVMOpcode[] plain = [LLVMOpcode.Add, LLVMOpcode.Sub, LLVMOpcode.Mul, 0, 0, 0, 0, LLVMOpcode.And, LLVMOpcode.Or, LLVMOpcode.Xor];
                result = LLVMBuildBinOp(_b, plain[k], a, b, "");
                break;
            }
        }
        if (t == ValueType.I32 && k <= 1) Arithmetic(k, a, b, result);
        Push(result, t);
    }

    /// <summary>Reads memory 0's base and length from its definition into the allocas.</summary>
    private void ReloadMemory()
    {
        if (_memBase == 0) return;
        // At each entry: a memory disposed since the last call has moved to an inaccessible reservation, size 0.
        LLVMBuildStore(_b, ContextLoad(_m.Ptr, MemoryDefinition(), invariant: false), _memBase);
        LLVMBuildStore(_b, MemoryLength(), _memLength);
    }

    /// <summary>The effective address of an access of <paramref name="size"/> bytes to <see cref="_memory"/>,
    /// trapping when any byte is out of bounds: i32 address + offset, as 64-bit, against the memory's current length.</summary>
    private nint Address(ulong offset, int size)
    {
        if (_memory != 0) return OtherAddress(offset, size);
        nint operand = Pop(ValueType.I32);
        nint address = LLVMBuildCast(_b, LLVMOpcode.ZExt, operand, _m.I64, "");
        nint ea = LLVMBuildBinOp(_b, LLVMOpcode.Add, address, Const(ValueType.I64, offset), "");
        nint basePointer = LLVMBuildLoad2(_b, _m.Ptr, _memBase, "");
        var key = _localValues.TryGetValue(operand, out var local) ? local : (-1, (long)operand);
        Accessing(key, operand, ea, offset, size);
        // Under guard pages, past the end is the reservation's inaccessible pages; but a frame slot's load reads a
        // variable, so slots keep explicit checks.
        if (_m.GuardPages && _accessSlot is null) return Gep(basePointer, ea);
        ulong needed = offset + (ulong)size;
        NoteCheck(key, needed); // by one of the ways below
        _checkedEnds.TryGetValue(key, out var known);
        if (known.End >= needed) return Gep(basePointer, ea);
        _checkedEnds[key] = known with { End = needed };
        Frame? speculating = known.Tentative >= needed ? known.Loop : null;
        if (speculating is null && _widenable.TryGetValue(key, out var earlier))
        {
            LLVMSetOperand(earlier, 1, Const(ValueType.I64, needed));
            return Gep(basePointer, ea);
        }
        // address + needed > length; in a loop as address > length - needed (signed: no 64-bit value wraps), whose
        // right side LLVM hoists, so the check is one compare. Elsewhere the first form, where x86 compares with
        // the length in memory. Widening raises the constant either way.
        nint length = LLVMBuildLoad2(_b, _m.I64, _memLength, "");
        bool loop = InLoop();
        nint constant = Const(ValueType.I64, needed);
        nint bound = loop ? LLVMBuildBinOp(_b, LLVMOpcode.Sub, length, constant, "") : LLVMBuildBinOp(_b, LLVMOpcode.Add, address, constant, "");
        nint compared = loop ? LLVMBuildICmp(_b, LLVMIntPredicate.SGT, address, bound, "") : LLVMBuildICmp(_b, LLVMIntPredicate.UGT, bound, length, "");
        if (speculating is null && LLVMIsConstant(bound) == 0) _widenable[key] = bound; // a constant address folds
        else _widenable.Remove(key);
        nint branch = TrapIf(compared, TrapCode.OutOfBoundsMemoryAccess);
        speculating?.Speculated!.Add((branch, key.Item1));
        return Gep(basePointer, ea);
    }

    /// <summary>
    /// <see cref="Address"/> in a memory other than 0: its base and length read from its definition at the access
    /// (LLVM merges the reads up to the next call, the only thing that changes them), and its bounds checked
    /// explicitly every time. Nothing of memory 0's is used or recorded: its checks already made (those address
    /// another memory), its frame slots (but for a store to a memory that may be memory 0 imported twice, which
    /// resyncs the slots it meets, as any store to memory 0 elsewhere does). Under guard pages, accesses go
    /// unchecked as memory 0's do: every memory of an instance running such code has the whole reservation
    /// (<c>Instance</c>), and the fault handler takes a fault in any of its memories'.
    /// </summary>
    private nint OtherAddress(ulong offset, int size)
    {
        nint operand = Pop(ValueType.I32);
        nint ea = LLVMBuildBinOp(_b, LLVMOpcode.Add, Zext(operand), Const(ValueType.I64, offset), "");
        nint definition = MemoryDefinition(_memory);
        nint basePointer = ContextLoad(_m.Ptr, definition, invariant: false);
        _accessAddress = ea;
        _accessSize = size;
        _accessSlot = null;
        _accessFrameOffset = null;
        _accessDerived = null;
        if (_m.GuardPages) return Gep(basePointer, ea);
        nint end = LLVMBuildBinOp(_b, LLVMOpcode.Add, ea, Const(ValueType.I64, (ulong)size), "");
        TrapIf(LLVMBuildICmp(_b, LLVMIntPredicate.UGT, end, MemoryLength(_memory), ""), TrapCode.OutOfBoundsMemoryAccess);
        return Gep(basePointer, ea);
    }

    /// <summary>Where this frame is on the stack. On x86-64 the address of its return address
    /// (llvm.addressofreturnaddress): no slot, and a function inlined into another has the same one, so LLVM folds
    /// the inlined function's stack check into its caller's. Elsewhere the address of a byte of this frame.</summary>
    private nint StackPointer()
    {
        if (!_m.HasReturnAddressIntrinsic)
            return LLVMBuildCast(_b, LLVMOpcode.PtrToInt, LLVMBuildAlloca(_b, _m.I8, "sp"), _m.I64, "");
        var (address, type) = _m.Intrinsic("llvm.addressofreturnaddress", _m.Ptr);
        return LLVMBuildCast(_b, LLVMOpcode.PtrToInt, LLVMBuildCall2(_b, type, address, null, 0, ""), _m.I64, "");
    }

    /// <summary>Code in a loop (of this function).</summary>
    private bool InLoop()
    {
        foreach (var frame in _frames) if (frame.Kind == 0x03) return true;
        return false;
    }

    /// <summary>The checks of a block's start again (after a merge, or in an else arm), or none.</summary>
    private void Restore(Dictionary<(int Local, long Value), Checked>? checks)
    {
        _checkedEnds.Clear();
        if (checks is not null) foreach (var (key, c) in checks) _checkedEnds[key] = c;
    }

    /// <summary>At a loop's head: every check so far becomes tentative, for this loop or the outer one it already
    /// was for (whichever covers more).</summary>
    private void EnterLoop(Frame loop)
    {
        loop.Speculated = [];
        foreach (var (key, c) in loop.Checks ?? [])
            _checkedEnds[key] = c.End > c.Tentative ? new Checked(0, c.End, loop) : c with { End = 0 };
    }

    /// <summary>At a loop's end (reached from its body only): the speculative checks of addresses whose locals
    /// the loop did not write go (their branches never taken), and the tentative checks of those hold for certain.</summary>
    private void LeaveLoop(Frame loop)
    {
        bool Kept(int local) => local < 0 || _localVersions[local] <= loop.Versions;
        foreach (var (branch, local) in loop.Speculated!)
            if (Kept(local)) LLVMSetOperand(branch, 0, LLVMConstInt(_m.I1, 0, 0));
        foreach (var (key, c) in _checkedEnds.ToArray())
            if (c.Loop == loop)
                _checkedEnds[key] = Kept(key.Local) ? new Checked(Math.Max(c.End, c.Tentative)) : new Checked(c.End);
    }

    /// <summary>The one-byte opcodes after which an earlier bounds check may still be widened: no effect, no trap
    /// but a bounds check's, no branch (entering a block is straight-line code).</summary>
    private static readonly bool[] Pure = PureOpcodes();

    private static bool[] PureOpcodes()
    {
        var pure = new bool[256];
        void Range(int first, int last) { for (int op = first; op <= last; op++) pure[op] = true; }
        Range(0x01, 0x02); // nop, block
        Range(0x1A, 0x1C); // drop, select
        Range(0x20, 0x23); // local.get/set/tee, global.get
        Range(0x28, 0x35); // loads
        Range(0x3F, 0x3F); // memory.size
        Range(0x41, 0x6C); // constants, comparisons, i32 clz..mul
        Range(0x71, 0x7E); // i32 and..rotr, i64 clz..mul
        Range(0x83, 0xA7); // i64 and..rotr, float arithmetic, i32.wrap_i64
        Range(0xAC, 0xAD); // i64.extend_i32
        Range(0xB2, 0xC4); // conversions to float, reinterpretations, sign extensions
        Range(0xD0, 0xD2); // ref.null, ref.is_null, ref.func
        return pure;
    }

    private void Load(uint offset, ValueType t, int size) => Push(LoadAt(offset, _m.TypeOf(t), size), t);

    private void Store(uint offset, ValueType t, int size)
    {
        nint v = Pop(t);
        StoreAt(Address(offset, size), v);
    }

    /// <summary>A load of <paramref name="type"/> from linear memory at the memarg's address (any alignment),
    /// to go with the value pushed next (<see cref="_newLoad"/>).</summary>
    private nint LoadAt(uint offset, nint type, int bytes) => LoadFrom(Address(offset, bytes), type);

    private nint LoadFrom(nint address, nint type)
    {
        if (SlotLoad(address, type) is var slot and not 0) return slot;
        return _newLoad = MemoryLoad(address, type);
    }

    /// <summary>A load from linear memory, any alignment; <paramref name="tagged"/> for the type-based alias
    /// analysis (not where the pointer may be elsewhere, as in a guarded read of a frame slot).</summary>
    private nint MemoryLoad(nint pointer, nint type, bool tagged = true)
    {
        nint v = LLVMBuildLoad2(_b, type, pointer, "");
        LLVMSetAlignment(v, 1);
        if (tagged) _m.Tag(v, ModuleTranslator.Region.Memory);
        return v;
    }

    private void StoreAt(nint address, nint value)
    {
        nint store = LLVMBuildStore(_b, value, address);
        LLVMSetAlignment(store, 1);
        _m.Tag(store, ModuleTranslator.Region.Memory);
        Stored(store, value);
    }

    private nint IntOfBits(int bits) => LLVMIntTypeInContext(_m.Context, (uint)bits);
}
