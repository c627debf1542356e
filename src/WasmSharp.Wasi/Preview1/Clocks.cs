using System.Diagnostics;
using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi;

// clock_res_get and clock_time_get, in nanoseconds.
public sealed partial class WasiPreview1
{
    private Errno ClockResGet(uint id, uint resultPtr)
    {
        if (!ClockResolution((ClockId)id, out ulong res)) return Errno.Inval;
        Mem.Write64(resultPtr, res);
        return Errno.Success;
    }

    private Errno ClockTimeGet(uint id, ulong precision, uint resultPtr)
    {
        if (!ClockNow((ClockId)id, out ulong now)) return Errno.Inval;
        Mem.Write64(resultPtr, now);
        return Errno.Success;
    }

    private static bool ClockResolution(ClockId id, out ulong nanoseconds)
    {
        nanoseconds = id switch
        {
            ClockId.Realtime => 100, // DateTime ticks
            ClockId.Monotonic => Math.Max(1, (ulong)(1_000_000_000 / Stopwatch.Frequency)),
            ClockId.ProcessCputime or ClockId.ThreadCputime => 1000,
            _ => 0,
        };
        return nanoseconds != 0;
    }

    /// <summary>The current time of a clock: real time since the Unix epoch, a monotonic time, or CPU time used.</summary>
    internal static bool ClockNow(ClockId id, out ulong nanoseconds)
    {
        switch (id)
        {
            case ClockId.Realtime:
                nanoseconds = (ulong)(DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
                return true;
            case ClockId.Monotonic:
                nanoseconds = MonotonicNow();
                return true;
            case ClockId.ProcessCputime:
            case ClockId.ThreadCputime:
                nanoseconds = (ulong)Environment.CpuUsage.TotalTime.Ticks * 100;
                return true;
            default:
                nanoseconds = 0;
                return false;
        }
    }

    internal static ulong MonotonicNow()
    {
        long ts = Stopwatch.GetTimestamp();
        long f = Stopwatch.Frequency;
        return f == 1_000_000_000 ? (ulong)ts : (ulong)((Int128)ts * 1_000_000_000 / f);
    }
}
