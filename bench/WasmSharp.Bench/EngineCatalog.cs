namespace WasmSharp.Bench;

/// <summary>The engines the harness knows, by name.</summary>
internal static class EngineCatalog
{
    public static readonly string[] Default = ["native", "wasmtime", "v8", "v8-liftoff", "wasmsharp"];

    /// <summary>
    /// native: the gcc -O2 build. wasmtime: the Wasmtime NuGet package through bench/runners/WasmtimeRunner.
    /// v8 / v8-liftoff: Node.js with its WASI module, default tiering or --liftoff-only.
    /// wasmsharp: the `wasmsharp run FILE ARGS` command (WasmSharp's interpreter); wasmsharp:NAME passes
    /// --engine NAME to it (wasmsharp:llvm, the native tier), and wasmsharp:NAME+O3+guard-pages adds -O3 and
    /// --bounds-checks guard-pages.
    /// </summary>
    public static Engine Create(string name, RepoPaths paths)
    {
        switch (name)
        {
            case "native":
                return new Engine
                {
                    Name = name,
                    IsNative = true,
                    Description = "gcc -O2, native x86-64 (the physical limit)",
                    RunCommand = (file, args) => [file, .. args],
                };
            case "wasmtime":
                return new Engine
                {
                    Name = name,
                    Description = "Wasmtime NuGet package (the .NET embedding), default configuration",
                    RunCommand = (file, args) => [paths.WasmtimeRunner, "run", file, .. args],
                    CompileCommand = (file, n) => [paths.WasmtimeRunner, "compile", file, n.ToString()],
                };
            case "v8":
            case "v8-liftoff":
                string[] flags = name == "v8" ? ["--no-warnings"] : ["--no-warnings", "--liftoff-only"];
                return new Engine
                {
                    Name = name,
                    Description = name == "v8"
                        ? "Node.js (V8) with node:wasi, default tiering (Liftoff, then TurboFan)"
                        : "Node.js (V8) with node:wasi, --liftoff-only (baseline compiler)",
                    RunCommand = (file, args) => ["node", .. flags, paths.NodeRunner, "run", file, .. args],
                    CompileCommand = (file, n) => ["node", .. flags, paths.NodeRunner, "compile", file, n.ToString()],
                };
            case "wasmsharp":
                return new Engine
                {
                    Name = name,
                    Description = "WasmSharp's interpreter, `wasmsharp run`",
                    RunCommand = (file, args) => [paths.WasmSharpCli, "run", file, .. args],
                    CompileCommand = (file, n) => [paths.WasmSharpRunner, "compile", file, n.ToString()],
                };
            default:
                if (name.StartsWith("wasmsharp:", StringComparison.Ordinal) && name.Length > "wasmsharp:".Length)
                {
                    // wasmsharp:ENGINE[+OPTION...]: +O0..+O3 is -O0..-O3, another +WORD is --bounds-checks WORD.
                    var parts = name["wasmsharp:".Length..].Split('+');
                    string[] options = ["--engine", parts[0], .. parts.Skip(1).SelectMany(p =>
                        p.Length == 2 && p[0] == 'O' ? new[] { "-" + p } : ["--bounds-checks", p])];
                    // The native engine's start-up figure: cold compiles (a new cache each time) of modules up to 1 MB.
                    string[] native = parts[0] == "llvm"
                        ? ["--native", .. parts.Skip(1).Select(p => p.Length == 2 && p[0] == 'O' ? "-" + p : "--" + p)]
                        : [];
                    return new Engine
                    {
                        Name = name,
                        Description = $"WasmSharp, `wasmsharp run {string.Join(' ', options)}`",
                        RunCommand = (file, args) => [paths.WasmSharpCli, "run", .. options, file, .. args],
                        CompileCommand = native.Length == 0 ? null : (file, n) => [paths.WasmSharpRunner, "compile", file, n.ToString(), .. native],
                        CacheHitCommand = native.Length == 0 ? null : (file, n, dir) => [paths.WasmSharpRunner, "compile", file, n.ToString(), .. native, "--cache", dir],
                        MaxCompileBytes = native.Length == 0 ? null : 1_000_000,
                    };
                }
                throw new ArgumentException(
                    $"unknown engine \"{name}\" (known: {string.Join(", ", Default)}, wasmsharp:NAME)");
        }
    }
}
