using System.Text.Json;

namespace WasmSharp.Bench;

/// <summary>One invocation: probe the engines, run the execution and start-up figures, write the outputs.</summary>
internal static class Harness
{
    public static int Run(Options options, RepoPaths paths, string commandLine)
    {
        if (options.Metric is not ("wall" or "cpu")) throw new ArgumentException($"unknown metric \"{options.Metric}\" (wall, cpu)");
        foreach (var o in options.OptLevels)
            if (!ExecutionBenchmark.WasmBuilds.Contains(o))
                throw new ArgumentException($"unknown build \"{o}\" ({string.Join(", ", ExecutionBenchmark.WasmBuilds)})");
        var allPrograms = Manifest.ReadPrograms(paths.ProgramManifest, options.Quick);
        var unknown = options.Programs.Except(allPrograms.Select(p => p.Name)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown program(s): {string.Join(", ", unknown)}");
        var programs = options.Programs.Count == 0 ? allPrograms : allPrograms.Where(p => options.Programs.Contains(p.Name)).ToList();
        var engines = options.Engines.Select(name => EngineCatalog.Create(name, paths)).ToList();

        var results = new BenchResults
        {
            Started = DateTimeOffset.UtcNow,
            Finished = DateTimeOffset.UtcNow,
            Mode = options.Quick ? "quick" : "full",
            Metric = options.Metric,
            CommandLine = commandLine,
            MeasuredRuns = options.Runs,
            Warmups = options.Warmups,
            Machine = MachineInfo.Collect(paths),
            Engines = [],
            Programs = programs.ToList(),
            OptLevels = options.OptLevels.ToList(),
        };

        var execution = new ExecutionBenchmark(options, paths, results);
        if (options.Execution)
        {
            foreach (var engine in engines) Probe(engine, execution, options);
            execution.Run(engines, programs);
        }
        results.Engines.AddRange(engines.Select(e => new EngineRecord(e.Name, e.Description, e.Unavailable)));
        if (options.Startup)
        {
            var startup = new StartupBenchmark(options, paths, results);
            startup.RunPrograms(engines, programs, options.OptLevels);
            startup.Run(engines, Manifest.ReadStartupModules(paths.StartupManifest).Where(m => !options.Quick || m.Quick).ToList());
        }

        results.Finished = DateTimeOffset.UtcNow;
        results.Machine.LoadAverageAfter = MachineInfo.LoadAverage();
        return Write(results, options.OutputDirectory);
    }

    /// <summary>Runs the empty program once on the engine (O2 build); an engine that cannot is left out with the
    /// reason. WasmSharp without WASI is reported as such, not as a failure.</summary>
    private static void Probe(Engine engine, ExecutionBenchmark execution, Options options)
    {
        var variant = new ExecutionBenchmark.Variant(engine, engine.IsNative ? ExecutionBenchmark.NativeOpt : options.OptLevels[0]);
        RunRecord probe;
        try
        {
            probe = execution.RunOnce(Manifest.Floor, variant, round: -1, warmup: true);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            engine.Unavailable = $"cannot start: {ex.Message}";
            return;
        }
        if (probe.Verified) return;
        string error = probe.Error ?? "failed";
        engine.Unavailable = engine.Name.StartsWith("wasmsharp", StringComparison.Ordinal) &&
                             (error.Contains("WASI", StringComparison.OrdinalIgnoreCase) || error.Contains("wasi_snapshot_preview1", StringComparison.Ordinal))
            ? $"WASI not available ({error})"
            : error;
        Console.Error.WriteLine($"engine {engine.Name}: n/a, {engine.Unavailable}");
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PreferredObjectCreationHandling = System.Text.Json.Serialization.JsonObjectCreationHandling.Populate,
    };

    /// <summary>Writes the report again from a JSON file of an earlier run (e.g. with another --metric).</summary>
    public static int Render(string jsonPath, string directory, string? metric)
    {
        var results = JsonSerializer.Deserialize<BenchResults>(File.ReadAllText(jsonPath), JsonOptions)
                      ?? throw new InvalidDataException($"{jsonPath}: empty");
        if (metric is not null) results = results with { Metric = metric };
        return Write(results, directory);
    }

    private static int Write(BenchResults results, string directory)
    {
        Directory.CreateDirectory(directory);
        string json = Path.Combine(directory, "latest.json");
        File.WriteAllText(json, JsonSerializer.Serialize(results, JsonOptions));
        string? chart = null;
        if (results.Runs.Count > 0)
        {
            try
            {
                if (RatioChart.Write(results, Path.Combine(directory, "latest.png"))) chart = "latest.png";
            }
            catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException)
            {
                results.Notes.Add($"no chart: {ex.Message}");
            }
        }
        string markdown = MarkdownReport.Write(results, chart);
        string md = Path.Combine(directory, "latest.md");
        File.WriteAllText(md, markdown);
        Console.WriteLine(markdown);
        Console.Error.WriteLine($"wrote {md}, {json}" + (chart is null ? "" : $", {Path.Combine(directory, chart)}"));
        return results.Runs.Any(r => !r.Verified) ? 1 : 0;
    }
}
