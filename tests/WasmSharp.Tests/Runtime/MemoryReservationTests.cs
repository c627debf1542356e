using System.Runtime.CompilerServices;
using WasmSharp.Binary;
using static WasmSharp.Tests.Runtime.TestModule;

namespace WasmSharp.Tests.Runtime;

/// <summary>Runs alone: the count of live reservations is process-wide, so memories created by tests running in
/// parallel would make it drift.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReservationCountCollection
{
    public const string Name = "reservation count";
}

/// <summary>Every address-space reservation a memory makes is given back: a leak would not show in any result,
/// only in the process running out of address space after a few thousand 8 GiB reservations.</summary>
[Collection(ReservationCountCollection.Name)]
public class MemoryReservationTests
{
    private static MemoryType Type(ulong min, ulong? max = null) => new(new Limits(min, max));

    /// <summary>The live count once memories other tests dropped without disposing have been finalized.</summary>
    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return VirtualMemory.LiveReservations;
    }

    [Fact]
    public void ManyMemoriesCanBeCreatedAndFreed()
    {
        long start = Settled();
        for (int i = 0; i < 200; i++)
        {
            var store = new Store();
            for (int k = 1; k <= 1 + i % 3; k++)
            {
                var mem = new Memory(store, k == 2 ? Type(0, 0) : Type(1));
                Assert.Equal(start + k, VirtualMemory.LiveReservations);
                if (mem.Pages > 0) mem.Span[0] = 1;
            }
            store.Dispose();
            Assert.Equal(start, VirtualMemory.LiveReservations);
        }
    }

    [Fact]
    public void AMemoryIsReleasedOnceWhenDisposedBeforeItsStore()
    {
        long start = Settled();
        var store = new Store();
        var a = new Memory(store, Type(1));
        var b = new Memory(store, Type(1, 2));
        Assert.Equal(start + 2, VirtualMemory.LiveReservations);
        a.Dispose();
        Assert.Equal(start + 1, VirtualMemory.LiveReservations);
        a.Dispose();
        Assert.Equal(start + 1, VirtualMemory.LiveReservations);
        // The store disposes a again and b: only b's reservation is left to release.
        store.Dispose();
        Assert.Equal(start, VirtualMemory.LiveReservations);
        Assert.Equal(0, b.BasePointer);
        // A memory rejected for its size reserves nothing.
        using var other = new Store();
        Assert.Throws<WasmException>(() => new Memory(other, Type(65537)));
        Assert.Equal(start, VirtualMemory.LiveReservations);
    }

    [Fact]
    public void InstancesMemoriesAreReleasedWithTheStore()
    {
        long start = Settled();
        var store = new Store();
        var inst = new Linker().Instantiate(store, Module.FromBytes(Modules.Grow));
        Assert.Equal(start + 1, VirtualMemory.LiveReservations);
        Assert.Equal(1, inst.GetMemory("m")!.Grow(1));
        // Instantiation that traps in a data segment has already allocated its memory, and the store owns it.
        var trapping = new TestModule()
            .Memory(Type(1))
            .Data(SegmentMode.Active, 0, E(I32(65536)), [1])
            .Build();
        Assert.Throws<TrapException>(() => new Linker().Instantiate(store, trapping));
        Assert.Equal(start + 2, VirtualMemory.LiveReservations);
        store.Dispose();
        Assert.Equal(start, VirtualMemory.LiveReservations);
    }

    [Fact]
    public void AnAbandonedStoresMemoriesAreReleasedByTheFinalizer()
    {
        long start = Settled();
        Abandon(start);
        Assert.Equal(start, Settled());
    }

    /// <summary>Not inlined, so no reference to the store or its memories outlives the call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(long start)
    {
        var store = new Store();
        _ = new Memory(store, Type(1));
        _ = new Memory(store, Type(2));
        Assert.Equal(start + 2, VirtualMemory.LiveReservations);
    }
}
