using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using WasmSharp.Tests.Binary;
using WasmSharp.Text;

namespace WasmSharp.Tests.Text;

public class TextNumbersTests
{
    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    private static (LiteralStatus, ulong) Unsigned(string s, ulong max) => (TextNumbers.ParseUnsigned(U(s), max, out ulong v), v);
    private static (LiteralStatus, ulong) Int(string s, int bits) => (TextNumbers.ParseInt(U(s), bits, out ulong v), v);
    private static (LiteralStatus, uint) F32(string s) => (TextNumbers.ParseF32(U(s), out uint v), v);
    private static (LiteralStatus, ulong) F64(string s) => (TextNumbers.ParseF64(U(s), out ulong v), v);

    // ---- unsigned ----

    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("42", 42UL)]
    [InlineData("007", 7UL)]
    [InlineData("1_000", 1000UL)]
    [InlineData("1_2_3", 123UL)]
    [InlineData("0x0", 0UL)]
    [InlineData("0xff", 255UL)]
    [InlineData("0xFF", 255UL)]
    [InlineData("0xaBcD_eF", 0xABCDEFUL)]
    [InlineData("0x00_0_1", 1UL)]
    [InlineData("4294967295", 4294967295UL)]
    [InlineData("0xffff_ffff", 0xFFFF_FFFFUL)]
    public void UnsignedReadsWithinU32(string text, ulong expected) =>
        Assert.Equal((LiteralStatus.Ok, expected), Unsigned(text, uint.MaxValue));

    [Theory]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("0xffffffffffffffff", ulong.MaxValue)]
    [InlineData("0xFFFF_FFFF_FFFF_FFFF", ulong.MaxValue)]
    [InlineData("00000000000000000000000000000018446744073709551615", ulong.MaxValue)]
    [InlineData("18_446_744_073_709_551_614", ulong.MaxValue - 1)]
    public void UnsignedReadsU64Max(string text, ulong expected) =>
        Assert.Equal((LiteralStatus.Ok, expected), Unsigned(text, ulong.MaxValue));

    [Theory]
    [InlineData("4294967296", uint.MaxValue)]
    [InlineData("0x1_0000_0000", uint.MaxValue)]
    [InlineData("18446744073709551616", ulong.MaxValue)]
    [InlineData("0x1_0000_0000_0000_0000", ulong.MaxValue)]
    [InlineData("99999999999999999999999999999", ulong.MaxValue)]
    [InlineData("256", 255UL)]
    [InlineData("1", 0UL)]
    public void UnsignedAboveMaxIsOutOfRange(string text, ulong max) =>
        Assert.Equal(LiteralStatus.OutOfRange, Unsigned(text, max).Item1);

    [Theory]
    [InlineData("")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("1__0")]
    [InlineData("0x_1")]
    [InlineData("0_x1")]
    [InlineData("0x1_")]
    [InlineData("0xff__ff")]
    [InlineData("_0x100")]
    [InlineData("0x")]
    [InlineData("0X1")]
    [InlineData("x1")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData("1a")]
    [InlineData("0xg")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("0x1p1")]
    [InlineData("inf")]
    [InlineData("99999999999999999999999999x")] // the grammar is checked before the range
    [InlineData("\u0661")] // ARABIC-INDIC DIGIT ONE
    public void UnsignedRejectsWhatIsNotANumber(string text) =>
        Assert.Equal(LiteralStatus.NotANumber, Unsigned(text, ulong.MaxValue).Item1);

    // ---- iN ----

    [Theory]
    // i32
    [InlineData("0", 32, 0UL)]
    [InlineData("-0", 32, 0UL)]
    [InlineData("+0", 32, 0UL)]
    [InlineData("-0x0", 32, 0UL)]
    [InlineData("+42", 32, 42UL)]
    [InlineData("-1", 32, 0xFFFF_FFFFUL)]
    [InlineData("0xffffffff", 32, 0xFFFF_FFFFUL)]
    [InlineData("4294967295", 32, 0xFFFF_FFFFUL)]
    [InlineData("2147483648", 32, 0x8000_0000UL)]
    [InlineData("0x80000000", 32, 0x8000_0000UL)]
    [InlineData("-2147483648", 32, 0x8000_0000UL)]
    [InlineData("-0x80000000", 32, 0x8000_0000UL)]
    [InlineData("+2147483647", 32, 0x7FFF_FFFFUL)]
    [InlineData("+0x7fffffff", 32, 0x7FFF_FFFFUL)]
    [InlineData("-0x7fffffff", 32, 0x8000_0001UL)]
    [InlineData("-2_147_483_648", 32, 0x8000_0000UL)]
    [InlineData("+1_0", 32, 10UL)]
    [InlineData("010", 32, 10UL)]
    [InlineData("0x0bAdD00D", 32, 0x0BAD_D00DUL)]
    // i64
    [InlineData("-1", 64, ulong.MaxValue)]
    [InlineData("18446744073709551615", 64, ulong.MaxValue)]
    [InlineData("0xffffffffffffffff", 64, ulong.MaxValue)]
    [InlineData("-9223372036854775808", 64, 0x8000_0000_0000_0000UL)]
    [InlineData("-0x8000000000000000", 64, 0x8000_0000_0000_0000UL)]
    [InlineData("9223372036854775808", 64, 0x8000_0000_0000_0000UL)]
    [InlineData("+9223372036854775807", 64, 0x7FFF_FFFF_FFFF_FFFFUL)]
    [InlineData("-9223372036854775807", 64, 0x8000_0000_0000_0001UL)]
    // i8
    [InlineData("255", 8, 0xFFUL)]
    [InlineData("0xff", 8, 0xFFUL)]
    [InlineData("-1", 8, 0xFFUL)]
    [InlineData("-128", 8, 0x80UL)]
    [InlineData("+127", 8, 0x7FUL)]
    [InlineData("128", 8, 0x80UL)]
    // i16
    [InlineData("65535", 16, 0xFFFFUL)]
    [InlineData("-1", 16, 0xFFFFUL)]
    [InlineData("-32768", 16, 0x8000UL)]
    [InlineData("-0x8000", 16, 0x8000UL)]
    [InlineData("+32767", 16, 0x7FFFUL)]
    public void IntReadsTwosComplementPattern(string text, int bits, ulong expected) =>
        Assert.Equal((LiteralStatus.Ok, expected), Int(text, bits));

    [Theory]
    [InlineData("4294967296", 32)]
    [InlineData("0x100000000", 32)]
    [InlineData("-2147483649", 32)]
    [InlineData("-0x80000001", 32)]
    [InlineData("-4294967295", 32)]
    // The spec's sN: with '+' the value must be below 2^(N-1) (the reference interpreter is laxer, see the report).
    [InlineData("+2147483648", 32)]
    [InlineData("+0x80000000", 32)]
    [InlineData("+4294967295", 32)]
    [InlineData("18446744073709551616", 64)]
    [InlineData("0x10000000000000000", 64)]
    [InlineData("-9223372036854775809", 64)]
    [InlineData("-0x8000000000000001", 64)]
    [InlineData("+9223372036854775808", 64)]
    [InlineData("-18446744073709551615", 64)]
    [InlineData("-99999999999999999999999", 64)]
    [InlineData("256", 8)]
    [InlineData("-129", 8)]
    [InlineData("+128", 8)]
    [InlineData("0x100", 8)]
    [InlineData("65536", 16)]
    [InlineData("-32769", 16)]
    [InlineData("+32768", 16)]
    public void IntOutOfItsRange(string text, int bits) =>
        Assert.Equal(LiteralStatus.OutOfRange, Int(text, bits).Item1);

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("--1")]
    [InlineData("+-1")]
    [InlineData("-+1")]
    [InlineData("_100")]
    [InlineData("+_100")]
    [InlineData("-_100")]
    [InlineData("99_")]
    [InlineData("1__000")]
    [InlineData("_0x100")]
    [InlineData("0_x100")]
    [InlineData("0x_100")]
    [InlineData("0x00_")]
    [InlineData("0xff__ffff")]
    [InlineData("-0x")]
    [InlineData("0x")]
    [InlineData("1x")]
    [InlineData("0xg")]
    [InlineData("1.0")]
    [InlineData("1e2")]
    [InlineData("inf")]
    [InlineData("nan")]
    [InlineData("- 1")]
    [InlineData("-99999999999999999999999_")]
    public void IntRejectsWhatIsNotANumber(string text)
    {
        foreach (int bits in new[] { 8, 16, 32, 64 })
            Assert.Equal(LiteralStatus.NotANumber, Int(text, bits).Item1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(65)]
    public void IntRejectsWidthOutside8To64(int bits) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TextNumbers.ParseInt("1"u8, bits, out _));

    [Fact]
    public void IntOfEveryWidthAcceptsItsBounds()
    {
        for (int n = 8; n <= 64; n++)
        {
            var max = BigInteger.Pow(2, n) - 1;
            var half = BigInteger.Pow(2, n - 1);
            ulong mask = n == 64 ? ulong.MaxValue : (1UL << n) - 1;
            Assert.Equal((LiteralStatus.Ok, (ulong)max), Int(max.ToString(), n));
            Assert.Equal(LiteralStatus.OutOfRange, Int((max + 1).ToString(), n).Item1);
            Assert.Equal((LiteralStatus.Ok, (ulong)half), Int("-" + half, n));
            Assert.Equal(LiteralStatus.OutOfRange, Int("-" + (half + 1), n).Item1);
            Assert.Equal((LiteralStatus.Ok, (ulong)(half - 1)), Int("+" + (half - 1), n));
            Assert.Equal(LiteralStatus.OutOfRange, Int("+" + half, n).Item1);
            Assert.Equal((LiteralStatus.Ok, mask), Int("-1", n));
        }
    }

    [Fact]
    public void IntRoundTripsRandomValues()
    {
        var rng = new Random(20240611);
        for (int i = 0; i < 5000; i++)
        {
            int bits = new[] { 8, 16, 32, 64 }[rng.Next(4)];
            ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
            ulong u = RandomBits(rng) & mask;
            long signedValue = bits == 64 ? (long)u : (long)(u << (64 - bits)) >> (64 - bits);
            Assert.Equal((LiteralStatus.Ok, u), Int(Underscores(u.ToString(CultureInfo.InvariantCulture), rng), bits));
            Assert.Equal((LiteralStatus.Ok, u), Int("0x" + Underscores(u.ToString("x"), rng), bits));
            Assert.Equal((LiteralStatus.Ok, u), Int(signedValue.ToString(CultureInfo.InvariantCulture), bits));
            if (signedValue >= 0) Assert.Equal((LiteralStatus.Ok, u), Int("+" + signedValue, bits));
            else Assert.Equal((LiteralStatus.Ok, u), Int("-0x" + ((ulong)-(BigInteger)signedValue).ToString("X"), bits));
            Assert.Equal((LiteralStatus.Ok, u), Unsigned(u.ToString(CultureInfo.InvariantCulture), mask));
        }
    }

    // ---- f32 ----

    [Theory]
    [InlineData("0", 0x0000_0000u)]
    [InlineData("+0", 0x0000_0000u)]
    [InlineData("-0", 0x8000_0000u)]
    [InlineData("-0.0", 0x8000_0000u)]
    [InlineData("-0x0p+0", 0x8000_0000u)]
    [InlineData("-0e1000", 0x8000_0000u)]
    [InlineData("1", 0x3F80_0000u)]
    [InlineData("1.", 0x3F80_0000u)]
    [InlineData("1.e0", 0x3F80_0000u)]
    [InlineData("1.E-0", 0x3F80_0000u)]
    [InlineData("01.000", 0x3F80_0000u)]
    [InlineData("1.5", 0x3FC0_0000u)]
    [InlineData("-1.5", 0xBFC0_0000u)]
    [InlineData("1e1", 0x4120_0000u)]
    [InlineData("1E+1", 0x4120_0000u)]
    [InlineData("1e-1", 0x3DCC_CCCDu)]
    [InlineData("0.1", 0x3DCC_CCCDu)]
    [InlineData("1_0.2_5e0_1", 0x42CD_0000u)] // 102.5
    [InlineData("3.4028235e38", 0x7F7F_FFFFu)]
    [InlineData("1e38", 0x7E96_7699u)]
    [InlineData("0x1", 0x3F80_0000u)]
    [InlineData("0x1.", 0x3F80_0000u)]
    [InlineData("0x1p0", 0x3F80_0000u)]
    [InlineData("0x1P+0", 0x3F80_0000u)]
    [InlineData("0x1p-1", 0x3F00_0000u)]
    [InlineData("0x1.8p1", 0x4040_0000u)]
    [InlineData("0xA.8", 0x4128_0000u)]
    [InlineData("0x1_0p0", 0x4180_0000u)]
    [InlineData("0x1.8e", 0x3FC7_0000u)] // 'e' is a hex digit: 0x1.8e = 1.5546875
    [InlineData("0x0000.0001p16", 0x3F80_0000u)]
    [InlineData("0x00000000000000000000000001", 0x3F80_0000u)]
    [InlineData("0x0.0000000000000000000000000000000001p136", 0x3F80_0000u)]
    [InlineData("0x0p99999999999999999999", 0x0000_0000u)]
    [InlineData("0e99999999999999999999", 0x0000_0000u)]
    [InlineData("1e-99999999999999999999", 0x0000_0000u)]
    [InlineData("0x1p-99999999999999999999", 0x0000_0000u)]
    [InlineData("-0x1p-99999999999999999999", 0x8000_0000u)]
    // largest finite, and just below the tie with 2^128
    [InlineData("0x1.fffffep127", 0x7F7F_FFFFu)]
    [InlineData("0x1.fffffefffffffffffffp127", 0x7F7F_FFFFu)]
    [InlineData("340282356779733623858607532500980858880", 0x7F7F_FFFFu)]
    [InlineData("340282356779733661637539395458142568447", 0x7F7F_FFFFu)]
    [InlineData("-0x1.fffffep127", 0xFF7F_FFFFu)]
    // ties to even at the last bit
    [InlineData("0x1.000001p0", 0x3F80_0000u)]  // halfway, even below
    [InlineData("0x1.000003p0", 0x3F80_0002u)]  // halfway, even above
    [InlineData("0x1.0000010000000000000000001p0", 0x3F80_0001u)] // a bit past halfway, far beyond 64 bits
    [InlineData("0x1.000000ffffffffffffffffffffp0", 0x3F80_0000u)]
    [InlineData("0x1.000002fffffffffffffffffffp0", 0x3F80_0001u)] // just below halfway above 1 + 2^-23
    [InlineData("0x8000008p-27", 0x3F80_0000u)]  // halfway, in the integer part
    [InlineData("0x1000001000000000000000001p-96", 0x3F80_0001u)] // sticky digit in the integer part
    [InlineData("0x1000001000000000000000000p-96", 0x3F80_0000u)]
    [InlineData("0x4000.004000001p-64", 0x2680_0001u)] // from const.wast
    [InlineData("1.000000059604644775390625", 0x3F80_0000u)] // 1 + 2^-24, halfway
    [InlineData("1.000000178813934326171875", 0x3F80_0002u)] // 1 + 3*2^-24, halfway
    [InlineData("16777217", 0x4B80_0000u)]   // 2^24 + 1, halfway
    [InlineData("16777219", 0x4B80_0002u)]   // 2^24 + 3, halfway
    // subnormals
    [InlineData("0x1p-149", 0x0000_0001u)]
    [InlineData("-0x1p-149", 0x8000_0001u)]
    [InlineData("0x1p-150", 0x0000_0000u)]  // half the smallest: ties to even zero
    [InlineData("-0x1p-150", 0x8000_0000u)]
    [InlineData("0x1.000001p-150", 0x0000_0001u)]
    [InlineData("0x1.00000000000000000000001p-150", 0x0000_0001u)]
    [InlineData("0x1.8p-149", 0x0000_0002u)] // 1.5 ulp: ties to even 2
    [InlineData("0x1.4p-149", 0x0000_0001u)]
    [InlineData("0x1.cp-149", 0x0000_0002u)]
    [InlineData("0x1p-126", 0x0080_0000u)]   // smallest normal
    [InlineData("0x0.fffffep-126", 0x007F_FFFFu)]   // largest subnormal
    [InlineData("0x1.fffffcp-127", 0x007F_FFFFu)]
    [InlineData("0x1.fffffep-127", 0x0080_0000u)]   // halfway to the smallest normal: rounds up into it
    [InlineData("0x1.fffffdp-127", 0x007F_FFFFu)]
    [InlineData("1e-45", 0x0000_0001u)]
    [InlineData("1.401298464324817e-45", 0x0000_0001u)]
    [InlineData("7.006492321624085354618e-46", 0x0000_0000u)]  // just below half the smallest
    [InlineData("7.006492321624085354619e-46", 0x0000_0001u)]  // just above
    [InlineData("1.1754942e-38", 0x007F_FFFFu)]
    [InlineData("1.17549435e-38", 0x0080_0000u)]
    [InlineData("1e-50", 0x0000_0000u)]
    // inf and nan
    [InlineData("inf", 0x7F80_0000u)]
    [InlineData("+inf", 0x7F80_0000u)]
    [InlineData("-inf", 0xFF80_0000u)]
    [InlineData("nan", 0x7FC0_0000u)]
    [InlineData("+nan", 0x7FC0_0000u)]
    [InlineData("-nan", 0xFFC0_0000u)]
    [InlineData("nan:0x1", 0x7F80_0001u)]
    [InlineData("nan:0x200000", 0x7FA0_0000u)]
    [InlineData("nan:0x400000", 0x7FC0_0000u)]
    [InlineData("nan:0x7fffff", 0x7FFF_FFFFu)]
    [InlineData("nan:0x7F_FFFF", 0x7FFF_FFFFu)]
    [InlineData("-nan:0x7fffff", 0xFFFF_FFFFu)]
    [InlineData("+nan:0x1", 0x7F80_0001u)]
    [InlineData("nan:0x0000000000000000000000001", 0x7F80_0001u)]
    public void F32Reads(string text, uint expected) => Assert.Equal((LiteralStatus.Ok, expected), F32(text));

    [Theory]
    [InlineData("1e39")]
    [InlineData("-1e39")]
    [InlineData("1e99999999999999999999")]
    [InlineData("0x1p128")]
    [InlineData("-0x1p128")]
    [InlineData("0x1.ffffffp127")]   // halfway between the largest and 2^128: ties to even 2^128
    [InlineData("-0x1.ffffffp127")]
    [InlineData("0x1p99999999999999999999")]
    [InlineData("0x1_0000_0000_0000_0000_0000_0000_0000_0000")] // 2^128
    [InlineData("340282356779733661637539395458142568448")] // halfway, decimal
    [InlineData("-340282356779733661637539395458142568448")]
    [InlineData("nan:0x0")]
    [InlineData("-nan:0x0")]
    [InlineData("nan:0x800000")]
    [InlineData("nan:0x80_0000")]
    [InlineData("nan:0xffffffffffffffffffff")]
    public void F32OutOfRange(string text) => Assert.Equal(LiteralStatus.OutOfRange, F32(text).Item1);

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("--1")]
    [InlineData(".5")]
    [InlineData(".0e0")]
    [InlineData("-.5")]
    [InlineData("1.5.5")]
    [InlineData("0e")]
    [InlineData("0e+")]
    [InlineData("0.0e")]
    [InlineData("0.0e-")]
    [InlineData("1e5e5")]
    [InlineData("1e0x1")]
    [InlineData("1e1.5")]
    [InlineData("1x")]
    [InlineData("0x")]
    [InlineData("0x.")]
    [InlineData("0x.8")]
    [InlineData("0x0.0p")]
    [InlineData("0x0.0p+")]
    [InlineData("0x0.0p-")]
    [InlineData("0x0p")]
    [InlineData("0x0p+")]
    [InlineData("0x0pA")]
    [InlineData("0x1p0x1")]
    [InlineData("0x1p1.5")]
    [InlineData("0xg")]
    [InlineData("0x0.g")]
    [InlineData("0X1")]
    [InlineData("0x1e+5")]
    [InlineData("_100")]
    [InlineData("+_100")]
    [InlineData("-_100")]
    [InlineData("99_")]
    [InlineData("1__000")]
    [InlineData("_1.0")]
    [InlineData("1.0_")]
    [InlineData("1_.0")]
    [InlineData("1._0")]
    [InlineData("1.0e_1")]
    [InlineData("1.0e1_")]
    [InlineData("1.0e+_1")]
    [InlineData("1.0e_+1")]
    [InlineData("_0x100")]
    [InlineData("0_x100")]
    [InlineData("0x_100")]
    [InlineData("0x00_")]
    [InlineData("0xff__ffff")]
    [InlineData("0x_1.0")]
    [InlineData("0x1_.0")]
    [InlineData("0x1._0")]
    [InlineData("0x1.0_")]
    [InlineData("0x1.0p_1")]
    [InlineData("0x1.0p1_")]
    [InlineData("0x1.0p+_1")]
    [InlineData("0x1.0p_+1")]
    [InlineData("0x1pf")] // exponents are decimal
    [InlineData("inf.0")]
    [InlineData("Inf")]
    [InlineData("infinity")]
    [InlineData("NaN")]
    [InlineData("nan:")]
    [InlineData("nan:1")]
    [InlineData("nan:0x")]
    [InlineData("nan:0X1")]
    [InlineData("nan:0x_1")]
    [InlineData("nan:0x1_")]
    [InlineData("nan:0xg")]
    [InlineData("nan:canonical")]
    [InlineData("nan:arithmetic")]
    [InlineData("nan0x1")]
    [InlineData("- 1")]
    [InlineData("1 ")]
    [InlineData("1,5")]
    [InlineData("1e")]
    [InlineData("\u0661.0")]
    public void FloatRejectsWhatIsNotANumber(string text)
    {
        Assert.Equal(LiteralStatus.NotANumber, F32(text).Item1);
        Assert.Equal(LiteralStatus.NotANumber, F64(text).Item1);
    }

    // ---- f64 ----

    [Theory]
    [InlineData("0", 0x0UL)]
    [InlineData("-0", 0x8000_0000_0000_0000UL)]
    [InlineData("-0.0e-5", 0x8000_0000_0000_0000UL)]
    [InlineData("1", 0x3FF0_0000_0000_0000UL)]
    [InlineData("0.1", 0x3FB9_9999_9999_999AUL)]
    [InlineData("-2.5e-3", 0xBF64_7AE1_47AE_147BUL)]
    [InlineData("1.7976931348623157e308", 0x7FEF_FFFF_FFFF_FFFFUL)]
    [InlineData("0x1.fffffffffffffp1023", 0x7FEF_FFFF_FFFF_FFFFUL)]
    [InlineData("0x1.fffffffffffff7ffffffffffp1023", 0x7FEF_FFFF_FFFF_FFFFUL)]
    [InlineData("0x1.00000000000008p0", 0x3FF0_0000_0000_0000UL)] // halfway, even below
    [InlineData("0x1.00000000000018p0", 0x3FF0_0000_0000_0002UL)] // halfway, even above
    [InlineData("0x1.000000000000080000000000001p0", 0x3FF0_0000_0000_0001UL)]
    [InlineData("0x1.00000000000007ffffffffffffp0", 0x3FF0_0000_0000_0000UL)]
    [InlineData("9007199254740993", 0x4340_0000_0000_0000UL)] // 2^53 + 1, halfway
    [InlineData("9007199254740995", 0x4340_0000_0000_0002UL)]
    [InlineData("9007199254740993.0000000000000000000000000000000001", 0x4340_0000_0000_0001UL)]
    [InlineData("1.00000000000000011102230246251565404236316680908203125", 0x3FF0_0000_0000_0000UL)] // 1 + 2^-53
    [InlineData("1.00000000000000011102230246251565404236316680908203125000000000000000000000001", 0x3FF0_0000_0000_0001UL)]
    [InlineData("1.00000000000000011102230246251565404236316680908203124999999999999999999999999", 0x3FF0_0000_0000_0000UL)]
    [InlineData("0x1p-1022", 0x0010_0000_0000_0000UL)]
    [InlineData("0x0.fffffffffffffp-1022", 0x000F_FFFF_FFFF_FFFFUL)]
    [InlineData("0x1p-1074", 0x1UL)]
    [InlineData("-0x1p-1074", 0x8000_0000_0000_0001UL)]
    [InlineData("0x1p-1075", 0x0UL)]
    [InlineData("-0x1p-1075", 0x8000_0000_0000_0000UL)]
    [InlineData("0x1.0000000000000000001p-1075", 0x1UL)]
    [InlineData("0x1.8p-1074", 0x2UL)]
    [InlineData("0x1p-1076", 0x0UL)]
    [InlineData("4.9e-324", 0x1UL)]
    [InlineData("5e-324", 0x1UL)]
    [InlineData("2.4703282292062327e-324", 0x0UL)] // just below half the smallest subnormal
    [InlineData("2.4703282292062328e-324", 0x1UL)] // just above
    [InlineData("2.2250738585072014e-308", 0x0010_0000_0000_0000UL)]
    [InlineData("inf", 0x7FF0_0000_0000_0000UL)]
    [InlineData("-inf", 0xFFF0_0000_0000_0000UL)]
    [InlineData("nan", 0x7FF8_0000_0000_0000UL)]
    [InlineData("-nan", 0xFFF8_0000_0000_0000UL)]
    [InlineData("nan:0x1", 0x7FF0_0000_0000_0001UL)]
    [InlineData("nan:0x4000000000000", 0x7FF4_0000_0000_0000UL)]
    [InlineData("nan:0x8000000000000", 0x7FF8_0000_0000_0000UL)]
    [InlineData("nan:0xfffffffffffff", 0x7FFF_FFFF_FFFF_FFFFUL)]
    [InlineData("-nan:0xf_ffff_ffff_ffff", 0xFFFF_FFFF_FFFF_FFFFUL)]
    [InlineData("nan:0x800000", 0x7FF0_0000_0080_0000UL)] // too big for f32, fine for f64
    public void F64Reads(string text, ulong expected) => Assert.Equal((LiteralStatus.Ok, expected), F64(text));

    [Theory]
    [InlineData("1e309")]
    [InlineData("-1e309")]
    [InlineData("1.7976931348623159e308")]
    [InlineData("0x1p1024")]
    [InlineData("-0x1p1024")]
    [InlineData("0x1.fffffffffffff8p1023")]
    [InlineData("-0x1.fffffffffffff8p1023")]
    [InlineData("269653970229347356221791135597556535197105851288767494898376215204735891170042808140884337949150317257310688430271573696351481990334196274152701320055306275479074865864826923114368235135583993416113802762682700913456874855354834422248712838998185022412196739306217084753107265771378949821875606039276187287552")]
    [InlineData("nan:0x0")]
    [InlineData("nan:0x10000000000000")]
    [InlineData("nan:0x10_0000_0000_0000")]
    [InlineData("nan:0x10000000000000000")]
    public void F64OutOfRange(string text) => Assert.Equal(LiteralStatus.OutOfRange, F64(text).Item1);

    [Fact]
    public void DecimalTokensOfAnyLengthRound()
    {
        // Far longer than any stack buffer: the value is 1 + 2^-53 + 10^-1000 (just past halfway, so up).
        string halfway = "1.00000000000000011102230246251565404236316680908203125";
        string past = halfway + new string('0', 1000 - 53) + "1";
        Assert.Equal((LiteralStatus.Ok, 0x3FF0_0000_0000_0001UL), F64(past));
        Assert.Equal((LiteralStatus.Ok, 0x3FF0_0000_0000_0000UL), F64(halfway + new string('0', 1000)));
        Assert.Equal((LiteralStatus.Ok, 0UL), F64("0." + new string('0', 400) + "1"));
        Assert.Equal(LiteralStatus.OutOfRange, F64("1" + new string('0', 400)).Item1);
        Assert.Equal(LiteralStatus.OutOfRange, F32("1" + new string('0', 39)).Item1);
        Assert.Equal((LiteralStatus.Ok, 0x3F80_0000u), F32(string.Join("_", Enumerable.Repeat("0", 300)) + "1"));
        Assert.Equal((LiteralStatus.Ok, 0x3F80_0000u), F32("0x" + string.Join("_", Enumerable.Repeat("0", 300)) + "1"));
    }

    [Fact]
    public void F32DecimalIsNotRoundedThroughDouble()
    {
        // Just above 1 + 2^-24, halfway between 1 and the next float: a double holds only the halfway value, which
        // then ties to even 1.0. Rounded once, the literal goes up.
        const string text = "1.000000059604644775390625000001";
        Assert.Equal(0x3F80_0000u, BitConverter.SingleToUInt32Bits((float)double.Parse(text, CultureInfo.InvariantCulture)));
        Assert.Equal((LiteralStatus.Ok, 0x3F80_0001u), F32(text));
        // const.wast's case of the same kind.
        Assert.Equal((LiteralStatus.Ok, 0x2680_0001u), F32("+8.8817847263968443574e-16"));
        Assert.Equal((LiteralStatus.Ok, 0x2680_0000u), F32("+8.8817847263968443573e-16"));
    }

    // ---- properties ----

    [Fact]
    public void RandomDoublesRoundTripThroughRoundTripFormat()
    {
        var rng = new Random(1);
        for (int i = 0; i < 20000; i++)
        {
            ulong bits = RandomFiniteBits(rng, 52, 11);
            double d = BitConverter.UInt64BitsToDouble(bits);
            Assert.Equal((LiteralStatus.Ok, bits), F64(d.ToString("R", CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void RandomFloatsRoundTripThroughRoundTripFormat()
    {
        var rng = new Random(2);
        for (int i = 0; i < 20000; i++)
        {
            uint bits = (uint)RandomFiniteBits(rng, 23, 8);
            float f = BitConverter.UInt32BitsToSingle(bits);
            Assert.Equal((LiteralStatus.Ok, bits), F32(f.ToString("R", CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void EveryBitPatternRoundTripsThroughHexFormat()
    {
        var rng = new Random(3);
        for (int i = 0; i < 20000; i++)
        {
            ulong d = RandomBits(rng);
            if (i % 4 == 0) d = RandomFiniteBits(rng, 52, 11);
            Assert.Equal((LiteralStatus.Ok, d), F64(FormatHex(d, 52, 11, rng)));
            uint f = (uint)d;
            if (i % 4 == 1) f = (uint)RandomFiniteBits(rng, 23, 8);
            Assert.Equal((LiteralStatus.Ok, f), F32(FormatHex(f, 23, 8, rng)));
        }
    }

    [Fact]
    public void RandomHexLiteralsRoundLikeExactArithmetic()
    {
        var rng = new Random(4);
        for (int i = 0; i < 20000; i++)
        {
            int intDigits = rng.Next(0, 20), fracDigits = rng.Next(0, 20);
            if (intDigits + fracDigits == 0) intDigits = 1;
            string digits = RandomHexDigits(rng, intDigits + fracDigits);
            bool isF32 = rng.Next(2) == 0;
            int exp = isF32 ? rng.Next(-230, 200) : rng.Next(-1200, 1100);
            string intPart = intDigits == 0 ? "0" : digits[..intDigits];
            string literal = "0x" + Underscores(intPart, rng) + (fracDigits > 0 ? "." + Underscores(digits[intDigits..], rng) : "")
                + "p" + (exp >= 0 && rng.Next(2) == 0 ? "+" : "") + exp;
            var mantissa = BigInteger.Parse("0" + digits, NumberStyles.HexNumber);
            long e2 = exp - 4L * fracDigits;
            var (num, den) = e2 >= 0 ? (mantissa << (int)e2, BigInteger.One) : (mantissa, BigInteger.One << (int)-e2);
            CheckAgainstExact(literal, num, den, isF32);
        }
    }

    [Fact]
    public void RandomDecimalLiteralsRoundLikeExactArithmetic()
    {
        var rng = new Random(5);
        for (int i = 0; i < 20000; i++)
        {
            int intDigits = rng.Next(1, 25), fracDigits = rng.Next(0, 25);
            string digits = RandomDigits(rng, intDigits + fracDigits);
            bool isF32 = rng.Next(2) == 0;
            int exp = isF32 ? rng.Next(-75, 45) : rng.Next(-360, 320);
            string literal = Underscores(digits[..intDigits], rng) + (fracDigits > 0 || rng.Next(3) == 0 ? "." : "")
                + (fracDigits > 0 ? Underscores(digits[intDigits..], rng) : "") + (rng.Next(2) == 0 ? "e" : "E") + exp;
            var mantissa = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
            int e10 = exp - fracDigits;
            var (num, den) = e10 >= 0 ? (mantissa * BigInteger.Pow(10, e10), BigInteger.One) : (mantissa, BigInteger.Pow(10, -e10));
            CheckAgainstExact(literal, num, den, isF32);
        }
    }

    /// <summary>Decimal literals at, just above and just below the point halfway between two neighbouring floats:
    /// where rounding to double first and then to float gets the wrong answer.</summary>
    [Fact]
    public void F32DecimalHalfwayCasesRoundOnce()
    {
        var rng = new Random(6);
        int doubleRoundingWouldFail = 0;
        for (int i = 0; i < 3000; i++)
        {
            uint lower = (uint)rng.Next(0, 0x7F7F_FFFF);
            // lower + half an ulp: (2m + 1) · 2^(e-1), as num / 10^scale
            var (m, e) = ExactValue(lower, 23, 8);
            var (num, scale) = e - 1 >= 0 ? ((2 * m + 1) << (e - 1), 0) : ((2 * m + 1) * BigInteger.Pow(5, 1 - e), 1 - e);
            foreach (int delta in new[] { 0, 1, -1 })
            {
                var n = num * BigInteger.Pow(10, 25) + delta;
                string literal = FormatDecimal(n, scale + 25);
                var expected = RoundExact(n, BigInteger.Pow(10, scale + 25), 24, 8);
                Assert.NotNull(expected);
                Assert.Equal((LiteralStatus.Ok, (uint)expected!.Value), F32(literal));
                uint viaDouble = BitConverter.SingleToUInt32Bits((float)double.Parse(literal, CultureInfo.InvariantCulture));
                if (viaDouble != expected) doubleRoundingWouldFail++;
            }
        }
        Assert.True(doubleRoundingWouldFail > 100, $"only {doubleRoundingWouldFail} cases where double rounding differs");
    }

    private static void CheckAgainstExact(string literal, BigInteger num, BigInteger den, bool isF32)
    {
        if (isF32)
        {
            var expected = RoundExact(num, den, 24, 8);
            var (status, bits) = F32(literal);
            if (expected is null) Assert.True(status == LiteralStatus.OutOfRange, literal);
            else Assert.True((LiteralStatus.Ok, (uint)expected.Value) == (status, bits), $"{literal}: {status} 0x{bits:X8}, expected 0x{expected:X8}");
        }
        else
        {
            var expected = RoundExact(num, den, 53, 11);
            var (status, bits) = F64(literal);
            if (expected is null) Assert.True(status == LiteralStatus.OutOfRange, literal);
            else Assert.True((LiteralStatus.Ok, expected.Value) == (status, bits), $"{literal}: {status} 0x{bits:X16}, expected 0x{expected:X16}");
        }
    }

    /// <summary>The bits of num/den (num ≥ 0, den > 0) in a binary format with <paramref name="precision"/>
    /// significand bits, rounded to nearest, ties to even; null if that is infinite. Plain big-integer arithmetic, to
    /// check the parser against.</summary>
    private static ulong? RoundExact(BigInteger num, BigInteger den, int precision, int exponentBits)
    {
        if (num.IsZero) return 0;
        int bias = (1 << (exponentBits - 1)) - 1;
        long e = (long)num.GetBitLength() - (long)den.GetBitLength();
        bool below = e >= 0 ? num < den << (int)e : num << (int)-e < den;
        if (below) e--; // now 2^e <= num/den < 2^(e+1)
        long quantum = Math.Max(e, 1 - bias) - (precision - 1);
        var (n, d) = quantum < 0 ? (num << (int)-quantum, den) : (num, den << (int)quantum);
        var q = BigInteger.DivRem(n, d, out var r);
        int c = (2 * r).CompareTo(d);
        if (c > 0 || c == 0 && !q.IsEven) q++;
        if (q == BigInteger.One << precision) { q >>= 1; quantum++; }
        if (q < BigInteger.One << (precision - 1)) return (ulong)q;
        long biased = quantum + precision - 1 + bias;
        if (biased >= (1L << exponentBits) - 1) return null;
        return (ulong)biased << (precision - 1) | (ulong)q & ((1UL << (precision - 1)) - 1);
    }

    /// <summary>Finite non-negative bits as m · 2^e, where 2^e is the ulp.</summary>
    private static (BigInteger M, int E) ExactValue(ulong bits, int fractionBits, int exponentBits)
    {
        int bias = (1 << (exponentBits - 1)) - 1;
        ulong fraction = bits & ((1UL << fractionBits) - 1);
        int biased = (int)(bits >> fractionBits);
        BigInteger m = biased == 0 ? fraction : fraction | 1UL << fractionBits;
        return (m, (biased == 0 ? 1 : biased) - bias - fractionBits);
    }

    private static string FormatDecimal(BigInteger n, int scale)
    {
        string s = n.ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        return scale == 0 ? s : s[..^scale] + "." + s[^scale..];
    }

    /// <summary>Hex float text for any bit pattern (NaNs as nan:0x), with random underscores and spellings.</summary>
    private static string FormatHex(ulong bits, int fractionBits, int exponentBits, Random rng)
    {
        int bias = (1 << (exponentBits - 1)) - 1;
        string sign = bits >> (fractionBits + exponentBits) != 0 ? "-" : rng.Next(2) == 0 ? "+" : "";
        ulong fraction = bits & ((1UL << fractionBits) - 1);
        int biased = (int)(bits >> fractionBits & ((1UL << exponentBits) - 1));
        if (biased == (1 << exponentBits) - 1)
            return sign + (fraction == 0 ? "inf" : "nan:0x" + Underscores(fraction.ToString(rng.Next(2) == 0 ? "x" : "X"), rng));
        int pad = (4 - fractionBits % 4) % 4;
        string digits = (fraction << pad).ToString("x" + (fractionBits + pad) / 4);
        string lead = biased == 0 ? "0" : "1";
        int exponent = (biased == 0 ? 1 : biased) - bias;
        return rng.Next(3) switch
        {
            0 => $"{sign}0x{lead}.{Underscores(digits, rng)}p{exponent}",
            1 => $"{sign}0x{lead}{Underscores(digits, rng)}P{exponent - 4 * digits.Length}",
            _ => $"{sign}0x00{lead}.{Underscores(digits + "000", rng)}p{(exponent >= 0 ? "+" : "")}{exponent}",
        };
    }

    private static ulong RandomBits(Random rng) => (ulong)rng.NextInt64() ^ (ulong)rng.Next(4) << 62;

    /// <summary>Random finite bits, weighted towards zeros, subnormals and the extremes.</summary>
    private static ulong RandomFiniteBits(Random rng, int fractionBits, int exponentBits)
    {
        ulong fraction = RandomBits(rng) & ((1UL << fractionBits) - 1);
        int maxBiased = (1 << exponentBits) - 2;
        int biased = rng.Next(6) switch
        {
            0 => 0,
            1 => maxBiased,
            2 => rng.Next(2) == 0 ? 1 : maxBiased - 1,
            _ => rng.Next(0, maxBiased + 1),
        };
        if (rng.Next(20) == 0) fraction = rng.Next(3) switch { 0 => 0, 1 => 1, _ => (1UL << fractionBits) - 1 };
        ulong sign = (ulong)rng.Next(2) << (fractionBits + exponentBits);
        return sign | (ulong)biased << fractionBits | fraction;
    }

    private static string RandomDigits(Random rng, int n)
    {
        var sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.Append((char)('0' + rng.Next(10)));
        return sb.ToString();
    }

    private static string RandomHexDigits(Random rng, int n)
    {
        var sb = new StringBuilder(n);
        for (int i = 0; i < n; i++)
        {
            // Runs of 0 and f make halfway and near-halfway cases common.
            int d = rng.Next(4) switch { 0 => 0, 1 => 15, 2 => 8, _ => rng.Next(16) };
            sb.Append("0123456789abcdefABCDEF"[d < 10 || rng.Next(2) == 0 ? d : d + 6]);
        }
        return sb.ToString();
    }

    /// <summary><paramref name="digits"/> with an underscore between some neighbouring digits.</summary>
    private static string Underscores(string digits, Random rng)
    {
        if (rng.Next(2) == 0) return digits;
        var sb = new StringBuilder(digits.Length * 2);
        for (int i = 0; i < digits.Length; i++)
        {
            if (i > 0 && rng.Next(3) == 0) sb.Append('_');
            sb.Append(digits[i]);
        }
        return sb.ToString();
    }

    // ---- the spec testsuite's literals ----

    private static readonly Regex ExportedConst = new(@"\(func \(export ""([^""]+)""\) \(result (\w+)\)(.*)$", RegexOptions.Compiled);
    private static readonly Regex Const = new(@"\((i32|i64|f32|f64)\.const ([^\s()]+)\)", RegexOptions.Compiled);
    private static readonly Regex AssertReturn = new(@"^\(assert_return \(invoke ""([^""]+)""\) \((i32|i64|f32|f64)\.const ([^\s()]+)\)\)", RegexOptions.Compiled);
    private static readonly Regex Quoted = new(@"\(module quote ""[^""]*\((i32|i64|f32|f64)\.const ([^\s()]+)\)", RegexOptions.Compiled);

    /// <summary>Reads a literal as the parser would for <c>t.const</c>: (status, bits).</summary>
    private static (LiteralStatus, ulong) Literal(string type, string text) => type switch
    {
        "i32" => Int(text, 32),
        "i64" => Int(text, 64),
        "f32" => F32(text),
        _ => F64(text),
    };

    [TestsuiteFileFact("const.wast")]
    public void ConstWast() => CheckWast("const.wast");

    [TestsuiteFileFact("float_literals.wast")]
    public void FloatLiteralsWast() => CheckWast("float_literals.wast");

    [TestsuiteFileFact("int_literals.wast")]
    public void IntLiteralsWast() => CheckWast("int_literals.wast");

    /// <summary>Every exported function returning one constant is checked against its assert_return; every
    /// malformed constant against its expected message.</summary>
    private static void CheckWast(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(SpecTestsuite.CoreDirectory!, file));
        var functions = new Dictionary<string, (string Type, string Text)>();
        var failures = new List<string>();
        int checkedCount = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            bool isModule = !line.StartsWith("(assert", StringComparison.Ordinal) && !line.Contains("quote", StringComparison.Ordinal);
            if (isModule)
            {
                foreach (Match c in Const.Matches(line))
                {
                    checkedCount++;
                    if (Literal(c.Groups[1].Value, c.Groups[2].Value).Item1 != LiteralStatus.Ok) failures.Add($"{file}:{i + 1} {c.Value} not read");
                }
            }
            if (isModule && ExportedConst.Match(line) is { Success: true } f)
            {
                var consts = Const.Matches(f.Groups[3].Value);
                if (consts.Count == 1) functions[f.Groups[1].Value] = (consts[0].Groups[1].Value, consts[0].Groups[2].Value);
                else functions.Remove(f.Groups[1].Value);
            }
            else if (AssertReturn.Match(line) is { Success: true } a && functions.TryGetValue(a.Groups[1].Value, out var fn))
            {
                checkedCount++;
                var actual = Literal(fn.Type, fn.Text);
                var expected = Literal(a.Groups[2].Value, a.Groups[3].Value);
                if (expected.Item1 != LiteralStatus.Ok || actual != expected)
                    failures.Add($"{file}:{i + 1} {fn.Type}.const {fn.Text} read as {actual}, expected {a.Groups[3].Value} = {expected}");
            }
            else if (Quoted.Match(line) is { Success: true } q && i + 1 < lines.Length)
            {
                string message = lines[i + 1].Trim().Trim('"', ')', ' ');
                var want = message switch
                {
                    "constant out of range" => LiteralStatus.OutOfRange,
                    "unknown operator" => LiteralStatus.NotANumber,
                    _ => (LiteralStatus?)null,
                };
                if (want is null) continue;
                checkedCount++;
                var got = Literal(q.Groups[1].Value, q.Groups[2].Value).Item1;
                if (got != want) failures.Add($"{file}:{i + 1} {q.Groups[1].Value}.const {q.Groups[2].Value}: {got}, expected {want}");
            }
        }
        Assert.Empty(failures);
        Assert.True(checkedCount > 20, $"only {checkedCount} literals found in {file}");
    }

    // ---- strings ----

    [Theory]
    [InlineData("\"\"", new byte[0])]
    [InlineData("\"abc\"", new byte[] { 0x61, 0x62, 0x63 })]
    [InlineData("\"\\t\\n\\r\\\"\\'\\\\\"", new byte[] { 9, 10, 13, 0x22, 0x27, 0x5C })]
    [InlineData("\"\\00\\ff\\FF\\7f\\aB\"", new byte[] { 0, 0xFF, 0xFF, 0x7F, 0xAB })]
    [InlineData("\"\\be\"", new byte[] { 0xBE })]
    [InlineData("\"\\u{41}\"", new byte[] { 0x41 })]
    [InlineData("\"\\u{0}\"", new byte[] { 0 })]
    [InlineData("\"\\u{000000000000000000041}\"", new byte[] { 0x41 })]
    [InlineData("\"\\u{7f}\\u{80}\"", new byte[] { 0x7F, 0xC2, 0x80 })]
    [InlineData("\"\\u{7FF}\\u{800}\"", new byte[] { 0xDF, 0xBF, 0xE0, 0xA0, 0x80 })]
    [InlineData("\"\\u{d7ff}\\u{e000}\"", new byte[] { 0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80 })]
    [InlineData("\"\\u{FFFF}\\u{10000}\"", new byte[] { 0xEF, 0xBF, 0xBF, 0xF0, 0x90, 0x80, 0x80 })]
    [InlineData("\"\\u{10FFFF}\"", new byte[] { 0xF4, 0x8F, 0xBF, 0xBF })]
    [InlineData("\"\\u{1_F6_00}\"", new byte[] { 0xF0, 0x9F, 0x98, 0x80 })]
    [InlineData("\"h\u00e9\u2713\"", new byte[] { 0x68, 0xC3, 0xA9, 0xE2, 0x9C, 0x93 })] // raw UTF-8 is copied
    [InlineData("\"a\tb\"", new byte[] { 0x61, 9, 0x62 })]
    [InlineData("\"\\\\u{41}\"", new byte[] { 0x5C, 0x75, 0x7B, 0x34, 0x31, 0x7D })]
    [InlineData("\"}\\u{41}}\"", new byte[] { 0x7D, 0x41, 0x7D })]
    public void DecodesStrings(string token, byte[] expected)
    {
        Assert.Equal(expected, TextNumbers.DecodeString(U(token)));
        var destination = new byte[U(token).Length];
        int n = TextNumbers.DecodeString(U(token), destination);
        Assert.Equal(expected, destination[..n]);
    }

    [Theory]
    [InlineData("\"\\u{D800}\"")]
    [InlineData("\"\\u{dfff}\"")]
    [InlineData("\"\\u{110000}\"")]
    [InlineData("\"\\u{ffffffffffffffffffff41}\"")]
    [InlineData("\"\\u{}\"")]
    [InlineData("\"\\u{_41}\"")]
    [InlineData("\"\\u{41_}\"")]
    [InlineData("\"\\u{4__1}\"")]
    [InlineData("\"\\u{ 41}\"")]
    [InlineData("\"\\u{g}\"")]
    [InlineData("\"\\u{41\"")]
    [InlineData("\"\\u41\"")]
    [InlineData("\"\\u\"")]
    [InlineData("\"\\U{41}\"")]
    [InlineData("\"\\x41\"")]
    [InlineData("\"\\0\"")]
    [InlineData("\"\\0g\"")]
    [InlineData("\"\\a\"")]
    [InlineData("\"\\ \"")]
    [InlineData("\"\\\n\"")]
    [InlineData("\"\\v\"")]
    [InlineData("\"\\0x41\"")] // \0x is not a hex escape
    [InlineData("\"\\\"")]
    [InlineData("\"abc")]
    [InlineData("abc\"")]
    [InlineData("\"")]
    [InlineData("")]
    public void RejectsInvalidEscapes(string token)
    {
        Assert.Null(TextNumbers.DecodeString(U(token)));
        Assert.Equal(-1, TextNumbers.DecodeString(U(token), new byte[token.Length + 8]));
    }

    [Fact]
    public void DecodesLongStrings()
    {
        var text = string.Concat(Enumerable.Repeat("ab\\u{1F600}\\ff", 200));
        var expected = Enumerable.Repeat(new byte[] { 0x61, 0x62, 0xF0, 0x9F, 0x98, 0x80, 0xFF }, 200).SelectMany(b => b).ToArray();
        Assert.Equal(expected, TextNumbers.DecodeString(U("\"" + text + "\"")));
    }

    [Fact]
    public void DecodesEveryScalarValue()
    {
        var destination = new byte[32];
        for (int c = 0; c <= 0x10FFFF; c += c < 0x1000 ? 1 : 97)
        {
            var token = U($"\"\\u{{{c:x}}}\"");
            int n = TextNumbers.DecodeString(token, destination);
            if (c is >= 0xD800 and < 0xE000) Assert.Equal(-1, n);
            else Assert.Equal(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(c)), destination[..n]);
        }
    }
}

/// <summary>A fact that reads a file of the spec testsuite (core/), skipped, saying why, when it is not here.</summary>
public sealed class TestsuiteFileFactAttribute : FactAttribute
{
    public TestsuiteFileFactAttribute(string file)
    {
        if (SpecTestsuite.CoreDirectory is not string core || !File.Exists(Path.Combine(core, file)))
            Skip = $"spec testsuite file core/{file} not found";
    }
}
