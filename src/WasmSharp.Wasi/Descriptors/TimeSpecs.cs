using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi.Descriptors;

/// <summary>Turns WASI's (atim, mtim, fstflags) into the two timespecs of futimens/utimensat.</summary>
internal static unsafe class TimeSpecs
{
    public static Errno From(ulong atim, ulong mtim, FstFlags flags, LibC.Timespec* times)
    {
        const FstFlags known = FstFlags.Atim | FstFlags.AtimNow | FstFlags.Mtim | FstFlags.MtimNow;
        if ((flags & ~known) != 0) return Errno.Inval;
        if ((flags & (FstFlags.Atim | FstFlags.AtimNow)) == (FstFlags.Atim | FstFlags.AtimNow)) return Errno.Inval;
        if ((flags & (FstFlags.Mtim | FstFlags.MtimNow)) == (FstFlags.Mtim | FstFlags.MtimNow)) return Errno.Inval;
        times[0] = One(atim, (flags & FstFlags.Atim) != 0, (flags & FstFlags.AtimNow) != 0);
        times[1] = One(mtim, (flags & FstFlags.Mtim) != 0, (flags & FstFlags.MtimNow) != 0);
        return Errno.Success;
    }

    private static LibC.Timespec One(ulong value, bool set, bool now) => new()
    {
        Seconds = set ? (long)(value / 1_000_000_000) : 0,
        Nanoseconds = set ? (long)(value % 1_000_000_000) : now ? LibC.UTIME_NOW : LibC.UTIME_OMIT,
    };
}
