using System.Buffers.Binary;
using System.Text;

namespace WasmSharp.Text;

/// <summary>A growable byte buffer with the binary format's encodings (LEB128 integers, vectors, names).</summary>
internal sealed class WasmWriter
{
    private byte[] _buffer;
    public int Length { get; private set; }

    public WasmWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 16)];

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    private Span<byte> Grow(int n)
    {
        if (Length + n > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + n));
        var span = _buffer.AsSpan(Length, n);
        Length += n;
        return span;
    }

    public void Byte(byte b)
    {
        if (Length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        _buffer[Length++] = b;
    }

    public void Bytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));

    public void U32(uint value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            Byte(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
    }

    public void S32(int value) => S64(value);

    public void S64(long value)
    {
        while (true)
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bool done = value == 0 && (b & 0x40) == 0 || value == -1 && (b & 0x40) != 0;
            Byte(done ? b : (byte)(b | 0x80));
            if (done) return;
        }
    }

    public void F32(uint bits) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), bits);
    public void F64(ulong bits) => BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), bits);

    /// <summary>A name: its UTF-8 length and bytes.</summary>
    public void Name(string name)
    {
        int n = Encoding.UTF8.GetByteCount(name);
        U32((uint)n);
        Encoding.UTF8.GetBytes(name, Grow(n));
    }

    /// <summary>Bytes with their length first (a vector of bytes, a section's or a body's contents).</summary>
    public void Sized(ReadOnlySpan<byte> contents)
    {
        U32((uint)contents.Length);
        Bytes(contents);
    }

    /// <summary>Section <paramref name="id"/> holding <paramref name="contents"/>; left out when
    /// <paramref name="count"/> is 0.</summary>
    public void Section(byte id, int count, WasmWriter contents)
    {
        if (count == 0) return;
        Byte(id);
        var counted = new WasmWriter(contents.Length + 5);
        counted.U32((uint)count);
        counted.Bytes(contents.Written);
        Sized(counted.Written);
    }

    public byte[] ToArray() => Written.ToArray();
}
