using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Unicode;

namespace WasmSharp.Components.Compiled;

/// <summary>
/// UTF-16 to UTF-8 for strings crossing into a component, eight code units a step. The BCL's converter is
/// vectorised for ASCII only and takes about 0.6 ns per code unit on other text (5.1 µs for 8192 units of "é",
/// 3.3 µs here); here a block of eight units that all encode in one or two bytes (Latin, Greek, Cyrillic, Hebrew,
/// Arabic, mixed with ASCII) or all in three (most of the BMP: CJK) is encoded with a few vector instructions and,
/// for one-and-two-byte blocks, a shuffle chosen by which units take two bytes (the technique of simdutf, Lemire
/// and Keiser). Other blocks (surrogate pairs, three-byte units mixed with others) go unit by unit. With AVX-512
/// VBMI2, text of one- and two-byte units goes 32 units a step first (a compress in place of the shuffle table).
/// </summary>
internal static class Utf16ToUtf8
{
    /// <summary>The index of the first surrogate in <paramref name="source"/>, or -1: what
    /// <c>IndexOfAnyInRange('\uD800', '\uDFFF')</c> gives, about three times as fast on long text (8192 units:
    /// 0.16-0.20 µs against 0.60-0.68; 512: 11-16 ns against 38-46). The BCL compares one vector at a time; here
    /// four 16-unit vectors are folded into one (the minimum of the units' distances above U+D800) and compared
    /// once, and the BCL finds the exact place from the first 64 units that hold a surrogate (and searches strings
    /// shorter than that itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FirstSurrogate(ReadOnlySpan<char> source) =>
        source.Length < 64 || !Vector256.IsHardwareAccelerated ? source.IndexOfAnyInRange('\uD800', '\uDFFF') : FirstSurrogateInLong(source);

    private static int FirstSurrogateInLong(ReadOnlySpan<char> source)
    {
        ref ushort src = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(source));
        int i = 0, n = source.Length;
        var low = Vector256.Create((ushort)0xD800);
        var width = Vector256.Create((ushort)0x07FF); // U+D800 to U+DFFF, as distances above U+D800
        for (; i + 64 <= n; i += 64)
        {
            var a = Vector256.LoadUnsafe(ref src, (nuint)i) - low;
            var b = Vector256.LoadUnsafe(ref src, (nuint)i + 16) - low;
            var c = Vector256.LoadUnsafe(ref src, (nuint)i + 32) - low;
            var d = Vector256.LoadUnsafe(ref src, (nuint)i + 48) - low;
            if (Vector256.LessThanOrEqualAny(Vector256.Min(Vector256.Min(a, b), Vector256.Min(c, d)), width)) break;
        }
        if (i == n) return -1;
        int rest = source[i..].IndexOfAnyInRange('\uD800', '\uDFFF');
        return rest < 0 ? -1 : i + rest;
    }

    /// <summary>Encodes <paramref name="source"/>, well-formed UTF-16 (no unpaired surrogate: the caller checked),
    /// into <paramref name="destination"/>, which has room for the worst case (3 bytes a code unit). Returns the
    /// bytes written: the same bytes as <see cref="Utf8.FromUtf16"/>; the rest of the destination is left as it was.</summary>
    public static int Encode(ReadOnlySpan<char> source, Span<byte> destination)
    {
        if (destination.Length < 3 * source.Length)
            throw new ArgumentException("the destination must have room for 3 bytes a code unit", nameof(destination));
        ref char src = ref MemoryMarshal.GetReference(source);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        int i = 0, o = 0, n = source.Length;
        if (Avx512Vbmi2.IsSupported && Avx512BW.IsSupported) (i, o) = OneOrTwoWide(ref src, n, ref dst);
        if (Ssse3.IsSupported)
        {
            // Each step reads 8 units and touches at most 24 bytes (16 in one store, or 16 + 8): inside the 3n
            // bytes, since every unit so far took at most 3. Nothing past the output is changed.
            while (i + 8 <= n)
            {
                var v = Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref Unsafe.Add(ref src, i)));
                if (Vector128.LessThanAll(v, Vector128.Create((ushort)0x80)))
                {
                    Vector128.Narrow(v, v).GetLower().StoreUnsafe(ref Unsafe.Add(ref dst, o));
                    i += 8; o += 8;
                    continue;
                }
                if (Vector128.LessThanAll(v, Vector128.Create((ushort)0x800)))
                {
                    o += OneOrTwo(v, ref Unsafe.Add(ref dst, o));
                    i += 8;
                    continue;
                }
                var surrogate = Vector128.Equals(v & Vector128.Create((ushort)0xF800), Vector128.Create((ushort)0xD800));
                if (Vector128.GreaterThanOrEqualAll(v, Vector128.Create((ushort)0x800)) && surrogate == Vector128<ushort>.Zero)
                {
                    Three(v, ref Unsafe.Add(ref dst, o));
                    i += 8; o += 24;
                    continue;
                }
                // A mixed block: unit by unit, a surrogate pair whole (its high half may be the block's last unit).
                (i, o) = ScalarUntil(ref src, i, i + 8, n, ref dst, o);
            }
        }
        return ScalarUntil(ref src, i, n, n, ref dst, o).O;
    }

    /// <summary>With AVX-512 VBMI2, blocks of 32 units below U+0800 while there are any: each unit's one or two
    /// bytes side by side in a 16-bit lane, the second byte of the one-byte units compressed out
    /// (<c>vpcompressb</c>). Where the units and bytes encoded end.</summary>
    private static (int I, int O) OneOrTwoWide(ref char src, int n, ref byte dst)
    {
        int i = 0, o = 0;
        // A step stores 64 bytes at o and puts back the 32 after its output (32 to 64 bytes): inside the 3n bytes,
        // since o <= 2i and i + 32 <= n. Nothing past the output is changed.
        while (i + 32 <= n)
        {
            var v = Vector512.LoadUnsafe(ref Unsafe.As<char, ushort>(ref Unsafe.Add(ref src, i)));
            if (!Vector512.LessThanAll(v, Vector512.Create((ushort)0x800))) break;
            var two = Vector512.GreaterThanOrEqual(v, Vector512.Create((ushort)0x80));
            var lead = Vector512.ConditionalSelect(two, (v >>> 6) | Vector512.Create((ushort)0xC0), v);
            var trail = ((v & Vector512.Create((ushort)0x3F)) | Vector512.Create((ushort)0x80)) << 8;
            var keep = (two | Vector512.Create((ushort)0xFF)).AsByte(); // the first byte of every lane, the second of two-byte ones
            int length = 32 + BitOperations.PopCount(two.ExtractMostSignificantBits());
            ref byte d = ref Unsafe.Add(ref dst, o);
            var after = Vector256.LoadUnsafe(ref Unsafe.Add(ref d, length));
            Avx512Vbmi2.Compress(Vector512<byte>.Zero, keep, (lead | trail).AsByte()).StoreUnsafe(ref d);
            after.StoreUnsafe(ref Unsafe.Add(ref d, length));
            i += 32;
            o += length;
        }
        return (i, o);
    }

    /// <summary>Code points one by one from unit <paramref name="i"/> until unit <paramref name="end"/> (or just past
    /// it, a pair's low half), written from byte <paramref name="o"/>: where both counters end up (returned, not
    /// through refs to the caller's, which would keep them in memory throughout its loop).</summary>
    private static (int I, int O) ScalarUntil(ref char src, int i, int end, int n, ref byte dst, int o)
    {
        while (i < end)
        {
            var (units, bytes) = Scalar(ref src, i, n, ref Unsafe.Add(ref dst, o));
            i += units; o += bytes;
        }
        return (i, o);
    }

    /// <summary>Eight units below U+0800: each unit's one or two bytes side by side in a 16-bit lane, then the
    /// second byte of the one-byte units shuffled out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int OneOrTwo(Vector128<ushort> v, ref byte dst)
    {
        var two = Vector128.GreaterThanOrEqual(v, Vector128.Create((ushort)0x80));
        var lead = Vector128.ConditionalSelect(two, (v >>> 6) | Vector128.Create((ushort)0xC0), v);
        var trail = ((v & Vector128.Create((ushort)0x3F)) | Vector128.Create((ushort)0x80)) << 8;
        var pairs = (lead | trail).AsByte();
        uint mask = Vector128.ExtractMostSignificantBits(two); // bit k: lane k
        var shuffle = Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(TwoByteShuffles), mask * 16);
        int length = 8 + BitOperations.PopCount(mask);
        // The store's last 16 - length bytes are not output: put back what was there (at most 8 bytes; the memory
        // past a string's end stays as the guest left it, as with the reference).
        ulong after = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref dst, length));
        Ssse3.Shuffle(pairs, shuffle).StoreUnsafe(ref dst);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, length), after);
        return length;
    }

    /// <summary>Eight units of three bytes each (U+0800 to U+FFFF, no surrogates): 24 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Three(Vector128<ushort> v, ref byte dst)
    {
        var first = (v >>> 12) | Vector128.Create((ushort)0xE0);
        var second = (((v >>> 6) & Vector128.Create((ushort)0x3F)) | Vector128.Create((ushort)0x80)) << 8;
        var leads = (first | second).AsByte(); // lane k: byte 2k the first, 2k+1 the second
        var thirds = ((v & Vector128.Create((ushort)0x3F)) | Vector128.Create((ushort)0x80)).AsByte(); // byte 2k
        var low = Ssse3.Shuffle(leads, ThreeLeadsLow) | Ssse3.Shuffle(thirds, ThreeThirdsLow);
        var high = Ssse3.Shuffle(leads, ThreeLeadsHigh) | Ssse3.Shuffle(thirds, ThreeThirdsHigh);
        low.StoreUnsafe(ref dst);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, 16), high.AsUInt64().ToScalar());
    }

    /// <summary>One code point (a surrogate pair whole) at <paramref name="i"/>, encoded at <paramref name="d"/>:
    /// the units read and the bytes written.</summary>
    private static (int Units, int Bytes) Scalar(ref char src, int i, int n, ref byte d)
    {
        uint c = Unsafe.Add(ref src, i);
        if (c < 0x80) { d = (byte)c; return (1, 1); }
        if (c < 0x800)
        {
            d = (byte)(0xC0 | c >> 6);
            Unsafe.Add(ref d, 1) = (byte)(0x80 | c & 0x3F);
            return (1, 2);
        }
        if (c - 0xD800 < 0x400 && i + 1 < n)
        {
            uint low = Unsafe.Add(ref src, i + 1);
            if (low - 0xDC00 < 0x400)
            {
                uint cp = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                d = (byte)(0xF0 | cp >> 18);
                Unsafe.Add(ref d, 1) = (byte)(0x80 | (cp >> 12) & 0x3F);
                Unsafe.Add(ref d, 2) = (byte)(0x80 | (cp >> 6) & 0x3F);
                Unsafe.Add(ref d, 3) = (byte)(0x80 | cp & 0x3F);
                return (2, 4);
            }
        }
        // A three-byte unit (or, should the caller have let one through, a lone surrogate encoded as WTF-8).
        d = (byte)(0xE0 | c >> 12);
        Unsafe.Add(ref d, 1) = (byte)(0x80 | (c >> 6) & 0x3F);
        Unsafe.Add(ref d, 2) = (byte)(0x80 | c & 0x3F);
        return (1, 3);
    }

    /// <summary>For each mask of two-byte lanes (bit k: lane k), the shuffle that keeps byte 2k of every lane and
    /// byte 2k+1 of the two-byte ones, packed; 0x80 (zero) in the unused tail.</summary>
    private static readonly byte[] TwoByteShuffles = BuildTwoByteShuffles();

    private static byte[] BuildTwoByteShuffles()
    {
        var table = new byte[256 * 16];
        for (int mask = 0; mask < 256; mask++)
        {
            int at = mask * 16;
            for (int lane = 0; lane < 8; lane++)
            {
                table[at++] = (byte)(2 * lane);
                if ((mask >> lane & 1) != 0) table[at++] = (byte)(2 * lane + 1);
            }
            while (at < mask * 16 + 16) table[at++] = 0x80;
        }
        return table;
    }

    private static readonly Vector128<byte> ThreeLeadsLow, ThreeThirdsLow, ThreeLeadsHigh, ThreeThirdsHigh;

    static Utf16ToUtf8()
    {
        // Output byte 3k + j of unit k: j = 0, 1 from leads (bytes 2k, 2k+1), j = 2 from thirds (byte 2k).
        Span<byte> leadsLow = stackalloc byte[16], thirdsLow = stackalloc byte[16], leadsHigh = stackalloc byte[16], thirdsHigh = stackalloc byte[16];
        for (int b = 0; b < 32; b++)
        {
            int unit = b / 3, j = b % 3;
            byte fromLeads = (byte)(unit < 8 && j < 2 ? 2 * unit + j : 0x80), fromThirds = (byte)(unit < 8 && j == 2 ? 2 * unit : 0x80);
            if (b < 16) { leadsLow[b] = fromLeads; thirdsLow[b] = fromThirds; }
            else { leadsHigh[b - 16] = fromLeads; thirdsHigh[b - 16] = fromThirds; }
        }
        ThreeLeadsLow = Vector128.Create((ReadOnlySpan<byte>)leadsLow);
        ThreeThirdsLow = Vector128.Create((ReadOnlySpan<byte>)thirdsLow);
        ThreeLeadsHigh = Vector128.Create((ReadOnlySpan<byte>)leadsHigh);
        ThreeThirdsHigh = Vector128.Create((ReadOnlySpan<byte>)thirdsHigh);
    }
}
