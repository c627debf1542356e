using System.Text;
using WasmSharp.Text;
using WasmSharp.Components;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;

namespace WasmSharp.Tests.Components;

/// <summary>Components assembled byte by byte (Binary.md), decoded by <see cref="ComponentReader"/> and run by the
/// <see cref="Instantiator"/>: the binary path on its own, without the text format.</summary>
public class ComponentReaderTests
{
    private static readonly byte[] Preamble = [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00];

    private static byte[] Section(byte id, params byte[][] parts)
    {
        var body = parts.SelectMany(p => p).ToArray();
        return [id, .. Leb(body.Length), .. body];
    }

    private static byte[] Leb(int n)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(n & 0x7F);
            n >>= 7;
            bytes.Add(n != 0 ? (byte)(b | 0x80) : b);
        } while (n != 0);
        return bytes.ToArray();
    }

    private static byte[] Name(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        return [.. Leb(utf8.Length), .. utf8];
    }

    private static byte[] Component(params byte[][] sections) => [.. Preamble, .. sections.SelectMany(s => s)];

    /// <summary>A component whose export "f" lifts a core function (text <paramref name="module"/>, exporting "f"
    /// and maybe "mem" and "realloc") to a function of type section contents <paramref name="funcType"/>, with
    /// canonical options <paramref name="options"/> (a count, then each option).</summary>
    private static byte[] Lifting(string module, byte[] funcType, byte[] options, params byte[][] typesBefore)
    {
        var core = Wat.ToBinary(module);
        var aliases = new List<byte[]> { new byte[] { 0x00, 0x00, 0x01, 0x00 }.Concat(Name("f")).ToArray() }; // core func 0 = m.f
        if (module.Contains("\"mem\"")) aliases.Add(new byte[] { 0x00, 0x02, 0x01, 0x00 }.Concat(Name("mem")).ToArray());
        if (module.Contains("\"realloc\"")) aliases.Add(new byte[] { 0x00, 0x00, 0x01, 0x00 }.Concat(Name("realloc")).ToArray());
        var types = typesBefore.Append(funcType).ToArray();
        return Component(
            Section(1, core),
            Section(2, [0x01], [0x00, 0x00, 0x00]), // core instance 0 = instantiate module 0, no arguments
            Section(6, [.. Leb(aliases.Count)], aliases.SelectMany(a => a).ToArray()),
            Section(7, [.. Leb(types.Length)], types.SelectMany(t => t).ToArray()),
            Section(8, [0x01], [0x00, 0x00, 0x00], options, [.. Leb(types.Length - 1)]), // canon lift core func 0
            Section(11, [0x01], [0x00], Name("f"), [0x01, 0x00, 0x00])); // export "f" (func 0)
    }

    private static ComponentFunction Export(byte[] component)
    {
        var instance = new Instantiator(new Store()).Instantiate(ComponentReader.Read(component));
        return instance.GetFunction("f") ?? throw new InvalidOperationException("no export f");
    }

    [Fact]
    public void EmptyComponentDecodes()
    {
        var info = ComponentReader.Read(Preamble);
        Assert.Empty(info.Definitions);
        Assert.True(ComponentReader.IsComponent(Preamble));
        Assert.False(ComponentReader.IsComponent(Wat.ToBinary("(module)")));
    }

    [Fact]
    public void ScalarFunctionLiftsAndRuns()
    {
        // (func (param "a" u32) (param "b" u32) (result u32)) over i32.add
        byte[] type = [0x40, 0x02, .. Name("a"), 0x79, .. Name("b"), 0x79, 0x00, 0x79];
        var f = Export(Lifting("(module (func (export \"f\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))", type, [0x00]));
        var result = f.Invoke(new IntegerValue(Primitive.U32, 40), new IntegerValue(Primitive.U32, 2));
        Assert.Equal(new IntegerValue(Primitive.U32, 42), result);
    }

    [Fact]
    public void StringResultIsReadFromMemory()
    {
        // (func (result string)) with (memory): the core function returns a pointer to (ptr, len) = (16, 2) → "hi"
        byte[] type = [0x40, 0x00, 0x00, 0x73];
        const string module = """
            (module (memory (export "mem") 1)
              (data (i32.const 8) "\10\00\00\00\02\00\00\00")
              (data (i32.const 16) "hi")
              (func (export "f") (result i32) (i32.const 8)))
            """;
        var f = Export(Lifting(module, type, [0x01, 0x03, 0x00]));
        Assert.Equal(new StringValue("hi"), f.Invoke());
    }

    [Fact]
    public void LiftOfAStringWithoutMemoryIsInvalid()
    {
        byte[] type = [0x40, 0x00, 0x00, 0x73];
        var e = Assert.Throws<InvalidModuleException>(() => Export(Lifting("(module (func (export \"f\") (result i32) (i32.const 8)))", type, [0x00])));
        Assert.Contains("`memory` is required", e.Reason);
    }

    [Fact]
    public void CoreTypeMismatchOfALiftIsInvalid()
    {
        byte[] type = [0x40, 0x00, 0x00, 0x78]; // result s64: the core function must return i64
        var e = Assert.Throws<InvalidModuleException>(() => Export(Lifting("(module (func (export \"f\") (result i32) (i32.const 8)))", type, [0x00])));
        Assert.Contains("type mismatch", e.Reason);
    }

    [Theory]
    [InlineData(new byte[] { }, "magic header not detected")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00 }, "unexpected end-of-file")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x0E, 0x00, 0x01, 0x00 }, "unknown binary version")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00, 0x0D, 0x00 }, "malformed section id")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00, 0x07, 0x03, 0x00 }, "unexpected end-of-file")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00, 0x07, 0x01, 0x01, 0x73 }, "unexpected end-of-file")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00, 0x05, 0x02, 0x01, 0x02 }, "invalid leading byte (0x2) for instance")]
    public void MalformedComponentsSayWhy(byte[] bytes, string reason)
    {
        var e = Assert.Throws<MalformedModuleException>(() => ComponentReader.Read(bytes));
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void ValidationRulesAreLeftToTheValidator()
    {
        // A record without fields decodes (Binary.md makes it a validation rule) and does not validate.
        byte[] bytes = [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00, 0x07, 0x03, 0x01, 0x72, 0x00];
        var info = ComponentReader.Read(bytes);
        var e = Assert.Throws<InvalidModuleException>(() => WasmSharp.Components.Validation.ComponentValidator.Validate(info));
        Assert.Equal("record type must have at least one field", e.Reason);
        Assert.Equal(11, e.Offset);
    }
}
