namespace WasmSharp.Tests.Runtime;

public class MemoryTests
{
    private static MemoryType Type(ulong min, ulong? max = null) => new(new Limits(min, max));

    [Fact]
    public void StartsZeroedWithMinPages()
    {
        using var store = new Store();
        var mem = new Memory(store, Type(2, 5));
        Assert.Equal(2UL, mem.Pages);
        Assert.Equal(2UL * 65536, mem.Length);
        Assert.True(mem.Span.IndexOfAnyExcept((byte)0) < 0);
        Assert.NotEqual(0, mem.BasePointer);
    }

    [Fact]
    public void GrowReturnsOldSizeAndMinusOneBeyondMax()
    {
        using var store = new Store();
        var mem = new Memory(store, Type(1, 3));
        Assert.Equal(1, mem.Grow(1));
        Assert.Equal(2, mem.Grow(0));
        Assert.Equal(2, mem.Grow(1));
        Assert.Equal(-1, mem.Grow(1));
        Assert.Equal(3UL, mem.Pages);
        Assert.Equal(new Limits(3, 3), mem.Type.Limits);
    }

    [Fact]
    public void GrowWithoutMaxStopsAt65536Pages()
    {
        using var store = new Store();
        var mem = new Memory(store, Type(0));
        Assert.Equal(-1, mem.Grow(65537));
        Assert.Equal(-1, mem.Grow(ulong.MaxValue));
        Assert.Equal(0UL, mem.Pages);
        Assert.Equal(0, mem.Grow(1));
        Assert.Equal(-1, mem.Grow(65536));
    }

    [Fact]
    public void FullFourGiBMemoryIsAddressable()
    {
        using var store = new Store();
        var mem = new Memory(store, Type(0));
        Assert.Equal(0, mem.Grow(65536));
        Assert.Equal(1UL << 32, mem.Length);
        mem.Write((1UL << 32) - 4, 0x01020304);
        Assert.Equal(0x01020304, mem.Read<int>((1UL << 32) - 4));
        Assert.Equal(0, mem.Read<int>(1UL << 31));
        Assert.Throws<WasmException>(() => mem.Span.Length);
        Assert.Equal(-1, mem.Grow(1));
    }

    [Fact]
    public unsafe void BaseIsStableAcrossGrowAndDataSurvives()
    {
        using var store = new Store();
        var mem = new Memory(store, Type(1));
        nint before = mem.BasePointer;
        mem.Span[65535] = 0xAB;
        Assert.Equal(1, mem.Grow(10));
        Assert.Equal(before, mem.BasePointer);
        Assert.Equal(0xAB, mem.Span[65535]);
        Assert.True(mem.Span[65536..].IndexOfAnyExcept((byte)0) < 0);
        ((byte*)mem.BasePointer)[11 * 65536 - 1] = 7;
        Assert.Equal(7, mem.Read<byte>(11 * 65536 - 1));
    }

    [Fact]
    public void AccessesAreBoundsChecked()
    {
        using var store = new Store();
        var mem = new Memory(store, Type(1));
        mem.Write(65532, 42);
        Assert.Equal(42, mem.Read<int>(65532));
        var e = Assert.Throws<TrapException>(() => mem.Read<int>(65533));
        Assert.Equal("out of bounds memory access", e.Message);
        Assert.Throws<TrapException>(() => mem.Write(ulong.MaxValue - 1, 1L));
        Assert.Throws<TrapException>(() => mem.GetSpan(65536, 1));
        Assert.Equal(0, mem.GetSpan(65536, 0).Length);
        Assert.Throws<TrapException>(() => mem.GetSpan(0, -1));
    }

    [Fact]
    public void InitFillCopyCheckBeforeWriting()
    {
        using var store = new Store();
        var mem = new Memory(store, Type(1));
        byte[] data = [1, 2, 3, 4];
        mem.Init(10, data, 1, 3);
        Assert.Equal(new byte[] { 2, 3, 4, 0 }, mem.Span.Slice(10, 4).ToArray());
        Assert.Throws<TrapException>(() => mem.Init(65534, data, 0, 4));
        Assert.Equal(0, mem.Span[65534]);
        Assert.Throws<TrapException>(() => mem.Init(0, data, 2, 3));
        mem.Init(65536, data, 4, 0);
        Assert.Throws<TrapException>(() => mem.Init(65537, data, 0, 0));

        mem.Fill(100, 9, 5);
        Assert.Equal(new byte[] { 0, 9, 9, 9, 9, 9, 0 }, mem.Span.Slice(99, 7).ToArray());
        Assert.Throws<TrapException>(() => mem.Fill(65530, 1, 7));
        Assert.Equal(0, mem.Span[65530]);

        mem.Copy(mem, 102, 100, 5); // overlapping, forward
        Assert.Equal(new byte[] { 9, 9, 9, 9, 9, 9, 9, 0 }, mem.Span.Slice(100, 8).ToArray());
        Assert.Throws<TrapException>(() => mem.Copy(mem, 65535, 0, 2));
        var other = new Memory(store, Type(1));
        other.Copy(mem, 0, 10, 3);
        Assert.Equal(new byte[] { 2, 3, 4 }, other.Span[..3].ToArray());
    }

    [Fact]
    public void TooLargeMinimumIsRejected()
    {
        using var store = new Store();
        Assert.Throws<WasmException>(() => new Memory(store, Type(65537)));
    }

    [Fact]
    public void DisposeFreesAndLeavesAnEmptyMemory()
    {
        var store = new Store();
        var mem = new Memory(store, Type(1));
        mem.Dispose();
        Assert.Equal(0, mem.BasePointer);
        Assert.Equal(0UL, mem.Pages);
        Assert.Equal(-1, mem.Grow(1));
        Assert.Throws<TrapException>(() => mem.Read<byte>(0));
        mem.Dispose();
        store.Dispose();
    }

    [Fact]
    public void StoreDisposeFreesItsMemories()
    {
        var store = new Store();
        var a = new Memory(store, Type(1));
        var b = new Memory(store, Type(0, 0));
        store.Dispose();
        Assert.Equal(0, a.BasePointer);
        Assert.Equal(0, b.BasePointer);
    }
}
