using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi;

// path_*: every operation resolves its path with the sandbox's resolver, then acts on the final component
// with a descriptor-relative, no-follow host call.
public sealed partial class WasiPreview1
{
    /// <summary>Resolves a guest path (pointer, length) beneath directory <paramref name="fd"/>, which must hold
    /// <paramref name="rights"/>. Dispose the result.</summary>
    private Errno Resolve(uint fd, Rights rights, uint pathPtr, uint pathLength, bool follow, out ResolvedPath path)
    {
        path = default;
        var err = GetDirectory(fd, rights, out var dir);
        if (err != Errno.Success) return err;
        return PathResolver.Resolve(dir.Fd, Mem.Slice(pathPtr, pathLength), follow, out path);
    }

    private static bool Follow(uint lookupFlags) => (lookupFlags & (uint)LookupFlags.SymlinkFollow) != 0;

    private static Errno Check(int rc) => rc == 0 ? Errno.Success : HostErrors.Last();

    private unsafe Errno PathCreateDirectory(uint fd, uint pathPtr, uint pathLength)
    {
        var err = Resolve(fd, Rights.PathCreateDirectory, pathPtr, pathLength, follow: false, out var p);
        if (err != Errno.Success) return err;
        using (p)
        {
            if (p.IsDot) return Errno.Exist;
            fixed (byte* name = p.NativeName) return Check(LibC.mkdirat(p.DirFd, name, 0x1FF /* 0777 */));
        }
    }

    private Errno PathFilestatGet(uint fd, uint lookupFlags, uint pathPtr, uint pathLength, uint resultPtr)
    {
        var err = Resolve(fd, Rights.PathFilestatGet, pathPtr, pathLength, Follow(lookupFlags), out var p);
        if (err != Errno.Success) return err;
        using (p)
        {
            err = FileStat.Get(p.DirFd, p.NativeName, out var stat);
            if (err != Errno.Success) return err;
            stat.WriteTo(Mem.Slice(resultPtr, FileStat.GuestSize));
            return Errno.Success;
        }
    }

    private unsafe Errno PathFilestatSetTimes(uint fd, uint lookupFlags, uint pathPtr, uint pathLength,
        ulong atim, ulong mtim, uint fstFlags)
    {
        var times = stackalloc LibC.Timespec[2];
        var err = Descriptors.TimeSpecs.From(atim, mtim, (FstFlags)fstFlags, times);
        if (err != Errno.Success) return err;
        err = Resolve(fd, Rights.PathFilestatSetTimes, pathPtr, pathLength, Follow(lookupFlags), out var p);
        if (err != Errno.Success) return err;
        using (p)
        {
            fixed (byte* name = p.NativeName)
                return Check(LibC.utimensat(p.DirFd, name, times, LibC.AT_SYMLINK_NOFOLLOW));
        }
    }

    private unsafe Errno PathLink(uint oldFd, uint oldFlags, uint oldPtr, uint oldLength, uint newFd, uint newPtr, uint newLength)
    {
        var err = GetDirectory(newFd, Rights.PathLinkTarget, out _);
        if (err != Errno.Success) return err;
        err = Resolve(oldFd, Rights.PathLinkSource, oldPtr, oldLength, Follow(oldFlags), out var from);
        if (err != Errno.Success) return err;
        using (from)
        {
            err = Resolve(newFd, Rights.PathLinkTarget, newPtr, newLength, follow: false, out var to);
            if (err != Errno.Success) return err;
            using (to)
            {
                if (to.MustBeDirectory) return to.Stat is null ? Errno.NoEnt : Errno.Exist;
                if (from.MustBeDirectory) return Errno.Perm; // hard links to directories are not allowed
                fixed (byte* a = from.NativeName)
                fixed (byte* b = to.NativeName)
                    return Check(LibC.linkat(from.DirFd, a, to.DirFd, b, 0));
            }
        }
    }

    private Errno PathReadlink(uint fd, uint pathPtr, uint pathLength, uint bufPtr, uint bufLength, uint resultPtr)
    {
        var err = Resolve(fd, Rights.PathReadlink, pathPtr, pathLength, follow: false, out var p);
        if (err != Errno.Success) return err;
        using (p)
        {
            err = PathResolver.ReadLink(p.DirFd, p.NativeName, out var target);
            if (err != Errno.Success) return err;
            // Like readlink(2): a buffer too small receives the start of the target.
            int n = (int)Math.Min((uint)target.Length, bufLength);
            var m = Mem;
            target.AsSpan(0, n).CopyTo(m.Slice(bufPtr, (uint)n));
            m.Write32(resultPtr, (uint)n);
            return Errno.Success;
        }
    }

    private unsafe Errno PathRemoveDirectory(uint fd, uint pathPtr, uint pathLength)
    {
        var err = Resolve(fd, Rights.PathRemoveDirectory, pathPtr, pathLength, follow: false, out var p);
        if (err != Errno.Success) return err;
        using (p)
        {
            if (p.IsDot) return Errno.Inval;
            fixed (byte* name = p.NativeName) return Check(LibC.unlinkat(p.DirFd, name, LibC.AT_REMOVEDIR));
        }
    }

    private unsafe Errno PathUnlinkFile(uint fd, uint pathPtr, uint pathLength)
    {
        var err = Resolve(fd, Rights.PathUnlinkFile, pathPtr, pathLength, follow: false, out var p);
        if (err != Errno.Success) return err;
        using (p)
        {
            if (p.IsDot) return Errno.IsDir;
            fixed (byte* name = p.NativeName) return Check(LibC.unlinkat(p.DirFd, name, 0));
        }
    }

    private unsafe Errno PathRename(uint fd, uint oldPtr, uint oldLength, uint newFd, uint newPtr, uint newLength)
    {
        var err = GetDirectory(newFd, Rights.PathRenameTarget, out _);
        if (err != Errno.Success) return err;
        err = Resolve(fd, Rights.PathRenameSource, oldPtr, oldLength, follow: false, out var from);
        if (err != Errno.Success) return err;
        using (from)
        {
            err = Resolve(newFd, Rights.PathRenameTarget, newPtr, newLength, follow: false, out var to);
            if (err != Errno.Success) return err;
            using (to)
            {
                if (to.MustBeDirectory && !from.MustBeDirectory)
                {
                    // "file" -> "name/": only a directory may be renamed to a name with a trailing slash.
                    err = FileStat.Get(from.DirFd, from.NativeName, out var s);
                    if (err != Errno.Success) return err;
                    if (s.Type != FileType.Directory) return Errno.NotDir;
                }
                fixed (byte* a = from.NativeName)
                fixed (byte* b = to.NativeName)
                    return Check(LibC.renameat(from.DirFd, a, to.DirFd, b));
            }
        }
    }

    private unsafe Errno PathSymlink(uint targetPtr, uint targetLength, uint fd, uint pathPtr, uint pathLength)
    {
        var target = Mem.Slice(targetPtr, targetLength);
        if (target.IndexOf((byte)0) >= 0) return Errno.Inval;
        if (!System.Text.Unicode.Utf8.IsValid(target)) return Errno.Ilseq;
        if (target.Length == 0) return Errno.NoEnt;
        // An absolute target could never be followed inside the sandbox, and would point host programs outside it.
        if (target[0] == (byte)'/') return Errno.NotCapable;
        var native = NativePath.Of(target);

        var err = Resolve(fd, Rights.PathSymlink, pathPtr, pathLength, follow: false, out var p);
        if (err != Errno.Success) return err;
        using (p)
        {
            if (p.MustBeDirectory) return p.Stat is null ? Errno.NoEnt : Errno.Exist;
            if (p.IsDot) return Errno.Exist;
            fixed (byte* t = native)
            fixed (byte* name = p.NativeName)
                return Check(LibC.symlinkat(t, p.DirFd, name));
        }
    }
}
