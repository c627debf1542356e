using WasmSharp.Tests.Wasi;

namespace WasmSharp.Tests.Cli;

/// <summary>What a user meets at the command line: the command's name, and errors that name the actual problem.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TestPrograms.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The command failed (exit code 1) saying <paramref name="expected"/>, and not <paramref name="wrong"/>.</summary>
    private static void AssertError(ProcessResult r, string expected, string? wrong = null)
    {
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.StderrText);
        if (wrong is not null) Assert.DoesNotContain(wrong, r.StderrText);
    }

    [Theory]
    [InlineData(new string[0], "wasmsharp [command] [options]")]
    [InlineData(new[] { "run" }, "wasmsharp run <FILE> [<ARGS>...] [options]")]
    [InlineData(new[] { "explore" }, "wasmsharp explore <FILE> [options]")]
    public void HelpNamesTheCommandWasmsharp(string[] verb, string usage)
    {
        var r = TestPrograms.RunCli([.. verb, "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"Usage:\n  {usage}\n", r.StdoutText);
        Assert.DoesNotContain("WasmSharp.Cli", r.StdoutText);
    }

    [Fact]
    public void TheReadmeListsEveryCommand()
    {
        var readme = File.ReadAllText(Path.Combine(TestPrograms.RepositoryRoot, "README.md"));
        var listed = System.Text.RegularExpressions.Regex.Matches(readme, @"^    wasmsharp ([a-z0-9]+) ", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet();
        var commands = WasmSharp.Cli.Program.CreateRoot().Subcommands.Select(c => c.Name).ToArray();
        Assert.NotEmpty(commands);
        Assert.All(commands, c => Assert.Contains(c, listed));
    }

    [Fact]
    public void VersionIsPrinted()
    {
        var r = TestPrograms.RunCli(["--version"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", r.StdoutText);
    }

    [Fact]
    public void ADirectoryIsSaidToBeOne()
    {
        foreach (var verb in new[] { "run", "validate", "inspect", "explore" })
        {
            var r = TestPrograms.RunCli([verb, _dir.Path]);
            AssertError(r, $"'{_dir.Path}' is a directory, not a module file", "denied");
        }
    }

    [Theory]
    [InlineData("run", "--bogus")]
    [InlineData("validate", "--bogus")]
    [InlineData("inspect", "-x")]
    [InlineData("explore", "--bogus")]
    [InlineData("run", "--version")]
    public void AnUnknownOptionBeforeTheFileIsReportedAsOne(string verb, string option)
    {
        var module = Write("m.wasm", "");
        var r = TestPrograms.RunCli([verb, option, module]);
        AssertError(r, $"Unrecognized option '{option}'", "Could not find file");
    }

    [Fact]
    public void VersionAfterRunPointsToTheRootOption()
    {
        var r = TestPrograms.RunCli(["run", "--version"]);
        AssertError(r, "'wasmsharp --version' prints the version");
    }

    [Fact]
    public void ProgramArgumentsThatLookLikeOptionsStillReachTheProgram()
    {
        // Only tokens before FILE are the command's: this one is the program's, and the module is not found.
        var r = TestPrograms.RunCli(["run", Path.Combine(_dir.Path, "missing.wasm"), "--bogus"]);
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain("Unrecognized option", r.StderrText);
        Assert.Contains("missing.wasm", r.StderrText);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public void ExploreRejectsAFunctionThatIsNotAnIndex(string index)
    {
        var r = TestPrograms.RunCli(["explore", "-f", index, Write("m.wasm", "")]);
        AssertError(r, $"--function takes a function index (0, 1, 2, ...), not '{index}'", "Nullable");
    }

    [Theory]
    [InlineData("(module)\n")]
    [InlineData("\uFEFF  ;; a comment\n(module (func))")]
    [InlineData("(func (export \"f\"))")]
    public void TextFormatFilesAreRead(string text)
    {
        var path = Write("m.wat", text);
        foreach (var verb in new[] { "validate", "inspect" })
        {
            var r = TestPrograms.RunCli([verb, path]);
            Assert.True(r.ExitCode == 0, r.StderrText);
        }
        Assert.Equal("valid\n", TestPrograms.RunCli(["validate", path]).StdoutText);
    }

    [Fact]
    public void FeaturesChooseWhatIsValidBeyondWasm20()
    {
        var path = Write("two.wat", "(module (memory 1) (memory 1))");
        Assert.Equal("valid\n", TestPrograms.RunCli(["validate", path]).StdoutText);
        Assert.Equal("valid\n", TestPrograms.RunCli(["validate", "--features", "multi-memory", path]).StdoutText);
        AssertError(TestPrograms.RunCli(["validate", "--features", "none", path]), "multiple memories");
        AssertError(TestPrograms.RunCli(["validate", "--features", "threads", path]), "unknown feature 'threads'");
    }

    [Fact]
    public void MalformedTextSaysWhereAndWhy()
    {
        var path = Write("m.wat", "\n\t(frobnicate)");
        foreach (var verb in new[] { "run", "validate", "inspect", "explore", "wat2wasm", "wasm2wat" })
            AssertError(TestPrograms.RunCli([verb, path]), "malformed text at 2:3: unknown operator frobnicate");
    }

    [Fact]
    public void Wat2WasmRefusesAnInvalidModuleUnlessTold()
    {
        var path = Write("bad.wat", "(module (func (result i32) (i64.const 1)))");
        var output = Path.Combine(_dir.Path, "bad.wasm");
        AssertError(TestPrograms.RunCli(["wat2wasm", path, "-o", output]), "invalid module: type mismatch");
        Assert.False(File.Exists(output));
        var r = TestPrograms.RunCli(["wat2wasm", "--no-check", path, "-o", output]);
        Assert.True(r.ExitCode == 0, r.StderrText);
        Assert.Throws<InvalidModuleException>(() => Module.FromBytes(File.ReadAllBytes(output)));
    }

    [Fact]
    public void Wat2WasmWritesTheBinaryModule()
    {
        var path = Write("m.wat", "(module (func (export \"answer\") (result i32) (i32.const 42)))");
        var output = Path.Combine(_dir.Path, "out.wasm");
        var r = TestPrograms.RunCli(["wat2wasm", path, "-o", output]);
        Assert.True(r.ExitCode == 0, r.StderrText);
        var module = Module.FromBytes(File.ReadAllBytes(output));
        using var store = new Store();
        var instance = new Linker().Instantiate(store, module);
        Assert.Equal(42, instance.GetFunction("answer")!.Invoke()[0].AsI32());
    }

    [Fact]
    public void OtherBadMagicIsNotCalledText()
    {
        var r = TestPrograms.RunCli(["validate", Write("m.bin", "not wasm")]);
        AssertError(r, "magic header not detected", "text format");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void WastNeedsAtLeastOneJob(string jobs)
    {
        var r = TestPrograms.RunCli(["wast", "-j", jobs, Write("a.wast", "(module)")]);
        AssertError(r, "--jobs must be at least 1");
    }

    [Fact]
    public void WastHelpStatesTheJobsDefaultOnce()
    {
        var r = TestPrograms.RunCli(["wast", "--help"]);
        var line = r.StdoutText.Split('\n').Single(l => l.Contains("--jobs"));
        Assert.Contains("(default: the number of processors)", line);
        Assert.DoesNotContain("[default:", line);
    }
}
