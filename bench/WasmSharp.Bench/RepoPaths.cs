namespace WasmSharp.Bench;

/// <summary>Where the harness finds the programs, their builds and the engines' executables.</summary>
internal sealed class RepoPaths(string root)
{
    public string Root { get; } = root;
    public string Programs => Path.Combine(Root, "bench", "programs");
    public string ProgramManifest => Path.Combine(Programs, "programs.json");
    public string StartupManifest => Path.Combine(Root, "bench", "startup", "modules.json");
    public string Builds => Path.Combine(Root, "artifacts", "bench");
    public string NpmModules => Path.Combine(Builds, "npm", "node_modules");
    /// <summary>The process-measuring wrapper (bench/runners/measure.c), built by bench/build-programs.sh.</summary>
    public string Measure => Path.Combine(Builds, "measure");

    public string Wasm(string program, string opt) => Path.Combine(Builds, "wasm-" + opt, program + ".wasm");
    public string Native(string program) => Path.Combine(Builds, "native", program);

    public string WasmSharpCli => Path.Combine(Root, "src", "WasmSharp.Cli", "bin", "Release", "net10.0", "wasmsharp");
    public string WasmSharpRunner => Runner("WasmSharpRunner");
    public string WasmtimeRunner => Runner("WasmtimeRunner");
    public string NodeRunner => Path.Combine(Root, "bench", "runners", "node-wasi.mjs");

    /// <summary>A runner as bench/run publishes it (precompiled for this machine).</summary>
    private string Runner(string name) => Path.Combine(Builds, "runners", name, name);

    /// <summary>The repository root: the nearest folder above <paramref name="start"/> holding WasmSharp.slnx.</summary>
    public static RepoPaths Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "WasmSharp.slnx")))
                return new RepoPaths(dir.FullName);
        throw new InvalidOperationException($"no WasmSharp.slnx above {start}; pass --root");
    }
}
