using System.Text;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Text;
using WasmSharp.Tests.Binary;
using WasmSharp.Text;
using WasmSharp.Text.Wast;

namespace WasmSharp.Tests.Components;

/// <summary>The component text format: exact binaries of small components (derived by hand from Binary.md), errors,
/// and every component of the component model's testsuite read through the script parser.</summary>
public class ComponentTextTests
{
    private static byte[] Parse(string text) => ComponentText.ParseFile(Encoding.UTF8.GetBytes(text));

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "").Replace("\n", "").Replace("\r", ""));

    private const string Preamble = "0061736d 0d000100";

    // ---- exact binaries ----

    [Fact]
    public void TheEmptyComponentIsItsPreamble()
    {
        Assert.Equal(Hex(Preamble), Parse("(component)"));
        Assert.Equal(Hex(Preamble), Parse("(component $C)"));
        Assert.Equal(Hex(Preamble), Parse(""));
    }

    [Fact]
    public void ACoreModuleIsEmbeddedAsItsOwnSection()
    {
        // Section 1 holds the core module's binary: the empty module, 8 bytes.
        Assert.Equal(Hex(Preamble + "01 08 0061736d 01000000"), Parse("(component (core module $M))"));
    }

    [Fact]
    public void CanonLiftWithOptionsAndTheAbbreviationsAroundIt()
    {
        var binary = Parse("""
            (component
              (import "m" (core module $M
                (export "mem" (memory 1))
                (export "f" (func (param i32 i32)))))
              (core instance $i (instantiate $M))
              (func (export "g") (param "s" string)
                (canon lift (core func $i "f") (memory (core memory $i "mem")) string-encoding=utf16)))
            """);
        Assert.Equal(Hex(Preamble
            // core type section: the module type, its inline func type declared before the export that uses it:
            // 0x50, 3 decls: export "mem" (memory 0x00 min 1); type (func [i32 i32] []); export "f" (func type 0)
            + "03 16 01  50 03  03 03 6d656d 02 00 01  01 60 02 7f7f 00  03 01 66 00 00"
            // import "m" (core module (type 0)): plain name 0x00, externtype 0x00 0x11 typeidx
            + "0a 07 01  00 01 6d  00 11 00"
            // core instance: instantiate module 0 with no arguments
            + "02 04 01  00 00 00"
            // the inline func type: (func (param "s" string)), no result (0x01 0x00)
            + "07 08 01  40 01 01 73 73 01 00"
            // the inline aliases: core func and core memory exports of core instance 0
            + "06 0f 02  00 00 01 00 01 66  00 02 01 00 03 6d656d"
            // canon lift core func 0, options (memory 0) utf16, type 0
            + "08 09 01  00 00 00 02 03 00 01 00"
            // the inline export: "g" (func 0), no ascribed type
            + "0b 07 01  00 01 67 01 00 00"), binary);
    }

    [Fact]
    public void ATypeOfEachKind()
    {
        var binary = Parse("""
            (component
              (type $l (list u8))
              (type (list u8 4))
              (type (record (field "a" u32) (field "b" $l)))
              (type (variant (case "n") (case "s" string)))
              (type (tuple u8 s64))
              (type (flags "x" "y"))
              (type (enum "e"))
              (type (option bool))
              (type (result u32 (error string)))
              (type (result))
              (type $R (resource (rep i32)))
              (type (own $R))
              (type (borrow $R))
              (type (stream u8))
              (type (future))
              (type (map string u32))
              (type error-context)
              (type (func async (param "a" u32) (result u32)))
              (type (component))
              (type (instance)))
            """);
        Assert.Equal(Hex(Preamble + "07 4c 14"
            + "70 7d" + "67 7d 04" + "72 02 01 61 79 01 62 00" + "71 02 01 6e 00 00 01 73 01 73 00" + "6f 02 7d 78"
            + "6e 02 01 78 01 79" + "6d 01 01 65" + "6b 7f" + "6a 01 79 01 73" + "6a 00 00" + "3f 7f 00" + "69 0a" + "68 0a"
            + "66 01 7d" + "65 00" + "63 73 79" + "64" + "43 01 01 61 79 00 79" + "41 00" + "42 00"), binary);
    }

    [Fact]
    public void AnInlineValueTypeIsDefinedBeforeTheTypeThatHoldsIt()
    {
        // (list u8) becomes type 0; the record refers to it as valtype 0 (an s33).
        Assert.Equal(Hex(Preamble + "07 08 02  70 7d  72 01 01 62 00"), Parse("""(component (type (record (field "b" (list u8)))))"""));
    }

    [Fact]
    public void AnImportWithAnInstanceType()
    {
        var binary = Parse("""
            (component
              (import "c" (instance $c
                (export "R" (type $R (sub resource)))
                (export "f" (func (param "r" (borrow $R)))))))
            """);
        Assert.Equal(Hex(Preamble
            // instance type, 4 declarators: export "R" (type (sub resource)) = type 0; type (borrow 0) = type 1;
            // type (func (param "r" 1)) = type 2; export "f" (func (type 2))
            + "07 1a 01  42 04  04 00 01 52 03 01  01 68 00  01 40 01 01 72 01 01 00  04 00 01 66 01 02"
            // import "c" (instance (type 0))
            + "0a 06 01  00 01 63 05 00"), binary);
    }

    [Fact]
    public void AnAliasAndAnExportOfIt()
    {
        var binary = Parse("""
            (component
              (import "i" (instance $i (export "f" (func))))
              (alias export $i "f" (func $f))
              (export "g" (func $f)))
            """);
        Assert.Equal(Hex(Preamble
            + "07 0e 01  42 02  01 40 00 01 00  04 00 01 66 01 00"
            + "0a 06 01  00 01 69 05 00"
            // alias: sort func, export of instance 0, "f"
            + "06 06 01  01 00 00 01 66"
            + "0b 07 01  00 01 67 01 00 00"), binary);
        // The abbreviation (func $i "f") is the same alias.
        Assert.Equal(binary, Parse("""
            (component
              (import "i" (instance $i (export "f" (func))))
              (export "g" (func $i "f")))
            """));
    }

    [Fact]
    public void ANameOfAnEnclosingComponentBecomesAnOuterAlias()
    {
        var binary = Parse("""
            (component $C
              (type $t u8)
              (component (import "x" (func (param "p" $t)))))
            """);
        Assert.Equal(Hex(Preamble + "07 02 01 7d"
            + "04 21" + Preamble
            // alias outer 1 0 (type), then the func type and the import
            + "06 05 01  03 02 01 00" + "07 08 01  40 01 01 70 00 01 00" + "0a 06 01  00 01 78 01 01"), binary);
        // Written out, the alias is the same.
        Assert.Equal(binary, Parse("""
            (component $C
              (type $t u8)
              (component (alias outer $C $t (type $u)) (import "x" (func (param "p" $u)))))
            """));
    }

    // ---- errors ----

    [Fact]
    public void AnUnknownNameSaysWhichSortAndWhere()
    {
        var e = Assert.Throws<MalformedTextException>(() => Parse("(component\n  (export \"x\" (func $nope)))"));
        Assert.Equal(("unknown func: $nope", 2, 21), (e.Reason, e.Line, e.Column));
        e = Assert.Throws<MalformedTextException>(() => Parse("(component (core instance (instantiate $M)))"));
        Assert.Equal(("unknown core module: $M", 1, 40), (e.Reason, e.Line, e.Column));
    }

    [Fact]
    public void AnUnexpectedTokenSaysWhere()
    {
        var e = Assert.Throws<MalformedTextException>(() => Parse("""(component (type (record (field "a" frob))))"""));
        Assert.Equal(("unknown operator frob", 1, 37), (e.Reason, e.Line, e.Column));
        e = Assert.Throws<MalformedTextException>(() => Parse("""(component (type "x"))"""));
        Assert.Equal(("unexpected token", 1, 18), (e.Reason, e.Line, e.Column));
        e = Assert.Throws<MalformedTextException>(() => Parse("(component (type $t u8) (type $t u8))"));
        Assert.Equal(("duplicate type $t", 1, 26), (e.Reason, e.Line, e.Column));
        // An attribute at most once (the testsuite's wording).
        e = Assert.Throws<MalformedTextException>(() => Parse("""(component (import "a" (external-id "x") (external-id "y") (func)))"""));
        Assert.Equal(("unexpected token", 1, 42), (e.Reason, e.Line, e.Column));
    }

    // ---- scripts ----

    [Fact]
    public void ScriptsReadComponentsThroughTheHook()
    {
        var script = WastParser.Parse(Encoding.UTF8.GetBytes("""
            (component $A (core module))
            (component definition $D)
            (component instance $i $D)
            (component $B binary "\00asm\0d\00\01\00")
            (component quote "(core module)")
            (assert_invalid (component (export "x" (func 0))) "index out of bounds")
            (assert_malformed (component quote "(type (frob))") "unknown operator")
            (assert_return (invoke $i "f" (u32.const 1)) (str.const "x"))
            """), ComponentText.Syntax);
        Assert.Null(script.Error);
        var c = script.Commands;
        Assert.Equal(["component", "component definition", "component instance", "component", "component", "assert_invalid", "assert_malformed", "assert_return"],
            c.Select(x => x.Kind));
        var a = Assert.IsType<ModuleCommand>(c[0]).Module;
        Assert.Equal((true, "$A", ModuleFormat.Text), (a.IsComponent, a.Id, a.Format));
        Assert.Equal(Parse("(component (core module))"), a.ToBinary());
        Assert.True(Assert.IsType<ModuleCommand>(c[1]).Module.IsDefinition);
        Assert.Equal(new InstanceCommand(3, "$i", "$D", IsComponent: true), c[2]);
        Assert.Equal(Hex(Preamble), Assert.IsType<ModuleCommand>(c[3]).Module.ToBinary());
        Assert.Equal(Parse("(component (core module))"), Assert.IsType<ModuleCommand>(c[4]).Module.ToBinary());
        Assert.True(Assert.IsType<AssertModuleCommand>(c[5]).Module.IsComponent);
        var malformed = Assert.IsType<AssertModuleCommand>(c[6]).Module;
        Assert.Equal(ModuleFormat.Quote, malformed.Format);
        Assert.StartsWith("unknown operator", Assert.Throws<MalformedTextException>(() => malformed.ToBinary()).Reason);
    }

    [Fact]
    public void AComponentThatDoesNotParseDoesNotStopTheScript()
    {
        var script = WastParser.Parse(Encoding.UTF8.GetBytes("""
            (component (type (record (field "a" nope))))
            (component)
            """), ComponentText.Syntax);
        Assert.Null(script.Error);
        var bad = Assert.IsType<ModuleCommand>(script.Commands[0]).Module;
        Assert.Equal("unknown operator nope", Assert.IsType<MalformedTextException>(bad.TextError).Reason);
        Assert.Equal(Hex(Preamble), Assert.IsType<ModuleCommand>(script.Commands[1]).Module.ToBinary());
    }

    // ---- the testsuite ----

    /// <summary>Where the component model's testsuite is (../shared/testsuite/component-model), or null.</summary>
    internal static string? TestsuiteDirectory { get; } =
        SpecTestsuite.CoreDirectory is string core && Directory.Exists(Path.Combine(core, "..", "component-model"))
            ? Path.GetFullPath(Path.Combine(core, "..", "component-model"))
            : null;

    /// <summary>Components whose core modules use what <see cref="ModuleParser"/> does not read yet: shared memory
    /// (threads), tags (exception handling), memory indices in loads and stores (multi-memory).</summary>
    private static readonly HashSet<string> CoreModuleGaps =
    [
        "validation/instantiation.wast:422",
        "linking/tags.wast:7", "linking/tags.wast:36", "linking/tags.wast:64", "linking/tags.wast:93",
        "linking/unit.wast:261", "linking/unit.wast:308", "linking/unit.wast:355",
    ];

    /// <summary>The components of every script in <paramref name="folder"/> that do not compile (those under
    /// assert_malformed left out, and the <see cref="CoreModuleGaps"/>), or that <see cref="ComponentReader"/> cannot
    /// decode (those not under an assertion, which the reader may reject early, and not given as binary), as "file:line reason"; and how many
    /// compiled.</summary>
    internal static (List<string> Failures, int Compiled) CompileFolder(string folder)
    {
        var failures = new List<string>();
        int compiled = 0;
        foreach (var path in Directory.EnumerateFiles(Path.Combine(TestsuiteDirectory!, folder), "*.wast").Order(StringComparer.Ordinal))
        {
            string file = $"{folder}/{Path.GetFileName(path)}";
            var script = WastParser.Parse(File.ReadAllBytes(path), ComponentText.Syntax);
            if (script.Error is not null) failures.Add($"{file}: script: {script.Error.Message}");
            foreach (var command in script.Commands)
            {
                var module = command switch
                {
                    ModuleCommand m => m.Module,
                    AssertModuleCommand { Expect: not ModuleAssertion.Malformed } a => a.Module,
                    _ => null,
                };
                if (module is not { IsComponent: true } || CoreModuleGaps.Contains($"{file}:{module.Line}")) continue;
                byte[] binary;
                try
                {
                    binary = module.ToBinary();
                    compiled++;
                }
                catch (MalformedTextException e)
                {
                    failures.Add($"{file}:{module.Line} {e.Message}");
                    continue;
                }
                try
                {
                    if (command is ModuleCommand && module.Format != ModuleFormat.Binary) ComponentReader.Read(binary);
                }
                catch (WasmException e)
                {
                    failures.Add($"{file}:{module.Line} does not decode: {e.Message}");
                }
            }
        }
        return (failures, compiled);
    }

    [ComponentTestsuiteFact("values")]
    public void EveryComponentOfValuesCompiles() => AssertFolderCompiles("values");

    [ComponentTestsuiteFact("resources")]
    public void EveryComponentOfResourcesCompiles() => AssertFolderCompiles("resources");

    [ComponentTestsuiteFact("validation")]
    public void EveryComponentOfValidationCompiles() => AssertFolderCompiles("validation");

    [ComponentTestsuiteFact("linking")]
    public void EveryComponentOfLinkingCompiles() => AssertFolderCompiles("linking");

    [ComponentTestsuiteFact("binary")]
    public void EveryComponentOfBinaryCompiles() => AssertFolderCompiles("binary");

    /// <summary>The async additions are beyond this parser's brief, but their canonical built-ins encode.</summary>
    [ComponentTestsuiteFact("async")]
    public void EveryComponentOfAsyncCompiles() => AssertFolderCompiles("async");

    private static void AssertFolderCompiles(string folder)
    {
        var (failures, compiled) = CompileFolder(folder);
        Assert.True(failures.Count == 0, $"{failures.Count} failures ({compiled} compiled):\n" + string.Join("\n", failures));
        Assert.True(compiled > 0);
    }
}

/// <summary>A fact that reads a folder of the component model's testsuite, skipped, saying why, when it is not here.</summary>
public sealed class ComponentTestsuiteFactAttribute : FactAttribute
{
    public ComponentTestsuiteFactAttribute(string folder)
    {
        if (ComponentTextTests.TestsuiteDirectory is not string dir || !Directory.Exists(Path.Combine(dir, folder)))
            Skip = $"component model testsuite folder component-model/{folder} not found (expected ../shared/testsuite/component-model beside the repository)";
    }
}
