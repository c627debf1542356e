namespace WasmSharp.Text;

/// <summary>How a literal token read.</summary>
public enum LiteralStatus : byte
{
    Ok,
    /// <summary>Not a literal of the kind asked for (the parser reports "unknown operator" or "unexpected token").</summary>
    NotANumber,
    /// <summary>A literal, but its value does not fit ("constant out of range").</summary>
    OutOfRange,
}

/// <summary>
/// The literals of the text format (spec, "Values"): integers, floats and strings, read from a token's UTF-8 bytes
/// without allocating.
/// </summary>
public static class TextNumbers
{
    /// <summary>An unsigned literal (u32, u64: decimal or 0x hex, '_' between digits, no sign) of at most <paramref name="max"/>.</summary>
    public static LiteralStatus ParseUnsigned(ReadOnlySpan<byte> text, ulong max, out ulong value) => throw new NotImplementedException();

    /// <summary>An iN literal (N = <paramref name="bits"/>, 8 to 64): signed (-2^(N-1) .. 2^(N-1)-1, with '+' or '-')
    /// or unsigned (0 .. 2^N-1); <paramref name="value"/> holds its N-bit two's complement pattern, zero-extended.</summary>
    public static LiteralStatus ParseInt(ReadOnlySpan<byte> text, int bits, out ulong value) => throw new NotImplementedException();

    /// <summary>An f32 literal: decimal or hex float, an integer, inf, nan or nan:0xN, with an optional sign;
    /// rounded to nearest, ties to even. A finite literal that rounds to infinity is out of range, as is a NaN
    /// payload of 0 or of more than 23 bits.</summary>
    public static LiteralStatus ParseF32(ReadOnlySpan<byte> text, out uint bits) => throw new NotImplementedException();

    /// <summary>An f64 literal, as <see cref="ParseF32"/> (payloads up to 52 bits).</summary>
    public static LiteralStatus ParseF64(ReadOnlySpan<byte> text, out ulong bits) => throw new NotImplementedException();

    /// <summary>Decodes string token <paramref name="token"/> (with its quotes) into <paramref name="destination"/>
    /// (at least <c>token.Length</c> bytes) and returns the number of bytes, or -1 for an invalid escape.</summary>
    public static int DecodeString(ReadOnlySpan<byte> token, Span<byte> destination) => throw new NotImplementedException();

    /// <summary>The string token as bytes, or null for an invalid escape.</summary>
    public static byte[]? DecodeString(ReadOnlySpan<byte> token) => throw new NotImplementedException();
}
