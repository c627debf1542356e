using System.Runtime.InteropServices;
using WasmSharp.Llvm;

namespace WasmSharp.Tests.Llvm;

/// <summary>Native code compiled for guard pages: an access past the memory's end faults in the reservation and
/// becomes the spec's trap, while every other fault in the process (managed code's null dereferences) goes on to the
/// .NET runtime as before.</summary>
public sealed class GuardPageTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("wasmsharp-guard-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private const string Source = """
        (module
          (import "env" "host" (func $host (param i32) (result i32)))
          (memory (export "memory") 1 2)
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "load_far") (param i32) (result i64) (i64.load offset=0xfffffff0 (local.get 0)))
          (func (export "drop_load") (param i32) (drop (i32.load8_u (local.get 0))))
          (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
          ;; a store, then an access that may trap: the store is kept either way
          (func (export "store_then_load") (param i32 i32) (result i32)
            (i32.store (i32.const 16) (local.get 1))
            (i32.load (local.get 0)))
          ;; the host, which may call back in
          (func (export "via_host") (param i32) (result i32) (i32.add (call $host (local.get 0)) (i32.const 1)))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
        """;

    private (Store Store, Instance Instance) Instantiate(bool guardPages, Func<int, int> host)
    {
        var engine = new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache, guardPages) });
        var module = Module.FromBytes(engine, WatCompiler.Compile(Source));
        Assert.Null(module.NativeFallback);
        var store = new Store(engine);
        var linker = new Linker().DefineFunction("env", "host", host);
        return (store, linker.Instantiate(store, module));
    }

    [Fact]
    public void GuardPagesAreUsedOnLinuxX64()
    {
        bool supported = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;
        Assert.False(new LlvmBackend(2, _cache).UsesGuardPages); // explicit checks unless asked
        if (supported) Assert.True(new LlvmBackend(2, _cache, guardPages: true).UsesGuardPages);
        Assert.Equal(supported, GuardPages.Problem is null);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AccessesPastTheEndTrapAndTheProcessGoesOn(bool guardPages)
    {
        Instance? self = null;
        var (store, inst) = Instantiate(guardPages, x => x < 0 ? self!.GetFunction<int, int>("load")(x) : x * 2);
        self = inst;
        using var _ = store;
        var load = inst.GetFunction<int, int>("load");
        var store32 = inst.GetAction<int, int>("store");
        var loadFar = inst.GetFunction<int, long>("load_far");
        var dropLoad = inst.GetAction<int>("drop_load");
        store32(65532, 7);
        Assert.Equal(7, load(65532));
        for (int i = 0; i < 500; i++)
        {
            Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => load(65533 + i % 3)).Code);
            Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => store32(-1 - i, 1)).Code);
            Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => loadFar(i)).Code);
            Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => dropLoad(65536 + i)).Code);
            // A null dereference in managed code between traps is still the runtime's NullReferenceException.
            Assert.Throws<NullReferenceException>(() => NullDereference(null));
            if (i % 100 == 0) GC.Collect();
        }
        // A trap in native code entered from a host function that native code called: the inner trap ends both.
        var viaHost = inst.GetFunction<int, int>("via_host");
        Assert.Equal(11, viaHost(5));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => viaHost(-4)).Code);
        // Growth makes the pages behind the old end accessible; the store is there after the trap.
        Assert.Equal(1, inst.GetFunction<int, int>("grow")(1));
        store32(65536, 9);
        Assert.Equal(9, load(65536));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => load(131070)).Code);
        var storeThenLoad = inst.GetFunction<int, int, int>("store_then_load");
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => storeThenLoad(200000, 77)).Code);
        Assert.Equal(77, load(16));
    }

    private sealed class Box { public int Value; }

    private static int NullDereference(Box? box) => box!.Value;

    [Fact]
    public void AHostExceptionFromAFaultInManagedCodeSurfacesIntact()
    {
        var (store, inst) = Instantiate(guardPages: true, x => NullDereference(x == 0 ? null : new Box { Value = x }));
        using var _ = store;
        var viaHost = inst.GetFunction<int, int>("via_host");
        Assert.Equal(4, viaHost(3));
        Assert.Throws<NullReferenceException>(() => viaHost(0));
        Assert.Equal(8, viaHost(7));
    }

    [Fact]
    public void ThreadsTrapIndependently()
    {
        // A store is used by one thread at a time: one each, all running the same compiled module.
        int traps = 0;
        Parallel.For(0, 4, t =>
        {
            var (store, inst) = Instantiate(guardPages: true, x => x);
            using var _ = store;
            var load = inst.GetFunction<int, int>("load");
            for (int i = 0; i < 300; i++)
            {
                if (i % 2 == 0) Assert.Equal(0, load(4 * t));
                else if (Assert.Throws<TrapException>(() => load(70000 + t)).Code == TrapCode.OutOfBoundsMemoryAccess)
                    Interlocked.Increment(ref traps);
            }
        });
        Assert.Equal(600, traps);
    }

    [Fact]
    public void ADisposedMemoryTrapsInsteadOfReachingFreedAddressSpace()
    {
        var (store, inst) = Instantiate(guardPages: true, x => x);
        using var _ = store;
        var load = inst.GetFunction<int, int>("load");
        Assert.Equal(0, load(100));
        inst.GetMemory("memory")!.Dispose();
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => load(100)).Code);
    }

    [Fact]
    public void ACProgramRunsWithGuardPages()
    {
        // libc's long functions: the translator's tracking of loads stays bounded (it once grew with every
        // update of the stack pointer, without end).
        var program = WasmSharp.Tests.Wasi.TestPrograms.Wasm("args");
        var interpreted = WasmSharp.Tests.Wasi.TestPrograms.RunCli(["run", program, "x", "y"]);
        var guarded = WasmSharp.Tests.Wasi.TestPrograms.RunCli(["run", "--engine", "llvm", "--bounds-checks", "guard-pages", program, "x", "y"]);
        Assert.Equal(0, guarded.ExitCode);
        Assert.Equal(interpreted.StdoutText, guarded.StdoutText);
    }
}
