using WasmSharp.Llvm;
using WasmSharp.Text;
using WasmSharp.Validation;

namespace WasmSharp.Tests.Llvm;

/// <summary>Leaf functions (no call, no loop, nothing done through the runtime), whose native code the host calls
/// without a GC transition: which functions are leaves, and that such calls trap, return and let the GC run as
/// every other call does.</summary>
public sealed class NativeLeafTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("wasmsharp-leaf-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    /// <summary>An engine running native code from this test's cache, with explicit checks or guard pages (null
    /// where guard pages are not available).</summary>
    private Engine? NativeEngine(bool guardPages) =>
        guardPages && !GuardPages.IsAvailable ? null : new Engine(new EngineConfig { Native = new LlvmBackend(2, _cache, guardPages) });

    private static LeafKind Kind(string body, string extra = "")
    {
        var module = Module.FromBytes(WatCompiler.Compile($"(module (memory 1) (table 1 funcref) {extra} (func (param i32) (result i32) {body}))"));
        var code = module.Info.Codes[^1];
        return LeafCode.Classify(module.Info.Bytes.Span.Slice(code.CodeOffset, code.CodeLength), module.Info.AllMemories.Count);
    }

    private static bool Leaf(string body, string extra = "") => Kind(body, extra) != LeafKind.None;

    [Theory]
    [InlineData("(i32.add (local.get 0) (i32.const 1))")]
    [InlineData("(block (result i32) (br_table 0 0 (i32.const 3) (local.get 0)))")]
    [InlineData("(if (result i32) (local.get 0) (then (i32.const 1)) (else (memory.size)))")]
    [InlineData("(i32.trunc_sat_f64_s (f64.div (f64.convert_i32_u (local.get 0)) (f64.const 0)))")]
    [InlineData("(i32x4.extract_lane 1 (i32x4.splat (local.get 0)))")]
    [InlineData("(select (i32.mul (local.get 0) (i32.const 3)) (i32.const 1) (local.get 0))")]
    [InlineData("(memory.grow (local.get 0))")]
    [InlineData("(global.set 0 (local.get 0)) (global.get 0)", "(global (mut i32) (i32.const 0))")]
    public void LeavesWithoutTrappingInstructionsAreTrapFree(string body, string extra = "") =>
        Assert.Equal(LeafKind.TrapFree, Kind(body, extra));

    [Theory]
    [InlineData("(i32.load offset=4 (local.get 0))")]
    [InlineData("(i32.store8 (local.get 0) (i32.const 7)) (i32.const 0)")]
    [InlineData("(if (result i32) (local.get 0) (then (unreachable)) (else (i32.const 0)))")]
    [InlineData("(i32.div_u (i32.const 7) (local.get 0))")]
    [InlineData("(i32.wrap_i64 (i64.rem_s (i64.const 7) (i64.extend_i32_s (local.get 0))))")]
    [InlineData("(i32.trunc_f32_u (f32.convert_i32_s (local.get 0)))")]
    [InlineData("(i32x4.extract_lane 0 (v128.load (local.get 0)))")]
    [InlineData("(i32x4.extract_lane 0 (v128.load32_lane 1 (local.get 0) (v128.const i64x2 0 0)))")]
    [InlineData("(memory.fill (i32.const 0) (i32.const 0) (local.get 0)) (i32.const 0)")]
    [InlineData("(memory.copy (i32.const 0) (i32.const 8) (local.get 0)) (i32.const 0)")]
    public void LeavesWithTrappingInstructionsAreNotTrapFree(string body) => Assert.Equal(LeafKind.Leaf, Kind(body));

    [Fact]
    public void ALongBodyIsNoLeaf()
    {
        var body = string.Concat(Enumerable.Repeat("(local.set 0 (i32.add (local.get 0) (i32.const 1)))", LeafCode.MaxLength / 7)) + "(local.get 0)";
        Assert.Equal(LeafKind.None, Kind(body));
        Assert.Equal(LeafKind.TrapFree, Kind(string.Concat(Enumerable.Repeat("(local.set 0 (i32.add (local.get 0) (i32.const 1)))", 10)) + "(local.get 0)"));
    }

    [Theory]
    [InlineData("(i32.add (local.get 0) (i32.const 1))")]
    [InlineData("(i32.load offset=4 (local.get 0))")]
    [InlineData("(i32.store8 (local.get 0) (i32.const 7)) (i32.const 0)")]
    [InlineData("(block (result i32) (br_table 0 0 (i32.const 3) (local.get 0)))")]
    [InlineData("(if (result i32) (local.get 0) (then (unreachable)) (else (memory.size)))")]
    [InlineData("(i32.trunc_sat_f64_s (f64.convert_i32_u (local.get 0)))")]
    [InlineData("(i32x4.extract_lane 1 (i32x4.splat (local.get 0)))")]
    [InlineData("(global.set 0 (local.get 0)) (global.get 0)", "(global (mut i32) (i32.const 0))")]
    public void StraightLineCodeIsALeaf(string body, string extra = "") => Assert.True(Leaf(body, extra));

    [Theory]
    [InlineData("(call 0 (local.get 0))")]
    [InlineData("(call_indirect (param i32) (result i32) (local.get 0) (i32.const 0))")]
    [InlineData("(return_call 0 (local.get 0))")]
    [InlineData("(loop (result i32) (local.get 0))")]
    [InlineData("(memory.init 0 (i32.const 0) (i32.const 0) (local.get 0)) (i32.const 0)", "(data \"abc\")")]
    [InlineData("(memory.copy 1 0 (i32.const 0) (i32.const 8) (local.get 0)) (i32.const 0)", "(memory 1)")]
    [InlineData("(memory.fill 1 (i32.const 0) (i32.const 0) (local.get 0)) (i32.const 0)", "(memory 1)")]
    [InlineData("(ref.is_null (table.get 0 (local.get 0)))")]
    [InlineData("(table.size 0)")]
    public void CodeThatCallsLoopsOrUsesTheRuntimeIsNot(string body, string extra = "") => Assert.False(Leaf(body, extra));

    private const string Leaves = """
        (module
          (memory 1)
          (global $g (mut i64) (i64.const 0))
          (func (export "mix") (param i32 i64 f64) (result i64 f64)
            (global.set $g (i64.add (global.get $g) (i64.extend_i32_s (local.get 0))))
            (i64.mul (local.get 1) (global.get $g)) (f64.add (local.get 2) (f64.convert_i64_s (global.get $g))))
          (func (export "total") (result i64) (global.get $g))
          (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
          (func (export "fail") (result i32) (unreachable))
          (func (export "sum") (param i32) (result i32)
            (local $s i32)
            (loop $l (local.set $s (i32.add (local.get $s) (local.get 0)))
              (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            (local.get $s)))
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LeavesTrapAndReturnAsOtherFunctionsDo(bool guardPages)
    {
        if (NativeEngine(guardPages) is not { } engine) return; // guard pages: Linux x86-64 only
        var module = Module.FromBytes(engine, WatCompiler.Compile(Leaves));
        Assert.Null(module.NativeFallback);
        using var store = new Store(engine);
        var inst = new Linker().Instantiate(store, module);
        foreach (var name in new[] { "div", "load", "trunc", "fail" })
            Assert.True(((WasmFunction)inst.GetFunction(name)!).NativeLeaf, name);
        Assert.False(((WasmFunction)inst.GetFunction("sum")!).NativeLeaf); // a loop

        var div = inst.GetFunction<int, int, int>("div");
        var load = inst.GetFunction<int, int>("load");
        Assert.Equal(-3, div(-7, 2));
        Assert.Equal(TrapCode.IntegerDivideByZero, Assert.Throws<TrapException>(() => div(1, 0)).Code);
        Assert.Equal(TrapCode.IntegerOverflow, Assert.Throws<TrapException>(() => div(int.MinValue, -1)).Code);
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => load(65534)).Code);
        Assert.Equal(TrapCode.InvalidConversionToInteger,
            Assert.Throws<TrapException>(() => inst.GetFunction("trunc")!.Invoke(Value.F64(double.NaN))).Code);
        Assert.Equal(TrapCode.Unreachable, Assert.Throws<TrapException>(() => inst.GetFunction<int>("fail")()).Code);
        // After the traps the instance goes on, on every path: typed, Value and raw calls.
        Assert.Equal(0, load(65532));
        Assert.Equal(5, inst.GetFunction("div")!.Invoke(Value.I32(10), Value.I32(2))[0].AsI32());
        Assert.Equal(55, inst.GetFunction<int, int>("sum")(10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrapFreeLeavesAreCalledDirectly(bool guardPages)
    {
        if (NativeEngine(guardPages) is not { } engine) return; // guard pages: Linux x86-64 only
        var module = Module.FromBytes(engine, WatCompiler.Compile(Leaves));
        using var store = new Store(engine);
        var inst = new Linker().Instantiate(store, module);
        var mix = (WasmFunction)inst.GetFunction("mix")!;
        Assert.True(mix.NativeTrapFree);
        foreach (var name in new[] { "div", "load", "trunc", "fail" })
            Assert.False(((WasmFunction)inst.GetFunction(name)!).NativeTrapFree, name);
        // Several values in and out, and a global (kept in a register inside the module) seen by the next call:
        // through the Value API, raw slots (the component glue's calls) and a typed delegate.
        var results = mix.Invoke(Value.I32(3), Value.I64(10), Value.F64(2.5));
        Assert.Equal(30L, results[0].AsI64());
        Assert.Equal(5.5, results[1].AsF64());
        Span<ulong> raw = stackalloc ulong[2];
        mix.InvokeRaw([4, 2, BitConverter.DoubleToUInt64Bits(-1)], raw);
        Assert.Equal(14L, (long)raw[0]);
        Assert.Equal(6.0, BitConverter.UInt64BitsToDouble(raw[1]));
        var total = inst.GetFunction<long>("total");
        Assert.True(((WasmFunction)inst.GetFunction("total")!).NativeTrapFree);
        Assert.Equal(7L, total());
        // A trap in another leaf of the instance, then the direct calls again.
        Assert.Throws<TrapException>(() => inst.GetFunction<int, int, int>("div")(1, 0));
        results = mix.Invoke(Value.I32(-7), Value.I64(5), Value.F64(0.5));
        Assert.Equal(0L, results[0].AsI64());
        Assert.Equal(0L, total());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NativeCodeGrowsMemoryItself(bool guardPages)
    {
        // memory.grow in native code, a leaf: up to the maximum, then -1; what it commits is there for the code,
        // the host and the interpreter alike.
        if (NativeEngine(guardPages) is not { } engine) return; // guard pages: Linux x86-64 only
        var module = Module.FromBytes(engine, WatCompiler.Compile("""
            (module
              (memory (export "mem") 1 5)
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
              (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
              (func (export "move") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))
            """));
        using var store = new Store(engine);
        var inst = new Linker().Instantiate(store, module);
        Assert.True(((WasmFunction)inst.GetFunction("grow")!).NativeTrapFree);
        var grow = inst.GetFunction<int, int>("grow");
        var poke = inst.GetFunction("poke")!.AsAction<int, int>();
        var peek = inst.GetFunction<int, int>("peek");
        var memory = inst.GetMemory("mem")!;
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => peek(65536)).Code);
        Assert.Equal(1, grow(0));
        Assert.Equal(1, grow(2));
        Assert.Equal(3UL, memory.Pages);
        poke(3 * 65536 - 4, 77);
        Assert.Equal(77, peek(3 * 65536 - 4));
        Assert.Equal(77, memory.Read<int>(3 * 65536 - 4));
        Assert.Equal(0, peek(2 * 65536)); // new pages are zero
        Assert.Equal(-1, grow(3)); // past the maximum (5)
        Assert.Equal(-1, grow(-1)); // 2^32 - 1 pages
        Assert.Equal(3, grow(2));
        Assert.Equal(-1, grow(1));
        Assert.Equal(5UL, memory.Pages);
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => peek(5 * 65536 - 2)).Code);
        // The host grows the same memory to the same limit.
        Assert.Equal(-1, memory.Grow(1));
        // memory.copy in a leaf that may trap: copies, or traps before writing a byte.
        var move = (WasmFunction)inst.GetFunction("move")!;
        Assert.True(move.NativeLeaf);
        Assert.False(move.NativeTrapFree);
        move.AsAction<int, int, int>()(16, 3 * 65536 - 4, 4);
        Assert.Equal(77, peek(16));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess,
            Assert.Throws<TrapException>(() => move.AsAction<int, int, int>()(5 * 65536 - 2, 16, 4)).Code);
        Assert.Equal(0, peek(5 * 65536 - 4));

        // Without a maximum: up to 4 GiB, as far as the machine commits; then on the interpreter too.
        var unbounded = Module.FromBytes(engine, WatCompiler.Compile("""
            (module (memory (export "mem") 0)
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
            """));
        var other = new Linker().Instantiate(store, unbounded);
        var growOther = other.GetFunction<int, int>("grow");
        Assert.Equal(0, growOther(16));
        Assert.Equal(-1, growOther(65536 - 15)); // past 65536 pages
        Assert.Equal(16UL, other.GetMemory("mem")!.Pages);
    }

    [Fact]
    public void TheGcRunsWhileAnotherThreadCallsLeaves()
    {
        // Calls without a GC transition keep their thread in cooperative mode: a collection another thread asks
        // for waits until the call returns, and nothing hangs or breaks.
        var engine = NativeEngine(guardPages: false)!;
        var module = Module.FromBytes(engine, WatCompiler.Compile(Leaves));
        int calls = 0, wrong = 0, traps = 0;
        bool stop = false;
        var caller = new Thread(() =>
        {
            using var store = new Store(engine);
            var inst = new Linker().Instantiate(store, module);
            var div = inst.GetFunction<int, int, int>("div");
            for (int i = 1; !Volatile.Read(ref stop); i++)
            {
                if (div(i, 1) != i) wrong++;
                if (i % 1000 == 0)
                    try { div(i, 0); } catch (TrapException) { traps++; }
                Volatile.Write(ref calls, i);
            }
        });
        caller.Start();
        while (Volatile.Read(ref calls) == 0) Thread.Sleep(1);
        for (int c = 0; c < 100; c++)
        {
            GC.Collect();
            Thread.Sleep(1);
        }
        Volatile.Write(ref stop, true);
        caller.Join();
        Assert.Equal(0, wrong);
        Assert.Equal(calls / 1000, traps);
        Assert.True(calls > 0);
    }
}
