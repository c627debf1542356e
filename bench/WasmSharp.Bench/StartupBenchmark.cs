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
                    var record = CompileOnce(engine, module, file, bytes, round);
                    results.Startup.Add(record);
                    line += $" {engine.Name}=" + (record.Error is null ? record.CompileMs[0].ToString("F0") : "FAIL");
                    if (record.Error is not null) Console.Error.WriteLine($"  {module.Name} on {engine.Name}: {record.Error}");
                }
                Console.Error.WriteLine(line);
            }
        }
    }

    private StartupRecord CompileOnce(Engine engine, StartupModule module, string file, long bytes, int round)
    {
        var r = Measurement.Run(paths.Measure, engine.CompileCommand!(file, options.StartupRepeats), paths.Root, options.Timeout);
        double[] times = [];
        string? error = r.TimedOut ? "timed out" : r.ExitCode != 0 ? $"exit code {r.ExitCode}: {ExecutionBenchmark.FirstLine(r.Stderr)}" : null;
        if (error is null)
        {
            try
            {
                times = r.Stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
                    .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
                if (times.Length != options.StartupRepeats) error = $"expected {options.StartupRepeats} times, got \"{r.Stdout.Trim()}\"";
            }
            catch (FormatException)
            {
                error = $"unreadable output \"{r.Stdout.Trim()}\"";
            }
        }
        return new StartupRecord
        {
            Module = module.Name,
            Engine = engine.Name,
            Bytes = bytes,
            Round = round,
            CompileMs = times,
            WallMs = r.WallMs,
            MaxRssKb = r.MaxRssKb,
            Error = error,
        };
    }
}
