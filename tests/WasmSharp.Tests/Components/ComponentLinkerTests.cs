using System.Text;
using WasmSharp.Components;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;
using WasmSharp.Components.Text;
using P = WasmSharp.Components.PrimitiveType;

namespace WasmSharp.Tests.Components;

/// <summary>Imports satisfied by .NET functions and by other components' instances through
/// <see cref="ComponentLinker"/>, with their types checked before anything runs.</summary>
public class ComponentLinkerTests
{
    private static ComponentInfo Component(string text) => ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(text)));

    /// <summary>A bump allocator that keeps the contents on reallocation, as realloc must.</summary>
    private const string Allocator = """
            (memory (export "mem") 1)
            (global $next (mut i32) (i32.const 1024))
            (func (export "realloc") (param i32 i32 i32 i32) (result i32)
              (local $r i32)
              (local.set $r (i32.and (i32.add (global.get $next) (i32.const 7)) (i32.const -8)))
              (global.set $next (i32.add (local.get $r) (local.get 3)))
              (memory.copy (local.get $r) (local.get 0) (local.get 1))
              (local.get $r))
        """;

    /// <summary>Imports log: func(msg: string) -> u32 and exports run: func() -> u32, which logs "hello".</summary>
    private static readonly string Logger = $$"""
        (component
          (import "log" (func $log (param "msg" string) (result u32)))
          (core module $Mem {{Allocator}})
          (core instance $mem (instantiate $Mem))
          (core func $log' (canon lower (func $log) (memory (core memory $mem "mem")) (realloc (func $mem "realloc"))))
          (core module $M
            (import "" "mem" (memory 1))
            (import "" "log" (func $log (param i32 i32) (result i32)))
            (data (i32.const 100) "hello")
            (func (export "run") (result i32) (call $log (i32.const 100) (i32.const 5))))
          (core instance $m (instantiate $M (with "" (instance (export "mem" (memory $mem "mem")) (export "log" (func $log'))))))
          (func (export "run") (result u32) (canon lift (core func $m "run"))))
        """;

    [Fact]
    public void HostFunctionsSatisfyImports()
    {
        string? logged = null;
        var linker = new ComponentLinker().DefineFunction("log", new ComponentFunctionType(new[] { new Field("msg", P.String) }, P.U32), args =>
        {
            logged = ((StringValue)args[0]).Value;
            return new IntegerValue(Primitive.U32, logged.Length);
        });
        var instance = linker.Instantiate(new Store(), Component(Logger));
        Assert.Equal(new IntegerValue(Primitive.U32, 5), instance.GetFunction("run")!.Invoke());
        Assert.Equal("hello", logged);
    }

    [Fact]
    public void ImportsAreCheckedBeforeAnythingRuns()
    {
        bool called = false;
        var wrong = new ComponentLinker().DefineFunction("log", new ComponentFunctionType(new[] { new Field("msg", P.String) }, P.S32), _ =>
        {
            called = true;
            return new IntegerValue(Primitive.S32, 0);
        });
        var e = Assert.Throws<LinkException>(() => wrong.Instantiate(new Store(), Component(Logger)));
        Assert.Equal("incompatible import type", e.Reason);
        Assert.Contains("`log`", e.Message);
        Assert.False(called);

        var missing = Assert.Throws<LinkException>(() => new ComponentLinker().Instantiate(new Store(), Component(Logger)));
        Assert.Equal("unknown import", missing.Reason);
        Assert.Contains("log", missing.Message);
    }

    /// <summary>Exports upper: func(s: string) -> string, ASCII letters made uppercase in place.</summary>
    private static readonly string Upper = $$"""
        (component
          (core module $M {{Allocator}}
            (func (export "upper") (param $p i32) (param $n i32) (result i32)
              (local $i i32) (local $c i32)
              (block $done (loop $next
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))
                (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))
                  (then (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.sub (local.get $c) (i32.const 32)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
              (i32.store (i32.const 0) (local.get $p))
              (i32.store (i32.const 4) (local.get $n))
              (i32.const 0)))
          (core instance $m (instantiate $M))
          (func (export "upper") (param "s" string) (result string)
            (canon lift (core func $m "upper") (memory (core memory $m "mem")) (realloc (func $m "realloc")))))
        """;

    /// <summary>Imports an instance with upper and exports shout, which calls it and adds nothing.</summary>
    private static readonly string Shouter = $$"""
        (component
          (import "text" (instance $text (export "upper" (func (param "s" string) (result string)))))
          (core module $Mem {{Allocator}})
          (core instance $mem (instantiate $Mem))
          (core func $upper (canon lower (func $text "upper") (memory (core memory $mem "mem")) (realloc (func $mem "realloc"))))
          (core module $M
            (import "" "upper" (func $upper (param i32 i32 i32)))
            (func (export "shout") (param i32 i32) (result i32)
              (call $upper (local.get 0) (local.get 1) (i32.const 16))
              (i32.const 16)))
          (core instance $m (instantiate $M (with "" (instance (export "upper" (func $upper))))))
          (func (export "shout") (param "s" string) (result string)
            (canon lift (core func $m "shout") (memory (core memory $mem "mem")) (realloc (func $mem "realloc")))))
        """;

    [Fact]
    public void ComponentsLinkToComponents()
    {
        var store = new Store();
        var upper = new ComponentLinker().Instantiate(store, Component(Upper));
        var shouter = new ComponentLinker().DefineInstance("text", upper).Instantiate(store, Component(Shouter));
        // Each string crosses two boundaries: host → shouter's memory, shouter's memory → upper's memory and back.
        Assert.Equal(new StringValue("HELLO, WÖRLD"), shouter.GetFunction("shout")!.Invoke(new StringValue("hello, wÖrld")));
    }

    [Fact]
    public void AComponentIsCompiledOnceAndInstantiatedOften()
    {
        var component = WasmSharp.Components.Runtime.Component.FromBytes(Encoding.UTF8.GetBytes(Upper));
        Assert.Equal("upper", Assert.Single(component.Type.Exports).Name);
        var store = new Store();
        var a = new ComponentLinker().Instantiate(store, component);
        var b = new ComponentLinker().Instantiate(store, component);
        Assert.Equal(new StringValue("ABC"), a.GetFunction("upper")!.Invoke(new StringValue("abc")));
        Assert.Equal(new StringValue("XY"), b.GetFunction("upper")!.Invoke(new StringValue("xy")));
        // Each instance has its own core instance (and memory) of the one compiled module.
        Assert.NotSame(a.State, b.State);

        var other = new Store(new Engine());
        var e = Assert.Throws<WasmException>(() => new ComponentLinker().Instantiate(other, component));
        Assert.Contains("another engine", e.Message);
    }

    [Fact]
    public void AnInstanceMissingAnExportDoesNotLink()
    {
        var store = new Store();
        var logger = new ComponentLinker().DefineFunction("log", new ComponentFunctionType(new[] { new Field("msg", P.String) }, P.U32),
            _ => new IntegerValue(Primitive.U32, 0)).Instantiate(store, Component(Logger));
        var e = Assert.Throws<LinkException>(() => new ComponentLinker().DefineInstance("text", logger).Instantiate(store, Component(Shouter)));
        Assert.Contains("missing expected export `upper`", e.Message);
    }
}
