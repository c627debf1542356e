namespace WasmSharp.Bench.Tests;

public class ManifestTests
{
    private static readonly RepoPaths Paths = RepoPaths.Find(AppContext.BaseDirectory);

    [Fact]
    public void Every_program_source_is_in_the_manifest_with_a_checksum_for_both_sizes()
    {
        var sources = Directory.GetFiles(Paths.Programs, "*.c").Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => n != Manifest.Floor.Name).Order().ToList();
        foreach (bool quick in new[] { false, true })
        {
            var programs = Manifest.ReadPrograms(Paths.ProgramManifest, quick);
            Assert.Equal(sources, programs.Select(p => p.Name).Order().ToList());
            Assert.All(programs, p =>
            {
                Assert.NotEmpty(p.Arg);
                Assert.NotEmpty(p.ExpectedOutput);
            });
        }
    }

    [Fact]
    public void Quick_sizes_differ_from_full_sizes()
    {
        var full = Manifest.ReadPrograms(Paths.ProgramManifest, quick: false);
        var quick = Manifest.ReadPrograms(Paths.ProgramManifest, quick: true);
        Assert.All(full.Zip(quick), pair => Assert.NotEqual(pair.First.Arg, pair.Second.Arg));
    }

    [Fact]
    public void Startup_modules_name_a_package_version_and_a_file()
    {
        var modules = Manifest.ReadStartupModules(Paths.StartupManifest);
        Assert.Contains(modules, m => m.Quick);
        Assert.All(modules, m =>
        {
            Assert.Matches(@"^(@[\w.-]+/)?[\w.-]+@\d+\.\d+\.\d+$", m.Package);
            Assert.EndsWith(".wasm", m.File);
        });
    }

    [Fact]
    public void Every_build_the_harness_accepts_is_made_by_build_programs()
    {
        // The harness reads artifacts/bench/wasm-NAME/ for each build NAME; the script names its flags by build.
        string script = File.ReadAllText(Path.Combine(Paths.Root, "bench", "build-programs.sh"));
        Assert.All(ExecutionBenchmark.WasmBuilds, build => Assert.Contains($"[{build}]=", script));
    }

    [Fact]
    public void Engine_names_resolve_and_unknown_ones_are_refused()
    {
        foreach (var name in EngineCatalog.Default) Assert.Equal(name, EngineCatalog.Create(name, Paths).Name);
        var later = EngineCatalog.Create("wasmsharp:llvm", Paths);
        Assert.Contains("--engine", later.RunCommand("f.wasm", ["1"]));
        Assert.Throws<ArgumentException>(() => EngineCatalog.Create("wasm3", Paths));
    }
}
