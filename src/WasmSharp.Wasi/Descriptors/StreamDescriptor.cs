using WasmSharp.Wasi.Abi;
using WasmSharp.Wasi.Host;

namespace WasmSharp.Wasi.Descriptors;

/// <summary>A stdio descriptor backed by a .NET <see cref="Stream"/> (for embedders that capture output or feed
/// input). It reports itself as a character device that cannot seek.</summary>
internal sealed unsafe class StreamDescriptor(Stream stream, bool readable, bool writable) : Descriptor
{
    public override FileType Type => FileType.CharacterDevice;

    public override Errno Read(LibC.IoVec* iovs, int count, out ulong read)
    {
        read = 0;
        if (!readable) return Errno.Badf;
        try
        {
            for (int i = 0; i < count; i++)
            {
                var span = new Span<byte>(iovs[i].Base, (int)Math.Min(iovs[i].Length, int.MaxValue));
                int n = stream.Read(span);
                read += (ulong)n;
                if (n < span.Length) break; // short read: return what is there rather than block again
            }
            return Errno.Success;
        }
        catch (IOException)
        {
            return read > 0 ? Errno.Success : Errno.Io;
        }
    }

    public override Errno Write(LibC.IoVec* iovs, int count, out ulong written)
    {
        written = 0;
        if (!writable) return Errno.Badf;
        try
        {
            for (int i = 0; i < count; i++)
            {
                var span = new ReadOnlySpan<byte>(iovs[i].Base, (int)Math.Min(iovs[i].Length, int.MaxValue));
                stream.Write(span);
                written += (ulong)span.Length;
            }
            stream.Flush();
            return Errno.Success;
        }
        catch (IOException)
        {
            return written > 0 ? Errno.Success : Errno.Io;
        }
    }

    public override Errno Stat(out FileStat stat)
    {
        stat = new FileStat(0, 0, FileType.CharacterDevice, 1, 0, 0, 0, 0);
        return Errno.Success;
    }

    public override Errno SetFlags(FdFlags flags) => flags == FdFlags.None || flags == FdFlags.NonBlock ? Errno.Success : Errno.NotSup;

    public override ulong? ReadableBytes => null;
}
