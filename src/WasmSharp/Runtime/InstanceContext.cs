using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WasmSharp;

/// <summary>A linear memory's base and current length, as running code reads them (owned by <see cref="Memory"/>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MemoryDefinition
{
    public byte* Base;
    public ulong Length;
    /// <summary>Bytes of address space reserved at <see cref="Base"/> (inaccessible past <see cref="Length"/>): native
    /// code compiled for guard pages runs only on memories with <see cref="Memory.FullReservation"/>, and its fault
    /// handler takes a fault inside this range for an out-of-bounds access.</summary>
    public ulong Reserved;
    /// <summary>The length the memory may grow to: its maximum (or 4 GiB), within <see cref="Reserved"/>; 0 once
    /// disposed. Native code grows the memory itself up to it (committing pages in place), as
    /// <see cref="Memory.Grow"/> does.</summary>
    public ulong GrowLimit;
}

/// <summary>A table's elements (slot bits, 0 is null) and current length, as running code reads them (owned by
/// <see cref="Table"/>; growth may move the elements, never this).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct TableDefinition
{
    public ulong* Elements;
    public ulong Length;
}

/// <summary>
/// What running code reads of an instance, at stable unmanaged addresses (ARCHITECTURE decision 10): the engines
/// (the interpreter, native code) read memories, globals and tables through it, never through managed objects. One block
/// per instance: this header, then the arrays it points into. Imported memories and globals are the exporter's own
/// definitions and cells, so every instance sharing one sees every write and every growth.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct InstanceContext
{
    /// <summary>Per memory index, its definition (imports first).</summary>
    public MemoryDefinition** Memories;
    /// <summary>Per global index, its 16-byte cell (imports first).</summary>
    public ulong** Globals;
    /// <summary>Per table index, its definition (imports first).</summary>
    public TableDefinition** Tables;
    public int MemoryCount;
    public int GlobalCount;
    public int TableCount;
    /// <summary>Set by native code when it traps (a <see cref="WasmSharp.TrapCode"/>; 0: none), or by a callback
    /// that failed; native code then jumps back to its entry (<see cref="JumpBuffer"/>), whose caller turns it into a
    /// TrapException.</summary>
    public int TrapCode;
    /// <summary>The jmp_buf of the innermost entry into this instance's native code (<see cref="Enter"/>): a trap
    /// longjmps there, past the native frames only (a callback's .NET frames come with entries of their own).</summary>
    public nint JumpBuffer;
    /// <summary>Native code traps "call stack exhausted" when its stack pointer goes below this address.</summary>
    public nint StackLimit;
    /// <summary>A weak GCHandle of the <see cref="Instance"/> (native code calling out finds it here).</summary>
    public nint Instance;
    /// <summary>How native code calls function <c>index</c> of this instance's index space that it cannot call
    /// directly (an import: the host, another instance, the interpreter): arguments in raw slots, results written
    /// back over them (<see cref="NativeCalls.CallFunction"/>).</summary>
    public delegate* unmanaged<InstanceContext*, int, ulong*, void> CallFunction;
    /// <summary>call_indirect for native code: (context, table, type index, element, slots), with the checks and
    /// traps of the spec, then the call as <see cref="CallFunction"/> makes it.</summary>
    public delegate* unmanaged<InstanceContext*, int, int, uint, ulong*, void> CallIndirect;
    /// <summary>The bulk operations native code leaves to the runtime (<see cref="NativeCalls.Bulk"/>): (context,
    /// 0xFC sub-opcode, two immediates, three operands) → a result (table.grow's).</summary>
    public delegate* unmanaged<InstanceContext*, int, int, int, ulong, ulong, ulong, ulong> Bulk;
    /// <summary>Per function index, the slot bits of a reference to it (ref.func).</summary>
    public ulong* FunctionRefs;
    /// <summary>The store's function records (call_indirect reads a table element's type and native entry there).</summary>
    public FunctionRecordTable* Functions;
    /// <summary>Per type index of the module, its id in <see cref="TypeRegistry"/> (what call_indirect compares).</summary>
    public int* TypeIds;
    /// <summary>Native code relying on guard pages: its code's address range (a fault handler takes only faults
    /// there for traps).</summary>
    public nint CodeStart, CodeEnd;
    /// <summary>How native code is entered, <c>int (entry, context, slots)</c>: it sets <see cref="JumpBuffer"/>
    /// (keeping and restoring the one before) and returns non-zero when the code trapped; with guard pages, also
    /// under the fault handler, a fault returning non-zero with no <see cref="TrapCode"/> set.</summary>
    public delegate* unmanaged<nint, InstanceContext*, ulong*, int> Enter;

    /// <summary>The header's size: the arrays start right after it (native code addresses them at constant offsets).</summary>
    public static int HeaderSize => sizeof(InstanceContext);

    /// <summary>Allocates and fills the context of an instance with these memories, globals and tables; free it
    /// with <see cref="NativeMemory.Free"/>.</summary>
    public static InstanceContext* Create(Memory[] memories, Global[] globals, Table[] tables, Function[] functions, int[] typeIds,
        FunctionRecords records)
    {
        nuint bytes = (nuint)sizeof(InstanceContext) + (nuint)(memories.Length + globals.Length + tables.Length + functions.Length) * (nuint)sizeof(nint)
            + (nuint)typeIds.Length * sizeof(int);
        var c = (InstanceContext*)NativeMemory.AllocZeroed(bytes);
        c->Memories = (MemoryDefinition**)(c + 1);
        c->Globals = (ulong**)(c->Memories + memories.Length);
        c->Tables = (TableDefinition**)(c->Globals + globals.Length);
        c->FunctionRefs = (ulong*)(c->Tables + tables.Length);
        for (int i = 0; i < functions.Length; i++) c->FunctionRefs[i] = (ulong)functions[i].Address + 1;
        c->TypeIds = (int*)(c->FunctionRefs + functions.Length);
        typeIds.CopyTo(new Span<int>(c->TypeIds, typeIds.Length));
        c->Functions = records.Table;
        c->MemoryCount = memories.Length;
        c->GlobalCount = globals.Length;
        c->TableCount = tables.Length;
        for (int i = 0; i < memories.Length; i++) c->Memories[i] = memories[i].Definition;
        for (int i = 0; i < globals.Length; i++) c->Globals[i] = globals[i].Cell;
        for (int i = 0; i < tables.Length; i++) c->Tables[i] = tables[i].Definition;
        c->CallFunction = &NativeCalls.CallFunction;
        c->CallIndirect = &NativeCalls.CallIndirect;
        c->Bulk = &NativeCalls.Bulk;
        return c;
    }
}

/// <summary>What native code calls back into: functions it cannot reach directly, with the host convention's raw
/// slots. Nothing may unwind through native frames: a trap becomes the context's trap code, and any other exception
/// (a host's own) is kept and rethrown, intact, once native code has returned to its caller.</summary>
internal static unsafe class NativeCalls
{
    /// <summary>An exception a callee threw while native code was running on this thread.</summary>
    [ThreadStatic] private static System.Runtime.ExceptionServices.ExceptionDispatchInfo? _pending;

    /// <summary>Stack native code may use below the point where the outermost native call on a thread began; deeper,
    /// it traps "call stack exhausted" (it checks at every function entry) long before the thread's stack ends.</summary>
    private const int NativeStackBudget = 512 * 1024;
    [ThreadStatic] private static NativeThread t_native;

    /// <summary>A thread's native calls: how deep they nest, and the stack limit the outermost set. One thread static,
    /// so that a call finds both with one lookup of the thread's storage.</summary>
    private struct NativeThread
    {
        public nint StackLimit;
        public int Depth;
    }

    /// <summary>Calls a native entry (<see cref="NativeCode.Entry"/>) on <paramref name="slots"/> with
    /// <paramref name="ctx"/> through <paramref name="enter"/>, under this thread's stack limit, and throws what it
    /// left there, if anything (code run on an instance of its module that was made without it: tests; the runtime's
    /// calls go through <c>Executor.EnterNative</c>).</summary>
    public static void Enter(delegate* unmanaged<nint, InstanceContext*, ulong*, int> enter, nint entry, InstanceContext* ctx, ulong* slots)
    {
        Run(enter, entry, ctx, slots);
        ThrowIfFailed(ctx);
    }

    /// <summary>Calls a native entry and returns, whatever happened in it: a trap or a callee's exception is left in
    /// <paramref name="ctx"/> (<see cref="Failed"/>, <see cref="ThrowIfFailed"/>). Nothing unwinds out of native
    /// code, so its callers need no exception handling around it; and the call is not inlined into a caller's
    /// try region, where the JIT could not inline the transition to native code (it would go through a stub).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Run(delegate* unmanaged<nint, InstanceContext*, ulong*, int> enter, nint entry, InstanceContext* ctx, ulong* slots)
    {
        ref var thread = ref SetStackLimit(ctx);
        thread.Depth++;
        int trapped = enter(entry, ctx, slots);
        thread.Depth--;
        Returned(ctx, trapped);
    }

    /// <summary>As <see cref="Run"/>, for a leaf (<see cref="Validation.LeafCode"/>): without the transition to
    /// preemptive GC mode, which costs about as much as the rest of a call. Safe because a leaf never calls back into
    /// .NET and runs a bounded time (the GC waits for it no longer than its straight-line code takes); a trap in it
    /// returns through the entry's jump buffer, inside native code.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void RunLeaf(delegate* unmanaged<nint, InstanceContext*, ulong*, int> enter, nint entry, InstanceContext* ctx, ulong* slots)
    {
        // A leaf checks no stack limit (it calls nothing: its frame is all it adds to its caller's) and makes no
        // native calls of its own.
        Returned(ctx, ((delegate* unmanaged[SuppressGCTransition]<nint, InstanceContext*, ulong*, int>)enter)(entry, ctx, slots));
    }

    /// <summary>As <see cref="RunLeaf"/>, for a leaf that cannot trap (<see cref="Validation.LeafKind.TrapFree"/>):
    /// its entry, called directly, since nothing can jump back to a caller's jump buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RunTrapFree(nint entry, InstanceContext* ctx, ulong* slots) =>
        ((delegate* unmanaged[SuppressGCTransition]<InstanceContext*, ulong*, void>)entry)(ctx, slots);

    /// <summary>Gives <paramref name="ctx"/> this thread's stack limit for native code, set by the outermost native
    /// call on the thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref NativeThread SetStackLimit(InstanceContext* ctx)
    {
        byte probe;
        ref var thread = ref t_native;
        if (thread.Depth == 0) thread.StackLimit = (nint)(&probe) - NativeStackBudget;
        ctx->StackLimit = thread.StackLimit;
        return ref thread;
    }

    /// <summary>An entry returned: one that jumped back from a trap without saying which (a fault under guard
    /// pages) was out of bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Returned(InstanceContext* ctx, int trapped)
    {
        if (trapped != 0 && ctx->TrapCode == 0) ctx->TrapCode = (int)WasmSharp.TrapCode.OutOfBoundsMemoryAccess;
    }

    /// <summary>Whether the last native call on <paramref name="ctx"/> left a trap or an exception.</summary>
    public static bool Failed(InstanceContext* ctx) => ctx->TrapCode != 0;

    [UnmanagedCallersOnly]
    public static void CallFunction(InstanceContext* ctx, int index, ulong* slots)
    {
        try
        {
            var instance = (Instance)GCHandle.FromIntPtr(ctx->Instance).Target!;
            HostSlots.InvokeOnSlots(instance.Functions[index], slots);
        }
        catch (Exception e)
        {
            Fail(ctx, e);
        }
    }

    [UnmanagedCallersOnly]
    public static void CallIndirect(InstanceContext* ctx, int table, int typeIndex, uint element, ulong* slots)
    {
        try
        {
            var instance = (Instance)GCHandle.FromIntPtr(ctx->Instance).Target!;
            var t = instance.Tables[table];
            if (element >= t.Length) throw new TrapException(WasmSharp.TrapCode.UndefinedElement);
            ulong entry = t.Elements[(int)element];
            if (entry == 0) throw new TrapException(WasmSharp.TrapCode.UninitializedElement);
            var callee = instance.Store.GetFunction((int)(entry - 1));
            if (callee.TypeId != instance.TypeIds[typeIndex]) throw new TrapException(WasmSharp.TrapCode.IndirectCallTypeMismatch);
            HostSlots.InvokeOnSlots(callee, slots);
        }
        catch (Exception e)
        {
            Fail(ctx, e);
        }
    }

    [UnmanagedCallersOnly]
    public static ulong Bulk(InstanceContext* ctx, int op, int x, int y, ulong a, ulong b, ulong c)
    {
        try
        {
            var inst = (Instance)GCHandle.FromIntPtr(ctx->Instance).Target!;
            switch (op)
            {
                case 8: inst.Memories[y].Init(a, inst.DataSegments[x].Span, b, c); break; // memory.init data, memory: d s n
                case 9: inst.DataSegments[x] = ReadOnlyMemory<byte>.Empty; break;
                case 10: inst.Memories[x].Copy(inst.Memories[y], a, b, c); break; // memory.copy dst, src memories: d s n
                case 11: inst.Memories[x].Fill(a, (byte)b, c); break; // memory.fill memory: d value n
                case 12: inst.Tables[y].Init((uint)a, inst.ElementSegments[x], (uint)b, (uint)c); break; // table.init elem, table
                case 13: inst.ElementSegments[x] = []; break;
                case 14: inst.Tables[x].Copy(inst.Tables[y], (uint)a, (uint)b, (uint)c); break; // table.copy dst, src
                case 15: return (uint)(int)inst.Tables[x].Grow((uint)b, a); // table.grow: init, n
                case 17: inst.Tables[x].Fill((uint)a, b, (uint)c); break; // table.fill: i, value, n
                default: throw new InvalidOperationException($"no bulk operation 0xfc {op}");
            }
            return 0;
        }
        catch (Exception e)
        {
            Fail(ctx, e);
            return 0;
        }
    }

    /// <summary>A callback failed: a trap of the spec's becomes the context's trap code; anything else (a host's
    /// own exception, or its TrapException with a message of its own) is kept to be rethrown as it was.</summary>
    private static void Fail(InstanceContext* ctx, Exception e)
    {
        if (e is TrapException { Code: not WasmSharp.TrapCode.Host } trap)
        {
            ctx->TrapCode = (int)trap.Code;
            return;
        }
        _pending = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
        ctx->TrapCode = (int)WasmSharp.TrapCode.Host;
    }

    /// <summary>Throws what native code left in <paramref name="ctx"/> when it returned, if anything: the kept
    /// exception, or the trap of its code (which is cleared).</summary>
    public static void ThrowIfFailed(InstanceContext* ctx)
    {
        if (ctx->TrapCode != 0) TakeFailure(ctx).Throw();
    }

    /// <summary>After native code returned with a trap code in <paramref name="ctx"/> (cleared here): what to throw,
    /// a host's own exception as it was thrown, or the trap.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static System.Runtime.ExceptionServices.ExceptionDispatchInfo TakeFailure(InstanceContext* ctx)
    {
        var code = (TrapCode)ctx->TrapCode;
        ctx->TrapCode = 0;
        var pending = _pending;
        _pending = null;
        return pending ?? System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(new TrapException(code));
    }
}
