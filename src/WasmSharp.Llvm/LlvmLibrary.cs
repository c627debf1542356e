using System.Reflection;
using System.Runtime.InteropServices;
using WasmSharp.Llvm.Native;

namespace WasmSharp.Llvm;

/// <summary>
/// Finds the system's LLVM 19 and lld at run time. Nothing loads LLVM until <see cref="Check"/> or a compile asks
/// for it, and when either is missing the backend says so in one line (<see cref="Problem"/>) and the interpreter
/// runs. Debian: <c>libllvm19</c> (libLLVM.so.19.1, also named libLLVM-19.so) and <c>lld-19</c> (ld.lld-19).
/// </summary>
public static unsafe class LlvmLibrary
{
    /// <summary>Library names tried in order.</summary>
    internal static readonly string[] Names = ["libLLVM.so.19.1", "libLLVM-19.so", "libLLVM.so.19"];

    /// <summary>The linker, found on the PATH or in /usr/bin.</summary>
    internal const string LinkerName = "ld.lld-19";

    private static readonly Lazy<(nint Handle, string? LinkerPath, string? Problem)> State = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    static LlvmLibrary() => NativeLibrary.SetDllImportResolver(typeof(LlvmLibrary).Assembly, Resolve);

    /// <summary>Why the native tier cannot run here, in one line, or null when it can.</summary>
    public static string? Problem => State.Value.Problem;

    /// <summary>Whether LLVM and the linker are there (loads LLVM the first time).</summary>
    public static bool IsAvailable => State.Value.Problem is null;

    /// <summary>The path of ld.lld-19.</summary>
    internal static string LinkerPath => State.Value.LinkerPath ?? throw new InvalidOperationException(Problem);

    /// <summary>LLVM's version, as "major.minor.patch".</summary>
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

    /// <summary>Throws <see cref="WasmException"/> with <see cref="Problem"/> unless LLVM can be used.</summary>
    public static void Check()
    {
        if (Problem is { } problem) throw new WasmException(problem);
    }

    /// <summary>The loaded library, set before the target initialisers call into it.</summary>
    private static nint _handle;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != LlvmApi.Library) return 0;
        if (_handle == 0) Check();
        return _handle;
    }

    private static (nint, string?, string?) Load()
    {
        nint handle = 0;
        foreach (var name in Names)
            if (NativeLibrary.TryLoad(name, out handle)) break;
        if (handle == 0)
            return (0, null, $"the native tier needs LLVM 19: {Names[0]} was not found (Debian package libllvm19)");
        _handle = handle;
        var linker = FindLinker();
        if (linker is null)
            return (handle, null, $"the native tier needs the linker {LinkerName}, which was not found (Debian package lld-19)");
        // The exported per-target initialisers (LLVMInitializeNativeTarget is a header inline).
        LlvmApi.LLVMInitializeX86TargetInfo();
        LlvmApi.LLVMInitializeX86Target();
        LlvmApi.LLVMInitializeX86TargetMC();
        LlvmApi.LLVMInitializeX86AsmPrinter();
        return (handle, linker, null);
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
