using System.Diagnostics;
using System.Globalization;

namespace WasmSharp.Bench;

/// <summary>What one process run cost, and what it printed.</summary>
internal sealed record ProcessResult(
    double WallMs, double UserMs, double SysMs, long MaxRssKb, int ExitCode, bool TimedOut, string Stdout, string Stderr);

/// <summary>
/// Runs a command in a new process under bench/runners/measure.c, which forks it, waits for it with wait4 and
/// reports its wall time (monotonic clock, fork to exit), CPU times and peak resident set size (ru_maxrss) with
/// microsecond resolution. Nothing of the harness's own process handling is in the figures.
/// </summary>
internal static class Measurement
{
    public static ProcessResult Run(string measure, IReadOnlyList<string> command, string workingDirectory, TimeSpan timeout)
    {
        string report = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo(measure)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory,
            };
            foreach (var a in (string[])[report, .. command]) psi.ArgumentList.Add(a);

            using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {measure}");
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            bool exited = process.WaitForExit(timeout);
            if (!exited) process.Kill(entireProcessTree: true);
            process.WaitForExit(); // also waits for the redirected streams to close
            var fields = File.ReadAllText(report).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!exited || fields.Length < 5)
                return new ProcessResult(double.NaN, double.NaN, double.NaN, 0, -1, !exited, stdout.Result, stderr.Result);
            double Ms(string us) => long.Parse(us, CultureInfo.InvariantCulture) / 1000.0;
            return new ProcessResult(Ms(fields[0]), Ms(fields[1]), Ms(fields[2]),
                long.Parse(fields[3], CultureInfo.InvariantCulture), int.Parse(fields[4], CultureInfo.InvariantCulture),
                false, stdout.Result, stderr.Result);
        }
        finally
        {
            File.Delete(report);
        }
    }
}
