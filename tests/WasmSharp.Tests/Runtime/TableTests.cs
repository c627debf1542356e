namespace WasmSharp.Tests.Runtime;

public class TableTests
{
    private static TableType Funcs(ulong min, ulong? max = null) => new(ValueType.FuncRef, new Limits(min, max));
    private static TableType Externs(ulong min, ulong? max = null) => new(ValueType.ExternRef, new Limits(min, max));

    private static HostFunction Nop(Store store) => new(store, FunctionType.Empty, (_, _) => { });

    [Fact]
    public void StartsFilledWithInit()
    {
        using var store = new Store();
        var f = Nop(store);
        var t = new Table(store, Funcs(3), Value.FuncRef(f));
        Assert.Equal(3u, t.Size);
        for (uint i = 0; i < 3; i++) Assert.Same(f, t.Get(i).AsFunction());
        Assert.Equal((ulong)f.Address + 1, t.Elements[0]);
        var empty = new Table(store, Funcs(2), Value.Null(ValueType.FuncRef));
        Assert.True(empty.Get(1).IsNull);
    }

    [Fact]
    public void GetSetAreBoundsChecked()
    {
        using var store = new Store();
        var t = new Table(store, Externs(2), Value.Null(ValueType.ExternRef));
        var o = new object();
        t.Set(1, Value.ExternRef(o));
        Assert.Same(o, t.Get(1).Reference);
        Assert.Equal("out of bounds table access", Assert.Throws<TrapException>(() => t.Get(2)).Message);
        Assert.Throws<TrapException>(() => t.Set(2, Value.ExternRef(o)));
        Assert.Throws<WasmException>(() => t.Set(0, Value.I32(1)));
        Assert.Throws<WasmException>(() => t.Set(0, Value.Null(ValueType.FuncRef)));
    }

    [Fact]
    public void GrowRespectsMaxAndLimit()
    {
        using var store = new Store();
        var f = Nop(store);
        var t = new Table(store, Funcs(1, 10), Value.Null(ValueType.FuncRef));
        Assert.Equal(1, t.Grow(4, Value.FuncRef(f)));
        Assert.Equal(5u, t.Size);
        Assert.True(t.Get(0).IsNull);
        Assert.Same(f, t.Get(4).AsFunction());
        Assert.Equal(5, t.Grow(0, Value.Null(ValueType.FuncRef)));
        Assert.Equal(-1, t.Grow(6, Value.Null(ValueType.FuncRef)));
        Assert.Equal(5, t.Grow(5, Value.Null(ValueType.FuncRef)));
        Assert.Equal(new Limits(10, 10), t.Type.Limits);

        var unbounded = new Table(store, Funcs(0), Value.Null(ValueType.FuncRef));
        Assert.Equal(-1, unbounded.Grow(uint.MaxValue, Value.Null(ValueType.FuncRef)));
        Assert.Equal(-1, unbounded.Grow(Table.MaxElements + 1, Value.Null(ValueType.FuncRef)));
        Assert.Equal(0, unbounded.Grow(100, 0));
        Assert.Equal(0u, unbounded.Get(99).Bits);
    }

    [Fact]
    public void TooLargeMinimumIsRejected()
    {
        using var store = new Store();
        Assert.Throws<WasmException>(() => new Table(store, Funcs(uint.MaxValue), Value.Null(ValueType.FuncRef)));
        Assert.Throws<WasmException>(() => new Table(store, Funcs(1), Value.Null(ValueType.ExternRef)));
        Assert.Throws<WasmException>(() => new Table(store, new TableType(ValueType.I32, new Limits(1, null)), Value.I32(0)));
    }

    [Fact]
    public void FillChecksBeforeWriting()
    {
        using var store = new Store();
        var t = new Table(store, Externs(4), Value.Null(ValueType.ExternRef));
        t.Fill(1, 7, 2);
        Assert.Equal(new ulong[] { 0, 7, 7, 0 }, t.Elements[..4].ToArray());
        Assert.Throws<TrapException>(() => t.Fill(3, 9, 2));
        Assert.Equal(0UL, t.Elements[3]);
        t.Fill(4, 9, 0);
        Assert.Throws<TrapException>(() => t.Fill(5, 9, 0));
    }

    [Fact]
    public void CopyHandlesOverlapAndBounds()
    {
        using var store = new Store();
        var t = new Table(store, Externs(6), Value.Null(ValueType.ExternRef));
        for (int i = 0; i < 6; i++) t.Elements[i] = (ulong)i + 1;
        t.Copy(t, 1, 0, 4);
        Assert.Equal(new ulong[] { 1, 1, 2, 3, 4, 6 }, t.Elements[..6].ToArray());
        t.Copy(t, 0, 2, 4);
        Assert.Equal(new ulong[] { 2, 3, 4, 6, 4, 6 }, t.Elements[..6].ToArray());
        var other = new Table(store, Externs(2), Value.Null(ValueType.ExternRef));
        Assert.Throws<TrapException>(() => other.Copy(t, 0, 5, 2));
        Assert.Throws<TrapException>(() => t.Copy(other, 5, 0, 2));
        Assert.Equal(new ulong[] { 0, 0 }, other.Elements[..2].ToArray());
        other.Copy(t, 1, 5, 1);
        Assert.Equal(6UL, other.Elements[1]);
        t.Copy(other, 6, 2, 0);
    }

    [Fact]
    public void InitChecksSegmentAndTable()
    {
        using var store = new Store();
        var t = new Table(store, Externs(4), Value.Null(ValueType.ExternRef));
        ulong[] seg = [5, 6, 7];
        t.Init(1, seg, 1, 2);
        Assert.Equal(new ulong[] { 0, 6, 7, 0 }, t.Elements[..4].ToArray());
        Assert.Throws<TrapException>(() => t.Init(0, seg, 2, 2));
        Assert.Throws<TrapException>(() => t.Init(3, seg, 0, 2));
        Assert.Equal(0UL, t.Elements[3]);
        t.Init(4, seg, 3, 0);
        Assert.Throws<TrapException>(() => t.Init(0, seg, 4, 0));
    }

    [Fact]
    public void ReferencesFromAnotherStoreAreRejected()
    {
        using var store = new Store();
        using var other = new Store();
        var t = new Table(store, Funcs(1), Value.Null(ValueType.FuncRef));
        Assert.Throws<WasmException>(() => t.Set(0, Value.FuncRef(Nop(other))));
    }
}
