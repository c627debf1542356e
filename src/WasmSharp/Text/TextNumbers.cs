using System.Globalization;
using System.Numerics;
using System.Text;

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
    public static LiteralStatus ParseUnsigned(ReadOnlySpan<byte> text, ulong max, out ulong value)
    {
        var status = ParseNat(text, out value);
        if (status == LiteralStatus.Ok && value > max) status = LiteralStatus.OutOfRange;
        if (status != LiteralStatus.Ok) value = 0;
        return status;
    }

    /// <summary>An iN literal (N = <paramref name="bits"/>, 8 to 64): signed (-2^(N-1) .. 2^(N-1)-1, with '+' or '-')
    /// or unsigned (0 .. 2^N-1); <paramref name="value"/> holds its N-bit two's complement pattern, zero-extended.</summary>
    public static LiteralStatus ParseInt(ReadOnlySpan<byte> text, int bits, out ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 64);
        value = 0;
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        ulong half = 1UL << (bits - 1);
        int sign = SignOf(text);
        var status = ParseNat(text[(sign == 0 ? 0 : 1)..], out ulong magnitude);
        if (status != LiteralStatus.Ok) return status;
        // The spec's sN: '+' up to 2^(N-1)-1, '-' down to -2^(N-1); only a literal without sign is a uN.
        bool fits = sign switch { 0 => magnitude <= mask, > 0 => magnitude < half, _ => magnitude <= half };
        if (!fits) return LiteralStatus.OutOfRange;
        value = (sign < 0 ? 0 - magnitude : magnitude) & mask;
        return LiteralStatus.Ok;
    }

    /// <summary>An f32 literal: decimal or hex float, an integer, inf, nan or nan:0xN, with an optional sign;
    /// rounded to nearest, ties to even. A finite literal that rounds to infinity is out of range, as is a NaN
    /// payload of 0 or of more than 23 bits.</summary>
    public static LiteralStatus ParseF32(ReadOnlySpan<byte> text, out uint bits)
    {
        var status = ParseFloat(text, Single, out ulong b);
        bits = (uint)b;
        return status;
    }

    /// <summary>An f64 literal, as <see cref="ParseF32"/> (payloads up to 52 bits).</summary>
    public static LiteralStatus ParseF64(ReadOnlySpan<byte> text, out ulong bits) => ParseFloat(text, Double, out bits);

    /// <summary>Decodes string token <paramref name="token"/> (with its quotes) into <paramref name="destination"/>
    /// (at least <c>token.Length</c> bytes) and returns the number of bytes, or -1 for an invalid escape.</summary>
    public static int DecodeString(ReadOnlySpan<byte> token, Span<byte> destination)
    {
        if (token.Length < 2 || token[0] != '"' || token[^1] != '"') return -1;
        var s = token[1..^1];
        int n = 0;
        for (int i = 0; i < s.Length;)
        {
            byte c = s[i++];
            if (c != '\\')
            {
                destination[n++] = c;
                continue;
            }
            if (i >= s.Length) return -1;
            c = s[i++];
            switch (c)
            {
                case (byte)'t': destination[n++] = (byte)'\t'; break;
                case (byte)'n': destination[n++] = (byte)'\n'; break;
                case (byte)'r': destination[n++] = (byte)'\r'; break;
                case (byte)'"' or (byte)'\'' or (byte)'\\': destination[n++] = c; break;
                case (byte)'u':
                {
                    if (i >= s.Length || s[i] != '{') return -1;
                    int close = s[(i + 1)..].IndexOf((byte)'}');
                    if (close < 0) return -1;
                    var digits = s.Slice(i + 1, close);
                    i += close + 2;
                    if (ScanDigits(digits, 16, out ulong scalar, out bool overflow) != digits.Length || digits.Length == 0) return -1;
                    if (overflow || scalar is >= 0xD800 and < 0xE000 or >= 0x110000) return -1;
                    n += new Rune((int)scalar).EncodeToUtf8(destination[n..]);
                    break;
                }
                default:
                {
                    int hi = HexValue(c), lo = i < s.Length ? HexValue(s[i]) : -1;
                    if (hi < 0 || lo < 0) return -1;
                    i++;
                    destination[n++] = (byte)(hi << 4 | lo);
                    break;
                }
            }
        }
        return n;
    }

    /// <summary>The string token as bytes, or null for an invalid escape.</summary>
    public static byte[]? DecodeString(ReadOnlySpan<byte> token)
    {
        Span<byte> buffer = token.Length <= 256 ? stackalloc byte[256] : new byte[token.Length];
        int n = DecodeString(token, buffer);
        return n < 0 ? null : buffer[..n].ToArray();
    }

    // ---- integers ----

    /// <summary>+1 for a leading '+', -1 for '-', 0 for none.</summary>
    private static int SignOf(ReadOnlySpan<byte> text) =>
        text.IsEmpty ? 0 : text[0] == '+' ? 1 : text[0] == '-' ? -1 : 0;

    /// <summary><c>num</c> or <c>0x hexnum</c>, the whole of <paramref name="text"/>, as a 64-bit value.</summary>
    private static LiteralStatus ParseNat(ReadOnlySpan<byte> text, out ulong value)
    {
        int radix = 10;
        if (text.Length > 2 && text[0] == '0' && text[1] == 'x')
        {
            radix = 16;
            text = text[2..];
        }
        if (ScanDigits(text, radix, out value, out bool overflow) != text.Length || text.IsEmpty) return LiteralStatus.NotANumber;
        return overflow ? LiteralStatus.OutOfRange : LiteralStatus.Ok;
    }

    /// <summary>
    /// The length of the longest prefix of <paramref name="s"/> that is a <c>num</c> (or <c>hexnum</c>): digits with
    /// single underscores between them; 0 if there is none. An underscore not followed by a digit is left out of
    /// the prefix, so the caller sees it as a stray character. The value saturates, with <paramref name="overflow"/>
    /// set, beyond 64 bits.
    /// </summary>
    private static int ScanDigits(ReadOnlySpan<byte> s, int radix, out ulong value, out bool overflow)
    {
        value = 0;
        overflow = false;
        int i = 0;
        while (i < s.Length)
        {
            int at = i;
            if (s[i] == '_')
            {
                if (i == 0) break;
                at++;
            }
            int d = at < s.Length ? DigitValue(s[at], radix) : -1;
            if (d < 0) break;
            i = at + 1;
            if (value > (ulong.MaxValue - (ulong)d) / (ulong)radix) overflow = true;
            else value = value * (ulong)radix + (ulong)d;
        }
        if (overflow) value = ulong.MaxValue;
        return i;
    }

    private static int DigitValue(byte c, int radix) => radix == 10 ? (c is >= (byte)'0' and <= (byte)'9' ? c - '0' : -1) : HexValue(c);

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    // ---- floats ----

    /// <summary>An IEEE 754 binary format: <see cref="Precision"/> significand bits counting the implicit one.</summary>
    private readonly record struct FloatFormat(int Precision, int ExponentBits)
    {
        public int Bias => (1 << (ExponentBits - 1)) - 1;
        public ulong SignBit => 1UL << (Precision - 1 + ExponentBits);
        public ulong Infinity => ((1UL << ExponentBits) - 1) << (Precision - 1);
        public ulong QuietBit => 1UL << (Precision - 2);
    }

    private static readonly FloatFormat Single = new(24, 8);
    private static readonly FloatFormat Double = new(53, 11);

    private static ReadOnlySpan<byte> Inf => "inf"u8;
    private static ReadOnlySpan<byte> Nan => "nan"u8;
    private static ReadOnlySpan<byte> NanPayload => "nan:0x"u8;

    private static LiteralStatus ParseFloat(ReadOnlySpan<byte> text, FloatFormat f, out ulong bits)
    {
        bits = 0;
        int sign = SignOf(text);
        ulong signBit = sign < 0 ? f.SignBit : 0;
        var mag = text[(sign == 0 ? 0 : 1)..];
        LiteralStatus status;
        ulong magnitude;
        if (mag.SequenceEqual(Inf))
        {
            magnitude = f.Infinity;
            status = LiteralStatus.Ok;
        }
        else if (mag.SequenceEqual(Nan))
        {
            magnitude = f.Infinity | f.QuietBit;
            status = LiteralStatus.Ok;
        }
        else if (mag.StartsWith(NanPayload))
        {
            var digits = mag[NanPayload.Length..];
            if (ScanDigits(digits, 16, out ulong payload, out bool overflow) != digits.Length || digits.IsEmpty)
                return LiteralStatus.NotANumber;
            if (overflow || payload == 0 || payload >= 1UL << (f.Precision - 1)) return LiteralStatus.OutOfRange;
            magnitude = f.Infinity | payload;
            status = LiteralStatus.Ok;
        }
        else if (mag.Length > 2 && mag[0] == '0' && mag[1] == 'x')
            status = ParseHexFloat(mag[2..], f, out magnitude);
        else
            status = ParseDecimalFloat(mag, f, out magnitude);
        if (status == LiteralStatus.Ok) bits = signBit | magnitude;
        return status;
    }

    /// <summary>
    /// <c>num ('.' num?)? ([eE] sign? num)?</c>, without its sign. The grammar is checked here; the value comes from
    /// .NET's correctly rounded parser, given the text without underscores (f32 parsed as float, not through double,
    /// which could round twice).
    /// </summary>
    private static LiteralStatus ParseDecimalFloat(ReadOnlySpan<byte> s, FloatFormat f, out ulong bits)
    {
        bits = 0;
        Span<byte> buffer = s.Length <= 128 ? stackalloc byte[128] : new byte[s.Length];
        int n = 0, i = 0;
        if (!CopyDigits(s, ref i, buffer, ref n)) return LiteralStatus.NotANumber;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            // "1." and "1.e5" are literals; the '.' is passed on only with digits after it.
            if (i < s.Length && s[i] is >= (byte)'0' and <= (byte)'9')
            {
                buffer[n++] = (byte)'.';
                CopyDigits(s, ref i, buffer, ref n);
            }
        }
        if (i < s.Length && s[i] is (byte)'e' or (byte)'E')
        {
            i++;
            buffer[n++] = (byte)'e';
            if (i < s.Length && s[i] is (byte)'+' or (byte)'-') buffer[n++] = s[i++];
            if (!CopyDigits(s, ref i, buffer, ref n)) return LiteralStatus.NotANumber;
        }
        if (i != s.Length) return LiteralStatus.NotANumber;
        var digits = buffer[..n];
        const NumberStyles style = NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        bool finite;
        if (f.Precision == Single.Precision)
        {
            if (!float.TryParse(digits, style, CultureInfo.InvariantCulture, out float v)) return LiteralStatus.NotANumber;
            finite = float.IsFinite(v);
            bits = BitConverter.SingleToUInt32Bits(v);
        }
        else
        {
            if (!double.TryParse(digits, style, CultureInfo.InvariantCulture, out double v)) return LiteralStatus.NotANumber;
            finite = double.IsFinite(v);
            bits = BitConverter.DoubleToUInt64Bits(v);
        }
        return finite ? LiteralStatus.Ok : LiteralStatus.OutOfRange;
    }

    /// <summary>Copies the decimal <c>num</c> at <paramref name="i"/> without its underscores; false if there is none.</summary>
    private static bool CopyDigits(ReadOnlySpan<byte> s, ref int i, Span<byte> buffer, ref int n)
    {
        int length = ScanDigits(s[i..], 10, out _, out _);
        if (length == 0) return false;
        foreach (byte c in s.Slice(i, length))
            if (c != '_') buffer[n++] = c;
        i += length;
        return true;
    }

    /// <summary>
    /// <c>hexnum ('.' hexnum?)? ([pP] sign? num)?</c> after the <c>0x</c>, rounded to nearest even. The leading
    /// 60 significant bits are kept; any nonzero digit after them only sets a sticky bit, which is all rounding needs.
    /// </summary>
    private static LiteralStatus ParseHexFloat(ReadOnlySpan<byte> s, FloatFormat f, out ulong bits)
    {
        bits = 0;
        ulong mantissa = 0;
        bool sticky = false;
        long exponent = 0; // of the mantissa's last bit
        int kept = 0, i = 0;
        const int MaxDigits = 15;

        int intLength = ScanDigits(s, 16, out _, out _);
        if (intLength == 0) return LiteralStatus.NotANumber;
        foreach (byte c in s[..intLength])
        {
            if (c == '_') continue;
            int d = HexValue(c);
            if (mantissa == 0 && d == 0) continue;
            if (kept < MaxDigits) { mantissa = mantissa << 4 | (uint)d; kept++; }
            else { exponent += 4; sticky |= d != 0; }
        }
        i = intLength;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            int fracLength = ScanDigits(s[i..], 16, out _, out _);
            foreach (byte c in s.Slice(i, fracLength))
            {
                if (c == '_') continue;
                int d = HexValue(c);
                if (mantissa == 0 && d == 0) exponent -= 4;
                else if (kept < MaxDigits) { mantissa = mantissa << 4 | (uint)d; kept++; exponent -= 4; }
                else sticky |= d != 0;
            }
            i += fracLength;
        }
        if (i < s.Length && s[i] is (byte)'p' or (byte)'P')
        {
            i++;
            bool negative = false;
            if (i < s.Length && s[i] is (byte)'+' or (byte)'-') negative = s[i++] == '-';
            int expLength = ScanDigits(s[i..], 10, out ulong e, out bool overflow);
            if (expLength == 0) return LiteralStatus.NotANumber;
            i += expLength;
            // Far beyond any format's range, yet small enough that the sums below cannot overflow.
            long p = overflow || e > 1UL << 40 ? 1L << 40 : (long)e;
            exponent += negative ? -p : p;
        }
        if (i != s.Length) return LiteralStatus.NotANumber;
        if (mantissa == 0) return LiteralStatus.Ok;
        return RoundBinary(mantissa, sticky, exponent, f, out bits);
    }

    /// <summary>The bits of (<paramref name="mantissa"/> + a nonzero fraction if <paramref name="sticky"/>) ·
    /// 2^<paramref name="exponent"/> in format <paramref name="f"/>, rounded to nearest, ties to even.</summary>
    private static LiteralStatus RoundBinary(ulong mantissa, bool sticky, long exponent, FloatFormat f, out ulong bits)
    {
        bits = 0;
        int p = f.Precision;
        int msb = 63 - BitOperations.LeadingZeroCount(mantissa);
        long minExponent = 1 - f.Bias;
        // How many low bits to drop: down to p significant bits, or fewer where the value is subnormal.
        long shift = Math.Max(msb - p + 1, minExponent - (p - 1) - exponent);
        ulong q;
        bool round;
        if (shift <= 0)
        {
            q = mantissa << (int)-shift;
            round = false;
        }
        else if (shift < 64)
        {
            q = mantissa >> (int)shift;
            round = (mantissa >> (int)(shift - 1) & 1) != 0;
            sticky |= (mantissa & ((1UL << (int)(shift - 1)) - 1)) != 0;
        }
        else
        {
            q = 0;
            round = shift == 64 && mantissa >> 63 != 0;
            sticky |= shift > 64 || (mantissa & (ulong.MaxValue >> 1)) != 0;
        }
        long quantum = exponent + shift; // the exponent of q's last bit
        if (round && (sticky || (q & 1) != 0)) q++;
        if (q >> p != 0)
        {
            q >>= 1;
            quantum++;
        }
        if (q >> (p - 1) == 0)
        {
            bits = q; // subnormal or zero: biased exponent 0
            return LiteralStatus.Ok;
        }
        long biased = quantum + (p - 1) + f.Bias;
        if (biased >= (1L << f.ExponentBits) - 1) return LiteralStatus.OutOfRange;
        bits = (ulong)biased << (p - 1) | (q & ((1UL << (p - 1)) - 1));
        return LiteralStatus.Ok;
    }
}
