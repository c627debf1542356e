using WasmSharp.Components;

namespace WasmSharp.Tests.Components;

/// <summary>Handle tables and resources (definitions.py: Table, canon resource.new/.rep/.drop, lift_own,
/// lift_borrow, lower_own, lower_borrow, Task.return_ and Subtask.deliver_resolve).</summary>
public class CanonicalResourceTests
{
    private readonly List<uint> _destroyed = [];
    private readonly ResourceType _r;
    private readonly ResourceType _other = new("other");

    public CanonicalResourceTests() => _r = new ResourceType("r") { Destructor = _destroyed.Add };

    private static string Trap(Action action)
    {
        var trap = Assert.Throws<TrapException>(action);
        Assert.Equal(TrapCode.CanonicalAbi, trap.Code);
        return trap.Message;
    }

    [Fact]
    public void TablesSkipIndexZeroAndReuseTheLastFreedFirst()
    {
        var table = new HandleTable();
        Assert.Equal([1u, 2u, 3u], new[] { table.Add("a"), table.Add("b"), table.Add("c") });
        Assert.Equal("b", table.Remove(2));
        Assert.Equal(2u, table.Add("d"));
        table.Remove(1);
        table.Remove(3);
        Assert.Equal([3u, 1u, 4u], new[] { table.Add("e"), table.Add("f"), table.Add("g") });
        Assert.Equal(4, table.Count);
        Assert.Equal("unknown handle index 0", Trap(() => table.Get(0)));
        Assert.Equal("unknown handle index 9", Trap(() => table.Get(9)));
        table.Remove(4);
        Assert.Equal("unknown handle index 4", Trap(() => table.Remove(4)));
    }

    [Fact]
    public void ResourcesAreMadeReadAndDropped()
    {
        var table = new HandleTable();
        uint h = CanonicalResources.New(table, _r, 42);
        Assert.Equal(42u, CanonicalResources.Rep(table, _r, h));
        Assert.Equal("handle 1 is a r, not a other", Trap(() => CanonicalResources.Rep(table, _other, h)));
        uint s = table.Add("not a resource");
        Assert.Equal("handle 2 is not a resource handle", Trap(() => CanonicalResources.Drop(table, _r, s)));
        CanonicalResources.Drop(table, _r, h);
        Assert.Equal([42u], _destroyed);
        Assert.Equal("unknown handle index 1", Trap(() => CanonicalResources.Rep(table, _r, h)));
    }

    [Fact]
    public void OwnershipMovesAndABorrowIsLentForTheCall()
    {
        var own = new OwnType(_r);
        var borrow = new BorrowType(_r);
        var caller = new HandleTable();
        var callee = new HandleTable();
        uint h = CanonicalResources.New(caller, _r, 7);

        // The caller lends h to a call: the callee gets a borrowed handle it must drop before returning.
        var call = new Subcall();
        uint rep = CanonicalResources.LiftBorrow(caller, h, borrow, call);
        Assert.Equal("handle 1 is lent to a call in progress", Trap(() => CanonicalResources.Drop(caller, _r, h)));
        Assert.Equal("handle 1 is lent to a call in progress", Trap(() => CanonicalResources.LiftOwn(caller, h, own)));
        var task = new CallTask();
        uint b = CanonicalResources.LowerBorrow(callee, rep, borrow, task, instance: "callee");
        Assert.Equal("handle 1 is borrowed, not owned", Trap(() => CanonicalResources.LiftOwn(callee, b, own)));
        Assert.Equal("the call returned holding 1 borrowed handle(s)", Trap(task.Return));
        CanonicalResources.Drop(callee, _r, b);
        Assert.Empty(_destroyed); // a borrow's drop runs no destructor
        task.Return();
        call.Resolve();

        // Now h may move: lifting takes it out of the caller, lowering makes a new owning handle in the callee.
        Assert.Equal(7u, CanonicalResources.LiftOwn(caller, h, own));
        Assert.Equal("unknown handle index 1", Trap(() => caller.Get(h)));
        uint moved = CanonicalResources.LowerOwn(callee, 7, own);
        CanonicalResources.Drop(callee, _r, moved);
        Assert.Equal([7u], _destroyed);
    }

    [Fact]
    public void ABorrowIntoTheImplementingInstancePassesTheRepresentation()
    {
        var implementer = new object();
        var r = new ResourceType("r") { Implementation = implementer };
        var table = new HandleTable();
        var task = new CallTask();
        Assert.Equal(99u, CanonicalResources.LowerBorrow(table, 99, new BorrowType(r), task, implementer));
        Assert.Equal(0, table.Count);
        Assert.Equal(0, task.Borrows);
        task.Return();
    }

    [Fact]
    public void HandlesCrossThroughMemoryAndCoreValues()
    {
        var memory = new byte[256];
        var table = new HandleTable();
        var task = new CallTask();
        var options = new CanonicalOptions(() => memory, Resources: new ResourceScope(table, Task: task, Subcall: new Subcall()));
        var record = new RecordType(new[] { new Field("owned", new OwnType(_r)), new Field("lent", new BorrowType(_r)) });
        var value = new RecordValue(new (string, ComponentValue)[] { ("owned", new ResourceValue(_r, 5)), ("lent", new ResourceValue(_r, 6)) });

        CanonicalAbi.Store(options, value, record, 16);
        Assert.Equal(2, table.Count);
        Assert.Equal(1, task.Borrows);
        Assert.Equal(value, CanonicalAbi.Load(options, 16, record));
        Assert.Equal(1, table.Count); // the owned handle moved out; the borrowed one stays, lent

        var flat = CanonicalAbi.LowerFlatValues(options, 16, [new ResourceValue(_r, 8)], [new OwnType(_r)]);
        Assert.Equal([new ResourceValue(_r, 8)], CanonicalAbi.LiftFlatValues(options, 16, flat, [new OwnType(_r)]));
        Assert.Throws<ArgumentException>(() => CanonicalAbi.Store(options, new ResourceValue(_other, 1), new OwnType(_r), 0));
        Assert.Throws<InvalidOperationException>(() =>
            CanonicalAbi.Store(options with { Resources = new ResourceScope(table) }, new ResourceValue(_r, 1), new BorrowType(_r), 0));
        CanonicalAbi.Store(options, new ResourceValue(_r, 3), new OwnType(_r), 0);
        Assert.Equal("handle 1 is a r, not a other", Trap(() => CanonicalAbi.Load(options, 0, new OwnType(_other))));
    }
}
