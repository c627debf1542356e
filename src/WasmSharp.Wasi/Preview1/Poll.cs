using System.Buffers.Binary;
using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi;

// poll_oneoff: waits until a clock subscription's time comes or a descriptor is ready. Files are always ready;
// host streams (terminals, pipes) are waited on with poll(2).
public sealed partial class WasiPreview1
{
    private const int SubscriptionSize = 48;
    private const int EventSize = 32;

    private readonly record struct Subscription(ulong UserData, EventType Type, uint Fd, ulong Deadline, Errno Error);

    private unsafe Errno PollOneoff(uint inPtr, uint outPtr, uint count, uint resultPtr)
    {
        if (count == 0) return Errno.Inval;
        var m = Mem;
        var input = m.Slice(inPtr, checked(count * SubscriptionSize));
        m.Slice(outPtr, checked(count * EventSize));
        m.Slice(resultPtr, 4);

        var subs = new Subscription[count];
        ulong now = MonotonicNow();
        for (int i = 0; i < count; i++) subs[i] = Parse(input.Slice(i * SubscriptionSize, SubscriptionSize), now);

        var ready = new List<(Subscription Sub, Errno Error, ulong Bytes, bool Hangup)>();
        var pollFds = new List<(int Index, LibC.PollFd Fd)>();
        ulong deadline = ulong.MaxValue;
        for (int i = 0; i < subs.Length; i++)
        {
            var s = subs[i];
            if (s.Error != Errno.Success) { ready.Add((s, s.Error, 0, false)); continue; }
            if (s.Type == EventType.Clock) { deadline = Math.Min(deadline, s.Deadline); continue; }
            if (!_fds.TryGet(s.Fd, out var d)) { ready.Add((s, Errno.Badf, 0, false)); continue; }
            var right = s.Type == EventType.FdRead ? Rights.FdRead : Rights.FdWrite;
            if ((d.Base & right) == 0) { ready.Add((s, Errno.NotCapable, 0, false)); continue; }
            if (d.PollHandle < 0)
            {
                ready.Add((s, Errno.Success, s.Type == EventType.FdRead ? d.ReadableBytes ?? 0 : 0, false));
                continue;
            }
            short events = s.Type == EventType.FdRead ? LibC.POLLIN : LibC.POLLOUT;
            pollFds.Add((i, new LibC.PollFd { Fd = d.PollHandle, Events = events }));
        }

        var fds = pollFds.Count > 0 ? new LibC.PollFd[pollFds.Count] : [];
        while (true)
        {
            now = MonotonicNow();
            int timeoutMs = ready.Count > 0 ? 0
                : deadline == ulong.MaxValue ? -1
                : deadline <= now ? 0
                : (int)Math.Min(int.MaxValue, (deadline - now + 999_999) / 1_000_000);

            if (pollFds.Count > 0)
            {
                for (int i = 0; i < pollFds.Count; i++) fds[i] = pollFds[i].Fd;
                int rc;
                fixed (LibC.PollFd* p = fds) rc = LibC.poll(p, (nuint)pollFds.Count, timeoutMs);
                if (rc < 0 && LibC.Errno != LibC.EINTR) return HostErrors.Last();
                for (int i = 0; rc > 0 && i < pollFds.Count; i++)
                {
                    short re = fds[i].Revents;
                    if (re == 0) continue;
                    var s = subs[pollFds[i].Index];
                    _fds.TryGet(s.Fd, out var d);
                    if ((re & LibC.POLLNVAL) != 0) ready.Add((s, Errno.Badf, 0, false));
                    else if ((re & LibC.POLLHUP) != 0 && (re & LibC.POLLIN) == 0) ready.Add((s, Errno.Success, 0, true));
                    else if ((re & LibC.POLLERR) != 0) ready.Add((s, Errno.Io, 0, false));
                    else ready.Add((s, Errno.Success, s.Type == EventType.FdRead ? d?.ReadableBytes ?? 1 : 0, false));
                }
            }
            else if (timeoutMs > 0)
            {
                Thread.Sleep(timeoutMs);
            }

            now = MonotonicNow();
            foreach (var s in subs)
                if (s.Type == EventType.Clock && s.Error == Errno.Success && s.Deadline <= now) ready.Add((s, Errno.Success, 0, false));
            if (ready.Count > 0) break;
        }

        for (int i = 0; i < ready.Count; i++)
        {
            var e = m.Slice(outPtr + (uint)(i * EventSize), EventSize);
            e.Clear();
            var (s, error, bytes, hangup) = ready[i];
            BinaryPrimitives.WriteUInt64LittleEndian(e, s.UserData);
            BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)error);
            e[10] = (byte)s.Type;
            if (s.Type != EventType.Clock)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(e[16..], bytes);
                BinaryPrimitives.WriteUInt16LittleEndian(e[24..], (ushort)(hangup ? 1 : 0));
            }
        }
        m.Write32(resultPtr, (uint)ready.Count);
        return Errno.Success;
    }

    /// <summary>Decodes a subscription: userdata u64 @0, tag u8 @8, then either a clock (id u32 @16, timeout
    /// u64 @24, precision u64 @32, flags u16 @40) or a descriptor (fd u32 @16). Clock deadlines are converted to
    /// the monotonic clock.</summary>
    private static Subscription Parse(ReadOnlySpan<byte> s, ulong monotonicNow)
    {
        ulong userData = BinaryPrimitives.ReadUInt64LittleEndian(s);
        byte tag = s[8];
        switch ((EventType)tag)
        {
            case EventType.Clock:
            {
                var id = (ClockId)BinaryPrimitives.ReadUInt32LittleEndian(s[16..]);
                ulong timeout = BinaryPrimitives.ReadUInt64LittleEndian(s[24..]);
                bool absolute = (BinaryPrimitives.ReadUInt16LittleEndian(s[40..]) & 1) != 0;
                if (!ClockNow(id, out ulong clockNow)) return new(userData, EventType.Clock, 0, 0, Errno.Inval);
                ulong relative = absolute ? (timeout > clockNow ? timeout - clockNow : 0) : timeout;
                ulong deadline = relative > ulong.MaxValue - monotonicNow ? ulong.MaxValue - 1 : monotonicNow + relative;
                return new(userData, EventType.Clock, 0, deadline, Errno.Success);
            }
            case EventType.FdRead:
            case EventType.FdWrite:
                return new(userData, (EventType)tag, BinaryPrimitives.ReadUInt32LittleEndian(s[16..]), 0, Errno.Success);
            default:
                return new(userData, (EventType)tag, 0, 0, Errno.Inval);
        }
    }
}
