using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi.Descriptors;

/// <summary>
/// An open WASI file descriptor: what it refers to and the rights it holds. The I/O operations take buffers in
/// guest memory as host <c>iovec</c>s. Each operation's default answers for a descriptor that cannot do it.
/// </summary>
internal abstract unsafe class Descriptor : IDisposable
{
    /// <summary>Rights that apply to this descriptor.</summary>
    public Rights Base { get; set; }
    /// <summary>Rights that descriptors opened through this one may receive.</summary>
    public Rights Inheriting { get; set; }
    public abstract FileType Type { get; }
    /// <summary>The descriptor's flags as the guest set them (append, nonblock, sync...).</summary>
    public FdFlags Flags { get; protected set; }
    /// <summary>Whether the descriptor is a stream (terminal, pipe): seeking answers ESPIPE.</summary>
    public virtual bool IsStream => Type is not (FileType.RegularFile or FileType.Directory or FileType.BlockDevice);

    public virtual Errno Read(LibC.IoVec* iovs, int count, out ulong read) { read = 0; return Errno.Badf; }
    public virtual Errno Write(LibC.IoVec* iovs, int count, out ulong written) { written = 0; return Errno.Badf; }
    public virtual Errno PRead(LibC.IoVec* iovs, int count, ulong offset, out ulong read) { read = 0; return Errno.Spipe; }
    public virtual Errno PWrite(LibC.IoVec* iovs, int count, ulong offset, out ulong written) { written = 0; return Errno.Spipe; }
    public virtual Errno Seek(long offset, Whence whence, out ulong position) { position = 0; return Errno.Spipe; }
    public abstract Errno Stat(out FileStat stat);
    public virtual Errno SetFlags(FdFlags flags) => Errno.NotSup;
    public virtual Errno Sync() => Errno.Success;
    public virtual Errno DataSync() => Errno.Success;
    public virtual Errno Advise(ulong offset, ulong length, Advice advice) => Errno.Success;
    public virtual Errno Allocate(ulong offset, ulong length) => Errno.Badf;
    public virtual Errno SetSize(ulong size) => Errno.Badf;
    public virtual Errno SetTimes(ulong atim, ulong mtim, FstFlags flags) => Errno.Badf;

    /// <summary>Bytes that can be read without blocking, or null if unknown (used by poll_oneoff).</summary>
    public virtual ulong? ReadableBytes => 0;
    /// <summary>The host descriptor to wait on in poll_oneoff, or -1 if the descriptor is always ready.</summary>
    public virtual int PollHandle => -1;

    public virtual void Dispose() { }

    /// <summary>Total length of an iovec array.</summary>
    protected static ulong TotalLength(LibC.IoVec* iovs, int count)
    {
        ulong total = 0;
        for (int i = 0; i < count; i++) total += iovs[i].Length;
        return total;
    }
}
