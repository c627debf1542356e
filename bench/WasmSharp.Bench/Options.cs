namespace WasmSharp.Bench;

/// <summary>What one invocation of the harness measures (see Program.cs for the command line).</summary>
internal sealed record Options
{
    public bool Quick { get; init; }
    /// <summary>Measured runs per (program, engine); the median is reported.</summary>
    public int Runs { get; init; }
    /// <summary>Runs before the measured ones, discarded (page cache, CPU frequency, disk).</summary>
    public int Warmups { get; init; }
    /// <summary>Engine names, e.g. native, wasmtime, v8, v8-liftoff, wasmsharp, wasmsharp:ENGINE.</summary>
    public required IReadOnlyList<string> Engines { get; init; }
    /// <summary>Program names; empty means all of the manifest.</summary>
    public required IReadOnlyList<string> Programs { get; init; }
    /// <summary>The Wasm builds to run: O2, O0, O2-simd (see <see cref="ExecutionBenchmark.WasmBuilds"/>).</summary>
    public required IReadOnlyList<string> OptLevels { get; init; }
    /// <summary>Runs of the floor program per engine and round (its median is subtracted from every program's).</summary>
    public int FloorSamples { get; init; } = 3;
    /// <summary>The time the tables show: "wall" (elapsed) or "cpu" (user + system time of the process).</summary>
    public string Metric { get; init; } = "wall";
    public bool Execution { get; init; } = true;
    public bool Startup { get; init; } = true;
    /// <summary>Processes per (module, engine) in the start-up figure, and compilations in each.</summary>
    public int StartupRuns { get; init; }
    public int StartupRepeats { get; init; }
    /// <summary>Folder of latest.md, latest.json and latest.png.</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>Longest a single run may take before it is killed and recorded as an error.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}
