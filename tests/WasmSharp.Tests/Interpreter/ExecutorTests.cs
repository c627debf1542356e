using WasmSharp.Interpreter;
using static WasmSharp.Tests.Interpreter.FunctionModule;

namespace WasmSharp.Tests.Interpreter;

public class ExecutorTests
{
    private static readonly byte[] None = [];

    [Fact]
    public void DeepRecursionTrapsAndTheStoreStaysUsable()
    {
        // f0(n) = f0(n + 1): infinite recursion.
        var m = new FunctionModule()
            .Func([I32], [I32], None, LocalGet(0), I32Const(1), I32Add, Call(0))
            .Func([I32], [I32], None, LocalGet(0), I32Const(1), I32Add)
            .Compile();
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        var trap = Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(0)));
        Assert.Equal("call stack exhausted", trap.Message);
        Assert.Equal(8, inst.GetFunction("f1")!.Invoke(Value.I32(7))[0].AsI32());
    }

    [Fact]
    public void RecursionDoesNotUseTheDotNetStack()
    {
        // fac(n) recursive, to a depth well past what a recursive .NET interpreter would survive on a small thread.
        var m = new FunctionModule().Func([I64], [I64], None,
            LocalGet(0), Op(0x50), If(I64), I64Const(1), Else,
            LocalGet(0), LocalGet(0), I64Const(1), Op(0x7D), Call(0), Op(0x7E), End).Compile();
        long result = 0;
        var t = new Thread(() =>
        {
            using var store = new Store();
            var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
            result = f.Invoke(Value.I64(5000))[0].AsI64();
        }, maxStackSize: 256 * 1024);
        t.Start();
        t.Join();
        long expected = 1;
        for (long i = 2; i <= 5000; i++) expected *= i;
        Assert.Equal(expected, result);
    }

    [Fact]
    public void TrapCarriesSpecMessageAndBacktrace()
    {
        var m = new FunctionModule()
            .Func([I32], [I32], None, LocalGet(0), Call(1))
            .Func([I32], [I32], None, I32Const(1), LocalGet(0), Op(0x6D)) // 1 / x
            .Compile();
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        var trap = Assert.Throws<TrapException>(() => f.Invoke(Value.I32(0)));
        Assert.Equal("integer divide by zero", trap.Message);
        Assert.Equal(2, trap.WasmBacktrace.Count);
        Assert.Equal(1, f.Invoke(Value.I32(1))[0].AsI32());
    }

    [Fact]
    public void HostFunctionsCanCallBackIntoWasm()
    {
        // f0(x) = host(x) + 1; host(x) calls f1(x) = x * 2.
        var m = new FunctionModule()
            .ImportFunc("env", "host", [I32], [I32])
            .Func([I32], [I32], None, LocalGet(0), Call(0), I32Const(1), I32Add)
            .Func([I32], [I32], None, LocalGet(0), I32Const(2), I32Mul)
            .Compile();
        using var store = new Store();
        Instance? inst = null;
        var linker = new Linker();
        linker.DefineFunction("env", "host", new FunctionType([ValueType.I32], [ValueType.I32]),
            (args, results) => results[0] = inst!.GetFunction("f1")!.Invoke(args[0])[0]);
        inst = linker.Instantiate(store, m);
        Assert.Equal(21, inst.GetFunction("f0")!.Invoke(Value.I32(10))[0].AsI32());
    }

    [Fact]
    public void CallsAcrossInstancesUseEachInstancesOwnMemory()
    {
        // B.f0 stores 100 at its address 0 and returns it; A stores 5 at its address 0, calls B (the result
        // into a local), then reads its own address 0: 5 + 100, not B's 100 + 100.
        var b = new FunctionModule().Memory()
            .Func([], [I32], None, I32Const(0), I32Const(100), I32Store(0), I32Const(0), I32Load(0))
            .Compile();
        var a = new FunctionModule().Memory()
            .ImportFunc("b", "f0", [], [I32])
            .Func([], [I32], [I32], I32Const(0), I32Const(5), I32Store(0), Call(0), LocalSet(0), I32Const(0), I32Load(0), LocalGet(0), I32Add)
            .Compile();
        using var store = new Store();
        var linker = new Linker();
        linker.DefineInstance("b", linker.Instantiate(store, b));
        var inst = linker.Instantiate(store, a);
        Assert.Equal(105, inst.GetFunction("f0")!.Invoke()[0].AsI32());
    }

    [Fact]
    public void LocalsReadBeforeAnyWriteAreZeroEvenWhereAnEarlierFrameLeftValues()
    {
        // f0(p) calls f1, which fills its locals with 0x55, then f2(p) in the same frame slots. In f2, l0 is written
        // only in the if's then arm and read after the if, l1 is written in the then arm and read in the else arm,
        // l3 is read before any write, and l5 is written in a block that a branch can leave first: those four slots
        // are zeroed on entry. l2 (written before the loop that reads it) and l4 (written before its read) are not.
        var m = new FunctionModule()
            .Func([I32], [I32], None, Call(1), LocalGet(0), Call(2))
            .Func([], [], [I32, I32, I32, I32, I32, I32],
                I32Const(0x55), LocalTee(0), LocalTee(1), LocalTee(2), LocalTee(3), LocalTee(4), LocalSet(5))
            .Func([I32], [I32], [I32, I32, I32, I32, I32, I32],
                LocalGet(0), If(I32), I32Const(9), LocalSet(2), I32Const(7), LocalSet(1), LocalGet(1),
                Else, LocalGet(2), End,
                LocalGet(1), I32Add,
                I32Const(3), LocalSet(3),
                Loop(), LocalGet(3), I32Const(1), I32Sub, LocalTee(3), BrIf(0), End,
                LocalGet(3), I32Add, LocalGet(4), I32Add,
                I32Const(1000), LocalSet(5), LocalGet(5), I32Add,
                Block(), LocalGet(0), I32Eqz, BrIf(0), I32Const(5), LocalSet(6), End,
                LocalGet(6), I32Add)
            .Compile();
        Assert.Contains("6 locals (4 zeroed on entry)", Disassembler.Disassemble(m.Functions[2]));
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(1000, f.Invoke(Value.I32(0))[0].AsI32());
        Assert.Equal(7 + 7 + 1000 + 5, f.Invoke(Value.I32(1))[0].AsI32());
    }

    [Fact]
    public void HostExceptionsSurfaceIntact()
    {
        var m = new FunctionModule()
            .ImportFunc("env", "host", [], [])
            .Func([], [], None, Call(0))
            .Compile();
        using var store = new Store();
        var linker = new Linker();
        linker.DefineFunction("env", "host", new FunctionType([], []), (_, _) => throw new FormatException("from host"));
        var inst = linker.Instantiate(store, m);
        var ex = Assert.Throws<FormatException>(() => inst.GetFunction("f0")!.Invoke());
        Assert.Equal("from host", ex.Message);
    }

    [Fact]
    public void OutOfBoundsAccessTraps()
    {
        var m = new FunctionModule().Memory().Func([I32], [I32], None, LocalGet(0), I32Load(0)).Compile();
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(0, f.Invoke(Value.I32(65532))[0].AsI32());
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => f.Invoke(Value.I32(65533))).Message);
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => f.Invoke(Value.I32(-1))).Message);
    }
}
