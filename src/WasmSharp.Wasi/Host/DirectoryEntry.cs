using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi.Host;

/// <summary>One entry of a host directory listing (name bytes as stored, inode, type).</summary>
internal readonly record struct DirectoryEntry(byte[] Name, ulong Inode, FileType Type)
{
    /// <summary>Size of the guest's <c>dirent</c> header (the name follows it).</summary>
    public const int HeaderSize = 24;

    /// <summary>Lists the directory open as <paramref name="dirFd"/>, "." and ".." included, in the host's order.</summary>
    public static unsafe Errno List(int dirFd, out List<DirectoryEntry> entries)
    {
        entries = new List<DirectoryEntry>();
        int fd;
        do fd = LibC.openat(dirFd, (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference("."u8)),
            LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        while (fd < 0 && LibC.Errno == LibC.EINTR);
        if (fd < 0) return HostErrors.Last();
        nint dir = LibC.fdopendir(fd);
        if (dir == 0)
        {
            var err = HostErrors.Last();
            LibC.close(fd);
            return err;
        }
        try
        {
            while (true)
            {
                nint ent = LibC.readdir(dir);
                if (ent == 0)
                {
                    int errno = LibC.Errno;
                    return errno == 0 ? Errno.Success : HostErrors.FromHost(errno);
                }
                // struct dirent (64-bit Linux): d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name at 19.
                byte* p = (byte*)ent;
                ulong ino = *(ulong*)p;
                byte dtype = p[18];
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(p + 19).ToArray();
                var type = TypeOf(dtype);
                if (type == FileType.Unknown && dtype == 0 && FileStat.Get(dirFd, NativePath.Of(name), out var st) == Errno.Success)
                    type = st.Type;
                entries.Add(new DirectoryEntry(name, ino, type));
            }
        }
        finally
        {
            LibC.closedir(dir);
        }
    }

    private static FileType TypeOf(byte dtype) => dtype switch
    {
        2 => FileType.CharacterDevice,
        4 => FileType.Directory,
        6 => FileType.BlockDevice,
        8 => FileType.RegularFile,
        10 => FileType.SymbolicLink,
        12 => FileType.SocketStream,
        _ => FileType.Unknown,
    };
}
