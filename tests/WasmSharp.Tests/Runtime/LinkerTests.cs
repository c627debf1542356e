using WasmSharp.Binary;

namespace WasmSharp.Tests.Runtime;

public class LinkerTests
{
    private static readonly FunctionType I32x2ToI32 = new([ValueType.I32, ValueType.I32], [ValueType.I32]);

    private static LinkException LinkFails(Linker linker, Store store, Module module) =>
        Assert.Throws<LinkException>(() => linker.Instantiate(store, module));

    [Fact]
    public void MissingImportIsUnknown()
    {
        using var store = new Store();
        var module = new TestModule().ImportFunction("env", "f", FunctionType.Empty).Build();
        var e = LinkFails(new Linker().DefineFunction("env", "g", FunctionType.Empty, (_, _) => { }), store, module);
        Assert.Equal("unknown import", e.Reason);
        Assert.Equal("unknown import: env.f", e.Message);
    }

    [Fact]
    public void FunctionTypesMustBeEqual()
    {
        using var store = new Store();
        var module = new TestModule().ImportFunction("env", "add", I32x2ToI32).Build();
        var e = LinkFails(new Linker().DefineFunction("env", "add", (long a, long b) => a + b), store, module);
        Assert.Equal("incompatible import type", e.Reason);
        Assert.Contains("env.add", e.Message);
        var inst = new Linker().DefineFunction("env", "add", (int a, int b) => a + b).Instantiate(store, module);
        Assert.IsType<HostFunction>(inst.Functions[0]);
    }

    [Fact]
    public void KindsMustMatch()
    {
        using var store = new Store();
        var module = new TestModule().ImportGlobal("env", "x", new GlobalType(ValueType.I32, false)).Build();
        var linker = new Linker().Define("env", "x", new Memory(store, new MemoryType(new Limits(0, null))));
        Assert.Equal("incompatible import type", LinkFails(linker, store, module).Reason);
        linker.DefineFunction("env", "x", () => 1);
        Assert.Equal("incompatible import type", LinkFails(linker, store, module).Reason);
    }

    [Fact]
    public void GlobalsMustMatchTypeAndMutability()
    {
        using var store = new Store();
        var module = new TestModule().ImportGlobal("env", "g", new GlobalType(ValueType.I32, true)).Build();
        var linker = new Linker();
        linker.Define("env", "g", new Global(store, new GlobalType(ValueType.I32, false), Value.I32(1)));
        LinkFails(linker, store, module);
        linker.Define("env", "g", new Global(store, new GlobalType(ValueType.I64, true), Value.I64(1)));
        LinkFails(linker, store, module);
        var g = new Global(store, new GlobalType(ValueType.I32, true), Value.I32(1));
        linker.Define("env", "g", g);
        Assert.Same(g, linker.Instantiate(store, module).Globals[0]);
    }

    [Fact]
    public void TableLimitsUseTheCurrentSize()
    {
        using var store = new Store();
        var module = new TestModule().ImportTable("env", "t", new TableType(ValueType.FuncRef, new Limits(2, 10))).Build();
        var table = new Table(store, new TableType(ValueType.FuncRef, new Limits(1, 10)), Value.Null(ValueType.FuncRef));
        var linker = new Linker().Define("env", "t", table);
        LinkFails(linker, store, module);
        table.Grow(1, Value.Null(ValueType.FuncRef));
        linker.Instantiate(store, module);

        var unbounded = new Table(store, new TableType(ValueType.FuncRef, new Limits(2, null)), Value.Null(ValueType.FuncRef));
        LinkFails(linker.Define("env", "t", unbounded), store, module);
        var bigger = new Table(store, new TableType(ValueType.FuncRef, new Limits(2, 11)), Value.Null(ValueType.FuncRef));
        LinkFails(linker.Define("env", "t", bigger), store, module);
        var externs = new Table(store, new TableType(ValueType.ExternRef, new Limits(2, 10)), Value.Null(ValueType.ExternRef));
        LinkFails(linker.Define("env", "t", externs), store, module);
        var smallerMax = new Table(store, new TableType(ValueType.FuncRef, new Limits(3, 5)), Value.Null(ValueType.FuncRef));
        linker.Define("env", "t", smallerMax).Instantiate(store, module);
    }

    [Fact]
    public void MemoryLimitsUseTheCurrentSize()
    {
        using var store = new Store();
        var module = new TestModule().ImportMemory("env", "m", new MemoryType(new Limits(2, null))).Build();
        var memory = new Memory(store, new MemoryType(new Limits(1, null)));
        var linker = new Linker().Define("env", "m", memory);
        LinkFails(linker, store, module);
        memory.Grow(1);
        Assert.Same(memory, linker.Instantiate(store, module).Memories[0]);

        var bounded = new TestModule().ImportMemory("env", "m", new MemoryType(new Limits(1, 2))).Build();
        LinkFails(linker, store, bounded);
        linker.Define("env", "m", new Memory(store, new MemoryType(new Limits(1, 3))));
        LinkFails(linker, store, bounded);
        linker.Define("env", "m", new Memory(store, new MemoryType(new Limits(1, 1))));
        linker.Instantiate(store, bounded);
    }

    [Fact]
    public void ObjectsFromAnotherStoreAreRejected()
    {
        using var store = new Store();
        using var other = new Store();
        var module = new TestModule().ImportMemory("env", "m", new MemoryType(new Limits(0, null))).Build();
        var linker = new Linker().Define("env", "m", new Memory(other, new MemoryType(new Limits(0, null))));
        Assert.Contains("another store", LinkFails(linker, store, module).Message);
    }

    [Fact]
    public void DefineRejectsOtherObjects()
    {
        var linker = new Linker();
        Assert.Throws<WasmException>(() => linker.Define("env", "x", "not an extern"));
        Assert.Contains("DefineFunction", Assert.Throws<WasmException>(() => linker.Define("env", "x", (Func<int>)(() => 1))).Message);
        Assert.Throws<WasmException>(() => linker.DefineFunction("env", "s", (string s) => 1));
        Assert.Throws<WasmException>(() => linker.DefineFunction("env", "u", () => 1u));
    }

    [Fact]
    public void DefineInstanceExposesEveryExport()
    {
        using var store = new Store();
        var provider = new TestModule()
            .Function(FunctionType.Empty)
            .Memory(new MemoryType(new Limits(1, null)))
            .Global(new GlobalType(ValueType.I32, false), TestModule.I32(7))
            .Export("mem", ExternalKind.Memory, 0).Export("g", ExternalKind.Global, 0).Export("f", ExternalKind.Function, 0)
            .Build();
        var linker = new Linker();
        var a = linker.Instantiate(store, provider);
        linker.DefineInstance("a", a);
        var consumer = new TestModule()
            .ImportFunction("a", "f", FunctionType.Empty)
            .ImportMemory("a", "mem", new MemoryType(new Limits(1, null)))
            .ImportGlobal("a", "g", new GlobalType(ValueType.I32, false))
            .Build();
        var b = linker.Instantiate(store, consumer);
        Assert.Same(a.GetFunction("f"), b.Functions[0]);
        Assert.Same(a.GetMemory("mem"), b.Memories[0]);
        Assert.Same(a.GetGlobal("g"), b.Globals[0]);
        Assert.Same(a.GetMemory("mem"), linker.Get(store, "a", "mem"));
        Assert.Null(linker.Get(store, "a", "nope"));
    }

    [Fact]
    public void HostFunctionsAreCreatedOncePerStore()
    {
        using var s1 = new Store();
        using var s2 = new Store();
        var linker = new Linker().DefineFunction("env", "f", FunctionType.Empty, (_, _) => { });
        var f1 = linker.Get(s1, "env", "f");
        Assert.Same(f1, linker.Get(s1, "env", "f"));
        var f2 = linker.Get(s2, "env", "f");
        Assert.NotSame(f1, f2);
        Assert.Same(s2, ((Function)f2!).Store);
        Assert.Equal("env.f", ((Function)f1!).DebugName);
    }

    private static Value[] CallHost(Linker linker, Store store, string name, params Value[] args)
    {
        var f = (HostFunction)linker.Get(store, "env", name)!;
        var results = new Value[f.Type.Results.Length];
        f.Callback(args, results);
        return results;
    }

    [Fact]
    public void TypedHostFunctionsMarshalValues()
    {
        using var store = new Store();
        int seen = 0;
        long seenLong = 0;
        var linker = new Linker()
            .DefineFunction("env", "add", (int a, int b) => a + b)
            .DefineFunction("env", "mix", (long a, float b, double c, int d) => a + (long)b + (long)c + d)
            .DefineFunction("env", "neg", (float x) => -x)
            .DefineFunction("env", "half", (double x) => x / 2)
            .DefineFunction("env", "const", () => 42L)
            .DefineFunction("env", "set", (int x) => { seen = x; })
            .DefineFunction("env", "set2", (int x, long y) => { seen = x; seenLong = y; })
            .DefineFunction("env", "nop", () => { })
            .DefineFunction("env", "f4", (float x) => BitConverter.SingleToInt32Bits(x));

        var add = (Function)linker.Get(store, "env", "add")!;
        Assert.Equal(I32x2ToI32, add.Type);
        Assert.Equal(-1, CallHost(linker, store, "add", Value.I32(int.MaxValue), Value.I32(int.MinValue))[0].AsI32());
        Assert.Equal(ValueType.I32, CallHost(linker, store, "add", 1, 2)[0].Type);

        var mix = (Function)linker.Get(store, "env", "mix")!;
        Assert.Equal(new FunctionType([ValueType.I64, ValueType.F32, ValueType.F64, ValueType.I32], [ValueType.I64]), mix.Type);
        Assert.Equal(10L, CallHost(linker, store, "mix", 1L, 2f, 3.0, 4)[0].AsI64());

        Assert.Equal(-1.5f, CallHost(linker, store, "neg", 1.5f)[0].AsF32());
        Assert.Equal(0.25, CallHost(linker, store, "half", 0.5)[0].AsF64());
        Assert.Equal(42L, CallHost(linker, store, "const")[0].AsI64());
        Assert.Equal(0x7fa00001, CallHost(linker, store, "f4", Value.F32Bits(0x7fa00001))[0].AsI32());

        Assert.Empty(CallHost(linker, store, "set", 9));
        Assert.Equal(9, seen);
        CallHost(linker, store, "set2", 3, -5L);
        Assert.Equal((3, -5L), (seen, seenLong));
        Assert.Equal(FunctionType.Empty, ((Function)linker.Get(store, "env", "nop")!).Type);
    }

    [Fact]
    public void HostExceptionsPassThroughTheCallback()
    {
        using var store = new Store();
        var linker = new Linker().DefineFunction("env", "boom", (int x) => x == 0 ? throw new InvalidOperationException("host") : x);
        Assert.Equal("host", Assert.Throws<InvalidOperationException>(() => CallHost(linker, store, "boom", 0)).Message);
    }
}
