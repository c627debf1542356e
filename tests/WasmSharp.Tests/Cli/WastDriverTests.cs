using WasmSharp.Cli.Wast;

namespace WasmSharp.Tests.Cli;

/// <summary>The script runner's bookkeeping on scripts that need no runtime: skips and unconvertible files.
/// These need wabt's wast2json (scripts/install-deps.sh) and are skipped, saying so, without it.</summary>
public sealed class WastDriverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wasmsharp-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Wast2JsonFact]
    public void TextModulesAreSkippedWithReason()
    {
        var path = Write("quote.wast", """
            (assert_malformed (module quote "(func (i32.const 1) (i32.nope))") "unknown operator")
            (assert_invalid (module quote "(func (result i32))") "type mismatch")
            """);
        var r = WastDriver.RunFile(path, new WastOptions());
        Assert.Equal((0, 0, 2), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal(2, r.SkipReasons[ScriptRunner.TextModuleReason]);
    }

    [Wast2JsonFact]
    public void UnconvertibleFilesCountTheirAssertionsAsSkipped()
    {
        var path = Write("broken.wast", """
            (module (func (export "f") (result i32) (i32.const 1)))
            (assert_return (invoke "f") (i32.const 1))
              (assert_trap (invoke "f") "unreachable")
            (this is not a wast command)
            """);
        var r = WastDriver.RunFile(path, new WastOptions());
        Assert.Equal((0, 0, 2), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal(2, r.SkipReasons["wast2json cannot convert"]);
        Assert.Contains(r.Notes, n => n.StartsWith("wast2json: ", StringComparison.Ordinal));
    }

    [Wast2JsonFact]
    public void SimdScriptsRunWithV128ArgumentsAndResults()
    {
        var path = Write("simd_x.wast", """
            (module (func (export "f") (param v128) (result v128) (i32x4.add (local.get 0) (v128.const i32x4 1 2 3 4))))
            (assert_return (invoke "f" (v128.const i32x4 10 20 30 40)) (v128.const i32x4 11 22 33 44))
            (assert_return (invoke "f" (v128.const i32x4 -1 0 0 0)) (v128.const i32x4 0 2 3 4))
            (assert_return (invoke "f" (v128.const i32x4 0 0 0 0)) (v128.const i32x4 1 2 3 5))
            """);
        var r = WastDriver.RunFile(path, new WastOptions());
        // The module, two right results, and one wrong expectation that must fail: the comparison sees every lane.
        Assert.Equal((3, 1, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal(4, r.Failures[0].Line);
    }

    [Wast2JsonFact]
    public void CommandsAfterAFailedModuleFailWithoutStoppingTheScript()
    {
        // The start function traps, so the module never becomes an instance.
        var path = Write("after.wast", """
            (module (func $start unreachable) (start $start) (func (export "f") (result i32) (i32.const 1)))
            (assert_return (invoke "f") (i32.const 1))
            (assert_malformed (module binary "\00asm\01\00\00\00\7f") "malformed section id")
            """);
        var r = WastDriver.RunFile(path, new WastOptions());
        // The module and the invoke fail; the malformed module after them is still checked, and passes.
        Assert.Equal((1, 2, 0), (r.Passed, r.Failed, r.Skipped));
        Assert.Equal([1, 2], r.Failures.Select(f => f.Line));
        Assert.Contains("unreachable", r.Failures[0].Detail);
        Assert.Contains("module at line 1 failed to load", r.Failures[1].Detail);
    }
}

/// <summary>A test that needs wabt's wast2json; skipped with that reason when it is not installed.</summary>
public sealed class Wast2JsonFactAttribute : FactAttribute
{
    public Wast2JsonFactAttribute()
    {
        if (Wast2Json.Version() is null) Skip = "wast2json (wabt) not found on PATH: run scripts/install-deps.sh";
    }
}
