using WasmSharp.Tests.Wasi;

namespace WasmSharp.Tests.Cli;

/// <summary>scripts/wasi-cc, the compiler every wasm32-wasi build of the project goes through (test programs,
/// sample, benchmarks): its modules must not depend on whether binaryen is installed.</summary>
public sealed class WasiCcTests : IDisposable
{
    private readonly TestPrograms.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("-O1")]
    [InlineData("-O2")]
    [InlineData("-Os")]
    public void OptimisedBuildsNeverRunWasmOptAndKeepTheNameSection(string level)
    {
        // clang runs the first wasm-opt on the PATH after linking at -O1 and above; this one fails the build if run.
        var bin = _dir.Sub("bin");
        var fake = Path.Combine(bin, "wasm-opt");
        File.WriteAllText(fake, "#!/bin/sh\necho 'wasm-opt was run' >&2\nexit 1\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var env = System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        env["PATH"] = bin + ":" + env.GetValueOrDefault("PATH", "/usr/bin:/bin");

        var wasm = Path.Combine(_dir.Path, "hello.wasm");
        var r = TestPrograms.Run(Path.Combine(TestPrograms.RepositoryRoot, "scripts", "wasi-cc"),
            [level, "-o", wasm, Path.Combine(TestPrograms.RepositoryRoot, "examples", "hello.c")], env,
            TestPrograms.RepositoryRoot, null, TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.StderrText);
        var module = Module.FromBytes(File.ReadAllBytes(wasm));
        Assert.Contains("main", module.Info.FunctionNames.Values);
    }
}
