namespace WasmSharp.Tests.Runtime;

/// <summary>Instantiation and calls through the reader, validator and interpreter, on modules from <see cref="Modules"/>.</summary>
public class EndToEndTests
{
    [Fact]
    public void TypedCallsRoundTrip()
    {
        using var store = new Store();
        var inst = new Linker().Instantiate(store, Module.FromBytes(Modules.Add));
        var add = inst.GetFunction<int, int, int>("add");
        Assert.Equal(5, add(2, 3));
        Assert.Equal(int.MinValue, add(int.MaxValue, 1));
        Assert.Equal(10.5, inst.GetFunction<long, float, double, int, double>("mix")(1, 2.5f, 3, 4));
        inst.GetAction("nop")();
        Assert.Equal(7, inst.GetFunction("add")!.Invoke(3, 4)[0].AsI32());
        Assert.Throws<WasmException>(() => inst.GetFunction<int, int>("add"));
    }

    [Fact]
    public void HostFunctionsAreCalledWithMarshalledValues()
    {
        using var store = new Store();
        var logged = new List<long>();
        var inst = new Linker()
            .DefineFunction("env", "mul", (int a, int b) => a * b)
            .DefineFunction("env", "log", (long x) => logged.Add(x))
            .Instantiate(store, Module.FromBytes(Modules.Host));
        Assert.Equal(49, inst.GetFunction<int, int>("sq")(7));
        inst.GetAction<int>("logsq")(-3);
        Assert.Equal([9L], logged);
    }

    [Fact]
    public void HostExceptionsSurfaceIntact()
    {
        using var store = new Store();
        var inst = new Linker()
            .DefineFunction("env", "mul", (int a, int b) => a == b ? throw new InvalidOperationException("from host") : a * b)
            .DefineFunction("env", "log", (long x) => { })
            .Instantiate(store, Module.FromBytes(Modules.Host));
        var sq = inst.GetFunction<int, int>("sq");
        Assert.Equal("from host", Assert.Throws<InvalidOperationException>(() => sq(2)).Message);
    }

    [Fact]
    public void StartFunctionRunsAfterDataSegments()
    {
        using var store = new Store();
        var inst = new Linker().Instantiate(store, Module.FromBytes(Modules.Start));
        Assert.Equal(42, inst.GetGlobal("g")!.Value.AsI32());
    }

    [Fact]
    public void TrapInStartKeepsSegmentWrites()
    {
        using var store = new Store();
        var memory = new Memory(store, new MemoryType(new Limits(1, null)));
        var linker = new Linker().Define("env", "m", memory);
        var e = Assert.Throws<TrapException>(() => linker.Instantiate(store, Module.FromBytes(Modules.StartTrap)));
        Assert.Equal("unreachable", e.Message);
        Assert.Equal(42, memory.Span[0]);
    }

    [Fact]
    public void FailedInstantiationLeavesCallableFunctionsInImportedTables()
    {
        using var store = new Store();
        var table = new Table(store, new TableType(ValueType.FuncRef, new Limits(2, null)), Value.Null(ValueType.FuncRef));
        var memory = new Memory(store, new MemoryType(new Limits(1, null)));
        var linker = new Linker().Define("env", "t", table).Define("env", "m", memory);
        var e = Assert.Throws<TrapException>(() => linker.Instantiate(store, Module.FromBytes(Modules.Partial)));
        Assert.Equal("out of bounds memory access", e.Message);
        Assert.Equal("hi"u8.ToArray(), memory.Span.Slice(8, 2).ToArray());
        Assert.Equal(0, memory.Span[65535]);
        var f = table.Get(1).AsFunction()!;
        Assert.Equal(7, f.AsFunc<int>()());
    }

    [Fact]
    public void MemoryGrowFromWasmKeepsTheBase()
    {
        using var store = new Store();
        var inst = new Linker().Instantiate(store, Module.FromBytes(Modules.Grow));
        var mem = inst.GetMemory("m")!;
        nint b = mem.BasePointer;
        var grow = inst.GetFunction<int, int>("grow");
        var store32 = inst.GetAction<int, int>("store");
        var load = inst.GetFunction<int, int>("load");
        Assert.Equal(1, grow(2));
        Assert.Equal(3, inst.GetFunction<int>("size")());
        Assert.Equal(-1, grow(2));
        Assert.Equal(3, grow(1));
        Assert.Equal(-1, grow(1));
        Assert.Equal(b, mem.BasePointer);
        store32(4 * 65536 - 4, 123);
        Assert.Equal(123, mem.Read<int>(4 * 65536 - 4));
        Assert.Equal(0, load(65536));
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => load(4 * 65536 - 3)).Message);
        mem.Grow(0);
        Assert.Equal(4UL, mem.Pages);
    }

    [Fact]
    public void TablesAndReferencesWorkThroughTheInterpreter()
    {
        using var store = new Store();
        var inst = new Linker().Instantiate(store, Module.FromBytes(Modules.Tables));
        var call = inst.GetFunction<int, int, int>("call");
        Assert.Equal(11, call(0, 10));
        Assert.Equal(20, call(1, 10));
        Assert.Equal(2, inst.GetFunction<int, int>("grow")(3));
        var t = inst.GetTable("t")!;
        Assert.Equal(5u, t.Size);
        Assert.Equal("uninitialized element", Assert.Throws<TrapException>(() => call(4, 1)).Message);
        inst.GetAction<int>("init")(3);
        Assert.Equal(20, call(3, 10));
        Assert.Equal(11, call(4, 10));
        Assert.Equal(-1, inst.GetFunction<int, int>("grow")(6));
        Assert.Throws<TrapException>(() => inst.GetAction<int>("init")(4));

        var o = new object();
        var id = inst.GetFunction("id")!;
        Assert.Same(o, id.Invoke(Value.ExternRef(o))[0].Reference);
        Assert.True(id.Invoke(Value.Null(ValueType.ExternRef))[0].IsNull);
    }
}
