using BenchmarkDotNet.Attributes;

namespace WasmSharp.Micro;

/// <summary>
/// memory.grow from Wasm, one page (64 KiB) at a time, <see cref="Pages"/> times on a fresh instance; the
/// figure is per grow. Each iteration gets a new store, so every grow commits new pages.
/// </summary>
[MemoryDiagnoser]
public class MemoryGrow
{
    public const int Pages = 1024;

    private byte[] _bytes = null!;
    private Module _module = null!;
    private Store? _store;
    private Func<int, int> _grow = null!;

    private Wasmtime.Engine _wtEngine = null!;
    private Wasmtime.Module _wtModule = null!;
    private Wasmtime.Store? _wtStore;
    private Func<int, int> _wtGrow = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bytes = Inputs.Wat("calls.wat");
        _module = Module.FromBytes(_bytes);
        _wtEngine = new Wasmtime.Engine();
        _wtModule = Wasmtime.Module.FromBytes(_wtEngine, "calls", _bytes);
    }

    [IterationSetup(Target = nameof(WasmSharp_Grow))]
    public void NewWasmSharpInstance()
    {
        _store?.Dispose();
        _store = new Store();
        var linker = new Linker();
        linker.DefineFunction("host", "add", (int a, int b) => a + b);
        linker.DefineFunction("host", "nop", () => { });
        _grow = linker.Instantiate(_store, _module).GetFunction<int, int>("grow_pages");
    }

    [IterationSetup(Target = nameof(Wasmtime_Grow))]
    public void NewWasmtimeInstance()
    {
        _wtStore?.Dispose();
        _wtStore = new Wasmtime.Store(_wtEngine);
        using var linker = new Wasmtime.Linker(_wtEngine);
        linker.DefineFunction("host", "add", (int a, int b) => a + b);
        linker.DefineFunction("host", "nop", () => { });
        _wtGrow = linker.Instantiate(_wtStore, _wtModule).GetFunction<int, int>("grow_pages")!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _wtStore?.Dispose();
        _wtModule.Dispose();
        _wtEngine.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pages)]
    public int WasmSharp_Grow() => Check(_grow(Pages));

    [Benchmark(OperationsPerInvoke = Pages)]
    public int Wasmtime_Grow() => Check(_wtGrow(Pages));

    private static int Check(int lastOldSize) =>
        lastOldSize == Pages ? lastOldSize : throw new InvalidOperationException($"memory.grow returned {lastOldSize}");
}
