using System.Diagnostics;

namespace WasmSharp.Llvm;

/// <summary>Links object files into a shared library with ld.lld-19 (lld has no C API: one process per link).</summary>
internal static class SharedLibraryLinker
{
    /// <summary>The C library the generated code may call (memmove and memset for bulk memory, the signal functions
    /// of the guard-page support library), linked by path: "libc.so" is a linker script in libc6-dev, which a
    /// machine that only runs programs may not have.</summary>
    private static readonly string? LibC =
        new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6", "/usr/lib64/libc.so.6" }
            .FirstOrDefault(File.Exists);

    /// <summary>Links object files given as bytes into a shared library, returned as bytes (the files live in a
    /// temporary folder for the link).</summary>
    public static byte[] Link(IReadOnlyList<byte[]> objects)
    {
        var work = Directory.CreateTempSubdirectory("wasmsharp-link-").FullName;
        try
        {
            var files = new List<string>();
            for (int k = 0; k < objects.Count; k++)
            {
                files.Add(Path.Combine(work, $"part{k}.o"));
                File.WriteAllBytes(files[^1], objects[k]);
            }
            string library = Path.Combine(work, "library.so");
            Link(files, library);
            return File.ReadAllBytes(library);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Links <paramref name="objects"/> into <paramref name="output"/>. Symbols bind inside the library
    /// (-Bsymbolic: calls between its functions skip the PLT); nothing is left undefined but what libc defines
    /// (native code reaches the host through its instance context, never through symbols). Without a libc found on
    /// disk, undefined symbols are left for the process's own libc to resolve when the library is loaded.</summary>
    public static void Link(IReadOnlyList<string> objects, string output)
    {
        var psi = new ProcessStartInfo(LlvmLibrary.LinkerPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-shared", "-Bsymbolic", "--hash-style=gnu", "--as-needed", "-o", output }) psi.ArgumentList.Add(a);
        foreach (var o in objects) psi.ArgumentList.Add(o);
        if (LibC is not null)
        {
            psi.ArgumentList.Add("--no-undefined");
            psi.ArgumentList.Add(LibC);
        }
        using var p = Process.Start(psi) ?? throw new WasmException($"could not start {LlvmLibrary.LinkerPath}");
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new WasmException($"{LlvmLibrary.LinkerName} failed (exit code {p.ExitCode}): {stderr.Result.Trim()}");
    }
}
