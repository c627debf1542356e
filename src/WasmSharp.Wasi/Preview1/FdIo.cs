using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Descriptors;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi;

// fd_read, fd_write, fd_pread, fd_pwrite: scatter/gather I/O straight between the host and guest memory.
public sealed partial class WasiPreview1
{
    /// <summary>Most iovecs in one call (Linux's IOV_MAX).</summary>
    private const uint MaxIovecs = 1024;

    private unsafe delegate Errno IoCall(Descriptor d, LibC.IoVec* iovs, int count, out ulong transferred);

    private unsafe Errno FdRead(uint fd, uint iovs, uint count, uint resultPtr) =>
        Io(fd, Rights.FdRead, seek: false, iovs, count, resultPtr,
            (Descriptor d, LibC.IoVec* v, int n, out ulong done) => d.Read(v, n, out done));

    private unsafe Errno FdWrite(uint fd, uint iovs, uint count, uint resultPtr) =>
        Io(fd, Rights.FdWrite, seek: false, iovs, count, resultPtr,
            (Descriptor d, LibC.IoVec* v, int n, out ulong done) => d.Write(v, n, out done));

    private unsafe Errno FdPread(uint fd, uint iovs, uint count, ulong offset, uint resultPtr) =>
        Io(fd, Rights.FdRead, seek: true, iovs, count, resultPtr,
            (Descriptor d, LibC.IoVec* v, int n, out ulong done) => d.PRead(v, n, offset, out done));

    private unsafe Errno FdPwrite(uint fd, uint iovs, uint count, ulong offset, uint resultPtr) =>
        Io(fd, Rights.FdWrite, seek: true, iovs, count, resultPtr,
            (Descriptor d, LibC.IoVec* v, int n, out ulong done) => d.PWrite(v, n, offset, out done));

    /// <summary>Checks the descriptor's rights (positioned I/O also needs fd_seek), translates the guest's
    /// iovec array (buf u32, buf_len u32 each) to host iovecs into guest memory, runs the transfer and stores
    /// the byte count.</summary>
    private unsafe Errno Io(uint fd, Rights right, bool seek, uint iovsPtr, uint count, uint resultPtr, IoCall call)
    {
        if (!_fds.TryGet(fd, out var d)) return Errno.Badf;
        // Reading a descriptor opened only for writing (or the reverse) is EBADF, as in POSIX.
        if ((d.Base & right) == 0) return d.Type == FileType.Directory ? Errno.IsDir : Errno.Badf;
        if (seek && (d.Base & Rights.FdSeek) == 0) return d.IsStream ? Errno.Spipe : Errno.NotCapable;
        if (count > MaxIovecs) return Errno.Inval;

        var m = Mem;
        var guest = m.Slice(iovsPtr, count * 8);
        LibC.IoVec* host = stackalloc LibC.IoVec[(int)Math.Max(count, 1)];
        ulong total = 0;
        for (int i = 0; i < count; i++)
        {
            uint buf = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(guest[(i * 8)..]);
            uint len = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(guest[(i * 8 + 4)..]);
            host[i].Base = m.Pointer(buf, len);
            host[i].Length = len;
            total += len;
        }
        if (total > int.MaxValue) return Errno.Inval;
        var err = call(d, host, (int)count, out ulong transferred);
        if (err != Errno.Success) return err;
        m.Write32(resultPtr, (uint)transferred);
        return Errno.Success;
    }
}
