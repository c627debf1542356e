using System.Text;

namespace WasmSharp.Tests.Wasi;

/// <summary>
/// Each C program of tests/programs runs natively and on wasmsharp (<c>wasmsharp run --dir TMP::.</c>) with the
/// same arguments, environment and standard input, each in its own fresh temporary directory; stdout, stderr,
/// the exit code and the files the program leaves behind must all be the same. Both wasm builds run: -O1, and
/// -O2 -msimd128 (its loops vectorised into v128 code).
/// </summary>
public class ProgramTests
{
    private static readonly Dictionary<string, string> TestEnvironment = new()
    {
        ["GREETING"] = "hello",
        ["EMPTY"] = "",
        ["WITH_EQUALS"] = "a=b=c",
        ["UNICODE"] = "héllo wörld ✓",
    };

    public static TheoryData<string, string[]> Cases => new()
    {
        { "args", [] },
        { "args", ["one", "two words", "-x", "--dir", "", "ünïcode"] },
        { "env", [] },
        { "exitcode", [] },
        { "exitcode", ["exit", "42"] },
        { "exitcode", ["return", "7"] },
        { "exitcode", ["exit", "300"] }, // truncated to 8 bits by the OS under both
        { "files", [] },
        { "dirlist", [] },
        { "clocks", [] },
        { "random", [] },
        { "bigwrite", [] },
        { "vectors", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesNativeBuild(string program, string[] args) => Compare(program, args, stdin: null);

    [Fact]
    public void ReadsStandardInput()
    {
        var text = new StringBuilder("the first line\n");
        for (int i = 0; i < 30000; i++) text.Append($"line {i}: some text to read through standard input\n");
        Compare("stdin", [], Encoding.UTF8.GetBytes(text.ToString()));
    }

    [Fact]
    public void ReadsEmptyStandardInput() => Compare("stdin", [], []);

    [Fact]
    public void PollsClocksAndDescriptors() => Compare("poll", [], "input for poll\n"u8.ToArray());

    /// <summary>abort() is a trap under wasm (exit code 134, the trap and its backtrace on stderr) and SIGABRT
    /// natively (which the shell also reports as 134).</summary>
    [Fact]
    public void AbortTrapsWithBacktrace()
    {
        using var tmp = new TestPrograms.TempDirectory();
        var native = TestPrograms.RunNative("exitcode", ["abort", "0"], TestEnvironment, tmp.Sub("native"), null);
        var wasm = TestPrograms.RunWasm("exitcode", ["abort", "0"], TestEnvironment, tmp.Sub("wasm"), ".", null);
        Assert.Equal(native.StdoutText, wasm.StdoutText);
        Assert.Equal(134, wasm.ExitCode);
        Assert.True(native.ExitCode is 134 or -6 or 250, $"native exit code {native.ExitCode}");
        Assert.StartsWith(native.StderrText, wasm.StderrText);
        var report = wasm.StderrText[native.StderrText.Length..].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("error: trap: unreachable", report[0]);
        Assert.Equal("wasm backtrace:", report[1]);
        Assert.Contains(report, l => l.EndsWith(": abort"));
        Assert.Contains(report, l => l.EndsWith(": main"));
        Assert.Contains(report, l => l.EndsWith(": _start"));
    }

    private static void Compare(string program, string[] args, byte[]? stdin)
    {
        using var tmp = new TestPrograms.TempDirectory();
        string nativeDir = tmp.Sub("native");
        var native = TestPrograms.RunNative(program, args, TestEnvironment, nativeDir, stdin);
        // The wasm build on both engines (natively, it must compile: a fallback note on stderr fails the comparison),
        // the -msimd128 build too, on both, and the unoptimised build natively (its stack frames in registers).
        foreach (var (kind, engine) in new[] { ("wasm", "interp"), ("wasm", "llvm"), ("wasm-simd", "interp"), ("wasm-simd", "llvm"), ("wasm-O0", "llvm") })
        {
            string wasmDir = tmp.Sub(kind + "-" + engine);
            var wasm = TestPrograms.RunWasm(program, args, TestEnvironment, wasmDir, ".", stdin, kind, engine);
            string build = kind + " build on " + engine;
            Assert.True(native.StdoutText == wasm.StdoutText, $"{build}: " + Diff("stdout", native.StdoutText, wasm.StdoutText, wasm.StderrText));
            Assert.True(native.StderrText == wasm.StderrText, $"{build}: stderr {wasm.StderrText}");
            Assert.True(native.ExitCode == wasm.ExitCode, $"{build}: exit code {wasm.ExitCode}, natively {native.ExitCode}");
            Assert.Equal(TestPrograms.Snapshot(nativeDir), TestPrograms.Snapshot(wasmDir));
        }
    }

    [Fact]
    public void TheSimdBuildRunsVectorCode()
    {
        // The -msimd128 build of vectors.c is v128 code: the comparison above exercises SIMD execution.
        var code = string.Join('\n', Module.FromFile(TestPrograms.WasmSimd("vectors")).Functions.SelectMany(f => WasmSharp.Interpreter.Disassembler.Lines(f, withPc: false)));
        foreach (var op in new[] { "v128.load", "v128.store", "i32x4.add", "i8x16.add_sat_s", "i64x2.mul", "f32x4.mul", "i32x4.trunc_sat_f32x4_s" })
            Assert.Contains(op + " ", code);
    }

    /// <summary>A readable account of the first difference between two large outputs.</summary>
    private static string Diff(string what, string expected, string actual, string stderr)
    {
        int i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i]) i++;
        string Around(string s) => s.Substring(Math.Max(0, i - 80), Math.Min(s.Length, i + 80) - Math.Max(0, i - 80));
        return $"{what} differs at character {i} (native {expected.Length} chars, wasm {actual.Length}):\n" +
               $"native: ...{Around(expected)}...\nwasm:   ...{Around(actual)}...\nwasm stderr: {stderr}";
    }
}
