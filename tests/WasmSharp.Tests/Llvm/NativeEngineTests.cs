using WasmSharp.Llvm;
using WasmSharp.Text;
using WasmSharp.Tests.Wasi;

namespace WasmSharp.Tests.Llvm;

/// <summary>An engine with the LLVM backend: modules the translator handles run natively behind the same API,
/// the others on the interpreter, and the two call each other.</summary>
public sealed class NativeEngineTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("wasmsharp-engine-").FullName;
    private readonly Engine _engine;

    public NativeEngineTests() => _engine = new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache) });

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static byte[] Wat(string text) => WatCompiler.Compile(text);

    /// <summary>The compiled modules in the cache (the guard-page support library may be there too).</summary>
    private IEnumerable<string> ModuleLibraries() =>
        Directory.EnumerateFiles(_cache, "*.so", SearchOption.AllDirectories).Where(p => !Path.GetFileName(p).StartsWith(GuardPages.Key(HostDescription.Get(new NativeCache(_cache)))));

    private const string Fib = """
        (module
          (func $fib (export "fib") (param $n i32) (result i32)
            (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
              (then (local.get $n))
              (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                             (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
          (func (export "forever") (param i32) (result i32) (call 1 (local.get 0))))
        """;

    /// <summary>A module with a v128 instruction, which the translator does not handle yet.</summary>
    internal const string Lanes = "(module (func (export \"lane\") (param i32) (result i32) (i32x4.extract_lane 1 (i32x4.splat (local.get 0)))))";

    [Fact]
    public void AModuleRunsNativelyBehindTheSameApi()
    {
        var module = Module.FromBytes(_engine, Wat(Fib));
        Assert.Null(module.NativeFallback);
        using var store = new Store(_engine);
        var inst = new Linker().Instantiate(store, module);
        Assert.Equal(6765, inst.GetFunction<int, int>("fib")(20));
        Assert.Equal(832040, inst.GetFunction("fib")!.Invoke(Value.I32(30))[0].AsI32());
        // Runaway recursion traps before the native stack ends, and the store goes on.
        var trap = Assert.Throws<TrapException>(() => inst.GetFunction<int, int>("forever")(1));
        Assert.Equal(TrapCode.CallStackExhausted, trap.Code);
        Assert.Equal(55, inst.GetFunction<int, int>("fib")(10));
        // Compiled once: the cache holds the library, and a second engine on the same cache finds it.
        Assert.Single(ModuleLibraries());
        var again = Module.FromBytes(new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache) }), Wat(Fib));
        Assert.Null(again.NativeFallback);
        Assert.Single(ModuleLibraries());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATrapLeavesOnlyTheInnermostEntry(bool guardPages)
    {
        // A trap jumps back to the innermost entry into the instance: a host function that calls back in and
        // catches the trap returns normally, the outer native frames go on, and trap later with their own code.
        var engine = new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache, guardPages) });
        var module = Module.FromBytes(engine, Wat("""
            (module
              (import "env" "host" (func $host (param i32) (result i32)))
              (func $inner (export "inner") (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
              (func (export "outer") (param i32) (result i32)
                (i32.add (call $host (local.get 0)) (call $inner (i32.sub (local.get 0) (i32.const 1))))))
            """));
        Assert.Null(module.NativeFallback);
        using var store = new Store(engine);
        Instance? self = null;
        var caught = new List<TrapCode>();
        var linker = new Linker().DefineFunction("env", "host", (int x) =>
        {
            try { return self!.GetFunction<int, int>("inner")(x - 2); }
            catch (TrapException t) { caught.Add(t.Code); return -1; }
        });
        self = linker.Instantiate(store, module);
        var outer = self.GetFunction<int, int>("outer");
        Assert.Equal(-1 + 100, outer(2));            // the host caught inner(0)'s trap; outer went on to inner(1)
        Assert.Equal([TrapCode.IntegerDivideByZero], caught);
        // The host's inner(-1) returns 0; then outer's own inner(0) traps, out to this caller.
        Assert.Equal(TrapCode.IntegerDivideByZero, Assert.Throws<TrapException>(() => outer(1)).Code);
        Assert.Single(caught);
        Assert.Equal(100 / 4 + 100 / 5, outer(6));
    }

    [Theory]
    [InlineData("interp")]
    [InlineData("explicit")]
    [InlineData("guard-pages")]
    public void AMemoryDisposedInMidCallGoesWhenTheCallReturns(string mode)
    {
        // A host that disposes the memory during a call: the code that called it goes on with the memory as it
        // was (native code does not look at its base and size again after calls), and the memory goes when the
        // outermost call returns; the next call traps.
        var engine = mode == "interp" ? new Engine() : new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache, guardPages: mode == "guard-pages") });
        var module = Module.FromBytes(engine, Wat("""
            (module
              (import "env" "dispose" (func $dispose))
              (memory (export "memory") 1)
              (func (export "f") (param $p i32) (result i32)
                (i32.store (local.get $p) (i32.const 41))
                (call $dispose)
                (i32.store offset=4 (local.get $p) (i32.const 1))
                (i32.add (i32.load (local.get $p)) (i32.load offset=4 (local.get $p)))))
            """));
        if (mode != "interp") Assert.Null(module.NativeFallback);
        using var store = new Store(engine);
        Instance? self = null;
        bool disposed = false;
        var linker = new Linker().DefineFunction("env", "dispose", () =>
        {
            if (disposed) return;
            disposed = true;
            self!.GetMemory("memory")!.Dispose();
            Assert.Equal(65536UL, self.GetMemory("memory")!.Length); // still there while the call runs
        });
        self = linker.Instantiate(store, module);
        var f = self.GetFunction<int, int>("f");
        Assert.Equal(42, f(65528));
        Assert.True(disposed);
        Assert.Equal(0UL, self.GetMemory("memory")!.Length);
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => f(0)).Code);
    }

    [Theory]
    [InlineData("interp")]
    [InlineData("explicit")]
    [InlineData("guard-pages")]
    public void CallsAfterTheMemoryIsDisposedTrapOnEveryAccessAndRunOtherwise(string mode)
    {
        // Native code takes a memory to be at least its declared minimum (so the checks of these accesses, inside
        // the first two pages, fold away); a disposed memory has size 0, and calls then run on the interpreter:
        // the accesses trap, as there, and the function that touches no memory still runs. An imported memory
        // counts too.
        var engine = mode == "interp" ? new Engine() : new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache, guardPages: mode == "guard-pages") });
        var exporter = Module.FromBytes(engine, Wat("(module (memory (export \"memory\") 2))"));
        var module = Module.FromBytes(engine, Wat("""
            (module
              (import "env" "memory" (memory 2))
              (func (export "load") (result i32) (i32.load (i32.const 100)))
              (func (export "store") (i32.store offset=131068 (i32.const 0) (i32.const 7)))
              (func (export "sum") (param i32) (result i32) (i32.add (call 3 (local.get 0)) (i32.const 1)))
              (func (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))
            """));
        if (mode != "interp") Assert.Null(module.NativeFallback);
        using var store = new Store(engine);
        var memory = new Linker().Instantiate(store, exporter).GetMemory("memory")!;
        var inst = new Linker().Define("env", "memory", memory).Instantiate(store, module);
        var load = inst.GetFunction<int>("load");
        var write = inst.GetFunction("store")!.AsAction();
        var sum = inst.GetFunction<int, int>("sum");
        write();
        Assert.Equal(0, load());
        memory.Dispose();
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => load()).Code);
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => write()).Code);
        Assert.Equal(11, sum(5));
    }

    [Fact]
    public void ANativeEngineValidatesAsTheInterpreterDoes()
    {
        // (func (result i32) (i64.const 1)): bodies of modules headed for native code are validated without being
        // translated, with the same error, and nothing reaches LLVM.
        byte[] bytes =
        [
            0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,
            0x03, 0x02, 0x01, 0x00,
            0x0A, 0x06, 0x01, 0x04, 0x00, 0x42, 0x01, 0x0B,
        ];
        var native = Assert.Throws<InvalidModuleException>(() => Module.FromBytes(_engine, bytes));
        var interpreted = Assert.Throws<InvalidModuleException>(() => Module.FromBytes(bytes));
        Assert.Equal(interpreted.Message, native.Message);
        Assert.Contains("type mismatch", native.Message);
        Assert.Empty(ModuleLibraries());
    }

    [Fact]
    public void SimdRunsNatively()
    {
        var module = Module.FromBytes(_engine, Wat(Lanes));
        Assert.Null(module.NativeFallback);
        using var store = new Store(_engine);
        Assert.Equal(9, new Linker().Instantiate(store, module).GetFunction<int, int>("lane")(9));
    }

    [Fact]
    public void AModuleWithSeveralMemoriesRunsNatively()
    {
        var module = Module.FromBytes(_engine, Wat("""
            (module
              (memory (export "a") 1) (memory $b 1)
              (func (export "poke") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))
              (func (export "peek") (param i32) (result i32) (i32.add (i32.load $b (local.get 0)) (i32.load (local.get 0)))))
            """));
        Assert.Null(module.NativeFallback);
        Assert.Single(ModuleLibraries());
        using var store = new Store(_engine);
        var inst = new Linker().Instantiate(store, module);
        inst.GetAction<int, int>("poke")(8, 41);
        Assert.Equal(41, inst.GetFunction<int, int>("peek")(8));
        inst.GetMemory("a")!.Write(8, 1000);
        Assert.Equal(1041, inst.GetFunction<int, int>("peek")(8));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => inst.GetAction<int, int>("poke")(65533, 1)).Code);
    }

    [Fact]
    public void InterruptibleNativeCodeStopsInALoop()
    {
        var engine = new Engine(new EngineConfig { Interruptible = true, Native = new LlvmBackend(2, _cache) });
        var module = Module.FromBytes(engine, Wat("""
            (module
              (func (export "spin") (loop (br 0)))
              (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))
            """));
        Assert.Null(module.NativeFallback);
        using var store = new Store(engine);
        var inst = new Linker().Instantiate(store, module);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var trap = Assert.Throws<TrapException>(() => inst.GetFunction("spin")!.Invoke([], [], cts.Token));
        Assert.Equal(TrapCode.Interrupted, trap.Code);
        Assert.Equal(8, inst.GetFunction<int, int>("inc")(7)); // the interrupt was consumed
    }

    [Fact]
    public void CallIndirectReachesEveryKindOfFunctionWithTheSpecsChecks()
    {
        using var store = new Store(_engine);
        var linker = new Linker().DefineFunction("env", "host", (int x) => x * 100);
        var other = Module.FromBytes(_engine, Wat("(module (func (export \"plus2\") (param i32) (result i32) (i32.add (local.get 0) (i32.const 2))))"));
        linker.DefineInstance("other", linker.Instantiate(store, other));
        var module = Module.FromBytes(_engine, Wat("""
            (module
              (import "env" "host" (func $host (param i32) (result i32)))
              (import "other" "plus2" (func $plus2 (param i32) (result i32)))
              (type $unary (func (param i32) (result i32)))
              (func $twice (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
              (func $pair (param i32) (result i32 i32) (local.get 0) (i32.const 7))
              (func $nothing)
              (table 6 funcref)
              (elem (i32.const 0) $twice $host $plus2 $nothing)
              (elem declare func $pair)
              (func (export "call") (param $f i32) (param $x i32) (result i32)
                (call_indirect (type $unary) (local.get $x) (local.get $f)))
              (func (export "call_pair") (param $x i32) (result i32)
                (table.set 0 (i32.const 4) (ref.func $pair))
                (call_indirect (param i32) (result i32 i32) (local.get $x) (i32.const 4))
                (i32.sub)))
            """));
        Assert.Null(module.NativeFallback);
        var inst = linker.Instantiate(store, module);
        var call = inst.GetFunction<int, int, int>("call");
        Assert.Equal(42, call(0, 21));  // native code of the same instance: the direct call
        Assert.Equal(2100, call(1, 21)); // the host
        Assert.Equal(23, call(2, 21));  // another instance's native code
        Assert.Equal(TrapCode.IndirectCallTypeMismatch, Assert.Throws<TrapException>(() => call(3, 1)).Code);
        Assert.Equal(TrapCode.UninitializedElement, Assert.Throws<TrapException>(() => call(5, 1)).Code);
        Assert.Equal(TrapCode.UndefinedElement, Assert.Throws<TrapException>(() => call(6, 1)).Code);
        Assert.Equal(TrapCode.UndefinedElement, Assert.Throws<TrapException>(() => call(-1, 1)).Code);
        Assert.Equal(3, inst.GetFunction<int, int>("call_pair")(10)); // two results, through a table set by ref.func
    }

    [Fact]
    public void InterpretedAndNativeModulesCallEachOther()
    {
        // An interpreted module (the backend declines it) calls a native one, which calls the host.
        var engine = new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache) { Declines = m => m.Exports.Any(e => e.Name == "run") } });
        using var store = new Store(engine);
        var calls = 0;
        var linker = new Linker().DefineFunction("env", "tick", () => { calls++; });
        var native = Module.FromBytes(engine, Wat("""
            (module (import "env" "tick" (func $tick))
              (func (export "twice") (param i32) (result i32) (call $tick) (i32.mul (local.get 0) (i32.const 2))))
            """));
        Assert.Null(native.NativeFallback);
        linker.DefineInstance("native", linker.Instantiate(store, native));
        var interpreted = Module.FromBytes(engine, Wat("""
            (module (import "native" "twice" (func $twice (param i32) (result i32)))
              (func (export "run") (param i32) (result i32) (i32x4.extract_lane 2 (i32x4.splat (call $twice (local.get 0))))))
            """));
        Assert.NotNull(interpreted.NativeFallback);
        var run = linker.Instantiate(store, interpreted).GetFunction<int, int>("run");
        Assert.Equal(42, run(21));
        Assert.Equal(1, calls);
    }
}

/// <summary>Wasm text to binary with WasmSharp's own text front end.</summary>
internal static class WatCompiler
{
    public static byte[] Compile(string text) => ModuleParser.ParseFile(System.Text.Encoding.UTF8.GetBytes(text));
}

/// <summary>The command line's --engine.</summary>
public sealed class EngineOptionTests
{
    [Fact]
    public void RunAndWastTakeTheNativeEngine()
    {
        var fib = Path.Combine(TestPrograms.RepositoryRoot, "examples", "fib.wat");
        var wasm = Path.Combine(Directory.CreateTempSubdirectory("wasmsharp-cli-").FullName, "fib.wasm");
        File.WriteAllBytes(wasm, WatCompiler.Compile(File.ReadAllText(fib)));
        var r = TestPrograms.RunCli(["run", "--engine", "llvm", "--invoke", "fib", wasm, "25"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("75025\n", r.StdoutText);
        Assert.DoesNotContain("running on the interpreter", r.StderrText);

        var args = TestPrograms.RunCli(["run", "--engine", "llvm", TestPrograms.Wasm("args"), "x"]);
        Assert.Equal(0, args.ExitCode);
        Assert.DoesNotContain("running on the interpreter", args.StderrText); // a C program, natively

        var lanes = Path.Combine(Path.GetDirectoryName(wasm)!, "lanes.wasm");
        File.WriteAllBytes(lanes, WatCompiler.Compile(NativeEngineTests.Lanes));
        var simd = TestPrograms.RunCli(["run", "--engine", "llvm", "--invoke", "lane", lanes, "5"]);
        Assert.Equal(0, simd.ExitCode);
        Assert.Equal("5\n", simd.StdoutText);
        Assert.DoesNotContain("running on the interpreter", simd.StderrText);

        var wast = TestPrograms.RunCli(["wast", "--engine", "llvm", Path.Combine(TestPrograms.RepositoryRoot, "..", "shared", "testsuite", "core", "int_exprs.wast")]);
        Assert.Equal(0, wast.ExitCode);
        Assert.Matches(@"native engine: [1-9]\d* modules compiled", wast.StdoutText);
        Assert.EndsWith(" 0 failed, 0 skipped\n", wast.StdoutText);
    }

    [Fact]
    public void CompileFillsTheCacheOrWritesALibraryThatRunTakes()
    {
        var dir = Directory.CreateTempSubdirectory("wasmsharp-compile-").FullName;
        try
        {
            var cache = Path.Combine(dir, "cache");
            var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string)e.Value!);
            env["XDG_CACHE_HOME"] = cache;
            ProcessResult Cli(params string[] args) =>
                TestPrograms.Run(TestPrograms.DotNet, [TestPrograms.CliDll, .. args], env, TestPrograms.RepositoryRoot, null, TimeSpan.FromMinutes(5));
            var program = TestPrograms.Wasm("args");
            var filled = Cli("compile", "-O1", program);
            Assert.True(filled.ExitCode == 0, filled.StderrText);
            Assert.Contains("compiled (-O1)", filled.StdoutText);
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(cache, "wasmsharp"), "*.so", SearchOption.AllDirectories));

            var library = Path.Combine(dir, "args.so");
            var written = Cli("compile", "-O2", program, "-o", library);
            Assert.True(written.ExitCode == 0, written.StderrText);
            var direct = Cli("run", "--engine", "llvm", program, "a", "b");
            var viaLibrary = Cli("run", library, "a", "b");
            Assert.Equal(0, viaLibrary.ExitCode);
            Assert.Equal(direct.StdoutText, viaLibrary.StdoutText);
            Assert.DoesNotContain("running on the interpreter", viaLibrary.StderrText);

            // A library whose embedded key no build would make (here: its bytes changed) is refused, not run.
            var bytes = File.ReadAllBytes(library);
            var tampered = Path.Combine(dir, "tampered.so");
            var keyAt = bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(KeyHexPrefix(bytes)));
            Assert.True(keyAt > 0);
            bytes[keyAt] = (byte)(bytes[keyAt] == (byte)'0' ? '1' : '0');
            File.WriteAllBytes(tampered, bytes);
            var refused = Cli("run", tampered, "a");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("compile it again", refused.StderrText);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The start of the 64-hex-digit key embedded in a library (the first such run of digits after the
    /// module's bytes would be ambiguous; the key is the only NUL-terminated one).</summary>
    private static string KeyHexPrefix(byte[] library)
    {
        for (int i = 0; i + 65 <= library.Length; i++)
        {
            int n = 0;
            while (n < 64 && Uri.IsHexDigit((char)library[i + n]) && !char.IsUpper((char)library[i + n])) n++;
            if (n == 64 && library[i + 64] == 0 && (i == 0 || !Uri.IsHexDigit((char)library[i - 1]))) return System.Text.Encoding.ASCII.GetString(library, i, 64);
        }
        throw new InvalidOperationException("no key in the library");
    }
}
