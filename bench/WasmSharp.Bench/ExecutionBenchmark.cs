using System.Text;

namespace WasmSharp.Bench;

/// <summary>
/// Runs every program on every (engine, build) in separate processes, interleaving the engines run by run:
/// round r runs each program once on every engine, in an order rotated by r, so drift in the machine's load
/// spreads over all engines alike. The first rounds are warm-ups, recorded but discarded.
/// </summary>
internal sealed class ExecutionBenchmark(Options options, RepoPaths paths, BenchResults results)
{
    /// <summary>An engine paired with the build it runs: one of <see cref="WasmBuilds"/>, or gcc-O2 for native.</summary>
    public readonly record struct Variant(Engine Engine, string Opt)
    {
        public string Label => Engine.IsNative ? Engine.Name : $"{Engine.Name}-{Opt}";
    }

    public const string NativeOpt = "gcc-O2";

    /// <summary>The Wasm builds bench/build-programs.sh makes (artifacts/bench/wasm-NAME/), and so the names --opt
    /// takes: clang -O2 and -O0 with the default target features, and "O2-simd", -O2 -msimd128 (clang vectorises
    /// loops into v128 code). All of them by default.</summary>
    public static readonly string[] WasmBuilds = ["O2", "O0", "O2-simd"];

    public static List<Variant> Variants(IEnumerable<Engine> engines, IReadOnlyList<string> optLevels) =>
        engines.Where(e => e.Unavailable is null)
            .SelectMany(e => e.IsNative ? [new Variant(e, NativeOpt)] : optLevels.Select(o => new Variant(e, o)))
            .ToList();

    public void Run(IReadOnlyList<Engine> engines, IReadOnlyList<ProgramSpec> programs)
    {
        var variants = Variants(engines, options.OptLevels);
        if (variants.Count == 0) return;
        var all = new List<ProgramSpec> { Manifest.Floor };
        all.AddRange(programs);
        int rounds = options.Warmups + options.Runs;
        for (int round = 0; round < rounds; round++)
        {
            bool warmup = round < options.Warmups;
            for (int p = 0; p < all.Count; p++)
            {
                var program = all[p];
                var line = new StringBuilder($"[{round + 1}/{rounds}{(warmup ? " warm-up" : "")}] {program.Name,-10}");
                int shift = (round + p) % variants.Count;
                // The floor is subtracted from every other median, so it gets more samples; it costs little.
                int samples = program == Manifest.Floor ? options.FloorSamples : 1;
                for (int sample = 0; sample < samples; sample++)
                {
                    for (int k = 0; k < variants.Count; k++)
                    {
                        var variant = variants[(k + shift + sample) % variants.Count];
                        var record = RunOnce(program, variant, round, warmup);
                        results.Runs.Add(record);
                        if (sample == 0) line.Append($" {variant.Label}={(record.Verified ? record.WallMs.ToString("F0") : "FAIL")}");
                        if (!record.Verified) Console.Error.WriteLine($"  {program.Name} on {variant.Label}: {record.Error}");
                    }
                }
                Console.Error.WriteLine(line);
            }
        }
    }

    public RunRecord RunOnce(ProgramSpec program, Variant variant, int round, bool warmup)
    {
        string file = variant.Engine.IsNative ? paths.Native(program.Name) : paths.Wasm(program.Name, variant.Opt);
        var r = Measurement.Run(paths.Measure, variant.Engine.RunCommand(file, [program.Arg]), paths.Root, options.Timeout);
        string stdout = r.Stdout.Trim();
        string? error =
            r.TimedOut ? $"timed out after {options.Timeout.TotalSeconds:F0} s"
            : r.ExitCode != 0 ? $"exit code {r.ExitCode}: {FirstLine(r.Stderr)}"
            : stdout != program.ExpectedOutput ? $"checksum mismatch: printed \"{Truncate(stdout)}\", expected \"{program.ExpectedOutput}\""
            : null;
        return new RunRecord
        {
            Program = program.Name,
            Engine = variant.Engine.Name,
            Opt = variant.Opt,
            Arg = program.Arg,
            Round = round,
            Warmup = warmup,
            WallMs = r.WallMs,
            UserMs = r.UserMs,
            SysMs = r.SysMs,
            MaxRssKb = r.MaxRssKb,
            ExitCode = r.ExitCode,
            Verified = error is null,
            Error = error,
        };
    }

    public static string FirstLine(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(no output)";
        return Truncate(line);
    }

    private static string Truncate(string s) => s.Length > 200 ? s[..200] + "..." : s;
}
