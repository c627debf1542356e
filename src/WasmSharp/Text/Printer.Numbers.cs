using System.Globalization;
using System.Numerics;

namespace WasmSharp.Text;

// Literals that read back to the same bits: integers in decimal, floats as hex (exact, whatever the value), NaNs
// with their payload, v128 as four i32 lanes.
internal sealed partial class Printer
{
    private void Signed(long value)
    {
        Span<char> buffer = stackalloc char[24];
        value.TryFormat(buffer, out int n, default, CultureInfo.InvariantCulture);
        _s.Append(buffer[..n]);
    }

    /// <summary>An f32 literal, with its shortest decimal form as a comment when it is finite.</summary>
    private void F32(uint bits)
    {
        Float(bits, 23, 8);
        float value = BitConverter.UInt32BitsToSingle(bits);
        if (float.IsFinite(value)) DecimalComment(value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>An f64 literal, as <see cref="F32"/>.</summary>
    private void F64(ulong bits)
    {
        Float(bits, 52, 11);
        double value = BitConverter.UInt64BitsToDouble(bits);
        if (double.IsFinite(value)) DecimalComment(value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>The shortest decimal that reads back to a float, as a comment after its exact hex form.</summary>
    private void DecimalComment(string text)
    {
        _s.Append(" (;=");
        foreach (char c in text) _s.Append(c == 'E' ? 'e' : c);
        _s.Append(";)");
    }

    /// <summary>
    /// A float with <paramref name="fractionBits"/> stored significand bits: <c>[-]0x1.hhhp±e</c> (subnormals
    /// normalised too, so every value has one spelling), <c>[-]0x0p+0</c>, <c>[-]inf</c>, <c>[-]nan</c> for the
    /// canonical NaN and <c>[-]nan:0xpayload</c> for any other.
    /// </summary>
    internal static string FloatText(ulong bits, int fractionBits, int exponentBits)
    {
        var s = new System.Text.StringBuilder(32);
        AppendFloat(s, bits, fractionBits, exponentBits);
        return s.ToString();
    }

    private void Float(ulong bits, int fractionBits, int exponentBits) => AppendFloat(_s, bits, fractionBits, exponentBits);

    private static void AppendFloat(System.Text.StringBuilder s, ulong bits, int fractionBits, int exponentBits)
    {
        ulong fractionMask = (1UL << fractionBits) - 1;
        ulong fraction = bits & fractionMask;
        int exponent = (int)(bits >> fractionBits) & ((1 << exponentBits) - 1);
        if ((bits >> (fractionBits + exponentBits) & 1) != 0) s.Append('-');
        if (exponent == (1 << exponentBits) - 1)
        {
            if (fraction == 0) s.Append("inf");
            else if (fraction == 1UL << (fractionBits - 1)) s.Append("nan");
            else s.Append("nan:0x").Append(fraction.ToString("x", CultureInfo.InvariantCulture));
            return;
        }
        if (exponent == 0 && fraction == 0)
        {
            s.Append("0x0p+0");
            return;
        }
        int bias = (1 << (exponentBits - 1)) - 1;
        int e = exponent - bias;
        if (exponent == 0)
        {
            // Subnormal: shift the leading one into the implicit bit's place.
            int shift = fractionBits - (63 - BitOperations.LeadingZeroCount(fraction));
            fraction = (fraction << shift) & fractionMask;
            e = 1 - bias - shift;
        }
        s.Append("0x1");
        if (fraction != 0)
        {
            int digits = (fractionBits + 3) / 4;
            ulong hex = fraction << (digits * 4 - fractionBits);
            while ((hex & 0xF) == 0)
            {
                hex >>= 4;
                digits--;
            }
            s.Append('.').Append(hex.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }
        s.Append('p').Append(e < 0 ? '-' : '+').Append(Math.Abs(e));
    }

    /// <summary><c>i32x4</c> and four lanes in hex, least significant first.</summary>
    private void V128(ulong low, ulong high)
    {
        _s.Append("i32x4");
        foreach (ulong half in (ReadOnlySpan<ulong>)[low, high])
        {
            _s.Append(" 0x").Append(((uint)half).ToString("x8", CultureInfo.InvariantCulture));
            _s.Append(" 0x").Append(((uint)(half >> 32)).ToString("x8", CultureInfo.InvariantCulture));
        }
    }
}
