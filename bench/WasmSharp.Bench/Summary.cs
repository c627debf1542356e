namespace WasmSharp.Bench;

/// <summary>
/// The figures the report shows, computed from the raw runs: medians of the measured (not warm-up), verified
/// runs; the engine's floor (median time of the empty program on the same engine and build); the net execution
/// time (median time minus floor); and ratios of net times. The time is the wall time, or with the "cpu" metric
/// the process's user + system CPU time (steadier on a busy machine, but it adds up background threads).
/// </summary>
internal sealed class Summary(BenchResults results, string metric)
{
    /// <summary>A base shorter than this (net) is start-up noise, not a time to divide by.</summary>
    public const double MinBaseMs = 20;

    private double TimeOf(RunRecord r) => metric == "cpu" ? r.UserMs + r.SysMs : r.WallMs;

    public static double Median(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    public static double GeometricMean(IEnumerable<double> values)
    {
        var v = values.Where(x => x > 0 && !double.IsNaN(x) && !double.IsInfinity(x)).ToArray();
        return v.Length == 0 ? double.NaN : Math.Exp(v.Average(Math.Log));
    }

    private IEnumerable<RunRecord> Measured(string program, string engine, string opt) =>
        results.Runs.Where(r => !r.Warmup && r.Program == program && r.Engine == engine && r.Opt == opt);

    /// <summary>"ok", "not run", or the first error of the measured runs.</summary>
    public string Status(string program, string engine, string opt)
    {
        var runs = Measured(program, engine, opt).ToList();
        if (runs.Count == 0) return "not run";
        var failed = runs.FirstOrDefault(r => !r.Verified);
        return failed is null ? "ok" : failed.Error ?? "failed";
    }

    /// <summary>Median time in ms, or NaN when a measured run failed or none ran.</summary>
    public double Time(string program, string engine, string opt) =>
        Status(program, engine, opt) == "ok" ? Median(Measured(program, engine, opt).Select(TimeOf)) : double.NaN;

    public double Floor(string engine, string opt) => Time(Manifest.Floor.Name, engine, opt);

    /// <summary>Median time minus the engine's floor: the program's execution, without process start-up.</summary>
    public double Net(string program, string engine, string opt) => Math.Max(0, Time(program, engine, opt) - Floor(engine, opt));

    public double PeakRssMb(string program, string engine, string opt) =>
        Status(program, engine, opt) == "ok" ? Median(Measured(program, engine, opt).Select(r => r.MaxRssKb / 1024.0)) : double.NaN;

    /// <summary>Net time of (engine, opt) over net time of (baseEngine, baseOpt); NaN if either is missing or the
    /// base is under <see cref="MinBaseMs"/> (a ratio of noise).</summary>
    public double Ratio(string program, string engine, string opt, string baseEngine, string baseOpt)
    {
        double n = Net(program, engine, opt), b = Net(program, baseEngine, baseOpt);
        return b < MinBaseMs || double.IsNaN(b) || double.IsNaN(n) ? double.NaN : n / b;
    }

    /// <summary>Geometric mean over <paramref name="programs"/> of <see cref="Ratio"/>, and how many programs had one.</summary>
    public (double Mean, int Count) MeanRatio(IEnumerable<string> programs, string engine, string opt, string baseEngine, string baseOpt)
    {
        var ratios = programs.Select(p => Ratio(p, engine, opt, baseEngine, baseOpt)).Where(r => !double.IsNaN(r)).ToList();
        return (GeometricMean(ratios), ratios.Count);
    }

    public int VerifiedRuns => results.Runs.Count(r => r.Verified);
    public IEnumerable<RunRecord> FailedRuns => results.Runs.Where(r => !r.Verified);

    // ---- start-up ----

    private IEnumerable<StartupRecord> StartupRuns(string module, string engine) =>
        results.Startup.Where(r => r.Module == module && r.Engine == engine);

    public string StartupStatus(string module, string engine)
    {
        var runs = StartupRuns(module, engine).ToList();
        if (runs.Count == 0) return "not run";
        var failed = runs.FirstOrDefault(r => r.Error is not null);
        return failed is null ? "ok" : failed.Error!;
    }

    /// <summary>Median over processes of the first (cold) compilation.</summary>
    public double StartupCold(string module, string engine) => StartupStatus(module, engine) == "ok"
        ? Median(StartupRuns(module, engine).Select(r => r.CompileMs[0])) : double.NaN;

    /// <summary>Median of the later (warm) compilations of every process.</summary>
    public double StartupWarm(string module, string engine) => StartupStatus(module, engine) == "ok"
        ? Median(StartupRuns(module, engine).SelectMany(r => r.CompileMs.Skip(1))) : double.NaN;

    public double StartupRssMb(string module, string engine) => StartupStatus(module, engine) == "ok"
        ? Median(StartupRuns(module, engine).Select(r => r.MaxRssKb / 1024.0)) : double.NaN;

    // ---- per program ----

    private IEnumerable<StartupRecord> ProgramRuns(string program, string opt, string engine, bool hit) =>
        results.ProgramStartup.Where(r => r.Module == program && r.Opt == opt && r.Engine == engine && r.CacheHit == hit);

    /// <summary>Median of a program's in-process compilations after the first (all of them if there is one), or
    /// of its cache-hit loads in the same way; NaN when none ran or one failed.</summary>
    public double ProgramCompile(string program, string opt, string engine, bool hit = false)
    {
        var runs = ProgramRuns(program, opt, engine, hit).ToList();
        if (runs.Count == 0 || runs.Any(r => r.Error is not null)) return double.NaN;
        return Median(runs.SelectMany(r => r.CompileMs.Length > 1 ? r.CompileMs.Skip(1) : r.CompileMs));
    }

    /// <summary>The first compilation (or cache-hit load) in a fresh process: what a command pays at start-up.</summary>
    public double ProgramFirst(string program, string opt, string engine, bool hit = false)
    {
        var runs = ProgramRuns(program, opt, engine, hit).ToList();
        if (runs.Count == 0 || runs.Any(r => r.Error is not null)) return double.NaN;
        return Median(runs.Select(r => r.CompileMs[0]));
    }

    public long ModuleBytes(string module) => results.Startup.FirstOrDefault(r => r.Module == module)?.Bytes ?? 0;
}
