namespace WasmSharp.Micro;

/// <summary>Where the benchmarks' inputs are: the .wat modules of this project (turned into binary by WasmSharp's
/// text parser), the benchmark programs built by bench/build-programs.sh, and
/// the npm modules installed by bench/install-deps.sh.</summary>
internal static class Inputs
{
    /// <summary>The repository root: the nearest folder above the running assembly holding WasmSharp.slnx
    /// (BenchmarkDotNet runs benchmarks from a generated project below this one's bin folder).</summary>
    public static string Root { get; } = FindRoot();

    public static byte[] Wat(string name) =>
        WasmSharp.Text.Wat.ToBinary(File.ReadAllBytes(Path.Combine(Root, "bench", "WasmSharp.Micro", "Modules", name)));

    /// <summary>Modules for the translation benchmark, by short name, with their paths.</summary>
    public static readonly IReadOnlyDictionary<string, string> TranslationModules = new Dictionary<string, string>
    {
        ["coremark-O2"] = Path.Combine(Root, "artifacts", "bench", "wasm-O2", "coremark.wasm"),
        ["coremark-O0"] = Path.Combine(Root, "artifacts", "bench", "wasm-O0", "coremark.wasm"),
        ["sql.js"] = Path.Combine(Root, "artifacts", "bench", "npm", "node_modules", "sql.js", "dist", "sql-wasm.wasm"),
        ["esbuild"] = Path.Combine(Root, "artifacts", "bench", "npm", "node_modules", "esbuild-wasm", "esbuild.wasm"),
    };

    /// <summary>Size in bytes of a module's code section (function bodies), the input of translation.</summary>
    public static long CodeSectionBytes(byte[] module)
    {
        int pos = 8; // magic and version
        while (pos < module.Length)
        {
            byte id = module[pos++];
            long size = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = module[pos++];
                size |= (long)(b & 0x7f) << shift;
                if (b < 0x80) break;
            }
            if (id == 10) return size;
            pos += (int)size;
        }
        return 0;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "WasmSharp.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no WasmSharp.slnx above {AppContext.BaseDirectory}");
    }
}
