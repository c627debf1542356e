using System.Globalization;
using System.Text;

namespace WasmSharp.Bench;

/// <summary>Writes the report: execution times and ratios, start-up, peak memory, verification.</summary>
internal static class MarkdownReport
{
    public const string Baseline = "wasmtime";
    public const string Native = "native";

    public static string Write(BenchResults results, string? chartFile)
    {
        var s = new Summary(results, results.Metric);
        var md = new StringBuilder();
        string metric = results.Metric == "cpu" ? "CPU time (user + system)" : "wall time";
        var m = results.Machine;
        md.AppendLine($"# WasmSharp benchmarks ({results.Mode})");
        md.AppendLine();
        md.AppendLine($"{results.Started:yyyy-MM-dd HH:mm} to {results.Finished:HH:mm} UTC, commit `{m.Commit}`. " +
                      $"{m.Cpu}, {m.Cores} cores, load average {m.LoadAverageBefore} before and {m.LoadAverageAfter} after " +
                      "(other work on the machine makes every figure noisier).");
        md.AppendLine($"Tools: {m.Dotnet}; node {m.Node}; {m.Wasmtime}; {m.Clang}; {m.Gcc}; {m.Kernel}. Command: `{results.CommandLine}`.");
        md.AppendLine();
        if (Busy(m))
        {
            md.AppendLine($"**The machine was busy (load average {m.LoadAverageBefore.Split(' ')[0]} on {m.Cores} cores): wall " +
                          "times of short runs were dominated by waiting for a CPU, so their wall-time ratios are noise. " +
                          "Read the CPU-time figures.**");
            md.AppendLine();
        }
        md.AppendLine($"Each program ran {results.MeasuredRuns} times per engine and build after {results.Warmups} discarded " +
                      "warm-up run(s), each run in a new process, engines interleaved run by run, every engine given the " +
                      $"same .wasm file and argument. A time is the median {metric} of a whole process run minus the " +
                      "engine's *floor* (the median of a program that only prints a line, on the same engine and build: " +
                      "process and runtime start-up), so it measures execution. Ratios divide these net times; below 1 " +
                      $"is faster than the base; \"–\" where the base ran under {Summary.MinBaseMs:F0} ms net (start-up noise).");
        md.AppendLine();
        md.AppendLine("Engines:");
        foreach (var e in results.Engines)
            md.AppendLine($"- `{e.Name}`: {e.Description}" + (e.Unavailable is null ? "" : $" — **n/a: {e.Unavailable}**"));
        md.AppendLine();
        foreach (var note in results.Notes) md.AppendLine($"- Note: {note}");
        if (results.Notes.Count > 0) md.AppendLine();

        var engines = results.Engines.Select(e => e.Name).ToList();
        var available = results.Engines.Where(e => e.Unavailable is null).Select(e => e.Name).ToHashSet();
        var programs = results.Programs.Select(p => p.Name).ToList();
        if (results.Runs.Count > 0)
        {
            Headline(md, results, engines, available, programs);
            Unoptimised(md, s, results, engines, available, programs);
            Simd(md, s, results, engines, available, programs);
            Execution(md, s, results, engines, available, programs);
            if (chartFile is not null) md.AppendLine($"![ratio to Wasmtime]({chartFile})").AppendLine();
            Memory(md, s, results, engines, available, programs);
        }
        if (results.ProgramStartup.Count > 0) ProgramStartup(md, s, results);
        if (results.Startup.Count > 0) Startup(md, s, results);
        Verification(md, s, results);
        return md.ToString();
    }

    /// <summary>More runnable work than 3/4 of the cores when the run started.</summary>
    private static bool Busy(MachineInfo m) =>
        double.TryParse(m.LoadAverageBefore.Split(' ')[0], System.Globalization.NumberStyles.Float, CultureInfo.InvariantCulture, out double load)
        && load > 0.75 * m.Cores;

    private static string OptOf(string engine, string opt) => engine == Native ? ExecutionBenchmark.NativeOpt : opt;

    /// <summary>Geometric means of the ratios by both metrics: where each engine stands, in one table.</summary>
    private static void Headline(StringBuilder md, BenchResults results, List<string> engines, HashSet<string> available,
        List<string> programs)
    {
        var wall = new Summary(results, "wall");
        var cpu = new Summary(results, "cpu");
        md.AppendLine("## Summary: geometric mean over the programs of the net-time ratios");
        md.AppendLine();
        md.AppendLine("Wall time is what a user waits; CPU time (user + system) is steadier when other work shares the " +
                      "machine, but adds up background threads (JIT tiers, parallel compilation). (n) counts the " +
                      "programs with a ratio.");
        md.AppendLine();
        Header(md, ["engine", "build", "÷ Wasmtime, wall", "÷ Wasmtime, CPU", "÷ native, wall", "÷ native, CPU"]);
        foreach (var e in engines.Where(e => e != Native))
            foreach (var opt in results.OptLevels)
            {
                if (!available.Contains(e))
                {
                    Row(md, [e, opt, "n/a", "n/a", "n/a", "n/a"]);
                    continue;
                }
                string Mean(Summary s, string baseEngine)
                {
                    var (mean, n) = s.MeanRatio(programs, e, opt, baseEngine, OptOf(baseEngine, opt));
                    return n == 0 ? "–" : $"{Ratio(mean)} ({n})";
                }
                Row(md, [e, opt, e == Baseline ? "1" : Mean(wall, Baseline), e == Baseline ? "1" : Mean(cpu, Baseline),
                    Mean(wall, Native), Mean(cpu, Native)]);
            }
        md.AppendLine();
    }

    /// <summary>How much slower each engine runs the unoptimised build than the optimised one: -O0 code keeps its
    /// variables in linear memory and is full of local traffic, which an engine may or may not see through.</summary>
    private static void Unoptimised(StringBuilder md, Summary s, BenchResults results, List<string> engines,
        HashSet<string> available, List<string> programs)
    {
        if (!results.OptLevels.Contains("O0") || !results.OptLevels.Contains("O2")) return;
        var wasmEngines = engines.Where(e => e != Native).ToList();
        var other = new Summary(results, results.Metric == "cpu" ? "wall" : "cpu");
        string names = results.Metric == "cpu" ? "CPU time (wall time)" : "wall time (CPU time)";
        md.AppendLine($"## Unoptimised code: -O0 time ÷ -O2 time of the same engine, lower is better; {names}");
        md.AppendLine();
        Header(md, ["program", .. wasmEngines], textColumns: 1);
        foreach (var p in programs)
            Row(md, [p, .. wasmEngines.Select(e => Both(available, e, s.Ratio(p, e, "O0", e, "O2"), other.Ratio(p, e, "O0", e, "O2"), Ratio))]);
        Row(md, ["**geometric mean**", .. wasmEngines.Select(e => "**" + Both(available, e,
            s.MeanRatio(programs, e, "O0", e, "O2").Mean, other.MeanRatio(programs, e, "O0", e, "O2").Mean, Ratio) + "**")]);
        md.AppendLine();
    }

    /// <summary>How much faster each engine runs the -msimd128 build than the plain -O2 build of the same source: what
    /// it gains from Wasm SIMD. Only loops clang vectorised differ between the two, so programs without such loops
    /// sit near 1 whatever the engine; a ratio under 1 means the engine runs v128 code slower than the scalar code
    /// it replaced.</summary>
    private static void Simd(StringBuilder md, Summary s, BenchResults results, List<string> engines,
        HashSet<string> available, List<string> programs)
    {
        if (!results.OptLevels.Contains("O2") || !results.OptLevels.Contains("O2-simd")) return;
        var wasmEngines = engines.Where(e => e != Native).ToList();
        var other = new Summary(results, results.Metric == "cpu" ? "wall" : "cpu");
        string names = results.Metric == "cpu" ? "CPU time (wall time)" : "wall time (CPU time)";
        md.AppendLine($"## SIMD: -O2 time ÷ -O2 -msimd128 time of the same engine, higher is better; {names}");
        md.AppendLine();
        md.AppendLine("The same source built twice; with -msimd128 clang vectorises loops into v128 code, so only programs " +
                      "with such loops (simdkernels above all) can differ from 1.");
        md.AppendLine();
        Header(md, ["program", .. wasmEngines], textColumns: 1);
        foreach (var p in programs)
            Row(md, [p, .. wasmEngines.Select(e => Both(available, e, s.Ratio(p, e, "O2", e, "O2-simd"), other.Ratio(p, e, "O2", e, "O2-simd"), Ratio))]);
        Row(md, ["**geometric mean**", .. wasmEngines.Select(e => "**" + Both(available, e,
            s.MeanRatio(programs, e, "O2", e, "O2-simd").Mean, other.MeanRatio(programs, e, "O2", e, "O2-simd").Mean, Ratio) + "**")]);
        md.AppendLine();
    }

    /// <summary>Times and ratios; each cell shows the primary metric and, in parentheses, the other one.</summary>
    private static void Execution(StringBuilder md, Summary s, BenchResults results, List<string> engines,
        HashSet<string> available, List<string> programs)
    {
        var other = new Summary(results, results.Metric == "cpu" ? "wall" : "cpu");
        string names = results.Metric == "cpu" ? "CPU time (wall time)" : "wall time (CPU time)";
        md.AppendLine($"## Execution time: ms, median {names}, net of the floor");
        md.AppendLine();
        Header(md, ["program", "build", .. engines]);
        foreach (var opt in results.OptLevels)
        {
            Row(md, ["*floor*", opt, .. engines.Select(e => Both(available, e,
                s.Floor(e, OptOf(e, opt)), other.Floor(e, OptOf(e, opt)), Ms))]);
            foreach (var p in programs)
                Row(md, [p, opt, .. engines.Select(e =>
                {
                    string status = available.Contains(e) ? s.Status(p, e, OptOf(e, opt)) : "n/a";
                    return status == "ok" ? Both(available, e, s.Net(p, e, OptOf(e, opt)), other.Net(p, e, OptOf(e, opt)), Ms)
                        : status == "n/a" ? status
                        : status.StartsWith("checksum", StringComparison.Ordinal) ? "**wrong checksum**" : "error";
                })]);
        }
        md.AppendLine();

        foreach (var (baseEngine, title) in new[] { (Baseline, "Wasmtime (same build)"), (Native, "native (gcc -O2)") })
        {
            var others = engines.Where(e => e != baseEngine).ToList();
            md.AppendLine($"## Ratio to {title}: times slower, lower is better; {names}");
            md.AppendLine();
            Header(md, ["program", "build", .. others]);
            foreach (var opt in results.OptLevels)
            {
                double RatioOf(Summary x, string p, string e) => x.Ratio(p, e, OptOf(e, opt), baseEngine, OptOf(baseEngine, opt));
                double MeanOf(Summary x, string e) => x.MeanRatio(programs, e, OptOf(e, opt), baseEngine, OptOf(baseEngine, opt)).Mean;
                foreach (var p in programs)
                    Row(md, [p, opt, .. others.Select(e => Both(available, e, RatioOf(s, p, e), RatioOf(other, p, e), Ratio))]);
                Row(md, ["**geometric mean**", opt, .. others.Select(e =>
                    "**" + Both(available, e, MeanOf(s, e), MeanOf(other, e), Ratio) + "**")]);
            }
            md.AppendLine();
        }
    }

    private static string Both(HashSet<string> available, string engine, double primary, double secondary, Func<double, string> format) =>
        !available.Contains(engine) ? "n/a"
        : double.IsNaN(primary) && double.IsNaN(secondary) ? "–"
        : $"{(double.IsNaN(primary) ? "–" : format(primary))} ({(double.IsNaN(secondary) ? "–" : format(secondary))})";

    private static void Memory(StringBuilder md, Summary s, BenchResults results, List<string> engines,
        HashSet<string> available, List<string> programs)
    {
        md.AppendLine("## Peak memory (MB, median of the process's maximum resident set size)");
        md.AppendLine();
        Header(md, ["program", "build", .. engines]);
        foreach (var opt in results.OptLevels)
            foreach (var p in (string[])[Manifest.Floor.Name, .. programs])
                Row(md, [p == Manifest.Floor.Name ? "*floor*" : p, opt,
                    .. engines.Select(e => Cell(available, e, s.PeakRssMb(p, e, OptOf(e, opt)), Mb))]);
        md.AppendLine();
    }

    private static void ProgramStartup(StringBuilder md, Summary s, BenchResults results)
    {
        var engines = results.ProgramStartup.Select(r => r.Engine).Distinct().ToList();
        var cached = results.ProgramStartup.Where(r => r.CacheHit).Select(r => r.Engine).Distinct().ToList();
        var builds = results.ProgramStartup.Select(r => r.Opt!).Distinct().ToList();
        var programs = results.ProgramStartup.Select(r => r.Module).Distinct().ToList();
        md.AppendLine("## Compile time and cache hits per program (ms, in-process)");
        md.AppendLine();
        md.AppendLine("Each engine compiled each program's module several times in one process; a figure is the median " +
                      "of the compilations after the first (loading the engine and LLVM, and what .NET's JIT still compiles " +
                      "in the precompiled runners, are left out). For WasmSharp's interpreter that is decode, validate and translate; for Wasmtime a Cranelift " +
                      "compile; for WasmSharp's native tier (wasmsharp:llvm) a cold compile through LLVM into an empty " +
                      "cache each time. *hit* is the native tier's first load in a fresh process from a cache that has " +
                      "the module (validate, look up, load the library: what `wasmsharp run` pays on a hit), beside " +
                      "*first*, the interpreter's first translation in a fresh process.");
        md.AppendLine();
        bool interp = engines.Contains("wasmsharp");
        Header(md, ["program", "build", "KB", .. engines, .. interp && cached.Count > 0 ? ["wasmsharp first"] : Array.Empty<string>(),
            .. cached.Select(e => $"{e} hit")]);
        foreach (string opt in builds)
            foreach (string p in programs)
            {
                long bytes = results.ProgramStartup.First(r => r.Module == p && r.Opt == opt).Bytes;
                Row(md, [p, opt, (bytes / 1024.0).ToString("F0", CultureInfo.InvariantCulture),
                    .. engines.Select(e => Ms(s.ProgramCompile(p, opt, e))),
                    .. interp && cached.Count > 0 ? [Ms(s.ProgramFirst(p, opt, "wasmsharp"))] : Array.Empty<string>(),
                    .. cached.Select(e => Ms(s.ProgramFirst(p, opt, e, hit: true)))]);
            }
        md.AppendLine();
        if (engines.Contains(Baseline))
        {
            md.AppendLine($"Geometric mean over the programs of compile time ÷ Wasmtime's: " + string.Join("; ",
                engines.Where(e => e != Baseline).Select(e => $"{e} {Ratio(Summary.GeometricMean(programs.SelectMany(p => builds.Select(o =>
                    s.ProgramCompile(p, o, e) / s.ProgramCompile(p, o, Baseline)))))}")) + ".");
            md.AppendLine();
        }
        if (interp)
            foreach (string e in cached)
            {
                var added = programs.SelectMany(p => builds.Select(o => s.ProgramFirst(p, o, e, hit: true) - s.ProgramFirst(p, o, "wasmsharp")))
                    .Where(a => !double.IsNaN(a)).DefaultIfEmpty(double.NaN).ToList();
                md.AppendLine($"A cache hit on {e} adds {Ms(Summary.Median(added))} ms (median over the programs; " +
                              $"{Ms(added.Min())} to {Ms(added.Max())}) to the interpreter's first translation.");
            }
        if (interp && cached.Count > 0) md.AppendLine();
    }

    private static void Startup(StringBuilder md, Summary s, BenchResults results)
    {
        var engines = results.Startup.Select(r => r.Engine).Distinct().ToList();
        int processes = results.Startup.Select(r => r.Round).Distinct().Count();
        md.AppendLine("## Start-up: load + validate + translate (ms, median)");
        md.AppendLine();
        md.AppendLine($"Real-world modules from npm packages. Each engine compiled each module in {processes} fresh " +
                      "process(es), several times per process: *cold* is the first compilation in a process (for the .NET " +
                      "engines, whose runners are published ReadyToRun, it includes loading the engine and what the JIT " +
                      "still compiles), *warm* the later ones. Timed in-process, " +
                      "around the compile call only. What is done differs: WasmSharp decodes, validates and translates " +
                      "every function to register code; Wasmtime compiles every function to machine code with Cranelift; " +
                      "V8 validates eagerly but compiles function bodies lazily, on first call.");
        md.AppendLine();
        Header(md, ["module", "from", "MB", .. engines.SelectMany(e => new[] { $"{e} cold", $"{e} warm", $"{e} MB/s" })], textColumns: 2);
        foreach (var module in results.StartupModules)
        {
            double mb = s.ModuleBytes(module.Name) / 1e6;
            var cells = new List<string> { module.Name, $"{module.Package} ({module.Producer})", mb.ToString("F1", CultureInfo.InvariantCulture) };
            foreach (var e in engines)
            {
                string status = s.StartupStatus(module.Name, e);
                if (status != "ok")
                {
                    cells.AddRange([Escape(Short(status)), "", ""]);
                    continue;
                }
                double warm = s.StartupWarm(module.Name, e);
                cells.Add(Ms(s.StartupCold(module.Name, e)));
                cells.Add(Ms(warm));
                double rate = mb / (warm / 1000);
                cells.Add(double.IsNaN(warm) ? "" : rate.ToString(rate < 10 ? "F1" : "F0", CultureInfo.InvariantCulture));
            }
            Row(md, cells);
        }
        md.AppendLine();
        md.AppendLine("Peak memory while compiling (MB, median):");
        md.AppendLine();
        Header(md, ["module", .. engines], textColumns: 1);
        foreach (var module in results.StartupModules)
            Row(md, [module.Name, .. engines.Select(e => Mb(s.StartupRssMb(module.Name, e)))]);
        md.AppendLine();
    }

    private static void Verification(StringBuilder md, Summary s, BenchResults results)
    {
        md.AppendLine("## Verification");
        md.AppendLine();
        var failed = s.FailedRuns.ToList();
        if (failed.Count == 0)
        {
            md.AppendLine($"All {results.Runs.Count} runs exited with 0 and printed the expected checksum line.");
        }
        else
        {
            md.AppendLine($"{failed.Count} of {results.Runs.Count} runs failed:");
            md.AppendLine();
            foreach (var g in failed.GroupBy(r => (r.Program, r.Engine, r.Opt)))
                md.AppendLine($"- {g.Key.Program} on {g.Key.Engine} ({g.Key.Opt}), {g.Count()} run(s): {Escape(g.First().Error ?? "")}");
        }
        md.AppendLine();
    }

    private static string Cell(HashSet<string> available, string engine, double value, Func<double, string> format) =>
        !available.Contains(engine) ? "n/a" : double.IsNaN(value) ? "–" : format(value);

    public static string Ms(double v) =>
        double.IsNaN(v) ? "–" : v.ToString(v < 10 ? "F1" : "F0", CultureInfo.InvariantCulture);

    public static string Ratio(double v) =>
        double.IsNaN(v) ? "–" : v.ToString(v < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);

    private static string Mb(double v) => double.IsNaN(v) ? "–" : v.ToString("F0", CultureInfo.InvariantCulture);

    private static string Short(string s) => s.Length > 60 ? s[..60] + "…" : s;

    private static string Escape(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    /// <summary>A header row; the first <paramref name="textColumns"/> columns are left-aligned, numbers right.</summary>
    private static void Header(StringBuilder md, IReadOnlyList<string> cells, int textColumns = 2)
    {
        Row(md, cells);
        md.AppendLine("|" + string.Concat(cells.Select((_, i) => i < textColumns ? " --- |" : " ---: |")));
    }

    private static void Row(StringBuilder md, IReadOnlyList<string> cells) =>
        md.AppendLine("| " + string.Join(" | ", cells) + " |");
}
