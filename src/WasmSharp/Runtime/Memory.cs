using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WasmSharp;

/// <summary>
/// A linear memory. Its bytes are unmanaged and never move: the whole addressable range is reserved once and
/// pages are committed on growth (ARCHITECTURE §4), so <see cref="BasePointer"/> stays valid for the memory's life.
/// The <see cref="Store"/> it was created in owns it and frees it when disposed.
/// </summary>
public sealed unsafe class Memory : IDisposable
{
    /// <summary>Base and current length where running code reads them (instance contexts point here): unmanaged,
    /// at a stable address, freed with this object (after Dispose it says base null, length 0).</summary>
    internal readonly MemoryDefinition* Definition = (MemoryDefinition*)NativeMemory.AllocZeroed((nuint)sizeof(MemoryDefinition));

    /// <summary>Start of the memory; valid until disposed.</summary>
    internal byte* Base { get => Definition->Base; private set => Definition->Base = value; }
    /// <summary>Current size in bytes (pages * 65536).</summary>
    internal ulong ByteLength { get => Definition->Length; private set => Definition->Length = value; }

    /// <summary>Bytes reserved at <see cref="Base"/>; growth never goes past them.</summary>
    private ulong _reserved;
    /// <summary>The reservation to free; zero once freed (Dispose and the finalizer may race).</summary>
    private nint _reservation;
    private MemoryType _type;

    /// <summary>Bytes reserved when the OS allows: every 32-bit index plus 32-bit offset (plus an access of up to
    /// 16 bytes) stays inside, so a native tier may rely on guard pages.</summary>
    internal const ulong FullReservation = (8UL << 30) + MemoryType.PageSize;

    /// <summary>The store that owns this memory.</summary>
    public Store Store { get; }

    /// <summary>The memory's type; its minimum is the current size in pages.</summary>
    public MemoryType Type
    {
        get
        {
            ulong pages = Pages;
            if (_type.Limits.Min != pages) _type = _type with { Limits = new Limits(pages, _type.Limits.Max) };
            return _type;
        }
    }

    /// <summary>Creates a zero-filled memory of <c>type.Limits.Min</c> pages, owned by <paramref name="store"/>.</summary>
    public Memory(Store store, MemoryType type)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(type);
        Store = store;
        _type = type;
        ulong min = type.Limits.Min;
        ulong limit = MaxPagesLimit(type);
        if (min > limit)
            throw new WasmException($"memory size {min} pages exceeds the maximum of {limit} pages");

        // Prefer the full guard-region reservation; fall back to what the memory can ever need, then to its
        // initial size (growth then fails with -1 rather than moving the memory).
        ulong needed = Math.Max(limit * MemoryType.PageSize, MemoryType.PageSize);
        foreach (ulong size in new[] { FullReservation, needed, Math.Max(min * MemoryType.PageSize, MemoryType.PageSize) })
        {
            if (size > FullReservation) continue;
            Base = VirtualMemory.Reserve(size);
            if (Base != null) { _reserved = Definition->Reserved = size; break; }
        }
        if (Base == null)
            throw new WasmException("could not reserve address space for a linear memory");

        if (!VirtualMemory.Commit(Base, min * MemoryType.PageSize))
        {
            VirtualMemory.Release(Base, _reserved);
            Base = null;
            throw new WasmException($"could not allocate {min} pages of linear memory");
        }
        ByteLength = min * MemoryType.PageSize;
        Definition->GrowLimit = Math.Min(limit * MemoryType.PageSize, _reserved);
        _reservation = (nint)Base;
        store.Own(this);
    }

    private static ulong MaxPagesLimit(MemoryType type) =>
        type.Limits.Max is ulong max ? Math.Min(max, MemoryType.MaxPages32) : MemoryType.MaxPages32;

    /// <summary>Address of byte 0. Stable across <see cref="Grow"/>; invalid after <see cref="Dispose"/>.</summary>
    public nint BasePointer => _disposed ? 0 : (nint)Base;
    /// <summary>Current size in 64 KiB pages.</summary>
    public ulong Pages => ByteLength / MemoryType.PageSize;
    /// <summary>Current size in bytes.</summary>
    public ulong Length => ByteLength;
    /// <summary>The declared maximum in pages, if any.</summary>
    public ulong? MaxPages => _type.Limits.Max;

    /// <summary>Grows by <paramref name="deltaPages"/>; returns the old size in pages, or -1 if it cannot grow
    /// (past its maximum, past 65536 pages, or the OS refuses). New pages are zero.</summary>
    public long Grow(ulong deltaPages)
    {
        ulong old = ByteLength / MemoryType.PageSize;
        if (deltaPages == 0) return _disposed ? -1 : (long)old;
        if (_disposed || deltaPages > MemoryType.MaxPages32) return -1;
        ulong bytes = (old + deltaPages) * MemoryType.PageSize;
        if (bytes > Definition->GrowLimit) return -1;
        if (!VirtualMemory.Commit(Base + ByteLength, bytes - ByteLength)) return -1;
        ByteLength = bytes;
        return (long)old;
    }

    /// <summary>The current contents (memories up to 2 GiB - 1 bytes; use <see cref="GetSpan"/> beyond).</summary>
    public Span<byte> Span => ByteLength <= int.MaxValue
        ? new(Base, (int)ByteLength)
        : throw new WasmException("memory is larger than a Span can hold; use GetSpan");

    /// <summary>The bytes [<paramref name="address"/>, +<paramref name="length"/>); traps with
    /// "out of bounds memory access" if they are not all inside the memory.</summary>
    public Span<byte> GetSpan(ulong address, int length)
    {
        if (length < 0 || address > ByteLength || (ulong)length > ByteLength - address) throw OutOfBounds();
        return new(Base + address, length);
    }

    /// <summary>Reads a little-endian value at <paramref name="address"/> (bounds-checked).</summary>
    public T Read<T>(ulong address) where T : unmanaged
    {
        CheckRange(address, (ulong)sizeof(T));
        T value = Unsafe.ReadUnaligned<T>(Base + address);
        return BitConverter.IsLittleEndian ? value : ReverseIfNeeded(value);
    }

    /// <summary>Writes a little-endian value at <paramref name="address"/> (bounds-checked).</summary>
    public void Write<T>(ulong address, T value) where T : unmanaged
    {
        CheckRange(address, (ulong)sizeof(T));
        Unsafe.WriteUnaligned(Base + address, BitConverter.IsLittleEndian ? value : ReverseIfNeeded(value));
    }

    private static T ReverseIfNeeded<T>(T value) where T : unmanaged
    {
        MemoryMarshal.AsBytes(new Span<T>(ref value)).Reverse();
        return value;
    }

    /// <summary>Copies <paramref name="n"/> bytes of <paramref name="data"/> from <paramref name="src"/> to
    /// <paramref name="dst"/> (memory.init); traps before writing anything if either range is out of bounds.</summary>
    internal void Init(ulong dst, ReadOnlySpan<byte> data, ulong src, ulong n)
    {
        if (src > (ulong)data.Length || n > (ulong)data.Length - src) throw OutOfBounds();
        CheckRange(dst, n);
        data.Slice((int)src, (int)n).CopyTo(new Span<byte>(Base + dst, (int)n));
    }

    /// <summary>memory.fill: traps before writing anything if out of bounds.</summary>
    internal void Fill(ulong dst, byte value, ulong n)
    {
        CheckRange(dst, n);
        if (n != 0) NativeMemory.Fill(Base + dst, (nuint)n, value);
    }

    /// <summary>memory.copy from <paramref name="src"/> (possibly this memory; ranges may overlap).</summary>
    internal void Copy(Memory src, ulong dst, ulong srcAddr, ulong n)
    {
        src.CheckRange(srcAddr, n);
        CheckRange(dst, n);
        if (n != 0) Buffer.MemoryCopy(src.Base + srcAddr, Base + dst, n, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckRange(ulong address, ulong n)
    {
        if (address > ByteLength || n > ByteLength - address) throw OutOfBounds();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TrapException OutOfBounds() => new(TrapCode.OutOfBoundsMemoryAccess);

    /// <summary>Frees the memory. Afterwards it has size 0, so every access traps instead of touching freed pages.
    /// Disposed while Wasm code runs in its store (a host function it called), the memory stays as it is until the
    /// outermost call into the store returns, and is freed then: code never finds its memory gone in mid-call, so
    /// native code need not look at the memory's base and size again after every call.</summary>
    public void Dispose()
    {
        if (Store.Running > 0)
        {
            Store.DisposeWhenStopped(this);
            return;
        }
        Free();
        GC.SuppressFinalize(this);
    }

    ~Memory()
    {
        Free();
        NativeMemory.Free(Definition);
    }

    private void Free()
    {
        ByteLength = 0;
        Definition->GrowLimit = 0;
        _disposed = true;
        Store.MemoryDisposed = true;
        // Code that still runs on this memory sees a size of 0; native code that relies on guard pages, which does
        // not read the size, reaches an inaccessible reservation instead of freed (and maybe reused) address space.
        Base = Tombstone;
        Definition->Reserved = Tombstone == null ? 0 : FullReservation;
        nint p = Interlocked.Exchange(ref _reservation, 0);
        if (p != 0) VirtualMemory.Release((byte*)p, _reserved);
    }

    private bool _disposed;

    /// <summary>Disposed: size 0 from now on (every access traps).</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>One inaccessible full reservation, process-wide, that disposed memories point at.</summary>
    private static byte* Tombstone => (byte*)TombstoneReservation.Value;
    private static readonly Lazy<nint> TombstoneReservation = new(() => (nint)VirtualMemory.ReservePermanently(FullReservation));
}
