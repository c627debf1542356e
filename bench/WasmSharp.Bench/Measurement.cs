using System.Diagnostics;
using System.Globalization;

namespace WasmSharp.Bench;

/// <summary>What one process run cost, and what it printed.</summary>
internal sealed record ProcessResult(
    double WallMs, double UserMs, double SysMs, long MaxRssKb, int ExitCode, bool TimedOut, string Stdout, string Stderr);

/// <summary>
/// Runs a command in a new process under GNU time (/usr/bin/time), which reports the child's peak resident set
/// size (getrusage ru_maxrss) and CPU times. The wall time is the harness's own clock from process start to exit;
/// GNU time's fork and exec are in it for every engine alike (well under a millisecond).
/// </summary>
internal static class Measurement
{
    public const string TimeCommand = "/usr/bin/time";

    public static ProcessResult Run(IReadOnlyList<string> command, string workingDirectory, TimeSpan timeout)
    {
        string timeFile = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo(TimeCommand)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory,
            };
            foreach (var a in (string[])["-f", "%U %S %M", "-o", timeFile, .. command]) psi.ArgumentList.Add(a);

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {command[0]}");
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            bool exited = process.WaitForExit(timeout);
            double wall = clock.Elapsed.TotalMilliseconds;
            if (!exited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            process.WaitForExit(); // flushes the redirected streams
            var (user, sys, rss) = ReadTimeFile(timeFile);
            return new ProcessResult(wall, user, sys, rss, exited ? process.ExitCode : -1, !exited,
                stdout.Result, stderr.Result);
        }
        finally
        {
            File.Delete(timeFile);
        }
    }

    /// <summary>GNU time's last line is "USER SYS MAXRSS"; before it may come "Command exited with non-zero
    /// status N" or "Command terminated by signal N".</summary>
    private static (double UserMs, double SysMs, long MaxRssKb) ReadTimeFile(string path)
    {
        var lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        var last = lines.LastOrDefault(l => l.Length > 0 && char.IsDigit(l[0]));
        if (last is null) return (double.NaN, double.NaN, 0);
        var parts = last.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3) return (double.NaN, double.NaN, 0);
        return (double.Parse(parts[0], CultureInfo.InvariantCulture) * 1000,
                double.Parse(parts[1], CultureInfo.InvariantCulture) * 1000,
                long.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}
