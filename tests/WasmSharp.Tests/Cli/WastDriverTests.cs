using WasmSharp.Cli.Wast;

namespace WasmSharp.Tests.Cli;

/// <summary>The script runner on small scripts: its counts, failures and skips.</summary>
public sealed class WastDriverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wasmsharp-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private FileResult Run(string text)
    {
        var path = Path.Combine(_dir, "script.wast");
        File.WriteAllText(path, text);
        return WastDriver.RunFile(path, new WastOptions());
    }

    [Fact]
    public void QuoteModulesAreParsedWhenTheyRun()
    {
        var r = Run("""
            (module quote "(func (export \"f\") (result i32) (i32.const 7))")
            (assert_return (invoke "f") (i32.const 7))
            (assert_malformed (module quote "(func (i32.const 1) (i32.nope))") "unknown operator")
            (assert_invalid (module quote "(func (result i32))") "type mismatch")
            """);
        Assert.Equal((4, 0, 0), (r.Passed, r.Failed, r.Skipped));
    }

    [Fact]
    public void WhatIsNotImplementedYetIsSkippedWithTheReason()
    {
        // A call that needs the asynchronous ABI's waitable sets (not built yet): skipped, and so is every command
        // on an instance whose instantiation needed one; a plain call in the same script runs.
        var r = Run("""
            (component
              (core func $new (canon waitable-set.new))
              (core module $m
                (import "" "new" (func $new (result i32)))
                (func (export "wait") (result i32) (call $new))
                (func (export "two") (result i32) (i32.const 2)))
              (core instance $i (instantiate $m (with "" (instance (export "new" (func $new))))))
              (func (export "wait") (result u32) (canon lift (core func $i "wait")))
              (func (export "two") (result u32) (canon lift (core func $i "two"))))
            (assert_return (invoke "wait") (u32.const 1))
            (assert_trap (invoke "wait") "anything")
            (assert_return (invoke "two") (u32.const 2))
            (component
              (core func $new (canon waitable-set.new))
              (core module $m
                (import "" "new" (func $new (result i32)))
                (func $start (drop (call $new))) (start $start)
                (func (export "two") (result i32) (i32.const 2)))
              (core instance $i (instantiate $m (with "" (instance (export "new" (func $new))))))
              (func (export "two") (result u32) (canon lift (core func $i "two"))))
            (assert_return (invoke "two") (u32.const 2))
            """);
        Assert.Equal((2, 0, 4), (r.Passed, r.Failed, r.Skipped));
        Assert.Contains(r.SkipReasons.Keys, k => k.Contains("`canon waitable-set.new` belongs to the asynchronous ABI"));
    }

    [Fact]
    public void AMalformedQuoteModuleWithTheWrongMessageIsAMismatch()
    {
        var r = Run("""(assert_malformed (module quote "(func (i32.nope))") "unexpected end")""");
        Assert.Equal((1, 0, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Single(r.MessageMismatches);
    }

    [Fact]
    public void AMalformedTextModuleIsOneFailureAndTheScriptGoesOn()
    {
        var r = Run("""
            (module (func (export "f") (result i32) (i32.nope)))
            (module binary "\00asm\01\00\00\00")
            (assert_malformed (module binary "\00asm\01\00\00\00\7f") "malformed section id")
            """);
        Assert.Equal((2, 1, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal(1, r.Failures[0].Line);
        Assert.Contains("malformed text: unknown operator", r.Failures[0].Detail);
    }

    [Fact]
    public void AScriptThatCannotBeReadIsOneFailure()
    {
        // An unclosed string: not even the tokens can be read.
        var r = Run("(module binary \"\\00asm\\01\\00\\00\\00\")\n(register \"oops)");
        Assert.Equal((0, 1, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal("script", r.Failures[0].Command);
        Assert.Contains("unclosed string (at 2:11)", r.Failures[0].Detail);
    }

    [Fact]
    public void ASyntaxErrorEndsTheScriptWithOneFailure()
    {
        var r = Run("""
            (module binary "\00asm\01\00\00\00")
              (this is not a wast command)
            (module binary "\00asm\01\00\00\00")
            """);
        // The module before the error runs; nothing after it does.
        Assert.Equal((1, 1, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal(2, r.Failures[0].Line);
        Assert.Contains("(at 2:4)", r.Failures[0].Detail);
    }

    [Fact]
    public void CommandsOfProposalsAreSkipped()
    {
        var r = Run("""
            (module binary "\00asm\01\00\00\00")
            (thread $T (module binary "\00asm\01\00\00\00"))
            """);
        Assert.Equal((1, 0, 1), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal(1, r.SkipReasons["unsupported command 'thread'"]);
    }

    [Fact]
    public void AssertExceptionWantsAnUncaughtExceptionAndAssertTrapATrap()
    {
        var r = Run("""
            (module
              (tag $e (param i32))
              (func (export "throws") (throw $e (i32.const 7)))
              (func (export "returns") (result i32) (i32.const 1))
              (func (export "traps") unreachable))
            (assert_exception (invoke "throws"))
            (assert_trap (invoke "traps") "unreachable")
            (assert_exception (invoke "returns"))
            (assert_exception (invoke "traps"))
            (assert_trap (invoke "throws") "unreachable")
            """);
        Assert.Equal((3, 3, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal([
            new Finding(8, "assert_exception \"returns\"", "expected an uncaught exception, returned [i32:1]"),
            new Finding(9, "assert_exception \"traps\"", "expected an uncaught exception, got trap: unreachable"),
            new Finding(10, "assert_trap \"throws\"", "expected trap \"unreachable\", got uncaught exception (tag 0)"),
        ], r.Failures);
    }

    [Fact]
    public void SimdScriptsRunWithV128ArgumentsAndResults()
    {
        var r = Run("""
            (module (func (export "f") (param v128) (result v128) (i32x4.add (local.get 0) (v128.const i32x4 1 2 3 4))))
            (assert_return (invoke "f" (v128.const i32x4 10 20 30 40)) (v128.const i32x4 11 22 33 44))
            (assert_return (invoke "f" (v128.const i32x4 -1 0 0 0)) (v128.const i32x4 0 2 3 4))
            (assert_return (invoke "f" (v128.const i32x4 0 0 0 0)) (v128.const i32x4 1 2 3 5))
            """);
        // The module, two right results, and one wrong expectation that must fail: the comparison sees every lane.
        Assert.Equal((3, 1, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal(4, r.Failures[0].Line);
    }

    [Fact]
    public void CommandsAfterAFailedModuleFailWithoutStoppingTheScript()
    {
        // The start function traps, so the module never becomes an instance.
        var r = Run("""
            (module (func $start unreachable) (start $start) (func (export "f") (result i32) (i32.const 1)))
            (assert_return (invoke "f") (i32.const 1))
            (assert_malformed (module binary "\00asm\01\00\00\00\7f") "malformed section id")
            """);
        // The module and the invoke fail; the malformed module after them is still checked, and passes.
        Assert.Equal((1, 2, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal([1, 2], r.Failures.Select(f => f.Line));
        Assert.Contains("unreachable", r.Failures[0].Detail);
        Assert.Contains("module at line 1 failed to load", r.Failures[1].Detail);
    }

    [Fact]
    public void ModulesRegisterUnderTheirNamesAndActionsNameTheirModule()
    {
        var r = Run("""
            (module $A (global (export "g") i32 (i32.const 42)) (func (export "f") (result i32) (i32.const 1)))
            (register "a" $A)
            (module $B (import "a" "g" (global i32)) (func (export "f") (result i32) (global.get 0)))
            (assert_return (invoke "f") (i32.const 42))
            (assert_return (invoke $A "f") (i32.const 1))
            (assert_return (get $A "g") (i32.const 42))
            (invoke $A "f")
            (assert_unlinkable (module (import "a" "missing" (func))) "unknown import")
            (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
            """);
        Assert.Equal((9, 0, 0), (r.Passed, r.Failed, r.Skipped));
    }

    [Fact]
    public void ModuleDefinitionsMakeSeparateInstances()
    {
        var r = Run("""
            (module definition $M
              (global $g (export "g") (mut i32) (i32.const 0))
              (func (export "inc") (global.set $g (i32.add (global.get $g) (i32.const 1)))))
            (module instance $I1 $M)
            (module instance $I2 $M)
            (invoke $I1 "inc")
            (assert_return (get $I1 "g") (i32.const 1))
            (assert_return (get $I2 "g") (i32.const 0))
            (assert_return (get "g") (i32.const 0))
            """);
        Assert.Equal((7, 0, 0), (r.Passed, r.Failed, r.Skipped));
    }

    [Fact]
    public void AnInstanceOfAFailedDefinitionFails()
    {
        var r = Run("""
            (module definition $M binary "\00asm\01\00\00\00")
            (module definition binary "\00asm\01\00\00\00\7f")
            (module instance $I)
            (module instance $J $M)
            """);
        Assert.Equal((2, 2, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal([2, 3], r.Failures.Select(f => f.Line));
        Assert.Contains("module definition at line 2 failed: malformed", r.Failures[1].Detail);
    }

    [Fact]
    public void AssertionsCheckReferencesAndTrapMessages()
    {
        var r = Run("""
            (module
              (func (export "id") (param externref) (result externref) (local.get 0))
              (func (export "null") (result funcref) (ref.null func))
              (func $f (export "fn") (result funcref) (ref.func $f))
              (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))
            (assert_return (invoke "id" (ref.extern 1)) (ref.extern 1))
            (assert_return (invoke "id" (ref.extern 1)) (ref.extern))
            (assert_return (invoke "id" (ref.null extern)) (ref.null))
            (assert_return (invoke "null") (ref.null func))
            (assert_return (invoke "fn") (ref.func))
            (assert_return (invoke "div" (i32.const 1)) (either (i32.const 0) (i32.const 1)))
            (assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
            (assert_return (invoke "id" (ref.extern 1)) (ref.extern 2))
            """);
        Assert.Equal((8, 1, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal(13, r.Failures[0].Line);
        Assert.Contains("expected externref:ref.extern 2, got externref:ref.extern 1", r.Failures[0].Detail);
    }
}
