namespace WasmSharp.Llvm;

/// <summary>
/// The native tier as an engine's backend: <c>new Engine(new EngineConfig { Native = new LlvmBackend() })</c>.
/// A module is compiled to a shared library once and kept in the content-addressed cache
/// (<see cref="NativeCache"/>); a module the translator cannot handle yet, or a machine without LLVM, runs on the
/// interpreter and <see cref="Module.NativeFallback"/> says why.
/// </summary>
public sealed class LlvmBackend : NativeBackend
{
    /// <param name="optLevel">LLVM's optimisation level, 0 to 3.</param>
    /// <param name="cacheDirectory">Where compiled modules are kept (default: <c>$XDG_CACHE_HOME/wasmsharp</c>).</param>
    /// <param name="guardPages">Out-of-bounds accesses caught by guard pages (<see cref="GuardPages"/>) rather than
    /// checked in code: by default where that is available (Linux on x86-64).</param>
    public LlvmBackend(int optLevel = 2, string? cacheDirectory = null, bool? guardPages = null)
    {
        if (optLevel is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(optLevel), optLevel, "0 to 3");
        OptLevel = optLevel;
        Cache = new NativeCache(cacheDirectory);
        _guardPages = guardPages;
        // What every compile or cache hit needs first (the host's description, the guard-page support library,
        // loading OpenSSL for SHA-256) takes 20-30 ms: done on another core while the caller reads and validates
        // its module.
        _warmUp = Task.Run(() =>
        {
            if (LlvmLibrary.Problem is not null) return;
            HostDescription.Get(Cache);
            _ = UsesGuardPages;
        });
    }

    private readonly Task _warmUp;

    public int OptLevel { get; }
    private readonly bool? _guardPages;

    /// <summary>Whether compiled code relies on guard pages (asked at the first compile; false where they are not
    /// available).</summary>
    public bool UsesGuardPages
    {
        get
        {
            if (_guardPages == false) return false;
            GuardPages.Cache ??= Cache;
            if (GuardPages.IsAvailable) return true;
            if (_guardPages == true) throw new WasmException(GuardPages.Problem!);
            return false;
        }
    }
    internal NativeCache Cache { get; }

    internal override NativeCode? TryCompile(Module module, out string? reason)
    {
        reason = LlvmLibrary.Problem;
        if (reason is not null) return null;
        try { _warmUp.Wait(); } catch (AggregateException) { } // its failures show again below, where they are handled
        try
        {
            reason = null;
            return NativeModule.Load(module, OptLevel, Cache, UsesGuardPages);
        }
        catch (NotSupportedException e)
        {
            reason = "the native translator does not handle " + e.Message + " yet";
            return null;
        }
    }
}
