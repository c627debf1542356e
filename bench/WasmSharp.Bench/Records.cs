namespace WasmSharp.Bench;

/// <summary>One run of one program on one engine: every field is written to the JSON file.</summary>
internal sealed record RunRecord
{
    public required string Program { get; init; }
    public required string Engine { get; init; }
    /// <summary>O2, O0 or O2-simd for Wasm builds, "gcc-O2" for native.</summary>
    public required string Opt { get; init; }
    public required string Arg { get; init; }
    public required int Round { get; init; }
    /// <summary>Warm-up runs are recorded but never enter a median.</summary>
    public required bool Warmup { get; init; }
    public required double WallMs { get; init; }
    public required double UserMs { get; init; }
    public required double SysMs { get; init; }
    public required long MaxRssKb { get; init; }
    public required int ExitCode { get; init; }
    /// <summary>Exit code 0 and stdout equal to the manifest's checksum line.</summary>
    public required bool Verified { get; init; }
    /// <summary>What went wrong (stdout mismatch, exit code, stderr), or null.</summary>
    public string? Error { get; init; }
}

/// <summary>One process that compiled a module a few times (start-up figure), or a benchmark program (then
/// <see cref="Opt"/> is its build).</summary>
internal sealed record StartupRecord
{
    public required string Module { get; init; }
    /// <summary>The program's build (O2, O0, O2-simd) in the per-program figure; null for npm modules.</summary>
    public string? Opt { get; init; }
    /// <summary>Each load was a hit in a cache filled beforehand (native engines).</summary>
    public bool CacheHit { get; init; }
    public required string Engine { get; init; }
    public required long Bytes { get; init; }
    public required int Round { get; init; }
    /// <summary>In-process milliseconds of each compilation; the first is cold (a fresh process).</summary>
    public required double[] CompileMs { get; init; }
    public required double WallMs { get; init; }
    public required long MaxRssKb { get; init; }
    public string? Error { get; init; }
}

/// <summary>An engine as the run saw it.</summary>
internal sealed record EngineRecord(string Name, string Description, string? Unavailable);

/// <summary>Everything one invocation measured: the JSON file.</summary>
internal sealed record BenchResults
{
    public required DateTimeOffset Started { get; init; }
    public required DateTimeOffset Finished { get; set; }
    public required string Mode { get; init; }
    /// <summary>The time the tables show first: "wall" or "cpu" (user + system).</summary>
    public required string Metric { get; init; }
    /// <summary>The harness's command line.</summary>
    public required string CommandLine { get; init; }
    /// <summary>Measured runs per (program, engine, opt), after the discarded warm-ups.</summary>
    public required int MeasuredRuns { get; init; }
    public required int Warmups { get; init; }
    public required MachineInfo Machine { get; init; }
    public required List<EngineRecord> Engines { get; init; }
    public required List<ProgramSpec> Programs { get; init; }
    public required List<string> OptLevels { get; init; }
    public List<RunRecord> Runs { get; } = [];
    public List<StartupRecord> Startup { get; } = [];
    public List<StartupModule> StartupModules { get; } = [];
    /// <summary>The per-program figure: each program's compile (and cache-hit load) per build and engine.</summary>
    public List<StartupRecord> ProgramStartup { get; } = [];
    /// <summary>Things the reader must know (unavailable engines, skipped modules).</summary>
    public List<string> Notes { get; } = [];
}
