using WasmSharp.Cli.Commands;

namespace WasmSharp.Tests.Wasi;

/// <summary>The wasmsharp command line around WASI: argument passing, exit codes, errors, inspect, help.</summary>
public class CliTests
{
    [Theory]
    [InlineData(new[] { "run", "p.wasm" }, new[] { "run", "p.wasm" })]
    [InlineData(new[] { "run", "p.wasm", "-v", "--dir", "x" }, new[] { "run", "p.wasm", "--", "-v", "--dir", "x" })]
    [InlineData(new[] { "run", "--dir", "a::/", "--env", "X=1", "p.wasm", "b" },
        new[] { "run", "--dir", "a::/", "--env", "X=1", "p.wasm", "--", "b" })]
    [InlineData(new[] { "run", "--dir=a", "--invoke", "f", "p.wasm", "-5" },
        new[] { "run", "--dir=a", "--invoke", "f", "p.wasm", "--", "-5" })]
    [InlineData(new[] { "run", "--", "p.wasm", "x" }, new[] { "run", "--", "p.wasm", "x" })]
    [InlineData(new[] { "validate", "p.wasm" }, new[] { "validate", "p.wasm" })]
    public void ProgramArgumentsAreSeparated(string[] input, string[] expected) =>
        Assert.Equal(expected, RunVerb.SeparateProgramArguments(input));

    [Fact]
    public void ProgramGetsOptionLikeArguments()
    {
        var r = TestPrograms.RunCli(["run", TestPrograms.Wasm("args"), "--help", "--dir", "-x"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("argc=4\nargv[1]=[--help]\nargv[2]=[--dir]\nargv[3]=[-x]\n", r.StdoutText);
    }

    [Fact]
    public void EnvOptionSetsVariables()
    {
        var r = TestPrograms.RunCli(["run", "--env", "GREETING=hi there", "--env", "EMPTY=", TestPrograms.Wasm("env")]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("GREETING=hi there\nEMPTY=\n", r.StdoutText);
        Assert.Contains("2 variables\n", r.StdoutText);
    }

    [Fact]
    public void MissingDirectoryIsAOneLineError()
    {
        var r = TestPrograms.RunCli(["run", "--dir", "/no/such/dir::/", TestPrograms.Wasm("args")]);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: cannot open directory '/no/such/dir': no such directory\n", r.StderrText);
    }

    [Fact]
    public void MissingFileIsAOneLineError()
    {
        var r = TestPrograms.RunCli(["run", "/no/such/program.wasm"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.StderrText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void InspectListsSectionsImportsAndLimits()
    {
        var r = TestPrograms.RunCli(["inspect", TestPrograms.Wasm("files")]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("sections:", r.StdoutText);
        Assert.Matches(@"  code +offset 0x[0-9a-f]{8}  size +\d+", r.StdoutText);
        Assert.Contains("custom \".debug_info\"", r.StdoutText);
        Assert.Contains("custom \"name\"", r.StdoutText);
        Assert.Contains("wasi_snapshot_preview1.path_open: func (i32, i32, i32, i32, i32, i64, i64, i32, i32) -> (i32)", r.StdoutText);
        Assert.Contains("_start: func[", r.StdoutText);
        Assert.Matches(@"memory\[0\]: min \d+ pages", r.StdoutText);
        Assert.Matches(@"table\[0\]: funcref, min \d+", r.StdoutText);
    }

    [Fact]
    public void ValidateAcceptsAProgram()
    {
        var r = TestPrograms.RunCli(["validate", TestPrograms.Wasm("files")]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("valid\n", r.StdoutText);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("validate")]
    [InlineData("inspect")]
    [InlineData("wast")]
    public void EveryCommandHasHelp(string verb)
    {
        var r = TestPrograms.RunCli([verb, "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.StdoutText);
    }
}

/// <summary>How traps are reported.</summary>
public class TrapReportTests
{
    [Fact]
    public void ShortBacktraceIsPrintedWhole()
    {
        var trap = new TrapException(TrapCode.IntegerDivideByZero) { WasmBacktrace = ["div", "main", "_start"] };
        Assert.Equal("error: trap: integer divide by zero\nwasm backtrace:\n    0: div\n    1: main\n    2: _start\n",
            Errors.DescribeTrap(trap));
    }

    [Fact]
    public void DeepBacktraceLeavesOutTheMiddle()
    {
        var frames = Enumerable.Range(0, 5000).Select(i => $"f{i}").ToArray();
        var lines = Errors.DescribeTrap(new TrapException(TrapCode.CallStackExhausted) { WasmBacktrace = frames })
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 + 40 + 1 + 10, lines.Length);
        Assert.Equal("   39: f39", lines[41]);
        Assert.Equal("  ... 4950 more frames ...", lines[42]);
        Assert.Equal("  4999: f4999", lines[^1]);
    }
}
