using System.Buffers.Binary;

namespace WasmSharp.Wasi;

/// <summary>A bad guest pointer: the WASI call returns <c>EFAULT</c>.</summary>
internal sealed class GuestFaultException() : Exception("guest pointer out of bounds");

/// <summary>
/// Bounds-checked little-endian access to the guest's linear memory at the time of one WASI call. Linear memory
/// never moves (ARCHITECTURE §4), so the pointers handed to host calls stay valid for the call.
/// </summary>
internal readonly unsafe struct GuestMemory
{
    private readonly byte* _base;
    private readonly ulong _length;

    public GuestMemory(Memory memory)
    {
        _base = (byte*)memory.BasePointer;
        _length = memory.Length;
    }

    /// <summary>The address of [<paramref name="ptr"/>, +<paramref name="length"/>), checked to lie inside memory.</summary>
    public byte* Pointer(uint ptr, ulong length)
    {
        if (ptr + length > _length) throw new GuestFaultException();
        return _base + ptr;
    }

    public Span<byte> Slice(uint ptr, uint length)
    {
        if (length > int.MaxValue) throw new GuestFaultException();
        return new Span<byte>(Pointer(ptr, length), (int)length);
    }

    public byte U8(uint ptr) => *Pointer(ptr, 1);
    public ushort U16(uint ptr) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(ptr, 2));
    public uint U32(uint ptr) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(ptr, 4));
    public ulong U64(uint ptr) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(ptr, 8));

    public void Write8(uint ptr, byte value) => *Pointer(ptr, 1) = value;
    public void Write16(uint ptr, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Slice(ptr, 2), value);
    public void Write32(uint ptr, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Slice(ptr, 4), value);
    public void Write64(uint ptr, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Slice(ptr, 8), value);
}
