using WasmSharp.Text;
using WasmSharp.Text.Wast;

namespace WasmSharp.Tests.Binary;

/// <summary>
/// The official spec testsuite (core/*.wast, beside the repository in ../shared/testsuite), parsed by
/// <see cref="WastParser"/> once per file and test run; the modules stay in memory.
/// </summary>
internal static class SpecTestsuite
{
    /// <summary>One command of a .wast file that holds a module (module, assert_malformed, assert_invalid, ...).</summary>
    public sealed record SpecModule(string Wast, int Line, string Type, WastModule Module, string? Text)
    {
        /// <summary>The module's binary: binary modules as written, text modules compiled by the module parser.
        /// Throws <see cref="MalformedTextException"/> for text that is not a module.</summary>
        public byte[] Bytes() => Module.ToBinary();

        public override string ToString() => $"{Wast}:{Line} {Type}{(Text is null ? "" : $" \"{Text}\"")}";
    }

    public static string? CoreDirectory { get; } = FindCore();

    /// <summary>Why the testsuite cannot run here, or null when it can.</summary>
    public static string? Unavailable =>
        CoreDirectory is null ? "spec testsuite not found (expected ../shared/testsuite/core beside the repository, or set WASMSHARP_TESTSUITE)" : null;

    private static readonly Dictionary<string, IReadOnlyList<SpecModule>?> Cache = new();

    public static IEnumerable<string> AllWastFiles() =>
        Directory.EnumerateFiles(CoreDirectory!, "*.wast").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal);

    /// <summary>The commands of <paramref name="wast"/> (a file name in core/) that hold a module, or null when the
    /// script cannot be parsed to its end.</summary>
    public static IReadOnlyList<SpecModule>? Commands(string wast)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(wast, out var cached)) return cached;
            var result = Read(wast);
            Cache[wast] = result;
            return result;
        }
    }

    private static IReadOnlyList<SpecModule>? Read(string wast)
    {
        var script = WastParser.Parse(File.ReadAllBytes(Path.Combine(CoreDirectory!, wast)));
        if (script.Error is not null) return null;
        var list = new List<SpecModule>();
        foreach (var command in script.Commands)
        {
            switch (command)
            {
                case ModuleCommand m:
                    list.Add(new SpecModule(wast, m.Line, m.Kind, m.Module, null));
                    break;
                case AssertModuleCommand a:
                    list.Add(new SpecModule(wast, a.Line, a.Kind, a.Module, a.Message));
                    break;
            }
        }
        return list;
    }

    private static string? FindCore()
    {
        var env = Environment.GetEnvironmentVariable("WASMSHARP_TESTSUITE");
        if (!string.IsNullOrEmpty(env))
        {
            var core = Path.Combine(env, "core");
            return Directory.Exists(core) ? core : Directory.Exists(env) ? env : null;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "WasmSharp.slnx"))) continue;
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "..", "shared", "testsuite", "core"), Path.Combine(dir.FullName, "shared", "testsuite", "core") })
                if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            return null;
        }
        return null;
    }
}

/// <summary>A fact that needs the spec testsuite, and is skipped, saying why, without it.</summary>
public sealed class SpecTestsuiteFactAttribute : FactAttribute
{
    public SpecTestsuiteFactAttribute()
    {
        if (SpecTestsuite.Unavailable is string why) Skip = why;
    }
}
