using System.Numerics;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace WasmSharp.Components.Compiled;

/// <summary>
/// The run-time helpers compiled Canonical ABI code calls: memory reads and writes inside checked ranges, realloc
/// with the spec's checks of its result, strings transcoded straight into and out of linear memory with the BCL's
/// vectorised routines, lists of scalars copied in bulk. Every check traps (or refuses a .NET value) under the same
/// condition and with the same message as the reference path (<see cref="CanonicalAbi"/>), so the two can be
/// compared trap for trap.
/// </summary>
internal static class CompiledAbi
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
    private static readonly Encoding StrictUtf16 = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);

    // ---- memory -------------------------------------------------------------------------------------------

    // Small enough to inline where compiled code calls them: a whole compiled call is one method, and its calls sit
    // in a try region, where the JIT inlines without a profile only what is marked.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write1(CanonicalOptions o, ulong p, ulong bits) => o.Memory()[(int)p] = (byte)bits;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write2(CanonicalOptions o, ulong p, ulong bits) => BinaryPrimitives.WriteUInt16LittleEndian(o.Memory()[(int)p..], (ushort)bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write4(CanonicalOptions o, ulong p, ulong bits) => BinaryPrimitives.WriteUInt32LittleEndian(o.Memory()[(int)p..], (uint)bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write8(CanonicalOptions o, ulong p, ulong bits) => BinaryPrimitives.WriteUInt64LittleEndian(o.Memory()[(int)p..], bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read1(CanonicalOptions o, ulong p) => o.Memory()[(int)p];
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read2(CanonicalOptions o, ulong p) => BinaryPrimitives.ReadUInt16LittleEndian(o.Memory()[(int)p..]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read4(CanonicalOptions o, ulong p) => BinaryPrimitives.ReadUInt32LittleEndian(o.Memory()[(int)p..]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read8(CanonicalOptions o, ulong p) => BinaryPrimitives.ReadUInt64LittleEndian(o.Memory()[(int)p..]);

    /// <summary>Traps unless <paramref name="bytes"/> bytes at <paramref name="pointer"/> are aligned and inside the
    /// memory (<paramref name="what"/>: the type, as messages name it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckRange(CanonicalOptions o, ulong pointer, ulong bytes, int alignment, string what)
    {
        if (pointer % (ulong)alignment != 0 || !Fits(o.Memory().Length, pointer, bytes)) throw RangeTrap(o, pointer, bytes, alignment, what);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TrapException RangeTrap(CanonicalOptions o, ulong pointer, ulong bytes, int alignment, string what) =>
        pointer % (ulong)alignment != 0
            ? Trap($"a {what} at {pointer}, not {alignment}-byte aligned")
            : Trap($"a {what} of {bytes} bytes at {pointer}, past the memory's end ({o.Memory().Length})");

    private static bool Fits(int memoryLength, ulong pointer, ulong bytes) => bytes <= (ulong)memoryLength && pointer <= (ulong)memoryLength - bytes;

    /// <summary>A pointer from a core value: an i32's low bits, or all of an i64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Pointer(CanonicalOptions o, ulong slot) => o.Pointer == ValueType.I32 ? (uint)slot : slot;

    /// <summary>realloc(0, 0, alignment, bytes), with the spec's checks of what it returns.</summary>
    public static ulong Allocate(CanonicalOptions o, int alignment, ulong bytes) => Reallocate(o, 0, 0, alignment, bytes, out _);

    /// <summary><see cref="Allocate(CanonicalOptions, int, ulong)"/>, with the memory as realloc left it (where the
    /// caller writes next: fetching it again costs a call through the options).</summary>
    private static ulong Allocate(CanonicalOptions o, int alignment, ulong bytes, out Span<byte> memory) =>
        Reallocate(o, 0, 0, alignment, bytes, out memory);

    private static ulong Reallocate(CanonicalOptions o, ulong old, ulong oldSize, int alignment, ulong bytes, out Span<byte> memory)
    {
        var realloc = o.Realloc ?? throw new InvalidOperationException("storing strings and lists needs the realloc option");
        ulong p = Pointer(o, realloc(old, oldSize, (ulong)alignment, bytes));
        if (p % (ulong)alignment != 0) throw Trap($"realloc returned {p}, not {alignment}-byte aligned");
        memory = o.Memory();
        if (!Fits(memory.Length, p, bytes)) throw Trap($"realloc returned {p} for {bytes} bytes, past the memory's end ({memory.Length})");
        return p;
    }

    // ---- scalars ------------------------------------------------------------------------------------------

    /// <summary>An f32's bits as it crosses the boundary: every NaN as the canonical one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong F32Bits(float f) => float.IsNaN(f) ? 0x7FC0_0000u : BitConverter.SingleToUInt32Bits(f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong F64Bits(double f) => double.IsNaN(f) ? 0x7FF8_0000_0000_0000ul : BitConverter.DoubleToUInt64Bits(f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits) is var f && float.IsNaN(f) ? CanonicalAbi.CanonicalNaN32 : f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64(ulong bits) => BitConverter.UInt64BitsToDouble(bits) is var f && double.IsNaN(f) ? CanonicalAbi.CanonicalNaN64 : f;

    /// <summary>A char from its core value: traps unless it is a Unicode scalar value.</summary>
    public static Rune Char(ulong bits)
    {
        uint i = (uint)bits;
        return Rune.IsValid(i) ? new Rune(i) : throw Trap($"char {i:x}, not a Unicode scalar value");
    }

    // ---- strings ------------------------------------------------------------------------------------------

    /// <summary>Stores <paramref name="s"/> into a range realloc gives, in the options' encoding: the reference's
    /// allocations call for call (the spec's store_string_into_range with a UTF-16 source), the transcoding vectorised
    /// (the BCL's ASCII and UTF-16 converters, <see cref="Utf16ToUtf8"/>) straight into the memory. Returns the range's start and its (tagged) code
    /// units.</summary>
    public static (ulong Begin, ulong TaggedCodeUnits) StoreString(CanonicalOptions o, string s)
    {
        if (s is null) throw new ArgumentNullException(nameof(s), "null is not a string value");
        int surrogate = Utf16ToUtf8.FirstSurrogate(s);
        if (surrogate >= 0 && !Utf16Valid(s, surrogate))
            throw new ArgumentException("a string with an unpaired surrogate is not a component string", nameof(s));
        ulong units = (ulong)s.Length;
        switch (o.Encoding)
        {
            case StringEncoding.Utf16:
            {
                ulong p = Allocate(o, 2, 2 * units, out var memory);
                Encoding.Unicode.GetBytes(s, memory.Slice((int)p, 2 * s.Length));
                return (p, units);
            }
            case StringEncoding.Utf8:
            {
                // ASCII first, into a block of one byte per code unit; at the first other char, grow to the
                // worst case (3 bytes a unit), encode the rest, and give back what is left over.
                ulong p = Allocate(o, 1, units, out var memory);
                Ascii.FromUtf16(s, memory.Slice((int)p, s.Length), out int ascii);
                if (ascii == s.Length) return (p, units);
                ulong worst = 3 * units;
                p = Reallocate(o, p, units, 1, worst, out memory);
                int written = Utf16ToUtf8.Encode(s.AsSpan(ascii), memory.Slice((int)p + ascii, (int)worst - ascii));
                ulong length = (ulong)(ascii + written);
                if (worst > length) p = Reallocate(o, p, worst, 1, length, out _);
                return (p, length);
            }
            default:
            {
                // Latin-1 while it fits; at the first char past U+00FF, grow to UTF-16 and write it all so.
                ulong p = Allocate(o, 2, units, out var memory);
                int wide = s.AsSpan().IndexOfAnyExceptInRange('\0', '\u00FF');
                int narrow = wide < 0 ? s.Length : wide;
                Encoding.Latin1.GetBytes(s.AsSpan(0, narrow), memory.Slice((int)p, narrow));
                if (wide < 0) return (p, units);
                p = Reallocate(o, p, units, 2, 2 * units, out memory);
                Encoding.Unicode.GetBytes(s, memory.Slice((int)p, 2 * s.Length));
                return (p, units | Utf16Tag(o));
            }
        }
    }

    /// <summary>No unpaired surrogate from <paramref name="from"/> on (the first surrogate).</summary>
    private static bool Utf16Valid(string s, int from)
    {
        for (int i = from; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    private static ulong Utf16Tag(CanonicalOptions o) => 1UL << (CanonicalLayout.PointerSize(o.Pointer) * 8 - 1);

    /// <summary>A string of <paramref name="taggedCodeUnits"/> code units at <paramref name="pointer"/>, in the
    /// options' encoding: traps if it is too long, misaligned, outside the memory, or not well-formed.</summary>
    public static string LoadString(CanonicalOptions o, ulong pointer, ulong taggedCodeUnits)
    {
        ulong tag = Utf16Tag(o);
        (int alignment, Encoding encoding, ulong units, int unitSize) = o.Encoding switch
        {
            StringEncoding.Utf8 => (1, StrictUtf8, taggedCodeUnits, 1),
            StringEncoding.Utf16 => (2, StrictUtf16, taggedCodeUnits, 2),
            _ => (taggedCodeUnits & tag) != 0 ? (2, StrictUtf16, taggedCodeUnits ^ tag, 2) : (2, Encoding.Latin1, taggedCodeUnits, 1),
        };
        if (units > CanonicalAbi.MaxStringByteLength / (ulong)unitSize)
            throw Trap($"a string of {units} code units, past the longest ({CanonicalAbi.MaxStringByteLength} bytes)");
        ulong bytes = units * (ulong)unitSize;
        var memory = o.Memory();
        string name = encoding == StrictUtf8 ? "UTF-8" : encoding == StrictUtf16 ? "UTF-16" : "Latin-1";
        if (pointer % (ulong)alignment != 0) throw Trap($"a {name} string at {pointer}, not {alignment}-byte aligned");
        if (!Fits(memory.Length, pointer, bytes)) throw Trap($"a string of {bytes} bytes at {pointer}, past the memory's end ({memory.Length})");
        var source = memory.Slice((int)pointer, (int)bytes);
        if (encoding == StrictUtf8)
            return DecodeUtf8(source) ?? throw Trap($"the {bytes} bytes at {pointer} are not UTF-8");
        try
        {
            return encoding.GetString(source);
        }
        catch (DecoderFallbackException)
        {
            throw Trap($"the {bytes} bytes at {pointer} are not {name}");
        }
    }

    /// <summary>Strict UTF-8 to a string, or null if the bytes are not well-formed. ASCII (most strings) is checked
    /// and widened straight into the string; other text is validated and transcoded in one pass
    /// (<see cref="Utf8ToUtf16"/>) into a buffer of the worst-case length (a UTF-16 code unit per byte) and copied
    /// out: the BCL's GetString counts, validates and transcodes in separate passes, three times the cost on
    /// non-ASCII text. (A decoder of one-and-two-byte blocks of 16 bytes, written like <see cref="Utf16ToUtf8"/>
    /// with SSSE3 shuffles, ran no faster than the BCL's Utf8.ToUtf16: 6.1 µs against 5.3 µs for 16 KiB of "é";
    /// counting the units first to decode straight into the string cost as much as the copy it saved.)</summary>
    internal static string? DecodeUtf8(ReadOnlySpan<byte> source)
    {
        if (Ascii.IsValid(source))
            return string.Create(source.Length, source, static (chars, bytes) => Ascii.ToUtf16(bytes, chars, out _));
        const int OnStack = 256;
        char[]? rented = source.Length > OnStack
            ? System.Buffers.ArrayPool<char>.Shared.Rent((int)Math.Min((long)source.Length + AliasSlack / 2, Array.MaxLength))
            : null;
        Span<char> buffer = rented is null ? stackalloc char[OnStack]
            : rented.AsSpan(rented.Length - source.Length >= AliasSlack / 2 ? AwayFrom(source, rented) : 0, source.Length);
        try
        {
            return Utf8ToUtf16.Decode(source, buffer, out int written) ? new string(buffer[..written]) : null;
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>Bytes of a buffer the decoder may leave unused to place its output away from its input.</summary>
    private const int AliasSlack = 4096;

    /// <summary>Where in <paramref name="buffer"/> the decoder's output starts (in units) so that, modulo 4 KiB, it
    /// is 2 KiB away from <paramref name="source"/>. A CPU compares only an address's low 12 bits to tell whether a
    /// load may read what an earlier store wrote: on text of two-byte characters output and input advance alike,
    /// and with the output a few bytes before or a few dozen past the input modulo 4 KiB every load waited on the
    /// stores before it (1 KiB of "é" decoded in 590-640 ns instead of 150-165, 16 KiB in 2.4 µs instead of 1.9).
    /// Both buffers are often the same from call to call (the pool's array, a guest's allocator reusing a block),
    /// which made that a lasting property of a process.</summary>
    private static unsafe int AwayFrom(ReadOnlySpan<byte> source, char[] buffer)
    {
        nint input = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(source));
        nint output = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (int)((input + AliasSlack / 2 - output) & (AliasSlack - 2)) / 2;
    }

    // ---- lists --------------------------------------------------------------------------------------------

    /// <summary>Traps unless a list of <paramref name="length"/> elements of <paramref name="size"/> bytes at
    /// <paramref name="pointer"/> is short enough, aligned and inside the memory.</summary>
    public static void CheckList(CanonicalOptions o, ulong pointer, ulong length, long size, int alignment)
    {
        if (length > CanonicalAbi.MaxListByteLength / (ulong)Math.Max(size, 1))
            throw Trap($"a list of {length} elements of {size} bytes, past the longest ({CanonicalAbi.MaxListByteLength} bytes)");
        CheckRange(o, pointer, length * (ulong)size, alignment, "list");
    }

    /// <summary>Stores a list of integers or chars (whose .NET layout is their memory layout on a little-endian
    /// host) with one copy.</summary>
    public static (ulong Begin, ulong Length) StoreBlittable<T>(CanonicalOptions o, T[] values) where T : unmanaged
    {
        if (values is null) throw new ArgumentNullException(nameof(values), "null is not a list value");
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        ulong p = Allocate(o, Unsafe.SizeOf<T>(), (ulong)bytes.Length, out var memory);
        bytes.CopyTo(memory[(int)p..]);
        return (p, (ulong)values.Length);
    }

    /// <summary>Stores a list of f32 with one copy, then gives every NaN the canonical bits.</summary>
    public static (ulong Begin, ulong Length) StoreF32s(CanonicalOptions o, float[] values)
    {
        var (p, n) = StoreBlittable(o, values);
        if (HasNaN(values))
            foreach (ref uint bits in MemoryMarshal.Cast<byte, uint>(o.Memory().Slice((int)p, 4 * values.Length)))
                if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) bits = 0x7FC0_0000;
        return (p, n);
    }

    public static (ulong Begin, ulong Length) StoreF64s(CanonicalOptions o, double[] values)
    {
        var (p, n) = StoreBlittable(o, values);
        if (HasNaN(values))
            foreach (ref ulong bits in MemoryMarshal.Cast<byte, ulong>(o.Memory().Slice((int)p, 8 * values.Length)))
                if ((bits & 0x7FFF_FFFF_FFFF_FFFF) > 0x7FF0_0000_0000_0000) bits = 0x7FF8_0000_0000_0000;
        return (p, n);
    }

    private static bool HasNaN<T>(T[] values) where T : IFloatingPointIeee754<T>
    {
        foreach (var v in values) if (T.IsNaN(v)) return true;
        return false;
    }

    /// <summary>Loads a list of integers with one copy, after the reference's checks.</summary>
    public static T[] LoadBlittable<T>(CanonicalOptions o, ulong pointer, ulong length) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        CheckList(o, pointer, length, size, size);
        return MemoryMarshal.Cast<byte, T>(o.Memory().Slice((int)pointer, (int)length * size)).ToArray();
    }

    public static float[] LoadF32s(CanonicalOptions o, ulong pointer, ulong length)
    {
        var values = LoadBlittable<float>(o, pointer, length);
        for (int i = 0; i < values.Length; i++) if (float.IsNaN(values[i])) values[i] = CanonicalAbi.CanonicalNaN32;
        return values;
    }

    public static double[] LoadF64s(CanonicalOptions o, ulong pointer, ulong length)
    {
        var values = LoadBlittable<double>(o, pointer, length);
        for (int i = 0; i < values.Length; i++) if (double.IsNaN(values[i])) values[i] = CanonicalAbi.CanonicalNaN64;
        return values;
    }

    /// <summary>Loads a list of chars with one copy, trapping at the first that is not a Unicode scalar value.</summary>
    public static Rune[] LoadChars(CanonicalOptions o, ulong pointer, ulong length)
    {
        var values = LoadBlittable<uint>(o, pointer, length);
        foreach (uint c in values) if (!Rune.IsValid(c)) Char(c);
        return MemoryMarshal.Cast<uint, Rune>(values).ToArray();
    }

    // ---- cases, enums and flags ---------------------------------------------------------------------------

    /// <summary>The trap for a discriminant past the cases (<paramref name="at"/>: the address, when read from memory).</summary>
    public static TrapException BadCase(ulong index, int cases, string what, ulong at, bool inMemory) =>
        Trap($"case {(uint)index} of a {what} with {cases} cases{(inMemory ? $", at {at}" : "")}");

    /// <summary>The error for a .NET value that is no case of a variant.</summary>
    public static ArgumentException NoCase(object? value, string what) =>
        new($"{value?.GetType().Name ?? "null"} is not a case of the {what}", "value");

    public static ArgumentNullException Null(string what) => new("value", $"null is not a {what} value");

    /// <summary>The case index of an enum's value, given the values of its labels in order.</summary>
    public static ulong EnumIndex(ulong[] values, ulong value, string what)
    {
        int i = Array.IndexOf(values, value);
        return i >= 0 ? (ulong)i : throw new ArgumentException($"{value} is not a label of the {what}", nameof(value));
    }

    /// <summary>A flags enum's value as label bits, given the value of each label's member.</summary>
    public static ulong FlagBits(ulong[] members, ulong value, string what)
    {
        ulong bits = 0, covered = 0;
        for (int i = 0; i < members.Length; i++)
        {
            if ((value & members[i]) == members[i]) bits |= 1UL << i;
            covered |= members[i];
        }
        return (value & ~covered) == 0 ? bits : throw new ArgumentException($"{value:x} has bits that are no flag of the {what}", nameof(value));
    }

    /// <summary>A flags enum's value from label bits (bits past the labels ignored).</summary>
    public static ulong FlagsFromBits(ulong[] members, ulong bits)
    {
        ulong value = 0;
        for (int i = 0; i < members.Length; i++) if ((bits >> i & 1) != 0) value |= members[i];
        return value;
    }

    // ---- untyped values, by the reference path ------------------------------------------------------------

    /// <summary>Lowers an untyped value into the flat values from <paramref name="index"/> on, flat value k being
    /// element <c>k * stride</c> of <paramref name="slots"/> (see <see cref="FlatPlace"/>).</summary>
    public static void LowerUntypedFlat(CanonicalOptions o, ComponentValue value, ComponentValueType t, ulong[] slots, int index, int stride)
    {
        var flat = CanonicalAbi.LowerFlatValues(o, int.MaxValue, [value], [t]);
        for (int k = 0; k < flat.Length; k++) slots[(index + k) * stride] = flat[k];
    }

    public static ComponentValue LiftUntypedFlat(CanonicalOptions o, ComponentValueType t, ulong[] slots, int index, int stride)
    {
        var flat = new ulong[CanonicalLayout.Flatten(t).Count];
        for (int k = 0; k < flat.Length; k++) flat[k] = slots[(index + k) * stride];
        return CanonicalAbi.LiftFlatValues(o, int.MaxValue, flat, [t])[0];
    }

    private static TrapException Trap(string what) => CanonicalAbi.Trap(what);
}
