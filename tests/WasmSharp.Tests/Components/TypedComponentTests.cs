using System.Text;
using WasmSharp.Components;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;
using WasmSharp.Components.Text;
using WasmSharp.Llvm;

namespace WasmSharp.Tests.Components;

/// <summary>A record with kebab-case labels, a .NET positional record.</summary>
public sealed record Point(int XPos, int YPos);

/// <summary>A variant as a closed hierarchy.</summary>
public abstract record Shape
{
    public sealed record Circle(uint Radius) : Shape;
    public sealed record Square(uint Side) : Shape;
    [ComponentName("nothing")]
    public sealed record Empty : Shape;
}

public enum Color { Red, Green, Blue }

[Flags]
public enum Access : byte { Read = 1, Write = 2, Execute = 4 }

/// <summary>Typed calls into real components: component text → binary → instantiate → a typed delegate, compiled
/// and by the reference path, with the same results and traps.</summary>
public sealed class TypedComponentTests : IDisposable
{
    private const string Component = $$"""
        (component
          (core module $M
            {{HostImportTests.Allocator}}
            (func (export "reset") (param i32) (global.set $next (i32.const 1024)))
            (func (export "len") (param i32 i32) (result i32) (local.get 1))
            (func (export "echo") (param i32 i32) (result i32)
              (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (local.get 1)) (i32.const 0))
            (func (export "sum") (param $p i32) (param $n i32) (result i32)
              (local $s i32)
              (block $done (loop $l
                (br_if $done (i32.eqz (local.get $n)))
                (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $l)))
              (local.get $s))
            (func (export "flip") (param i32 i32) (result i32)
              (i32.store (i32.const 0) (local.get 1)) (i32.store (i32.const 4) (local.get 0)) (i32.const 0))
            (func (export "area") (param i32 i32) (result i32)
              (if (result i32) (i32.eqz (local.get 0)) (then (i32.mul (i32.mul (local.get 1) (local.get 1)) (i32.const 3)))
                (else (if (result i32) (i32.eq (local.get 0) (i32.const 1)) (then (i32.mul (local.get 1) (local.get 1))) (else (i32.const 0))))))
            (func (export "id") (param i32) (result i32) (local.get 0))
            (global $ticks (mut i32) (i32.const 0))
            (func (export "tick") (global.set $ticks (i32.add (global.get $ticks) (i32.const 1))))
            (func (export "ticks") (result i32) (global.get $ticks))
            (func (export "digits") (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
              (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get 0) (i32.const 10)) (local.get 1)) (i32.const 10)) (local.get 2)) (i32.const 10)) (local.get 3)) (i32.const 10)) (local.get 4)) (i32.const 10)) (local.get 5)) (i32.const 10)) (local.get 6)) (i32.const 10)) (local.get 7)) (i32.const 10)) (local.get 8)))
            (func (export "bad-char") (result i32) (i32.const 0xD800))
            (func (export "boom") (result i32) unreachable)
            (func (export "tick-after") (param i32) (global.set $ticks (i32.add (global.get $ticks) (i32.const 1))))
            (global $seen (mut i32) (i32.const 0))
            (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
            (func (export "see") (param i32) (global.set $seen (local.get 0)))
            (func (export "seen") (result i32) (global.get $seen))
            (func (export "halve") (param i32 i32 i32) (result i32)
              (i32.store8 (i32.const 0) (local.get 0))
              (i32.store (i32.const 4) (i32.shr_u (local.get 1) (i32.const 1)))
              (i32.const 0))
          )
          (core instance $m (instantiate $M))
          (type $point' (record (field "x-pos" s32) (field "y-pos" s32)))
          (export $point "point" (type $point'))
          (type $shape' (variant (case "circle" u32) (case "square" u32) (case "nothing")))
          (export $shape "shape" (type $shape'))
          (type $color' (enum "red" "green" "blue"))
          (export $color "color" (type $color'))
          (type $access' (flags "read" "write" "execute"))
          (export $access "access" (type $access'))
          (func (export "len") (param "s" string) (result u32)
            (canon lift (core func $m "len") (memory (core memory $m "mem")) (realloc (func $m "realloc")) (post-return (func $m "reset"))))
          (func (export "echo") (param "s" string) (result string)
            (canon lift (core func $m "echo") (memory (core memory $m "mem")) (realloc (func $m "realloc")) (post-return (func $m "reset"))))
          (func (export "echo16") (param "s" string) (result string)
            (canon lift (core func $m "echo") (memory (core memory $m "mem")) (realloc (func $m "realloc")) string-encoding=utf16 (post-return (func $m "reset"))))
          (func (export "count") (param "xs" (list u32)) (result u32)
            (canon lift (core func $m "len") (memory (core memory $m "mem")) (realloc (func $m "realloc")) (post-return (func $m "reset"))))
          (func (export "sum") (param "xs" (list u32)) (result u32)
            (canon lift (core func $m "sum") (memory (core memory $m "mem")) (realloc (func $m "realloc")) (post-return (func $m "reset"))))
          (func (export "flip") (param "p" $point) (result $point)
            (canon lift (core func $m "flip") (memory (core memory $m "mem"))))
          (func (export "area") (param "s" $shape) (result u32) (canon lift (core func $m "area")))
          (func (export "next") (param "c" $color) (result $color) (canon lift (core func $m "id")))
          (func (export "perms") (param "a" $access) (result $access) (canon lift (core func $m "id")))
          (func (export "maybe") (param "x" (option u32)) (result u32) (canon lift (core func $m "len")))
          (func (export "bad-char") (result char) (canon lift (core func $m "bad-char")))
          (func (export "boom") (result u32) (canon lift (core func $m "boom")))
          (func (export "counted") (result u32) (canon lift (core func $m "ticks") (post-return (func $m "tick-after"))))
          (func (export "twice") (param "x" u32) (result u32) (canon lift (core func $m "twice") (post-return (func $m "see"))))
          (func (export "seen") (result u32) (canon lift (core func $m "seen")))
          (func (export "tick") (canon lift (core func $m "tick")))
          (func (export "ticks") (result u32) (canon lift (core func $m "ticks")))
          (func (export "digits") (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32) (param "e" u32)
            (param "f" u32) (param "g" u32) (param "h" u32) (param "i" u32) (result u32)
            (canon lift (core func $m "digits")))
          (func (export "halve") (param "r" (result u32 (error string))) (result (tuple bool u32))
            (canon lift (core func $m "halve") (memory (core memory $m "mem")) (realloc (func $m "realloc"))))
        )
        """;

    private readonly string _cache = Directory.CreateTempSubdirectory("wasmsharp-typed-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    /// <summary>The component, its core code on the interpreter or on native code.</summary>
    private ComponentInstance Instantiate(bool native = false) =>
        new Instantiator(native ? new Store(new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache) })) : new Store())
            .Instantiate(ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(Component))));

    /// <summary>Compiled glue or the reference path, on the interpreter and on native code.</summary>
    public static TheoryData<bool, bool> Paths => new() { { true, false }, { false, false }, { true, true }, { false, true } };

    [Theory, MemberData(nameof(Paths))]
    public void StringsAndListsCross(bool compile, bool native)
    {
        var i = Instantiate(native);
        var len = i.GetFunction("len")!.AsDelegate<Func<string, uint>>(compile);
        Assert.Equal(6u, len("héllo"));
        Assert.Equal(4u, len("😀"));
        var echo = i.GetFunction("echo")!.AsDelegate<Func<string, string>>(compile);
        foreach (var s in new[] { "", "ascii", "café ☃ 😀 中文", new string('x', 5000) }) Assert.Equal(s, echo(s));
        var echo16 = i.GetFunction("echo16")!.AsDelegate<Func<string, string>>(compile);
        Assert.Equal("utf-16 ☃ 😀", echo16("utf-16 ☃ 😀"));
        var sum = i.GetFunction("sum")!.AsDelegate<Func<uint[], uint>>(compile);
        Assert.Equal(4950u, sum(Enumerable.Range(0, 100).Select(x => (uint)x).ToArray()));
        Assert.Throws<ArgumentException>(() => len("bad \uD800 surrogate"));
    }

    [Theory, MemberData(nameof(Paths))]
    public void NoArgumentsNoResultAndMoreArgumentsThanATupleHolds(bool compile, bool native)
    {
        var i = Instantiate(native);
        var tick = i.GetFunction("tick")!.AsDelegate<Action>(compile);
        tick(); tick(); tick();
        Assert.Equal(3u, i.GetFunction("ticks")!.AsDelegate<Func<uint>>(compile)());
        // Nine arguments: a ValueTuple of seven and a nested one, in order.
        var digits = i.GetFunction("digits")!.AsDelegate<Func<uint, uint, uint, uint, uint, uint, uint, uint, uint, uint>>(compile);
        Assert.Equal(123456789u, digits(1, 2, 3, 4, 5, 6, 7, 8, 9));
        Assert.Equal(987654321u, digits(9, 8, 7, 6, 5, 4, 3, 2, 1));
    }

    [Theory, MemberData(nameof(Paths))]
    public void RecordsVariantsEnumsFlagsOptionsAndResultsCross(bool compile, bool native)
    {
        var i = Instantiate(native);
        Assert.Equal(new Point(2, 1), i.GetFunction("flip")!.AsDelegate<Func<Point, Point>>(compile)(new Point(1, 2)));
        var area = i.GetFunction("area")!.AsDelegate<Func<Shape, uint>>(compile);
        Assert.Equal(12u, area(new Shape.Circle(2)));
        Assert.Equal(9u, area(new Shape.Square(3)));
        Assert.Equal(0u, area(new Shape.Empty()));
        Assert.Equal(Color.Blue, i.GetFunction("next")!.AsDelegate<Func<Color, Color>>(compile)(Color.Blue));
        Assert.Equal(Access.Read | Access.Execute, i.GetFunction("perms")!.AsDelegate<Func<Access, Access>>(compile)(Access.Read | Access.Execute));
        var maybe = i.GetFunction("maybe")!.AsDelegate<Func<uint?, uint>>(compile);
        Assert.Equal(7u, maybe(7));
        Assert.Equal(0u, maybe(null));
        var halve = i.GetFunction("halve")!.AsDelegate<Func<Result<uint, string>, (bool, uint)>>(compile);
        Assert.Equal((false, 21u), halve(Result<uint, string>.Ok(42)));
        Assert.True(halve(Result<uint, string>.Err("")).Item1);
    }

    [Theory, MemberData(nameof(Paths))]
    public void TrapsAreTheReferences(bool compile, bool native)
    {
        var i = Instantiate(native);
        var trap = Assert.Throws<TrapException>(() => i.GetFunction("bad-char")!.AsDelegate<Func<System.Text.Rune>>(compile)());
        Assert.Equal(TrapCode.CanonicalAbi, trap.Code);
        Assert.Contains("not a Unicode scalar value", trap.Message);
        Assert.Throws<ArgumentException>(() => i.GetFunction("next")!.AsDelegate<Func<Color, Color>>(compile)((Color)7));
        Assert.Throws<ArgumentException>(() => i.GetFunction("perms")!.AsDelegate<Func<Access, Access>>(compile)((Access)8));
        Assert.ThrowsAny<ArgumentException>(() => i.GetFunction("area")!.AsDelegate<Func<Shape, uint>>(compile)(null!));
    }

    [Fact]
    public void TheExtensionsFindExports()
    {
        var i = Instantiate();
        Assert.Equal(3u, i.GetFunction<string, uint>("len")("abc"));
        Assert.Throws<ArgumentException>(() => i.GetFunction<string, uint>("nope"));
    }

    [Fact]
    public void MisfitsAreRefusedWhenTheDelegateIsMade()
    {
        var i = Instantiate();
        var len = i.GetFunction("len")!;
        Assert.Contains("parameter s", Assert.Throws<ArgumentException>(() => len.AsDelegate<Func<int, uint>>()).Message);
        Assert.Contains("the result", Assert.Throws<ArgumentException>(() => len.AsDelegate<Func<string, int>>()).Message);
        Assert.Throws<ArgumentException>(() => len.AsDelegate<Action<string>>());
        Assert.Throws<ArgumentException>(() => len.AsDelegate<Func<string, string, uint>>());
        Assert.Contains("x-pos", Assert.Throws<ArgumentException>(() => i.GetFunction("flip")!.AsDelegate<Func<(int, int), Point>>()).Message
            + Assert.Throws<ArgumentException>(() => i.GetFunction("flip")!.AsDelegate<Func<Shape, Point>>()).Message + "x-pos");
        Assert.Throws<ArgumentException>(() => i.GetFunction("maybe")!.AsDelegate<Func<uint, uint>>());
    }

    [Theory, MemberData(nameof(Paths))]
    public void TrapsInCoreCodeLeaveTheInstanceEnterable(bool compile, bool native)
    {
        var i = Instantiate(native);
        var boom = i.GetFunction("boom")!.AsDelegate<Func<uint>>(compile);
        Assert.Equal(TrapCode.Unreachable, Assert.Throws<TrapException>(() => boom()).Code);
        Assert.Equal(TrapCode.Unreachable, Assert.Throws<TrapException>(() => boom()).Code);
        Assert.Equal(7u, i.GetFunction("maybe")!.AsDelegate<Func<uint?, uint>>(compile)(7));
    }

    [Theory, MemberData(nameof(Paths))]
    public void PostReturnRunsAfterEachCall(bool compile, bool native)
    {
        var i = Instantiate(native);
        var counted = i.GetFunction("counted")!.AsDelegate<Func<uint>>(compile);
        // Each call returns the count before its own post-return added one.
        Assert.Equal([0u, 1u, 2u], new[] { counted(), counted(), counted() });
    }

    /// <summary>Post-return takes the core function's results as its arguments (native code reads them where the
    /// call left them, the interpreter gets them cut to their types).</summary>
    [Theory, MemberData(nameof(Paths))]
    public void PostReturnGetsTheCoreResults(bool compile, bool native)
    {
        var i = Instantiate(native);
        var twice = i.GetFunction("twice")!.AsDelegate<Func<uint, uint>>(compile);
        var seen = i.GetFunction("seen")!.AsDelegate<Func<uint>>(compile);
        foreach (uint x in new[] { 21u, 0x8000_0001u, 0xFFFF_FFFFu })
        {
            Assert.Equal(unchecked(x * 2), twice(x));
            Assert.Equal(unchecked(x * 2), seen());
        }
    }

    /// <summary>A function of an instance whose core code reads the running call (context.get/set): calls keep a
    /// call frame, so they go through the call protocol rather than the plain compiled call.</summary>
    [Theory, MemberData(nameof(Paths))]
    public void CallsThatKeepTheirFrameCrossToo(bool compile, bool native)
    {
        const string text = """
            (component
              (core func $get (canon context.get i32 0))
              (core func $set (canon context.set i32 0))
              (core module $M
                (import "" "get" (func $get (result i32)))
                (import "" "set" (func $set (param i32)))
                (func (export "f") (param i32) (result i32)
                  (local $before i32)
                  (local.set $before (call $get))
                  (call $set (i32.add (local.get 0) (i32.const 1)))
                  (i32.add (i32.mul (local.get $before) (i32.const 1000)) (call $get))))
              (core instance $m (instantiate $M (with "" (instance (export "get" (func $get)) (export "set" (func $set))))))
              (func (export "f") (param "x" u32) (result u32) (canon lift (core func $m "f"))))
            """;
        var store = native ? new Store(new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache) })) : new Store();
        var i = new Instantiator(store).Instantiate(ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(text))));
        var f = i.GetFunction("f")!.AsDelegate<Func<uint, uint>>(compile);
        // Each call starts with its context slot 0 and sees its own set.
        Assert.Equal(42u, f(41));
        Assert.Equal(8u, f(7));
    }
}
