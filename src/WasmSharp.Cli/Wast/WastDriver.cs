using System.Diagnostics;
using WasmSharp.Text.Wast;

namespace WasmSharp.Cli.Wast;

/// <summary><c>wasmsharp wast</c>: finds the scripts, runs them in parallel (each on its own store) and prints one
/// line per file in order, then the totals.</summary>
internal static class WastDriver
{
    /// <summary>Stack size of the worker threads: generous, so deep recursion in a library bug fails slowly
    /// rather than killing the process.</summary>
    private const int WorkerStackSize = 64 * 1024 * 1024;

    public static int Run(IReadOnlyList<string> paths, WastOptions options, TextWriter output, TextWriter error)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*.wast", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(path, f))
                    .Order(StringComparer.Ordinal)
                    .Select(rel => Path.Join(path, rel)));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                error.WriteLine($"error: no such file or directory: {path}");
                return 2;
            }
        }
        if (files.Count == 0)
        {
            error.WriteLine("error: no .wast files found");
            return 2;
        }
        var clock = Stopwatch.StartNew();
        var results = RunAll(files, options, r => Print(r, options, output));

        var skipReasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in results)
            foreach (var (reason, n) in r.SkipReasons)
                skipReasons[reason] = skipReasons.GetValueOrDefault(reason) + n;
        int passed = results.Sum(r => r.Passed), failed = results.Sum(r => r.Failed), skipped = results.Sum(r => r.Skipped);
        int mismatches = results.Sum(r => r.MessageMismatches.Count);
        int failedFiles = results.Count(r => r.Failed > 0);

        output.WriteLine();
        output.WriteLine($"{files.Count} files ({failedFiles} with failures) in {clock.Elapsed.TotalSeconds:0.0}s; {mismatches} message mismatches");
        if (skipReasons.Count > 0)
            output.WriteLine("skipped: " + string.Join(", ", skipReasons.Select(kv => $"{kv.Value} {kv.Key}")));
        if (options.Engine.Config.Native is not null)
        {
            int fallbacks = options.NativeFallbacks.Values.Sum();
            output.WriteLine($"native engine: {options.NativeModules} modules compiled, {fallbacks} ran on the interpreter" +
                (fallbacks == 0 ? "" : "; most common reasons: " + string.Join("; ",
                    options.NativeFallbacks.OrderByDescending(kv => kv.Value).Take(5).Select(kv => $"{kv.Value}x {kv.Key}"))));
        }
        output.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        output.Flush();
        return failed > 0 ? 1 : 0;
    }

    /// <summary>Runs every file on worker threads; <paramref name="report"/> sees the results in file order as soon
    /// as each one and all before it are done.</summary>
    private static List<FileResult> RunAll(List<string> files, WastOptions options, Action<FileResult> report)
    {
        var done = files.Select(_ => new TaskCompletionSource<FileResult>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        int next = -1;
        int workers = Math.Clamp(options.Jobs, 1, files.Count);
        var threads = new List<Thread>();
        for (int w = 0; w < workers; w++)
        {
            var t = new Thread(() =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < files.Count)
                    done[i].SetResult(RunFile(files[i], options));
            }, WorkerStackSize) { IsBackground = true, Name = $"wast worker {w}" };
            t.Start();
            threads.Add(t);
        }

        var results = new List<FileResult>(files.Count);
        foreach (var d in done)
        {
            var r = d.Task.GetAwaiter().GetResult();
            report(r);
            results.Add(r);
        }
        foreach (var t in threads) t.Join();
        return results;
    }

    /// <summary>Parses and runs one script. Never throws: a problem of the runner itself is one failure, and so is
    /// a script that cannot be parsed at all (its reason names the line and column).</summary>
    public static FileResult RunFile(string path, WastOptions options)
    {
        var clock = Stopwatch.StartNew();
        var result = new FileResult(path);
        try
        {
            var script = WastParser.Parse(File.ReadAllBytes(path), WasmSharp.Components.Text.ComponentText.Syntax);
            new ScriptRunner(script, options, result).Run();
        }
        catch (Exception ex)
        {
            result.Fail(0, "runner", ScriptRunner.Describe(ex));
        }
        result.Elapsed = clock.Elapsed;
        return result;
    }

    private static void Print(FileResult r, WastOptions options, TextWriter output)
    {
        var line = $"{r.Path}: {r.Passed} passed, {r.Failed} failed, {r.Skipped} skipped";
        if (r.MessageMismatches.Count > 0) line += $", {r.MessageMismatches.Count} message mismatches";
        if (r.SkipReasons.Count > 0) line += " (skipped: " + string.Join(", ", r.SkipReasons.Select(kv => $"{kv.Value} {kv.Key}")) + ")";
        output.WriteLine(line);
        foreach (var note in r.Notes) output.WriteLine($"  {note}");

        int shown = options.Verbose ? r.Failures.Count : Math.Min(options.ShownFailures, r.Failures.Count);
        foreach (var f in r.Failures.Take(shown)) output.WriteLine($"  FAIL {f}");
        if (shown < r.Failures.Count) output.WriteLine($"  ... {r.Failures.Count - shown} more failures (--verbose shows all)");
        if (options.Verbose)
            foreach (var m in r.MessageMismatches) output.WriteLine($"  MISMATCH {m}");
        output.Flush();
    }
}
