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
/// here, on CPUs with AVX-512 VBMI2, text of one- to three-byte characters (the Basic Multilingual Plane: Latin,
/// Greek, Cyrillic, Hebrew, Arabic, CJK, mixed with ASCII) is validated and decoded 32 bytes a step: every byte's
/// unit computed in a 16-bit lane (a lead byte's from it and the bytes after it), then the trail bytes' lanes
/// compressed out (<c>vpcompressw</c>). From the first block holding anything else (four-byte characters, or
/// ill-formed bytes) the BCL decodes the rest, which validates it.
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
        if (Avx512Vbmi2.IsSupported && Avx512BW.IsSupported) (i, o) = Blocks(source, destination);
        var status = Utf8.ToUtf16(source[i..], destination[o..], out _, out int rest, replaceInvalidSequences: false);
        written = o + rest;
        return status == OperationStatus.Done;
    }

    /// <summary>Blocks of 32 bytes (and the trail bytes of a character the last ones start) while they hold only
    /// well-formed characters of one to three bytes: where the bytes and units decoded end (always at a
    /// character's boundary).</summary>
    private static (int I, int O) Blocks(ReadOnlySpan<byte> source, Span<char> destination)
    {
        ref byte src = ref MemoryMarshal.GetReference(source);
        ref ushort dst = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(destination));
        int i = 0, o = 0, n = source.Length;
        // A step reads 34 bytes (the block and the two after it) and stores 32 units at o <= i, inside the
        // destination (at least n units); units past those decoded are overwritten by the next step, or left as
        // scratch past the result.
        while (i + 34 <= n)
        {
            var bytes = Vector256.LoadUnsafe(ref src, (nuint)i);
            var after = Vector256.LoadUnsafe(ref src, (nuint)(i + 1)); // lane k: the byte after byte k
            uint high = bytes.ExtractMostSignificantBits();
            uint trail = Vector256.Equals(bytes & Vector256.Create((byte)0xC0), Vector256.Create((byte)0x80)).ExtractMostSignificantBits();
            uint lead2 = (Vector256.Equals(bytes & Vector256.Create((byte)0xE0), Vector256.Create((byte)0xC0))
                          & Vector256.GreaterThanOrEqual(bytes, Vector256.Create((byte)0xC2))).ExtractMostSignificantBits();
            uint lead3 = Vector256.Equals(bytes & Vector256.Create((byte)0xF0), Vector256.Create((byte)0xE0)).ExtractMostSignificantBits();
            if (lead3 == 0)
            {
                // No three-byte character: half the work (Latin, Greek, Cyrillic, Hebrew, Arabic text).
                if ((high & ~(trail | lead2)) != 0 || trail != lead2 << 1) break;
                int taken = 32;
                if ((int)lead2 < 0)
                {
                    // The last byte leads a character whose trail byte is the one after the block (its unit is
                    // computed from it already): taken too, if it is one. (A branch, not arithmetic: the next
                    // block's address then does not wait for this block's bytes.)
                    if ((Unsafe.Add(ref src, i + 32) & 0xC0) != 0x80) break;
                    taken = 33;
                }
                var low = Avx512BW.ConvertToVector512UInt16(bytes);
                var second = Avx512BW.ConvertToVector512UInt16(after);
                var pair = ((low & Vector512.Create((ushort)0x1F)) << 6) | (second & Vector512.Create((ushort)0x3F));
                var isLead = Vector512.Equals(low & Vector512.Create((ushort)0xE0), Vector512.Create((ushort)0xC0));
                var kept = ~Vector512.Equals(low & Vector512.Create((ushort)0xC0), Vector512.Create((ushort)0x80));
                Avx512Vbmi2.Compress(Vector512<ushort>.Zero, kept, Vector512.ConditionalSelect(isLead, pair, low)).StoreUnsafe(ref dst, (nuint)o);
                o += 32 - BitOperations.PopCount(trail);
                i += taken;
                continue;
            }
            // E0 takes A0-BF next (no overlong form), ED 80-9F (no surrogate).
            uint bad3 = ((Vector256.Equals(bytes, Vector256.Create((byte)0xE0)) & Vector256.LessThan(after, Vector256.Create((byte)0xA0)))
                         | (Vector256.Equals(bytes, Vector256.Create((byte)0xED)) & Vector256.GreaterThan(after, Vector256.Create((byte)0x9F))))
                        .ExtractMostSignificantBits();
            // Where trail bytes must be: one after each lead, two after each three-byte lead (bits 32 and 33: the
            // bytes after the block). Every other byte is ASCII, and the trail bytes are exactly those (the block
            // starts at a character's boundary); else the BCL takes over here (four-byte characters included).
            ulong follows = ((ulong)lead2 << 1) | ((ulong)lead3 << 1) | ((ulong)lead3 << 2);
            if ((high & ~(trail | lead2 | lead3)) != 0 || bad3 != 0 || (uint)follows != trail) break;
            int length = 32;
            if (follows > uint.MaxValue)
            {
                // The last character's trail bytes go past the block (its unit is computed from them already):
                // taken too, if they are such.
                if ((Unsafe.Add(ref src, i + 32) & 0xC0) != 0x80) break;
                length = 33;
                if (follows >> 33 != 0)
                {
                    if ((Unsafe.Add(ref src, i + 33) & 0xC0) != 0x80) break;
                    length = 34;
                }
            }
            var units = Avx512BW.ConvertToVector512UInt16(bytes);
            var next = Avx512BW.ConvertToVector512UInt16(after);
            var third = Avx512BW.ConvertToVector512UInt16(Vector256.LoadUnsafe(ref src, (nuint)(i + 2)));
            var two = ((units & Vector512.Create((ushort)0x1F)) << 6) | (next & Vector512.Create((ushort)0x3F));
            var three = (units << 12) | ((next & Vector512.Create((ushort)0x3F)) << 6) | (third & Vector512.Create((ushort)0x3F));
            var decoded = Vector512.ConditionalSelect(Vector512.Equals(units & Vector512.Create((ushort)0xF0), Vector512.Create((ushort)0xE0)), three,
                Vector512.ConditionalSelect(Vector512.Equals(units & Vector512.Create((ushort)0xE0), Vector512.Create((ushort)0xC0)), two, units));
            var keep = ~Vector512.Equals(units & Vector512.Create((ushort)0xC0), Vector512.Create((ushort)0x80));
            Avx512Vbmi2.Compress(Vector512<ushort>.Zero, keep, decoded).StoreUnsafe(ref dst, (nuint)o);
            o += 32 - BitOperations.PopCount(trail);
            i += length;
        }
        return (i, o);
    }
}
