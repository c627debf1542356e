using BenchmarkDotNet.Attributes;

namespace WasmSharp.Micro;

/// <summary>
/// Wasm→host import calls: a Wasm loop calls an imported host function <see cref="Calls"/> times; the figure is
/// per call (loop included). Host functions defined from typed delegates and from untyped callbacks.
/// </summary>
[MemoryDiagnoser]
public class WasmToHostCalls
{
    public const int Calls = 10_000;

    private Store _typedStore = null!, _untypedStore = null!;
    private Func<int, int> _typedAdd = null!, _untypedAdd = null!;
    private Action<int> _typedNop = null!;

    private Wasmtime.Engine _wtEngine = null!;
    private Wasmtime.Store _wtStore = null!;
    private Func<int, int> _wtAdd = null!;
    private Action<int> _wtNop = null!;

    [GlobalSetup]
    public void Setup()
    {
        byte[] bytes = Inputs.Wat("calls.wat");
        var module = Module.FromBytes(bytes);

        _typedStore = new Store();
        var typed = new Linker();
        typed.DefineFunction("host", "add", (int a, int b) => a + b);
        typed.DefineFunction("host", "nop", () => { });
        var instance = typed.Instantiate(_typedStore, module);
        _typedAdd = instance.GetFunction<int, int>("call_host_add");
        _typedNop = instance.GetAction<int>("call_host_nop");

        _untypedStore = new Store();
        var untyped = new Linker();
        untyped.DefineFunction("host", "add", new FunctionType([ValueType.I32, ValueType.I32], [ValueType.I32]),
            (args, results) => results[0] = Value.I32(args[0].AsI32() + args[1].AsI32()));
        untyped.DefineFunction("host", "nop", new FunctionType([], []), (_, _) => { });
        _untypedAdd = untyped.Instantiate(_untypedStore, module).GetFunction<int, int>("call_host_add");

        _wtEngine = new Wasmtime.Engine();
        _wtStore = new Wasmtime.Store(_wtEngine);
        using var wtLinker = new Wasmtime.Linker(_wtEngine);
        wtLinker.DefineFunction("host", "add", (int a, int b) => a + b);
        wtLinker.DefineFunction("host", "nop", () => { });
        var wtInstance = wtLinker.Instantiate(_wtStore, Wasmtime.Module.FromBytes(_wtEngine, "calls", bytes));
        _wtAdd = wtInstance.GetFunction<int, int>("call_host_add")!;
        _wtNop = wtInstance.GetAction<int>("call_host_nop")!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _typedStore.Dispose();
        _untypedStore.Dispose();
        _wtStore.Dispose();
        _wtEngine.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public int WasmSharp_TypedImport_Add() => _typedAdd(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public void WasmSharp_TypedImport_Nop() => _typedNop(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public int WasmSharp_UntypedImport_Add() => _untypedAdd(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public int Wasmtime_TypedImport_Add() => _wtAdd(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public void Wasmtime_TypedImport_Nop() => _wtNop(Calls);
}
