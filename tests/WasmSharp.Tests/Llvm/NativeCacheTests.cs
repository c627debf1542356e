using WasmSharp.Llvm;

namespace WasmSharp.Tests.Llvm;

/// <summary>The content-addressed cache: entries are verified before use, written atomically, keyed on everything.</summary>
public sealed class NativeCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wasmsharp-cache-").FullName;
    private static readonly byte[] Module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    private static readonly byte[] Library = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Key(string options = "O2", string cpu = "znver4") =>
        NativeCache.Key(Module, "19.1.7", "x86_64-pc-linux-gnu", cpu, "+avx2", options);

    [Fact]
    public void AnEntryIsFoundAgain()
    {
        var cache = new NativeCache(_dir);
        Assert.Null(cache.TryGet(Key()));
        var path = cache.Put(Key(), Library);
        Assert.Equal(path, cache.TryGet(Key()));
        Assert.Equal(Library, File.ReadAllBytes(path));
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void TheKeyCoversTheModuleTheCpuAndTheOptions()
    {
        string[] keys =
        [
            Key(), Key(options: "O3"), Key(cpu: "skylake"),
            NativeCache.Key([.. Module, 0x00], "19.1.7", "x86_64-pc-linux-gnu", "znver4", "+avx2", "O2"),
            NativeCache.Key(Module, "19.1.6", "x86_64-pc-linux-gnu", "znver4", "+avx2", "O2"),
            NativeCache.Key(Module, "19.1.7", "x86_64-pc-linux-gnu", "znver4", "+avx2O", "2"),
        ];
        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(Key(), Key());
    }

    [Theory]
    [InlineData("corrupt")]
    [InlineData("truncated")]
    [InlineData("renamed")]
    public void ABadEntryIsDroppedNeverUsed(string damage)
    {
        var cache = new NativeCache(_dir);
        var path = cache.Put(Key(), Library);
        switch (damage)
        {
            case "corrupt":
                var bytes = File.ReadAllBytes(path);
                bytes[100] ^= 0xFF;
                File.WriteAllBytes(path, bytes);
                break;
            case "truncated":
                File.WriteAllBytes(path, Library[..1000]);
                break;
            default: // another entry's content under this name
                File.Move(path, path.Replace(Key(), Key(options: "O3")));
                File.WriteAllBytes(path, Library.Reverse().ToArray());
                break;
        }
        Assert.Null(cache.TryGet(Key()));
        Assert.False(File.Exists(path));
        Assert.Equal(cache.Put(Key(), Library), cache.TryGet(Key())); // rebuilt
    }

    [Fact]
    public void WritersAtOnceLeaveOneWholeEntry()
    {
        var cache = new NativeCache(_dir);
        Parallel.For(0, 16, _ => cache.Put(Key(), Library));
        var path = cache.TryGet(Key());
        Assert.NotNull(path);
        Assert.Equal(Library, File.ReadAllBytes(path));
        Assert.Single(Directory.EnumerateFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void TheDefaultFolderFollowsXdgCacheHome()
    {
        var saved = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/tmp/xdg-test");
            Assert.Equal("/tmp/xdg-test/wasmsharp", NativeCache.DefaultDirectory());
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "wasmsharp"),
                NativeCache.DefaultDirectory());
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved);
        }
    }

    [Fact]
    public void TheKeyCoversTheBuildOfWasmSharp()
    {
        // A library from another build may read the instance context differently: its key must differ.
        Assert.Contains(typeof(Module).Assembly.ManifestModule.ModuleVersionId.ToString("N"), NativeCache.BackendVersion);
        Assert.Contains(typeof(NativeCache).Assembly.ManifestModule.ModuleVersionId.ToString("N"), NativeCache.BackendVersion);
    }

    [Fact]
    public void LlvmReportsItsVersion() => Assert.StartsWith("19.", LlvmLibrary.Version);

    [Fact]
    public void TheHostsDescriptionIsKeptSoACacheHitNeedsNoLlvm()
    {
        var first = new NativeCache(Path.Combine(_dir, "a"));
        var real = HostDescription.Get(first);
        Assert.StartsWith("19.", real.LlvmVersion);
        var file = Assert.Single(Directory.EnumerateFiles(Path.Combine(first.Directory, "host")));
        Assert.Equal([real.Triple, real.Cpu, real.Features, real.LlvmVersion], File.ReadAllLines(file));
        // Another cache with a description for this machine's fingerprint: it is read, not recomputed by LLVM.
        var second = new NativeCache(Path.Combine(_dir, "b"));
        var planted = Path.Combine(second.Directory, "host", Path.GetFileName(file));
        Directory.CreateDirectory(Path.GetDirectoryName(planted)!);
        File.WriteAllLines(planted, ["x86_64-unknown-linux-gnu", "i386", "+none", "19.0.0"]);
        var read = HostDescription.Get(second);
        Assert.Equal("i386", read.Cpu);
        // A compile asks LLVM anyway; a kept description it contradicts is replaced.
        Assert.Equal(real, HostDescription.Confirm(second, read));
        Assert.Equal(real.Cpu, File.ReadAllLines(planted)[1]);
    }

    [Fact]
    public void TheLeastRecentlyUsedEntriesGoWhenTheCacheIsFull()
    {
        // Room for two libraries of 4 KB.
        var cache = new NativeCache(_dir, maxBytes: 2 * Library.Length + 100);
        var a = cache.Put(Key("a"), Library);
        File.SetLastWriteTimeUtc(a, DateTime.UtcNow.AddMinutes(-10));
        var b = cache.Put(Key("b"), Library);
        File.SetLastWriteTimeUtc(b, DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(a, cache.TryGet(Key("a"))); // a hit makes a the most recent
        cache.Put(Key("c"), Library);
        Assert.NotNull(cache.TryGet(Key("a")));
        Assert.Null(cache.TryGet(Key("b")));
        Assert.NotNull(cache.TryGet(Key("c")));
        // A store never evicts itself, even when it alone is over the limit.
        var tiny = new NativeCache(Path.Combine(_dir, "tiny"), maxBytes: 10);
        var only = tiny.Put(Key("d"), Library);
        Assert.True(File.Exists(only));
    }
}
