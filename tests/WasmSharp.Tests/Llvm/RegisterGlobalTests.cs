using WasmSharp.Llvm;

namespace WasmSharp.Tests.Llvm;

/// <summary>
/// A module's own mutable globals that it does not export (the C stack pointer) are passed between native
/// functions in registers (ModuleTranslator.RegisterGlobals): their cells must still say the spec's value wherever
/// anyone can look. Checked against the values the spec gives, on the interpreter, on native code with explicit
/// bounds checks (where globals go in registers) and with guard pages (where they stay in their cells).
/// </summary>
public sealed class RegisterGlobalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wasmsharp-registers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Program = """
        (module
          (import "host" "peek" (func $peek (result i32)))
          (import "host" "poke" (func $poke (param i32)))
          (type $v (func))
          (memory 1 1)
          (global $sp (mut i32) (i32.const 1000))
          (global $wide (mut i64) (i64.const 5))
          (global $fixed i32 (i32.const 3))
          (table 1 funcref)
          (elem (i32.const 0) $bump)
          (func $bump (global.set $sp (i32.sub (global.get $sp) (i32.const 16))))
          (func (export "sp") (result i32) (global.get $sp))
          (func (export "set") (param i32) (global.set $sp (local.get 0)))
          ;; a trap in a callee, and one in the function itself, after the global changed
          (func (export "down-then-trap")
            (global.set $sp (i32.sub (global.get $sp) (i32.const 8))) (call $bump) (unreachable))
          (func (export "down-then-divide") (param i32) (result i32)
            (global.set $sp (i32.sub (global.get $sp) (i32.const 4))) (i32.div_u (i32.const 1) (local.get 0)))
          ;; a trap in the runtime's part of a bulk operation, and a memory.grow that fails (no trap)
          (data $bytes "abc")
          (elem $functions func $bump)
          (func (export "down-then-fill")
            (global.set $sp (i32.sub (global.get $sp) (i32.const 2))) (memory.fill (i32.const 65530) (i32.const 0) (i32.const 16)))
          (func (export "down-then-init")
            (global.set $sp (i32.sub (global.get $sp) (i32.const 2))) (memory.init $bytes (i32.const 0) (i32.const 1) (i32.const 3)))
          (func (export "down-then-table-init")
            (global.set $sp (i32.sub (global.get $sp) (i32.const 2))) (table.init $functions (i32.const 0) (i32.const 0) (i32.const 2)))
          (func (export "down-then-grow") (result i32)
            (global.set $sp (i32.sub (global.get $sp) (i32.const 1))) (memory.grow (i32.const 1)))
          ;; through the table (the callee's wrapper reads the cell), then directly
          (func (export "through-table") (call_indirect (type $v) (i32.const 0)) (call $bump))
          ;; the host reads and writes the global through exports while this function runs
          (func (export "host-sees") (result i32) (global.set $sp (i32.const 77)) (call $peek))
          (func (export "host-sets") (result i32) (call $poke (i32.const 555)) (global.get $sp))
          ;; a frame per level, as C's stack: the bottom's depth, the global restored on the way up
          (func $recurse (export "recurse") (param $n i32) (result i32) (local $frame i32)
            (local.set $frame (i32.sub (global.get $sp) (i32.const 32)))
            (global.set $sp (local.get $frame))
            (if (result i32) (i32.eqz (local.get $n))
              (then (global.get $sp))
              (else (call $recurse (i32.sub (local.get $n) (i32.const 1)))))
            (global.set $sp (i32.add (local.get $frame) (i32.const 32))))
          (func (export "wide") (result i64)
            (global.set $wide (i64.add (global.get $wide) (i64.extend_i32_u (global.get $fixed)))) (global.get $wide))
          (func $deeper (global.set $sp (i32.sub (global.get $sp) (i32.const 1))) (call $deeper))
          (func (export "overflow") (call $deeper)))
        """;

    public static TheoryData<string> Engines => new() { "interpreter", "native", "native+guard-pages" };

    private Engine EngineFor(string name) => name switch
    {
        "interpreter" => Engine.Default,
        "native" => new Engine(new EngineConfig { Native = new LlvmBackend(2, _dir) }),
        _ => new Engine(new EngineConfig { Native = new LlvmBackend(2, _dir, guardPages: true) }),
    };

    [Theory]
    [MemberData(nameof(Engines))]
    public void TheGlobalsCellsHoldTheSpecsValues(string engineName)
    {
        var engine = EngineFor(engineName);
        var module = Module.FromBytes(engine, WatCompiler.Compile(Program));
        Assert.Null(module.NativeFallback);
        using var store = new Store(engine);
        Instance? instance = null;
        var linker = new Linker();
        linker.DefineFunction("host", "peek", () => instance!.GetFunction<int>("sp")());
        linker.DefineFunction("host", "poke", (int v) => instance!.GetAction<int>("set")(v));
        instance = linker.Instantiate(store, module);
        var sp = instance.GetFunction<int>("sp");

        Assert.Equal(1000, sp());
        var trap = Assert.Throws<TrapException>(() => instance.GetAction("down-then-trap")());
        Assert.Equal(TrapCode.Unreachable, trap.Code);
        Assert.Equal(1000 - 8 - 16, sp());
        trap = Assert.Throws<TrapException>(() => instance.GetFunction<int, int>("down-then-divide")(0));
        Assert.Equal(TrapCode.IntegerDivideByZero, trap.Code);
        Assert.Equal(976 - 4, sp());
        trap = Assert.Throws<TrapException>(() => instance.GetAction("down-then-fill")());
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, trap.Code);
        Assert.Equal(972 - 2, sp());
        foreach (var name in new[] { "down-then-init", "down-then-table-init" })
        {
            trap = Assert.Throws<TrapException>(() => instance.GetAction(name)());
            Assert.Equal(name == "down-then-init" ? TrapCode.OutOfBoundsMemoryAccess : TrapCode.OutOfBoundsTableAccess, trap.Code);
            Assert.Equal(970, sp() + 2);
            instance.GetAction<int>("set")(970);
        }
        Assert.Equal(-1, instance.GetFunction<int>("down-then-grow")());
        Assert.Equal(970 - 1, sp());
        instance.GetAction<int>("set")(972);
        instance.GetAction("through-table")();
        Assert.Equal(972 - 32, sp());
        Assert.Equal(77, instance.GetFunction<int>("host-sees")());
        Assert.Equal(77, sp());
        Assert.Equal(555, instance.GetFunction<int>("host-sets")());
        Assert.Equal(555, sp());
        Assert.Equal(555 - 32 * 101, instance.GetFunction<int, int>("recurse")(100));
        Assert.Equal(555, sp());
        Assert.Equal(8L, instance.GetFunction<long>("wide")());
        Assert.Equal(11L, instance.GetFunction<long>("wide")());
        trap = Assert.Throws<TrapException>(() => instance.GetAction("overflow")());
        Assert.Equal(TrapCode.CallStackExhausted, trap.Code);
        Assert.True(sp() < 555, "each level of the runaway recursion took one off before the stack ran out");
        instance.GetAction<int>("set")(1000);
        Assert.Equal(1000, sp());
    }

    [Fact]
    public void ASplitModuleCallsAcrossItsParts()
    {
        var module = Module.FromBytes(WatCompiler.Compile(Program));
        using var native = NativeModule.Compile(module, optLevel: 2, _dir, split: 3);
        using var store = new Store();
        var linker = new Linker();
        linker.DefineFunction("host", "peek", () => 0);
        linker.DefineFunction("host", "poke", (int _) => { });
        var instance = linker.Instantiate(store, module);
        int recurse = (int)module.Info.Exports.Single(e => e.Name == "recurse").Index;
        int through = (int)module.Info.Exports.Single(e => e.Name == "through-table").Index;
        Assert.Equal(1000 - 32 * 11, native.Invoke(instance, recurse, [Value.I32(10)])[0].AsI32());
        native.Invoke(instance, through, []);
        Assert.Equal(1000 - 32, instance.GetFunction<int>("sp")());
    }
}
