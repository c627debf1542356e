using System.Text;
using WasmSharp.Components;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Compiled;
using WasmSharp.Components.Runtime;
using WasmSharp.Components.Text;
using P = WasmSharp.Components.PrimitiveType;

namespace WasmSharp.Tests.Components;

/// <summary>A custom delegate type for a typed import.</summary>
public delegate uint Summer(uint[] xs);

/// <summary>Imports satisfied by typed .NET delegates (<see cref="ComponentLinker"/>'s typed DefineFunction): a
/// component whose exports forward to its imports, so each value crosses from guest memory into .NET and back, through
/// compiled glue and through the reference path, with the same results and the same traps.</summary>
public class HostImportTests
{
    /// <summary>One imported function: its name, its WIT-like parameters and result as component text, and the core
    /// signature its lowering has (the out-pointer not counted) and whether the result goes through that pointer.</summary>
    private sealed record Import(string Name, string Type, string CoreParams, string? CoreResult, bool OutPointer = false);

    private static readonly Import[] Imports =
    [
        new("greet", """(param "name" string) (result string)""", "i32 i32", null, OutPointer: true),
        new("sum", """(param "xs" (list u32)) (result u32)""", "i32 i32", "i32"),
        new("flip", """(param "p" $point) (result $point)""", "i32 i32", null, OutPointer: true),
        new("area", """(param "s" $shape) (result u32)""", "i32 i32", "i32"),
        new("parse", """(param "s" string) (result (result u32 (error string)))""", "i32 i32", null, OutPointer: true),
        new("find", """(param "x" (option u32)) (result (option string))""", "i32 i32", null, OutPointer: true),
        new("join", """(param "t" (tuple string string string string string string string string string)) (result string)""", "i32", null, OutPointer: true),
        new("log", """(param "msg" string)""", "i32 i32", null),
        new("words", """(param "s" string) (result (list string))""", "i32 i32", null, OutPointer: true),
        new("count", """(result u32)""", "", "i32"),
        new("mix", """(param "x" f64) (param "c" char) (param "b" bool) (param "n" s8) (result f32)""", "f64 i32 i32 i32", "f32"),
    ];

    /// <summary>A memory and a bump allocator that honours the alignment asked for and keeps contents on
    /// reallocation, as realloc must.</summary>
    internal const string Allocator = """
            (memory (export "mem") 1)
            (global $next (mut i32) (i32.const 1024))
            (func (export "realloc") (param i32 i32 i32 i32) (result i32)
              (local $p i32)
              (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1))) (i32.sub (i32.const 0) (local.get 2))))
              (global.set $next (i32.add (local.get $p) (local.get 3)))
              (memory.copy (local.get $p) (local.get 0) (local.get 1))
              (local.get $p))
        """;

    private const string Options = """(memory (core memory $mem "mem")) (realloc (func $mem "realloc"))""";

    private static string CoreImportType(Import i) =>
        $"(param {i.CoreParams}{(i.OutPointer ? " i32" : "")}){(i.CoreResult is { } r ? $" (result {r})" : "")}";

    /// <summary>A core function that forwards its arguments to import <paramref name="i"/> (a spilled result to
    /// address 16, which it returns for the export's lift).</summary>
    private static string Forward(Import i)
    {
        var ps = i.CoreParams.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var args = string.Concat(ps.Select((_, k) => $" (local.get {k})"));
        var result = i.OutPointer ? "i32" : i.CoreResult;
        return $"(func (export \"{i.Name}\") (param {string.Join(' ', ps)}){(result is null ? "" : $" (result {result})")}"
            + $" (call ${i.Name}{args}{(i.OutPointer ? " (i32.const 16)" : "")}){(i.OutPointer ? " (i32.const 16)" : "")})";
    }

    /// <summary>The component: imports the types point and shape and the functions of <see cref="Imports"/>; exports
    /// call-NAME for each (same type, forwarding), and functions whose core code passes bad values to the imports.</summary>
    private static readonly string Text = $$"""
        (component
          (type $point' (record (field "x-pos" s32) (field "y-pos" s32)))
          (import "point" (type $point (eq $point')))
          (type $shape' (variant (case "circle" u32) (case "square" u32) (case "nothing")))
          (import "shape" (type $shape (eq $shape')))
          {{string.Join("\n  ", Imports.Select(i => $"(import \"{i.Name}\" (func ${i.Name} {i.Type}))"))}}
          (core module $Mem {{Allocator}})
          (core instance $mem (instantiate $Mem))
          {{string.Join("\n  ", Imports.Select(i => $"(core func ${i.Name}' (canon lower (func ${i.Name}) {Options}))"))}}
          (core module $M
            {{string.Join("\n    ", Imports.Select(i => $"(import \"\" \"{i.Name}\" (func ${i.Name} {CoreImportType(i)}))"))}}
            (import "" "mem" (memory 1))
            (data (i32.const 100) "\ff\fe")
            {{string.Join("\n    ", Imports.Select(Forward))}}
            (func (export "bad-utf8") (result i32) (call $greet (i32.const 100) (i32.const 2) (i32.const 16)) (i32.const 16))
            (func (export "bad-out") (result i32) (call $greet (i32.const 100) (i32.const 0) (i32.const 65532)) (i32.const 16))
            (func (export "bad-char") (result f32) (call $mix (f64.const 1) (i32.const 0xD800) (i32.const 1) (i32.const 0)))
            (func (export "bad-case") (result i32) (call $area (i32.const 3) (i32.const 0)))
            (func (export "unit") (result i32) (i32.const 0))
            (func (export "leave") (param i32) (drop (call $count))))
          (core instance $m (instantiate $M (with "" (instance (export "mem" (memory $mem "mem"))
            {{string.Join(" ", Imports.Select(i => $"(export \"{i.Name}\" (func ${i.Name}'))"))}}))))
          {{string.Join("\n  ", Imports.Select(i => $"(func (export \"call-{i.Name}\") {i.Type} (canon lift (core func $m \"{i.Name}\") {Options}))"))}}
          (func (export "bad-utf8") (result string) (canon lift (core func $m "bad-utf8") {{Options}}))
          (func (export "bad-out") (result string) (canon lift (core func $m "bad-out") {{Options}}))
          (func (export "bad-char") (result f32) (canon lift (core func $m "bad-char")))
          (func (export "bad-case") (result u32) (canon lift (core func $m "bad-case")))
          (func (export "leave") (result u32) (canon lift (core func $m "unit") (post-return (func $m "leave"))))
        )
        """;

    private static ComponentInfo Component() => ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(Text)));

    /// <summary>What the host functions saw.</summary>
    private sealed class Host
    {
        public List<string> Logged { get; } = [];
        public uint Counter { get; set; }
    }

    private static ComponentLinker Linker(Host host, bool compile) => new ComponentLinker { CompileHostFunctions = compile }
        .Define("point", new ComponentItem(Sort.Type, new RecordType(new[] { new Field("x-pos", P.S32), new Field("y-pos", P.S32) })))
        .Define("shape", new ComponentItem(Sort.Type, new VariantType(new[] { new Case("circle", P.U32), new Case("square", P.U32), new Case("nothing") })))
        .DefineFunction("greet", (string name) => $"hello, {name}")
        .DefineFunction("sum", (uint[] xs) => xs.Aggregate(0u, (a, x) => a + x))
        .DefineFunction("flip", (Point p) => new Point(p.YPos, p.XPos))
        .DefineFunction("area", (Shape s) => s switch { Shape.Circle c => 3 * c.Radius * c.Radius, Shape.Square q => q.Side * q.Side, _ => 0u })
        .DefineFunction("parse", (string s) => uint.TryParse(s, out var n) ? Result<uint, string>.Ok(n) : Result<uint, string>.Err($"not a number: {s}"))
        .DefineFunction("find", (uint? x) => x is { } n ? new string('*', (int)n) : null)
        .DefineFunction("join", ((string, string, string, string, string, string, string, string, string) t) =>
            string.Join(",", t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8, t.Item9))
        .DefineFunction("log", (string msg) => host.Logged.Add(msg))
        .DefineFunction("words", (string s) => s.Split(' '))
        .DefineFunction("count", () => ++host.Counter)
        .DefineFunction("mix", (double x, Rune c, bool b, sbyte n) => (float)(x / 2 + c.Value + (b ? 1 : 0) + n));

    public static TheoryData<bool> Paths => new() { true, false };

    [Theory, MemberData(nameof(Paths))]
    public void ValuesCrossIntoDotNetAndBack(bool compile)
    {
        var host = new Host();
        var i = Linker(host, compile).Instantiate(new Store(), Component());
        Assert.Equal("hello, wörld ☃ 😀", i.GetFunction<string, string>("call-greet")("wörld ☃ 😀"));
        Assert.Equal("hello, ", i.GetFunction<string, string>("call-greet")(""));
        Assert.Equal(4950u, i.GetFunction<uint[], uint>("call-sum")(Enumerable.Range(0, 100).Select(x => (uint)x).ToArray()));
        Assert.Equal(0u, i.GetFunction<uint[], uint>("call-sum")([]));
        Assert.Equal(new Point(-2, 1), i.GetFunction<Point, Point>("call-flip")(new Point(1, -2)));
        var area = i.GetFunction<Shape, uint>("call-area");
        Assert.Equal(12u, area(new Shape.Circle(2)));
        Assert.Equal(9u, area(new Shape.Square(3)));
        Assert.Equal(0u, area(new Shape.Empty()));
        var parse = i.GetFunction<string, Result<uint, string>>("call-parse");
        Assert.Equal(Result<uint, string>.Ok(42), parse("42"));
        Assert.Equal(Result<uint, string>.Err("not a number: x"), parse("x"));
        var find = i.GetFunction<uint?, string?>("call-find");
        Assert.Equal("***", find(3));
        Assert.Null(find(null));
        Assert.Equal("a,b,c,d,é,f,g,h,☃",
            i.GetFunction<(string, string, string, string, string, string, string, string, string), string>("call-join")(("a", "b", "c", "d", "é", "f", "g", "h", "☃")));
        i.GetAction<string>("call-log")("logged ☃");
        Assert.Equal(["logged ☃"], host.Logged);
        Assert.Equal(["a", "bc", "", "déf"], i.GetFunction<string, string[]>("call-words")("a bc  déf"));
        Assert.Equal(1u, i.GetFunction<uint>("call-count")());
        Assert.Equal(2u, i.GetFunction<uint>("call-count")());
        Assert.Equal(3.5f + 0x2603 + 1 - 3, i.GetFunction<double, Rune, bool, sbyte, float>("call-mix")(7, new Rune('☃'), true, -3));
        // The compiled path compiled glue (cached per signature: a second instance compiles nothing more).
        if (compile) Assert.True(CompiledImport.Count >= Imports.Length);
        int after = CompiledImport.Count;
        Linker(host, compile).Instantiate(new Store(), Component());
        Assert.Equal(after, CompiledImport.Count);
    }

    /// <summary>What calling <paramref name="f"/> came to: the trap's message, or null.</summary>
    private static string? TrapOf(Action f)
    {
        try
        {
            f();
            return null;
        }
        catch (TrapException e)
        {
            Assert.Equal(TrapCode.CanonicalAbi, e.Code);
            return e.Message;
        }
    }

    [Fact]
    public void BadCoreValuesTrapAsTheReferenceDoes()
    {
        string?[] Traps(bool compile)
        {
            var i = Linker(new Host(), compile).Instantiate(new Store(), Component());
            return
            [
                TrapOf(() => i.GetFunction<string>("bad-utf8")()),
                TrapOf(() => i.GetFunction<string>("bad-out")()),
                TrapOf(() => i.GetFunction<float>("bad-char")()),
                TrapOf(() => i.GetFunction<uint>("bad-case")()),
                TrapOf(() => i.GetFunction<uint>("leave")()),
            ];
        }
        var compiled = Traps(compile: true);
        Assert.Equal(Traps(compile: false), compiled);
        Assert.Contains("not UTF-8", compiled[0]);
        Assert.Contains("past the memory's end", compiled[1]);
        Assert.Contains("not a Unicode scalar value", compiled[2]);
        Assert.Contains("case 3 of a variant", compiled[3]);
        Assert.Contains("cannot leave component instance", compiled[4]);
    }

    [Theory, MemberData(nameof(Paths))]
    public void HostExceptionsSurfaceIntact(bool compile)
    {
        var linker = Linker(new Host(), compile).DefineFunction<string, string>("greet", name => throw new InvalidOperationException($"no greeting for {name}"));
        var i = linker.Instantiate(new Store(), Component());
        var e = Assert.Throws<InvalidOperationException>(() => i.GetFunction<string, string>("call-greet")("you"));
        Assert.Equal("no greeting for you", e.Message);
        // A result the type cannot carry is the host's error, not a trap.
        var nulls = Linker(new Host(), compile).DefineFunction("greet", (string _) => (string)null!).Instantiate(new Store(), Component());
        Assert.ThrowsAny<ArgumentException>(() => nulls.GetFunction<string, string>("call-greet")("you"));
    }

    [Fact]
    public void MisfitsNameTheImportAndTheParameter()
    {
        LinkException Misfit(ComponentLinker linker) => Assert.Throws<LinkException>(() => linker.Instantiate(new Store(), Component()));

        var parameter = Misfit(Linker(new Host(), true).DefineFunction("greet", (int name) => "x"));
        Assert.Equal("incompatible import type", parameter.Reason);
        Assert.Contains("`greet`", parameter.Message);
        Assert.Contains("parameter name", parameter.Message);
        Assert.Contains("Int32", parameter.Message);

        var result = Misfit(Linker(new Host(), true).DefineFunction("sum", (uint[] xs) => 1));
        Assert.Contains("`sum`", result.Message);
        Assert.Contains("the result", result.Message);

        var field = Misfit(Linker(new Host(), true).DefineFunction("flip", ((int, int) p) => new Point(0, 0)));
        Assert.Contains("`flip`", field.Message);
        Assert.Contains("parameter p", field.Message);

        var count = Misfit(Linker(new Host(), true).DefineFunction("mix", (double x, Rune c, bool b) => 1f));
        Assert.Contains("`mix`", count.Message);
        Assert.Contains("3 parameter(s)", count.Message);

        var nothing = Misfit(Linker(new Host(), true).DefineFunction("log", (string msg) => 1u));
        Assert.Contains("`log`", nothing.Message);
        Assert.Contains("returns nothing", nothing.Message);

        var sort = Misfit(Linker(new Host(), true).Define("point", ComponentLinker.TypedFunction((int x) => x)));
        Assert.Contains("`point` is imported as a type", sort.Message);
    }

    [Fact]
    public void CustomDelegatesTakeAGivenType()
    {
        var type = new ComponentFunctionType(new[] { new Field("xs", new ListType(P.U32)) }, P.U32);
        var linker = Linker(new Host(), true).DefineFunction("sum", type, (Summer)(xs => (uint)xs.Length * 1000));
        var i = linker.Instantiate(new Store(), Component());
        Assert.Equal(3000u, i.GetFunction<uint[], uint>("call-sum")([1, 2, 3]));
        // Checked when defined.
        var e = Assert.Throws<ArgumentException>(() => new ComponentLinker().DefineFunction("sum", type, (Func<string, uint>)(s => 0)));
        Assert.Contains("parameter xs", e.Message);
        // A given type is still checked against the import's.
        var wrong = new ComponentFunctionType(new[] { new Field("xs", new ListType(P.U32)) }, P.U64);
        var mismatch = Assert.Throws<LinkException>(() =>
            Linker(new Host(), true).DefineFunction("sum", wrong, (Func<uint[], ulong>)(xs => 0)).Instantiate(new Store(), Component()));
        Assert.Contains("`sum`", mismatch.Message);
    }

    /// <summary>Imports an instance (an interface) with a type and two functions, satisfied by typed functions.</summary>
    private const string InstanceText = $$"""
        (component
          (import "text" (instance $text
            (type $v' (variant (case "upper" string) (case "none")))
            (export "edit" (type $v (eq $v')))
            (export "apply" (func (param "s" string) (param "e" $v) (result string)))
            (export "size" (func (param "s" string) (result u32)))))
          (alias export $text "apply" (func $apply))
          (alias export $text "size" (func $size))
          (core module $Mem {{Allocator}})
          (core instance $mem (instantiate $Mem))
          (core func $apply' (canon lower (func $apply) {{Options}}))
          (core func $size' (canon lower (func $size) {{Options}}))
          (core module $M
            (import "" "apply" (func $apply (param i32 i32 i32 i32 i32 i32)))
            (import "" "size" (func $size (param i32 i32) (result i32)))
            (import "" "mem" (memory 1))
            (func (export "run") (param i32 i32) (result i32)
              (call $apply (local.get 0) (local.get 1) (i32.const 0) (local.get 0) (local.get 1) (i32.const 16))
              (call $size (i32.load (i32.const 16)) (i32.load (i32.const 20)))))
          (core instance $m (instantiate $M (with "" (instance (export "apply" (func $apply')) (export "size" (func $size'))
            (export "mem" (memory $mem "mem"))))))
          (func (export "run") (param "s" string) (result u32) (canon lift (core func $m "run") {{Options}})))
        """;

    public abstract record Edit
    {
        public sealed record Upper(string Value) : Edit;
        public sealed record None : Edit;
    }

    [Theory, MemberData(nameof(Paths))]
    public void TypedFunctionsSatisfyAnInstancesExports(bool compile)
    {
        var component = ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(InstanceText)));
        string? seen = null;
        var linker = new ComponentLinker { CompileHostFunctions = compile }.DefineInstance("text", new Dictionary<string, ComponentItem>
        {
            ["edit"] = new(Sort.Type, new VariantType(new[] { new Case("upper", P.String), new Case("none") })),
            ["apply"] = ComponentLinker.TypedFunction((string s, Edit e) => e is Edit.Upper u ? s.ToUpperInvariant() + u.Value : s),
            ["size"] = ComponentLinker.TypedFunction((string s) => { seen = s; return (uint)s.Length; }),
        });
        var run = linker.Instantiate(new Store(), component).GetFunction<string, uint>("run");
        Assert.Equal(6u, run("abc"));
        Assert.Equal("ABCabc", seen);
        var misfit = new ComponentLinker().DefineInstance("text", new Dictionary<string, ComponentItem>
        {
            ["edit"] = new(Sort.Type, new VariantType(new[] { new Case("upper", P.String), new Case("none") })),
            ["apply"] = ComponentLinker.TypedFunction((string s, Edit e) => s),
            ["size"] = ComponentLinker.TypedFunction((int s) => 0u),
        });
        var e = Assert.Throws<LinkException>(() => misfit.Instantiate(new Store(), component));
        Assert.Contains("`text#size`", e.Message);
        Assert.Contains("parameter s", e.Message);
    }
}
