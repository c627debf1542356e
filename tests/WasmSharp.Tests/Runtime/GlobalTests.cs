namespace WasmSharp.Tests.Runtime;

public class GlobalTests
{
    [Fact]
    public void ImmutableGlobalCannotBeSet()
    {
        using var store = new Store();
        var g = new Global(store, new GlobalType(ValueType.I32, false), Value.I32(5));
        Assert.Equal(5, g.Value.AsI32());
        Assert.Throws<WasmException>(() => g.Value = Value.I32(6));
        Assert.Equal(5, g.Value.AsI32());
    }

    [Fact]
    public void MutableGlobalCanBeSetWithItsType()
    {
        using var store = new Store();
        var g = new Global(store, new GlobalType(ValueType.F64, true), Value.F64(1.5));
        g.Value = Value.F64(-2.25);
        Assert.Equal(-2.25, g.Value.AsF64());
        Assert.Throws<WasmException>(() => g.Value = Value.F32(1));
        Assert.Throws<WasmException>(() => new Global(store, new GlobalType(ValueType.I64, true), Value.I32(1)));
    }

    [Fact]
    public void KeepsExactBits()
    {
        using var store = new Store();
        var nan = new Global(store, new GlobalType(ValueType.F32, false), Value.F32Bits(0x7fa00001));
        Assert.Equal(0x7fa00001UL, nan.Value.Bits);
        var v = new Global(store, new GlobalType(ValueType.V128, true), Value.V128(1, 2));
        Assert.Equal(Value.V128(1, 2), v.Value);
        Assert.Equal(1UL, v.Bits);
        Assert.Equal(2UL, v.HighBits);
        var neg = new Global(store, new GlobalType(ValueType.I32, false), Value.I32(-1));
        Assert.Equal(0xFFFF_FFFFUL, neg.Bits);
    }

    [Fact]
    public void HoldsReferences()
    {
        using var store = new Store();
        var f = new HostFunction(store, FunctionType.Empty, (_, _) => { });
        var g = new Global(store, new GlobalType(ValueType.FuncRef, true), Value.FuncRef(f));
        Assert.Same(f, g.Value.AsFunction());
        Assert.Equal((ulong)f.Address + 1, g.Bits);
        g.Value = Value.Null(ValueType.FuncRef);
        Assert.True(g.Value.IsNull);
        var o = "host object";
        var e = new Global(store, new GlobalType(ValueType.ExternRef, false), Value.ExternRef(o));
        Assert.Same(o, e.Value.Reference);
        Assert.Equal(ValueType.ExternRef, e.Value.Type);
    }

    [Fact]
    public void AGlobalIsOneCellForTheHostAndEveryInstanceThatImportsIt()
    {
        using var store = new Store();
        var g = new Global(store, new GlobalType(ValueType.I32, true), Value.I32(10));
        var v = new Global(store, new GlobalType(ValueType.V128, true), Value.V128(0x0000_0002_0000_0001, 0x0000_0004_0000_0003));
        var linker = new Linker().Define("env", "g", g).Define("env", "v", v);
        var module = Module.FromBytes(Modules.SharedGlobals);
        var a = linker.Instantiate(store, module);
        var b = linker.Instantiate(store, module);
        Assert.Equal(11, a.GetFunction<int>("bump")());
        Assert.Equal(12, b.GetFunction<int>("bump")());
        g.Value = Value.I32(100);
        Assert.Equal(101, a.GetFunction<int>("bump")());
        Assert.Equal(101, g.Value.AsI32());
        a.GetAction("vbump")();
        b.GetAction("vbump")();
        Assert.Equal(Value.V128(0x0000_0004_0000_0003, 0x0000_0006_0000_0005), v.Value);
    }
}
