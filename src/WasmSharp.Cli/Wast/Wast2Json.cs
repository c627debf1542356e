using System.ComponentModel;
using System.Diagnostics;

namespace WasmSharp.Cli.Wast;

/// <summary>Runs wabt's <c>wast2json</c>, which turns a .wast script into JSON commands plus one .wasm (or .wat) per module.</summary>
internal static class Wast2Json
{
    public const string Tool = "wast2json";

    /// <summary>The tool's version, or null when it cannot be run.</summary>
    public static string? Version()
    {
        try
        {
            var (code, stdout, _) = Run(["--version"]);
            return code == 0 ? stdout.Trim() : null;
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Converts <paramref name="wastPath"/> into <paramref name="outDir"/>. Returns the JSON path, or null
    /// with <paramref name="error"/> set to wast2json's first error line.</summary>
    public static string? Convert(string wastPath, string outDir, out string error)
    {
        var json = Path.Combine(outDir, "script.json");
        var (code, stdout, stderr) = Run([wastPath, "-o", json]);
        if (code == 0 && File.Exists(json))
        {
            error = "";
            return json;
        }
        var message = (stderr + "\n" + stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        error = message.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("Assertion"))
                ?? message.FirstOrDefault() ?? $"exit code {code}";
        if (error.StartsWith(Tool + ": ", StringComparison.Ordinal)) error = error[(Tool.Length + 2)..];
        return null;
    }

    private static (int Code, string Stdout, string Stderr) Run(string[] args)
    {
        var psi = new ProcessStartInfo(Tool)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Tool}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
