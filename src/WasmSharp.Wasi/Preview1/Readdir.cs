using System.Buffers.Binary;
using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Descriptors;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi;

// fd_readdir: fills the buffer with dirent headers (d_next u64, d_ino u64, d_namlen u32, d_type u8) each
// followed by its name; the last entry is cut off when the buffer is full, which tells the guest to read on.
public sealed partial class WasiPreview1
{
    private Errno FdReaddir(uint fd, uint bufPtr, uint bufLength, ulong cookie, uint resultPtr)
    {
        if (!_fds.TryGet(fd, out var d)) return Errno.Badf;
        if (d is not DirectoryDescriptor dir) return Errno.NotDir;
        if ((d.Base & Rights.FdReaddir) == 0) return Errno.NotCapable;
        var err = dir.Entries(cookie, out var entries);
        if (err != Errno.Success) return err;

        var m = Mem;
        var buffer = m.Slice(bufPtr, bufLength);
        Span<byte> header = stackalloc byte[DirectoryEntry.HeaderSize];
        int used = 0;
        for (ulong i = cookie; i < (ulong)entries.Count && used < buffer.Length; i++)
        {
            var e = entries[(int)i];
            header.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(header, i + 1);
            BinaryPrimitives.WriteUInt64LittleEndian(header[8..], e.Inode);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)e.Name.Length);
            header[20] = (byte)e.Type;
            used += CopyCut(header, buffer[used..]);
            used += CopyCut(e.Name, buffer[used..]);
        }
        m.Write32(resultPtr, (uint)used);
        return Errno.Success;
    }

    /// <summary>Copies as much of <paramref name="source"/> as fits; returns the bytes copied.</summary>
    private static int CopyCut(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int n = Math.Min(source.Length, destination.Length);
        source[..n].CopyTo(destination);
        return n;
    }
}
