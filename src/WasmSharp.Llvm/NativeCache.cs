using System.Security.Cryptography;
using System.Text;

namespace WasmSharp.Llvm;

/// <summary>
/// The content-addressed cache of compiled modules: a shared library per key, so an unchanged module is compiled
/// once. The key covers everything the code depends on (<see cref="Key(ReadOnlySpan{byte}, string, string, string, string, string)"/>). An entry's file name carries the SHA-256
/// of its content, checked before every use: a truncated, corrupt or tampered entry is deleted and rebuilt, never
/// loaded. Entries are written to a temporary file and renamed into place, so readers see a whole file or none, and
/// two processes compiling the same module at once each publish a complete entry (the later rename wins).
/// </summary>
internal sealed class NativeCache
{
    /// <summary>The backend's build: the module version ids of WasmSharp.Llvm (the translator) and WasmSharp (the
    /// instance context's layout, the calls native code makes back). Deterministic builds derive them from the
    /// assemblies' contents, so any change to either makes new keys: a library built by another build of WasmSharp,
    /// which may read the context differently, is never loaded.</summary>
    public static readonly string BackendVersion =
        $"{typeof(NativeCache).Assembly.ManifestModule.ModuleVersionId:N}+{typeof(Module).Assembly.ManifestModule.ModuleVersionId:N}";

    public NativeCache(string? directory = null, long maxBytes = DefaultMaxBytes)
    {
        Directory = directory ?? DefaultDirectory();
        MaxBytes = maxBytes;
    }

    public string Directory { get; }

    /// <summary>The cache's size limit: every build of WasmSharp makes new keys, so old entries pile up. After
    /// each store the least recently used libraries go until the rest fit (a hit counts as a use).</summary>
    public long MaxBytes { get; }

    public const long DefaultMaxBytes = 2L << 30;

    /// <summary><c>$XDG_CACHE_HOME/wasmsharp</c>, else <c>~/.cache/wasmsharp</c>.</summary>
    public static string DefaultDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "wasmsharp");
    }

    /// <summary>The key of <paramref name="module"/> compiled by this backend with LLVM <paramref name="llvmVersion"/>
    /// for <paramref name="triple"/>, <paramref name="cpu"/> and <paramref name="features"/> (code built for one CPU
    /// may not run on another) with <paramref name="options"/>: hex SHA-256 over all of them.</summary>
    public static string Key(ReadOnlySpan<byte> module, string llvmVersion, string triple, string cpu, string features, string options)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(SHA256.HashData(module));
        foreach (var part in new[] { BackendVersion, llvmVersion, triple, cpu, features, options })
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            h.AppendData(BitConverter.GetBytes(bytes.Length)); // lengths keep ("ab", "c") apart from ("a", "bc")
            h.AppendData(bytes);
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    /// <summary>The key of <paramref name="module"/> built by this backend for <paramref name="host"/> with
    /// <paramref name="options"/>.</summary>
    public static string Key(ReadOnlySpan<byte> module, HostDescription host, string options) =>
        Key(module, host.LlvmVersion, host.Triple, host.Cpu, host.Features, options);

    private string Folder(string key) => Path.Combine(Directory, key[..2]);

    /// <summary>The path of a verified entry for <paramref name="key"/>, or null. Entries that fail the check are
    /// deleted.</summary>
    public string? TryGet(string key)
    {
        var folder = Folder(key);
        if (!System.IO.Directory.Exists(folder)) return null;
        foreach (var path in System.IO.Directory.EnumerateFiles(folder, key + "-*.so"))
        {
            if (Verify(path, key))
            {
                Touch(path);
                return path;
            }
            TryDelete(path);
        }
        return null;
    }

    /// <summary>The entry for the key <paramref name="keyOf"/> makes from this machine's host description, without
    /// LLVM when the kept description finds it; on a miss LLVM confirms the description, and a corrected one is
    /// tried too. <paramref name="key"/> is the key to store a new entry under.</summary>
    public string? Find(Func<HostDescription, string> keyOf, out string key)
    {
        var host = HostDescription.Get(this);
        key = keyOf(host);
        if (TryGet(key) is { } path) return path;
        var confirmed = HostDescription.Confirm(this, host);
        if (confirmed == host) return null;
        key = keyOf(confirmed);
        return TryGet(key);
    }

    /// <summary>Stores <paramref name="library"/> under <paramref name="key"/> and returns the entry's path.</summary>
    public string Put(string key, ReadOnlySpan<byte> library)
    {
        var folder = Folder(key);
        System.IO.Directory.CreateDirectory(folder);
        var final = Path.Combine(folder, $"{key}-{Convert.ToHexStringLower(SHA256.HashData(library))}.so");
        var temp = Path.Combine(folder, $".{key}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                f.Write(library);
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, final, overwrite: true);
        }
        finally
        {
            TryDelete(temp);
        }
        Evict(keep: final);
        return final;
    }

    /// <summary>Whether the file's content hashes to the name it carries.</summary>
    private static bool Verify(string path, string key)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        if (name.Length != key.Length + 1 + 64 || !name.StartsWith(key + "-", StringComparison.Ordinal)) return false;
        try
        {
            using var f = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(f)) == name[(key.Length + 1)..];
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>Marks a use: the modification time orders entries for eviction (access times are often off).</summary>
    private static void Touch(string path)
    {
        try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Deletes the least recently used libraries until the cache fits <see cref="MaxBytes"/>, never
    /// <paramref name="keep"/>. Deleting a library another process has loaded is harmless: its mapping stays.</summary>
    private void Evict(string keep)
    {
        try
        {
            var entries = new DirectoryInfo(Directory).EnumerateFiles("*.so", SearchOption.AllDirectories)
                .OrderByDescending(f => f.LastWriteTimeUtc).ToList();
            long total = entries.Sum(f => f.Length);
            for (int i = entries.Count - 1; i >= 0 && total > MaxBytes; i--)
            {
                if (entries[i].FullName == Path.GetFullPath(keep)) continue;
                total -= entries[i].Length;
                TryDelete(entries[i].FullName);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
