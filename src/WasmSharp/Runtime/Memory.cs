namespace WasmSharp;

/// <summary>
/// A linear memory. Its bytes are unmanaged and never move: the whole addressable range is reserved once and
/// pages are committed on growth (ARCHITECTURE §4), so <see cref="BasePointer"/> stays valid for the memory's life.
/// </summary>
public sealed unsafe class Memory : IDisposable
{
    /// <summary>Start of the memory; valid until disposed.</summary>
    internal byte* Base;
    /// <summary>Current size in bytes (pages * 65536).</summary>
    internal ulong ByteLength;

    public MemoryType Type { get; private set; }

    public Memory(Store store, MemoryType type)
    {
        Type = type;
        throw new NotImplementedException();
    }

    public nint BasePointer => (nint)Base;
    public ulong Pages => ByteLength / MemoryType.PageSize;
    public ulong? MaxPages => Type.Limits.Max;

    /// <summary>Grows by <paramref name="deltaPages"/>; returns the old size in pages, or -1 if it cannot grow.</summary>
    public long Grow(ulong deltaPages) => throw new NotImplementedException();

    /// <summary>The current contents (memories up to 2 GiB - 1).</summary>
    public Span<byte> Span => new(Base, checked((int)ByteLength));

    public void Dispose() => throw new NotImplementedException();
}
