using WasmSharp.Llvm;
using WasmSharp.Text;

namespace WasmSharp.Tests.Llvm;

/// <summary>
/// Exception handling and tail calls with the native tier: a module that uses them runs on the interpreter (and
/// says why), and a Wasm exception passes through native code that cannot catch it (as a host's own exception does:
/// kept, the native frames left, thrown again at their entry) to an interpreted handler.
/// </summary>
public sealed class NativeExceptionTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("wasmsharp-exceptions-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    public void AWasmExceptionCrossesNativeFramesToAnInterpretedHandler()
    {
        var engine = new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache, guardPages: false) });
        using var store = new Store(engine);
        var tag = new Tag(new FunctionType([ValueType.I32], []));
        var linker = new Linker()
            .Define("host", "tag", tag)
            .DefineFunction("host", "fail", new FunctionType([ValueType.I32], []), (args, _) =>
            {
                if (args[0].AsI32() > 0) throw new UncaughtWasmException(tag, args[0]);
            });
        var middle = Module.FromBytes(engine, Wat.ToBinary("""
            (module
              (import "host" "fail" (func $fail (param i32)))
              (func (export "relay") (param i32) (call $fail (i32.add (local.get 0) (i32.const 1)))))
            """));
        Assert.Null(middle.NativeFallback);
        linker.DefineInstance("middle", linker.Instantiate(store, middle));
        var catcher = Module.FromBytes(engine, Wat.ToBinary("""
            (module
              (import "host" "tag" (tag $t (param i32)))
              (import "middle" "relay" (func $relay (param i32)))
              (func (export "run") (param i32) (result i32)
                (block $h (result i32)
                  (try_table (catch $t $h) (call $relay (local.get 0)))
                  (i32.const -1))))
            """));
        Assert.Contains("exception handling", catcher.NativeFallback);
        var run = linker.Instantiate(store, catcher).GetFunction<int, int>("run");
        Assert.Equal(42, run(41));
        Assert.Equal(-1, run(-5));
        Assert.Equal(8, run(7)); // the native frames left no state behind
    }

    [Fact]
    public void TailCallsRunOnTheInterpreter()
    {
        var engine = new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache, guardPages: false) });
        var module = Module.FromBytes(engine, Wat.ToBinary("""
            (module
              (func $f (export "f") (param i32) (result i32) (return_call $g (local.get 0)))
              (func $g (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))
            """));
        Assert.Contains("tail calls", module.NativeFallback);
        using var store = new Store(engine);
        Assert.Equal(3, new Linker().Instantiate(store, module).GetFunction<int, int>("f")(2));
    }
}
