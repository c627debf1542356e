namespace WasmSharp.Tests.Wasi;

/// <summary>
/// tests/programs/sandbox.c tries every way out of its preopened directory (.., absolute paths, symlinks it
/// creates, chains and loops of them, renames and links out, raw WASI calls with unnormalised paths, bad
/// pointers). Each attempt must fail with the errno in sandbox.expected, and nothing outside may change.
/// </summary>
public class SandboxTests
{
    [Fact]
    public void NoPathLeavesThePreopenedDirectory()
    {
        using var tmp = new TestPrograms.TempDirectory();
        string root = tmp.Sub("root");
        string outside = tmp.Sub("outside");
        File.WriteAllText(Path.Combine(outside, "secret"), "top secret\n");
        Directory.CreateDirectory(Path.Combine(outside, "dir"));
        File.WriteAllText(Path.Combine(outside, "dir", "file"), "more\n");
        var outsideBefore = TestPrograms.Snapshot(outside);
        var timesBefore = Directory.EnumerateFileSystemEntries(outside, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, File.GetLastWriteTimeUtc);

        var result = TestPrograms.RunWasm("sandbox", [], new Dictionary<string, string>(), root, ".", null);

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}: {result.StderrText}");
        var expected = File.ReadAllText(Path.Combine(TestPrograms.SourceDirectory, "sandbox.expected"));
        Assert.Equal(expected, result.StdoutText);
        Assert.Equal(outsideBefore, TestPrograms.Snapshot(outside));
        foreach (var (path, time) in timesBefore) Assert.Equal(time, File.GetLastWriteTimeUtc(path));
        // Nothing new beside the two directories either.
        Assert.Equal(new[] { "outside", "root" }, Directory.EnumerateFileSystemEntries(tmp.Path).Select(Path.GetFileName).Order());
        // The guest's own symlinks exist inside, unresolved.
        Assert.Equal("../../outside/secret", new FileInfo(Path.Combine(root, "moved")).LinkTarget);
    }

    [Fact]
    public void EveryEscapeAttemptIsReported()
    {
        var expected = File.ReadAllLines(Path.Combine(TestPrograms.SourceDirectory, "sandbox.expected"));
        // Sanity check of the expectations themselves: every attempt at an outside path failed.
        foreach (var line in expected.Where(l => l.Contains("outside") || l.Contains("..")))
        {
            if (line.Contains("symlink") && !line.Contains("open")) continue; // creating a link is allowed
            if (line.StartsWith("raw open sub/../inside.txt") || line.StartsWith("  target")) continue;
            Assert.DoesNotContain(": OK", line);
        }
    }
}
