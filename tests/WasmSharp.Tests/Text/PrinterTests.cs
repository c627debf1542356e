using System.Text;
using WasmSharp.Tests.Binary;
using WasmSharp.Text;
using Xunit.Abstractions;

namespace WasmSharp.Tests.Text;

public class PrinterTests(ITestOutputHelper output)
{
    // ---- helpers ----

    /// <summary>Text to binary, printed, and back: the bytes must be the same. Returns the printed text.</summary>
    private static string RoundTrip(string wat) => RoundTrip(Wat.ToBinary(wat));

    /// <summary>Binary printed, and back: the bytes must be the same. Returns the printed text.</summary>
    internal static string RoundTrip(byte[] binary)
    {
        var text = Wat.ToText(binary);
        byte[] again;
        try { again = Wat.ToBinary(text); }
        catch (MalformedTextException ex) { throw new Xunit.Sdk.XunitException($"{ex.Message} in:\n{text}"); }
        Assert.True(binary.AsSpan().SequenceEqual(again), $"different bytes:\n{Convert.ToHexString(binary)}\n{Convert.ToHexString(again)}\n{text}");
        return text;
    }

    /// <summary>The lines of <paramref name="text"/>, trimmed.</summary>
    private static string[] Lines(string text) => text.Split('\n').Select(l => l.Trim()).ToArray();

    /// <summary>Whether <paramref name="text"/> has <paramref name="line"/>, where it may be followed by the
    /// parentheses that close the function and the module.</summary>
    private static void HasLine(string text, string line) =>
        Assert.True(Lines(text).Any(l => l.StartsWith(line, StringComparison.Ordinal) && l[line.Length..].All(c => c == ')')),
            $"no line \"{line}\" in:\n{text}");

    /// <summary>A binary module: the header and the given sections (id, contents).</summary>
    private static byte[] BinaryModule(params (byte Id, byte[] Contents)[] sections)
    {
        var bytes = new List<byte> { 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00 };
        foreach (var (id, contents) in sections)
        {
            bytes.Add(id);
            bytes.AddRange(Leb((uint)contents.Length));
            bytes.AddRange(contents);
        }
        return bytes.ToArray();
    }

    private static byte[] Leb(uint value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
        return bytes.ToArray();
    }

    private static byte[] Name(string name) => [.. Leb((uint)Encoding.UTF8.GetByteCount(name)), .. Encoding.UTF8.GetBytes(name)];

    /// <summary>A "name" custom section: the module's name (if any) and function names.</summary>
    private static (byte, byte[]) NameSection(string? module, params (uint Index, string Name)[] functions)
    {
        var contents = new List<byte>(Name("name"));
        if (module is not null)
        {
            var sub = Name(module);
            contents.Add(0);
            contents.AddRange(Leb((uint)sub.Length));
            contents.AddRange(sub);
        }
        var names = new List<byte>(Leb((uint)functions.Length));
        foreach (var (index, name) in functions)
        {
            names.AddRange(Leb(index));
            names.AddRange(Name(name));
        }
        contents.Add(1);
        contents.AddRange(Leb((uint)names.Count));
        contents.AddRange(names);
        return (0, contents.ToArray());
    }

    /// <summary>The sections of <paramref name="binary"/> but its custom ones.</summary>
    private static byte[] WithoutCustomSections(byte[] binary)
    {
        var bytes = new List<byte>(binary[..8]);
        int i = 8;
        while (i < binary.Length)
        {
            int start = i++;
            uint size = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = binary[i++];
                size |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
            }
            i += (int)size;
            if (binary[start] != 0) bytes.AddRange(binary[start..i]);
        }
        return bytes.ToArray();
    }

    // ---- module fields ----

    [Fact]
    public void AnEmptyModuleIsOneLine()
    {
        Assert.Equal("(module)\n", Wat.ToText(Wat.ToBinary("(module)")));
    }

    [Fact]
    public void AFunctionPrintsAsWasm2watWouldPrintIt()
    {
        var text = RoundTrip("""
            (module
              (func $fib (export "fib") (param i32) (result i32)
                (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
                  (then (local.get 0))
                  (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                                 (call $fib (i32.sub (local.get 0) (i32.const 2))))))))
            """);
        Assert.Equal("""
            (module
              (type (;0;) (func (param i32) (result i32)))
              (func (;0;) (type 0) (param i32) (result i32)
                local.get 0
                i32.const 2
                i32.lt_u
                if (result i32)  ;; label = @1
                  local.get 0
                else
                  local.get 0
                  i32.const 1
                  i32.sub
                  call 0
                  local.get 0
                  i32.const 2
                  i32.sub
                  call 0
                  i32.add
                end)
              (export "fib" (func 0)))

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void TypesImportsAndDefinitions()
    {
        var text = RoundTrip("""
            (module
              (type (func))
              (type (func (param i32 i64) (result f32 f64)))
              (type (func (param v128 funcref externref)))
              (import "m" "f" (func (type 1)))
              (import "m" "t" (table 1 10 funcref))
              (import "m" "mem" (memory 1))
              (import "m" "g" (global (mut i64)))
              (import "m" "h" (global externref))
              (func (type 0) (local i32 i32 i64) (local $x f32))
              (table 0 externref)
              (table 2 3 funcref)
              (memory 1 65536)
              (global (mut i32) (i32.const -7))
              (global f64 (f64.const 1.5))
              (export "f" (func 1)) (export "t" (table 1)) (export "m" (memory 0)) (export "g" (global 1))
              (start 1))
            """);
        HasLine(text, "(type (;0;) (func))");
        HasLine(text, "(type (;1;) (func (param i32 i64) (result f32 f64)))");
        HasLine(text, "(type (;2;) (func (param v128 funcref externref)))");
        HasLine(text, "(import \"m\" \"f\" (func (;0;) (type 1) (param i32 i64) (result f32 f64)))");
        HasLine(text, "(import \"m\" \"t\" (table (;0;) 1 10 funcref))");
        HasLine(text, "(import \"m\" \"mem\" (memory (;0;) 1))");
        HasLine(text, "(import \"m\" \"g\" (global (;0;) (mut i64)))");
        HasLine(text, "(import \"m\" \"h\" (global (;1;) externref))");
        HasLine(text, "(func (;1;) (type 0)");
        HasLine(text, "(local i32 i32 i64 f32))");
        HasLine(text, "(table (;1;) 0 externref)");
        HasLine(text, "(table (;2;) 2 3 funcref)");
        HasLine(text, "(memory (;1;) 1 65536)");
        HasLine(text, "(global (;2;) (mut i32) (i32.const -7))");
        HasLine(text, "(global (;3;) f64 (f64.const 0x1.8p+0 (;=1.5;)))");
        HasLine(text, "(export \"f\" (func 1))");
        HasLine(text, "(export \"t\" (table 1))");
        HasLine(text, "(export \"m\" (memory 0))");
        HasLine(text, "(export \"g\" (global 1))");
        HasLine(text, "(start 1)");
    }

    [Fact]
    public void ConstantExpressionsOfEveryKind()
    {
        var text = RoundTrip("""
            (module
              (import "m" "g" (global i32))
              (func $f)
              (global i32 (global.get 0))
              (global i64 (i64.const -9223372036854775808))
              (global f32 (f32.const -0))
              (global v128 (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 255))
              (global funcref (ref.null func))
              (global externref (ref.null extern))
              (global funcref (ref.func $f))
              (global i32 (i32.add (i32.mul (global.get 0) (i32.const 2)) (i32.sub (i32.const 3) (i32.const 4))))
              (global i64 (i64.add (i64.mul (i64.const 1) (i64.const 2)) (i64.sub (i64.const 3) (i64.const 4)))))
            """);
        HasLine(text, "(global (;1;) i32 (global.get 0))");
        HasLine(text, "(global (;2;) i64 (i64.const -9223372036854775808))");
        HasLine(text, "(global (;3;) f32 (f32.const -0x0p+0 (;=-0;)))");
        HasLine(text, "(global (;4;) v128 (v128.const i32x4 0x04030201 0x08070605 0x0c0b0a09 0xff0f0e0d))");
        HasLine(text, "(global (;5;) funcref (ref.null func))");
        HasLine(text, "(global (;6;) externref (ref.null extern))");
        HasLine(text, "(global (;7;) funcref (ref.func 0))");
        HasLine(text, "(global (;8;) i32 (global.get 0) (i32.const 2) (i32.mul) (i32.const 3) (i32.const 4) (i32.sub) (i32.add))");
        HasLine(text, "(global (;9;) i64 (i64.const 1) (i64.const 2) (i64.mul) (i64.const 3) (i64.const 4) (i64.sub) (i64.add))");
    }

    // ---- segments ----

    [Theory]
    [InlineData("(elem (i32.const 1) func 0)", 0, "(elem (;0;) (i32.const 1) func 0)")]
    [InlineData("(elem func 0 0)", 1, "(elem (;0;) func 0 0)")]
    [InlineData("(elem (table 1) (i32.const 0) func 0)", 2, "(elem (;0;) (table 1) (i32.const 0) func 0)")]
    [InlineData("(elem declare func 0)", 3, "(elem (;0;) declare func 0)")]
    [InlineData("(elem (i32.const 0) funcref (ref.null func) (ref.func 0))", 4, "(elem (;0;) (i32.const 0) funcref (ref.null func) (ref.func 0))")]
    [InlineData("(elem funcref (ref.null func) (item (global.get 0)))", 5, "(elem (;0;) funcref (ref.null func) (global.get 0))")]
    [InlineData("(elem (table 1) (i32.const 0) externref (ref.null extern))", 6, "(elem (;0;) (table 1) (i32.const 0) externref (ref.null extern))")]
    [InlineData("(elem (table 0) (i32.const 0) externref)", 6, "(elem (;0;) (i32.const 0) externref)")]
    [InlineData("(elem declare funcref (ref.null func))", 7, "(elem (;0;) declare funcref (ref.null func))")]
    [InlineData("(elem (offset (i32.const 1) (i32.const 2) (i32.add)) func)", 0, "(elem (;0;) (offset (i32.const 1) (i32.const 2) (i32.add)) func)")]
    [InlineData("(elem funcref (item (i32.const 1) (i32.const 2) (i32.add)))", 5, "(elem (;0;) funcref (item (i32.const 1) (i32.const 2) (i32.add)))")]
    public void ElementSegmentsOfEveryBinaryForm(string segment, int flags, string printed)
    {
        var binary = Wat.ToBinary($"(module (global funcref (ref.null func)) (table 1 funcref) (table 1 externref) (func) {segment})");
        var info = WasmSharp.Binary.ModuleReader.Read(binary);
        Assert.Equal(flags, binary[(int)info.Elements[0].Position]);
        var text = Wat.ToText(binary);
        HasLine(text, printed);
        Assert.Equal(binary, Wat.ToBinary(text));
    }

    [Fact]
    public void ElementsInALargerFormComeBackInTheSmallest()
    {
        // Flags 4 (expressions, table 0) with only ref.func items, and flags 2 with table 0: what the parser
        // writes for them is flags 0.
        foreach (var segment in new byte[][]
        {
            [0x04, 0x41, 0x00, 0x0B, 0x02, 0xD2, 0x00, 0x0B, 0xD2, 0x00, 0x0B],
            [0x02, 0x00, 0x41, 0x00, 0x0B, 0x00, 0x02, 0x00, 0x00],
        })
        {
            var binary = BinaryModule((1, [0x01, 0x60, 0x00, 0x00]), (3, [0x01, 0x00]), (4, [0x01, 0x70, 0x00, 0x01]),
                (9, [0x01, .. segment]), (10, [0x01, 0x02, 0x00, 0x0B]));
            Module.FromBytes(binary);
            var text = Wat.ToText(binary);
            HasLine(text, "(elem (;0;) (i32.const 0) func 0 0)");
            var again = Wat.ToBinary(text);
            Assert.Equal(0, again[(int)WasmSharp.Binary.ModuleReader.Read(again).Elements[0].Position]);
            Assert.Equal(text, Wat.ToText(again));
        }
    }

    [Fact]
    public void DataSegmentsAndEveryByte()
    {
        var all = new StringBuilder();
        for (int b = 0; b < 256; b++) all.Append($"\\{b:x2}");
        var text = RoundTrip($"""
            (module
              (memory 1)
              (data (i32.const 8) "hello, \"world\"\\\n")
              (data "{all}")
              (data (memory 0) (offset (i32.const 1) (i32.const 2) (i32.add)) "")
              (data (memory 1) (i32.const 0) "x"))
            """);
        HasLine(text, "(data (;0;) (i32.const 8) \"hello, \\\"world\\\"\\\\\\0a\")");
        HasLine(text, "(data (;2;) (offset (i32.const 1) (i32.const 2) (i32.add)) \"\")");
        HasLine(text, "(data (;3;) (memory 1) (i32.const 0) \"x\"))");
        var line = Lines(text).Single(l => l.StartsWith("(data (;1;)", StringComparison.Ordinal));
        Assert.Contains("\\00\\01", line);
        Assert.Contains("\\1f !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\\7f\\80", line);
        Assert.EndsWith("\\fe\\ff\")", line);
    }

    [Fact]
    public void ADataSegmentOfMemoryZeroWithFlagsTwoComesBackWithFlagsZero()
    {
        var binary = BinaryModule((5, [0x01, 0x00, 0x01]), (11, [0x01, 0x02, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x61]));
        Module.FromBytes(binary);
        var text = Wat.ToText(binary);
        HasLine(text, "(data (;0;) (i32.const 0) \"a\"))");
        Assert.Equal(BinaryModule((5, [0x01, 0x00, 0x01]), (11, [0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x61])), Wat.ToBinary(text));
    }

    // ---- names ----

    [Fact]
    public void FunctionNamesBecomeUniqueIdentifiers()
    {
        var plain = Wat.ToBinary("""
            (module (import "m" "f" (func)) (func) (func) (func) (func) (func) (func) (func) (func)
              (export "e" (func 2)) (start 3)
              (elem declare func 0 1 2 3 4 5 6 7 8)
              (func (call 0) (call 1) (call 2) (call 3) (call 4) (call 5) (call 6) (call 7) (call 8) (ref.func 8) (drop)))
            """);
        var named = BinaryModule([.. Sections(plain),
            NameSection("my module", (0, "imported"), (1, "f"), (2, "f"), (3, "f.1"), (4, "a b"), (5, "q\"\\\n"), (6, "π"), (7, ""), (99, "nowhere"))]);
        var text = Wat.ToText(named);
        Assert.StartsWith("(module $\"my module\"\n", text);
        HasLine(text, "(import \"m\" \"f\" (func $imported (type 0)))");
        HasLine(text, "(func $f (type 0))");
        HasLine(text, "(func $f.1 (type 0))");
        HasLine(text, "(func $f.1.1 (type 0))");
        HasLine(text, "(func $\"a b\" (type 0))");
        HasLine(text, "(func $\"q\\\"\\\\\\0a\" (type 0))");
        HasLine(text, "(func $\"π\" (type 0))");
        HasLine(text, "(func (;7;) (type 0))");
        HasLine(text, "(export \"e\" (func $f.1))");
        HasLine(text, "(start $f.1.1)");
        HasLine(text, "(elem (;0;) declare func $imported $f $f.1 $f.1.1 $\"a b\" $\"q\\\"\\\\\\0a\" $\"π\" 7 8)");
        HasLine(text, "call $\"π\"");
        HasLine(text, "ref.func 8");
        Assert.Equal(plain, Wat.ToBinary(text));
    }

    /// <summary>The sections of a binary module as (id, contents).</summary>
    private static (byte, byte[])[] Sections(byte[] binary)
    {
        var list = new List<(byte, byte[])>();
        int i = 8;
        while (i < binary.Length)
        {
            byte id = binary[i++];
            uint size = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = binary[i++];
                size |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
            }
            list.Add((id, binary[i..(i + (int)size)]));
            i += (int)size;
        }
        return list.ToArray();
    }

    [Fact]
    public void ManyFunctionsOfOneNamePrintQuickly()
    {
        const int count = 50_000;
        var binary = BinaryModule([.. Sections(Wat.ToBinary("(module " + string.Concat(Enumerable.Repeat("(func)", count)) + ")")),
            NameSection(null, Enumerable.Range(0, count).Select(i => ((uint)i, "f")).ToArray())]);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var text = Wat.ToText(binary);
        output.WriteLine($"{count} functions named f: {watch.ElapsedMilliseconds} ms");
        HasLine(text, $"(func $f.{count - 1} (type 0))");
        Assert.Equal(WithoutCustomSections(binary), Wat.ToBinary(text));
    }

    // ---- numbers ----

    [Theory]
    [InlineData(0x00000000u, "0x0p+0")]
    [InlineData(0x80000000u, "-0x0p+0")]
    [InlineData(0x3F800000u, "0x1p+0")]
    [InlineData(0x3FC00000u, "0x1.8p+0")]
    [InlineData(0xC0490FDBu, "-0x1.921fb6p+1")]
    [InlineData(0x00000001u, "0x1p-149")]
    [InlineData(0x007FFFFFu, "0x1.fffffcp-127")]
    [InlineData(0x00800000u, "0x1p-126")]
    [InlineData(0x7F7FFFFFu, "0x1.fffffep+127")]
    [InlineData(0x7F800000u, "inf")]
    [InlineData(0xFF800000u, "-inf")]
    [InlineData(0x7FC00000u, "nan")]
    [InlineData(0xFFC00000u, "-nan")]
    [InlineData(0x7F800001u, "nan:0x1")]
    [InlineData(0xFFBFFFFFu, "-nan:0x3fffff")]
    [InlineData(0x7FFFFFFFu, "nan:0x7fffff")]
    public void F32Literals(uint bits, string text)
    {
        Assert.Equal(text, Printer.FloatText(bits, 23, 8));
        Assert.Equal(LiteralStatus.Ok, TextNumbers.ParseF32(Encoding.ASCII.GetBytes(text), out uint back));
        Assert.Equal(bits, back);
    }

    [Theory]
    [InlineData(0x0000000000000000ul, "0x0p+0")]
    [InlineData(0x8000000000000000ul, "-0x0p+0")]
    [InlineData(0x3FF8000000000000ul, "0x1.8p+0")]
    [InlineData(0x400921FB54442D18ul, "0x1.921fb54442d18p+1")]
    [InlineData(0x0000000000000001ul, "0x1p-1074")]
    [InlineData(0x000FFFFFFFFFFFFFul, "0x1.ffffffffffffep-1023")]
    [InlineData(0x7FEFFFFFFFFFFFFFul, "0x1.fffffffffffffp+1023")]
    [InlineData(0xFFF0000000000000ul, "-inf")]
    [InlineData(0x7FF8000000000000ul, "nan")]
    [InlineData(0x7FF0000000000001ul, "nan:0x1")]
    [InlineData(0xFFF4000000000000ul, "-nan:0x4000000000000")]
    public void F64Literals(ulong bits, string text)
    {
        Assert.Equal(text, Printer.FloatText(bits, 52, 11));
        Assert.Equal(LiteralStatus.Ok, TextNumbers.ParseF64(Encoding.ASCII.GetBytes(text), out ulong back));
        Assert.Equal(bits, back);
    }

    [Fact]
    public void EveryFloatReadsBackToItsBits()
    {
        var random = new Random(20240601);
        Span<byte> eight = stackalloc byte[8];
        for (int i = 0; i < 200_000; i++)
        {
            random.NextBytes(eight);
            uint f32 = BitConverter.ToUInt32(eight);
            // Favour the edges: small and large exponents, zero and full fractions.
            if (i % 4 == 1) f32 &= 0x807FFFFF;
            if (i % 4 == 2) f32 |= 0x7F000000;
            if (i % 8 == 3) f32 &= 0xFF800000 | (uint)random.Next(4);
            ulong f64 = BitConverter.ToUInt64(eight);
            if (i % 4 == 1) f64 &= 0x800FFFFFFFFFFFFF;
            if (i % 4 == 2) f64 |= 0x7FE0000000000000;
            if (i % 8 == 3) f64 &= 0xFFF0000000000000 | (uint)random.Next(4);
            string t32 = Printer.FloatText(f32, 23, 8), t64 = Printer.FloatText(f64, 52, 11);
            Assert.Equal(LiteralStatus.Ok, TextNumbers.ParseF32(Encoding.ASCII.GetBytes(t32), out uint b32));
            Assert.True(f32 == b32, $"{f32:x8} printed {t32} reads {b32:x8}");
            Assert.Equal(LiteralStatus.Ok, TextNumbers.ParseF64(Encoding.ASCII.GetBytes(t64), out ulong b64));
            Assert.True(f64 == b64, $"{f64:x16} printed {t64} reads {b64:x16}");
        }
    }

    [Fact]
    public void FloatConstantsInCodeKeepTheirBits()
    {
        var text = RoundTrip("""
            (module (func
              (drop (f32.const -nan:0x123)) (drop (f32.const nan)) (drop (f32.const -0)) (drop (f32.const 0x1p-149))
              (drop (f32.const 1e10)) (drop (f64.const -nan:0x8000000000001)) (drop (f64.const 0.1)) (drop (f64.const -inf))))
            """);
        HasLine(text, "f32.const -nan:0x123");
        HasLine(text, "f32.const nan");
        HasLine(text, "f32.const -0x0p+0 (;=-0;)");
        HasLine(text, "f32.const 0x1p-149 (;=1e-45;)");
        HasLine(text, "f32.const 0x1.2a05f2p+33 (;=1e+10;)");
        HasLine(text, "f64.const -nan:0x8000000000001");
        HasLine(text, "f64.const 0x1.999999999999ap-4 (;=0.1;)");
        HasLine(text, "f64.const -inf");
    }

    // ---- instructions ----

    [Fact]
    public void ControlInstructions()
    {
        var text = RoundTrip("""
            (module
              (type $t (func (param i32) (result i32 i32)))
              (table 1 funcref) (table 1 funcref)
              (func $f (param i32) (result i32)
                (block $a
                  (loop $b (result i32)
                    (br_if $a (local.get 0))
                    (br_table $a $b $a (i32.const 0) (local.get 0))))
                (block (type $t) (local.get 0) (i32.const 1) (drop))
                drop
                (if (local.get 0) (then nop) (else))
                (if (local.get 0) (then (return (i32.const 1))))
                (call_indirect (type $t) (i32.const 0) (i32.const 1))
                (call_indirect 1 (param i32) (result i32 i32) (i32.const 0) (i32.const 1))
                drop
                (select (result i32) (i32.const 1) (i32.const 2) (local.get 0))
                (select (i32.const 1) (i32.const 2) (local.get 0))
                (select (result) (local.get 0))
                drop drop drop unreachable))
            """);
        var expected = """
            block  ;; label = @1
            loop (result i32)  ;; label = @2
            local.get 0
            br_if 1 (;@1;)
            i32.const 0
            local.get 0
            br_table 1 (;@1;) 0 (;@2;) 1 (;@1;)
            end
            end
            block (type 0) (param i32) (result i32 i32)  ;; label = @1
            local.get 0
            i32.const 1
            drop
            end
            drop
            local.get 0
            if  ;; label = @1
            nop
            else
            end
            local.get 0
            if  ;; label = @1
            i32.const 1
            return
            end
            i32.const 0
            i32.const 1
            call_indirect (type 0)
            i32.const 0
            i32.const 1
            call_indirect 1 (type 0)
            drop
            i32.const 1
            i32.const 2
            local.get 0
            select (result i32)
            i32.const 1
            i32.const 2
            local.get 0
            select
            local.get 0
            select (result)
            drop
            drop
            drop
            unreachable)
            """.ReplaceLineEndings("\n").Split('\n');
        var lines = Lines(text);
        int start = Array.IndexOf(lines, expected[0]);
        Assert.True(start > 0, text);
        Assert.Equal(expected, lines[start..(start + expected.Length)]);
        Assert.Contains("\n      loop (result i32)  ;; label = @2\n        local.get 0\n", text);
    }

    [Fact]
    public void MemoryTableAndReferenceInstructions()
    {
        var text = RoundTrip("""
            (module
              (memory 1) (table $t0 1 funcref) (table $t1 1 funcref) (global $g (mut i32) (i32.const 0))
              (elem $e func $f) (data $d "")
              (func $f (local i32)
                (i32.store offset=4 align=1 (i32.const 0) (i32.load (i32.const 0)))
                (i64.store8 offset=4294967295 (i32.const 0) (i64.load32_u align=4 (i32.const 0)))
                (drop (f64.load align=8 (i32.const 0))) (drop (f64.load align=1 (i32.const 0)))
                (drop (memory.grow (memory.size)))
                (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
                (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))
                (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0)) (data.drop $d)
                (table.init $t1 $e (i32.const 0) (i32.const 0) (i32.const 0)) (table.init $e (i32.const 0) (i32.const 0) (i32.const 0))
                (table.copy $t1 $t0 (i32.const 0) (i32.const 0) (i32.const 0)) (table.copy (i32.const 0) (i32.const 0) (i32.const 0))
                (elem.drop $e)
                (table.set $t1 (i32.const 0) (table.get $t1 (i32.const 0)))
                (drop (table.grow $t1 (ref.null func) (table.size $t1)))
                (table.fill $t0 (i32.const 0) (ref.func $f) (i32.const 0))
                (drop (ref.is_null (ref.null extern)))
                (global.set $g (global.get $g)) (local.set 0 (local.tee 0 (local.get 0)))
                (drop (i32.const -2147483648)) (drop (i64.const 9223372036854775807)) (drop (i32.trunc_sat_f32_u (f32.const 0)))))
            """);
        foreach (var line in new[]
        {
            "i32.load", "i32.store offset=4 align=1", "i64.load32_u", "i64.store8 offset=4294967295", "f64.load", "f64.load align=1",
            "memory.size", "memory.grow", "memory.fill", "memory.copy", "memory.init 0", "data.drop 0",
            "table.init 1 0", "table.init 0 0", "table.copy 1 0", "table.copy 0 0", "elem.drop 0", "table.get 1", "table.set 1",
            "table.size 1", "ref.null func", "table.grow 1", "ref.func 0", "table.fill 0", "ref.null extern", "ref.is_null",
            "global.get 0", "global.set 0", "local.get 0", "local.tee 0", "local.set 0", "i32.const -2147483648",
            "i64.const 9223372036854775807", "i32.trunc_sat_f32_u",
        })
            HasLine(text, line);
    }

    [Fact]
    public void SimdInstructions()
    {
        var text = RoundTrip("""
            (module (memory 1) (func (result v128)
              (v128.const f32x4 1 -0 nan inf)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i64x2 -1 0x8000000000000000))
              (drop (i32x4.extract_lane 3 (v128.load offset=16 align=4 (i32.const 0))))
              (v128.load8_lane offset=1 15 (i32.const 0))
              (v128.store64_lane align=1 1 (i32.const 0))
              (i16x8.replace_lane 7 (v128.load32_splat (i32.const 0)) (i32.const 1))
              (i32x4.add) (i8x16.swizzle)))
            """);
        foreach (var line in new[]
        {
            "v128.const i32x4 0x3f800000 0x80000000 0x7fc00000 0x7f800000",
            "v128.const i32x4 0xffffffff 0xffffffff 0x00000000 0x80000000",
            "i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31", "v128.load offset=16 align=4", "i32x4.extract_lane 3",
            "v128.load8_lane offset=1 15", "v128.store64_lane align=1 1", "v128.load32_splat", "i16x8.replace_lane 7",
            "i32x4.add", "i8x16.swizzle",
        })
            HasLine(text, line);
    }

    /// <summary>Every instruction of the table, with immediates of its kind, prints under its name and reads back.</summary>
    [Fact]
    public void EveryInstructionOfTheTable()
    {
        var body = new StringBuilder();
        foreach (var ins in Instructions.All.OrderBy(i => (i.Prefix, i.Opcode)))
        {
            string immediates = ins.Immediate switch
            {
                Immediate.None or Immediate.Memory or Immediate.MemoryCopy or Immediate.Select => "",
                Immediate.Block or Immediate.TryTable or Immediate.Else or Immediate.End or Immediate.Catch
                    or Immediate.CatchAll or Immediate.Delegate => null!,
                Immediate.Label or Immediate.Tag => "0",
                Immediate.BrTable => "0 0 0",
                Immediate.Function or Immediate.Local or Immediate.Global or Immediate.Table or Immediate.Element
                    or Immediate.MemoryInit or Immediate.Data => "0",
                Immediate.CallIndirect => "(type 0)",
                Immediate.TableCopy or Immediate.TableInit => "0 0",
                Immediate.MemArg => "offset=3 align=1",
                Immediate.MemArgLane => "offset=3 align=1 1",
                Immediate.I32 or Immediate.I64 => "-1",
                Immediate.F32 or Immediate.F64 => "-1.25",
                Immediate.HeapType => "extern",
                Immediate.V128 => "i16x8 1 2 3 4 5 6 7 -1",
                Immediate.Shuffle => "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
                Immediate.Lane => "1",
                _ => throw new InvalidOperationException(ins.Immediate.ToString()),
            };
            if (immediates is null) continue;
            body.Append(ins.Name).Append(' ').Append(immediates).Append('\n');
        }
        var text = RoundTrip($"(module (type (func)) (memory 1) (table 1 funcref) (global (mut i32) (i32.const 0)) (elem func) (data \"\") (tag) (func\n{body}))");
        var printed = Lines(text).Select(l => l.Split(' ')[0].TrimEnd(')')).ToHashSet();
        foreach (var ins in Instructions.All)
            if (!(ins.Immediate is Immediate.Block or Immediate.TryTable || ins.IsDelimiter)) Assert.Contains(ins.Name, printed);
    }

    [Fact]
    public void DeepNestingIsIndentedUpToALimit()
    {
        const int depth = 1000;
        var text = RoundTrip("(module (func " + string.Concat(Enumerable.Repeat("block ", depth)) + "nop " + string.Concat(Enumerable.Repeat("end ", depth)) + "))");
        HasLine(text, $"block  ;; label = @{depth}");
        int longest = text.Split('\n').Max(l => l.Length - l.TrimStart().Length);
        Assert.Equal(4 + 2 * 64, longest);
    }

    // ---- input that is not a module, or whose bodies cannot be printed ----

    [Theory]
    [InlineData("", "unexpected end")]
    [InlineData("0061736d", "unexpected end")]
    [InlineData("0061736d02000000", "unknown binary version")]
    [InlineData("0061736d01000000" + "0104016000", "unexpected end")]
    [InlineData("0061736d01000000" + "030100", "")]
    public void WhatTheReaderRejectsIsItsError(string hex, string reason)
    {
        var binary = Convert.FromHexString(hex);
        if (reason.Length == 0)
        {
            Assert.Equal("(module)\n", Wat.ToText(binary));
            return;
        }
        var reader = Assert.ThrowsAny<WasmException>(() => WasmSharp.Binary.ModuleReader.Read(binary));
        var printer = Assert.ThrowsAny<WasmException>(() => Wat.ToText(binary));
        Assert.Equal(reader.GetType(), printer.GetType());
        Assert.Equal(reader.Message, printer.Message);
        Assert.Contains(reason, printer.Message);
    }

    [Theory]
    [InlineData("0b", "")]
    [InlineData("", "unexpected end")]
    [InlineData("01", "unexpected end")]
    [InlineData("0b01", "section size mismatch")]
    [InlineData("270b", "illegal opcode")]
    [InlineData("fc120b", "illegal opcode")]
    [InlineData("fd9a010b", "illegal opcode")]
    [InlineData("050b", "else without if")]
    [InlineData("02400505", "else without if")]
    [InlineData("02400b", "unexpected end")]
    [InlineData("027b0b0b", "")]
    [InlineData("02770b0b", "malformed value type")]
    [InlineData("02ff7f0b0b", "malformed value type")]
    [InlineData("0205" + "0b0b", "")]
    [InlineData("02ffffffff0f" + "0b0b", "")]
    [InlineData("3f010b", "")] // memory.size 1 (Wasm 3.0's memory index, where 2.0 had a zero byte)
    [InlineData("41002820000b", "malformed memop flags")]
    [InlineData("4100288001000b", "malformed memop flags")]
    [InlineData("d0000b", "malformed reference type")]
    [InlineData("1c01000b", "malformed value type")]
    [InlineData("0eff0b", "length out of bounds")]
    [InlineData("fd0c00", "unexpected end")]
    public void BodiesThatCannotBeDecodedAreMalformed(string code, string reason)
    {
        var bytes = Convert.FromHexString(code);
        var binary = BinaryModule((1, [0x01, 0x60, 0x00, 0x00]), (3, [0x01, 0x00]),
            (10, [0x01, .. Leb((uint)bytes.Length + 1), 0x00, .. bytes]));
        if (reason.Length == 0)
        {
            var text = Wat.ToText(binary);
            Assert.Equal(binary, Wat.ToBinary(text));
            return;
        }
        var ex = Assert.Throws<MalformedModuleException>(() => Wat.ToText(binary));
        Assert.Contains(reason, ex.Message);
    }

    /// <summary>Random changes to modules: printing either works, and the text then reads back to a module that
    /// prints the same, or fails with a <see cref="WasmException"/>; nothing else.</summary>
    [Fact]
    public void MutatedModulesPrintOrFailCleanly()
    {
        var seeds = new[]
        {
            Wat.ToBinary("""
                (module (type (func (param i32) (result i32))) (import "m" "f" (func (type 0)))
                  (memory 1) (table 2 funcref) (global (mut f64) (f64.const 1))
                  (func (type 0) (local i64 v128)
                    (block (result i32) (loop (br_if 1 (i32.const 1) (local.get 0)) (br_table 0 0 (i32.const 0))) (i32.const 2))
                    (if (result i32) (then (i32.load offset=3 (i32.const 0))) (else (call_indirect (type 0) (i32.const 0) (i32.const 0))))
                    (drop (v128.const i32x4 1 2 3 4)) (f32.const 1.5) (drop) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 3)))
                  (elem (i32.const 0) func 0 1) (elem funcref (ref.null func)) (data (i32.const 0) "abc") (data "x")
                  (export "f" (func 1)) (start 0))
                """),
        };
        var random = new Random(7);
        int printed = 0, failed = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var binary = (byte[])seeds[i % seeds.Length].Clone();
            int changes = 1 + random.Next(3);
            for (int c = 0; c < changes; c++)
            {
                int at = 8 + random.Next(binary.Length - 8);
                binary[at] = random.Next(3) switch { 0 => (byte)random.Next(256), 1 => (byte)(binary[at] ^ (1 << random.Next(8))), _ => (byte)(binary[at] + 1) };
            }
            string text;
            try { text = Printer.Print(binary, names: false); }
            catch (WasmException) { failed++; continue; }
            printed++;
            var again = Wat.ToBinary(text);
            Assert.Equal(text, Printer.Print(again, names: false));
        }
        output.WriteLine($"mutated modules: printed {printed}, rejected {failed}");
        Assert.True(printed > 1000);
    }

    // ---- size ----

    [Fact]
    public void ATenMegabyteModulePrintsInSeconds()
    {
        // 2000 functions of about 5 KB each: locals, nested blocks, constants, memory accesses and calls.
        var code = new List<byte>();
        var body = new List<byte> { 0x01, 0x02, 0x7F };
        for (int i = 0; i < 200; i++)
            body.AddRange([0x02, 0x40, 0x20, 0x00, 0x41, 0xB9, 0x60, 0x6A, 0x28, 0x02, 0x10, 0x21, 0x01, 0x44, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x1A, 0x10, 0x00, 0x0B]);
        body.Add(0x0B);
        const int functions = 2000;
        code.AddRange(Leb(functions));
        for (int i = 0; i < functions; i++)
        {
            code.AddRange(Leb((uint)body.Count));
            code.AddRange(body);
        }
        var binary = BinaryModule((1, [0x01, 0x60, 0x00, 0x00]), (3, [.. Leb(functions), .. Enumerable.Repeat((byte)0, functions)]),
            (5, [0x01, 0x00, 0x01]), (10, code.ToArray()));
        Assert.True(binary.Length > 10_000_000);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var text = Wat.ToText(binary);
        var seconds = watch.Elapsed.TotalSeconds;
        output.WriteLine($"{binary.Length / 1e6:F1} MB printed in {seconds:F2} s ({text.Length / 1e6:F0} M characters)");
        watch.Restart();
        var writer = new StringWriter();
        Wat.WriteText(binary, writer);
        output.WriteLine($"written to a TextWriter in {watch.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(text, writer.ToString());
        Assert.True(seconds < 20, $"{seconds:F1} s");
    }

    // ---- the command ----

    [Fact]
    public void Wasm2watWritesTheTextToAFileOrStandardOutput()
    {
        var dir = Directory.CreateTempSubdirectory("wasmsharp-printer-");
        try
        {
            var binary = Wat.ToBinary("(module (func (export \"answer\") (result i32) (i32.const 42)))");
            var input = Path.Combine(dir.FullName, "m.wasm");
            File.WriteAllBytes(input, binary);
            var stderr = new StringWriter();
            var stdout = new MemoryStream();
            Assert.Equal(0, WasmSharp.Cli.Commands.Wasm2WatVerb.Run(input, null, () => stdout, stderr));
            string text = Encoding.UTF8.GetString(stdout.ToArray());
            Assert.Equal(Wat.ToText(binary), text);
            var path = Path.Combine(dir.FullName, "m.wat");
            Assert.Equal(0, WasmSharp.Cli.Commands.Wasm2WatVerb.Run(input, path, () => throw new InvalidOperationException(), stderr));
            Assert.Equal(text, File.ReadAllText(path));
            Assert.Equal("", stderr.ToString());

            // A body that cannot be printed: an error, and no output file.
            var bad = BinaryModule((1, [0x01, 0x60, 0x00, 0x00]), (3, [0x01, 0x00]), (10, [0x01, 0x03, 0x00, 0x27, 0x0B]));
            File.WriteAllBytes(input, bad);
            File.Delete(path);
            Assert.Equal(1, WasmSharp.Cli.Commands.Wasm2WatVerb.Run(input, path, () => throw new InvalidOperationException(), stderr));
            Assert.Contains("malformed module: illegal opcode", stderr.ToString());
            Assert.False(File.Exists(path));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // ---- the core testsuite, round trip ----

    /// <summary>Every text <c>(module ...)</c> of the suite (not <c>binary</c> or <c>quote</c>), valid or not:
    /// text → binary → printed → binary gives the same bytes. Invalid ones included: the binary reader keeps what
    /// only validation rejects, such as the non-constant instructions of <c>assert_invalid</c>'s constant
    /// expressions, and the printer prints it.</summary>
    [TestsuiteDirectoryFact]
    public void TextModulesOfTheCoreSuiteRoundTrip()
    {
        int forms = 0, notParsed = 0, notDecoded = 0, identical = 0;
        var failures = new List<string>();
        foreach (var form in AllForms().Where(f => f.Kind == WastModules.Kind.Text))
        {
            forms++;
            byte[] binary;
            try { binary = Wat.ToBinary(form.Fields); }
            catch (MalformedTextException) { notParsed++; continue; }
            string text;
            try { text = Wat.ToText(binary); }
            catch (WasmException ex) { notDecoded++; output.WriteLine($"{form}: {ex.Message}"); continue; }
            try
            {
                var again = Wat.ToBinary(text);
                if (again.AsSpan().SequenceEqual(binary)) identical++;
                else failures.Add($"{form}: different bytes\n{text}");
            }
            catch (Exception ex)
            {
                failures.Add($"{form}: {ex.Message}\n{text}");
            }
        }
        output.WriteLine($"text modules: {forms}, not parsed (malformed text) {notParsed}, rejected by the binary reader {notDecoded}, " +
            $"round trip identical {identical}, failed {failures.Count}");
        Assert.True(failures.Count == 0, $"{failures.Count} failed:\n" + string.Join("\n", failures.Take(5)));
        Assert.Equal(0, notParsed + notDecoded);
        Assert.Equal(forms, identical);
    }

    /// <summary>
    /// Every <c>(module binary ...)</c> of the suite that is valid prints, and its text reads back to a valid module
    /// that prints the same (names aside: the text format has no name section). The bytes come back identical when
    /// the binary is canonical, that is when it is written as <see cref="ModuleParser"/> writes: minimal LEB128
    /// integers, no custom or empty sections, no data count section unless memory.init or data.drop need one, locals
    /// declared in runs of one type, segments in their smallest form. Every module that differs must differ for one
    /// of these reasons, found in its bytes.
    /// </summary>
    [TestsuiteDirectoryFact]
    public void BinaryModulesOfTheCoreSuiteRoundTrip()
    {
        int forms = 0, invalid = 0, invalidPrinted = 0, identical = 0;
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        int differing = 0;
        foreach (var form in AllForms().Where(f => f.Kind == WastModules.Kind.Binary))
        {
            forms++;
            var binary = form.Bytes;
            try
            {
                if (binary is null) throw new WasmException("invalid string escape");
                Module.FromBytes(binary);
            }
            catch (WasmException)
            {
                // Malformed or invalid: printing either works (what the reader accepts) or throws a WasmException.
                invalid++;
                try
                {
                    if (binary is not null) Wat.ToText(binary);
                    invalidPrinted++;
                }
                catch (WasmException) { }
                catch (Exception ex) { failures.Add($"{form}: {ex}"); }
                continue;
            }
            string text = "";
            try
            {
                text = Wat.ToText(binary);
                var again = Wat.ToBinary(text);
                Module.FromBytes(again);
                string unnamed = Printer.Print(binary, names: false);
                Assert.Equal(unnamed, Printer.Print(again, names: false));
                if (again.AsSpan().SequenceEqual(binary))
                {
                    identical++;
                    continue;
                }
                differing++;
                var why = NonCanonical.Reasons(binary, again);
                if (why.Count == 0 || why.Any(r => r.StartsWith("unexplained", StringComparison.Ordinal)))
                    failures.Add($"{form}: {string.Join(", ", why)}\n  {Convert.ToHexString(binary)}\n  {Convert.ToHexString(again)}\n{text}");
                foreach (var r in why) reasons[r] = reasons.GetValueOrDefault(r) + 1;
            }
            catch (Exception ex)
            {
                failures.Add($"{form}: {ex}\n{text}");
            }
        }
        output.WriteLine($"binary modules: {forms}, not valid {invalid} (of which printed {invalidPrinted}), round trip identical {identical}, differing {differing} (non-canonical)");
        foreach (var (reason, count) in reasons) output.WriteLine($"  {count,3} {reason}");
        Assert.True(failures.Count == 0, $"{failures.Count} failed:\n" + string.Join("\n", failures.Take(5)));
        Assert.True(identical > 0);
    }

    private static IEnumerable<WastModules.Form> AllForms() =>
        Directory.EnumerateFiles(SpecTestsuite.CoreDirectory!, "*.wast").Order(StringComparer.Ordinal).SelectMany(WastModules.Read);
}

/// <summary>A fact that reads the spec testsuite's core/ directory, skipped, saying why, when it is not here.</summary>
public sealed class TestsuiteDirectoryFactAttribute : FactAttribute
{
    public TestsuiteDirectoryFactAttribute()
    {
        if (SpecTestsuite.CoreDirectory is null)
            Skip = "spec testsuite not found (expected ../shared/testsuite/core beside the repository, or set WASMSHARP_TESTSUITE)";
    }
}
