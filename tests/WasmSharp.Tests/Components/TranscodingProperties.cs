using System.Text;
using FsCheck;
using FsCheck.Fluent;
using WasmSharp.Components.Compiled;

namespace WasmSharp.Tests.Components;

/// <summary>The compiled path's own string conversions against the BCL's, on text drawn from every UTF-8 length
/// class in runs (so that blocks of eight units, or 32 with AVX-512, are uniform, mixed, and cut through surrogate
/// pairs).</summary>
public class TranscodingProperties
{
    /// <summary>One code point of a class: ASCII, two bytes, three bytes (no surrogates), four bytes.</summary>
    private static Gen<int> CodePoint(int kind) => kind switch
    {
        0 => Gen.Choose(0, 0x7F),
        1 => Gen.Choose(0x80, 0x7FF),
        2 => Gen.OneOf(Gen.Choose(0x800, 0xD7FF), Gen.Choose(0xE000, 0xFFFF)),
        _ => Gen.Choose(0x10000, 0x10FFFF),
    };

    /// <summary>Runs of one class each, of 1 to 20 code points: well-formed UTF-16 of up to a few hundred units.</summary>
    private static readonly Gen<string> Text =
        Gen.ListOf(Gen.Choose(0, 3).SelectMany(kind => Gen.Choose(1, 20).SelectMany(n => Gen.ArrayOf(CodePoint(kind), n))))
            .Select(runs => string.Concat(runs.SelectMany(run => run).Select(char.ConvertFromUtf32)));

    /// <summary>Runs of ASCII and two-byte characters only: the blocks the vector paths take whole.</summary>
    private static readonly Gen<string> ShortText =
        Gen.ListOf(Gen.Choose(0, 1).SelectMany(kind => Gen.Choose(1, 24).SelectMany(n => Gen.ArrayOf(CodePoint(kind), n))))
            .Select(runs => string.Concat(runs.SelectMany(run => run).Select(char.ConvertFromUtf32)));

    private static readonly Gen<string> AnyText = Gen.OneOf(Text, ShortText);

    [Fact]
    public void Utf16ToUtf8_EncodesAsTheBclDoes() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(Arb.From(AnyText), s =>
        {
            var expected = Encoding.UTF8.GetBytes(s);
            var buffer = new byte[3 * s.Length];
            Array.Fill(buffer, (byte)0xA5);
            int written = Utf16ToUtf8.Encode(s, buffer);
            Assert.Equal(expected, buffer[..written]);
            Assert.All(buffer[written..], b => Assert.Equal(0xA5, b)); // nothing written past the output
        }));

    [Theory]
    [InlineData("")]
    [InlineData("abcdefgh")]
    [InlineData("éééééééé")]
    [InlineData("aéaéaéaéaéaéaéaé")]
    [InlineData("日本語のテキスト日本語のテキスト")]
    [InlineData("日本語😀テキスト日本語のテキ")]
    [InlineData("1234567😀")] // a pair cut by the first block's end
    [InlineData("aéééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé")] // blocks of 32 units
    [InlineData("éééééééééééééééééééééééééééééééééééééé日本語のテキスト😀")] // then three- and four-byte units
    [InlineData("Съешь же ещё этих мягких французских булок, да выпей чаю")]
    public void Utf16ToUtf8_EncodesSamples(string s)
    {
        var buffer = new byte[3 * s.Length];
        Array.Fill(buffer, (byte)0xA5);
        int written = Utf16ToUtf8.Encode(s, buffer);
        Assert.Equal(Encoding.UTF8.GetBytes(s), buffer[..written]);
        Assert.All(buffer[written..], b => Assert.Equal(0xA5, b));
    }

    [Theory]
    [InlineData("éééééééééééééééééééé")]
    [InlineData("aéaéaéaéaéaéaéaéaéaéaéaé")]
    [InlineData("abcdefghijklmnoéabcdefghijklmnop")] // a lead as a block's last byte
    [InlineData("Съешь же ещё этих мягких французских булок")]
    [InlineData("日本語のテキストéééééééééééééééé")]
    [InlineData("aéééééééééééééééééééééééééééééééééééééééééééééééé")] // a lead as every 32-byte block's last byte
    [InlineData("Съешь же ещё этих мягких французских булок, да выпей чаю. Съешь же ещё этих мягких французских булок")]
    [InlineData("ééééééééééééééééééééééééééééééééééééé日本語")] // three-byte characters after whole blocks
    [InlineData("日本語のテキスト、日本語のテキスト。日本語のテキスト")] // three-byte characters across every block's end
    [InlineData("a日本語のテキスト、日本語のテキスト。日本語のテキスト")]
    [InlineData("ab日本語のテキスト、日本語のテキスト。日本語のテキスト")]
    [InlineData("\u0800\uD7FF\uE000\uFFFF\u0800\uD7FF\uE000\uFFFF\u0800\uD7FF\uE000\uFFFF\u0800\uD7FF")] // the three-byte range's ends
    [InlineData("日本語のテキスト、日本語のテキスト😀日本語のテキスト")] // a four-byte character: the BCL takes over
    public void DecodeUtf8_DecodesSamples(string s) => Assert.Equal(s, CompiledAbi.DecodeUtf8(Encoding.UTF8.GetBytes(s)));

    [Theory]
    [InlineData(new byte[] { 0x80, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41 })]
    [InlineData(new byte[] { 0xC3, 0xA9, 0xC3, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41 })]
    [InlineData(new byte[] { 0xC1, 0xBF, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41 })]
    [InlineData(new byte[] { 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0xC3, 0x41, 0x41 })]
    [InlineData(new byte[] { 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0xA9, 0x41 })]
    public void DecodeUtf8_RefusesSamples(byte[] bytes) => Assert.Null(CompiledAbi.DecodeUtf8(bytes));

    /// <summary>Ill-formed bytes where the 32-byte blocks of the AVX-512 path look: at a block's last byte, the
    /// byte after it, and inside a later block.</summary>
    [Theory]
    [InlineData(31, 0xC3, 32, 0x41)] // a lead whose next byte, past the block, is ASCII
    [InlineData(31, 0xC3, 32, 0xC3)] // a lead whose next byte is another lead
    [InlineData(30, 0xC1, 31, 0xBF)] // an overlong lead
    [InlineData(32, 0xA9, 33, 0x41)] // a trail byte that starts the second block
    [InlineData(40, 0xC3, 41, 0x41)] // a lead without its trail inside the second block
    [InlineData(40, 0xF0, 41, 0x41)] // a four-byte lead cut short
    public void DecodeUtf8_RefusesAcrossBlocks(int at, int value, int nextAt, int next)
    {
        var bytes = Encoding.UTF8.GetBytes(new string('a', 80));
        bytes[at] = (byte)value;
        bytes[nextAt] = (byte)next;
        Assert.Null(CompiledAbi.DecodeUtf8(bytes));
    }

    /// <summary>Ill-formed three-byte sequences in and across the 32-byte blocks: overlong forms, surrogates, trail
    /// bytes missing before or after a block's end.</summary>
    [Theory]
    [InlineData(10, new byte[] { 0xE0, 0x80, 0x80 })] // overlong
    [InlineData(10, new byte[] { 0xE0, 0x9F, 0xBF })] // overlong
    [InlineData(10, new byte[] { 0xED, 0xA0, 0x80 })] // a surrogate
    [InlineData(10, new byte[] { 0xED, 0xBF, 0xBF })] // a surrogate
    [InlineData(31, new byte[] { 0xED, 0xA0, 0x80 })] // a surrogate whose lead ends the block
    [InlineData(31, new byte[] { 0xE0, 0x80, 0x80 })] // overlong, its lead ending the block
    [InlineData(30, new byte[] { 0xE6, 0x97, 0x41 })] // the second trail, after the block, missing
    [InlineData(31, new byte[] { 0xE6, 0x41, 0x41 })] // both trails, after the block, missing
    [InlineData(31, new byte[] { 0xE6, 0x97, 0x41 })] // the second trail, two bytes after the block, missing
    [InlineData(10, new byte[] { 0xE6, 0x97, 0xE6 })] // a lead where a trail belongs
    public void DecodeUtf8_RefusesThreeByteSequences(int at, byte[] sequence)
    {
        var bytes = Encoding.UTF8.GetBytes(new string('a', 80));
        sequence.CopyTo(bytes, at);
        Assert.Null(CompiledAbi.DecodeUtf8(bytes));
    }

    [Fact]
    public void DecodeUtf8_DecodesEveryThreeByteLeadAtEveryPlace()
    {
        foreach (int cp in new[] { 0x800, 0xFFF, 0x1000, 0xCFFF, 0xD000, 0xD7FF, 0xE000, 0xFFFF })
            for (int at = 0; at < 40; at++)
            {
                string s = new string('a', at) + char.ConvertFromUtf32(cp) + new string('é', 30);
                Assert.Equal(s, CompiledAbi.DecodeUtf8(Encoding.UTF8.GetBytes(s)));
            }
    }

    [Fact]
    public void DecodeUtf8_DecodesAsTheBclDoes() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(Arb.From(AnyText), s =>
            Assert.Equal(s, CompiledAbi.DecodeUtf8(Encoding.UTF8.GetBytes(s)))));

    /// <summary>Ill-formed UTF-8 (a byte flipped in well-formed text, or cut short) is refused exactly when the
    /// BCL's strict decoder refuses it.</summary>
    [Fact]
    public void DecodeUtf8_RefusesWhatTheBclRefuses() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(Arb.From(Gen.Zip(AnyText, Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(0, 255)))), input =>
        {
            var (s, (where, value)) = input;
            var bytes = Encoding.UTF8.GetBytes(s + "x");
            bytes[where % bytes.Length] = (byte)value;
            string? expected;
            try { expected = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
            catch (DecoderFallbackException) { expected = null; }
            Assert.Equal(expected, CompiledAbi.DecodeUtf8(bytes));
        }));

    /// <summary>A surrogate, high or low, at every place of strings around the 64-unit steps: found where the BCL
    /// finds it, and -1 without one.</summary>
    [Fact]
    public void FirstSurrogate_FindsWhatTheBclFinds()
    {
        foreach (int length in new[] { 0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200 })
        {
            var text = new string('é', length).ToCharArray();
            Assert.Equal(-1, Utf16ToUtf8.FirstSurrogate(text));
            for (int at = 0; at < length; at++)
                foreach (char c in "\uD800\uDBFF\uDC00\uDFFF")
                {
                    var with = (char[])text.Clone();
                    with[at] = c;
                    if (at + 1 < length) with[length - 1] = '\uDC00'; // a later one too
                    Assert.Equal(with.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF'), Utf16ToUtf8.FirstSurrogate(with));
                }
            // The units just outside the range are not surrogates.
            Array.Fill(text, '\uD7FF');
            Assert.Equal(-1, Utf16ToUtf8.FirstSurrogate(text));
            Array.Fill(text, '\uE000');
            Assert.Equal(-1, Utf16ToUtf8.FirstSurrogate(text));
        }
    }

    /// <summary>Text decoded from every place of a buffer in memory (the decoder's output is placed by the input's
    /// address modulo 4 KiB): the same string wherever it comes from.</summary>
    [Fact]
    public void DecodeUtf8_DecodesFromEveryPlaceInMemory()
    {
        foreach (string s in new[] { new string('é', 600), string.Concat(Enumerable.Repeat("日本語のテキスト、", 40)) })
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            var memory = new byte[bytes.Length + 4096];
            for (int at = 0; at < 4096; at += 37)
            {
                bytes.CopyTo(memory, at);
                Assert.Equal(s, CompiledAbi.DecodeUtf8(memory.AsSpan(at, bytes.Length)));
            }
        }
    }
}
