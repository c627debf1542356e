using System.Reflection;
using System.Runtime.InteropServices;
using WasmSharp.Llvm.Native;

namespace WasmSharp.Llvm;

/// <summary>
/// Finds the system's LLVM 19 and lld at run time. Nothing loads LLVM until <see cref="Check"/> or a compile asks
/// for it (running a module from the cache does not), and when either is missing the backend says so in one line (<see cref="Problem"/>) and the interpreter
/// runs. Debian: <c>libllvm19</c> (libLLVM.so.19.1, also named libLLVM-19.so) and <c>lld-19</c> (ld.lld-19).
/// </summary>
public static unsafe class LlvmLibrary
{
    /// <summary>Library names tried in order.</summary>
    internal static readonly string[] Names = ["libLLVM.so.19.1", "libLLVM-19.so", "libLLVM.so.19"];

    /// <summary>The linker, found on the PATH or in /usr/bin.</summary>
    internal const string LinkerName = "ld.lld-19";

    /// <summary>Where the library and the linker are: found on disk without loading anything.</summary>
    private static readonly Lazy<(string? LibraryPath, string? LinkerPath, string? Problem)> Located = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);
    /// <summary>The library, loaded and its X86 target initialised (the first compile needs it; a cache hit does not).</summary>
    private static readonly Lazy<(nint Handle, string? Problem)> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    static LlvmLibrary() => NativeLibrary.SetDllImportResolver(typeof(LlvmLibrary).Assembly, Resolve);

    /// <summary>Why the native tier cannot run here, in one line, or null when it can. Looks for the files only:
    /// LLVM is loaded when something is compiled.</summary>
    public static string? Problem => Located.Value.Problem;

    /// <summary>Whether LLVM and the linker are there.</summary>
    public static bool IsAvailable => Problem is null;

    /// <summary>The path of ld.lld-19.</summary>
    internal static string LinkerPath => Located.Value.LinkerPath ?? throw new InvalidOperationException(Problem);

    /// <summary>The path of libLLVM, as found on disk (null when it is not).</summary>
    internal static string? LibraryPath => Located.Value.LibraryPath;

    /// <summary>LLVM's version, as "major.minor.patch" (loads LLVM).</summary>
    public static string Version
    {
        get
        {
            Check();
            uint major, minor, patch;
            LlvmApi.LLVMGetVersion(&major, &minor, &patch);
            return $"{major}.{minor}.{patch}";
        }
    }

    /// <summary>Loads LLVM, or throws <see cref="WasmException"/> with the reason it cannot be used.</summary>
    public static void Check()
    {
        if (Problem is { } problem) throw new WasmException(problem);
        if (Loaded.Value.Problem is { } failed) throw new WasmException(failed);
    }

    /// <summary>The loaded library, set before the target initialisers call into it.</summary>
    private static nint _handle;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != LlvmApi.Library) return 0;
        if (_handle == 0) Check();
        return _handle;
    }

    /// <summary>The directories the dynamic loader searches for libLLVM on Debian and its kin.</summary>
    private static IEnumerable<string> LibraryDirectories() =>
        (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/llvm-19/lib", "/usr/lib64", "/usr/lib", "/lib"]);

    private static (string?, string?, string?) Locate()
    {
        string? library = (from dir in LibraryDirectories() from name in Names select Path.Combine(dir, name)).FirstOrDefault(File.Exists);
        if (library is null)
            return (null, null, $"the native tier needs LLVM 19: {Names[0]} was not found (Debian package libllvm19)");
        var linker = FindLinker();
        if (linker is null)
            return (library, null, $"the native tier needs the linker {LinkerName}, which was not found (Debian package lld-19)");
        return (library, linker, null);
    }

    private static (nint, string?) Load()
    {
        if (!NativeLibrary.TryLoad(Located.Value.LibraryPath!, out nint handle))
            return (0, $"the native tier needs LLVM 19: {Located.Value.LibraryPath} could not be loaded");
        _handle = handle;
        // The exported per-target initialisers (LLVMInitializeNativeTarget is a header inline).
        LlvmApi.LLVMInitializeX86TargetInfo();
        LlvmApi.LLVMInitializeX86Target();
        LlvmApi.LLVMInitializeX86TargetMC();
        LlvmApi.LLVMInitializeX86AsmPrinter();
        SetOptions(CodegenOptions);
        return (handle, null);
    }

    /// <summary>
    /// LLVM's code generation options that differ from its defaults (process-wide, set once when LLVM loads). The
    /// post-RA list scheduler reorders the final machine code for in-order pipelines; on sql.js it was 8% of code
    /// generation's instructions (cachegrind, llc on two of its parts) for no measured gain on this out-of-order CPU.
    /// </summary>
    internal static readonly string[] CodegenOptions = ["-disable-post-ra"];

    /// <summary>Parses <paramref name="options"/> as LLVM's command line: process-wide settings, so made once, when
    /// LLVM loads (<see cref="Load"/>, behind its Lazy).</summary>
    private static void SetOptions(string[] options)
    {
        string[] args = ["wasmsharp", .. options];
        var argv = stackalloc byte*[args.Length];
        for (int i = 0; i < args.Length; i++) argv[i] = (byte*)Marshal.StringToCoTaskMemUTF8(args[i]);
        try
        {
            LlvmApi.LLVMParseCommandLineOptions(args.Length, argv, null);
        }
        finally
        {
            for (int i = 0; i < args.Length; i++) Marshal.FreeCoTaskMem((nint)argv[i]);
        }
    }

    private static string? FindLinker()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin");
        foreach (var dir in dirs)
        {
            var path = Path.Combine(dir, LinkerName);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
