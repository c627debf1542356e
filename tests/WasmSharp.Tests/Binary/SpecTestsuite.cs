using System.Diagnostics;
using System.Text.Json;

namespace WasmSharp.Tests.Binary;

/// <summary>
/// The official spec testsuite (core/*.wast, beside the repository in ../shared/testsuite), converted to JSON and
/// .wasm files by wabt's wast2json into a temporary directory, once per test run.
/// </summary>
internal static class SpecTestsuite
{
    /// <summary>One command of a converted .wast file that names a binary module.</summary>
    public sealed record ModuleCommand(string Wast, int Line, string Type, string WasmPath, string? Text)
    {
        public override string ToString() => $"{Wast}:{Line} {Type}{(Text is null ? "" : $" \"{Text}\"")}";
    }

    public static string? CoreDirectory { get; } = FindCore();
    public static string? Wast2Json { get; } = FindOnPath("wast2json");

    /// <summary>Why the testsuite cannot run here, or null when it can.</summary>
    public static string? Unavailable =>
        CoreDirectory is null ? "spec testsuite not found (expected ../shared/testsuite/core beside the repository, or set WASMSHARP_TESTSUITE)"
        : Wast2Json is null ? "wast2json (wabt) not found on PATH"
        : null;

    private static readonly Lazy<string> OutputDirectory = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "wasmsharp-spec-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { } };
        return dir;
    });

    private static readonly Dictionary<string, IReadOnlyList<ModuleCommand>?> Cache = new();

    public static IEnumerable<string> AllWastFiles() =>
        Directory.EnumerateFiles(CoreDirectory!, "*.wast").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal);

    /// <summary>The commands of <paramref name="wast"/> (a file name in core/) that have a .wasm module,
    /// or null when wast2json cannot convert the file.</summary>
    public static IReadOnlyList<ModuleCommand>? Commands(string wast)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(wast, out var cached)) return cached;
            var result = Convert(wast);
            Cache[wast] = result;
            return result;
        }
    }

    private static IReadOnlyList<ModuleCommand>? Convert(string wast)
    {
        string name = Path.GetFileNameWithoutExtension(wast);
        string json = Path.Combine(OutputDirectory.Value, name + ".json");
        var psi = new ProcessStartInfo(Wast2Json!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(CoreDirectory!, wast));
        psi.ArgumentList.Add("-o");
        psi.ArgumentList.Add(json);
        using (var p = Process.Start(psi)!)
        {
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 || !File.Exists(json)) return null;
        }

        var list = new List<ModuleCommand>();
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        foreach (var cmd in doc.RootElement.GetProperty("commands").EnumerateArray())
        {
            if (!cmd.TryGetProperty("filename", out var file)) continue;
            string filename = file.GetString()!;
            if (!filename.EndsWith(".wasm", StringComparison.Ordinal)) continue;
            string? text = cmd.TryGetProperty("text", out var t) ? t.GetString() : null;
            list.Add(new ModuleCommand(wast, cmd.GetProperty("line").GetInt32(), cmd.GetProperty("type").GetString()!,
                Path.Combine(OutputDirectory.Value, filename), text));
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

    private static string? FindOnPath(string tool)
    {
        var env = Environment.GetEnvironmentVariable("WAST2JSON");
        if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
            if (OperatingSystem.IsWindows() && File.Exists(path + ".exe")) return path + ".exe";
        }
        return null;
    }
}

/// <summary>A fact that needs the spec testsuite and wast2json, and is skipped, saying why, without them.</summary>
public sealed class SpecTestsuiteFactAttribute : FactAttribute
{
    public SpecTestsuiteFactAttribute()
    {
        if (SpecTestsuite.Unavailable is string why) Skip = why;
    }
}
