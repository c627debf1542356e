using WasmSharp.Binary;
using static WasmSharp.Tests.Runtime.TestModule;

namespace WasmSharp.Tests.Runtime;

public class InstanceTests
{
    private static readonly FunctionType VoidToVoid = FunctionType.Empty;
    private static readonly FunctionType I32ToI32 = new([ValueType.I32], [ValueType.I32]);

    [Fact]
    public void GlobalsEvaluateConstantExpressions()
    {
        using var store = new Store();
        var module = new TestModule()
            .ImportGlobal("env", "base", new GlobalType(ValueType.I32, false))
            .Function(VoidToVoid)
            .Global(new GlobalType(ValueType.I32, false), GlobalGet(0), I32(5), Op(ConstOp.I32Add))
            .Global(new GlobalType(ValueType.I32, false), I32(2), GlobalGet(1), Op(ConstOp.I32Sub))
            .Global(new GlobalType(ValueType.I64, true), I64(1L << 40), I64(3), Op(ConstOp.I64Mul))
            .Global(new GlobalType(ValueType.I32, false), I32(0x10000), I32(0x10000), Op(ConstOp.I32Mul))
            .Global(new GlobalType(ValueType.F32, false), new ConstInstr(ConstOp.F32Const, 0x7fc00001))
            .Global(new GlobalType(ValueType.V128, false), new ConstInstr(ConstOp.V128Const, 7, 9))
            .Global(new GlobalType(ValueType.FuncRef, false), RefFunc(0))
            .Global(new GlobalType(ValueType.ExternRef, true), RefNull(ValueType.ExternRef))
            .Export("sum", ExternalKind.Global, 1).Export("diff", ExternalKind.Global, 2)
            .Export("mul", ExternalKind.Global, 3).Export("wrap", ExternalKind.Global, 4)
            .Export("nan", ExternalKind.Global, 5).Export("v", ExternalKind.Global, 6)
            .Export("f", ExternalKind.Global, 7).Export("e", ExternalKind.Global, 8)
            .Export("func", ExternalKind.Function, 0)
            .Build();
        var inst = new Linker()
            .Define("env", "base", new Global(store, new GlobalType(ValueType.I32, false), Value.I32(10)))
            .Instantiate(store, module);
        Assert.Equal(15, inst.GetGlobal("sum")!.Value.AsI32());
        Assert.Equal(-13, inst.GetGlobal("diff")!.Value.AsI32());
        Assert.Equal(0xFFFF_FFF3UL, inst.GetGlobal("diff")!.Bits);
        Assert.Equal(3L << 40, inst.GetGlobal("mul")!.Value.AsI64());
        Assert.Equal(0, inst.GetGlobal("wrap")!.Value.AsI32());
        Assert.Equal(0x7fc00001UL, inst.GetGlobal("nan")!.Value.Bits);
        Assert.Equal(Value.V128(7, 9), inst.GetGlobal("v")!.Value);
        Assert.Same(inst.GetFunction("func"), inst.GetGlobal("f")!.Value.AsFunction());
        Assert.True(inst.GetGlobal("e")!.Value.IsNull);
        Assert.Equal(ValueType.ExternRef, inst.GetGlobal("e")!.Value.Type);
        Assert.Equal(9, inst.Exports.Count);
        Assert.Equal("sum", inst.Exports.Keys.First());
        Assert.Null(inst.GetExport("missing"));
        Assert.Null(inst.GetMemory("sum"));
    }

    [Fact]
    public void DefinedObjectsAreAllocatedAndExported()
    {
        using var store = new Store();
        var module = new TestModule()
            .Function(I32ToI32).Function(VoidToVoid)
            .Table(new TableType(ValueType.FuncRef, new Limits(2, 5)))
            .Memory(new MemoryType(new Limits(1, 2)))
            .Export("t", ExternalKind.Table, 0).Export("m", ExternalKind.Memory, 0)
            .Export("f", ExternalKind.Function, 0)
            .Build();
        var inst = new Linker().Instantiate(store, module);
        Assert.Equal(2u, inst.GetTable("t")!.Size);
        Assert.Equal(1UL, inst.GetMemory("m")!.Pages);
        Assert.Equal(I32ToI32, inst.GetFunction("f")!.Type);
        Assert.Equal(2, inst.Functions.Length);
        Assert.Equal(inst.TypeIds[0], TypeRegistry.GetId(new FunctionType([ValueType.I32], [ValueType.I32])));
        Assert.NotEqual(inst.TypeIds[0], inst.TypeIds[1]);
    }

    [Fact]
    public void ActiveSegmentsAreAppliedAndDropped()
    {
        using var store = new Store();
        var module = new TestModule()
            .ImportGlobal("env", "off", new GlobalType(ValueType.I32, false))
            .Function(VoidToVoid).Function(VoidToVoid)
            .Table(new TableType(ValueType.FuncRef, new Limits(4, null)))
            .Memory(new MemoryType(new Limits(1, null)))
            .Elem(SegmentMode.Active, 0, E(I32(1)), ValueType.FuncRef, RefFunc(1), RefNull(ValueType.FuncRef), RefFunc(0))
            .Elem(SegmentMode.Passive, 0, null, ValueType.FuncRef, RefFunc(0))
            .Elem(SegmentMode.Declarative, 0, null, ValueType.FuncRef, RefFunc(1))
            .Data(SegmentMode.Active, 0, E(GlobalGet(0)), [1, 2, 3])
            .Data(SegmentMode.Passive, 0, null, [4, 5])
            .Data(SegmentMode.Active, 0, E(I32(65535)), [9])
            .Export("t", ExternalKind.Table, 0).Export("m", ExternalKind.Memory, 0)
            .Export("f0", ExternalKind.Function, 0).Export("f1", ExternalKind.Function, 1)
            .Build();
        var inst = new Linker()
            .Define("env", "off", new Global(store, new GlobalType(ValueType.I32, false), Value.I32(100)))
            .Instantiate(store, module);
        var t = inst.GetTable("t")!;
        Assert.True(t.Get(0).IsNull);
        Assert.Same(inst.GetFunction("f1"), t.Get(1).AsFunction());
        Assert.True(t.Get(2).IsNull);
        Assert.Same(inst.GetFunction("f0"), t.Get(3).AsFunction());
        Assert.Empty(inst.ElementSegments[0]);
        Assert.Equal(new[] { (ulong)inst.GetFunction("f0")!.Address + 1 }, inst.ElementSegments[1]);
        Assert.Empty(inst.ElementSegments[2]);

        var m = inst.GetMemory("m")!;
        Assert.Equal(new byte[] { 0, 1, 2, 3, 0 }, m.Span.Slice(99, 5).ToArray());
        Assert.Equal(9, m.Span[65535]);
        Assert.True(inst.DataSegments[0].IsEmpty);
        Assert.Equal(new byte[] { 4, 5 }, inst.DataSegments[1].ToArray());
        Assert.True(inst.DataSegments[2].IsEmpty);
    }

    [Fact]
    public void ElementTrapKeepsEarlierWritesAndSkipsData()
    {
        using var store = new Store();
        var table = new Table(store, new TableType(ValueType.FuncRef, new Limits(3, null)), Value.Null(ValueType.FuncRef));
        var memory = new Memory(store, new MemoryType(new Limits(1, null)));
        var module = new TestModule()
            .ImportTable("env", "t", new TableType(ValueType.FuncRef, new Limits(1, null)))
            .ImportMemory("env", "m", new MemoryType(new Limits(1, null)))
            .Function(VoidToVoid)
            .Elem(SegmentMode.Active, 0, E(I32(0)), ValueType.FuncRef, RefFunc(0))
            .Elem(SegmentMode.Active, 0, E(I32(2)), ValueType.FuncRef, RefFunc(0), RefFunc(0))
            .Data(SegmentMode.Active, 0, E(I32(0)), [1])
            .Build();
        var linker = new Linker().Define("env", "t", table).Define("env", "m", memory);
        var e = Assert.Throws<TrapException>(() => linker.Instantiate(store, module));
        Assert.Equal("out of bounds table access", e.Message);
        Assert.False(table.Get(0).IsNull);
        Assert.True(table.Get(2).IsNull);
        Assert.Equal(0, memory.Span[0]);
    }

    [Fact]
    public void DataTrapKeepsEarlierWrites()
    {
        using var store = new Store();
        var memory = new Memory(store, new MemoryType(new Limits(1, null)));
        var module = new TestModule()
            .ImportMemory("env", "m", new MemoryType(new Limits(1, null)))
            .Data(SegmentMode.Active, 0, E(I32(10)), [1, 2])
            .Data(SegmentMode.Active, 0, E(I32(65535)), [3, 4])
            .Data(SegmentMode.Active, 0, E(I32(20)), [5])
            .Build();
        var e = Assert.Throws<TrapException>(() => new Linker().Define("env", "m", memory).Instantiate(store, module));
        Assert.Equal("out of bounds memory access", e.Message);
        Assert.Equal(1, memory.Span[10]);
        Assert.Equal(0, memory.Span[65535]);
        Assert.Equal(0, memory.Span[20]);
    }

    [Fact]
    public void EmptySegmentsAtTheEndAreInBoundsButNotPastIt()
    {
        using var store = new Store();
        Module At(int offset) => new TestModule()
            .Table(new TableType(ValueType.FuncRef, new Limits(2, null)))
            .Memory(new MemoryType(new Limits(1, null)))
            .Elem(SegmentMode.Active, 0, E(I32(offset == 65536 ? 2 : 3)), ValueType.FuncRef)
            .Data(SegmentMode.Active, 0, E(I32(offset)), [])
            .Build();
        new Linker().Instantiate(store, At(65536));
        Assert.Equal("out of bounds table access",
            Assert.Throws<TrapException>(() => new Linker().Instantiate(store, At(65537))).Message);
    }

    [Fact]
    public void NegativeOffsetIsOutOfBounds()
    {
        using var store = new Store();
        var module = new TestModule()
            .Memory(new MemoryType(new Limits(1, null)))
            .Data(SegmentMode.Active, 0, E(I32(-1)), [1])
            .Build();
        Assert.Throws<TrapException>(() => new Linker().Instantiate(store, module));
    }

    [Fact]
    public void TypedAccessorsCheckTheSignature()
    {
        using var store = new Store();
        var module = new TestModule()
            .Function(I32ToI32)
            .Memory(new MemoryType(new Limits(0, null)))
            .Export("f", ExternalKind.Function, 0).Export("m", ExternalKind.Memory, 0)
            .Build();
        var inst = new Linker().Instantiate(store, module);
        Assert.NotNull(inst.GetFunction<int, int>("f"));
        Assert.Contains("(i32) -> (i32)", Assert.Throws<WasmException>(() => inst.GetFunction<long, int>("f")).Message);
        Assert.Throws<WasmException>(() => inst.GetFunction<int>("f"));
        Assert.Throws<WasmException>(() => inst.GetAction<int>("f"));
        Assert.Throws<WasmException>(() => inst.GetFunction<string, int>("f"));
        Assert.Contains("no export", Assert.Throws<WasmException>(() => inst.GetAction("nope")).Message);
        Assert.Contains("not a function", Assert.Throws<WasmException>(() => inst.GetAction("m")).Message);
    }

    [Fact]
    public void WrongImportCountIsRejected()
    {
        using var store = new Store();
        var module = new TestModule().ImportMemory("env", "m", new MemoryType(new Limits(0, null))).Build();
        Assert.Throws<LinkException>(() => Instance.Create(store, module, []));
    }
}
