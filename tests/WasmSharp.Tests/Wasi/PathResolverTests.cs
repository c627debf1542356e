using System.Text;
using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Tests.Wasi;

/// <summary>The sandbox's path resolution on its own, against a real directory tree:
/// root/{file, dir/{inner}, up -> .., out -> ../outside, in -> dir, loop -> loop} beside outside/secret.</summary>
public sealed unsafe class PathResolverTests : IDisposable
{
    private readonly TestPrograms.TempDirectory _tmp = new();
    private readonly int _root;

    public PathResolverTests()
    {
        string root = _tmp.Sub("root");
        string outside = _tmp.Sub("outside");
        File.WriteAllText(Path.Combine(outside, "secret"), "s");
        File.WriteAllText(Path.Combine(root, "file"), "f");
        Directory.CreateDirectory(Path.Combine(root, "dir"));
        File.WriteAllText(Path.Combine(root, "dir", "inner"), "i");
        File.CreateSymbolicLink(Path.Combine(root, "up"), "..");
        File.CreateSymbolicLink(Path.Combine(root, "out"), "../outside");
        File.CreateSymbolicLink(Path.Combine(root, "abs"), outside);
        File.CreateSymbolicLink(Path.Combine(root, "in"), "dir");
        File.CreateSymbolicLink(Path.Combine(root, "dir", "back"), "../file");
        File.CreateSymbolicLink(Path.Combine(root, "loop"), "loop");
        // chain0 -> chain1 -> ... -> chain40 -> file: 41 links to expand.
        for (int i = 0; i < 41; i++)
            File.CreateSymbolicLink(Path.Combine(root, $"chain{i}"), i == 40 ? "file" : $"chain{i + 1}");
        fixed (byte* p = NativePath.Of(root)) _root = LibC.openat(-100, p, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        Assert.True(_root >= 0);
    }

    public void Dispose()
    {
        LibC.close(_root);
        _tmp.Dispose();
    }

    private (Errno Errno, string? Name, FileType? Type) Resolve(string path, bool follow = true) => Resolve(Encoding.UTF8.GetBytes(path), follow);

    private (Errno, string?, FileType?) Resolve(byte[] path, bool follow)
    {
        var err = PathResolver.Resolve(_root, path, follow, out var r);
        if (err != Errno.Success) return (err, null, null);
        using (r)
        {
            var stat = FileStat.Get(r.DirFd, r.NativeName, out var s) == Errno.Success ? s.Type : (FileType?)null;
            return (err, Encoding.UTF8.GetString(r.Name), stat);
        }
    }

    [Theory]
    [InlineData("file", "file", FileType.RegularFile)]
    [InlineData("dir/inner", "inner", FileType.RegularFile)]
    [InlineData("dir/../dir/./inner", "inner", FileType.RegularFile)]
    [InlineData(".//dir///inner", "inner", FileType.RegularFile)]
    [InlineData("dir/..", ".", FileType.Directory)]
    [InlineData(".", ".", FileType.Directory)]
    [InlineData("in/inner", "inner", FileType.RegularFile)]
    [InlineData("dir/back", "file", FileType.RegularFile)]
    [InlineData("dir/", "dir", FileType.Directory)]
    [InlineData("chain1", "file", FileType.RegularFile)] // 40 links: the most allowed
    [InlineData("missing", "missing", null)]
    public void ResolvesInside(string path, string name, FileType? type)
    {
        var (err, n, t) = Resolve(path);
        Assert.Equal(Errno.Success, err);
        Assert.Equal(name, n);
        Assert.Equal(type, t);
    }

    [Theory]
    [InlineData("..", Errno.NotCapable)]
    [InlineData("../outside/secret", Errno.NotCapable)]
    [InlineData("dir/../../outside/secret", Errno.NotCapable)]
    [InlineData("/etc/passwd", Errno.NotCapable)]
    [InlineData("/", Errno.NotCapable)]
    [InlineData("up", Errno.NotCapable)]
    [InlineData("up/root/file", Errno.NotCapable)]
    [InlineData("out/secret", Errno.NotCapable)]
    [InlineData("abs/secret", Errno.NotCapable)]
    [InlineData("loop", Errno.Loop)]
    [InlineData("chain0", Errno.Loop)] // 41 links
    [InlineData("file/", Errno.NotDir)]
    [InlineData("file/x", Errno.NotDir)]
    [InlineData("missing/x", Errno.NoEnt)]
    [InlineData("", Errno.NoEnt)]
    [InlineData("dir\0/inner", Errno.Inval)]
    public void RefusesEscapesAndBadPaths(string path, Errno expected) => Assert.Equal(expected, Resolve(path).Errno);

    [Fact]
    public void RefusesInvalidUtf8() => Assert.Equal(Errno.Ilseq, Resolve([(byte)'d', 0xC3], follow: true).Item1);

    [Fact]
    public void FinalLinkIsKeptWithoutFollow()
    {
        // Without following, the final component is the link itself, even one pointing outside.
        var (err, name, type) = Resolve("out", follow: false);
        Assert.Equal(Errno.Success, err);
        Assert.Equal("out", name);
        Assert.Equal(FileType.SymbolicLink, type);
        // A trailing slash asks for a directory, and does not make the resolver follow.
        Assert.Equal(Errno.NotDir, Resolve("in/", follow: false).Errno);
    }
}
