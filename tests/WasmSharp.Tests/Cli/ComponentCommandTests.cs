using WasmSharp.Tests.Wasi;

namespace WasmSharp.Tests.Cli;

/// <summary>Components at the command line: <c>run --invoke</c> with WAVE arguments and results, <c>inspect</c> with
/// WIT-like types, <c>validate</c> and <c>wat2wasm</c>, for text and binary components.</summary>
public sealed class ComponentCommandTests : IDisposable
{
    private readonly TestPrograms.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A component exporting greet (a string echoed through linear memory, with a realloc that keeps the
    /// contents as it must), add and a record type.</summary>
    private const string Greeter = """
        (component
          (core module $M
            (memory (export "mem") 1)
            (global $next (mut i32) (i32.const 1024))
            (func (export "realloc") (param i32 i32 i32 i32) (result i32)
              (local $r i32)
              (local.set $r (global.get $next))
              (global.set $next (i32.add (global.get $next) (local.get 3)))
              (memory.copy (local.get $r) (local.get 0) (local.get 1))
              (local.get $r))
            (func (export "greet") (param i32 i32) (result i32)
              (i32.store (i32.const 0) (local.get 0))
              (i32.store (i32.const 4) (local.get 1))
              (i32.const 0))
            (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
          (core instance $m (instantiate $M))
          (type $point (record (field "x" s32) (field "y" s32)))
          (export $p "point" (type $point))
          (func (export "greet") (param "name" string) (result string)
            (canon lift (core func $m "greet") (memory (core memory $m "mem")) (realloc (func $m "realloc"))))
          (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $m "add"))))
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void RunInvokesAnExportWithWaveValues()
    {
        var wat = Write("greeter.wat", Greeter);
        var r = TestPrograms.RunCli(["run", "--invoke", "greet(\"héllo wörld\")", wat]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("\"héllo wörld\"\n", r.StdoutText);

        r = TestPrograms.RunCli(["run", "--invoke", "add", wat, "40", "2"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("42\n", r.StdoutText);
    }

    [Fact]
    public void TextComponentsCompileValidateAndInspect()
    {
        var wat = Write("greeter.wat", Greeter);
        var wasm = Path.Combine(_dir.Path, "greeter.wasm");
        Assert.Equal(0, TestPrograms.RunCli(["wat2wasm", wat, "-o", wasm]).ExitCode);
        var validate = TestPrograms.RunCli(["validate", wasm]);
        Assert.Equal("valid\n", validate.StdoutText);

        var inspect = TestPrograms.RunCli(["inspect", wasm]);
        Assert.Equal(0, inspect.ExitCode);
        Assert.Contains("component (layer 1, version 0xd)", inspect.StdoutText);
        Assert.Contains("point: type record { x: s32, y: s32 }", inspect.StdoutText);
        Assert.Contains("greet: func(name: string) -> string", inspect.StdoutText);
        Assert.Contains("add: func(a: u32, b: u32) -> u32", inspect.StdoutText);

        var run = TestPrograms.RunCli(["run", "--invoke", "add(1, 2)", wasm]);
        Assert.Equal("3\n", run.StdoutText);
    }

    [Fact]
    public void FunctionsOfExportedInterfacesAreInvokedByQualifiedOrBareName()
    {
        var wat = Write("iface.wat", """
            (component
              (core module $M (func (export "twice") (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1))))
              (core instance $m (instantiate $M))
              (func $twice (param "n" u32) (result u32) (canon lift (core func $m "twice")))
              (instance $api (export "twice" (func $twice)))
              (export "my:math/ops" (instance $api)))
            """);
        Assert.Equal("42\n", TestPrograms.RunCli(["run", "--invoke", "my:math/ops#twice(21)", wat]).StdoutText);
        Assert.Equal("8\n", TestPrograms.RunCli(["run", "--invoke", "twice(4)", wat]).StdoutText);
        var r = TestPrograms.RunCli(["run", "--invoke", "thrice(4)", wat]);
        Assert.Contains("its functions: my:math/ops#twice", r.StderrText);
    }

    [Fact]
    public void MistakesAreNamed()
    {
        var wat = Write("greeter.wat", Greeter);
        var r = TestPrograms.RunCli(["run", "--invoke", "add(1)", wat]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("expected argument 2 (u32)", r.StderrText);

        r = TestPrograms.RunCli(["run", "--invoke", "nope()", wat]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("the component exports no function named \"nope\" (its functions: greet, add)", r.StderrText);

        var invalid = Write("invalid.wat", "(component (type (record (field \"Bad-Label\" u32))))");
        r = TestPrograms.RunCli(["validate", invalid]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("record field name `Bad-Label` is not in kebab case", r.StderrText);
    }
}
