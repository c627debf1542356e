using System.CommandLine;
using WasmSharp.Bench;

// The benchmark harness. bench/run builds everything and then calls this with its arguments.
var quick = new Option<bool>("--quick") { Description = "Small inputs and few runs: finishes in minutes, for development" };
var runs = new Option<int?>("--runs") { Description = "Measured runs per program and engine (default: 5, quick: 3)" };
var warmups = new Option<int?>("--warmups") { Description = "Discarded warm-up runs before them (default: 1)" };
var engines = new Option<string>("--engines")
{
    Description = $"Comma-separated engines (default: {string.Join(",", EngineCatalog.Default)}; also wasmsharp:NAME " +
                  "for `wasmsharp run --engine NAME`)",
};
var programs = new Option<string?>("--programs") { Description = "Comma-separated programs (default: all)" };
var opts = new Option<string>("--opt")
{
    Description = $"Wasm builds to run: {string.Join(",", ExecutionBenchmark.WasmBuilds)} (O2-simd is -O2 -msimd128; default: all)",
};
var metric = new Option<string>("--metric") { Description = "Time shown first in the tables and in the chart: wall (default) or cpu (user + system); both are always measured" };
var floorSamples = new Option<int?>("--floor-samples") { Description = "Runs of the floor program per engine and round (default: 3)" };
var noStartup = new Option<bool>("--no-startup") { Description = "Skip the start-up figure" };
var onlyStartup = new Option<bool>("--startup-only") { Description = "Only the start-up figure" };
var startupRuns = new Option<int?>("--startup-runs") { Description = "Processes per module and engine in the start-up figure (default: 2, quick: 1)" };
var output = new Option<string?>("--output") { Description = "Folder for latest.md, latest.json, latest.png (default: bench/results)" };
var fromJson = new Option<string?>("--from-json") { Description = "Only write the report again from this JSON file of an earlier run" };
var root = new Option<string?>("--root") { Description = "Repository root (default: found above the harness)" };

var command = new RootCommand("WasmSharp benchmark harness: every program on every engine, side by side")
{
    quick, runs, warmups, engines, programs, opts, metric, floorSamples, noStartup, onlyStartup, startupRuns, output, fromJson, root,
};
command.SetAction(parse =>
{
    var paths = parse.GetValue(root) is { } r ? new RepoPaths(Path.GetFullPath(r)) : RepoPaths.Find(AppContext.BaseDirectory);
    if (parse.GetValue(fromJson) is { } previous)
        return Harness.Render(previous, parse.GetValue(output) ?? Path.Combine(paths.Root, "bench", "results"), parse.GetValue(metric));
    bool isQuick = parse.GetValue(quick);
    var options = new Options
    {
        Quick = isQuick,
        Runs = parse.GetValue(runs) ?? (isQuick ? 3 : 5),
        Warmups = parse.GetValue(warmups) ?? 1,
        Engines = Split(parse.GetValue(engines)) is { Count: > 0 } e ? e : EngineCatalog.Default,
        Programs = Split(parse.GetValue(programs)),
        OptLevels = Split(parse.GetValue(opts)) is { Count: > 0 } o ? o : [.. ExecutionBenchmark.WasmBuilds],
        Metric = parse.GetValue(metric) ?? "wall",
        FloorSamples = parse.GetValue(floorSamples) ?? 3,
        Execution = !parse.GetValue(onlyStartup),
        Startup = !parse.GetValue(noStartup),
        StartupRuns = parse.GetValue(startupRuns) ?? (isQuick ? 1 : 2),
        StartupRepeats = isQuick ? 2 : 3,
        OutputDirectory = parse.GetValue(output) ?? Path.Combine(paths.Root, "bench", "results"),
    };
    return Harness.Run(options, paths, string.Join(' ', ["bench/run", .. args]));
});
return command.Parse(args).Invoke();

static List<string> Split(string? list) =>
    list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
