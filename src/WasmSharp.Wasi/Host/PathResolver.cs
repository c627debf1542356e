using System.Text.Unicode;
using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi.Host;

/// <summary>
/// The capability sandbox. Resolves a guest path relative to a directory descriptor one component at a time,
/// with descriptor-relative host calls, so that nothing can name a file outside that directory: an absolute
/// path, a <c>..</c> above the starting directory, or a symbolic link (whoever made it) whose target does
/// either, fails with <c>ENOTCAPABLE</c>. Symbolic links are expanded here, never by the kernel: intermediate
/// directories are opened with O_NOFOLLOW, and every operation on the final component uses its no-follow form.
/// </summary>
internal static class PathResolver
{
    /// <summary>Most symbolic links expanded in one resolution before <c>ELOOP</c> (Linux's limit).</summary>
    public const int MaxSymlinks = 40;

    private static readonly byte[] Dot = "."u8.ToArray();

    /// <summary>
    /// Resolves <paramref name="path"/> beneath <paramref name="baseFd"/>. On success, <paramref name="result"/>
    /// names the final component inside an open directory; the final component is expanded if it is a symbolic
    /// link and <paramref name="followFinal"/> is set. A path ending with a slash must name a directory (or
    /// nothing yet): otherwise the result is ENOTDIR.
    /// </summary>
    public static unsafe Errno Resolve(int baseFd, ReadOnlySpan<byte> path, bool followFinal, out ResolvedPath result)
    {
        result = default;
        if (path.Length == 0) return Errno.NoEnt;
        if (path.IndexOf((byte)0) >= 0) return Errno.Inval;
        if (!Utf8.IsValid(path)) return Errno.Ilseq;
        if (path[0] == (byte)'/') return Errno.NotCapable;

        var pending = new List<byte[]>(); // components still to walk, next one last
        bool mustBeDirectory = Push(pending, path);
        var stack = new List<int> { baseFd }; // open directories from the base down; only the base is borrowed
        int links = 0;
        bool done = false;
        try
        {
            byte[] name = Dot;
            FileStat? finalStat = null;
            while (pending.Count > 0)
            {
                byte[] c = pending[^1];
                pending.RemoveAt(pending.Count - 1);
                bool last = pending.Count == 0;

                if (IsDot(c))
                {
                    continue;
                }
                if (IsDotDot(c))
                {
                    if (stack.Count == 1) return Errno.NotCapable;
                    LibC.close(stack[^1]);
                    stack.RemoveAt(stack.Count - 1);
                    continue;
                }
                if (last && !followFinal && !mustBeDirectory)
                {
                    name = c;
                    break;
                }

                var native = NativePath.Of(c);
                var err = FileStat.Get(stack[^1], native, out var stat);
                if (err == Errno.NoEnt && last)
                {
                    name = c;
                    break;
                }
                if (err != Errno.Success) return err;

                if (stat.Type == FileType.SymbolicLink)
                {
                    // A trailing slash asks for a directory but does not follow a final link the caller acts on.
                    if (last && !followFinal) return Errno.NotDir;
                    if (++links > MaxSymlinks) return Errno.Loop;
                    err = ReadLink(stack[^1], native, out var target);
                    if (err != Errno.Success) return err;
                    if (target.Length == 0) return Errno.NoEnt;
                    if (target[0] == (byte)'/') return Errno.NotCapable;
                    if (Push(pending, target) && last) mustBeDirectory = true;
                    continue;
                }
                if (last)
                {
                    name = c;
                    finalStat = stat;
                    break;
                }
                if (stat.Type != FileType.Directory) return Errno.NotDir;

                int fd;
                fixed (byte* p = native)
                {
                    do fd = LibC.openat(stack[^1], p, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
                    while (fd < 0 && LibC.Errno == LibC.EINTR);
                }
                if (fd < 0) return HostErrors.Last();
                stack.Add(fd);
            }

            if (mustBeDirectory && finalStat is { } s && s.Type != FileType.Directory) return Errno.NotDir;
            result = new ResolvedPath(stack[^1], stack.Count > 1, name, mustBeDirectory, finalStat);
            done = true;
            return Errno.Success;
        }
        finally
        {
            // Close every directory opened on the way except the one the result keeps.
            for (int i = 1; i < stack.Count - (done ? 1 : 0); i++) LibC.close(stack[i]);
        }
    }

    /// <summary>Pushes the components of <paramref name="path"/> (in walking order, first on top); returns
    /// whether it ends with a slash.</summary>
    private static bool Push(List<byte[]> pending, ReadOnlySpan<byte> path)
    {
        int end = path.Length;
        bool trailing = path[^1] == (byte)'/';
        while (end > 0)
        {
            int start = path[..end].LastIndexOf((byte)'/') + 1;
            if (end > start) pending.Add(path[start..end].ToArray());
            end = start - 1;
        }
        return trailing;
    }

    /// <summary>The target of the symbolic link <paramref name="name"/> in <paramref name="dirFd"/>.</summary>
    public static unsafe Errno ReadLink(int dirFd, byte[] name, out byte[] target)
    {
        var buf = new byte[256];
        while (true)
        {
            nint n;
            fixed (byte* p = name)
            fixed (byte* b = buf)
            {
                n = LibC.readlinkat(dirFd, p, b, (nuint)buf.Length);
            }
            if (n < 0)
            {
                target = [];
                return HostErrors.Last();
            }
            if (n < buf.Length)
            {
                target = buf.AsSpan(0, (int)n).ToArray();
                return Errno.Success;
            }
            buf = new byte[buf.Length * 4];
        }
    }

    public static bool IsDot(ReadOnlySpan<byte> c) => c.Length == 1 && c[0] == (byte)'.';
    public static bool IsDotDot(ReadOnlySpan<byte> c) => c.Length == 2 && c[0] == (byte)'.' && c[1] == (byte)'.';
}

/// <summary>
/// A resolved path: the final component <see cref="Name"/> (never containing a slash; "." for the directory
/// itself) inside the open directory <see cref="DirFd"/>, which is closed on dispose if the resolver opened it.
/// </summary>
internal readonly struct ResolvedPath(int dirFd, bool ownsDir, byte[] name, bool mustBeDirectory, FileStat? stat) : IDisposable
{
    public int DirFd { get; } = dirFd;
    public byte[] Name { get; } = name;
    /// <summary>The path ended with a slash: its target must be a directory.</summary>
    public bool MustBeDirectory { get; } = mustBeDirectory;
    /// <summary>The final component's status (not following it), when the resolver looked at it.</summary>
    public FileStat? Stat { get; } = stat;
    /// <summary><see cref="Name"/> NUL-terminated, for host calls.</summary>
    public byte[] NativeName => NativePath.Of(Name);
    public bool IsDot => PathResolver.IsDot(Name);

    public void Dispose()
    {
        if (ownsDir) LibC.close(DirFd);
    }
}
