using System.Runtime.InteropServices;

namespace WasmSharp.Wasi.Host;

/// <summary>
/// The POSIX calls the WASI host is built on (Linux, glibc or musl). Every call that can fail sets errno, read
/// with <see cref="Marshal.GetLastPInvokeError"/>. Paths are NUL-terminated UTF-8. The descriptor-relative
/// (<c>*at</c>) calls are what keep path resolution inside a preopened directory (see PathResolver).
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    /// <summary><c>struct iovec</c> on a 64-bit host.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary><c>struct timespec</c> on a 64-bit host.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary><c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Lib, SetLastError = true)] public static partial int openat(int dirfd, byte* path, int flags, uint mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int close(int fd);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint readv(int fd, IoVec* iov, int iovcnt);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint writev(int fd, IoVec* iov, int iovcnt);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint preadv(int fd, IoVec* iov, int iovcnt, long offset);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint pwritev(int fd, IoVec* iov, int iovcnt, long offset);
    [LibraryImport(Lib, SetLastError = true)] public static partial long lseek(int fd, long offset, int whence);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fsync(int fd);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fdatasync(int fd);
    [LibraryImport(Lib, SetLastError = true)] public static partial int fcntl(int fd, int cmd, int arg);
    [LibraryImport(Lib, SetLastError = true)] public static partial int ftruncate(int fd, long length);
    /// <summary>Returns the error number (0 on success); does not set errno.</summary>
    [LibraryImport(Lib)] public static partial int posix_fadvise(int fd, long offset, long len, int advice);
    /// <summary>Returns the error number (0 on success); does not set errno.</summary>
    [LibraryImport(Lib)] public static partial int posix_fallocate(int fd, long offset, long len);
    [LibraryImport(Lib, SetLastError = true)] public static partial int futimens(int fd, Timespec* times);
    [LibraryImport(Lib, SetLastError = true)] public static partial int utimensat(int dirfd, byte* path, Timespec* times, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int mkdirat(int dirfd, byte* path, uint mode);
    [LibraryImport(Lib, SetLastError = true)] public static partial int unlinkat(int dirfd, byte* path, int flags);
    [LibraryImport(Lib, SetLastError = true)] public static partial int renameat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath);
    [LibraryImport(Lib, SetLastError = true)] public static partial int symlinkat(byte* target, int newdirfd, byte* linkpath);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint readlinkat(int dirfd, byte* path, byte* buf, nuint bufsiz);
    [LibraryImport(Lib, SetLastError = true)] public static partial int linkat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, int flags);
    /// <summary>Fills a 256-byte <c>struct statx</c> (its layout is the same on every Linux architecture).</summary>
    [LibraryImport(Lib, SetLastError = true)] public static partial int statx(int dirfd, byte* path, int flags, uint mask, byte* buf);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint fdopendir(int fd);
    [LibraryImport(Lib, SetLastError = true)] public static partial nint readdir(nint dir);
    [LibraryImport(Lib, SetLastError = true)] public static partial int closedir(nint dir);
    [LibraryImport(Lib, SetLastError = true)] public static partial int poll(PollFd* fds, nuint nfds, int timeout);
    [LibraryImport(Lib, SetLastError = true)] public static partial int ioctl(int fd, nuint request, int* arg);

    public static int Errno => Marshal.GetLastPInvokeError();

    // Linux errno values used by the host itself (asm-generic numbering, shared by x86-64 and arm64).
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ELOOP = 40;
    public const int ENOSYS = 38;
    public const int EOPNOTSUPP = 95;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    public const int O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_TRUNC = 0x200, O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800, O_DSYNC = 0x1000, O_SYNC = 0x101000, O_RSYNC = O_SYNC;
    public const int O_CLOEXEC = 0x80000, O_PATH = 0x200000;

    private static readonly bool IsArm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;
    /// <summary>O_DIRECTORY and O_NOFOLLOW differ between x86 and Arm Linux.</summary>
    public static readonly int O_DIRECTORY = IsArm ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = IsArm ? 0x8000 : 0x20000;

    public const int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    public const int F_GETFL = 3, F_SETFL = 4;
    public const int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
    public const long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;
    public const short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    public const nuint FIONREAD = 0x541B;
    public const uint STATX_BASIC_STATS = 0x7ff;

    /// <summary>Whether the host calls above are available: Linux only (other systems get ENOSYS for files).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();
}
