using System.Diagnostics;
using WasmSharp.Tests.Interpreter;
using WasmSharp.Tests.Wasi;
using static WasmSharp.Tests.Interpreter.FunctionModule;

namespace WasmSharp.Tests.Runtime;

/// <summary>A runaway guest is stopped: a cancelled token or <see cref="Store.Interrupt"/> makes the running call
/// trap "interrupted" at a function entry, or at a loop head in a module compiled interruptible.</summary>
public sealed class InterruptTests : IDisposable
{
    private static readonly byte[] None = [];
    private static readonly Engine Interruptible = new(new EngineConfig { Interruptible = true });
    private readonly TestPrograms.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>f0: loop forever, with no call (only a loop check stops it); f1: loop forever calling f2 (a function
    /// entry stops it); f2: nothing; f3(x) = x + 1.</summary>
    private static byte[] Spinners() => new FunctionModule()
        .Func([], [], None, Loop(), Br(0), End)
        .Func([], [], None, Loop(), Call(2), Br(0), End)
        .Func([], [], None)
        .Func([I32], [I32], None, LocalGet(0), I32Const(1), I32Add)
        .Build();


    private static TrapException Stop(Function f, CancellationToken token) =>
        Assert.Throws<TrapException>(() => f.Invoke(token));

    [Fact]
    public void ACancelledTokenStopsALoopInInterruptibleCode()
    {
        using var store = new Store(Interruptible);
        var inst = new Linker().Instantiate(store, Module.FromBytes(Interruptible, Spinners()));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = Stopwatch.StartNew();
        var trap = Stop(inst.GetFunction("f0")!, cts.Token);
        Assert.Equal(TrapCode.Interrupted, trap.Code);
        Assert.Equal("interrupted", trap.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"stopped after {watch.Elapsed}");
        // The store goes on working.
        Assert.Equal(8, inst.GetFunction("f3")!.Invoke(Value.I32(7))[0].AsI32());
    }

    [Fact]
    public void FunctionEntriesAreCheckedWithoutTheOption()
    {
        using var store = new Store();
        var inst = new Linker().Instantiate(store, Module.FromBytes(Spinners()));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TrapCode.Interrupted, Stop(inst.GetFunction("f1")!, cts.Token).Code);
        Assert.Equal(8, inst.GetFunction("f3")!.Invoke(Value.I32(7))[0].AsI32());
    }

    [Fact]
    public void OnlyInterruptibleCodeChecksItsLoops()
    {
        string LoopHead(Engine engine) =>
            string.Join(" ", WasmSharp.Interpreter.Disassembler.Lines(Module.FromBytes(engine, Spinners()).Functions[0], withPc: false).Select(l => l.Split(' ')[0]));
        Assert.Equal("Interrupt Br Return0", LoopHead(Interruptible));
        Assert.DoesNotContain("Interrupt", LoopHead(Engine.Default));
    }

    [Fact]
    public void AnAlreadyCancelledTokenTrapsAtOnce()
    {
        using var store = new Store();
        var inst = new Linker().Instantiate(store, Module.FromBytes(Spinners()));
        var trap = Assert.Throws<TrapException>(() => inst.GetFunction("f3")!.Invoke(new CancellationToken(canceled: true), Value.I32(1)));
        Assert.Equal(TrapCode.Interrupted, trap.Code);
        Assert.Equal(2, inst.GetFunction("f3")!.Invoke(Value.I32(1))[0].AsI32());
    }

    [Fact]
    public void ACancellationAfterTheCallLeavesTheNextCallAlone()
    {
        using var store = new Store();
        var f = new Linker().Instantiate(store, Module.FromBytes(Spinners())).GetFunction("f3")!;
        using var cts = new CancellationTokenSource();
        Assert.Equal(2, f.Invoke(cts.Token, Value.I32(1))[0].AsI32());
        cts.Cancel();
        Assert.Equal(3, f.Invoke(Value.I32(2))[0].AsI32());
    }

    [Fact]
    public void StoreInterruptWorksFromAnotherThread()
    {
        using var store = new Store(Interruptible);
        var inst = new Linker().Instantiate(store, Module.FromBytes(Interruptible, Spinners()));
        using var timer = new Timer(_ => store.Interrupt(), null, 100, Timeout.Infinite);
        var trap = Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke());
        Assert.Equal(TrapCode.Interrupted, trap.Code);
    }

    [Fact]
    public void AModuleRunsOnlyInItsEnginesStores()
    {
        using var store = new Store();
        var e = Assert.Throws<WasmException>(() => new Linker().Instantiate(store, Module.FromBytes(Interruptible, Spinners())));
        Assert.Contains("another engine", e.Message);
    }

    [Fact]
    public void RunTimeoutStopsARunawayProgram()
    {
        var path = Path.Combine(_dir.Path, "spin.wasm");
        File.WriteAllBytes(path, Spinners());
        var watch = Stopwatch.StartNew();
        var r = TestPrograms.RunCli(["run", "--timeout", "0.5", "--invoke", "f0", path]);
        Assert.Equal(134, r.ExitCode);
        Assert.Contains("error: timed out after 0.5 s", r.StderrText);
        Assert.Contains("trap: interrupted", r.StderrText);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60));
        var ok = TestPrograms.RunCli(["run", "--timeout", "30", "--invoke", "f3", path, "41"]);
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("42", ok.StdoutText);
        Assert.Contains("--timeout takes a positive number of seconds", TestPrograms.RunCli(["run", "--timeout", "0", path]).StderrText);
    }
}
