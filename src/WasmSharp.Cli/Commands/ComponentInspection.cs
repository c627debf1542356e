using WasmSharp.Components.Binary;
using WasmSharp.Components.Validation;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp inspect</c> for a component: its sections, what it defines, and its imports and exports
/// with their types written as WIT writes them.</summary>
internal static class ComponentInspection
{
    public static string Describe(string path, byte[] bytes)
    {
        var info = ComponentReader.Read(bytes);
        var type = ComponentValidator.Validate(info);
        var wit = new WitText(type);
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine($"{path}: {bytes.Length} bytes, component (layer 1, version 0x{bytes[4]:x})");
        var counts = info.Definitions.GroupBy(Kind).Select(g => $"{g.Count()} {g.Key}");
        w.WriteLine($"definitions: {string.Join(", ", counts)}");
        w.WriteLine($"imports ({type.Imports.Count}):");
        foreach (var (name, desc) in type.Imports) w.WriteLine(wit.Item(name, desc, "  "));
        w.WriteLine($"exports ({type.Exports.Count}):");
        foreach (var (name, desc) in type.Exports) w.WriteLine(wit.Item(name, desc, "  "));
        if (info.CustomSections.Count > 0)
            w.WriteLine($"custom sections: {string.Join(", ", info.CustomSections.Select(c => $"\"{c.Name}\" ({c.Data.Length} bytes)"))}");
        return w.ToString();
    }

    private static string Kind(Definition d) => d switch
    {
        CoreModuleDefinition => "core modules",
        CoreInstantiate or CoreInstanceFromExports => "core instances",
        CoreTypeDefinition => "core types",
        NestedComponent => "components",
        ComponentInstantiate or InstanceFromExports => "instances",
        Alias => "aliases",
        TypeDefinition => "types",
        CanonDefinition => "canonical functions",
        ImportDefinition => "imports",
        ExportDefinition => "exports",
        _ => "other",
    };
}
