using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Unicode;

namespace WasmSharp.Components.Compiled;

/// <summary>
/// Strict UTF-8 to UTF-16 for strings lifted out of a component. The BCL's <see cref="Utf8.ToUtf16"/> is
/// vectorised for ASCII and takes about a third of a nanosecond a byte on other text (5.3 µs for 16 KiB of "é");
/// here, on CPUs with AVX-512 VBMI2, text of one- and two-byte characters (Latin, Greek, Cyrillic, Hebrew, Arabic,
/// mixed with ASCII) is validated and decoded 32 bytes a step: every byte's unit computed in a 16-bit lane (a lead
/// byte's from it and the byte after it), then the continuation bytes' lanes compressed out (<c>vpcompressw</c>).
/// From the first block holding anything else (three- or four-byte characters, or ill-formed bytes) the BCL
/// decodes the rest, which validates it.
/// </summary>
internal static class Utf8ToUtf16
{
    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/> (room for a unit a byte);
    /// false if it is not well-formed UTF-8. <paramref name="written"/>: the units written.</summary>
    public static bool Decode(ReadOnlySpan<byte> source, Span<char> destination, out int written)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException("the destination must have room for a unit a byte", nameof(destination));
        int i = 0, o = 0;
        if (Avx512Vbmi2.IsSupported && Avx512BW.IsSupported) (i, o) = OneOrTwoByteBlocks(source, destination);
        var status = Utf8.ToUtf16(source[i..], destination[o..], out _, out int rest, replaceInvalidSequences: false);
        written = o + rest;
        return status == OperationStatus.Done;
    }

    /// <summary>Blocks of 32 bytes (33 when the last one leads a character) while they hold only ASCII and
    /// well-formed two-byte sequences: where the bytes and units decoded end (always at a character's
    /// boundary).</summary>
    private static (int I, int O) OneOrTwoByteBlocks(ReadOnlySpan<byte> source, Span<char> destination)
    {
        ref byte src = ref MemoryMarshal.GetReference(source);
        ref ushort dst = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(destination));
        int i = 0, o = 0, n = source.Length;
        // A step reads 33 bytes (the block and the byte after it) and stores 32 units at o <= i, inside the
        // destination (at least n units); units past those decoded are overwritten by the next step, or left as
        // scratch past the result.
        while (i + 33 <= n)
        {
            var bytes = Vector256.LoadUnsafe(ref src, (nuint)i);
            uint high = bytes.ExtractMostSignificantBits();
            uint trail = Vector256.Equals(bytes & Vector256.Create((byte)0xC0), Vector256.Create((byte)0x80)).ExtractMostSignificantBits();
            uint lead = (Vector256.Equals(bytes & Vector256.Create((byte)0xE0), Vector256.Create((byte)0xC0))
                         & Vector256.GreaterThanOrEqual(bytes, Vector256.Create((byte)0xC2))).ExtractMostSignificantBits();
            // Every other byte is ASCII, every lead is followed by a trail byte and every trail byte follows a
            // lead (the block starts at a character's boundary); else the BCL takes over here.
            if ((high & ~(trail | lead)) != 0 || trail != lead << 1) break;
            var units = Avx512BW.ConvertToVector512UInt16(bytes);
            var next = Avx512BW.ConvertToVector512UInt16(Vector256.LoadUnsafe(ref src, (nuint)(i + 1)));
            var two = ((units & Vector512.Create((ushort)0x1F)) << 6) | (next & Vector512.Create((ushort)0x3F));
            var isLead = Vector512.Equals(units & Vector512.Create((ushort)0xE0), Vector512.Create((ushort)0xC0));
            var keep = ~Vector512.Equals(units & Vector512.Create((ushort)0xC0), Vector512.Create((ushort)0x80));
            int length = 32;
            if ((int)lead < 0)
            {
                // The last byte leads a character whose trail byte is the one after the block (its unit is
                // computed from it already): taken too, if it is one. (A branch, not arithmetic: the next block's
                // address then does not wait for this block's bytes.)
                if ((Unsafe.Add(ref src, i + 32) & 0xC0) != 0x80) break;
                length = 33;
            }
            Avx512Vbmi2.Compress(Vector512<ushort>.Zero, keep, Vector512.ConditionalSelect(isLead, two, units)).StoreUnsafe(ref dst, (nuint)o);
            o += 32 - BitOperations.PopCount(trail);
            i += length;
        }
        return (i, o);
    }
}
