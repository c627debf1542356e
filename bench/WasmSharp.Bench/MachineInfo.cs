using System.Diagnostics;

namespace WasmSharp.Bench;

/// <summary>The machine and tool versions a run was made with, so numbers are never read without them.</summary>
internal sealed record MachineInfo
{
    public required string Cpu { get; init; }
    public required int Cores { get; init; }
    public required string LoadAverageBefore { get; init; }
    public string LoadAverageAfter { get; set; } = "";
    public required string Kernel { get; init; }
    public required string Dotnet { get; init; }
    public required string Node { get; init; }
    public required string Wasmtime { get; init; }
    public required string Clang { get; init; }
    public required string Gcc { get; init; }
    public required string Commit { get; init; }

    /// <summary>Version of the Wasmtime NuGet package the runner is built with (kept in sync with its csproj).</summary>
    public const string WasmtimePackage = "Wasmtime 50.0.1 (NuGet)";

    public static MachineInfo Collect(RepoPaths paths) => new()
    {
        Cpu = CpuModel(),
        Cores = Environment.ProcessorCount,
        LoadAverageBefore = LoadAverage(),
        Kernel = FirstLine("uname", "-sr"),
        Dotnet = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        Node = FirstLine("node", "--version"),
        Wasmtime = WasmtimePackage,
        Clang = FirstLine("clang-19", "--version"),
        Gcc = FirstLine("gcc", "--version"),
        Commit = FirstLine("git", "-C", paths.Root, "describe", "--always", "--dirty"),
    };

    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', parts.Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "?" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string FirstLine(string command, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return output.Split('\n')[0].Trim();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "not found";
        }
    }
}
