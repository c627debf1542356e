using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Descriptors;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi;

// path_open: opens or creates a file or directory beneath a directory descriptor.
public sealed partial class WasiPreview1
{
    /// <summary>Rights that need the host file opened for writing (fdatasync works on any descriptor).</summary>
    private const Rights WriteRights = Rights.FdWrite | Rights.FdAllocate | Rights.FdFilestatSetSize;
    private const Rights ReadRights = Rights.FdRead | Rights.FdReaddir;

    private unsafe Errno PathOpen(uint fd, uint lookupFlags, uint pathPtr, uint pathLength, uint oflags,
        ulong rightsBase, ulong rightsInheriting, uint fdflags, uint resultPtr)
    {
        const uint knownOFlags = (uint)(OFlags.Creat | OFlags.Directory | OFlags.Excl | OFlags.Trunc);
        const uint knownFdFlags = (uint)(FdFlags.Append | FdFlags.Dsync | FdFlags.NonBlock | FdFlags.Rsync | FdFlags.Sync);
        if ((oflags & ~knownOFlags) != 0 || (fdflags & ~knownFdFlags) != 0) return Errno.Inval;
        var o = (OFlags)oflags;
        var f = (FdFlags)fdflags;
        Mem.Slice(resultPtr, 4); // a bad result pointer faults before anything is opened or created

        var needed = Rights.PathOpen;
        if ((o & OFlags.Creat) != 0) needed |= Rights.PathCreateFile;
        if ((o & OFlags.Trunc) != 0) needed |= Rights.PathFilestatSetSize;
        var err = GetDirectory(fd, needed, out var dir);
        if (err != Errno.Success) return err;

        // O_CREAT|O_EXCL must fail on an existing symlink, dangling or not: never follow it then.
        bool exclusive = (o & (OFlags.Creat | OFlags.Excl)) == (OFlags.Creat | OFlags.Excl);
        bool follow = Follow(lookupFlags) && !exclusive;
        err = PathResolver.Resolve(dir.Fd, Mem.Slice(pathPtr, pathLength), follow, out var p);
        if (err != Errno.Success) return err;

        // A descriptor gets the rights asked for, as far as the directory passes them on.
        var requested = (Rights)rightsBase & dir.Inheriting;
        var inheriting = (Rights)rightsInheriting & dir.Inheriting;
        // Write rights need a writable host descriptor; for a directory the host then answers EISDIR, as POSIX does.
        bool write = (requested & WriteRights) != 0;
        bool read = (requested & ReadRights) != 0;

        int flags = (write ? (read ? LibC.O_RDWR : LibC.O_WRONLY) : LibC.O_RDONLY)
            | LibC.O_CLOEXEC | LibC.O_NOFOLLOW | LibC.O_NOCTTY;
        if ((o & OFlags.Directory) != 0 || p.MustBeDirectory) flags |= LibC.O_DIRECTORY;
        if ((o & OFlags.Creat) != 0) flags |= LibC.O_CREAT;
        if ((o & OFlags.Excl) != 0) flags |= LibC.O_EXCL;
        if ((o & OFlags.Trunc) != 0) flags |= LibC.O_TRUNC;
        if ((f & FdFlags.Append) != 0) flags |= LibC.O_APPEND;
        if ((f & FdFlags.NonBlock) != 0) flags |= LibC.O_NONBLOCK;
        if ((f & FdFlags.Dsync) != 0) flags |= LibC.O_DSYNC;
        if ((f & FdFlags.Rsync) != 0) flags |= LibC.O_RSYNC;
        if ((f & FdFlags.Sync) != 0) flags |= LibC.O_SYNC;

        int hostFd;
        using (p)
        {
            fixed (byte* name = p.NativeName)
            {
                do hostFd = LibC.openat(p.DirFd, name, flags, 0x1B6 /* 0666 */);
                while (hostFd < 0 && LibC.Errno == LibC.EINTR);
            }
            if (hostFd < 0) return HostErrors.Last();
        }

        err = FileStat.Get(hostFd, null, out var stat);
        if (err != Errno.Success)
        {
            LibC.close(hostFd);
            return err;
        }
        Descriptor d = stat.Type == FileType.Directory
            ? new DirectoryDescriptor(hostFd, f)
            : new HostDescriptor(hostFd, stat.Type, f, ownsFd: true);
        d.Base = requested & RightSets.For(stat.Type);
        d.Inheriting = inheriting;
        err = _fds.Add(d, out uint newFd);
        if (err != Errno.Success)
        {
            d.Dispose();
            return err;
        }
        Mem.Write32(resultPtr, newFd);
        return Errno.Success;
    }
}
