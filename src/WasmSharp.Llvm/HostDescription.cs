using System.Security.Cryptography;
using System.Text;

namespace WasmSharp.Llvm;

/// <summary>
/// What native code is built for here, and by which LLVM: the target triple, the CPU and its features, and LLVM's
/// version, the parts of every cache key that come from LLVM. Asking LLVM means loading it (100-200 ms), which a
/// cache hit should not pay, so the answer is kept in the cache under a fingerprint of what it depends on, read
/// without LLVM: the processor as /proc/cpuinfo describes it (vendor, family, model, stepping, flags) and the
/// libLLVM file's identity (path, size, modification time; an upgrade changes them). Where there is no
/// /proc/cpuinfo, LLVM is asked every time.
/// </summary>
internal sealed record HostDescription(string Triple, string Cpu, string Features, string LlvmVersion)
{
    private static readonly Dictionary<string, HostDescription> Known = new();

    /// <summary>The description for this process, from <paramref name="cache"/> when it has one for this machine.</summary>
    public static HostDescription Get(NativeCache cache)
    {
        string? file = Fingerprint() is { } fingerprint ? Path.Combine(cache.Directory, "host", fingerprint + ".txt") : null;
        lock (Known)
        {
            if (file is not null && Known.TryGetValue(file, out var known)) return known;
            var description = (file is null ? null : TryRead(file)) ?? FromLlvm();
            if (file is not null)
            {
                if (!File.Exists(file)) Write(file, description);
                Known[file] = description;
            }
            return description;
        }
    }

    /// <summary>Corrects the kept description when LLVM, loaded for a compile, says otherwise (then the fingerprint
    /// missed a change, and keys made with the old one are not used again).</summary>
    public static HostDescription Confirm(NativeCache cache, HostDescription used)
    {
        var actual = FromLlvm();
        if (actual == used) return used;
        if (Fingerprint() is { } fingerprint)
        {
            var file = Path.Combine(cache.Directory, "host", fingerprint + ".txt");
            Write(file, actual);
            lock (Known) Known[file] = actual;
        }
        return actual;
    }

    private static HostDescription FromLlvm()
    {
        using var target = new HostTarget(0);
        return new HostDescription(target.Triple, target.Cpu, target.Features, LlvmLibrary.Version);
    }

    private static readonly Lazy<string?> TheFingerprint = new(ComputeFingerprint);

    /// <summary>SHA-256 (hex) of the processor's description and libLLVM's identity; null without /proc/cpuinfo.</summary>
    private static string? Fingerprint() => TheFingerprint.Value;

    private static string? ComputeFingerprint()
    {
        if (LlvmLibrary.LibraryPath is not { } llvm) return null;
        string cpuinfo;
        try
        {
            cpuinfo = File.ReadAllText("/proc/cpuinfo");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var text = new StringBuilder();
        string[] keys = ["vendor_id", "cpu family", "model", "model name", "stepping", "flags", "CPU implementer", "CPU part", "Features"];
        foreach (var line in cpuinfo.Split('\n'))
        {
            if (line.Length == 0 && text.Length > 0) break; // the first processor's block
            int colon = line.IndexOf(':');
            if (colon > 0 && keys.Contains(line[..colon].Trim())) text.Append(line.Trim()).Append('\n');
        }
        if (text.Length == 0) return null;
        var info = new FileInfo(llvm);
        text.Append(llvm).Append('\n').Append(info.Length).Append('\n').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static HostDescription? TryRead(string file)
    {
        try
        {
            var lines = File.ReadAllLines(file);
            return lines.Length == 4 && lines.All(l => l.Length > 0) ? new HostDescription(lines[0], lines[1], lines[2], lines[3]) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes the description atomically (a temporary file renamed into place); a failure to write only
    /// means LLVM is asked again next time.</summary>
    private static void Write(string file, HostDescription d)
    {
        var temp = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(temp, $"{d.Triple}\n{d.Cpu}\n{d.Features}\n{d.LlvmVersion}\n");
            File.Move(temp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception f) when (f is IOException or UnauthorizedAccessException) { }
        }
    }
}
