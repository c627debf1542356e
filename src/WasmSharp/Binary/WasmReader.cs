using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace WasmSharp.Binary;

/// <summary>
/// Reads the primitive encodings of the binary format (LEB128 integers, floats, names, bytes) from a span.
/// Every failure is a <see cref="MalformedModuleException"/> with the spec's wording and the absolute offset.
/// </summary>
public ref struct WasmReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;
    private readonly long _baseOffset;

    /// <summary>The section being read, for error messages.</summary>
    public string? Section;
    /// <summary>The features the module may not use, which decoding must reject as 2.0 would (none by default).</summary>
    internal WasmFeatures Disabled;

    public WasmReader(ReadOnlySpan<byte> data, long baseOffset = 0, string? section = null)
    {
        _data = data;
        _pos = 0;
        _baseOffset = baseOffset;
        Section = section;
    }

    /// <summary>Position relative to the start of <c>data</c>.</summary>
    public int Position { readonly get => _pos; set => _pos = value; }
    /// <summary>Absolute offset in the module's bytes.</summary>
    public readonly long Offset => _baseOffset + _pos;
    public readonly long BaseOffset => _baseOffset;
    public readonly int Length => _data.Length;
    public readonly int Remaining => _data.Length - _pos;
    public readonly bool AtEnd => _pos >= _data.Length;
    public readonly ReadOnlySpan<byte> Data => _data;

    /// <summary>The spec's wording for running out of bytes (the testsuite also accepts its prefix "unexpected end").</summary>
    public const string UnexpectedEnd = "unexpected end of section or function";

    [MethodImpl(MethodImplOptions.NoInlining)]
    public readonly MalformedModuleException Error(string reason) => new(reason, Offset, Section);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public readonly MalformedModuleException Error(string reason, long offset) => new(reason, offset, Section);

    public byte ReadByte()
    {
        if (_pos >= _data.Length) throw Error(UnexpectedEnd);
        return _data[_pos++];
    }

    public readonly byte PeekByte()
    {
        if (_pos >= _data.Length) throw Error(UnexpectedEnd);
        return _data[_pos];
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining) throw Error(UnexpectedEnd);
        var s = _data.Slice(_pos, count);
        _pos += count;
        return s;
    }

    public void Skip(int count)
    {
        if (count < 0 || count > Remaining) throw Error(UnexpectedEnd);
        _pos += count;
    }

    public uint ReadU32()
    {
        uint result = 0;
        int shift = 0;
        while (true)
        {
            byte b = ReadByte();
            if (shift == 28)
            {
                // Fifth byte: only the low 4 bits may be used, and it must be the last.
                // (Unused bits are checked first, as the reference decoder does.)
                if ((b & 0x70) != 0) throw Error("integer too large", Offset - 1);
                if ((b & 0x80) != 0) throw Error("integer representation too long");
                return result | ((uint)b << 28);
            }
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
            shift += 7;
        }
    }

    public int ReadS32()
    {
        int result = 0;
        int shift = 0;
        while (true)
        {
            byte b = ReadByte();
            if (shift == 28)
            {
                // The unused bits (4..6) must be a sign extension of bit 3.
                int rest = b & 0x70;
                bool neg = (b & 0x08) != 0;
                if (neg ? rest != 0x70 : rest != 0) throw Error("integer too large", Offset - 1);
                if ((b & 0x80) != 0) throw Error("integer representation too long");
                return result | (b << 28);
            }
            result |= (b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                if (shift < 32 && (b & 0x40) != 0) result |= -1 << shift;
                return result;
            }
        }
    }

    public long ReadS64()
    {
        long result = 0;
        int shift = 0;
        while (true)
        {
            byte b = ReadByte();
            if (shift == 63)
            {
                // Only bit 0 is used; bits 1..6 must equal it.
                int rest = b & 0x7E;
                bool neg = (b & 0x01) != 0;
                if (neg ? rest != 0x7E : rest != 0) throw Error("integer too large", Offset - 1);
                if ((b & 0x80) != 0) throw Error("integer representation too long");
                return result | ((long)b << 63);
            }
            result |= (long)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
                return result;
            }
        }
    }

    public ulong ReadU64()
    {
        ulong result = 0;
        int shift = 0;
        while (true)
        {
            byte b = ReadByte();
            if (shift == 63)
            {
                if ((b & 0x7E) != 0) throw Error("integer too large", Offset - 1);
                if ((b & 0x80) != 0) throw Error("integer representation too long");
                return result | ((ulong)b << 63);
            }
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
            shift += 7;
        }
    }

    /// <summary>A signed 33-bit LEB (block types), returned as a long.</summary>
    public long ReadS33()
    {
        long result = 0;
        int shift = 0;
        while (true)
        {
            byte b = ReadByte();
            if (shift == 28)
            {
                // bits 5..6 must sign-extend bit 4
                int rest = b & 0x60;
                bool neg = (b & 0x10) != 0;
                if (neg ? rest != 0x60 : rest != 0) throw Error("integer too large", Offset - 1);
                if ((b & 0x80) != 0) throw Error("integer representation too long");
                result |= (long)(b & 0x7F) << 28;
                if ((b & 0x40) != 0) result |= -1L << 35;
                return result;
            }
            result |= (long)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                if ((b & 0x40) != 0) result |= -1L << shift;
                return result;
            }
        }
    }

    public uint ReadF32Bits()
    {
        var s = ReadBytes(4);
        return BinaryPrimitives.ReadUInt32LittleEndian(s);
    }

    public ulong ReadF64Bits()
    {
        var s = ReadBytes(8);
        return BinaryPrimitives.ReadUInt64LittleEndian(s);
    }

    /// <summary>A name: a u32 length then UTF-8 bytes, which must be valid ("malformed UTF-8 encoding").</summary>
    public string ReadName()
    {
        long at = Offset;
        var bytes = ReadBytes(ReadLength());
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error("malformed UTF-8 encoding", at);
        }
    }

    /// <summary>
    /// A byte length (u32). A length larger than the bytes left is "length out of bounds". Like the reference
    /// decoder, the bytes of the length's own encoding count as left, so a length just past the end fails
    /// later as "unexpected end".
    /// </summary>
    public int ReadLength()
    {
        long at = Offset;
        int left = Remaining;
        uint n = ReadU32();
        if (n > (uint)left) throw Error("length out of bounds", at);
        return (int)n;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A vector length, checked against the bytes left so that huge counts fail fast instead of allocating:
    /// more items than bytes is "length out of bounds" (the reference decoder's check); fewer bytes than
    /// <paramref name="minBytesPerItem"/> per item can hold is "unexpected end".</summary>
    public uint ReadCount(int minBytesPerItem = 1)
    {
        long at = Offset;
        uint n = (uint)ReadLength();
        if (minBytesPerItem > 1 && (ulong)n * (ulong)minBytesPerItem > (ulong)Remaining)
            throw Error(UnexpectedEnd, at);
        return n;
    }
}
