namespace WasmSharp;

/// <summary>
/// A compiler of modules to native code that an <see cref="Engine"/> uses (<see cref="EngineConfig.Native"/>):
/// WasmSharp.Llvm's LlvmBackend. A module it cannot compile runs on the interpreter, and says why
/// (<see cref="Module.NativeFallback"/>).
/// </summary>
public abstract class NativeBackend
{
    /// <summary>Native code for <paramref name="module"/>'s defined functions, or null with the reason.</summary>
    internal abstract NativeCode? TryCompile(Module module, out string? reason);
}

/// <summary>A module's functions as native code: per defined function, an entry on raw slots,
/// <c>void entry(InstanceContext* ctx, ulong* slots)</c>.</summary>
internal abstract class NativeCode
{
    public abstract nint Entry(int definedIndex);

    /// <summary>The function's direct entry, <c>T f(InstanceContext* ctx, params...)</c> (what call_indirect from
    /// native code of the same instance calls), or 0.</summary>
    public virtual nint Code(int definedIndex) => 0;

    /// <summary>How the entries are called (<see cref="InstanceContext.Enter"/>).</summary>
    public abstract nint Enter { get; }

    /// <summary>The code leaves bounds checks to guard pages: it runs only on memories with the full reservation
    /// (<see cref="Memory.FullReservation"/>).</summary>
    public virtual bool GuardPages => false;
    /// <summary>The address range of the code (where the fault handler takes faults for traps).</summary>
    public virtual (nint Start, nint End) CodeRange => (0, 0);
}
