namespace WasmSharp.Llvm;

/// <summary>
/// The native tier as an engine's backend: <c>new Engine(new EngineConfig { Native = new LlvmBackend() })</c>.
/// A module is compiled to a shared library once and kept in the content-addressed cache
/// (<see cref="NativeCache"/>); a module the translator cannot handle yet, or a machine without LLVM, runs on the
/// interpreter and <see cref="Module.NativeFallback"/> says why.
/// </summary>
public sealed class LlvmBackend : NativeBackend
{
    /// <summary>The optimisation level used unless another is asked for.</summary>
    public const int DefaultOptLevel = 2;

    /// <param name="optLevel">LLVM's optimisation level, 0 to 3.</param>
    /// <param name="cacheDirectory">Where compiled modules are kept (default: <c>$XDG_CACHE_HOME/wasmsharp</c>).</param>
    /// <param name="guardPages">Out-of-bounds accesses caught by guard pages (<see cref="GuardPages"/>, Linux on
    /// x86-64) rather than checked at every access. Faster, but not exact: LLVM deletes a load whose value it
    /// finds unused, and such a load past the end then does not trap (the translator keeps the loads whose values
    /// are dropped; others LLVM's analyses find unused can still go). Off by default: explicit checks give the
    /// spec's traps everywhere.</param>
    public LlvmBackend(int optLevel = DefaultOptLevel, string? cacheDirectory = null, bool guardPages = false)
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
            if (_guardPages && OperatingSystem.IsLinux()) _ = GuardPages.IsAvailable;
        });
    }

    private readonly Task _warmUp;

    public int OptLevel { get; }

    /// <summary>Modules to leave to the interpreter (tests of mixed execution).</summary>
    internal Func<Module, bool>? Declines { get; init; }

    /// <summary>Where compiled modules are kept.</summary>
    public string CacheDirectory => Cache.Directory;
    private readonly bool _guardPages;

    /// <summary>Whether compiled code relies on guard pages (asked for, and available here: otherwise compiling
    /// throws, saying why).</summary>
    public bool UsesGuardPages
    {
        get
        {
            if (!_guardPages) return false;
            GuardPages.Cache ??= Cache;
            if (GuardPages.IsAvailable) return true;
            throw new WasmException(GuardPages.Problem!);
        }
    }
    internal NativeCache Cache { get; }

    /// <summary>Compiles <paramref name="module"/> into a shared library at <paramref name="output"/> that carries the
    /// module too: <see cref="OpenLibrary"/> (and <c>wasmsharp run</c>) runs it without compiling again.</summary>
    public void CompileTo(Module module, string output)
    {
        ArgumentNullException.ThrowIfNull(module);
        LlvmLibrary.Check();
        NativeModule.WriteLibrary(module, OptLevel, Cache, UsesGuardPages, output);
    }

    /// <summary>The module in a library written by <see cref="CompileTo"/>, with the library's native code.</summary>
    public Module OpenLibrary(Engine engine, string path)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (engine.Config.Native != this) throw new ArgumentException("the engine must use this backend", nameof(engine));
        if (LlvmLibrary.Problem is { } problem) throw new WasmException(problem);
        return Module.FromBytes(engine, NativeModule.ReadLibrary(path, Cache));
    }

    /// <summary>Whether <paramref name="bytes"/> are a shared library (ELF) rather than a module.</summary>
    public static bool IsLibrary(ReadOnlySpan<byte> bytes) => NativeModule.IsLibrary(bytes);

    internal override NativeCode? TryCompile(Module module, out string? reason)
    {
        reason = LlvmLibrary.Problem;
        if (reason is not null) return null;
        if (Declines?.Invoke(module) == true)
        {
            reason = "the backend was told to decline it";
            return null;
        }
        if (module.Info.AllTags.Count > 0)
        {
            reason = "the native translator does not handle " + FunctionTranslator.ExceptionHandling().Message + " yet";
            return null;
        }
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
