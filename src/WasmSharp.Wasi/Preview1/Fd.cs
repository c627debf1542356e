using System.Text;
using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Descriptors;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi;

// fd_*: descriptor state (close, renumber, fdstat, filestat, sync, advise, allocate, seek, tell, prestat).
public sealed partial class WasiPreview1
{
    private Errno FdClose(uint fd) => _fds.Close(fd);

    private Errno FdRenumber(uint from, uint to) => _fds.Renumber(from, to);

    private Errno FdDatasync(uint fd)
    {
        var err = Get(fd, Rights.FdDatasync, out var d);
        return err != Errno.Success ? err : d.DataSync();
    }

    private Errno FdSync(uint fd)
    {
        var err = Get(fd, Rights.FdSync, out var d);
        return err != Errno.Success ? err : d.Sync();
    }

    private Errno FdAdvise(uint fd, ulong offset, ulong length, uint advice)
    {
        var err = Get(fd, Rights.FdAdvise, out var d);
        if (err != Errno.Success) return err;
        return advice > (uint)Advice.NoReuse ? Errno.Inval : d.Advise(offset, length, (Advice)advice);
    }

    private Errno FdAllocate(uint fd, ulong offset, ulong length)
    {
        var err = Get(fd, Rights.FdAllocate, out var d);
        return err != Errno.Success ? err : d.Allocate(offset, length);
    }

    private Errno FdFdstatGet(uint fd, uint resultPtr)
    {
        if (!_fds.TryGet(fd, out var d)) return Errno.Badf;
        // fdstat: filetype u8 @0, flags u16 @2, rights_base u64 @8, rights_inheriting u64 @16.
        var m = Mem;
        var s = m.Slice(resultPtr, 24);
        s.Clear();
        s[0] = (byte)d.Type;
        m.Write16(resultPtr + 2, (ushort)d.Flags);
        m.Write64(resultPtr + 8, (ulong)d.Base);
        m.Write64(resultPtr + 16, (ulong)d.Inheriting);
        return Errno.Success;
    }

    private Errno FdFdstatSetFlags(uint fd, uint flags)
    {
        var err = Get(fd, Rights.FdFdstatSetFlags, out var d);
        if (err != Errno.Success) return err;
        const uint known = (uint)(FdFlags.Append | FdFlags.Dsync | FdFlags.NonBlock | FdFlags.Rsync | FdFlags.Sync);
        return (flags & ~known) != 0 ? Errno.Inval : d.SetFlags((FdFlags)flags);
    }

    /// <summary>Rights can only be dropped, never gained.</summary>
    private Errno FdFdstatSetRights(uint fd, ulong rightsBase, ulong rightsInheriting)
    {
        if (!_fds.TryGet(fd, out var d)) return Errno.Badf;
        var b = (Rights)rightsBase;
        var i = (Rights)rightsInheriting;
        if ((b & ~d.Base) != 0 || (i & ~d.Inheriting) != 0) return Errno.NotCapable;
        d.Base = b;
        d.Inheriting = i;
        return Errno.Success;
    }

    private Errno FdFilestatGet(uint fd, uint resultPtr)
    {
        var err = Get(fd, Rights.FdFilestatGet, out var d);
        if (err != Errno.Success) return err;
        err = d.Stat(out var stat);
        if (err != Errno.Success) return err;
        stat.WriteTo(Mem.Slice(resultPtr, FileStat.GuestSize));
        return Errno.Success;
    }

    private Errno FdFilestatSetSize(uint fd, ulong size)
    {
        var err = Get(fd, Rights.FdFilestatSetSize, out var d);
        return err != Errno.Success ? err : d.SetSize(size);
    }

    private Errno FdFilestatSetTimes(uint fd, ulong atim, ulong mtim, uint flags)
    {
        var err = Get(fd, Rights.FdFilestatSetTimes, out var d);
        return err != Errno.Success ? err : d.SetTimes(atim, mtim, (FstFlags)flags);
    }

    private Errno FdSeek(uint fd, long offset, uint whence, uint resultPtr)
    {
        // A seek that cannot move the position (SEEK_CUR by 0) is a tell, allowed by either right.
        bool isTell = offset == 0 && whence == (uint)Whence.Cur;
        if (!_fds.TryGet(fd, out var d)) return Errno.Badf;
        if ((d.Base & (isTell ? Rights.FdSeek | Rights.FdTell : Rights.FdSeek)) == 0)
            return d.IsStream ? Errno.Spipe : Errno.NotCapable;
        if (whence > (uint)Whence.End) return Errno.Inval;
        var err = d.Seek(offset, (Whence)whence, out ulong position);
        if (err != Errno.Success) return err;
        Mem.Write64(resultPtr, position);
        return Errno.Success;
    }

    private Errno FdTell(uint fd, uint resultPtr)
    {
        if (!_fds.TryGet(fd, out var d)) return Errno.Badf;
        if ((d.Base & (Rights.FdSeek | Rights.FdTell)) == 0) return d.IsStream ? Errno.Spipe : Errno.NotCapable;
        var err = d.Seek(0, Whence.Cur, out ulong position);
        if (err != Errno.Success) return err;
        Mem.Write64(resultPtr, position);
        return Errno.Success;
    }

    private Errno FdPrestatGet(uint fd, uint resultPtr)
    {
        if (!_fds.TryGet(fd, out var d) || d is not DirectoryDescriptor { PreopenName: { } name }) return Errno.Badf;
        // prestat: tag u8 @0 (0 = dir), pr_name_len u32 @4.
        var m = Mem;
        m.Slice(resultPtr, 8).Clear();
        m.Write32(resultPtr + 4, (uint)Encoding.UTF8.GetByteCount(name));
        return Errno.Success;
    }

    private Errno FdPrestatDirName(uint fd, uint pathPtr, uint pathLength)
    {
        if (!_fds.TryGet(fd, out var d) || d is not DirectoryDescriptor { PreopenName: { } name }) return Errno.Badf;
        var bytes = Encoding.UTF8.GetBytes(name);
        if (pathLength < bytes.Length) return Errno.NameTooLong;
        bytes.CopyTo(Mem.Slice(pathPtr, (uint)bytes.Length));
        return Errno.Success;
    }
}
