using WasmSharp.Llvm;

namespace WasmSharp.Tests.Llvm;

/// <summary>The first slice of the Wasm → LLVM translator: native code agrees with the interpreter on the same
/// instance (its memory and globals shared through the instance context), traps included.</summary>
public sealed class NativeTranslationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wasmsharp-native-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The module, with every function it defines exported: native code has entries only for functions
    /// that can be called from outside the module's code, and these tests call each one by its index.</summary>
    private static byte[] Wat(string text)
    {
        int n = 0;
        return WatCompiler.Compile(System.Text.RegularExpressions.Regex.Replace(text, @"(?<!"" )\(func( \$[\w.-]+)?(?! \(export)",
            m => $"{m.Value} (export \"__{n++}\")"));
    }

    [Fact]
    public void OnlyFunctionsCallableFromOutsideHaveEntries()
    {
        // A helper only ever called directly has no entry; a table's element, a function a global refers to, the
        // start function and an export have. Whole, and split so that the direct calls cross parts.
        byte[] bytes = WatCompiler.Compile("""
            (module
              (table 2 funcref)
              (global $g funcref (ref.func $viaGlobal))
              (global $started (mut i32) (i32.const 0))
              (elem (i32.const 0) $viaTable)
              (func $helper (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
              (func $viaTable (param i32) (result i32) (i32.add (call $helper (local.get 0)) (i32.const 1)))
              (func $viaGlobal (param i32) (result i32) (i32.add (call $helper (local.get 0)) (i32.const 2)))
              (func $start (global.set $started (i32.add (global.get $started) (i32.const 1))))
              (func (export "run") (param i32) (result i32)
                (table.set (i32.const 1) (global.get $g))
                (i32.add (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0))
                         (i32.add (call_indirect (param i32) (result i32) (local.get 0) (i32.const 1))
                                  (global.get $started))))
              (start $start))
            """);
        bool[] expected = [false, true, true, true, true];
        Assert.Equal(expected, ModuleTranslator.EscapingFunctions(Module.FromBytes(bytes).Info));

        var engine = new Engine(new EngineConfig { Native = new LlvmBackend(2, _dir) });
        var module = Module.FromBytes(engine, bytes);
        Assert.Null(module.NativeFallback);
        using var store = new Store(engine);
        var instance = new Linker().Instantiate(store, module);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], ((WasmFunction)instance.Functions[i]).NativeEntry != 0);
        // (5 * 3 + 1) + (5 * 3 + 2) + the start function's one run.
        Assert.Equal(34, instance.GetFunction("run")!.Invoke(Value.I32(5))[0].AsI32());

        var plain = Module.FromBytes(bytes);
        foreach (int? split in new int?[] { null, 5 })
        {
            using var native = NativeModule.Compile(plain, 2, _dir, split: split);
            using var store2 = new Store();
            var other = new Linker().Instantiate(store2, plain);
            Assert.Throws<InvalidOperationException>(() => native.Invoke(other, 0, Value.I32(1)));
            Assert.Equal(34, native.Invoke(other, 4, Value.I32(5))[0].AsI32());
            Assert.Equal(16, native.Invoke(other, 1, Value.I32(5))[0].AsI32());
        }
    }

    private const string Program = """
        (module
          (memory 1)
          (global $counter (mut i32) (i32.const 0))
          (global $big (mut i64) (i64.const 0))
          (func $fib (param $n i32) (result i32)
            (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
              (then (local.get $n))
              (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                             (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
          (func $sum (param $n i32) (result i64) (local $i i32) (local $acc i64)
            ;; memory[i] = i * 3 for i < n, then the sum of the i64 products of neighbours
            (block $done
              (loop $fill
                (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.mul (local.get $i) (i32.const 3)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $fill)))
            (local.set $i (i32.const 1))
            (block $out
              (loop $next
                (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
                (local.set $acc (i64.add (local.get $acc)
                  (i64.mul (i64.extend_i32_u (i32.load offset=0 (i32.shl (local.get $i) (i32.const 2))))
                           (i64.extend_i32_s (i32.load offset=0 (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 2)))))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
            (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
            (global.set $big (local.get $acc))
            (local.get $acc))
          (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func $rem (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
          (func $shifts (param i32 i32) (result i32)
            (i32.xor (i32.shl (local.get 0) (local.get 1)) (i32.shr_s (local.get 0) (local.get 1))))
          (func $load (param i32) (result i64) (i64.load offset=4 (local.get 0)))
          (func $deep (param i32) (result i32) (call $div (i32.const 1) (local.get 0)))
          (func $select (param i32 i64 i64) (result i64) (select (local.get 1) (local.get 2) (local.get 0)))
          (func $early (param i32) (result i32)
            (block $b (result i32)
              (br_if $b (i32.const 7) (local.get 0))
              (drop)
              (return (i32.const 9))))
          (func $trap (unreachable))
          (func $counter (result i32) (global.get $counter)))
        """;

    public static TheoryData<int, long[], string> Calls => new()
    {
        { 0, [20], "6765" },
        { 1, [1000], "" },                 // compared with the interpreter below
        { 2, [-7, 2], "-3" },
        { 2, [1, 0], "trap: integer divide by zero" },
        { 2, [int.MinValue, -1], "trap: integer overflow" },
        { 3, [long.MinValue, -1], "0" },
        { 3, [-7, 3], "-1" },
        { 4, [-5, 33], "" },
        { 5, [65528], "trap: out of bounds memory access" },
        { 5, [65524], "" },
        { 6, [0], "trap: integer divide by zero" },
        { 7, [1, 5, 6], "5" },
        { 7, [0, 5, 6], "6" },
        { 8, [1], "7" },
        { 8, [0], "9" },
        { 9, [], "trap: unreachable" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void NativeCodeAgreesWithTheInterpreter(int function, long[] args, string expected)
    {
        var module = Module.FromBytes(Wat(Program));
        // Compiled whole, and split into three LLVM modules compiled in parallel and linked together.
        foreach (int? split in new int?[] { null, 3 })
        {
            using var native = NativeModule.Compile(module, optLevel: 2, _dir, split: split);
            using var store = new Store();
            var interpreted = new Linker().Instantiate(store, module);
            using var store2 = new Store();
            var forNative = new Linker().Instantiate(store2, module);
            var type = module.Info.GetFunctionType(function);
            var values = args.Select((a, i) => type.Parameters[i] == ValueType.I32 ? Value.I32((int)a) : Value.I64(a)).ToArray();

            string Run(Func<Value[]> call)
            {
                try { return string.Join(",", call().Select(v => v.Type == ValueType.I32 ? v.AsI32().ToString() : v.AsI64().ToString())); }
                catch (TrapException t) { return "trap: " + t.Message; }
            }
            string theirs = Run(() => interpreted.GetFunction($"f{function}") is { } f ? f.Invoke(values) : CallByIndex(interpreted, function, values));
            string ours = Run(() => native.Invoke(forNative, function, values));
            Assert.Equal(theirs, ours);
            if (expected != "") Assert.Equal(expected, ours);
            // The native run's memory and globals are the instance's own.
            Assert.Equal(interpreted.Module.Info.Globals.Count, forNative.Module.Info.Globals.Count);
            if (function == 1)
            {
                Assert.Equal(1, native.Invoke(forNative, 10)[0].AsI32());
                Assert.Equal(ours, Global(forNative, 1).ToString());
            }
        }
    }

    private static Value[] CallByIndex(Instance instance, int index, Value[] args) => instance.Functions[index].Invoke(args);

    private static long Global(Instance instance, int index) => instance.Globals[index].Value.AsI64();

    [Fact]
    public void HugeFunctionsAreCompiledAloneAndStillAgree()
    {
        // A huge function (a loop and some 17 KB of filler) among small ones: it is a part of its own, compiled
        // with the lighter pipeline; every split covers each function once, in order.
        string filler = string.Concat(Enumerable.Repeat("(global.set $g (i32.add (global.get $g) (i32.const 1)))", 2500));
        var module = Module.FromBytes(Wat($$"""
            (module
              (global $g (mut i32) (i32.const 0))
              (func $small (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
              (func $huge (param $n i32) (result i32) (local $acc i32)
                (block $done (loop $next
                  (br_if $done (i32.eqz (local.get $n)))
                  (local.set $acc (i32.add (local.get $acc) (call $small (local.get $n))))
                  (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                  (br $next)))
                {{filler}}
                (i32.add (local.get $acc) (global.get $g)))
              (func $after (result i32) (call $huge (i32.const 10))))
            """));
        var info = module.Info;
        Assert.True(NativeModule.IsHuge(info, 1));
        Assert.False(NativeModule.IsHuge(info, 0));
        foreach (int parts in new[] { 1, 2, 8 })
        {
            var cut = NativeModule.Partition(info, parts, threshold: 0);
            Assert.Equal(0, cut[0].First);
            Assert.Equal(info.Codes.Count, cut[^1].End);
            for (int i = 0; i < cut.Count; i++)
            {
                Assert.True(cut[i].First < cut[i].End);
                if (i > 0) Assert.Equal(cut[i - 1].End, cut[i].First);
            }
            Assert.Contains((1, 2), cut);
        }
        using var native = NativeModule.Compile(module, optLevel: 2, _dir);
        using var store = new Store();
        var instance = new Linker().Instantiate(store, module);
        // 10 + 9 + ... + 1 plus one per step, then 2500 increments of $g.
        Assert.Equal(55 + 10 + 2500, native.Invoke(instance, 2)[0].AsI32());
        Assert.Equal(2500, instance.Globals[0].Value.AsI32());
    }

    private const string Checks = """
        (module
          (memory 1)
          ;; 0: a check before a loop covers the loop's accesses only if the loop leaves their address alone: this
          ;; one moves $p a page on each time round, so the second round traps
          (func (param $p i32) (result i32) (local $n i32)
            (drop (i32.load (local.get $p)))
            (loop $l
              (local.set $n (i32.add (local.get $n) (i32.load (local.get $p))))
              (local.set $p (i32.add (local.get $p) (i32.const 65536)))
              (br_if $l (i32.lt_u (local.get $n) (i32.const 100))))
            (local.get $n))
          ;; 1: this one leaves $p alone
          (func (param $p i32) (param $k i32) (result i32) (local $n i32)
            (drop (i32.load offset=8 (local.get $p)))
            (loop $l
              (local.set $n (i32.add (local.get $n) (i32.load offset=4 (local.get $p))))
              (local.set $k (i32.sub (local.get $k) (i32.const 1)))
              (br_if $l (local.get $k)))
            (local.get $n))
          ;; 2: a check in one arm does not cover the code after the arms meet
          (func (param $c i32) (param $p i32) (result i32)
            (if (local.get $c) (then (drop (i32.load offset=100 (local.get $p)))))
            (i32.load offset=100 (local.get $p)))
          ;; 3: the store before the access that traps happens
          (func (param $p i32) (result i32)
            (i32.store (local.get $p) (i32.const 7))
            (i32.load offset=8 (local.get $p)))
          (func (param $p i32) (result i32) (i32.load (local.get $p)))
          ;; 5: a division between two loads traps before the second load's check
          (func (param $p i32) (param $d i32) (result i32)
            (i32.add (i32.load (local.get $p))
                     (i32.add (i32.div_u (i32.const 1) (local.get $d)) (i32.load offset=8 (local.get $p)))))
          ;; 6: a return between two loads: the second need not be reached
          (func (param $p i32) (param $c i32) (result i32)
            (drop (i32.load (local.get $p)))
            (if (local.get $c) (then (return (i32.const 1))))
            (i32.load offset=8 (local.get $p)))
          ;; 7: an outer loop that writes $p around an inner loop that does not
          (func (param $p i32) (result i32) (local $i i32) (local $n i32)
            (drop (i32.load (local.get $p)))
            (loop $outer
              (local.set $i (i32.const 3))
              (loop $inner
                (local.set $n (i32.add (local.get $n) (i32.load (local.get $p))))
                (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                (br_if $inner (local.get $i)))
              (local.set $p (i32.add (local.get $p) (i32.const 32768)))
              (br_if $outer (i32.lt_u (local.get $n) (i32.const 100))))
            (local.get $n)))
        """;

    [Theory]
    // function(arguments)=result, in one instance, in order
    [InlineData("0(0)=trap: out of bounds memory access")]
    [InlineData("1(65524,3)=0")]
    [InlineData("1(65525,3)=trap: out of bounds memory access")]
    [InlineData("2(1,0)=0", "2(0,65436)=trap: out of bounds memory access", "2(1,65436)=trap: out of bounds memory access")]
    [InlineData("3(65528)=trap: out of bounds memory access", "4(65528)=7")]
    [InlineData("5(65528,0)=trap: integer divide by zero", "5(65528,1)=trap: out of bounds memory access")]
    [InlineData("6(65528,1)=1", "6(65528,0)=trap: out of bounds memory access")]
    [InlineData("7(0)=trap: out of bounds memory access")]
    public void BoundsChecksCoverOnlyWhatTheyDominate(params string[] calls) =>
        // Checks are merged, widened over loads and carried through blocks and into loops; each call here is a
        // case where that must not change which trap comes, or whether one does.
        NativeAndInterpreterAgree(Checks, calls);

    /// <summary>Runs <paramref name="calls"/> ("function(i32 arguments)=i32 result or trap: message"), in order, on
    /// native code and on the interpreter, each engine with an instance of its own: both must give the result, and
    /// leave the same memory.</summary>
    private void NativeAndInterpreterAgree(string wat, string[] calls, bool guardPages = false)
    {
        var module = Module.FromBytes(Wat(wat));
        using var native = guardPages ? null : NativeModule.Compile(module, optLevel: 2, _dir);
        // Guard pages need memories reserved for them: an engine's store makes those.
        var engine = guardPages ? new Engine(new EngineConfig { Native = new LlvmBackend(2, _dir, guardPages: true) }) : null;
        var guarded = engine is null ? null : Module.FromBytes(engine, Wat(wat));
        Assert.Null(guarded?.NativeFallback);
        using var store = engine is null ? new Store() : new Store(engine);
        var instance = new Linker().Instantiate(store, guarded ?? module);
        using var store2 = new Store();
        var interpreted = new Linker().Instantiate(store2, module);
        foreach (string call in calls)
        {
            var m = System.Text.RegularExpressions.Regex.Match(call, @"^(\d+)\(([^)]*)\)=(.*)$");
            int function = int.Parse(m.Groups[1].Value);
            var args = m.Groups[2].Value.Split(',').Select(a => Value.I32(int.Parse(a))).ToArray();
            string Run(Func<Value[]> f)
            {
                try { return f()[0].AsI32().ToString(); }
                catch (TrapException t) { return "trap: " + t.Message; }
            }
            Assert.Equal(m.Groups[3].Value, Run(() => native is null ? CallByIndex(instance, function, args) : native.Invoke(instance, function, args)));
            Assert.Equal(m.Groups[3].Value, Run(() => CallByIndex(interpreted, function, args)));
            Assert.True(interpreted.Memories[0].Span.SequenceEqual(instance.Memories[0].Span), $"the memory after {call}");
        }
    }

    private const string Frames = """
        (module
          (memory 1)
          (global $sp (mut i32) (i32.const 1024))
          (func $poke (param $p i32) (param $v i32) (i32.store (local.get $p) (local.get $v)))
          (func $grow (drop (memory.grow (i32.const 1))))
          ;; 2: the frame the stack-pointer idiom makes, at $s - 32: slots at 8 and 12 read back often enough to
          ;; live in registers, and a store through $q, a pointer from elsewhere, which may meet them
          (func (param $s i32) (param $q i32) (result i32) (local $f i32) (local $r i32)
            (global.set $sp (local.get $s))
            (local.set $f (i32.sub (global.get $sp) (i32.const 32)))
            (i32.store offset=8 (local.get $f) (i32.const 5))
            (i32.store offset=12 (local.get $f) (i32.const 6))
            (local.set $r (i32.add (i32.mul (i32.load offset=8 (local.get $f)) (i32.const 100)) (i32.load offset=12 (local.get $f))))
            (i32.store (local.get $q) (i32.const 9))
            (i32.add (i32.mul (local.get $r) (i32.const 100000))
              (i32.add (i32.mul (i32.load offset=8 (local.get $f)) (i32.const 100)) (i32.load offset=12 (local.get $f)))))
          ;; 3: the same, the store made by a callee
          (func (param $s i32) (param $q i32) (result i32) (local $f i32)
            (global.set $sp (local.get $s))
            (local.set $f (i32.sub (global.get $sp) (i32.const 32)))
            (i32.store offset=8 (local.get $f) (i32.const 5))
            (i32.store offset=12 (local.get $f) (i32.const 6))
            (drop (i32.add (i32.load offset=8 (local.get $f)) (i32.load offset=12 (local.get $f))))
            (call $poke (local.get $q) (i32.const 11))
            (i32.add (i32.add (i32.mul (i32.load offset=8 (local.get $f)) (i32.const 100)) (i32.load offset=12 (local.get $f)))
                     (i32.mul (i32.add (i32.load offset=8 (local.get $f)) (i32.load offset=12 (local.get $f))) (i32.const 0))))
          ;; 4: slots that overlap: an i64 at 8 and an i32 at 12, each stored and read through the other
          (func (param $s i32) (result i32) (local $f i32)
            (global.set $sp (local.get $s))
            (local.set $f (i32.sub (global.get $sp) (i32.const 32)))
            (i64.store offset=8 (local.get $f) (i64.const 0x0000000700000003))
            (drop (i32.load offset=12 (local.get $f)))
            (drop (i64.load offset=8 (local.get $f)))
            (i32.store offset=12 (local.get $f) (i32.const 9))
            (i32.add (i32.load offset=12 (local.get $f))
              (i32.add (i32.mul (i32.wrap_i64 (i64.shr_u (i64.load offset=8 (local.get $f)) (i64.const 32))) (i32.const 1000))
                       (i32.mul (i32.wrap_i64 (i64.load offset=8 (local.get $f))) (i32.const 100000)))))
          ;; 5: a trap after stores to slots: the memory has them
          (func (param $s i32) (param $d i32) (result i32) (local $f i32)
            (global.set $sp (local.get $s))
            (local.set $f (i32.sub (global.get $sp) (i32.const 32)))
            (i32.store offset=8 (local.get $f) (i32.const 77))
            (i32.store offset=12 (local.get $f) (i32.div_u (i32.load offset=8 (local.get $f)) (local.get $d)))
            (i32.add (i32.add (i32.load offset=8 (local.get $f)) (i32.load offset=12 (local.get $f)))
                     (i32.add (i32.load offset=8 (local.get $f)) (i32.load offset=12 (local.get $f)))))
          ;; 6: a frame that reaches past the memory's end: its slot at 8 inside, at 20 outside until a callee grows
          ;; the memory ($c)
          (func (param $s i32) (param $c i32) (result i32) (local $f i32)
            (global.set $sp (local.get $s))
            (local.set $f (i32.sub (global.get $sp) (i32.const 32)))
            (i32.store offset=8 (local.get $f) (i32.const 3))
            (drop (i32.add (i32.load offset=8 (local.get $f)) (i32.load offset=8 (local.get $f))))
            (if (local.get $c) (then (call $grow)))
            (i32.add (i32.add (i32.load offset=8 (local.get $f)) (i32.load offset=8 (local.get $f)))
                     (i32.add (i32.load offset=20 (local.get $f)) (i32.load offset=20 (local.get $f)))))
          ;; 7: memory.fill over the frame
          (func (param $s i32) (result i32) (local $f i32)
            (global.set $sp (local.get $s))
            (local.set $f (i32.sub (global.get $sp) (i32.const 32)))
            (i32.store offset=8 (local.get $f) (i32.const 5))
            (drop (i32.add (i32.load offset=8 (local.get $f)) (i32.load offset=8 (local.get $f))))
            (memory.fill (local.get $f) (i32.const 0x11) (i32.const 32))
            (i32.add (i32.load offset=8 (local.get $f)) (i32.sub (i32.load offset=8 (local.get $f)) (i32.load offset=8 (local.get $f)))))
          ;; 8: a store at a place computed from the frame's base (an array indexed by $k)
          (func (param $s i32) (param $k i32) (result i32) (local $f i32)
            (global.set $sp (local.get $s))
            (local.set $f (i32.sub (global.get $sp) (i32.const 32)))
            (i32.store offset=8 (local.get $f) (i32.const 5))
            (drop (i32.add (i32.load offset=8 (local.get $f)) (i32.load offset=8 (local.get $f))))
            (i32.store (i32.add (local.get $f) (local.get $k)) (i32.const 9))
            (i32.add (i32.load offset=8 (local.get $f)) (i32.sub (i32.load offset=8 (local.get $f)) (i32.load offset=8 (local.get $f)))))
          ;; 9: an array at 16 between slots at 8 and 32, its a[0] read at a constant offset and a[$i] written at a
          ;; computed one; its base and the constants come through locals, as unoptimised code has them
          (func (param $s i32) (param $i i32) (result i32) (local $f i32) (local $c i32) (local $a i32)
            (global.set $sp (local.get $s))
            (local.set $f (i32.sub (global.get $sp) (i32.const 48)))
            (i32.store offset=8 (local.get $f) (i32.const 5))
            (i32.store offset=32 (local.get $f) (i32.const 7))
            (i32.store offset=16 (local.get $f) (i32.const 1))
            (local.set $c (i32.const 16))
            (local.set $a (i32.add (local.get $f) (local.get $c)))
            (drop (i32.add (i32.load offset=8 (local.get $f)) (i32.load offset=32 (local.get $f))))
            (i32.store (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))) (i32.const 9))
            (i32.add (i32.mul (i32.load offset=8 (local.get $f)) (i32.const 10000))
              (i32.add (i32.mul (i32.load offset=16 (local.get $f)) (i32.const 100)) (i32.load offset=32 (local.get $f))))))
        """;

    [Theory]
    // function(arguments)=result; the frame is at 992 when $s is 1024
    [InlineData("2(1024,2000)=50600506")]   // the store meets no slot
    [InlineData("2(1024,1000)=50600906")]   // it replaces the slot at 8
    [InlineData("2(1024,1004)=50600509")]   // the slot at 12
    [InlineData("2(1024,1006)=51190330")]   // half of the slot at 12 (6 | 9 << 16)
    [InlineData("2(1024,998)=50600006")]    // the slot at 8's low half, with 9's high bytes (0)
    [InlineData("3(1024,2000)=506", "3(1024,1000)=1106", "3(1024,1004)=511")]
    [InlineData("4(1024)=309009")]
    [InlineData("5(1024,1)=308", "5(2048,0)=trap: integer divide by zero")]
    [InlineData("6(65552,0)=trap: out of bounds memory access", "6(65552,1)=6")]
    [InlineData("7(1024)=286331153")]
    [InlineData("8(1024,8)=9", "8(1024,40)=5")]
    [InlineData("9(1024,0)=50907", "9(1024,3)=50107", "9(1024,-2)=90107", "9(1024,4)=50109", "9(1024,-1)=50107", "9(1024,5)=50107")]
    public void FrameSlotsFollowTheMemory(params string[] calls)
    {
        // Slots of a stack frame live in registers between the points where the memory may change behind them;
        // each call here changes it in one of those ways. Under guard pages too, where slots keep their checks.
        NativeAndInterpreterAgree(Frames, calls);
        if (GuardPages.Problem is null) NativeAndInterpreterAgree(Frames, calls, guardPages: true);
    }

    [Fact]
    public void VectorsPassThroughEntriesCallsAndGlobals()
    {
        // v128 parameters, results, locals and globals: 16-byte slots on the way in and out.
        var module = Module.FromBytes(Wat("""
            (module
              (global $g (mut v128) (v128.const i32x4 1 2 3 4))
              (func $add (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
              (func (export "f") (param $a v128) (result v128 i32)
                (global.set $g (call $add (local.get $a) (global.get $g)))
                (global.get $g)
                (i32x4.extract_lane 3 (global.get $g))))
            """));
        using var native = NativeModule.Compile(module, 2, _dir);
        using var store = new Store();
        var inst = new Linker().Instantiate(store, module);
        var results = native.Invoke(inst, 1, Value.V128(0x0000_0020_0000_0010UL, 0x0000_0040_0000_0030UL));
        Assert.Equal(0x0000_0022_0000_0011UL, results[0].Bits);
        Assert.Equal(0x44, results[1].AsI32());
    }

    private const string Imports = """
        (module
          (import "env" "add" (func $add (param i32 i64) (result i64)))
          (import "env" "log" (func $log (param i32)))
          (import "env" "fail" (func $fail (param i32)))
          (import "other" "div" (func $div (param i32 i32) (result i32)))
          (func (param i32) (result i64)
            (call $log (local.get 0))
            (i64.add (call $add (local.get 0) (i64.const 0x100000000)) (i64.const 1)))
          (func (param i32) (call $fail (local.get 0)))
          (func (param i32 i32) (result i32) (i32.add (call $div (local.get 0) (local.get 1)) (i32.const 1000))))
        """;

    [Fact]
    public void NativeCodeCallsTheHostAndOtherInstances()
    {
        var other = Module.FromBytes(Wat("(module (func (export \"div\") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1))))"));
        var module = Module.FromBytes(Wat(Imports));
        using var native = NativeModule.Compile(module, optLevel: 2, _dir);
        using var store = new Store();
        var logged = new List<int>();
        var boom = new InvalidOperationException("the host's own failure");
        var linker = new Linker()
            .DefineFunction("env", "add", (int a, long b) => a + b)                               // raw slots
            .DefineFunction("env", "log", new FunctionType([ValueType.I32], []), (args, _) => logged.Add(args[0].AsI32())) // Values
            .DefineFunction("env", "fail", (int how) => { if (how == 1) throw boom; throw new TrapException(TrapCode.IntegerOverflow); });
        linker.DefineInstance("other", linker.Instantiate(store, other));
        var inst = linker.Instantiate(store, module);

        Assert.Equal(0x100000000L + 7 + 1, native.Invoke(inst, 4, Value.I32(7))[0].AsI64());
        Assert.Equal([7], logged);
        Assert.Same(boom, Assert.Throws<InvalidOperationException>(() => native.Invoke(inst, 5, Value.I32(1))));
        Assert.Equal(TrapCode.IntegerOverflow, Assert.Throws<TrapException>(() => native.Invoke(inst, 5, Value.I32(2))).Code);
        Assert.Equal(1003, native.Invoke(inst, 6, Value.I32(7), Value.I32(2))[0].AsI32());
        Assert.Equal(TrapCode.IntegerDivideByZero, Assert.Throws<TrapException>(() => native.Invoke(inst, 6, Value.I32(7), Value.I32(0))).Code);
        // The instance goes on working after each failure.
        Assert.Equal(0x100000000L + 1 + 1, native.Invoke(inst, 4, Value.I32(1))[0].AsI64());
    }
}
