namespace WasmSharp.Bench.Tests;

public class SummaryTests
{
    private static BenchResults Results(params RunRecord[] runs)
    {
        var results = new BenchResults
        {
            Started = DateTimeOffset.UnixEpoch,
            Finished = DateTimeOffset.UnixEpoch,
            Mode = "test",
            Metric = "wall",
            CommandLine = "bench/run",
            MeasuredRuns = 3,
            Warmups = 1,
            Machine = new MachineInfo
            {
                Cpu = "cpu", Cores = 2, LoadAverageBefore = "0.5 0.5 0.5", Kernel = "k", Dotnet = "d", Node = "n",
                Wasmtime = "w", Clang = "c", Gcc = "g", Commit = "x",
            },
            Engines = [new("wasmtime", "", null), new("wasmsharp", "", null)],
            Programs = [new ProgramSpec("p", "", "1", "ok")],
            OptLevels = ["O2"],
        };
        results.Runs.AddRange(runs);
        return results;
    }

    private static RunRecord Run(string program, string engine, double wall, double cpu = 0, bool warmup = false, bool verified = true) => new()
    {
        Program = program, Engine = engine, Opt = "O2", Arg = "1", Round = 0, Warmup = warmup, WallMs = wall,
        UserMs = cpu, SysMs = 0, MaxRssKb = 1024, ExitCode = 0, Verified = verified, Error = verified ? null : "checksum mismatch",
    };

    [Fact]
    public void Median_of_odd_and_even_counts()
    {
        Assert.Equal(2, Summary.Median([3, 1, 2]));
        Assert.Equal(2.5, Summary.Median([4, 1, 2, 3]));
        Assert.True(double.IsNaN(Summary.Median([])));
    }

    [Fact]
    public void Geometric_mean_ignores_missing_ratios()
    {
        Assert.Equal(4, Summary.GeometricMean([2, 8, double.NaN]), 9);
    }

    [Fact]
    public void Net_time_is_the_median_minus_the_engines_floor_and_warmups_are_left_out()
    {
        var s = new Summary(Results(
            Run("empty", "wasmtime", 100), Run("empty", "wasmtime", 110), Run("empty", "wasmtime", 90),
            Run("p", "wasmtime", 1000, warmup: true),
            Run("p", "wasmtime", 300), Run("p", "wasmtime", 320), Run("p", "wasmtime", 310)), "wall");
        Assert.Equal(100, s.Floor("wasmtime", "O2"));
        Assert.Equal(210, s.Net("p", "wasmtime", "O2"));
    }

    [Fact]
    public void Ratio_divides_net_times_and_refuses_bases_below_the_minimum()
    {
        var s = new Summary(Results(
            Run("empty", "wasmtime", 100), Run("empty", "wasmsharp", 150),
            Run("p", "wasmtime", 150), Run("p", "wasmsharp", 650),
            Run("q", "wasmtime", 105), Run("q", "wasmsharp", 400)), "wall");
        Assert.Equal(10, s.Ratio("p", "wasmsharp", "O2", "wasmtime", "O2"), 9);
        Assert.True(double.IsNaN(s.Ratio("q", "wasmsharp", "O2", "wasmtime", "O2"))); // base 5 ms net < minimum
        var (mean, count) = s.MeanRatio(["p", "q"], "wasmsharp", "O2", "wasmtime", "O2");
        Assert.Equal(10, mean, 9);
        Assert.Equal(1, count);
    }

    [Fact]
    public void Cpu_metric_uses_user_plus_system_time()
    {
        var s = new Summary(Results(Run("empty", "wasmtime", 500, cpu: 80), Run("p", "wasmtime", 900, cpu: 120)), "cpu");
        Assert.Equal(40, s.Net("p", "wasmtime", "O2"));
    }

    [Fact]
    public void A_failed_measured_run_makes_the_figure_missing()
    {
        var s = new Summary(Results(Run("empty", "wasmtime", 100), Run("p", "wasmtime", 300), Run("p", "wasmtime", 300, verified: false)), "wall");
        Assert.StartsWith("checksum", s.Status("p", "wasmtime", "O2"));
        Assert.True(double.IsNaN(s.Time("p", "wasmtime", "O2")));
        Assert.Single(s.FailedRuns);
    }

    [Fact]
    public void The_report_gives_each_engines_O0_slowdown_over_its_own_O2()
    {
        static RunRecord At(string program, string engine, string opt, double wall) => Run(program, engine, wall) with { Opt = opt };
        var results = Results(
            At("empty", "wasmtime", "O2", 100), At("empty", "wasmtime", "O0", 100), At("empty", "wasmsharp", "O2", 200), At("empty", "wasmsharp", "O0", 200),
            At("p", "wasmtime", "O2", 200), At("p", "wasmtime", "O0", 400), At("p", "wasmsharp", "O2", 1200), At("p", "wasmsharp", "O0", 1700));
        results.OptLevels.Clear();
        results.OptLevels.AddRange(["O2", "O0"]);
        string md = MarkdownReport.Write(results, null);
        int at = md.IndexOf("## Unoptimised code", StringComparison.Ordinal);
        Assert.True(at >= 0, md);
        // wasmtime (400 - 100) / (200 - 100) = 3; wasmsharp (1700 - 200) / (1200 - 200) = 1.5
        Assert.Contains("| p | 3.00 (–) | 1.50 (–) |", md[at..]);
        Assert.Contains("| **geometric mean** | **3.00 (–)** | **1.50 (–)** |", md[at..]);
    }

    [Fact]
    public void The_report_gives_each_engines_SIMD_speed_up_over_its_own_O2()
    {
        static RunRecord At(string program, string engine, string opt, double wall, double cpu) => Run(program, engine, wall, cpu) with { Opt = opt };
        var results = Results(
            At("empty", "wasmtime", "O2", 100, 80), At("empty", "wasmtime", "O2-simd", 100, 80),
            At("empty", "wasmsharp", "O2", 200, 150), At("empty", "wasmsharp", "O2-simd", 200, 150),
            At("p", "wasmtime", "O2", 500, 480), At("p", "wasmtime", "O2-simd", 200, 180),
            At("p", "wasmsharp", "O2", 1200, 1150), At("p", "wasmsharp", "O2-simd", 1450, 1400));
        results.OptLevels.Clear();
        results.OptLevels.AddRange(["O2", "O2-simd"]);
        string md = MarkdownReport.Write(results, null);
        int at = md.IndexOf("## SIMD", StringComparison.Ordinal);
        Assert.True(at >= 0, md);
        Assert.DoesNotContain("## Unoptimised code", md);
        // wall: wasmtime (500 - 100) / (200 - 100) = 4, wasmsharp (1200 - 200) / (1450 - 200) = 0.8 (slower with SIMD);
        // CPU in parentheses: (480 - 80) / (180 - 80) = 4, (1150 - 150) / (1400 - 150) = 0.8
        Assert.Contains("| p | 4.00 (4.00) | 0.80 (0.80) |", md[at..]);
        Assert.Contains("| **geometric mean** | **4.00 (4.00)** | **0.80 (0.80)** |", md[at..]);
    }

    [Fact]
    public void The_SIMD_table_needs_both_builds()
    {
        var results = Results(Run("empty", "wasmtime", 100), Run("p", "wasmtime", 300), Run("empty", "wasmsharp", 100), Run("p", "wasmsharp", 900));
        Assert.DoesNotContain("## SIMD", MarkdownReport.Write(results, null));
    }

    [Fact]
    public void The_per_program_figure_gives_compile_times_and_what_a_cache_hit_adds()
    {
        static StartupRecord Compile(string engine, double[] ms, bool hit = false) => new()
        {
            Module = "p", Opt = "O2", Engine = engine, Bytes = 2048, Round = 0, CompileMs = ms, WallMs = 0, MaxRssKb = 0, CacheHit = hit,
        };
        var results = Results(Run("empty", "wasmtime", 100), Run("p", "wasmtime", 300));
        results.ProgramStartup.AddRange([
            Compile("wasmtime", [50, 20, 22]),
            Compile("wasmsharp", [60, 10, 12]),
            Compile("wasmsharp:llvm", [900, 700, 760]),
            Compile("wasmsharp:llvm", [85, 30, 31], hit: true),
        ]);
        var s = new Summary(results, "wall");
        // After the first (JIT) compile: medians of 20,22 / 700,760; the hit is the fresh process's first load.
        Assert.Equal(21, s.ProgramCompile("p", "O2", "wasmtime"));
        Assert.Equal(730, s.ProgramCompile("p", "O2", "wasmsharp:llvm"));
        Assert.Equal(85, s.ProgramFirst("p", "O2", "wasmsharp:llvm", hit: true));
        Assert.Equal(60, s.ProgramFirst("p", "O2", "wasmsharp"));
        string md = MarkdownReport.Write(results, null);
        Assert.Contains("| p | O2 | 2 | 21 | 11 | 730 | 60 | 85 |", md);
        Assert.Contains("A cache hit on wasmsharp:llvm adds 25 ms", md);
        Assert.Contains("wasmsharp:llvm 34.8", md);
    }
}
