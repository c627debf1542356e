using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi.Descriptors;

/// <summary>A descriptor backed by a host file descriptor: a file, a directory, or an inherited stdio stream.</summary>
internal unsafe class HostDescriptor : Descriptor
{
    private int _fd;
    private readonly bool _ownsFd;
    private readonly FileType _type;

    /// <param name="fd">The host descriptor.</param>
    /// <param name="type">What it refers to.</param>
    /// <param name="flags">The flags it was opened with.</param>
    /// <param name="ownsFd">Whether closing this descriptor closes the host's (false for inherited stdio).</param>
    public HostDescriptor(int fd, FileType type, FdFlags flags, bool ownsFd)
    {
        _fd = fd;
        _type = type;
        _ownsFd = ownsFd;
        Flags = flags;
    }

    public int Fd => _fd;
    public override FileType Type => _type;

    public override Errno Read(LibC.IoVec* iovs, int count, out ulong read)
    {
        read = 0;
        if (_type == FileType.Directory) return Errno.IsDir;
        if (WouldBlock(LibC.POLLIN)) return Errno.Again;
        nint n;
        do n = LibC.readv(_fd, iovs, count);
        while (n < 0 && LibC.Errno == LibC.EINTR);
        return Done(n, out read);
    }

    public override Errno Write(LibC.IoVec* iovs, int count, out ulong written)
    {
        written = 0;
        if (_type == FileType.Directory) return Errno.IsDir;
        if (WouldBlock(LibC.POLLOUT)) return Errno.Again;
        nint n;
        do n = LibC.writev(_fd, iovs, count);
        while (n < 0 && LibC.Errno == LibC.EINTR);
        return Done(n, out written);
    }

    public override Errno PRead(LibC.IoVec* iovs, int count, ulong offset, out ulong read)
    {
        if (_type == FileType.Directory) { read = 0; return Errno.IsDir; }
        if (offset > long.MaxValue) { read = 0; return Errno.Inval; }
        nint n;
        do n = LibC.preadv(_fd, iovs, count, (long)offset);
        while (n < 0 && LibC.Errno == LibC.EINTR);
        return Done(n, out read);
    }

    public override Errno PWrite(LibC.IoVec* iovs, int count, ulong offset, out ulong written)
    {
        if (_type == FileType.Directory) { written = 0; return Errno.IsDir; }
        if (offset > long.MaxValue) { written = 0; return Errno.Inval; }
        nint n;
        if ((Flags & FdFlags.Append) != 0)
        {
            // Linux's pwrite ignores the offset on an O_APPEND descriptor; POSIX (and WASI) write at the offset.
            // Write through a second descriptor without O_APPEND: reopening the same file keeps its identity.
            return PWriteAppending(iovs, count, (long)offset, out written);
        }
        do n = LibC.pwritev(_fd, iovs, count, (long)offset);
        while (n < 0 && LibC.Errno == LibC.EINTR);
        return Done(n, out written);
    }

    private Errno PWriteAppending(LibC.IoVec* iovs, int count, long offset, out ulong written)
    {
        written = 0;
        int flags = LibC.fcntl(_fd, LibC.F_GETFL, 0);
        if (flags < 0) return HostErrors.Last();
        if (LibC.fcntl(_fd, LibC.F_SETFL, flags & ~LibC.O_APPEND) < 0) return HostErrors.Last();
        try
        {
            nint n;
            do n = LibC.pwritev(_fd, iovs, count, offset);
            while (n < 0 && LibC.Errno == LibC.EINTR);
            return Done(n, out written);
        }
        finally
        {
            LibC.fcntl(_fd, LibC.F_SETFL, flags);
        }
    }

    public override Errno Seek(long offset, Whence whence, out ulong position)
    {
        position = 0;
        if (_type == FileType.Directory) return Errno.IsDir;
        int how = whence switch { Whence.Set => LibC.SEEK_SET, Whence.Cur => LibC.SEEK_CUR, Whence.End => LibC.SEEK_END, _ => -1 };
        if (how < 0) return Errno.Inval;
        long r = LibC.lseek(_fd, offset, how);
        if (r < 0) return HostErrors.Last();
        position = (ulong)r;
        return Errno.Success;
    }

    public override Errno Stat(out FileStat stat) => FileStat.Get(_fd, null, out stat);

    public override Errno SetFlags(FdFlags flags)
    {
        // Linux changes only O_APPEND and O_NONBLOCK on an open descriptor; the sync flags are fixed at open.
        const FdFlags syncFlags = FdFlags.Dsync | FdFlags.Rsync | FdFlags.Sync;
        if ((flags & syncFlags) != (Flags & syncFlags)) return Errno.NotSup;
        if (!_ownsFd)
        {
            // The process's own stdio is shared with whoever started it (a shell's terminal): its flags are not
            // ours to change. Non-blocking mode is emulated instead (see WouldBlock).
            Flags = flags;
            return Errno.Success;
        }
        int current = LibC.fcntl(_fd, LibC.F_GETFL, 0);
        if (current < 0) return HostErrors.Last();
        int wanted = current & ~(LibC.O_APPEND | LibC.O_NONBLOCK);
        if ((flags & FdFlags.Append) != 0) wanted |= LibC.O_APPEND;
        if ((flags & FdFlags.NonBlock) != 0) wanted |= LibC.O_NONBLOCK;
        if (wanted != current && LibC.fcntl(_fd, LibC.F_SETFL, wanted) < 0) return HostErrors.Last();
        Flags = flags;
        return Errno.Success;
    }

    public override Errno Sync() => LibC.fsync(_fd) == 0 || IgnorableSyncError() ? Errno.Success : HostErrors.Last();
    public override Errno DataSync() => LibC.fdatasync(_fd) == 0 || IgnorableSyncError() ? Errno.Success : HostErrors.Last();

    /// <summary>Pipes and terminals cannot be synced (EINVAL); there is nothing to flush, so that is success.</summary>
    private bool IgnorableSyncError() => IsStream && LibC.Errno == LibC.EINVAL;

    public override Errno Advise(ulong offset, ulong length, Advice advice)
    {
        int native = advice switch
        {
            Advice.Normal => 0,
            Advice.Random => 1,
            Advice.Sequential => 2,
            Advice.WillNeed => 3,
            Advice.DontNeed => 4,
            Advice.NoReuse => 5,
            _ => -1,
        };
        if (native < 0 || offset > long.MaxValue || length > long.MaxValue) return Errno.Inval;
        if (_type == FileType.Directory) return Errno.Success;
        int rc = LibC.posix_fadvise(_fd, (long)offset, (long)length, native);
        return rc == 0 || rc == 29 /* ESPIPE: advice is only advice */ ? Errno.Success : HostErrors.FromHost(rc);
    }

    public override Errno Allocate(ulong offset, ulong length)
    {
        if (_type == FileType.Directory) return Errno.IsDir;
        if (offset > long.MaxValue || length > long.MaxValue || offset + length > long.MaxValue) return Errno.Inval;
        if (length == 0) return Errno.Inval;
        int rc = LibC.posix_fallocate(_fd, (long)offset, (long)length);
        return rc == 0 ? Errno.Success : HostErrors.FromHost(rc);
    }

    public override Errno SetSize(ulong size)
    {
        if (_type == FileType.Directory) return Errno.IsDir;
        if (size > long.MaxValue) return Errno.Inval;
        return LibC.ftruncate(_fd, (long)size) == 0 ? Errno.Success : HostErrors.Last();
    }

    public override Errno SetTimes(ulong atim, ulong mtim, FstFlags flags)
    {
        var times = stackalloc LibC.Timespec[2];
        var err = TimeSpecs.From(atim, mtim, flags, times);
        if (err != Errno.Success) return err;
        return LibC.futimens(_fd, times) == 0 ? Errno.Success : HostErrors.Last();
    }

    public override ulong? ReadableBytes
    {
        get
        {
            if (_type == FileType.RegularFile)
            {
                if (Stat(out var s) != Errno.Success) return 0;
                long pos = LibC.lseek(_fd, 0, LibC.SEEK_CUR);
                return pos < 0 || (ulong)pos > s.Size ? 0 : s.Size - (ulong)pos;
            }
            int n;
            return LibC.ioctl(_fd, LibC.FIONREAD, &n) == 0 && n >= 0 ? (ulong)n : null;
        }
    }

    public override int PollHandle => IsStream ? _fd : -1;

    /// <summary>Emulated non-blocking mode of inherited stdio: whether the transfer would have to wait.</summary>
    private bool WouldBlock(short events)
    {
        if (_ownsFd || (Flags & FdFlags.NonBlock) == 0 || !IsStream) return false;
        var p = new LibC.PollFd { Fd = _fd, Events = events };
        return LibC.poll(&p, 1, 0) == 0;
    }

    private static Errno Done(nint n, out ulong count)
    {
        if (n < 0)
        {
            count = 0;
            return HostErrors.Last();
        }
        count = (ulong)n;
        return Errno.Success;
    }

    public override void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0 && _ownsFd) LibC.close(fd);
    }
}
