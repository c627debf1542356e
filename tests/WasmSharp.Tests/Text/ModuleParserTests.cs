using System.Text;
using WasmSharp.Text;

namespace WasmSharp.Tests.Text;

/// <summary>The text parser on its own: abbreviations against their long forms, the order of implicit types,
/// errors with their position, and nesting far deeper than a thread's stack.</summary>
public class ModuleParserTests
{
    private static Instance Instantiate(string text)
    {
        var module = Module.FromBytes(Wat.ToBinary(text));
        return new Linker().Instantiate(new Store(), module);
    }

    [Theory]
    // Each abbreviation gives the same bytes as the form it stands for.
    [InlineData("(func (export \"f\") (result i32) (i32.const 1))",
                "(func $f (result i32) (i32.const 1)) (export \"f\" (func $f))")]
    [InlineData("(memory (data \"ab\" \"c\"))",
                "(memory 1 1) (data (memory 0) (offset (i32.const 0)) \"abc\")")]
    [InlineData("(table funcref (elem $f $f)) (func $f)",
                "(table 2 2 funcref) (elem (table 0) (offset (i32.const 0)) func $f $f) (func $f)")]
    [InlineData("(func (import \"m\" \"f\") (param i32))",
                "(type (func (param i32))) (import \"m\" \"f\" (func (type 0)))")]
    [InlineData("(func (i32.add (i32.const 1) (i32.const 2)) drop)",
                "(func i32.const 1 i32.const 2 i32.add drop)")]
    [InlineData("(func (if (i32.const 1) (then nop) (else nop)))",
                "(func i32.const 1 if nop else nop end)")]
    [InlineData("(func (local $x i32) (local.get $x) drop)", "(func (local i32) local.get 0 drop)")]
    [InlineData("(global $g (mut i32) (i32.const 7)) (func (global.set $g (i32.const 1)))",
                "(global (mut i32) i32.const 7) (func i32.const 1 global.set 0)")]
    public void AbbreviationsEncodeAsTheirLongForms(string abbreviated, string full) =>
        Assert.Equal(Wat.ToBinary(full), Wat.ToBinary(abbreviated));

    [Fact]
    public void InlineTypesComeAfterTheExplicitOnesInTextOrder()
    {
        // $g's signature matches the explicit type defined after it; $f's and the block's are new, in that order.
        var a = Wat.ToBinary("(func $f (result f64) (f64.const 0)) (func $g (param i32)) " +
                             "(func (block (param i32) (result i32 i32) unreachable) ) (type (func (param i32)))");
        var b = Wat.ToBinary("(type (func (param i32))) (type (func (result f64))) (type (func)) " +
                             "(type (func (param i32) (result i32 i32))) " +
                             "(func (type 1) (f64.const 0)) (func (type 0)) (func (type 2) (block (type 3) unreachable))");
        Assert.Equal(b, a);
    }

    [Fact]
    public void AModuleRuns()
    {
        var instance = Instantiate("""
            (module
              (func $fac (export "fac") (param $n i64) (result i64)
                (if (result i64) (i64.eqz (local.get $n))
                  (then (i64.const 1))
                  (else (i64.mul (local.get $n) (call $fac (i64.sub (local.get $n) (i64.const 1))))))))
            """);
        Assert.Equal(2432902008176640000L, instance.GetFunction("fac")!.Invoke(Value.I64(20))[0].AsI64());
    }

    [Theory]
    [InlineData("(module\n  (func\n    (i32.ad (i32.const 1))))", "unknown operator i32.ad", 3, 6)]
    [InlineData("(module (func block $a end $b))", "mismatching label", 1, 28)]
    [InlineData("(module (func br $nowhere))", "unknown label $nowhere", 1, 18)]
    [InlineData("(module (func (local $x i32) (local $x i32)))", "duplicate local $x", 1, 37)]
    [InlineData("(module (func (i32.const 0x1_0000_0000)))", "constant out of range", 1, 26)]
    [InlineData("(module (memory 1) (func (drop (i32.load align=3 (i32.const 0)))))", "alignment must be a power of two", 1, 42)]
    [InlineData("(module (func) (import \"m\" \"n\" (func)))", "import after function", 1, 17)]
    [InlineData("(module (func \"unclosed))", "unclosed string", 1, 15)]
    public void ErrorsSayWhatAndWhere(string text, string reason, int line, int column)
    {
        var e = Assert.Throws<MalformedTextException>(() => Wat.ToBinary(text));
        Assert.Equal((reason, line, column), (e.Reason, e.Line, e.Column));
    }

    [Fact]
    public void LocalNamesFromTheNameSectionArePrintedAndReadBack()
    {
        var code = Wat.ToBinary("(module (func (param i32 f32) (result i32) (local i64 i64 i32) local.get 0 local.get 4 i32.add local.set 4 local.get 3 drop local.get 4))");
        // A name section: function 0 is "sum"; locals 0 "a", 3 "big", 4 "total" (1 and 2 unnamed).
        byte[] Name(string s) => [(byte)s.Length, .. Encoding.ASCII.GetBytes(s)];
        byte[] functions = [1, 0, .. Name("sum")];
        byte[] locals = [1, 0, 3, 0, .. Name("a"), 3, .. Name("big"), 4, .. Name("total")];
        byte[] content = [.. Name("name"), 1, (byte)functions.Length, .. functions, 2, (byte)locals.Length, .. locals];
        byte[] binary = [.. code, 0, (byte)content.Length, .. content];
        var text = Wat.ToText(binary);
        Assert.Contains("(func $sum (type 0) (param $a i32) (param f32) (result i32)", text);
        Assert.Contains("(local i64)\n    (local $big i64)\n    (local $total i32)", text);
        Assert.Contains("local.get $a", text);
        Assert.Contains("local.set $total", text);
        Assert.Equal(code, Wat.ToBinary(text));
    }

    [Fact]
    public void CustomAnnotationsBecomeCustomSectionsInTheirPlaceAndPrintBack()
    {
        var binary = Wat.ToBinary("""
            (module
              (@custom "at the end" "z")
              (@custom "after types" (after type) "x\00y")
              (type (func))
              (func (type 0))
              (@custom "first" (before first) "")
              (@other annotations are skipped)
              (@custom "before code" (before code) "c"))
            """);
        var module = WasmSharp.Binary.ModuleReader.Read(binary);
        Assert.Equal(["first", "after types", "before code", "at the end"], module.CustomSections.Select(c => c.Name));
        Assert.Equal("x\0y", Encoding.Latin1.GetString(module.CustomSections[1].Data.Span));
        // Section order in the bytes: first, type (1), after types, function (3), before code, code (10), at the end.
        Assert.Equal([0, 1, 0, 3, 0, 10, 0], NonCanonical.Sections(binary).Select(s => (int)s.Id));
        var text = Wat.ToText(binary);
        Assert.Contains("(@custom \"after types\" (after type) \"x\\00y\")", text);
        Assert.Equal(binary, Wat.ToBinary(text));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DeepNestingParsesAndTooDeepIsAnError(bool folded)
    {
        // 90,000 nested blocks: far past the stack of the calling thread, which the parser leaves for its own.
        static string Nest(int n, bool folded) => folded
            ? "(module (func " + string.Concat(Enumerable.Repeat("(block ", n)) + new string(')', n) + "))"
            : "(module (func " + string.Concat(Enumerable.Repeat("block ", n)) + string.Concat(Enumerable.Repeat("end ", n)) + "))";
        var binary = Wat.ToBinary(Encoding.UTF8.GetBytes(Nest(90_000, folded)));
        Assert.True(binary.Length > 180_000);
        var e = Assert.Throws<MalformedTextException>(() => Wat.ToBinary(Encoding.UTF8.GetBytes(Nest(ModuleParser.MaxDepth + 10, folded))));
        Assert.Equal(ModuleParser.TooDeep, e.Reason);
    }

    /// <summary>A module whose source is a megabyte or more has its function bodies parsed in two halves at once.
    /// Padded past that size with trailing line breaks, each module gives the bytes (or the error, at the same line
    /// and column) that it gives parsed in text order: when bodies only use types (a), when a body's block or
    /// call_indirect adds a type in either half (b, c, d: the type section keeps text order), with data.drop in the
    /// second half only (e: the data count section), and when bodies in both halves are malformed (f, g: the first
    /// error in text order wins, also after a body that adds a type); tags between the bodies keep their types in
    /// text order, also after a body that adds one (h).</summary>
    [Theory]
    [InlineData("a", "(type $t (func (param i32) (result i32))) (table 1 funcref) {0} {1} {0} {1}")]
    [InlineData("b", "(table 1 funcref) (func (param i64) (local.get 0) (block (param i64) (result f32) drop (f32.const 1)) drop) {0} {1} {1}")]
    [InlineData("c", "(table 1 funcref) {0} {0} (func (result f64) (call_indirect (param f32) (result f64) (f32.const 1) (i32.const 0))) {1}")]
    [InlineData("d", "(table 1 funcref) {0} {1} (func (param f32) (result i64) (i64.const 1)) (func (call_indirect (param i64) (i64.const 0) (i32.const 0))) {1}")]
    [InlineData("e", "(memory 1) (data $d \"x\") {0} {1} (func (data.drop $d))")]
    [InlineData("f", "(func (i32.const 1) (bogus)) {0} {1} (func (i32.add (unknown.op)))")]
    [InlineData("g", "(table 1 funcref) (func (block (param f64) unreachable)) (func (i32.const 1) (bogus)) {0} {1} (func (i32.add (unknown.op)))")]
    [InlineData("h", "(tag (param i64)) {0} (tag (param f64)) {1} (func (f32.const 1) (block (param f32) (result i64) drop (i64.const 1)) drop) (tag (param v128)) {1} (tag (param f32))")]
    public void LargeModulesParseTheirBodiesInTwoHalvesAsInTextOrder(string name, string fields)
    {
        _ = name;
        const string body = "(func (param $a i32) (param $b i32) (result i32) (local $x i32)\n" +
            "  (local.set $x (i32.add (local.get $a) (i32.const 7)))\n" +
            "  (block $out (loop $top (br_if $out (i32.eqz (local.get $x))) (local.set $x (i32.sub (local.get $x) (i32.const 1))) (br $top)))\n" +
            "  (i32.mul (local.get $x) (local.get $b)))\n";
        var text = "(module " + string.Format(fields, string.Concat(Enumerable.Repeat(body, 40)),
            string.Concat(Enumerable.Repeat("(func (result i32) (i32.const 1))\n", 40))) + ")";
        var padded = text + new string('\n', 1 << 20);
        byte[]? inOrder = null, halves = null;
        MalformedTextException? inOrderError = null, halvesError = null;
        try { inOrder = Wat.ToBinary(text); } catch (MalformedTextException e) { inOrderError = e; }
        try { halves = Wat.ToBinary(padded); } catch (MalformedTextException e) { halvesError = e; }
        Assert.Equal(inOrderError?.Message, halvesError?.Message);
        Assert.Equal(inOrder, halves);
        if (inOrder is not null) Module.Validate(inOrder);
    }
}
