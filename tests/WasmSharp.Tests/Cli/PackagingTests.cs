using System.IO.Compression;
using System.Xml.Linq;
using WasmSharp.Tests.Wasi;

namespace WasmSharp.Tests.Cli;

/// <summary>
/// WasmSharp as a .NET user gets it: NuGet packages of the libraries, the command as a .NET tool installed from
/// them and running the README's sample, and the published command. One class, so its pack and publish steps
/// (which share the CLI's obj folder) never run at the same time.
/// </summary>
public sealed class PackagingTests : IDisposable
{
    private readonly TestPrograms.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The configuration these tests were built in (bin/CONFIG/net10.0), which pack and publish reuse
    /// with --no-build.</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static ProcessResult DotNet(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var r = TestPrograms.Run("dotnet", args, environment, TestPrograms.RepositoryRoot, stdin: null, TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed ({r.ExitCode}):\n{r.StdoutText}{r.StderrText}");
        return r;
    }

    /// <summary>The process's environment with some variables replaced.</summary>
    private static Dictionary<string, string> Environment(params (string Name, string Value)[] changes)
    {
        var env = System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        foreach (var (name, value) in changes) env[name] = value;
        return env;
    }

    private string Pack()
    {
        var packages = _dir.Sub("packages");
        DotNet(["pack", "WasmSharp.slnx", "-c", Configuration, "--no-build", "-o", packages, "-nologo"]);
        return packages;
    }

    /// <summary>The one package of this id (not a longer id that starts the same) in the folder.</summary>
    private static string Package(string folder, string id, string extension) =>
        Directory.GetFiles(folder, $"{id}.*.{extension}").Single(f => char.IsAsciiDigit(Path.GetFileName(f)[id.Length + 1]));

    private static XElement Metadata(string nupkg, string id)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        using var nuspec = zip.GetEntry(id + ".nuspec")!.Open();
        var root = XDocument.Load(nuspec).Root!;
        return root.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Field(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    [Fact]
    public void LibrariesAndTheToolArePackedWithMetadataDocsAndSymbols()
    {
        var packages = Pack();
        // Only the shipped projects, each with its symbol package: no tests, benchmarks or runners.
        var ids = Directory.GetFiles(packages).Select(f => System.Text.RegularExpressions.Regex.Match(Path.GetFileName(f), @"^(.+?)\.\d+\.\d+\.\d+.*\.(s?nupkg)$"))
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").Order(StringComparer.Ordinal);
        Assert.Equal(["WasmSharp nupkg", "WasmSharp snupkg", "WasmSharp.Cli nupkg", "WasmSharp.Cli snupkg", "WasmSharp.Wasi nupkg", "WasmSharp.Wasi snupkg"], ids);
        foreach (var id in new[] { "WasmSharp", "WasmSharp.Wasi", "WasmSharp.Cli" })
        {
            var nupkg = Package(packages, id, "nupkg");
            Package(packages, id, "snupkg");
            var metadata = Metadata(nupkg, id);
            Assert.Equal("MIT", Field(metadata, "license"));
            Assert.Equal("README.md", Field(metadata, "readme"));
            Assert.False(string.IsNullOrWhiteSpace(Field(metadata, "description")));
            // Source Link's record of where the code came from: the commit, read from the clone with no network.
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")!.Value);

            using var zip = ZipFile.OpenRead(nupkg);
            var entries = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("README.md", entries);
            if (id == "WasmSharp.Cli")
            {
                Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
                Assert.DoesNotContain(entries, e => e.EndsWith("/wasmsharp", StringComparison.Ordinal) || e.EndsWith("/WasmSharp.Cli", StringComparison.Ordinal));
            }
            else
            {
                Assert.Contains($"lib/net10.0/{id}.dll", entries);
                Assert.Contains($"lib/net10.0/{id}.xml", entries);
            }
        }
    }

    [Fact]
    public void TheInstalledToolRunsTheSample()
    {
        var packages = Pack();
        // Only the packed folder as a source, and a fresh package cache, so that nothing installed earlier (an
        // older build of the same version) stands in for this build.
        var config = Path.Combine(_dir.Path, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources><clear /><add key="packed" value="{packages}" /></packageSources>
            </configuration>
            """);
        var tools = Path.Combine(_dir.Path, "tools");
        var version = Path.GetFileName(Package(packages, "WasmSharp.Cli", "nupkg"))["WasmSharp.Cli.".Length..^".nupkg".Length];
        DotNet(["tool", "install", "WasmSharp.Cli", "--version", version, "--tool-path", tools, "--configfile", config],
            Environment(("NUGET_PACKAGES", _dir.Sub("nuget-cache"))));
        var wasmsharp = Path.Combine(tools, "wasmsharp");
        Assert.True(File.Exists(wasmsharp), "the tool's command is wasmsharp");

        // The sample as scripts/run-sample.sh runs it, through the installed command; README.md shows what it prints.
        var work = _dir.Sub("examples");
        var wasm = Path.Combine(work, "hello.wasm");
        var cc = TestPrograms.Run(Path.Combine(TestPrograms.RepositoryRoot, "scripts", "wasi-cc"),
            ["-O2", "-o", wasm, Path.Combine(TestPrograms.RepositoryRoot, "examples", "hello.c")], null,
            TestPrograms.RepositoryRoot, null, TimeSpan.FromMinutes(2));
        Assert.True(cc.ExitCode == 0, cc.StderrText);
        Directory.CreateDirectory(Path.Combine(work, "data"));
        var r = TestPrograms.Run(wasmsharp, ["run", "--dir", "data::/data", "--env", "GREETING=Hello", "hello.wasm", "World"],
            null, work, null, TimeSpan.FromMinutes(2));
        Assert.Equal(0, r.ExitCode);
        var shown = ReadmeSampleOutput();
        Assert.StartsWith("wasmsharp run --dir artifacts/examples/data::/data --env GREETING=Hello artifacts/examples/hello.wasm World\n", shown);
        Assert.Equal(shown[(shown.IndexOf('\n') + 1)..], r.StdoutText);
    }

    [Fact]
    public void PublishedOutputHoldsTheWasmsharpExecutable()
    {
        var output = _dir.Sub("publish");
        DotNet(["publish", "src/WasmSharp.Cli", "-c", Configuration, "--no-build", "-o", output, "-nologo"]);
        Assert.False(File.Exists(Path.Combine(output, "WasmSharp.Cli")), "no executable named after the assembly");
        var r = TestPrograms.Run(Path.Combine(output, "wasmsharp"), ["--help"], null, output, null, TimeSpan.FromMinutes(1));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:\n  wasmsharp [command] [options]", r.StdoutText);
    }

    [Fact]
    public void TheSampleScriptPrintsWhatTheReadmeShows()
    {
        // README.md's first command for a fresh machine; it builds the CLI, so it runs in this class (never beside
        // a pack or publish).
        var r = TestPrograms.Run("bash", [Path.Combine(TestPrograms.RepositoryRoot, "scripts", "run-sample.sh")], null,
            TestPrograms.RepositoryRoot, null, TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, r.StderrText);
        Assert.Equal(ReadmeSampleOutput(), r.StdoutText);
    }

    /// <summary>The block README.md shows after "which prints", unindented.</summary>
    private static string ReadmeSampleOutput()
    {
        var lines = File.ReadAllLines(Path.Combine(TestPrograms.RepositoryRoot, "README.md"));
        int start = Array.IndexOf(lines, "which prints") + 2;
        Assert.True(start >= 2, "README.md shows the sample's output after a line \"which prints\"");
        return string.Concat(lines[start..].TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l[4..] + "\n"));
    }
}
