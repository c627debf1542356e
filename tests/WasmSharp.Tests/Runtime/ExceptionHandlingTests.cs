using WasmSharp.Text;

namespace WasmSharp.Tests.Runtime;

/// <summary>
/// Exception handling (Wasm 3.0, and its legacy form) on the interpreter, beyond the proposal's scripts: tags are
/// one per instantiation, exceptions cross host functions both ways with their values, an exnref reaches the host,
/// handlers see what the code before the throw wrote, and the translator's loop rotation keeps a loop head in the
/// handler regions it was written in.
/// </summary>
public class ExceptionHandlingTests
{
    private static Instance Instantiate(Store store, string text, Linker? linker = null) =>
        (linker ?? new Linker()).Instantiate(store, Module.FromBytes(Wat.ToBinary(text)));

    private const string Thrower = """
        (module
          (tag $e (export "e") (param i32))
          (func $throw-if (export "throw-if") (param i32)
            (if (local.get 0) (then (throw $e (local.get 0)))))
          (func (export "catch") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (call $throw-if (local.get 0)))
              (i32.const -1))))
        """;

    [Fact]
    public void EachInstantiationHasItsOwnTag()
    {
        using var store = new Store();
        var a = Instantiate(store, Thrower);
        var b = Instantiate(store, Thrower);
        Assert.NotSame(a.GetTag("e"), b.GetTag("e"));
        Assert.Equal(7, a.GetFunction<int, int>("catch")(7));
        Assert.Equal(-1, a.GetFunction<int, int>("catch")(0));

        // b's catch names b's tag: an exception of a's, of the same type, passes it by.
        var linker = new Linker().Define("a", "throw-if", a.GetFunction("throw-if")!).Define("b", "e", b.GetTag("e")!);
        var catcher = Instantiate(store, """
            (module
              (import "a" "throw-if" (func $throw-if (param i32)))
              (import "b" "e" (tag $e (param i32)))
              (func (export "run") (param i32) (result i32)
                (block $h (result i32)
                  (try_table (catch $e $h) (call $throw-if (local.get 0)))
                  (i32.const -1))))
            """, linker);
        var ex = Assert.Throws<UncaughtWasmException>(() => catcher.GetFunction<int, int>("run")(5));
        Assert.Same(a.GetTag("e"), ex.Tag);
        Assert.Equal([Value.I32(5)], ex.Payload);
    }

    [Fact]
    public void HostFunctionsThrowIntoWasmAndWasmExceptionsReachTheHost()
    {
        using var store = new Store();
        var tag = new Tag(new FunctionType([ValueType.I32, ValueType.F64], []), "host");
        var linker = new Linker()
            .Define("host", "tag", tag)
            .DefineFunction("host", "fail", new FunctionType([ValueType.I32], []), (args, _) =>
            {
                if (args[0].AsI32() != 0) throw new UncaughtWasmException(tag, Value.I32(args[0].AsI32() * 2), Value.F64(0.5));
            });
        var inst = Instantiate(store, """
            (module
              (import "host" "tag" (tag $t (param i32 f64)))
              (import "host" "fail" (func $fail (param i32)))
              (func (export "sum") (param i32) (result f64)
                (local $d f64)
                (block $h (result i32 f64)
                  (try_table (catch $t $h) (call $fail (local.get 0)))
                  (return (f64.const -1)))
                (local.set $d)
                (f64.add (f64.convert_i32_s) (local.get $d)))
              (func (export "through") (param i32) (call $fail (local.get 0)))
              (func (export "own") (throw $t (i32.const 3) (f64.const 4.25))))
            """, linker);
        Assert.Equal(42.5, inst.GetFunction<int, double>("sum")(21));
        Assert.Equal(-1.0, inst.GetFunction<int, double>("sum")(0));

        var passed = Assert.Throws<UncaughtWasmException>(() => inst.GetAction<int>("through")(4));
        Assert.Same(tag, passed.Tag);
        Assert.Equal([Value.I32(8), Value.F64(0.5)], passed.Payload);
        var own = Assert.Throws<UncaughtWasmException>(() => inst.GetFunction("own")!.Invoke());
        Assert.Same(tag, own.Tag);
        Assert.Equal([Value.I32(3), Value.F64(4.25)], own.Payload);
        Assert.Throws<WasmException>(() => new ExceptionInstance(tag, Value.I32(1)));
    }

    [Fact]
    public void AnExnrefKeepsItsExceptionThroughTheHostAndThrowRef()
    {
        using var store = new Store();
        var inst = Instantiate(store, """
            (module
              (tag $e (export "e") (param i64))
              (func (export "catch") (param i64) (result exnref)
                (block $h (result exnref)
                  (try_table (catch_all_ref $h) (throw $e (local.get 0)))
                  (unreachable)))
              (func (export "rethrow") (param exnref) (result i64)
                (block $h (result i64)
                  (try_table (catch $e $h) (throw_ref (local.get 0)))
                  (unreachable))))
            """);
        var exn = inst.GetFunction("catch")!.Invoke(Value.I64(-9))[0];
        Assert.Equal(ValueType.ExnRef, exn.Type);
        var caught = exn.AsException()!;
        Assert.Same(inst.GetTag("e"), caught.Tag);
        Assert.Equal([Value.I64(-9)], caught.Payload);
        Assert.Equal(Value.I64(-9), inst.GetFunction("rethrow")!.Invoke(exn)[0]);
        var trap = Assert.Throws<TrapException>(() => inst.GetFunction("rethrow")!.Invoke(Value.Null(ValueType.ExnRef)));
        Assert.Equal(TrapCode.NullExceptionReference, trap.Code);
        Assert.Equal("null exception reference", trap.Message);
    }

    [Fact]
    public void AHandlerSeesWhatTheCodeBeforeTheThrowWrote()
    {
        // $x is written once with a constant and read once: the translator defers such writes to their read, which
        // a call that throws to a handler must not outrun.
        using var store = new Store();
        var inst = Instantiate(store, """
            (module
              (tag $e)
              (func $fail (throw $e))
              (func (export "run") (result i32)
                (local $x i32)
                (block $h
                  (try_table (catch_all $h)
                    (local.set $x (i32.const 5))
                    (call $fail)
                    (local.set $x (i32.const 6))))
                (local.get $x)))
            """);
        Assert.Equal(5, inst.GetFunction<int>("run")());
    }

    [Fact]
    public void ALoopHeadCopiedToItsBackEdgeStaysOutsideTheTryAroundTheBackEdge()
    {
        // The loop's head (a call, then the exit test) may be copied to the back edge (loop rotation); the back
        // edge is inside an inner try_table, the head is not, so what the head throws is the outer handler's.
        using var store = new Store();
        var inst = Instantiate(store, """
            (module
              (tag $e (param i32))
              (func $maybe (param i32) (if (i32.eq (local.get 0) (i32.const 3)) (then (throw $e (local.get 0)))))
              (func (export "run") (result i32)
                (local $i i32)
                (block $outer (result i32)
                  (try_table (catch $e $outer)
                    (loop $l
                      (call $maybe (local.get $i))
                      (br_if 1 (i32.ge_u (local.get $i) (i32.const 10)))
                      (block $inner (result i32)
                        (try_table (catch $e $inner)
                          (local.set $i (i32.add (local.get $i) (i32.const 1)))
                          (br $l))
                        (unreachable))
                      (return (i32.add (i32.const 100)))))
                  (i32.const -1))))
            """);
        Assert.Equal(3, inst.GetFunction<int>("run")());
    }

    [Fact]
    public void LegacyRethrowAndDelegate()
    {
        using var store = new Store();
        var inst = Instantiate(store, """
            (module
              (tag $e (param i32))
              (tag $f)
              (func $throw (param i32) (throw $e (local.get 0)))
              ;; The middle catch rethrows what it caught from within a nested try's catch_all; the outer catches it.
              (func (export "rethrow") (param i32) (result i32)
                (try (result i32)
                  (do
                    (try (result i32)
                      (do (call $throw (local.get 0)) (i32.const 0))
                      (catch $e
                        (drop)
                        (try (result i32)
                          (do (throw $f))
                          (catch_all (rethrow 1))))))
                  (catch $e (i32.const 1000) (i32.add))))
              ;; delegate 1 skips the middle try's catch.
              (func (export "delegate") (param i32) (result i32)
                (try (result i32)
                  (do
                    (try (result i32)
                      (do (try (result i32) (do (call $throw (local.get 0)) (i32.const 0)) (delegate 1)))
                      (catch $e (drop) (i32.const 1))))
                  (catch $e (i32.const 2) (i32.add)))))
            """);
        Assert.Equal(1007, inst.GetFunction<int, int>("rethrow")(7));
        Assert.Equal(9, inst.GetFunction<int, int>("delegate")(7));
    }

    [Fact]
    public void WithoutTheFeatureTagsAndTryTableAreMalformed()
    {
        var wasm2 = new Engine(new EngineConfig { Features = WasmFeatures.None });
        var tag = Assert.Throws<MalformedModuleException>(() => Module.FromBytes(wasm2, Wat.ToBinary("(module (tag))")));
        Assert.Equal("malformed section id", tag.Reason);
        var tryTable = Assert.Throws<MalformedModuleException>(() => Module.FromBytes(wasm2, Wat.ToBinary("(module (func (try_table)))")));
        Assert.StartsWith("illegal opcode", tryTable.Reason);
        Module.FromBytes(Wat.ToBinary("(module (tag) (func (try_table)))"));
    }
}

/// <summary>Tail calls (Wasm 3.0) on the interpreter: a chain of return_calls runs in one frame, a host callee's
/// results come back as the caller's, and a return after a tail call into another instance finds its own.</summary>
public class TailCallTests
{
    private static Instance Instantiate(Store store, string text, Linker? linker = null) =>
        (linker ?? new Linker()).Instantiate(store, Module.FromBytes(Wat.ToBinary(text)));

    [Fact]
    public void AMillionTailCallsRunInOneFrame()
    {
        using var store = new Store();
        var inst = Instantiate(store, """
            (module
              (type $t (func (param i64 i64) (result i64)))
              (table funcref (elem $odd))
              (func $even (export "count") (param $n i64) (param $acc i64) (result i64)
                (if (result i64) (i64.eqz (local.get $n)) (then (local.get $acc))
                  (else (return_call_indirect (type $t)
                    (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $acc) (i64.const 1)) (i32.const 0)))))
              (func $odd (param $n i64) (param $acc i64) (result i64)
                (return_call $even (local.get $n) (local.get $acc))))
            """);
        Assert.Equal(1_000_000L, inst.GetFunction<long, long, long>("count")(1_000_000, 0));
    }

    [Fact]
    public void AHostCalleeReturnsItsResultsAsTheCallersAndAnotherInstancesReturnIsRight()
    {
        using var store = new Store();
        var other = Instantiate(store, """
            (module
              (memory (export "m") 1)
              (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))
            """);
        var linker = new Linker()
            .DefineFunction("host", "pair", new FunctionType([ValueType.I32], [ValueType.I32, ValueType.I32]),
                (args, results) => { results[0] = Value.I32(args[0].AsI32() + 1); results[1] = Value.I32(args[0].AsI32() - 1); })
            .Define("other", "twice", other.GetFunction("twice")!);
        var inst = Instantiate(store, """
            (module
              (import "host" "pair" (func $pair (param i32) (result i32 i32)))
              (import "other" "twice" (func $twice (param i32) (result i32)))
              (memory 1)
              (func $tail-pair (param i32) (result i32 i32) (return_call $pair (local.get 0)))
              (func $tail-twice (param i32) (result i32) (return_call $twice (local.get 0)))
              (func (export "pair") (param i32) (result i32) (i32.sub (call $tail-pair (local.get 0))))
              ;; After the other instance's function returns (through a tail call), this instance's memory is current.
              (func (export "twice-then-load") (param i32) (result i32)
                (i32.store (i32.const 8) (i32.const 40))
                (i32.add (call $tail-twice (local.get 0)) (i32.load (i32.const 8)))))
            """, linker);
        Assert.Equal(2, inst.GetFunction<int, int>("pair")(10)); // 11 - 9
        Assert.Equal(54, inst.GetFunction<int, int>("twice-then-load")(7));
        Assert.Equal(0, other.GetMemory("m")!.Read<int>(8));
    }
    [Fact]
    public void AnExceptionFromAHostCalleeInTailPositionSkipsTheTailCallersHandlers()
    {
        using var store = new Store();
        var tag = new Tag(new FunctionType([ValueType.I32], []));
        var linker = new Linker()
            .Define("host", "tag", tag)
            .DefineFunction("host", "fail", new FunctionType([ValueType.I32], []), (args, _) => throw new UncaughtWasmException(tag, args[0]));
        var inst = Instantiate(store, """
            (module
              (import "host" "tag" (tag $t (param i32)))
              (import "host" "fail" (func $fail (param i32)))
              ;; Its own handler is gone once it tail-calls: the caller's catches.
              (func $tail (param i32)
                (block $own (result i32)
                  (try_table (catch $t $own) (return_call $fail (local.get 0)))
                  (unreachable))
                (drop)
                (unreachable))
              (func (export "run") (param i32) (result i32)
                (block $h (result i32)
                  (try_table (catch $t $h) (call $tail (local.get 0)))
                  (i32.const -1))
                (i32.add (i32.const 1000))))
            """, linker);
        Assert.Equal(1005, inst.GetFunction<int, int>("run")(5));
    }
}
