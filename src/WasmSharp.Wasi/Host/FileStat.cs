using System.Buffers.Binary;
using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi.Host;

/// <summary>WASI's <c>filestat</c>, read from the host with <c>statx</c>.</summary>
internal readonly record struct FileStat(ulong Device, ulong Inode, FileType Type, ulong LinkCount, ulong Size,
    ulong AccessTime, ulong ModifyTime, ulong ChangeTime)
{
    /// <summary>Size of <c>filestat</c> in guest memory.</summary>
    public const int GuestSize = 64;

    /// <summary>Stats <paramref name="name"/> in directory <paramref name="dirFd"/> without following a final
    /// symlink, or the descriptor itself when <paramref name="name"/> is null.</summary>
    public static unsafe Errno Get(int dirFd, byte[]? name, out FileStat stat)
    {
        byte* buf = stackalloc byte[256];
        byte empty = 0;
        int rc;
        fixed (byte* p = name)
        {
            do
            {
                rc = name is null
                    ? LibC.statx(dirFd, &empty, LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, buf)
                    : LibC.statx(dirFd, p, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, buf);
            } while (rc != 0 && LibC.Errno == LibC.EINTR);
        }
        if (rc != 0)
        {
            stat = default;
            return HostErrors.Last();
        }
        stat = Parse(new ReadOnlySpan<byte>(buf, 256));
        return Errno.Success;
    }

    /// <summary>Decodes a Linux <c>struct statx</c>.</summary>
    private static FileStat Parse(ReadOnlySpan<byte> b)
    {
        uint nlink = BinaryPrimitives.ReadUInt32LittleEndian(b[16..]);
        ushort mode = BinaryPrimitives.ReadUInt16LittleEndian(b[28..]);
        ulong ino = BinaryPrimitives.ReadUInt64LittleEndian(b[32..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(b[40..]);
        uint devMajor = BinaryPrimitives.ReadUInt32LittleEndian(b[136..]);
        uint devMinor = BinaryPrimitives.ReadUInt32LittleEndian(b[140..]);
        return new FileStat(MakeDev(devMajor, devMinor), ino, TypeOfMode(mode), nlink, size,
            Time(b[64..]), Time(b[112..]), Time(b[96..]));
    }

    /// <summary>A <c>statx_timestamp</c> (i64 seconds, u32 nanoseconds) in nanoseconds since the epoch.</summary>
    private static ulong Time(ReadOnlySpan<byte> t)
    {
        long seconds = BinaryPrimitives.ReadInt64LittleEndian(t);
        uint nanos = BinaryPrimitives.ReadUInt32LittleEndian(t[8..]);
        return seconds < 0 ? 0 : (ulong)seconds * 1_000_000_000UL + nanos;
    }

    /// <summary>glibc's <c>makedev</c>, so device numbers match what native programs see in <c>st_dev</c>.</summary>
    private static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    public static FileType TypeOfMode(uint mode) => (mode & 0xF000) switch
    {
        0x4000 => FileType.Directory,
        0x8000 => FileType.RegularFile,
        0xA000 => FileType.SymbolicLink,
        0x2000 => FileType.CharacterDevice,
        0x6000 => FileType.BlockDevice,
        0xC000 => FileType.SocketStream,
        _ => FileType.Unknown,
    };

    /// <summary>Writes the 64-byte guest <c>filestat</c>.</summary>
    public void WriteTo(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, Device);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], Inode);
        d[16] = (byte)Type;
        d[17..24].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], LinkCount);
        BinaryPrimitives.WriteUInt64LittleEndian(d[32..], Size);
        BinaryPrimitives.WriteUInt64LittleEndian(d[40..], AccessTime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[48..], ModifyTime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[56..], ChangeTime);
    }
}
