using System.Runtime.InteropServices;

namespace WasmSharp;

/// <summary>
/// Reserve / commit / release of address space: mmap + mprotect on Unix, VirtualAlloc on Windows.
/// Reserved memory is inaccessible; committed memory is zero-filled and read-write.
/// </summary>
internal static unsafe partial class VirtualMemory
{
    private static long _liveReservations;

    /// <summary>Reservations made and not yet released, process-wide (tests check that memories free theirs).</summary>
    internal static long LiveReservations => Interlocked.Read(ref _liveReservations);

    /// <summary>Reserves <paramref name="bytes"/> of address space; null when the OS refuses.</summary>
    public static byte* Reserve(ulong bytes)
    {
        byte* p = ReserveCore(bytes);
        if (p != null) Interlocked.Increment(ref _liveReservations);
        return p;
    }

    /// <summary>Reserves address space that is never released (not counted in <see cref="LiveReservations"/>).</summary>
    public static byte* ReservePermanently(ulong bytes) => ReserveCore(bytes);

    private static byte* ReserveCore(ulong bytes)
    {
        if (bytes == 0 || bytes > (ulong)nint.MaxValue) return null;
        if (OperatingSystem.IsWindows())
            return (byte*)VirtualAlloc(null, (nuint)bytes, MEM_RESERVE, PAGE_NOACCESS);
        var libc = Libc.Instance;
        if (libc is null) return null;
        void* p = libc.Mmap(null, (nuint)bytes, PROT_NONE, libc.MapPrivate | libc.MapAnonymous | libc.MapNoReserve, -1, 0);
        return p == MAP_FAILED ? null : (byte*)p;
    }

    /// <summary>Makes [<paramref name="start"/>, +<paramref name="bytes"/>) of a reservation readable and writable.</summary>
    public static bool Commit(byte* start, ulong bytes)
    {
        if (bytes == 0) return true;
        if (OperatingSystem.IsWindows())
            return VirtualAlloc(start, (nuint)bytes, MEM_COMMIT, PAGE_READWRITE) != null;
        var libc = Libc.Instance;
        return libc is not null && libc.Mprotect(start, (nuint)bytes, PROT_READ | PROT_WRITE) == 0;
    }

    /// <summary>Returns a whole reservation to the OS.</summary>
    public static void Release(byte* start, ulong reservedBytes)
    {
        if (start == null) return;
        Interlocked.Decrement(ref _liveReservations);
        if (OperatingSystem.IsWindows())
            VirtualFree(start, 0, MEM_RELEASE);
        else
            Libc.Instance?.Munmap(start, (nuint)reservedBytes);
    }

    private const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2;
    private static readonly void* MAP_FAILED = (void*)-1;

    private const uint MEM_COMMIT = 0x1000, MEM_RESERVE = 0x2000, MEM_RELEASE = 0x8000;
    private const uint PAGE_NOACCESS = 0x01, PAGE_READWRITE = 0x04;

    [LibraryImport("kernel32", SetLastError = true)]
    private static partial void* VirtualAlloc(void* address, nuint size, uint allocationType, uint protect);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool VirtualFree(void* address, nuint size, uint freeType);

    /// <summary>libc entry points, resolved by hand: on glibc "libc.so" is a linker script that dlopen rejects,
    /// so a plain [DllImport("libc")] is not reliable.</summary>
    private sealed class Libc
    {
        public static readonly Libc? Instance = Load();

        public readonly delegate* unmanaged<void*, nuint, int, int, int, nint, void*> Mmap;
        public readonly delegate* unmanaged<void*, nuint, int, int> Mprotect;
        public readonly delegate* unmanaged<void*, nuint, int> Munmap;
        public readonly int MapPrivate = 0x02, MapAnonymous, MapNoReserve;

        private Libc(nint mmap, nint mprotect, nint munmap)
        {
            Mmap = (delegate* unmanaged<void*, nuint, int, int, int, nint, void*>)mmap;
            Mprotect = (delegate* unmanaged<void*, nuint, int, int>)mprotect;
            Munmap = (delegate* unmanaged<void*, nuint, int>)munmap;
            // Darwin and the BSDs share these values; Linux differs.
            bool linux = OperatingSystem.IsLinux() || OperatingSystem.IsAndroid();
            MapAnonymous = linux ? 0x20 : 0x1000;
            MapNoReserve = linux ? 0x4000 : 0x40;
        }

        private static Libc? Load()
        {
            string[] names = OperatingSystem.IsMacOS() || OperatingSystem.IsIOS()
                ? ["/usr/lib/libSystem.B.dylib", "libSystem.dylib"]
                : ["libc.so.6", "libc.so", "libc"];
            foreach (var name in names)
            {
                if (!NativeLibrary.TryLoad(name, out var lib)) continue;
                if (NativeLibrary.TryGetExport(lib, "mmap", out var mmap) &&
                    NativeLibrary.TryGetExport(lib, "mprotect", out var mprotect) &&
                    NativeLibrary.TryGetExport(lib, "munmap", out var munmap))
                    return new Libc(mmap, mprotect, munmap);
            }
            return null;
        }
    }
}
