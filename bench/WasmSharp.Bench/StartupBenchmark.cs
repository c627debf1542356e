using System.Globalization;

namespace WasmSharp.Bench;

/// <summary>
/// The start-up figure: how long each engine takes to load, validate and translate (or compile) large
/// real-world modules from npm packages. Each process compiles a module a few times and prints the in-process
/// milliseconds of each compilation; the first is cold (fresh process, including any JIT of the engine
/// itself), the others warm. Engines are interleaved per module and round as in the execution figure.
/// </summary>
internal sealed class StartupBenchmark(Options options, RepoPaths paths, BenchResults results)
{
    public void Run(IReadOnlyList<Engine> engines, IReadOnlyList<StartupModule> modules)
    {
        var compilers = engines.Where(e => e.CompileCommand is not null).ToList();
        var present = new List<(StartupModule Module, string Path)>();
        foreach (var m in modules)
        {
            string file = Path.Combine(paths.NpmModules, m.File);
            if (File.Exists(file)) present.Add((m, file));
            else results.Notes.Add($"start-up: {m.Name} ({m.Package}) is not installed at {file}; run bench/install-deps.sh");
        }
        results.StartupModules.AddRange(present.Select(p => p.Module));
        for (int round = 0; round < options.StartupRuns; round++)
        {
            for (int i = 0; i < present.Count; i++)
            {
                var (module, file) = present[i];
                long bytes = new FileInfo(file).Length;
                var line = $"[start-up {round + 1}/{options.StartupRuns}] {module.Name,-10}";
                for (int k = 0; k < compilers.Count; k++)
                {
                    var engine = compilers[(k + round + i) % compilers.Count];
                    if (bytes > engine.MaxCompileBytes)
                    {
                        if (round == 0) results.Notes.Add($"start-up: {module.Name} ({bytes / 1_000_000.0:0.0} MB) is left out on {engine.Name}, which compiles modules up to {engine.MaxCompileBytes / 1_000_000.0:0.0} MB here");
                        continue;
                    }
                    var record = CompileOnce(engine.Name, engine.CompileCommand!(file, options.StartupRepeats), module.Name, bytes, round);
                    results.Startup.Add(record);
                    line += $" {engine.Name}=" + (record.Error is null ? record.CompileMs[0].ToString("F0") : "FAIL");
                    if (record.Error is not null) Console.Error.WriteLine($"  {module.Name} on {engine.Name}: {record.Error}");
                }
                Console.Error.WriteLine(line);
            }
        }
    }

    /// <summary>
    /// The per-program figure: each benchmark program of each build compiled by each engine (in one process,
    /// <see cref="Options.StartupRepeats"/> times), and for engines with a cache, loaded from a filled cache in a
    /// fresh process: what a cache hit costs at start-up, beside the interpreter's translation of the same module.
    /// </summary>
    public void RunPrograms(IReadOnlyList<Engine> engines, IReadOnlyList<ProgramSpec> programs, IReadOnlyList<string> builds)
    {
        var compilers = engines.Where(e => e.CompileCommand is not null && e.Unavailable is null).ToList();
        foreach (string opt in builds)
            for (int i = 0; i < programs.Count; i++)
            {
                string file = paths.Wasm(programs[i].Name, opt);
                if (!File.Exists(file)) continue;
                long bytes = new FileInfo(file).Length;
                var line = $"[compile] {programs[i].Name,-10} {opt,-7}";
                for (int k = 0; k < compilers.Count; k++)
                {
                    var engine = compilers[(k + i) % compilers.Count];
                    var record = CompileOnce(engine.Name, engine.CompileCommand!(file, options.StartupRepeats), programs[i].Name, bytes, 0) with { Opt = opt };
                    results.ProgramStartup.Add(record);
                    line += $" {engine.Name}=" + (record.Error is null ? Summary.Median(record.CompileMs).ToString("F0") : "FAIL");
                    if (engine.CacheHitCommand is { } hit)
                    {
                        string dir = Directory.CreateTempSubdirectory("wasmsharp-bench-cache-").FullName;
                        try
                        {
                            var fill = CompileOnce(engine.Name, hit(file, 1, dir), programs[i].Name, bytes, 0);
                            var hits = fill.Error is not null ? fill : CompileOnce(engine.Name, hit(file, options.StartupRepeats, dir), programs[i].Name, bytes, 0);
                            results.ProgramStartup.Add(hits with { Opt = opt, CacheHit = true });
                            line += " hit=" + (hits.Error is null ? hits.CompileMs[0].ToString("F0") : "FAIL");
                        }
                        finally
                        {
                            Directory.Delete(dir, recursive: true);
                        }
                    }
                    if (record.Error is not null) Console.Error.WriteLine($"  {programs[i].Name} ({opt}) on {engine.Name}: {record.Error}");
                }
                Console.Error.WriteLine(line);
            }
    }

    private StartupRecord CompileOnce(string engine, IReadOnlyList<string> command, string module, long bytes, int round)
    {
        var r = Measurement.Run(paths.Measure, command, paths.Root, options.Timeout);
        double[] times = [];
        string? error = r.TimedOut ? "timed out" : r.ExitCode != 0 ? $"exit code {r.ExitCode}: {ExecutionBenchmark.FirstLine(r.Stderr)}" : null;
        if (error is null)
        {
            try
            {
                times = r.Stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
                    .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
                if (times.Length == 0) error = $"no times in \"{r.Stdout.Trim()}\"";
            }
            catch (FormatException)
            {
                error = $"unreadable output \"{r.Stdout.Trim()}\"";
            }
        }
        return new StartupRecord
        {
            Module = module,
            Engine = engine,
            Bytes = bytes,
            Round = round,
            CompileMs = times,
            WallMs = r.WallMs,
            MaxRssKb = r.MaxRssKb,
            Error = error,
        };
    }
}
