using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static WasmSharp.Interpreter.Numerics;

namespace WasmSharp.Interpreter;

/// <summary>
/// Runs register code. One per store. Wasm calls push a <see cref="Frame"/> and continue in the same loop, so
/// Wasm recursion never grows the .NET stack (ARCHITECTURE §3); depth and value-stack size are bounded and
/// exceeding either traps with "call stack exhausted".
/// </summary>
internal sealed unsafe partial class Executor : IDisposable
{
    /// <summary>A caller's state, saved across a call. Only ints: storing references into the frame array
    /// would cost a GC write barrier per call (measured: 5.5% of fib).</summary>
    private struct Frame
    {
        /// <summary>The caller's address in the store (see <see cref="Store.GetFunction"/>).</summary>
        public int Function;
        public int Fp;
        /// <summary>Where the caller continues (code arrays are pinned, so the pointer stays valid).</summary>
        public int* ReturnIp;
        /// <summary>The caller's slot for a single result (<see cref="Op.Return1"/> writes it there).</summary>
        public int Result;
        /// <summary>The callee belongs to another instance: the return restores the caller's instance and memory.</summary>
        public bool CrossInstance;
    }

    // 128 MiB of values (8M slots of two words), reserved by calloc (the OS commits pages as they are touched):
    // interpreters compiled to Wasm have huge frames (QuickJS's JS_CallInternal needs ~270 slots), and 8 MiB cut
    // their recursion to ~4k.
    private const int StackWords = 1 << 24;

    /// <summary>Words (ulongs) per slot: every slot is 16 bytes, so a v128 fits in one; the translator scales slot
    /// operands by it, so handlers index the frame with them as they are.</summary>
    private const int SlotWords = CompiledFunction.SlotWords;

    private readonly Store _store;
    private ulong* _stack;
    private Frame[] _frames = [];
    private int _depth;
    /// <summary>First free slot: where a nested (host → Wasm) invocation puts its frame.</summary>
    private int _top;

    public Executor(Store store)
    {
        _store = store;
        _interrupt = &store.Records.Table->Interrupt;
    }

    /// <summary>Compiles the interpreter loop when the library loads, before any other of its code runs. Its
    /// speed depends on where its machine code lands (up to 15%, see bench/README), and it would otherwise land
    /// after whatever the translator and the host happened to compile first.</summary>
#pragma warning disable CA2255 // a library's initializer, deliberately: it has no effect but timing
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void CompileLoopFirst()
    {
        var run = typeof(Executor).GetMethod(nameof(Run), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        RuntimeHelpers.PrepareMethod(run.MethodHandle);
    }

    private void EnsureStack()
    {
        if (_stack != null) return;
        _stack = (ulong*)NativeMemory.AllocZeroed((nuint)StackWords * sizeof(ulong));
        _frames = new Frame[_store.MaxCallDepth + 1];
        _depthLimit = Volatile.Read(ref *_interrupt) != 0 ? 0 : _frames.Length - 1;
    }

    // ---- interruption ----------------------------------------------------------------------------
    // An interrupt sets _interrupt, which loop heads of interruptible code check (Op.Interrupt), and drops
    // _depthLimit to 0, so that the depth check every call makes anyway fails: function entries are checked at no
    // cost. The failed check then tells an interrupt from a stack overflow.

    /// <summary>Set (by any thread) to stop the running code: the store's flag, which native code reads too
    /// (<see cref="FunctionRecordTable.Interrupt"/>).</summary>
    private readonly int* _interrupt;
    /// <summary>Depth at which a call traps: the frame array's end, or 0 while an interrupt is pending.</summary>
    private int _depthLimit;

    /// <summary>Stops the code running in this store (any thread may call it): it traps "interrupted" at its next
    /// function entry or interruptible loop head; with nothing running, the next call does.</summary>
    public void Interrupt()
    {
        Volatile.Write(ref *_interrupt, 1);
        Volatile.Write(ref _depthLimit, 0);
    }

    /// <summary>Withdraws a pending interrupt.</summary>
    public void ClearInterrupt()
    {
        Volatile.Write(ref *_interrupt, 0);
        Volatile.Write(ref _depthLimit, _frames.Length - 1);
    }

    /// <summary>The trap of a call the depth check refused: the pending interrupt (consumed), or a stack overflow.</summary>
    private TrapException CallRefused() => Volatile.Read(ref *_interrupt) != 0 ? Interrupted() : Trap(TrapCode.CallStackExhausted);

    private TrapException Interrupted()
    {
        ClearInterrupt();
        return Trap(TrapCode.Interrupted);
    }

    public void Dispose()
    {
        if (_stack != null) NativeMemory.Free(_stack);
        _stack = null;
        NativeMemory.Free(_scratch);
        _scratch = null;
        _scratchWords = 0;
    }

    public void Invoke(Function function, ReadOnlySpan<Value> args, Span<Value> results)
    {
        var type = function.Type;
        if (args.Length != type.Parameters.Length)
            throw new WasmException($"expected {type.Parameters.Length} arguments, got {args.Length}");
        for (int i = 0; i < args.Length; i++)
            if (args[i].Type != type.Parameters[i])
                throw new WasmException($"argument {i}: expected {type.Parameters[i].ToText()}, got {args[i].Type.ToText()}");
        if (results.Length < type.Results.Length)
            throw new WasmException($"expected room for {type.Results.Length} results");

        if (function is HostFunction host)
        {
            host.Callback(args, results);
            return;
        }

        var wf = (WasmFunction)function;
        int fp = Prepare(wf);
        for (int i = 0; i < args.Length; i++) WriteValue(_stack + fp + i * SlotWords, args[i]);
        RunAt(wf, fp);
        for (int i = 0; i < type.Results.Length; i++)
            results[i] = ReadValue(type.Results[i], _stack + fp + i * SlotWords);
    }

    /// <summary>Calls <paramref name="function"/> on raw values, a word each (an i32 or f32 in the low 32 bits;
    /// references as slot bits; no v128), unchecked: the caller knows the function's type (the Canonical ABI's
    /// glue, which calls core functions several times a call). Spares <see cref="Invoke"/>'s checks and
    /// <see cref="Value"/>s, which cost more than the interpreter's entry.</summary>
    public void InvokeRaw(Function function, ReadOnlySpan<ulong> args, Span<ulong> results)
    {
        if (function is not WasmFunction wf)
        {
            HostSlots.InvokeRaw(function, args, results);
            return;
        }
        if (wf.RawNative && !wf.Instance.HasDisposedMemory)
        {
            InvokeRawNative(wf, args, results);
            return;
        }
        var type = wf.Type;
        int fp = Prepare(wf);
        ulong* slots = _stack + fp;
        for (int i = 0; i < args.Length; i++) slots[i * SlotWords] = args[i];
        RunAt(wf, fp);
        for (int i = 0; i < results.Length; i++) results[i] = HostSlots.RawResult(type.Results[i], slots[i * SlotWords]);
    }

    /// <summary>The most values (arguments or results) a raw call into native code stages on the .NET stack; more
    /// go through a frame on the interpreter's stack.</summary>
    internal const int RawNativeSlots = 16;

    [InlineArray(RawNativeSlots * SlotWords)]
    private struct RawSlots
    {
        private ulong _word;
    }

    /// <summary><see cref="InvokeRaw"/> into native code, its values staged on the .NET stack, in a local buffer:
    /// a stackalloc would have the JIT compile the method at once with full optimisation and never again with the
    /// profile its tiers gather, and give it a stack cookie (the interpreter's calls from the component glue ran 5%
    /// slower when InvokeRaw had one).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void InvokeRawNative(WasmFunction wf, ReadOnlySpan<ulong> args, Span<ulong> results)
    {
        Unsafe.SkipInit(out RawSlots buffer);
        ulong* words = (ulong*)Unsafe.AsPointer(ref buffer[0]);
        for (int i = 0; i < args.Length; i++) words[i * SlotWords] = args[i];
        EnterNative(wf, words);
        var types = wf.Type.Results;
        for (int i = 0; i < results.Length; i++) results[i] = HostSlots.RawResult(types[i], words[i * SlotWords]);
    }

    /// <summary>Calls <paramref name="function"/> on slots in the host convention (<see cref="HostSlots"/>: two
    /// words a value, results written over the arguments), unchecked (the typed delegates). Inlined: the component
    /// glue's compiled calls, which have no profile, call it too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void InvokeSlots(Function function, ulong* slots)
    {
        if (function is not WasmFunction wf)
        {
            HostSlots.InvokeOnSlots(function, slots);
            return;
        }
        if (wf.NativeEntry != 0 && !wf.Instance.HasDisposedMemory)
        {
            EnterNative(wf, slots);
            return;
        }
        int fp = Prepare(wf);
        ulong* frame = _stack + fp;
        var type = wf.Type;
        // Word by word: a scalar's slot was written as one word just before (the caller's Set, the callee's
        // result), and a 16-byte load of it would wait for that store instead of taking its value at once.
        int words = type.Parameters.Length * SlotWords;
        for (int i = 0; i < words; i++) frame[i] = slots[i];
        RunAt(wf, fp);
        words = type.Results.Length * SlotWords;
        for (int i = 0; i < words; i++) slots[i] = frame[i];
    }

    /// <summary>Where a call from the host into <paramref name="wf"/> puts its frame, checked to fit.</summary>
    private int Prepare(WasmFunction wf)
    {
        EnsureStack();
        int fp = _top;
        if (_depth >= _depthLimit || (wf.NativeEntry == 0 && (long)fp + (long)wf.Code.FrameSize * SlotWords > StackWords)) throw CallRefused();
        return fp;
    }

    /// <summary>Runs <paramref name="wf"/> from the host on the frame at <paramref name="fp"/> (arguments in, results
    /// out), natively or interpreted; a trap gets the Wasm backtrace.</summary>
    private void RunAt(WasmFunction wf, int fp)
    {
        int savedTop = _top, savedDepth = _depth, savedEntryDepth = _entryDepth;
        _entryDepth = _depth;
        _store.Started();
        try
        {
            if (wf.NativeEntry != 0) RunNative(wf, fp);
            else Run(wf, fp);
        }
        catch (TrapException trap) when (trap.WasmBacktrace.Count == 0)
        {
            trap.WasmBacktrace = Backtrace(savedDepth);
            throw;
        }
        finally
        {
            _top = savedTop;
            _depth = savedDepth;
            _entryDepth = savedEntryDepth;
            _current = -1;
            _store.Stopped();
        }
    }

    // ---- native code ------------------------------------------------------------------------------

    /// <summary>Runs <paramref name="f"/>'s native entry from the host on the caller's own slots (the host
    /// convention, which native entries share: arguments in, results out). Native code keeps no frame on the
    /// interpreter's stack and no interpreter state, so the entry skips <see cref="RunAt"/>'s bookkeeping and the
    /// copies into and out of a frame (calls back into the interpreter nest above <see cref="_top"/> as before);
    /// and since nothing unwinds out of native code, it needs no exception handling: what the code left is thrown
    /// after it returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnterNative(WasmFunction f, ulong* slots)
    {
        if (Volatile.Read(ref *_interrupt) != 0) throw Interrupted();
        var ctx = f.Instance.Context;
        _store.Started();
        if (f.NativeTrapFree) NativeCalls.RunTrapFree(f.NativeEntry, ctx, slots);
        else if (f.NativeLeaf) NativeCalls.RunLeaf(ctx->Enter, f.NativeEntry, ctx, slots);
        else NativeCalls.Run(ctx->Enter, f.NativeEntry, ctx, slots);
        _store.Stopped();
        if (NativeCalls.Failed(ctx)) NativeFailed(ctx);
    }

    /// <summary>Throws what native code entered from the host left: an interrupt it saw is consumed (as the
    /// interpreter's are), and a trap gets the backtrace <see cref="RunAt"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NativeFailed(InstanceContext* ctx)
    {
        var failure = NativeCalls.TakeFailure(ctx);
        if (failure.SourceException is TrapException trap)
        {
            if (trap.Code == TrapCode.Interrupted) ClearInterrupt();
            if (trap.WasmBacktrace.Count == 0) trap.WasmBacktrace = Backtrace(_depth);
        }
        failure.Throw();
    }

    /// <summary>Runs <paramref name="f"/>'s native entry on the slots at <paramref name="fp"/> (arguments in, results
    /// out), with nested invocations (native code calling back through the host) placed above them.</summary>
    private void RunNative(WasmFunction f, int fp)
    {
        if (f.Instance.HasDisposedMemory)
        {
            RunInterpreted(f, fp);
            return;
        }
        var type = f.Type;
        if (Volatile.Read(ref *_interrupt) != 0) throw Interrupted(); // before the room check, as the interpreter's entries
        int savedTop = _top;
        _top = fp + Math.Max(type.Parameters.Length, type.Results.Length) * SlotWords;
        if ((long)_top > StackWords) throw Trap(TrapCode.CallStackExhausted);
        try
        {
            EnterNative(f, _stack + fp);
        }
        finally
        {
            _top = savedTop;
        }
    }

    /// <summary>Runs <paramref name="f"/>, a function with native code, on the interpreter instead: native code
    /// assumes its memories are at least their declared minimum size (bounds checks below it fold away, see
    /// <c>ModuleTranslator.LengthRange</c>), which a disposed memory, of size 0, is not. Every access traps there,
    /// as the interpreter's checks say.</summary>
    private void RunInterpreted(WasmFunction f, int fp)
    {
        if (_depth >= _depthLimit || (long)fp + (long)f.Code.FrameSize * SlotWords > StackWords) throw CallRefused();
        int savedEntryDepth = _entryDepth, savedCurrent = _current;
        _entryDepth = _depth;
        try
        {
            Run(f, fp);
        }
        finally
        {
            _entryDepth = savedEntryDepth;
            _current = savedCurrent;
        }
    }

    private Value ReadValue(ValueType t, ulong* slot) => HostSlots.Read(_store, t, slot);

    private void WriteValue(ulong* slot, in Value v) => HostSlots.Write(_store, slot, v);

    /// <summary>Store address of the running function, for backtraces (an int: no write barrier per call).</summary>
    private int _current = -1;
    private Value[] _hostValues = new Value[16];
    private int _hostValuesTop;
    /// <summary>Staging for multi-value returns, whose sources may overlap their destinations (native, so the
    /// interpreter loop pins nothing).</summary>
    private ulong* _scratch;
    private int _scratchWords;

    private ulong* Scratch(int words)
    {
        if (_scratchWords < words)
        {
            _scratch = (ulong*)NativeMemory.Realloc(_scratch, (nuint)words * sizeof(ulong));
            _scratchWords = words;
        }
        return _scratch;
    }

    private string[] Backtrace(int fromDepth)
    {
        var names = new List<string>();
        if (_current >= 0) names.Add(_store.GetFunction(_current).DebugName);
        for (int d = _depth - 1; d >= fromDepth; d--)
            names.Add(_store.GetFunction(_frames[d].Function).DebugName);
        return names.ToArray();
    }

    /// <summary>Zeroes the locals and copies the constants in. Plain loops: frames are small, and the span
    /// helpers' calls cost more than the copies (measured: 5% of a call-heavy run).</summary>
    private static void EnterFrame(ulong* regs, CompiledFunction fn)
    {
        var zero = fn.ZeroSlots;
        for (int i = 0; i < zero.Length; i++) StoreV(regs + zero[i], default);
        var words = fn.FrameConstants;
        ulong* c = regs + fn.ConstBase * SlotWords;
        if (fn.WideConstants) for (int i = 0; i < words.Length; i++) c[i] = words[i];
        else for (int i = 0; i < words.Length; i++) c[i * SlotWords] = words[i];
    }

    private void CallHost(Function f, ulong* args, int top)
    {
        if (f is HostFunction { SlotsCallback: { } raw })
        {
            // The frame's slots are the convention's: the host reads and writes them in place.
            int topBefore = _top, depthBefore = _depth;
            var current = _current;
            _top = top;
            try
            {
                raw(new HostSlots(args));
            }
            finally
            {
                _top = topBefore;
                _depth = depthBefore;
                _current = current;
            }
            return;
        }
        var type = f.Type;
        int np = type.Parameters.Length, nr = type.Results.Length;
        // Arguments and results live in a store-wide buffer used as a stack (host calls nest through Wasm), so a
        // host call allocates nothing; the buffer only grows, and a nested call that grows it leaves this one's
        // array (held in buf) intact.
        int at = _hostValuesTop;
        if (at + np + nr > _hostValues.Length) Array.Resize(ref _hostValues, Math.Max(_hostValues.Length * 2, at + np + nr));
        var buf = _hostValues;
        for (int i = 0; i < np; i++) buf[at + i] = ReadValue(type.Parameters[i], args + i * SlotWords);
        buf.AsSpan(at + np, nr).Clear();
        int savedTop = _top, savedDepth = _depth;
        var saved = _current;
        _top = top;
        _hostValuesTop = at + np + nr;
        try
        {
            if (f is HostFunction h) h.Callback(buf.AsSpan(at, np), buf.AsSpan(at + np, nr));
            else f.Invoke(buf.AsSpan(at, np), buf.AsSpan(at + np, nr));
        }
        finally
        {
            _top = savedTop;
            _depth = savedDepth;
            _current = saved;
            _hostValuesTop = at;
        }
        for (int i = 0; i < nr; i++)
        {
            ref var r = ref buf[at + np + i];
            if (r.Type != type.Results[i])
                throw new WasmException($"host function {f.DebugName} returned {r.Type.ToText()} for result {i}, expected {type.Results[i].ToText()}");
            WriteValue(args + i * SlotWords, r);
        }
        buf.AsSpan(at, np + nr).Clear(); // hold no references to host objects
    }

    /// <summary>The running function's instance, and the frame depth at which the innermost
    /// <see cref="Run"/> returns to its host caller (see the note on <see cref="Run"/>).</summary>
    private Instance _inst = null!;
    private int _entryDepth;
    private byte* _mem;
    private ulong _memLen;
    /// <summary>The running instance's global cells and tables (from its <see cref="InstanceContext"/>).</summary>
    private ulong** _globals;
    private TableDefinition** _tables;

    /// <summary>Points the memory fields at the running instance's memory 0 (read from its context), and the
    /// globals and tables at its own.</summary>
    private void LoadMemory()
    {
        var inst = _inst;
        var m = inst.Memory0;
        if (m != null) { _mem = m->Base; _memLen = m->Length; }
        else { _mem = null; _memLen = 0; }
        _globals = inst.GlobalCells;
        _tables = inst.TableDefinitions;
    }

    /// <summary>A v128 in the frame: a pair of slots, the low half first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> LoadV(ulong* slot) => Vector128.Load((byte*)slot);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreV(ulong* slot, Vector128<byte> v) => v.Store((byte*)slot);

    /// <summary>After a return across instances: the caller's instance and memory.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RestoreInstance(int caller)
    {
        _inst = ((WasmFunction)_store.GetFunction(caller)).Instance;
        LoadMemory();
    }

    // Only ip and regs (and this) live across the loop, so they stay in callee-saved registers; the instance,
    // the memory's base and limit and the entry depth are fields (as locals, RyuJIT kept the memory pair on the
    // stack and wrote it back after every access; a field costs one load). AggressiveOptimization: a program's
    // first call runs for its whole life, so tiering would leave it in on-stack-replacement code, which spilled
    // ip to the stack on every instruction.
    [SkipLocalsInit, MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run(WasmFunction wf, int fp)
    {
        var fn = wf.Compiled ?? wf.MakeCode();
        int* ip = fn.Start;
        ulong* regs = _stack + fp;
        if (!ReferenceEquals(_inst, wf.Instance)) _inst = wf.Instance; // no write barrier for the same one
        LoadMemory();
        _current = wf.Address;
        if (fn.SetsUpFrame) EnterFrame(regs, fn);

        Function callee;
        int argBase, resultSlot;
        int* returnIp;

        while (true)
        {
#if WASMSHARP_OPSTATS
            OpStats.Count(ip);
#endif
            switch ((Op)ip[0])
            {
                // <generated by tools/WasmSharp.Isa: one case per instruction of its table>
                case Op.Unreachable: { throw Trap(TrapCode.Unreachable); }
                case Op.Interrupt: { if (Volatile.Read(ref *_interrupt) != 0) throw Interrupted(); ip += 1; continue; }
                case Op.Br: { ip += 1 + ip[1]; continue; }
                case Op.BrIfNez: { ip = (uint)regs[ip[1]] != 0 ? ip + 2 + ip[2] : ip + 3; continue; }
                case Op.BrIfEqz: { ip = (uint)regs[ip[1]] == 0 ? ip + 2 + ip[2] : ip + 3; continue; }
                case Op.I32AddImm: { regs[ip[1]] = (uint)((int)regs[ip[2]] + ip[3]); ip += 4; continue; }
                case Op.I64AddImm: { regs[ip[1]] = regs[ip[2]] + (ulong)(long)ip[3]; ip += 4; continue; }
                case Op.BrI32Eq: { ip = (uint)regs[ip[1]] == (uint)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32Ne: { ip = (uint)regs[ip[1]] != (uint)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32LtS: { ip = (int)regs[ip[1]] < (int)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32LtU: { ip = (uint)regs[ip[1]] < (uint)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32GtS: { ip = (int)regs[ip[1]] > (int)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32GtU: { ip = (uint)regs[ip[1]] > (uint)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32LeS: { ip = (int)regs[ip[1]] <= (int)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32LeU: { ip = (uint)regs[ip[1]] <= (uint)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32GeS: { ip = (int)regs[ip[1]] >= (int)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32GeU: { ip = (uint)regs[ip[1]] >= (uint)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64Eq: { ip = (ulong)regs[ip[1]] == (ulong)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64Ne: { ip = (ulong)regs[ip[1]] != (ulong)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64LtS: { ip = (long)regs[ip[1]] < (long)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64LtU: { ip = (ulong)regs[ip[1]] < (ulong)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64GtS: { ip = (long)regs[ip[1]] > (long)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64GtU: { ip = (ulong)regs[ip[1]] > (ulong)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64LeS: { ip = (long)regs[ip[1]] <= (long)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64LeU: { ip = (ulong)regs[ip[1]] <= (ulong)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64GeS: { ip = (long)regs[ip[1]] >= (long)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI64GeU: { ip = (ulong)regs[ip[1]] >= (ulong)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32Eq: { ip = F32(regs[ip[1]]) == F32(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32Ne: { ip = F32(regs[ip[1]]) != F32(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32Lt: { ip = F32(regs[ip[1]]) < F32(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32Gt: { ip = F32(regs[ip[1]]) > F32(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32Le: { ip = F32(regs[ip[1]]) <= F32(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32Ge: { ip = F32(regs[ip[1]]) >= F32(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64Eq: { ip = F64(regs[ip[1]]) == F64(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64Ne: { ip = F64(regs[ip[1]]) != F64(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64Lt: { ip = F64(regs[ip[1]]) < F64(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64Gt: { ip = F64(regs[ip[1]]) > F64(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64Le: { ip = F64(regs[ip[1]]) <= F64(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64Ge: { ip = F64(regs[ip[1]]) >= F64(regs[ip[2]]) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32NotLt: { ip = !(F32(regs[ip[1]]) < F32(regs[ip[2]])) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32NotGt: { ip = !(F32(regs[ip[1]]) > F32(regs[ip[2]])) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32NotLe: { ip = !(F32(regs[ip[1]]) <= F32(regs[ip[2]])) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF32NotGe: { ip = !(F32(regs[ip[1]]) >= F32(regs[ip[2]])) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64NotLt: { ip = !(F64(regs[ip[1]]) < F64(regs[ip[2]])) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64NotGt: { ip = !(F64(regs[ip[1]]) > F64(regs[ip[2]])) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64NotLe: { ip = !(F64(regs[ip[1]]) <= F64(regs[ip[2]])) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrF64NotGe: { ip = !(F64(regs[ip[1]]) >= F64(regs[ip[2]])) ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32AndZ: { ip = ((uint)regs[ip[1]] & (uint)regs[ip[2]]) == 0 ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32AndNz: { ip = ((uint)regs[ip[1]] & (uint)regs[ip[2]]) != 0 ? ip + 3 + ip[3] : ip + 4; continue; }
                case Op.BrI32EqLoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (uint)x == (uint)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32NeLoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (uint)x != (uint)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32LtSLoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (int)x < (int)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32LtULoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (uint)x < (uint)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32GtSLoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (int)x > (int)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32GtULoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (uint)x > (uint)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32LeSLoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (int)x <= (int)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32LeULoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (uint)x <= (uint)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32GeSLoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (int)x >= (int)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32GeULoad2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ip = (uint)x >= (uint)y ? ip + 7 + ip[7] : ip + 8; continue;
                }
                case Op.BrI32EqLoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (uint)(uint)regs[ip[1]] == (uint)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.BrI32NeLoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (uint)(uint)regs[ip[1]] != (uint)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.BrI32LtSLoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (int)(uint)regs[ip[1]] < (int)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.BrI32LtULoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (uint)(uint)regs[ip[1]] < (uint)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.BrI32GtSLoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (int)(uint)regs[ip[1]] > (int)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.BrI32GtULoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (uint)(uint)regs[ip[1]] > (uint)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.BrI32LeSLoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (int)(uint)regs[ip[1]] <= (int)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.BrI32LeULoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (uint)(uint)regs[ip[1]] <= (uint)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.BrI32GeSLoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (int)(uint)regs[ip[1]] >= (int)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.BrI32GeULoad:
                {
                    ulong ea = (uint)regs[ip[3]] + (ulong)(uint)ip[4]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[2]] = y;
                    ip = (uint)(uint)regs[ip[1]] >= (uint)y ? ip + 5 + ip[5] : ip + 6; continue;
                }
                case Op.I32Load2AddStore:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    uint v = x + y; regs[ip[7]] = v;
                    ea = (uint)regs[ip[8]] + (ulong)(uint)ip[9]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, v);
                    ip += 10; continue;
                }
                case Op.I32Load2LoadShl:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ea = (uint)(x + (y << ip[8]) + (uint)ip[9]) + (ulong)(uint)ip[10]; if (ea + 4 > _memLen) goto Oob;
                    regs[ip[7]] = Unsafe.ReadUnaligned<uint>(_mem + ea);
                    ip += 11; continue;
                }
                case Op.I32Load2Load8UAdd:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ea = (uint)(x + y + (uint)ip[8]) + (ulong)(uint)ip[9]; if (ea + 1 > _memLen) goto Oob;
                    regs[ip[7]] = _mem[ea];
                    ip += 10; continue;
                }
                case Op.I32Load2Store8Add:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[1]] = x;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); regs[ip[4]] = y;
                    ea = (uint)(x + y + (uint)ip[8]) + (ulong)(uint)ip[9]; if (ea + 1 > _memLen) goto Oob;
                    _mem[ea] = (byte)regs[ip[7]];
                    ip += 10; continue;
                }
                case Op.SelectI32Eq: { regs[ip[1]] = (uint)regs[ip[2]] == (uint)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.SelectI32Ne: { regs[ip[1]] = (uint)regs[ip[2]] != (uint)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.SelectI32LtS: { regs[ip[1]] = (int)regs[ip[2]] < (int)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.SelectI32LtU: { regs[ip[1]] = (uint)regs[ip[2]] < (uint)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.SelectI32GtS: { regs[ip[1]] = (int)regs[ip[2]] > (int)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.SelectI32GtU: { regs[ip[1]] = (uint)regs[ip[2]] > (uint)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.SelectI32LeS: { regs[ip[1]] = (int)regs[ip[2]] <= (int)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.SelectI32LeU: { regs[ip[1]] = (uint)regs[ip[2]] <= (uint)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.SelectI32GeS: { regs[ip[1]] = (int)regs[ip[2]] >= (int)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.SelectI32GeU: { regs[ip[1]] = (uint)regs[ip[2]] >= (uint)regs[ip[3]] ? regs[ip[4]] : regs[ip[5]]; ip += 6; continue; }
                case Op.BrTable: { uint i = (uint)regs[ip[1]]; uint n = (uint)ip[2]; ip += 3 + (int)(i < n ? i : n); ip += *ip; continue; }
                case Op.Return0: { goto Return; }
                case Op.GlobalSetAddImmReturn1: { *_globals[ip[1]] = (uint)((uint)regs[ip[2]] + (uint)ip[3]); ip += 4 - 1; goto case Op.Return1; }
                case Op.Return1:
                {
                    ulong v = regs[ip[1]];
                    if (_depth == _entryDepth) { regs[0] = v; return; }
                    ref var f = ref _frames[--_depth];
                    _current = f.Function;
                    ip = f.ReturnIp;
                    regs = _stack + f.Fp;
                    regs[f.Result] = v;
                    if (f.CrossInstance) RestoreInstance(f.Function);
                    continue;
                }
                case Op.Return1V128:
                {
                    var v = LoadV((regs + ip[1]));
                    if (_depth == _entryDepth) { StoreV(regs, v); return; }
                    ref var f = ref _frames[--_depth];
                    _current = f.Function;
                    ip = f.ReturnIp;
                    regs = _stack + f.Fp;
                    StoreV(regs + f.Result, v);
                    if (f.CrossInstance) RestoreInstance(f.Function);
                    continue;
                }
                case Op.ReturnN:
                {
                    int n = ip[1];
                    ulong* scratch = Scratch(n * SlotWords);
                    for (int i = 0; i < n; i++) StoreV(scratch + i * SlotWords, LoadV(regs + ip[2 + i]));
                    for (int i = 0; i < n; i++) StoreV(regs + i * SlotWords, LoadV(scratch + i * SlotWords));
                    goto Return;
                }
                case Op.Call:
                {
                    callee = _inst.Functions[ip[1]];
                    argBase = ip[2];
                    resultSlot = ip[3];
                    int n = ip[4];
                    for (int i = 0; i < n; i++) regs[argBase + i * SlotWords] = regs[ip[5 + i]];
                    returnIp = ip + 5 + n;
                    goto Call;
                }
                case Op.CallIndirect:
                {
                    TableDefinition* table = _tables[ip[2]];
                    uint e = (uint)regs[ip[3]];
                    if (e >= table->Length) throw Trap(TrapCode.UndefinedElement);
                    ulong entry = table->Elements[e];
                    if (entry == 0) throw Trap(TrapCode.UninitializedElement);
                    callee = _store.GetFunction((int)(entry - 1));
                    if (callee.TypeId != _inst.TypeIds[ip[1]]) throw Trap(TrapCode.IndirectCallTypeMismatch);
                    argBase = ip[4];
                    resultSlot = ip[5];
                    int n = ip[6];
                    for (int i = 0; i < n; i++) regs[argBase + i * SlotWords] = regs[ip[7 + i]];
                    returnIp = ip + 7 + n;
                    goto Call;
                }
                case Op.CallV128:
                {
                    callee = _inst.Functions[ip[1]];
                    argBase = ip[2];
                    resultSlot = ip[3];
                    int n = ip[4];
                    for (int i = 0; i < n; i++) StoreV(regs + argBase + i * SlotWords, LoadV(regs + ip[5 + i]));
                    returnIp = ip + 5 + n;
                    goto Call;
                }
                case Op.CallIndirectV128:
                {
                    TableDefinition* table = _tables[ip[2]];
                    uint e = (uint)regs[ip[3]];
                    if (e >= table->Length) throw Trap(TrapCode.UndefinedElement);
                    ulong entry = table->Elements[e];
                    if (entry == 0) throw Trap(TrapCode.UninitializedElement);
                    callee = _store.GetFunction((int)(entry - 1));
                    if (callee.TypeId != _inst.TypeIds[ip[1]]) throw Trap(TrapCode.IndirectCallTypeMismatch);
                    argBase = ip[4];
                    resultSlot = ip[5];
                    int n = ip[6];
                    for (int i = 0; i < n; i++) StoreV(regs + argBase + i * SlotWords, LoadV(regs + ip[7 + i]));
                    returnIp = ip + 7 + n;
                    goto Call;
                }
                case Op.Copy: { regs[ip[1]] = regs[ip[2]]; ip += 3; continue; }
                case Op.Copy2: { ulong a = regs[ip[2]], b = regs[ip[4]]; regs[ip[1]] = a; regs[ip[3]] = b; ip += 5; continue; }
                case Op.Select: { regs[ip[1]] = (uint)regs[ip[2]] != 0 ? regs[ip[3]] : regs[ip[4]]; ip += 5; continue; }
                case Op.GlobalGet: { regs[ip[1]] = *_globals[ip[2]]; ip += 3; continue; }
                case Op.GlobalSet: { *_globals[ip[1]] = regs[ip[2]]; ip += 3; continue; }
                case Op.GlobalGetAddImm: { regs[ip[1]] = (uint)((uint)*_globals[ip[2]] + (uint)ip[3]); ip += 4; continue; }
                case Op.GlobalAddImm: { ulong* g = _globals[ip[2]]; ulong v = (uint)((uint)*g + (uint)ip[3]); regs[ip[1]] = v; *g = v; ip += 4; continue; }
                case Op.GlobalSetAddImm: { *_globals[ip[1]] = (uint)((uint)regs[ip[2]] + (uint)ip[3]); ip += 4; continue; }
                case Op.RefFunc: { regs[ip[1]] = (ulong)_inst.Functions[ip[2]].Address + 1; ip += 3; continue; }
                case Op.RefIsNull: { regs[ip[1]] = regs[ip[2]] == 0 ? 1UL : 0UL; ip += 3; continue; }
                case Op.I32Load:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<uint>(_mem + ea); ip += 4; continue;
                }
                case Op.I64Load:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 8 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<ulong>(_mem + ea); ip += 4; continue;
                }
                case Op.I32Load8S: { ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 1 > _memLen) goto Oob; regs[ip[1]] = (uint)(int)*(sbyte*)(_mem + ea); ip += 4; continue; }
                case Op.I32Load8U: { ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 1 > _memLen) goto Oob; regs[ip[1]] = _mem[ea]; ip += 4; continue; }
                case Op.I32Load16S:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 2 > _memLen) goto Oob; regs[ip[1]] = (uint)(int)Unsafe.ReadUnaligned<short>(_mem + ea); ip += 4; continue;
                }
                case Op.I32Load16U:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 2 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<ushort>(_mem + ea); ip += 4; continue;
                }
                case Op.I64Load8S:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 1 > _memLen) goto Oob; regs[ip[1]] = (ulong)(long)*(sbyte*)(_mem + ea); ip += 4; continue;
                }
                case Op.I64Load8U: { ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 1 > _memLen) goto Oob; regs[ip[1]] = _mem[ea]; ip += 4; continue; }
                case Op.I64Load16S:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 2 > _memLen) goto Oob; regs[ip[1]] = (ulong)(long)Unsafe.ReadUnaligned<short>(_mem + ea); ip += 4; continue;
                }
                case Op.I64Load16U:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 2 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<ushort>(_mem + ea); ip += 4; continue;
                }
                case Op.I64Load32S:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; regs[ip[1]] = (ulong)(long)Unsafe.ReadUnaligned<int>(_mem + ea); ip += 4; continue;
                }
                case Op.I64Load32U:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<uint>(_mem + ea); ip += 4; continue;
                }
                case Op.I32Store:
                {
                    ulong ea = (uint)regs[ip[1]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (uint)regs[ip[2]]); ip += 4; continue;
                }
                case Op.I64Store: { ulong ea = (uint)regs[ip[1]] + (ulong)(uint)ip[3]; if (ea + 8 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, regs[ip[2]]); ip += 4; continue; }
                case Op.I32Store8: { ulong ea = (uint)regs[ip[1]] + (ulong)(uint)ip[3]; if (ea + 1 > _memLen) goto Oob; _mem[ea] = (byte)regs[ip[2]]; ip += 4; continue; }
                case Op.I32Store16:
                {
                    ulong ea = (uint)regs[ip[1]] + (ulong)(uint)ip[3]; if (ea + 2 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (ushort)regs[ip[2]]); ip += 4; continue;
                }
                case Op.I64Store8: { ulong ea = (uint)regs[ip[1]] + (ulong)(uint)ip[3]; if (ea + 1 > _memLen) goto Oob; _mem[ea] = (byte)regs[ip[2]]; ip += 4; continue; }
                case Op.I64Store16:
                {
                    ulong ea = (uint)regs[ip[1]] + (ulong)(uint)ip[3]; if (ea + 2 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (ushort)regs[ip[2]]); ip += 4; continue;
                }
                case Op.I64Store32:
                {
                    ulong ea = (uint)regs[ip[1]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (uint)regs[ip[2]]); ip += 4; continue;
                }
                case Op.I32Store2:
                {
                    ulong ea = (uint)regs[ip[1]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (uint)regs[ip[2]]);
                    ea = (uint)regs[ip[4]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (uint)regs[ip[5]]);
                    ip += 7; continue;
                }
                case Op.I64Store2:
                {
                    ulong ea = (uint)regs[ip[1]] + (ulong)(uint)ip[3]; if (ea + 8 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, regs[ip[2]]);
                    ea = (uint)regs[ip[4]] + (ulong)(uint)ip[6]; if (ea + 8 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, regs[ip[5]]);
                    ip += 7; continue;
                }
                case Op.I32LoadShl:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + ((uint)regs[ip[3]] << ip[4]) + (uint)ip[5]) + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<uint>(_mem + ea); ip += 7; continue;
                }
                case Op.I64LoadShl:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + ((uint)regs[ip[3]] << ip[4]) + (uint)ip[5]) + (ulong)(uint)ip[6]; if (ea + 8 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<ulong>(_mem + ea); ip += 7; continue;
                }
                case Op.I32StoreShl:
                {
                    ulong ea = (uint)((uint)regs[ip[1]] + ((uint)regs[ip[2]] << ip[3]) + (uint)ip[5]) + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (uint)regs[ip[4]]); ip += 7; continue;
                }
                case Op.I64StoreShl:
                {
                    ulong ea = (uint)((uint)regs[ip[1]] + ((uint)regs[ip[2]] << ip[3]) + (uint)ip[5]) + (ulong)(uint)ip[6]; if (ea + 8 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, regs[ip[4]]); ip += 7; continue;
                }
                case Op.I32LoadAddImm:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<uint>(_mem + ea) + (uint)ip[4]; ip += 5; continue;
                }
                case Op.I32LoadAddImmStore:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint v = Unsafe.ReadUnaligned<uint>(_mem + ea) + (uint)ip[4];
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, v); regs[ip[1]] = v;
                    ip += 7; continue;
                }
                case Op.I32AddStore:
                {
                    uint v = (uint)regs[ip[2]] + (uint)regs[ip[3]];
                    regs[ip[1]] = v;
                    ulong ea = (uint)regs[ip[4]] + (ulong)(uint)ip[5]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, v);
                    ip += 6; continue;
                }
                case Op.I32XorStore:
                {
                    uint v = (uint)regs[ip[2]] ^ (uint)regs[ip[3]];
                    regs[ip[1]] = v;
                    ulong ea = (uint)regs[ip[4]] + (ulong)(uint)ip[5]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, v);
                    ip += 6; continue;
                }
                case Op.F64AddStore:
                {
                    ulong v = Bits(F64(regs[ip[2]]) + F64(regs[ip[3]]));
                    regs[ip[1]] = v;
                    ulong ea = (uint)regs[ip[4]] + (ulong)(uint)ip[5]; if (ea + 8 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, v);
                    ip += 6; continue;
                }
                case Op.F64MulStore:
                {
                    ulong v = Bits(F64(regs[ip[2]]) * F64(regs[ip[3]]));
                    regs[ip[1]] = v;
                    ulong ea = (uint)regs[ip[4]] + (ulong)(uint)ip[5]; if (ea + 8 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, v);
                    ip += 6; continue;
                }
                case Op.I32LoadStore:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint v = Unsafe.ReadUnaligned<uint>(_mem + ea);
                    regs[ip[1]] = v;
                    ea = (uint)regs[ip[4]] + (ulong)(uint)ip[5]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, v);
                    ip += 6; continue;
                }
                case Op.I32Load8UStore8:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 1 > _memLen) goto Oob; byte v = _mem[ea];
                    regs[ip[1]] = v;
                    ea = (uint)regs[ip[4]] + (ulong)(uint)ip[5]; if (ea + 1 > _memLen) goto Oob; _mem[ea] = v;
                    ip += 6; continue;
                }
                case Op.I32Load8SStore8:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 1 > _memLen) goto Oob; sbyte v = *(sbyte*)(_mem + ea);
                    regs[ip[1]] = (uint)(int)v;
                    ea = (uint)regs[ip[4]] + (ulong)(uint)ip[5]; if (ea + 1 > _memLen) goto Oob; *(sbyte*)(_mem + ea) = v;
                    ip += 6; continue;
                }
                case Op.GlobalAddImmStore:
                {
                    ulong* g = _globals[ip[2]];
                    uint sp = (uint)((uint)*g + (uint)ip[3]);
                    *g = sp;
                    regs[ip[1]] = sp;
                    ulong ea = sp + (ulong)(uint)ip[5]; if (ea + 4 > _memLen) goto Oob;
                    Unsafe.WriteUnaligned(_mem + ea, (uint)regs[ip[4]]);
                    ip += 6; continue;
                }
                case Op.I32LoadStoreAddImm:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; uint v = Unsafe.ReadUnaligned<uint>(_mem + ea);
                    regs[ip[1]] = v;
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, v + (uint)ip[4]);
                    ip += 7; continue;
                }
                case Op.I32Load2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 4 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<uint>(_mem + ea);
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 4 > _memLen) goto Oob; regs[ip[4]] = Unsafe.ReadUnaligned<uint>(_mem + ea);
                    ip += 7; continue;
                }
                case Op.I64Load2:
                {
                    ulong ea = (uint)regs[ip[2]] + (ulong)(uint)ip[3]; if (ea + 8 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<ulong>(_mem + ea);
                    ea = (uint)regs[ip[5]] + (ulong)(uint)ip[6]; if (ea + 8 > _memLen) goto Oob; regs[ip[4]] = Unsafe.ReadUnaligned<ulong>(_mem + ea);
                    ip += 7; continue;
                }
                case Op.I32LoadAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 4 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<uint>(_mem + ea); ip += 6; continue;
                }
                case Op.I64LoadAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 8 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<ulong>(_mem + ea); ip += 6; continue;
                }
                case Op.I32Load8SAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 1 > _memLen) goto Oob; regs[ip[1]] = (uint)(int)*(sbyte*)(_mem + ea); ip += 6; continue;
                }
                case Op.I32Load8UAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 1 > _memLen) goto Oob; regs[ip[1]] = _mem[ea]; ip += 6; continue;
                }
                case Op.I32Load16SAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 2 > _memLen) goto Oob; regs[ip[1]] = (uint)(int)Unsafe.ReadUnaligned<short>(_mem + ea); ip += 6; continue;
                }
                case Op.I32Load16UAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 2 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<ushort>(_mem + ea); ip += 6; continue;
                }
                case Op.I64Load8SAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 1 > _memLen) goto Oob; regs[ip[1]] = (ulong)(long)*(sbyte*)(_mem + ea); ip += 6; continue;
                }
                case Op.I64Load8UAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 1 > _memLen) goto Oob; regs[ip[1]] = _mem[ea]; ip += 6; continue;
                }
                case Op.I64Load16SAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 2 > _memLen) goto Oob; regs[ip[1]] = (ulong)(long)Unsafe.ReadUnaligned<short>(_mem + ea); ip += 6; continue;
                }
                case Op.I64Load16UAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 2 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<ushort>(_mem + ea); ip += 6; continue;
                }
                case Op.I64Load32SAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 4 > _memLen) goto Oob; regs[ip[1]] = (ulong)(long)Unsafe.ReadUnaligned<int>(_mem + ea); ip += 6; continue;
                }
                case Op.I64Load32UAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[2]] + (uint)regs[ip[3]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 4 > _memLen) goto Oob; regs[ip[1]] = Unsafe.ReadUnaligned<uint>(_mem + ea); ip += 6; continue;
                }
                case Op.I32StoreAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[1]] + (uint)regs[ip[2]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (uint)regs[ip[3]]); ip += 6; continue;
                }
                case Op.I64StoreAdd:
                {
                    ulong ea = (uint)((uint)regs[ip[1]] + (uint)regs[ip[2]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 8 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, regs[ip[3]]); ip += 6; continue;
                }
                case Op.I32Store8Add:
                {
                    ulong ea = (uint)((uint)regs[ip[1]] + (uint)regs[ip[2]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 1 > _memLen) goto Oob; _mem[ea] = (byte)regs[ip[3]]; ip += 6; continue;
                }
                case Op.I32Store16Add:
                {
                    ulong ea = (uint)((uint)regs[ip[1]] + (uint)regs[ip[2]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 2 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (ushort)regs[ip[3]]); ip += 6; continue;
                }
                case Op.I64Store8Add:
                {
                    ulong ea = (uint)((uint)regs[ip[1]] + (uint)regs[ip[2]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 1 > _memLen) goto Oob; _mem[ea] = (byte)regs[ip[3]]; ip += 6; continue;
                }
                case Op.I64Store16Add:
                {
                    ulong ea = (uint)((uint)regs[ip[1]] + (uint)regs[ip[2]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 2 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (ushort)regs[ip[3]]); ip += 6; continue;
                }
                case Op.I64Store32Add:
                {
                    ulong ea = (uint)((uint)regs[ip[1]] + (uint)regs[ip[2]] + (uint)ip[4]) + (ulong)(uint)ip[5]; if (ea + 4 > _memLen) goto Oob; Unsafe.WriteUnaligned(_mem + ea, (uint)regs[ip[3]]); ip += 6; continue;
                }
                case Op.MemorySize: { regs[ip[1]] = _memLen / MemoryType.PageSize; ip += 2; continue; }
                case Op.MemoryGrow: { regs[ip[1]] = (uint)(int)_inst.Memories[ip[3]].Grow((uint)regs[ip[2]]); LoadMemory(); ip += 4; continue; }
                case Op.UseMemory: { MemoryDefinition* m = _inst.Context->Memories[ip[1]]; _mem = m->Base; _memLen = m->Length; ip += 2; continue; }
                case Op.MemoryCopyAcross:
                {
                    MemoryDefinition* dm = _inst.Context->Memories[ip[4]], sm = _inst.Context->Memories[ip[5]];
                    ulong d = (uint)regs[ip[1]], s = (uint)regs[ip[2]], n = (uint)regs[ip[3]]; if (d + n > dm->Length || s + n > sm->Length) goto Oob;
                    Buffer.MemoryCopy(sm->Base + s, dm->Base + d, n, n);
                    ip += 6; continue;
                }
                case Op.MemoryFill:
                {
                    ulong d = (uint)regs[ip[1]], n = (uint)regs[ip[3]]; if (d + n > _memLen) goto Oob; NativeMemory.Fill(_mem + d, (nuint)n, (byte)regs[ip[2]]); ip += 4; continue;
                }
                case Op.MemoryCopy:
                {
                    ulong d = (uint)regs[ip[1]], s = (uint)regs[ip[2]], n = (uint)regs[ip[3]]; if (d + n > _memLen || s + n > _memLen) goto Oob; Buffer.MemoryCopy(_mem + s, _mem + d, n, n); ip += 4; continue;
                }
                case Op.MemoryInit:
                {
                    var seg = _inst.DataSegments[ip[1]].Span;
                    ulong d = (uint)regs[ip[2]], s = (uint)regs[ip[3]], n = (uint)regs[ip[4]];
                    if (d + n > _memLen || s + n > (ulong)seg.Length) goto Oob;
                    seg.Slice((int)s, (int)n).CopyTo(new Span<byte>(_mem + d, (int)n));
                    ip += 5; continue;
                }
                case Op.DataDrop: { _inst.DataSegments[ip[1]] = ReadOnlyMemory<byte>.Empty; ip += 2; continue; }
                case Op.TableGet:
                {
                    TableDefinition* t = _tables[ip[2]]; uint i = (uint)regs[ip[3]]; if (i >= t->Length) throw Trap(TrapCode.OutOfBoundsTableAccess); regs[ip[1]] = t->Elements[i]; ip += 4; continue;
                }
                case Op.TableSet:
                {
                    TableDefinition* t = _tables[ip[1]]; uint i = (uint)regs[ip[2]]; if (i >= t->Length) throw Trap(TrapCode.OutOfBoundsTableAccess); t->Elements[i] = regs[ip[3]]; ip += 4; continue;
                }
                case Op.TableSize: { regs[ip[1]] = _tables[ip[2]]->Length; ip += 3; continue; }
                case Op.TableGrow: { regs[ip[1]] = (uint)(int)_inst.Tables[ip[2]].Grow((uint)regs[ip[4]], regs[ip[3]]); ip += 5; continue; }
                case Op.TableFill: { _inst.Tables[ip[1]].Fill((uint)regs[ip[2]], regs[ip[3]], (uint)regs[ip[4]]); ip += 5; continue; }
                case Op.TableCopy: { _inst.Tables[ip[1]].Copy(_inst.Tables[ip[2]], (uint)regs[ip[3]], (uint)regs[ip[4]], (uint)regs[ip[5]]); ip += 6; continue; }
                case Op.TableInit: { _inst.Tables[ip[1]].Init((uint)regs[ip[3]], _inst.ElementSegments[ip[2]], (uint)regs[ip[4]], (uint)regs[ip[5]]); ip += 6; continue; }
                case Op.ElemDrop: { _inst.ElementSegments[ip[1]] = []; ip += 2; continue; }
                case Op.I32Eqz: { regs[ip[1]] = (uint)regs[ip[2]] == 0 ? 1UL : 0UL; ip += 3; continue; }
                case Op.I32Eq: { regs[ip[1]] = (uint)regs[ip[2]] == (uint)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32Ne: { regs[ip[1]] = (uint)regs[ip[2]] != (uint)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32LtS: { regs[ip[1]] = (int)regs[ip[2]] < (int)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32LtU: { regs[ip[1]] = (uint)regs[ip[2]] < (uint)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32GtS: { regs[ip[1]] = (int)regs[ip[2]] > (int)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32GtU: { regs[ip[1]] = (uint)regs[ip[2]] > (uint)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32LeS: { regs[ip[1]] = (int)regs[ip[2]] <= (int)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32LeU: { regs[ip[1]] = (uint)regs[ip[2]] <= (uint)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32GeS: { regs[ip[1]] = (int)regs[ip[2]] >= (int)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32GeU: { regs[ip[1]] = (uint)regs[ip[2]] >= (uint)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64Eqz: { regs[ip[1]] = (ulong)regs[ip[2]] == 0 ? 1UL : 0UL; ip += 3; continue; }
                case Op.I64Eq: { regs[ip[1]] = (ulong)regs[ip[2]] == (ulong)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64Ne: { regs[ip[1]] = (ulong)regs[ip[2]] != (ulong)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64LtS: { regs[ip[1]] = (long)regs[ip[2]] < (long)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64LtU: { regs[ip[1]] = (ulong)regs[ip[2]] < (ulong)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64GtS: { regs[ip[1]] = (long)regs[ip[2]] > (long)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64GtU: { regs[ip[1]] = (ulong)regs[ip[2]] > (ulong)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64LeS: { regs[ip[1]] = (long)regs[ip[2]] <= (long)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64LeU: { regs[ip[1]] = (ulong)regs[ip[2]] <= (ulong)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64GeS: { regs[ip[1]] = (long)regs[ip[2]] >= (long)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.I64GeU: { regs[ip[1]] = (ulong)regs[ip[2]] >= (ulong)regs[ip[3]] ? 1UL : 0UL; ip += 4; continue; }
                case Op.F32Eq: { regs[ip[1]] = F32(regs[ip[2]]) == F32(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F32Ne: { regs[ip[1]] = F32(regs[ip[2]]) != F32(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F32Lt: { regs[ip[1]] = F32(regs[ip[2]]) < F32(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F32Gt: { regs[ip[1]] = F32(regs[ip[2]]) > F32(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F32Le: { regs[ip[1]] = F32(regs[ip[2]]) <= F32(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F32Ge: { regs[ip[1]] = F32(regs[ip[2]]) >= F32(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F64Eq: { regs[ip[1]] = F64(regs[ip[2]]) == F64(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F64Ne: { regs[ip[1]] = F64(regs[ip[2]]) != F64(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F64Lt: { regs[ip[1]] = F64(regs[ip[2]]) < F64(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F64Gt: { regs[ip[1]] = F64(regs[ip[2]]) > F64(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F64Le: { regs[ip[1]] = F64(regs[ip[2]]) <= F64(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.F64Ge: { regs[ip[1]] = F64(regs[ip[2]]) >= F64(regs[ip[3]]) ? 1UL : 0UL; ip += 4; continue; }
                case Op.I32Clz: { regs[ip[1]] = Clz((uint)regs[ip[2]]); ip += 3; continue; }
                case Op.I32Ctz: { regs[ip[1]] = Ctz((uint)regs[ip[2]]); ip += 3; continue; }
                case Op.I32Popcnt: { regs[ip[1]] = Popcnt((uint)regs[ip[2]]); ip += 3; continue; }
                case Op.I32Add: { regs[ip[1]] = (uint)regs[ip[2]] + (uint)regs[ip[3]]; ip += 4; continue; }
                case Op.I32Sub: { regs[ip[1]] = (uint)regs[ip[2]] - (uint)regs[ip[3]]; ip += 4; continue; }
                case Op.I32Mul: { regs[ip[1]] = (uint)regs[ip[2]] * (uint)regs[ip[3]]; ip += 4; continue; }
                case Op.I32DivS: { regs[ip[1]] = (uint)DivS((int)regs[ip[2]], (int)regs[ip[3]]); ip += 4; continue; }
                case Op.I32DivU: { regs[ip[1]] = DivU((uint)regs[ip[2]], (uint)regs[ip[3]]); ip += 4; continue; }
                case Op.I32RemS: { regs[ip[1]] = (uint)RemS((int)regs[ip[2]], (int)regs[ip[3]]); ip += 4; continue; }
                case Op.I32RemU: { regs[ip[1]] = RemU((uint)regs[ip[2]], (uint)regs[ip[3]]); ip += 4; continue; }
                case Op.I32And: { regs[ip[1]] = (uint)regs[ip[2]] & (uint)regs[ip[3]]; ip += 4; continue; }
                case Op.I32Or: { regs[ip[1]] = (uint)regs[ip[2]] | (uint)regs[ip[3]]; ip += 4; continue; }
                case Op.I32Xor: { regs[ip[1]] = (uint)regs[ip[2]] ^ (uint)regs[ip[3]]; ip += 4; continue; }
                case Op.I32Shl: { regs[ip[1]] = (uint)regs[ip[2]] << (int)regs[ip[3]]; ip += 4; continue; }
                case Op.I32ShrS: { regs[ip[1]] = (uint)((int)regs[ip[2]] >> (int)regs[ip[3]]); ip += 4; continue; }
                case Op.I32ShrU: { regs[ip[1]] = (uint)regs[ip[2]] >> (int)regs[ip[3]]; ip += 4; continue; }
                case Op.I32Rotl: { regs[ip[1]] = BitOperations.RotateLeft((uint)regs[ip[2]], (int)regs[ip[3]]); ip += 4; continue; }
                case Op.I32Rotr: { regs[ip[1]] = BitOperations.RotateRight((uint)regs[ip[2]], (int)regs[ip[3]]); ip += 4; continue; }
                case Op.I64Clz: { regs[ip[1]] = Clz(regs[ip[2]]); ip += 3; continue; }
                case Op.I64Ctz: { regs[ip[1]] = Ctz(regs[ip[2]]); ip += 3; continue; }
                case Op.I64Popcnt: { regs[ip[1]] = Popcnt(regs[ip[2]]); ip += 3; continue; }
                case Op.I64Add: { regs[ip[1]] = regs[ip[2]] + regs[ip[3]]; ip += 4; continue; }
                case Op.I64Sub: { regs[ip[1]] = regs[ip[2]] - regs[ip[3]]; ip += 4; continue; }
                case Op.I64Mul: { regs[ip[1]] = regs[ip[2]] * regs[ip[3]]; ip += 4; continue; }
                case Op.I64DivS: { regs[ip[1]] = (ulong)DivS((long)regs[ip[2]], (long)regs[ip[3]]); ip += 4; continue; }
                case Op.I64DivU: { regs[ip[1]] = DivU(regs[ip[2]], regs[ip[3]]); ip += 4; continue; }
                case Op.I64RemS: { regs[ip[1]] = (ulong)RemS((long)regs[ip[2]], (long)regs[ip[3]]); ip += 4; continue; }
                case Op.I64RemU: { regs[ip[1]] = RemU(regs[ip[2]], regs[ip[3]]); ip += 4; continue; }
                case Op.I64And: { regs[ip[1]] = regs[ip[2]] & regs[ip[3]]; ip += 4; continue; }
                case Op.I64Or: { regs[ip[1]] = regs[ip[2]] | regs[ip[3]]; ip += 4; continue; }
                case Op.I64Xor: { regs[ip[1]] = regs[ip[2]] ^ regs[ip[3]]; ip += 4; continue; }
                case Op.I64Shl: { regs[ip[1]] = regs[ip[2]] << (int)regs[ip[3]]; ip += 4; continue; }
                case Op.I64ShrS: { regs[ip[1]] = (ulong)((long)regs[ip[2]] >> (int)regs[ip[3]]); ip += 4; continue; }
                case Op.I64ShrU: { regs[ip[1]] = regs[ip[2]] >> (int)regs[ip[3]]; ip += 4; continue; }
                case Op.I64Rotl: { regs[ip[1]] = BitOperations.RotateLeft(regs[ip[2]], (int)regs[ip[3]]); ip += 4; continue; }
                case Op.I64Rotr: { regs[ip[1]] = BitOperations.RotateRight(regs[ip[2]], (int)regs[ip[3]]); ip += 4; continue; }
                case Op.F32Abs: { regs[ip[1]] = (uint)regs[ip[2]] & 0x7FFF_FFFFu; ip += 3; continue; }
                case Op.F32Neg: { regs[ip[1]] = (uint)regs[ip[2]] ^ 0x8000_0000u; ip += 3; continue; }
                case Op.F32Ceil: { regs[ip[1]] = Bits(Ceil(F32(regs[ip[2]]))); ip += 3; continue; }
                case Op.F32Floor: { regs[ip[1]] = Bits(Floor(F32(regs[ip[2]]))); ip += 3; continue; }
                case Op.F32Trunc: { regs[ip[1]] = Bits(Trunc(F32(regs[ip[2]]))); ip += 3; continue; }
                case Op.F32Nearest: { regs[ip[1]] = Bits(Nearest(F32(regs[ip[2]]))); ip += 3; continue; }
                case Op.F32Sqrt: { regs[ip[1]] = Bits(MathF.Sqrt(F32(regs[ip[2]]))); ip += 3; continue; }
                case Op.F32Add: { regs[ip[1]] = Bits(F32(regs[ip[2]]) + F32(regs[ip[3]])); ip += 4; continue; }
                case Op.F32Sub: { regs[ip[1]] = Bits(F32(regs[ip[2]]) - F32(regs[ip[3]])); ip += 4; continue; }
                case Op.F32Mul: { regs[ip[1]] = Bits(F32(regs[ip[2]]) * F32(regs[ip[3]])); ip += 4; continue; }
                case Op.F32Div: { regs[ip[1]] = Bits(F32(regs[ip[2]]) / F32(regs[ip[3]])); ip += 4; continue; }
                case Op.F32Min: { regs[ip[1]] = Bits(Min(F32(regs[ip[2]]), F32(regs[ip[3]]))); ip += 4; continue; }
                case Op.F32Max: { regs[ip[1]] = Bits(Max(F32(regs[ip[2]]), F32(regs[ip[3]]))); ip += 4; continue; }
                case Op.F32Copysign: { regs[ip[1]] = ((uint)regs[ip[2]] & 0x7FFF_FFFFu) | ((uint)regs[ip[3]] & 0x8000_0000u); ip += 4; continue; }
                case Op.F64Abs: { regs[ip[1]] = regs[ip[2]] & 0x7FFF_FFFF_FFFF_FFFFUL; ip += 3; continue; }
                case Op.F64Neg: { regs[ip[1]] = regs[ip[2]] ^ 0x8000_0000_0000_0000UL; ip += 3; continue; }
                case Op.F64Ceil: { regs[ip[1]] = Bits(Ceil(F64(regs[ip[2]]))); ip += 3; continue; }
                case Op.F64Floor: { regs[ip[1]] = Bits(Floor(F64(regs[ip[2]]))); ip += 3; continue; }
                case Op.F64Trunc: { regs[ip[1]] = Bits(Trunc(F64(regs[ip[2]]))); ip += 3; continue; }
                case Op.F64Nearest: { regs[ip[1]] = Bits(Nearest(F64(regs[ip[2]]))); ip += 3; continue; }
                case Op.F64Sqrt: { regs[ip[1]] = Bits(Math.Sqrt(F64(regs[ip[2]]))); ip += 3; continue; }
                case Op.F64Add: { regs[ip[1]] = Bits(F64(regs[ip[2]]) + F64(regs[ip[3]])); ip += 4; continue; }
                case Op.F64Sub: { regs[ip[1]] = Bits(F64(regs[ip[2]]) - F64(regs[ip[3]])); ip += 4; continue; }
                case Op.F64Mul: { regs[ip[1]] = Bits(F64(regs[ip[2]]) * F64(regs[ip[3]])); ip += 4; continue; }
                case Op.F64Div: { regs[ip[1]] = Bits(F64(regs[ip[2]]) / F64(regs[ip[3]])); ip += 4; continue; }
                case Op.F64Min: { regs[ip[1]] = Bits(Min(F64(regs[ip[2]]), F64(regs[ip[3]]))); ip += 4; continue; }
                case Op.F64Max: { regs[ip[1]] = Bits(Max(F64(regs[ip[2]]), F64(regs[ip[3]]))); ip += 4; continue; }
                case Op.F64Copysign: { regs[ip[1]] = (regs[ip[2]] & 0x7FFF_FFFF_FFFF_FFFFUL) | (regs[ip[3]] & 0x8000_0000_0000_0000UL); ip += 4; continue; }
                case Op.I32WrapI64: { regs[ip[1]] = (uint)regs[ip[2]]; ip += 3; continue; }
                case Op.I32TruncF32S: { regs[ip[1]] = (uint)I32TruncS(F32(regs[ip[2]])); ip += 3; continue; }
                case Op.I32TruncF32U: { regs[ip[1]] = I32TruncU(F32(regs[ip[2]])); ip += 3; continue; }
                case Op.I32TruncF64S: { regs[ip[1]] = (uint)I32TruncS(F64(regs[ip[2]])); ip += 3; continue; }
                case Op.I32TruncF64U: { regs[ip[1]] = I32TruncU(F64(regs[ip[2]])); ip += 3; continue; }
                case Op.I64ExtendI32S: { regs[ip[1]] = (ulong)(long)(int)regs[ip[2]]; ip += 3; continue; }
                case Op.I64ExtendI32U: { regs[ip[1]] = (uint)regs[ip[2]]; ip += 3; continue; }
                case Op.I64TruncF32S: { regs[ip[1]] = (ulong)I64TruncS(F32(regs[ip[2]])); ip += 3; continue; }
                case Op.I64TruncF32U: { regs[ip[1]] = I64TruncU(F32(regs[ip[2]])); ip += 3; continue; }
                case Op.I64TruncF64S: { regs[ip[1]] = (ulong)I64TruncS(F64(regs[ip[2]])); ip += 3; continue; }
                case Op.I64TruncF64U: { regs[ip[1]] = I64TruncU(F64(regs[ip[2]])); ip += 3; continue; }
                case Op.F32ConvertI32S: { regs[ip[1]] = Bits((float)(int)regs[ip[2]]); ip += 3; continue; }
                case Op.F32ConvertI32U: { regs[ip[1]] = Bits((float)(uint)regs[ip[2]]); ip += 3; continue; }
                case Op.F32ConvertI64S: { regs[ip[1]] = Bits((float)(long)regs[ip[2]]); ip += 3; continue; }
                case Op.F32ConvertI64U: { regs[ip[1]] = Bits(U64ToF32(regs[ip[2]])); ip += 3; continue; }
                case Op.F32DemoteF64: { regs[ip[1]] = Bits((float)F64(regs[ip[2]])); ip += 3; continue; }
                case Op.F64ConvertI32S: { regs[ip[1]] = Bits((double)(int)regs[ip[2]]); ip += 3; continue; }
                case Op.F64ConvertI32U: { regs[ip[1]] = Bits((double)(uint)regs[ip[2]]); ip += 3; continue; }
                case Op.F64ConvertI64S: { regs[ip[1]] = Bits((double)(long)regs[ip[2]]); ip += 3; continue; }
                case Op.F64ConvertI64U: { regs[ip[1]] = Bits(U64ToF64(regs[ip[2]])); ip += 3; continue; }
                case Op.F64PromoteF32: { regs[ip[1]] = Bits((double)F32(regs[ip[2]])); ip += 3; continue; }
                case Op.I32ReinterpretF32: { regs[ip[1]] = regs[ip[2]]; ip += 3; continue; }
                case Op.I64ReinterpretF64: { regs[ip[1]] = regs[ip[2]]; ip += 3; continue; }
                case Op.F32ReinterpretI32: { regs[ip[1]] = regs[ip[2]]; ip += 3; continue; }
                case Op.F64ReinterpretI64: { regs[ip[1]] = regs[ip[2]]; ip += 3; continue; }
                case Op.I32Extend8S: { regs[ip[1]] = (uint)(int)(sbyte)regs[ip[2]]; ip += 3; continue; }
                case Op.I32Extend16S: { regs[ip[1]] = (uint)(int)(short)regs[ip[2]]; ip += 3; continue; }
                case Op.I64Extend8S: { regs[ip[1]] = (ulong)(long)(sbyte)regs[ip[2]]; ip += 3; continue; }
                case Op.I64Extend16S: { regs[ip[1]] = (ulong)(long)(short)regs[ip[2]]; ip += 3; continue; }
                case Op.I64Extend32S: { regs[ip[1]] = (ulong)(long)(int)regs[ip[2]]; ip += 3; continue; }
                case Op.I32TruncSatF32S: { regs[ip[1]] = (uint)I32TruncSatS(F32(regs[ip[2]])); ip += 3; continue; }
                case Op.I32TruncSatF32U: { regs[ip[1]] = I32TruncSatU(F32(regs[ip[2]])); ip += 3; continue; }
                case Op.I32TruncSatF64S: { regs[ip[1]] = (uint)I32TruncSatS(F64(regs[ip[2]])); ip += 3; continue; }
                case Op.I32TruncSatF64U: { regs[ip[1]] = I32TruncSatU(F64(regs[ip[2]])); ip += 3; continue; }
                case Op.I64TruncSatF32S: { regs[ip[1]] = (ulong)I64TruncSatS(F32(regs[ip[2]])); ip += 3; continue; }
                case Op.I64TruncSatF32U: { regs[ip[1]] = I64TruncSatU(F32(regs[ip[2]])); ip += 3; continue; }
                case Op.I64TruncSatF64S: { regs[ip[1]] = (ulong)I64TruncSatS(F64(regs[ip[2]])); ip += 3; continue; }
                case Op.I64TruncSatF64U: { regs[ip[1]] = I64TruncSatU(F64(regs[ip[2]])); ip += 3; continue; }
                // </generated>
                default:
                    // SIMD operations run in small methods of their own (Executor.Simd.g.cs): with the vector code in
                    // it, this loop grew too large for RyuJIT to optimise (it fell back to MinOpts: 1.7x slower).
                    if ((uint)(ip[0] - (int)OpInfo.FirstSimd) < (uint)(OpInfo.Count - (int)OpInfo.FirstSimd))
                    {
                        ip = SimdHandlers[ip[0] - (int)OpInfo.FirstSimd](this, ip, regs);
                        continue;
                    }
                    if (OpInfo.IsRare((Op)ip[0]))
                    {
                        ip = RunRare(ip, regs);
                        regs = _regsAfterRare;
                        continue;
                    }
                    throw new InvalidOperationException($"bad register-code op {ip[0]} in {_store.GetFunction(_current).DebugName}");
            }

        Call:
            if (callee is WasmFunction { NativeEntry: 0 } cw)
            {
                var cfn = cw.Compiled ?? cw.MakeCode();
                int callerFp = (int)(regs - _stack), newFp = callerFp + argBase;
                if (_depth >= _depthLimit || (long)newFp + (long)cfn.FrameSize * SlotWords > StackWords) throw CallRefused();
                bool cross = !ReferenceEquals(cw.Instance, _inst);
                _frames[_depth++] = new Frame { Function = _current, Fp = callerFp, ReturnIp = returnIp, Result = resultSlot, CrossInstance = cross };
                _current = cw.Address;
                ip = cfn.Start;
                regs = _stack + newFp;
                if (cfn.SetsUpFrame) EnterFrame(regs, cfn);
                // Within an instance the memory fields stay valid: memory.grow updates them in place.
                if (cross) { _inst = cw.Instance; LoadMemory(); }
            }
            else
            {
                // Native code and host functions run on the callee frame's slots; nested invocations (from the host,
                // or native code calling back) start above the arguments and results, and replace the instance.
                var type = callee.Type;
                var callerInstance = _inst;
                int calleeFp = (int)(regs - _stack) + argBase;
                if (callee is WasmFunction native) CallNative(native, calleeFp);
                else CallHostFromLoop(callee, regs + argBase, calleeFp + Math.Max(type.Parameters.Length, type.Results.Length) * SlotWords);
                _inst = callerInstance;
                if (_escaped is not null)
                {
                    ip = CaughtFromCall(ip, regs); // the call's instruction, where ip still is
                    regs = _regsAfterRare;
                    continue;
                }
                if (type.Results.Length == 1) StoreV(regs + resultSlot, LoadV(regs + argBase));
                ip = returnIp;
                LoadMemory(); // the callee may have grown the memory
            }
            continue;

        Return:
            if (_depth == _entryDepth) return;
            {
                ref var f = ref _frames[--_depth];
                _current = f.Function;
                ip = f.ReturnIp;
                regs = _stack + f.Fp;
                if (f.CrossInstance) RestoreInstance(f.Function);
            }
            continue;

        Oob:
            throw Trap(TrapCode.OutOfBoundsMemoryAccess);
        }
    }

    // ---- tail calls -------------------------------------------------------------------------------

    /// <summary>The callee of call_indirect through table <paramref name="table"/> at <paramref name="element"/>,
    /// checked to be of the instance's type <paramref name="type"/> (the CallIndirect case's checks, out of the
    /// loop).</summary>
    private Function IndirectCallee(int type, int table, uint element)
    {
        TableDefinition* t = _tables[table];
        if (element >= t->Length) throw Trap(TrapCode.UndefinedElement);
        ulong entry = t->Elements[element];
        if (entry == 0) throw Trap(TrapCode.UninitializedElement);
        var callee = _store.GetFunction((int)(entry - 1));
        if (callee.TypeId != _inst.TypeIds[type]) throw Trap(TrapCode.IndirectCallTypeMismatch);
        return callee;
    }

    /// <summary>Code that returns what a host or native callee left in the frame's first slots, as the running
    /// function would (Return1 reads slot 0, the others find the values in place).</summary>
    private static readonly int[] ReturnNone = Epilogue(Op.Return0), ReturnOne = Epilogue(Op.Return1, 0), ReturnOneV128 = Epilogue(Op.Return1V128, 0);

    private static int[] Epilogue(params ReadOnlySpan<int> code)
    {
        var pinned = GC.AllocateArray<int>(code.Length, pinned: true);
        code.CopyTo(pinned);
        return pinned;
    }

    private static int[] Epilogue(Op op, params ReadOnlySpan<int> operands) => Epilogue([(int)op, .. operands]);

    /// <summary>return_call: the <paramref name="count"/> arguments (slots listed at <paramref name="args"/>) move
    /// to the frame's first slots and <paramref name="callee"/> takes the frame over, so its return is the running
    /// function's. A host or native callee is called there, and its results returned. Returns where to go on.</summary>
    private int* TailCall(Function callee, int* ip, ulong* regs, int* args, int count)
    {
        ulong* staged = Scratch(Math.Max(count, 1) * SlotWords);
        for (int i = 0; i < count; i++) StoreV(staged + i * SlotWords, LoadV(regs + args[i]));
        for (int i = 0; i < count; i++) StoreV(regs + i * SlotWords, LoadV(staged + i * SlotWords));
        _regsAfterRare = regs;
        int fp = (int)(regs - _stack);
        if (callee is WasmFunction { NativeEntry: 0 } cw)
        {
            var fn = cw.Code;
            if ((long)fp + (long)fn.FrameSize * SlotWords > StackWords) throw CallRefused();
            if (!ReferenceEquals(cw.Instance, _inst))
            {
                // The caller's return restores its instance from now on (its frame said the same instance before).
                if (_depth > _entryDepth) _frames[_depth - 1].CrossInstance = true;
                _inst = cw.Instance;
                LoadMemory();
            }
            _current = cw.Address;
            if (fn.SetsUpFrame) EnterFrame(regs, fn);
            return fn.Start;
        }
        var type = callee.Type;
        var callerInstance = _inst;
        if (callee is WasmFunction native) CallNative(native, fp);
        else CallHostFromLoop(callee, regs, fp + Math.Max(type.Parameters.Length, type.Results.Length) * SlotWords);
        _inst = callerInstance;
        LoadMemory();
        if (_escaped is { } escaped)
        {
            // The running function is gone: its caller's handlers are the first that may catch it.
            _escaped = null;
            return Unwind(ip, regs, escaped, fromCaller: true);
        }
        var epilogue = type.Results.Length != 1 ? ReturnNone : type.Results[0] == ValueType.V128 ? ReturnOneV128 : ReturnOne;
        return (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(epilogue));
    }

    // ---- exceptions -------------------------------------------------------------------------------

    /// <summary>A Wasm exception that escaped native code or a host function called from <see cref="Run"/>: the
    /// handler search goes on in the caller's frame.</summary>
    private ExceptionInstance? _escaped;

    // Run calls native code and host functions through these two, which leave a Wasm exception that escapes the
    // callee in _escaped: Run's loop has no exception region. Its speed is fragile: one method in place of its
    // two calls made fib 25-30% slower (the loop's code laid out otherwise), so the calls keep their shape.

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CallNative(WasmFunction f, int fp)
    {
        try { RunNative(f, fp); }
        catch (UncaughtWasmException e) { _escaped = e.Exception; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CallHostFromLoop(Function f, ulong* args, int top)
    {
        try { CallHost(f, args, top); }
        catch (UncaughtWasmException e) { _escaped = e.Exception; }
    }

    /// <summary>The handler of the exception that escaped the call at <paramref name="ip"/> (see <see cref="Unwind"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int* CaughtFromCall(int* ip, ulong* regs)
    {
        var exception = _escaped!;
        _escaped = null;
        LoadMemory();
        return Unwind(ip, regs, exception);
    }

    /// <summary>throw: an exception of the running instance's tag <paramref name="tag"/>, its values copied from
    /// the <paramref name="count"/> slots whose offsets <paramref name="slots"/> lists.</summary>
    private ExceptionInstance NewException(int tag, ulong* regs, int* slots, int count)
    {
        var payload = new ulong[Math.Max(count, 1) * SlotWords];
        fixed (ulong* p = payload)
            for (int i = 0; i < count; i++) StoreV(p + i * SlotWords, LoadV(regs + slots[i]));
        return new ExceptionInstance(_inst.Tags[tag], _store, payload);
    }

    /// <summary>throw_ref: the exception an exnref's bits refer to.</summary>
    private ExceptionInstance TakeException(ulong bits) =>
        bits == 0 ? throw Trap(TrapCode.NullExceptionReference) : _store.BitsToRef(ValueType.ExnRef, bits).AsException()!;

    /// <summary>The frame base to go on with after a rare operation or <see cref="Unwind"/> (a field: a ref
    /// parameter would keep Run's regs in memory).</summary>
    private ulong* _regsAfterRare;

    /// <summary>Finds the handler of <paramref name="exception"/>, thrown at <paramref name="ip"/> of the running
    /// function: the first of its handlers whose region holds the pc and whose clause matches (past a delegate,
    /// only those of the regions around its target), else the same in
    /// its caller at the call, and so on out to the frame this <see cref="Run"/> began with, past which the
    /// exception leaves as <see cref="UncaughtWasmException"/>. The handler writes the values (and the exnref) to
    /// its frame; returns its landing pad (the frame's base in <see cref="_regsAfterRare"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int* Unwind(int* ip, ulong* regs, ExceptionInstance exception, bool fromCaller = false)
    {
        while (true)
        {
            if (fromCaller)
            {
                // The running function's handlers do not apply (a tail call left them): on to its caller's call.
                if (_depth == _entryDepth) throw new UncaughtWasmException(exception);
                ref var caller = ref _frames[--_depth];
                _current = caller.Function;
                ip = caller.ReturnIp - 1;
                regs = _stack + caller.Fp;
                if (caller.CrossInstance) RestoreInstance(caller.Function);
            }
            fromCaller = true;
            var fn = ((WasmFunction)_store.GetFunction(_current)).Code;
            int* code = fn.Start;
            int pc = (int)(ip - code), regions = int.MaxValue;
            foreach (ref readonly var h in fn.Handlers.AsSpan())
            {
                if (pc < h.Start || pc >= h.End || h.Depth > regions) continue;
                if (h.Kind == 4)
                {
                    regions = h.Target; // delegate: only the regions around its target handle it
                    continue;
                }
                if (h.Tag >= 0)
                {
                    if (!ReferenceEquals(_inst.Tags[h.Tag], exception.Tag)) continue;
                    int words = exception.Tag.Type.Parameters.Length * SlotWords;
                    fixed (ulong* v = exception.SlotsFor(_store))
                        Buffer.MemoryCopy(v, regs + h.Payload, (long)words * sizeof(ulong), (long)words * sizeof(ulong));
                }
                if (h.Exception >= 0) regs[h.Exception] = _store.RefToBits(Value.ExnRef(exception));
                _regsAfterRare = regs;
                return code + h.Target;
            }
        }
    }
}
