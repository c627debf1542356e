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

    /// <summary><c>--bounds-checks explicit|guard-pages</c>: how native code finds out-of-bounds accesses.</summary>
    public static Option<string> CreateBoundsChecks() => new Option<string>("--bounds-checks")
    {
        Description = "How native code catches out-of-bounds memory accesses: explicit (a check at every access, " +
                      "the default), guard-pages (the memory's reserved address space faults past its end; faster, " +
                      "Linux x86-64 only, and a load whose value LLVM finds unused may not trap)",
        HelpName = "explicit|guard-pages",
        DefaultValueFactory = _ => "explicit",
    }.AcceptOnlyFromAmong("guard-pages", "explicit");

    /// <summary><c>-O0</c> to <c>-O3</c>: LLVM's optimisation level for native code.</summary>
    public static Option<int> CreateOptLevel() => new Option<int>("-O")
    {
        Description = $"LLVM's optimisation level for native code, 0 to 3 (-O{LlvmBackend.DefaultOptLevel} by default)",
        HelpName = "0-3",
        DefaultValueFactory = _ => LlvmBackend.DefaultOptLevel,
    }.AcceptOnlyFromAmong("0", "1", "2", "3");

    /// <summary><c>--features all|none|NAME,...</c>: what modules may use beyond WebAssembly 2.0.</summary>
    public static Option<WasmFeatures> CreateFeatures()
    {
        var option = new Option<WasmFeatures>("--features")
        {
            Description = "What modules may use beyond WebAssembly 2.0: all (what WasmSharp implements, the default), " +
                          $"none (Wasm 2.0 exactly), or a comma-separated list of: {string.Join(", ", FeatureNames.Keys)}",
            HelpName = "all|none|NAME,...",
            DefaultValueFactory = _ => WasmFeatures.All,
            CustomParser = result =>
            {
                var features = WasmFeatures.None;
                foreach (var name in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                {
                    if (name == "all") features |= WasmFeatures.All;
                    else if (name == "none") { }
                    else if (FeatureNames.TryGetValue(name, out var f)) features |= f;
                    else result.AddError($"unknown feature '{name}' (all, none, {string.Join(", ", FeatureNames.Keys)})");
                }
                return features;
            },
        };
        return option;
    }

    /// <summary>Each feature by its name in the proposals' spelling (kebab case).</summary>
    private static readonly Dictionary<string, WasmFeatures> FeatureNames = Enum.GetValues<WasmFeatures>()
        .Where(f => f is not (WasmFeatures.None or WasmFeatures.All))
        .ToDictionary(f => System.Text.RegularExpressions.Regex.Replace(f.ToString(), "(?<=[a-z])([A-Z])", "-$1").ToLowerInvariant());

    /// <summary>The engine <paramref name="name"/> asks for, or null with the reason (llvm without LLVM).</summary>
    public static Engine? Build(string name, bool interruptible, out string? problem, string boundsChecks = "explicit", int optLevel = LlvmBackend.DefaultOptLevel,
        WasmFeatures features = WasmFeatures.All)
    {
        problem = null;
        bool native = name switch
        {
            "llvm" => (problem = LlvmLibrary.Problem) is null,
            "auto" => LlvmLibrary.IsAvailable,
            _ => false,
        };
        if (problem is not null) return null;
        if (!native && !interruptible && features == WasmFeatures.All) return Engine.Default;
        return new Engine(new EngineConfig { Interruptible = interruptible, Native = native ? Backend(optLevel, boundsChecks) : null, Features = features });
    }

    /// <summary>The native backend that <c>-O</c> and <c>--bounds-checks</c> ask for.</summary>
    public static LlvmBackend Backend(int optLevel, string boundsChecks) => new(optLevel, guardPages: boundsChecks == "guard-pages");
}
