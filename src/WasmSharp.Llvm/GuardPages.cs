using System.Runtime.InteropServices;
using System.Text;
using WasmSharp.Llvm.Native;
using static WasmSharp.Llvm.Native.LlvmApi;

namespace WasmSharp.Llvm;

/// <summary>
/// Out-of-bounds accesses caught by the MMU instead of checked in code (Linux x86-64, glibc). Every linear memory
/// reserves 8 GiB + 64 KiB of address space (<see cref="Memory.FullReservation"/>), inaccessible past its current
/// size, so no 32-bit address plus 32-bit offset reaches outside it; native code compiled for guard pages accesses
/// memory unchecked, and an access past the end faults.
/// <para>The fault becomes a trap through a small support library, written below in LLVM IR and compiled by the
/// same LLVM (nothing else to install): native code is entered through <c>wasmsharp_guarded_enter</c>, which
/// keeps a jump buffer in a thread-local chain, and a SIGSEGV/SIGBUS handler installed after the .NET runtime's
/// takes a fault only when (a) this thread is inside such an entry, (b) the faulting instruction is in that
/// instance's generated code and (c) the faulting address is inside one of its memories' reservations; then it
/// jumps back to the entry, which reports the trap. Every other fault goes on to the handler that was there before
/// (the runtime's: NullReferenceException, or a crash report), as if this one did not exist. Nothing unwinds
/// through .NET frames: native code reaches managed code only through callbacks, which catch everything, and a
/// nested native call has its own entry and jump buffer.</para>
/// </summary>
internal static unsafe class GuardPages
{
    /// <summary>The support library's IR. Offsets into the instance context and memory definitions come from their
    /// C# layouts; glibc's x86-64 ABI gives the rest: <c>struct sigaction</c> is 152 bytes (handler, 128-byte mask,
    /// flags at 136), <c>siginfo_t.si_addr</c> is at 16, <c>ucontext_t</c>'s RIP at 168 (40 + REG_RIP * 8), a
    /// <c>jmp_buf</c> is 200 bytes.</summary>
    private static string Source() => $$"""
        ; A guard is a jmp_buf (200 bytes), the guard it hides (at 200), the context it runs (at 208), and the
        ; context's jump buffer before (at 216): the guard is the context's jump buffer while it runs, so a trap
        ; native code raises itself (longjmp there) leaves through it too.
        @current = internal thread_local(initialexec) global ptr null, align 8
        @old_segv = internal global [152 x i8] zeroinitializer, align 16
        @old_bus = internal global [152 x i8] zeroinitializer, align 16

        declare i32 @_setjmp(ptr) returns_twice nounwind
        declare void @longjmp(ptr, i32) noreturn nounwind
        declare i32 @sigaction(i32, ptr, ptr) nounwind
        declare ptr @llvm.threadlocal.address.p0(ptr)

        define i32 @wasmsharp_guarded_enter(ptr %entry, ptr %ctx, ptr %slots) noinline {
        start:
          %guard = alloca [224 x i8], align 16
          %tls = call ptr @llvm.threadlocal.address.p0(ptr @current)
          %hidden = load ptr, ptr %tls, align 8
          %hiddenslot = getelementptr i8, ptr %guard, i64 200
          store volatile ptr %hidden, ptr %hiddenslot, align 8
          %ctxslot = getelementptr i8, ptr %guard, i64 208
          store volatile ptr %ctx, ptr %ctxslot, align 8
          %jumpslot = getelementptr i8, ptr %ctx, i64 {{Offset(nameof(InstanceContext.JumpBuffer))}}
          %outer = load ptr, ptr %jumpslot, align 8
          %outerslot = getelementptr i8, ptr %guard, i64 216
          store volatile ptr %outer, ptr %outerslot, align 8
          store ptr %guard, ptr %jumpslot, align 8
          store ptr %guard, ptr %tls, align 8
          %jumped = call i32 @_setjmp(ptr %guard) returns_twice
          %trapped = icmp ne i32 %jumped, 0
          br i1 %trapped, label %leave, label %run
        run:
          call void %entry(ptr %ctx, ptr %slots)
          br label %leave
        leave:
          %result = phi i32 [ 1, %start ], [ 0, %run ]
          %tls2 = call ptr @llvm.threadlocal.address.p0(ptr @current)
          %restore = load volatile ptr, ptr %hiddenslot, align 8
          store ptr %restore, ptr %tls2, align 8
          %ctx2 = load volatile ptr, ptr %ctxslot, align 8
          %jumpslot2 = getelementptr i8, ptr %ctx2, i64 {{Offset(nameof(InstanceContext.JumpBuffer))}}
          %outer2 = load volatile ptr, ptr %outerslot, align 8
          store ptr %outer2, ptr %jumpslot2, align 8
          ret i32 %result
        }

        define internal void @on_signal(i32 %sig, ptr %info, ptr %uc) {
        start:
          %tls = call ptr @llvm.threadlocal.address.p0(ptr @current)
          %guard = load ptr, ptr %tls, align 8
          %outside = icmp eq ptr %guard, null
          br i1 %outside, label %chain, label %code
        code:
          %ctxslot = getelementptr i8, ptr %guard, i64 208
          %ctx = load ptr, ptr %ctxslot, align 8
          %pcslot = getelementptr i8, ptr %uc, i64 168
          %pc = load i64, ptr %pcslot, align 8
          %lowslot = getelementptr i8, ptr %ctx, i64 {{Offset(nameof(InstanceContext.CodeStart))}}
          %low = load i64, ptr %lowslot, align 8
          %highslot = getelementptr i8, ptr %ctx, i64 {{Offset(nameof(InstanceContext.CodeEnd))}}
          %high = load i64, ptr %highslot, align 8
          %above = icmp uge i64 %pc, %low
          %below = icmp ult i64 %pc, %high
          %ours = and i1 %above, %below
          br i1 %ours, label %memories, label %chain
        memories:
          %addrslot = getelementptr i8, ptr %info, i64 16
          %addr = load i64, ptr %addrslot, align 8
          %listslot = getelementptr i8, ptr %ctx, i64 {{Offset(nameof(InstanceContext.Memories))}}
          %list = load ptr, ptr %listslot, align 8
          %countslot = getelementptr i8, ptr %ctx, i64 {{Offset(nameof(InstanceContext.MemoryCount))}}
          %count = load i32, ptr %countslot, align 4
          br label %loop
        loop:
          %i = phi i32 [ 0, %memories ], [ %next, %test ]
          %more = icmp slt i32 %i, %count
          br i1 %more, label %test, label %chain
        test:
          %wide = zext i32 %i to i64
          %defslot = getelementptr ptr, ptr %list, i64 %wide
          %def = load ptr, ptr %defslot, align 8
          %baseslot = getelementptr i8, ptr %def, i64 {{DefinitionOffset(nameof(MemoryDefinition.Base))}}
          %base = load i64, ptr %baseslot, align 8
          %sizeslot = getelementptr i8, ptr %def, i64 {{DefinitionOffset(nameof(MemoryDefinition.Reserved))}}
          %size = load i64, ptr %sizeslot, align 8
          %delta = sub i64 %addr, %base
          %hit = icmp ult i64 %delta, %size
          %next = add i32 %i, 1
          br i1 %hit, label %trap, label %loop
        trap:
          call void @longjmp(ptr %guard, i32 1)
          unreachable
        chain:
          %segv = icmp eq i32 %sig, 11
          %old = select i1 %segv, ptr @old_segv, ptr @old_bus
          %handler = load ptr, ptr %old, align 8
          %flagsslot = getelementptr i8, ptr %old, i64 136
          %flags = load i32, ptr %flagsslot, align 4
          %siginfo = and i32 %flags, 4
          %threeargs = icmp ne i32 %siginfo, 0
          br i1 %threeargs, label %callinfo, label %plain
        callinfo:
          call void %handler(i32 %sig, ptr %info, ptr %uc)
          ret void
        plain:
          %h = ptrtoint ptr %handler to i64
          %default = icmp eq i64 %h, 0
          br i1 %default, label %reset, label %notdefault
        reset:
          ; The default action: put it back and return, so the access faults again and the process ends as it would have.
          %ignored = call i32 @sigaction(i32 %sig, ptr %old, ptr null)
          ret void
        notdefault:
          %ignore = icmp eq i64 %h, 1
          br i1 %ignore, label %done, label %callplain
        callplain:
          call void %handler(i32 %sig)
          ret void
        done:
          ret void
        }

        ; SA_SIGINFO | SA_ONSTACK | SA_NODEFER (a trap leaves the handler by longjmp: nothing stays blocked).
        define i32 @wasmsharp_install_handlers() {
        start:
          %action = alloca [152 x i8], align 16
          store [152 x i8] zeroinitializer, ptr %action, align 16
          store ptr @on_signal, ptr %action, align 8
          %flagsslot = getelementptr i8, ptr %action, i64 136
          store i32 1207959556, ptr %flagsslot, align 4
          %a = call i32 @sigaction(i32 11, ptr %action, ptr @old_segv)
          %b = call i32 @sigaction(i32 7, ptr %action, ptr @old_bus)
          %r = or i32 %a, %b
          ret i32 %r
        }
        """;

    private static int Offset(string field) => (int)Marshal.OffsetOf<InstanceContext>(field);
    private static int DefinitionOffset(string field) => (int)Marshal.OffsetOf<MemoryDefinition>(field);

    private static readonly Lazy<(nint Enter, string? Problem)> State = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether guard pages can be used here (the handlers are installed the first time this is asked).</summary>
    public static bool IsAvailable => State.Value.Problem is null;

    /// <summary>Why guard pages are not used here, or null.</summary>
    public static string? Problem => State.Value.Problem;

    /// <summary><c>int wasmsharp_guarded_enter(entry, context, slots)</c>: 1 when an access faulted.</summary>
    public static nint Enter => State.Value.Enter;

    /// <summary>The cache the support library is kept in (set before first use; the default cache otherwise).</summary>
    public static NativeCache? Cache { get; set; }

    private static (nint, string?) Load()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return (0, "guard pages are implemented for Linux on x86-64 only");
        if (LlvmLibrary.Problem is { } problem) return (0, problem);
        try
        {
            var path = Build(Cache ?? new NativeCache());
            nint library = NativeLibrary.Load(path);
            var install = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "wasmsharp_install_handlers");
            if (install() != 0) return (0, "sigaction refused the fault handlers");
            return (NativeLibrary.GetExport(library, "wasmsharp_guarded_enter"), null);
        }
        catch (Exception e) when (e is WasmException or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            return (0, "the guard-page support library could not be built: " + e.Message);
        }
    }

    /// <summary>The support library's cache key for <paramref name="host"/>.</summary>
    public static string Key(HostDescription host) => NativeCache.Key(Encoding.UTF8.GetBytes(Source()), host, "guard-pages");

    private static string Build(NativeCache cache)
    {
        if (cache.Find(Key, out string key) is { } cached) return cached;
        using var target = new HostTarget(0);
        nint context = LLVMContextCreate();
        try
        {
            nint module = Parse(context, Source());
            byte[] obj;
            try
            {
                target.Prepare(module);
                obj = target.Compile(module);
            }
            finally
            {
                LLVMDisposeModule(module);
            }
            return cache.Put(key, SharedLibraryLinker.Link([obj]));
        }
        finally
        {
            LLVMContextDispose(context);
        }
    }

    private static nint Parse(nint context, string source)
    {
        byte[] text = Encoding.UTF8.GetBytes(source);
        nint buffer;
        fixed (byte* p = text) buffer = LLVMCreateMemoryBufferWithMemoryRangeCopy(p, (nuint)text.Length, "guard-pages");
        nint module;
        byte* message;
        if (LLVMParseIRInContext(context, buffer, &module, &message) != 0)
            throw new InvalidOperationException("LLVM rejected the guard-page support IR: " + TakeMessage(message));
        return module;
    }
}
