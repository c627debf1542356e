using System.Text;

namespace WasmSharp.Tests.Wasi;

/// <summary>
/// Each C program of tests/programs runs natively and on wasmsharp (<c>wasmsharp run --dir TMP::.</c>) with the
/// same arguments, environment and standard input, each in its own fresh temporary directory; stdout, stderr,
/// the exit code and the files the program leaves behind must all be the same.
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
        string nativeDir = tmp.Sub("native"), wasmDir = tmp.Sub("wasm");
        var native = TestPrograms.RunNative(program, args, TestEnvironment, nativeDir, stdin);
        var wasm = TestPrograms.RunWasm(program, args, TestEnvironment, wasmDir, ".", stdin);

        Assert.True(native.StdoutText == wasm.StdoutText, Diff("stdout", native.StdoutText, wasm.StdoutText, wasm.StderrText));
        Assert.Equal(native.StderrText, wasm.StderrText);
        Assert.Equal(native.ExitCode, wasm.ExitCode);
        Assert.Equal(TestPrograms.Snapshot(nativeDir), TestPrograms.Snapshot(wasmDir));
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
