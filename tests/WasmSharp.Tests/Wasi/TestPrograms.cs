using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace WasmSharp.Tests.Wasi;

/// <summary>
/// The C programs of tests/programs, built for wasm32-wasi and natively by tests/programs/build.sh (once per
/// test run), and the means to run them: natively, and on wasmsharp through its command line.
/// </summary>
internal static class TestPrograms
{
    public static string RepositoryRoot { get; } = FindRoot();
    public static string SourceDirectory => Path.Combine(RepositoryRoot, "tests", "programs");

    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>artifacts/programs, built and up to date. A build failure (a missing compiler included) fails
    /// the test: these tests never pass silently without their programs.</summary>
    public static string OutputDirectory => Built.Value;

    public static string Wasm(string name) => Path.Combine(OutputDirectory, "wasm", name + ".wasm");
    /// <summary>The build with -O2 -msimd128 (loops vectorised into v128 code).</summary>
    public static string WasmSimd(string name) => Path.Combine(OutputDirectory, "wasm-simd", name + ".wasm");
    /// <summary>One of the wasm builds: "wasm" (-O1), "wasm-simd" (-O2 -msimd128) or "wasm-O0" (unoptimised).</summary>
    public static string WasmBuild(string build, string name) => Path.Combine(OutputDirectory, build, name + ".wasm");
    public static string Native(string name) => Path.Combine(OutputDirectory, "native", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "WasmSharp.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"repository root (with WasmSharp.slnx) not found above {AppContext.BaseDirectory}");
    }

    private static string Build()
    {
        var script = Path.Combine(SourceDirectory, "build.sh");
        var result = Run("bash", [script], environment: null, workingDirectory: SourceDirectory, stdin: null,
            timeout: TimeSpan.FromMinutes(10));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"tests/programs/build.sh failed (exit code {result.ExitCode}):\n{result.StdoutText}{result.StderrText}");
        return Path.Combine(RepositoryRoot, "artifacts", "programs");
    }

    /// <summary>The wasmsharp command, run as "dotnet WasmSharp.Cli.dll" from this test's output.</summary>
    public static string CliDll { get; } = Path.Combine(AppContext.BaseDirectory, "WasmSharp.Cli.dll");

    internal static string DotNet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Runs the program natively in <paramref name="workingDirectory"/> with exactly the environment given.</summary>
    public static ProcessResult RunNative(string name, string[] args, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, byte[]? stdin) =>
        Run(Native(name), args, environment, workingDirectory, stdin, TimeSpan.FromMinutes(2));

    /// <summary>Runs the program on wasmsharp: <c>wasmsharp run --dir DIR::GUEST --env ... NAME.wasm ARGS</c>, of
    /// <paramref name="build"/> (see <see cref="WasmBuild"/>).</summary>
    public static ProcessResult RunWasm(string name, string[] args, IReadOnlyDictionary<string, string> environment,
        string preopen, string guestName, byte[]? stdin, string build = "wasm", string engine = "interp") =>
        RunCli(["run", "--engine", engine, "--dir", $"{preopen}::{guestName}", .. environment.SelectMany(kv => new[] { "--env", $"{kv.Key}={kv.Value}" }),
            WasmBuild(build, name), .. args], stdin);

    public static ProcessResult RunCli(string[] args, byte[]? stdin = null) =>
        Run(DotNet, [CliDll, .. args], environment: null, workingDirectory: RepositoryRoot, stdin, TimeSpan.FromMinutes(5));

    public static ProcessResult Run(string file, string[] args, IReadOnlyDictionary<string, string>? environment,
        string workingDirectory, byte[]? stdin, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            psi.Environment.Clear();
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var outTask = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var errTask = process.StandardError.BaseStream.CopyToAsync(stderr);
        try
        {
            if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
            process.StandardInput.Close();
        }
        catch (IOException) { /* the program did not read all of it */ }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        Task.WaitAll(outTask, errTask);
        return new ProcessResult(process.ExitCode, stdout.ToArray(), stderr.ToArray());
    }

    /// <summary>A listing of every file, directory and symlink under <paramref name="root"/>, one line each, with
    /// sizes and content hashes of files and targets of symlinks, sorted.</summary>
    public static string Snapshot(string root)
    {
        var lines = new List<string>();
        void Walk(string dir)
        {
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                string rel = Path.GetRelativePath(root, entry.FullName);
                if (entry.LinkTarget is { } target) lines.Add($"{rel} -> {target}");
                else if (entry is DirectoryInfo) { lines.Add($"{rel}/"); Walk(entry.FullName); }
                else
                {
                    var bytes = File.ReadAllBytes(entry.FullName);
                    lines.Add($"{rel} {bytes.Length} {Convert.ToHexString(SHA256.HashData(bytes))[..16]}");
                }
            }
        }
        Walk(root);
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    /// <summary>A fresh temporary directory, deleted when disposed.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("wasmsharp-wasi-").FullName;

        public string Sub(string name)
        {
            var p = System.IO.Path.Combine(Path, name);
            Directory.CreateDirectory(p);
            return p;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>How a program run ended.</summary>
internal sealed record ProcessResult(int ExitCode, byte[] Stdout, byte[] Stderr)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);
    public string StderrText => Encoding.UTF8.GetString(Stderr);
}
