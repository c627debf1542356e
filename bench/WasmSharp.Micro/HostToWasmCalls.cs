using BenchmarkDotNet.Attributes;

namespace WasmSharp.Micro;

/// <summary>
/// Host→Wasm call overhead: calling an exported function that does (almost) nothing, through a typed delegate
/// and through the untyped Invoke, on WasmSharp and, for scale, on Wasmtime's .NET embedding.
/// </summary>
[MemoryDiagnoser]
public class HostToWasmCalls
{
    private Store _store = null!;
    private Func<int, int, int> _add = null!;
    private Action _nop = null!;
    private Function _addUntyped = null!;
    private readonly Value[] _args = [Value.I32(1), Value.I32(2)];
    private readonly Value[] _results = new Value[1];

    private Wasmtime.Engine _wtEngine = null!;
    private Wasmtime.Store _wtStore = null!;
    private Func<int, int, int> _wtAdd = null!;
    private Action _wtNop = null!;
    private Wasmtime.Function _wtAddUntyped = null!;

    [GlobalSetup]
    public void Setup()
    {
        byte[] bytes = Inputs.Wat("calls.wat");

        _store = new Store();
        var linker = new Linker();
        linker.DefineFunction("host", "add", (int a, int b) => a + b);
        linker.DefineFunction("host", "nop", () => { });
        var instance = linker.Instantiate(_store, Module.FromBytes(bytes));
        _add = instance.GetFunction<int, int, int>("add");
        _nop = instance.GetAction("nop");
        _addUntyped = instance.GetFunction("add")!;

        _wtEngine = new Wasmtime.Engine();
        _wtStore = new Wasmtime.Store(_wtEngine);
        using var wtLinker = new Wasmtime.Linker(_wtEngine);
        wtLinker.DefineFunction("host", "add", (int a, int b) => a + b);
        wtLinker.DefineFunction("host", "nop", () => { });
        var wtInstance = wtLinker.Instantiate(_wtStore, Wasmtime.Module.FromBytes(_wtEngine, "calls", bytes));
        _wtAdd = wtInstance.GetFunction<int, int, int>("add")!;
        _wtNop = wtInstance.GetAction("nop")!;
        _wtAddUntyped = wtInstance.GetFunction("add")!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _wtStore.Dispose();
        _wtEngine.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int WasmSharp_Typed_Add() => _add(1, 2);

    [Benchmark]
    public void WasmSharp_Typed_Nop() => _nop();

    [Benchmark]
    public int WasmSharp_Untyped_Add()
    {
        _addUntyped.Invoke(_args, _results);
        return _results[0].AsI32();
    }

    /// <summary>The convenient form, which allocates the argument and result arrays.</summary>
    [Benchmark]
    public int WasmSharp_UntypedArrays_Add() => _addUntyped.Invoke(Value.I32(1), Value.I32(2))[0].AsI32();

    [Benchmark]
    public int Wasmtime_Typed_Add() => _wtAdd(1, 2);

    [Benchmark]
    public void Wasmtime_Typed_Nop() => _wtNop();

    [Benchmark]
    public object? Wasmtime_Untyped_Add() => _wtAddUntyped.Invoke(1, 2);
}
