using System.CommandLine;
using WasmSharp.Llvm;

namespace WasmSharp.Cli.Commands;

/// <summary><c>--engine interp|llvm|auto</c>, shared by the verbs that run code.</summary>
internal static class EngineOption
{
    public static Option<string> Create() => new Option<string>("--engine")
    {
        Description = "Which engine runs the code: interp (the interpreter, the default), llvm (native code through " +
                      "LLVM; a module it cannot compile yet runs on the interpreter), auto (llvm when LLVM is installed)",
        HelpName = "interp|llvm|auto",
        DefaultValueFactory = _ => "interp",
    }.AcceptOnlyFromAmong("interp", "llvm", "auto");

    /// <summary><c>--bounds-checks auto|guard-pages|explicit</c>: how native code finds out-of-bounds accesses.</summary>
    public static Option<string> CreateBoundsChecks() => new Option<string>("--bounds-checks")
    {
        Description = "How native code catches out-of-bounds memory accesses: guard-pages (the memory's reserved " +
                      "address space faults past its end; Linux x86-64), explicit (a check at every access), auto " +
                      "(guard pages where available, the default)",
        HelpName = "auto|guard-pages|explicit",
        DefaultValueFactory = _ => "auto",
    }.AcceptOnlyFromAmong("auto", "guard-pages", "explicit");

    /// <summary>The engine <paramref name="name"/> asks for, or null with the reason (llvm without LLVM).</summary>
    public static Engine? Build(string name, bool interruptible, out string? problem, string boundsChecks = "auto")
    {
        problem = null;
        bool native = name switch
        {
            "llvm" => (problem = LlvmLibrary.Problem) is null,
            "auto" => LlvmLibrary.IsAvailable,
            _ => false,
        };
        if (problem is not null) return null;
        if (!native && !interruptible) return Engine.Default;
        return new Engine(new EngineConfig { Interruptible = interruptible, Native = native ? new LlvmBackend(guardPages: boundsChecks switch { "guard-pages" => true, "explicit" => false, _ => null }) : null });
    }
}
