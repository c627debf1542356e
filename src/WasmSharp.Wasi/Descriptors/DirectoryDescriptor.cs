using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi.Descriptors;

/// <summary>An open host directory: the base of path operations, listed by <c>fd_readdir</c>.</summary>
internal sealed class DirectoryDescriptor(int fd, FdFlags flags, string? preopenName = null)
    : HostDescriptor(fd, FileType.Directory, flags, ownsFd: true)
{
    /// <summary>The guest name of a preopened directory (reported by fd_prestat_*), or null.</summary>
    public string? PreopenName { get; } = preopenName;

    private List<DirectoryEntry>? _entries;

    /// <summary>The directory's entries from <paramref name="cookie"/> on. Cookie i is the i-th entry of a
    /// listing taken when reading starts at cookie 0 (and kept until then), so reading in pieces is
    /// consistent even while the directory changes.</summary>
    public Errno Entries(ulong cookie, out List<DirectoryEntry> entries)
    {
        if (cookie == 0 || _entries is null)
        {
            var err = DirectoryEntry.List(Fd, out var fresh);
            if (err != Errno.Success)
            {
                entries = [];
                return err;
            }
            _entries = fresh;
        }
        entries = _entries;
        return Errno.Success;
    }
}
