using System.Text;
using WasmSharp.Components;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;
using WasmSharp.Components.Text;

namespace WasmSharp.Tests.Components;

/// <summary>own and borrow handles as <see cref="Resource"/>s the host holds, on the compiled and the reference
/// path: made by an export, lent, moved back, and dropped with the destructor run.</summary>
public class TypedResourceTests
{
    /// <summary>A resource R whose destructor counts; make returns a new one (rep 100, 101, ...), rep-of reads a
    /// borrowed one, consume takes one and drops it, dropped says how many destructors ran.</summary>
    private const string Counter = """
        (component
          (core module $Dtor
            (global $dropped (mut i32) (i32.const 0))
            (func (export "dtor") (param i32) (global.set $dropped (i32.add (global.get $dropped) (i32.const 1))))
            (func (export "dropped") (result i32) (global.get $dropped)))
          (core instance $d (instantiate $Dtor))
          (type $R (resource (rep i32) (dtor (func $d "dtor"))))
          (canon resource.new $R (core func $new))
          (canon resource.drop $R (core func $drop))
          (core module $M
            (import "" "new" (func $new (param i32) (result i32)))
            (import "" "drop" (func $drop (param i32)))
            (global $next (mut i32) (i32.const 100))
            (func (export "make") (result i32)
              (global.set $next (i32.add (global.get $next) (i32.const 1)))
              (call $new (i32.sub (global.get $next) (i32.const 1))))
            (func (export "rep-of") (param i32) (result i32) (local.get 0))
            (func (export "consume") (param $h i32) (result i32) (call $drop (local.get $h)) (i32.const 1)))
          (core instance $m (instantiate $M (with "" (instance (export "new" (func $new)) (export "drop" (func $drop))))))
          (export $R' "r" (type $R))
          (func (export "make") (result (own $R')) (canon lift (core func $m "make")))
          (func (export "rep-of") (param "r" (borrow $R')) (result u32) (canon lift (core func $m "rep-of")))
          (func (export "consume") (param "r" (own $R')) (result u32) (canon lift (core func $m "consume")))
          (func (export "dropped") (result u32) (canon lift (core func $d "dropped"))))
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ResourcesAreMadeLentMovedAndDropped(bool compile)
    {
        var instance = new ComponentLinker().Instantiate(new Store(), ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(Counter))));
        var make = instance.GetFunction("make")!.AsDelegate<Func<Resource>>(compile);
        var repOf = instance.GetFunction("rep-of")!.AsDelegate<Func<Resource, uint>>(compile);
        var consume = instance.GetFunction("consume")!.AsDelegate<Func<Resource, uint>>(compile);
        var dropped = instance.GetFunction("dropped")!.AsDelegate<Func<uint>>(compile);

        using var first = make();
        Assert.Equal(100u, first.Rep);
        Assert.Equal(100u, repOf(first)); // lent: a component implementing R sees its representation
        Assert.Equal(100u, repOf(first)); // and the host still owns it

        var second = make();
        Assert.Equal(1u, consume(second)); // moved in, dropped there: the destructor runs
        Assert.True(second.IsMoved);
        Assert.Equal(1u, dropped());
        Assert.Throws<ObjectDisposedException>(() => repOf(second));
        second.Dispose(); // nothing: the callee owned it

        first.Dispose();
        Assert.True(first.IsDropped);
        Assert.Equal(2u, dropped());
        Assert.Throws<ObjectDisposedException>(() => first.Rep);
    }

    [Fact]
    public void AResourceOfAnotherTypeIsRefused()
    {
        var store = new Store();
        var a = new ComponentLinker().Instantiate(store, ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(Counter))));
        var b = new ComponentLinker().Instantiate(store, ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(Counter))));
        using var fromA = a.GetFunction<Resource>("make")();
        var e = Assert.Throws<ArgumentException>(() => b.GetFunction<Resource, uint>("rep-of")(fromA));
        Assert.Contains("resource", e.Message);
        Assert.False(fromA.IsMoved);
    }

    [Fact]
    public void HandlesNeedTheResourceType()
    {
        var instance = new ComponentLinker().Instantiate(new Store(), ComponentReader.Read(ComponentText.ParseFile(Encoding.UTF8.GetBytes(Counter))));
        var e = Assert.Throws<ArgumentException>(() => instance.GetFunction<uint>("make"));
        Assert.Contains("Resource", e.Message);
    }
}
