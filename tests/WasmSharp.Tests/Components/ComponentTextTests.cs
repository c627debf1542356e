using System.Text;
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

    // ---- the testsuite ----

    /// <summary>Where the component model's testsuite is (../shared/testsuite/component-model), or null.</summary>
    internal static string? TestsuiteDirectory { get; } =
        SpecTestsuite.CoreDirectory is string core && Directory.Exists(Path.Combine(core, "..", "component-model"))
            ? Path.GetFullPath(Path.Combine(core, "..", "component-model"))
            : null;

    /// <summary>The components of every script in <paramref name="folder"/> that do not compile (those under
    /// assert_malformed left out), as "file:line reason"; and how many compiled.</summary>
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
                if (module is not { IsComponent: true }) continue;
                try
                {
                    module.ToBinary();
                    compiled++;
                }
                catch (MalformedTextException e)
                {
                    failures.Add($"{file}:{module.Line} {e.Message}");
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
