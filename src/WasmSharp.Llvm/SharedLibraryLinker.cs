using System.Diagnostics;

namespace WasmSharp.Llvm;

/// <summary>Links object files into a shared library with ld.lld-19 (lld has no C API: one process per link).</summary>
internal static class SharedLibraryLinker
{
    /// <summary>Links <paramref name="objects"/> into <paramref name="output"/>. Symbols bind inside the library
    /// (-Bsymbolic: calls between its functions skip the PLT); nothing is left undefined (native code reaches the
    /// host through its instance context, never through symbols) unless <paramref name="allowUndefined"/>: then they
    /// bind against the process (libc) when the library is loaded.</summary>
    public static void Link(IReadOnlyList<string> objects, string output, bool allowUndefined = false)
    {
        var psi = new ProcessStartInfo(LlvmLibrary.LinkerPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-shared", "-Bsymbolic", "--hash-style=gnu", "-o", output }) psi.ArgumentList.Add(a);
        if (!allowUndefined) psi.ArgumentList.Add("--no-undefined");
        foreach (var o in objects) psi.ArgumentList.Add(o);
        using var p = Process.Start(psi) ?? throw new WasmException($"could not start {LlvmLibrary.LinkerPath}");
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new WasmException($"{LlvmLibrary.LinkerName} failed (exit code {p.ExitCode}): {stderr.Result.Trim()}");
    }
}
