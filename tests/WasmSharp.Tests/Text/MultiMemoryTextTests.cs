using WasmSharp.Binary;
using WasmSharp.Tests.Binary;
using WasmSharp.Text;
using Xunit.Abstractions;
using static WasmSharp.Tests.Text.TextTestParts;

namespace WasmSharp.Tests.Text;

/// <summary>
/// Multiple memories in the text format (Wasm 3.0): memory indices of the memory instructions and of data segments,
/// as the parser encodes them and the printer reads them back. In the binary, a memarg of a memory other than 0
/// sets bit 6 of its flags and puts the memory index between the flags and the offset; memory 0 keeps the 1.0
/// encoding, so single-memory modules encode as before. The parser does not validate: these modules need not be
/// valid for the validator, which is why they are only parsed and printed here.
/// </summary>
public class TextMultiMemoryTests(ITestOutputHelper output)
{
    // ---- helpers ----

    /// <summary>Three memories ($m0 $m1 $m2), a data segment $d, and a function of <paramref name="instructions"/>.</summary>
    private static string Module(string instructions) =>
        $"(module (memory $m0 1) (memory $m1 1) (memory $m2 1) (data $d \"x\") (func {instructions}))";

    /// <summary>Printed and read back to the same bytes (<see cref="PrinterTests.RoundTrip(byte[])"/>).</summary>
    private static string RoundTrip(byte[] binary) => PrinterTests.RoundTrip(binary);

    // ---- instructions ----

    [Theory]
    // Loads and stores: the memory first (a name or a number), then offset= and align=. Memory 0 (named, numbered
    // or left out) is the 1.0 encoding: flags (the alignment exponent), offset.
    [InlineData("i32.load", "280200", "i32.load")]
    [InlineData("i32.load 0", "280200", "i32.load")]
    [InlineData("i32.load $m0 offset=4", "280204", "i32.load offset=4")]
    [InlineData("i32.load $m1", "28420100", "i32.load 1")]
    [InlineData("i32.load 2 offset=4 align=2", "28410204", "i32.load 2 offset=4 align=2")]
    [InlineData("i64.load 1 align=8", "29430100", "i64.load 1")]
    [InlineData("f32.load $m2 offset=0x10", "2a420210", "f32.load 2 offset=16")]
    [InlineData("i64.load32_u $m1", "35420100", "i64.load32_u 1")]
    [InlineData("i32.store $m2", "36420200", "i32.store 2")]
    [InlineData("i64.store8 $m2 offset=300 align=1", "3c4002ac02", "i64.store8 2 offset=300")]
    [InlineData("f64.store 1 offset=8", "39430108", "f64.store 1 offset=8")]
    // A memory index of two LEB128 bytes (the parser leaves unknown indices to the validator).
    [InlineData("i32.load 200", "2842c80100", "i32.load 200")]
    // SIMD loads and stores.
    [InlineData("v128.load $m1 offset=16", "fd00440110", "v128.load 1 offset=16")]
    [InlineData("v128.store 2", "fd0b440200", "v128.store 2")]
    [InlineData("v128.load32_zero 1", "fd5c420100", "v128.load32_zero 1")]
    [InlineData("v128.load8x8_s $m2 align=1", "fd01400200", "v128.load8x8_s 2 align=1")]
    [InlineData("v128.load64_splat $m0", "fd0a0300", "v128.load64_splat")]
    // Lane loads and stores: memidx? memarg laneidx. Two numbers are a memory and a lane; one is the lane.
    [InlineData("v128.load8_lane 1 0", "fd5440010000", "v128.load8_lane 1 0")]
    [InlineData("v128.load8_lane 1", "fd54000001", "v128.load8_lane 1")]
    [InlineData("v128.load8_lane 0 1", "fd54000001", "v128.load8_lane 1")]
    [InlineData("v128.load8_lane $m1 0", "fd5440010000", "v128.load8_lane 1 0")]
    [InlineData("v128.load16_lane $m2 offset=2 3", "fd5541020203", "v128.load16_lane 2 offset=2 3")]
    [InlineData("v128.load32_lane offset=4 2", "fd56020402", "v128.load32_lane offset=4 2")]
    [InlineData("v128.load64_lane 1 align=4 1", "fd5742010001", "v128.load64_lane 1 align=4 1")]
    [InlineData("v128.store8_lane 1 offset=1 15", "fd584001010f", "v128.store8_lane 1 offset=1 15")]
    [InlineData("v128.store64_lane 2 align=1 1", "fd5b40020001", "v128.store64_lane 2 align=1 1")]
    [InlineData("v128.store32_lane align=4 3", "fd5a020003", "v128.store32_lane 3")]
    // memory.size, memory.grow, memory.fill: a u32 memory index, 0 (one zero byte) when left out.
    [InlineData("memory.size", "3f00", "memory.size")]
    [InlineData("memory.size $m2", "3f02", "memory.size 2")]
    [InlineData("memory.size 0", "3f00", "memory.size")]
    [InlineData("memory.grow 1", "4001", "memory.grow 1")]
    [InlineData("memory.grow 200", "40c801", "memory.grow 200")]
    [InlineData("memory.fill $m1", "fc0b01", "memory.fill 1")]
    [InlineData("memory.fill", "fc0b00", "memory.fill")]
    // memory.copy: none (0 0), or destination and source.
    [InlineData("memory.copy", "fc0a0000", "memory.copy")]
    [InlineData("memory.copy $m2 $m1", "fc0a0201", "memory.copy 2 1")]
    [InlineData("memory.copy 0 2", "fc0a0002", "memory.copy 0 2")]
    [InlineData("memory.copy $m0 0", "fc0a0000", "memory.copy")]
    // memory.init: memory? data in the text, data then memory in the binary.
    [InlineData("memory.init $d", "fc080000", "memory.init 0")]
    [InlineData("memory.init $m1 $d", "fc080001", "memory.init 1 0")]
    [InlineData("memory.init 2 0", "fc080002", "memory.init 2 0")]
    [InlineData("memory.init $m0 $d", "fc080000", "memory.init 0")]
    public void MemoryInstructionsEncodeTheirMemory(string instruction, string hex, string printed)
    {
        var binary = Wat.ToBinary(Module(instruction));
        Assert.Equal(hex, BodyHex(binary));
        var text = RoundTrip(binary);
        Assert.Equal([printed], InstructionLines(text));
    }

    [Fact]
    public void FoldedInstructionsTakeTheirMemoryBeforeTheirOperands()
    {
        var folded = Wat.ToBinary(Module("""
            (drop (i32.load $m1 offset=4 (i32.const 0)))
            (i64.store 2 (i32.const 0) (i64.const 1))
            (drop (v128.load8_lane 1 0 (i32.const 0) (v128.const i64x2 0 0)))
            (drop (v128.load8_lane 1 (i32.const 0) (v128.const i64x2 0 0)))
            (drop (memory.grow $m2 (i32.const 1)))
            (memory.copy 1 2 (i32.const 0) (i32.const 0) (i32.const 0))
            (memory.init $m1 $d (i32.const 0) (i32.const 0) (i32.const 1))
            """));
        var plain = Wat.ToBinary(Module("""
            i32.const 0 i32.load 1 offset=4 drop
            i32.const 0 i64.const 1 i64.store $m2
            i32.const 0 v128.const i64x2 0 0 v128.load8_lane $m1 0 drop
            i32.const 0 v128.const i64x2 0 0 v128.load8_lane 1 drop
            i32.const 1 memory.grow 2 drop
            i32.const 0 i32.const 0 i32.const 0 memory.copy $m1 $m2
            i32.const 0 i32.const 0 i32.const 1 memory.init 1 0
            """));
        Assert.Equal(plain, folded);
        Assert.Equal("4100" + "28420104" + "1a" + "4100" + "4201" + "37430200" + "4100" + "fd0c" + new string('0', 32) + "fd5440010000" + "1a"
            + "4100" + "fd0c" + new string('0', 32) + "fd54000001" + "1a" + "4101" + "4002" + "1a"
            + "410041004100" + "fc0a0102" + "410041004101" + "fc080001", BodyHex(folded));
        RoundTrip(folded);
    }

    [Theory]
    [InlineData("i32.load $nope", "unknown memory $nope")]
    [InlineData("memory.size $d", "unknown memory $d")]
    [InlineData("memory.init $m1 $m2", "unknown data $m2")]
    [InlineData("v128.load8_lane $nope 0", "unknown memory $nope")]
    [InlineData("memory.copy $m1", "unexpected token")]
    [InlineData("i32.load offset=4 1", "unknown operator 1")] // the memory comes first
    public void BadMemoryOperandsAreMalformed(string instruction, string reason)
    {
        var ex = Assert.Throws<MalformedTextException>(() => Wat.ToBinary(Module(instruction)));
        Assert.Contains(reason, ex.Message);
    }

    // ---- modules ----

    [Fact]
    public void InlineDataOfALaterMemoryIsAnActiveSegmentOfThatMemory()
    {
        // Memory 0 gets flags 0; memory 1 flags 2 and its index; both at offset 0, with min = max = the pages.
        var binary = Wat.ToBinary("(module (memory $a (data \"a\")) (memory $b (data \"hi\")))");
        Assert.Equal(Hex("0061736d01000000" + "0507" + "02" + "010101" + "010101"
            + "0b0f" + "02" + "00" + "41000b" + "0161" + "02" + "01" + "41000b" + "026869"), binary);
        Assert.Equal(Wat.ToBinary("(module (memory 1 1) (memory 1 1) (data (memory 0) (i32.const 0) \"a\") " +
                                  "(data (memory 1) (offset (i32.const 0)) \"hi\"))"), binary);
        var text = RoundTrip(binary);
        Assert.Contains("(data (;1;) (memory 1) (i32.const 0) \"hi\")", text);
    }

    [Fact]
    public void ActiveDataSegmentsNameTheirMemory()
    {
        var binary = Wat.ToBinary("""
            (module (memory $a 1) (memory $b 2)
              (data (memory $b) (i32.const 8) "xy")
              (data $s (memory 1) (offset (i32.const 1)) "z")
              (data (memory $a) (i32.const 0) "0")
              (data (i32.const 2) "2"))
            """);
        Assert.Equal(Hex("0061736d01000000" + "0505" + "02" + "0001" + "0002"
            + "0b1c" + "04" + "0201" + "41080b" + "027879" + "0201" + "41010b" + "017a" + "00" + "41000b" + "0130" + "00" + "41020b" + "0132"), binary);
        var text = RoundTrip(binary);
        Assert.Contains("(data (;0;) (memory 1) (i32.const 8) \"xy\")", text);
        Assert.Contains("(data (;2;) (i32.const 0) \"0\")", text);
    }

    [Fact]
    public void TheIdAfterDataNamesTheSegmentNotAMemory()
    {
        // (data $m ...) binds $m in the data index space, as the spec's grammar, its reference interpreter and wabt
        // read it: the segment is memory 0's, and memory.init $m is that segment even where a memory is named $m.
        var binary = Wat.ToBinary("(module (memory 0) (memory $m 1) (data $m (i32.const 0) \"d\") (func memory.init $m))");
        Assert.Equal(0u, ModuleReader.Read(binary).Data[0].MemoryIndex);
        Assert.Equal("fc080000", BodyHex(binary));
    }

    [Fact]
    public void ImportedMemoriesComeFirstInTheIndexSpace()
    {
        var binary = Wat.ToBinary("""
            (module
              (import "e" "m" (memory $i 1))
              (memory $j (import "e" "n") 2 3)
              (memory $x (export "x") 1)
              (export "j" (memory $j))
              (data (memory $x) (i32.const 1) "z")
              (func (drop (memory.size $x)) (drop (memory.size $j)) (drop (i32.load $i (i32.const 0)))))
            """);
        var info = ModuleReader.Read(binary);
        Assert.Equal(2, info.ImportedMemoryCount);
        Assert.Equal([("x", 2u), ("j", 1u)], info.Exports.Select(e => (e.Name, e.Index)).ToArray());
        Assert.True(info.Exports.All(e => e.Kind == ExternalKind.Memory));
        Assert.Equal(2u, info.Data[0].MemoryIndex);
        Assert.Equal("3f021a" + "3f011a" + "4100" + "2802001a", BodyHex(binary));
        Assert.Equal(Hex("0210" + "02" + "0165" + "016d" + "02" + "0001" + "0165" + "016e" + "02" + "010203"),
            Section(binary, 2));
        Assert.Equal(Hex("0709" + "02" + "0178" + "0202" + "016a" + "0201"), Section(binary, 7));
        Assert.Equal(Hex("0b08" + "01" + "0202" + "41010b" + "017a"), Section(binary, 11));
        var text = RoundTrip(binary);
        Assert.Contains("(import \"e\" \"n\" (memory (;1;) 2 3))", text);
        Assert.Contains("(export \"j\" (memory 1))", text);
    }

    [Fact]
    public void OneMemoryEncodesAsBefore()
    {
        // Memory 0 never gets the 3.0 encodings: no flag bit 6, a zero byte for memory.size and the others.
        var binary = Wat.ToBinary("""
            (module (memory $only 1) (data $d (memory $only) (i32.const 0) "a")
              (func (drop (i32.load $only offset=1 (i32.const 0))) (drop (memory.size $only))
                    (memory.copy $only $only (i32.const 0) (i32.const 0) (i32.const 0))
                    (memory.init $only $d (i32.const 0) (i32.const 0) (i32.const 0))
                    (drop (v128.load8_lane $only 0 (i32.const 0) (v128.const i64x2 0 0)))))
            """);
        var same = Wat.ToBinary("""
            (module (memory 1) (data (i32.const 0) "a")
              (func (drop (i32.load offset=1 (i32.const 0))) (drop (memory.size))
                    (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))
                    (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))
                    (drop (v128.load8_lane 0 (i32.const 0) (v128.const i64x2 0 0)))))
            """);
        Assert.Equal(same, binary);
        Assert.StartsWith("4100" + "2802011a" + "3f001a" + "410041004100fc0a0000" + "410041004100fc080000", BodyHex(binary));
    }

    // ---- the printer ----

    [Theory]
    // Bit 6 with memory 0 (not the parser's encoding) prints as memory 0 and reads back to the 1.0 encoding.
    [InlineData("28420001", "i32.load offset=1", "280201")]
    // A non-minimal memory index.
    [InlineData("2842810000", "i32.load 1", "28420100")]
    [InlineData("3f8100", "memory.size 1", "3f01")]
    [InlineData("fc0a800001", "memory.copy 0 1", "fc0a0001")]
    [InlineData("fc08008200", "memory.init 2 0", "fc080002")]
    [InlineData("fd5440830000" + "05", "v128.load8_lane 3 5", "fd5440030005")]
    public void ThePrinterReadsTheMemoryIndexOfAnyEncoding(string code, string printed, string canonical)
    {
        var binary = BinaryWithBody(Hex(code));
        var text = Wat.ToText(binary);
        Assert.Equal([printed], InstructionLines(text));
        Assert.Equal(canonical, BodyHex(Wat.ToBinary(text)));
    }

    [Theory]
    [InlineData("288001000000", "malformed memop flags")] // flags 128
    [InlineData("2860010000", "malformed memop flags")] // bit 6 and an alignment exponent of 32
    [InlineData("2842", "unexpected end")]
    public void MemargFlagsTheTextCannotHoldAreMalformed(string code, string reason)
    {
        var ex = Assert.Throws<MalformedModuleException>(() => Wat.ToText(BinaryWithBody(Hex(code))));
        Assert.Contains(reason, ex.Message);
    }

    // ---- the multi-memory proposal's scripts ----

    /// <summary>Every text module of proposals/multi-memory parses (malformed ones are all <c>quote</c> or
    /// <c>binary</c>), and prints to text that reads back to the same bytes.</summary>
    [ProposalTestsuiteFact("multi-memory")]
    public void TextModulesOfTheMultiMemoryScriptsRoundTrip()
    {
        int forms = 0, identical = 0;
        var failures = new List<string>();
        foreach (var form in Forms().Where(f => f.Kind == WastModules.Kind.Text))
        {
            forms++;
            try
            {
                var binary = Wat.ToBinary(form.Fields);
                var again = Wat.ToBinary(Wat.ToText(binary));
                if (again.AsSpan().SequenceEqual(binary)) identical++;
                else failures.Add($"{form}: different bytes");
            }
            catch (WasmException ex) { failures.Add($"{form}: {ex.Message}"); }
        }
        output.WriteLine($"text modules: {forms}, round trip identical {identical}");
        Assert.True(failures.Count == 0, $"{failures.Count} failed:\n" + string.Join("\n", failures.Take(5)));
        Assert.True(forms > 100);
    }

    /// <summary>Every binary module of proposals/multi-memory that the binary reader accepts prints, and its text
    /// reads back to a module that prints the same.</summary>
    [ProposalTestsuiteFact("multi-memory")]
    public void BinaryModulesOfTheMultiMemoryScriptsPrintAndReadBack()
    {
        int forms = 0, printed = 0;
        var failures = new List<string>();
        foreach (var form in Forms().Where(f => f.Kind == WastModules.Kind.Binary && f.Bytes is not null))
        {
            forms++;
            try { ModuleReader.Read(form.Bytes!); }
            catch (WasmException) { continue; }
            try
            {
                var text = Wat.ToText(form.Bytes!);
                Assert.Equal(text, Wat.ToText(Wat.ToBinary(text)));
                printed++;
            }
            catch (Exception ex) { failures.Add($"{form}: {ex.Message}"); }
        }
        output.WriteLine($"binary modules: {forms}, printed and read back {printed}");
        Assert.True(failures.Count == 0, $"{failures.Count} failed:\n" + string.Join("\n", failures.Take(5)));
        Assert.True(printed > 0);
    }

    private static IEnumerable<WastModules.Form> Forms() =>
        Directory.EnumerateFiles(ProposalDirectory("multi-memory")!, "*.wast").Order(StringComparer.Ordinal).SelectMany(WastModules.Read);
}
