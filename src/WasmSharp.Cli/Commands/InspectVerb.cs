using System.CommandLine;
using WasmSharp.Binary;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp inspect FILE</c>: prints a module's sections with their sizes, its imports and exports,
/// and the limits of its memories and tables.</summary>
internal static class InspectVerb
{
    private static readonly string[] SectionNames =
        ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];

    public static Command Create()
    {
        var file = ModuleFile.CreateArgument();
        var command = new Command("inspect", "Show a module's sections, imports, exports, memories and tables, or a component's imports and exports with their types") { file };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            try
            {
                var bytes = ModuleFile.Read(path);
                if (WasmSharp.Components.Binary.ComponentReader.IsComponent(bytes))
                {
                    Console.Out.Write(ComponentInspection.Describe(path, bytes));
                    return 0;
                }
                var module = ModuleFile.Decode(bytes);
                Console.Out.Write(Describe(path, bytes, module));
                return 0;
            }
            catch (Exception ex) when (Errors.Describe(ex) is string message)
            {
                Console.Error.WriteLine($"{path}: {message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The report for a module that decoded and validated.</summary>
    public static string Describe(string path, byte[] bytes, Module module)
    {
        var info = module.Info;
        var w = new StringWriter { NewLine = "\n" };
        w.WriteLine($"{path}: {bytes.Length} bytes, version {BitConverter.ToUInt32(bytes, 4)}" +
                    (info.ModuleName is { } n ? $", module name \"{n}\"" : ""));

        w.WriteLine("sections:");
        var r = new WasmReader(bytes, 0);
        r.Skip(8);
        while (!r.AtEnd)
        {
            long start = r.Offset;
            byte id = r.ReadByte();
            uint size = r.ReadU32();
            long contents = r.Offset;
            string name = id < SectionNames.Length ? SectionNames[id] : $"unknown({id})";
            if (id == 0)
            {
                var c = new WasmReader(r.ReadBytes((int)size), contents);
                name = $"custom \"{c.ReadName()}\"";
            }
            else
            {
                r.Skip((int)size);
            }
            w.WriteLine($"  {name,-28} offset 0x{start:x8}  size {size,10}");
        }

        w.WriteLine($"imports ({info.Imports.Count}):");
        foreach (var i in info.Imports) w.WriteLine($"  {i.Module}.{i.Name}: {DescribeImport(info, i)}");

        w.WriteLine($"exports ({info.Exports.Count}):");
        foreach (var e in info.Exports) w.WriteLine($"  {e.Name}: {DescribeExport(info, e)}");

        w.WriteLine($"memories ({info.AllMemories.Count}):");
        for (int i = 0; i < info.AllMemories.Count; i++)
            w.WriteLine($"  memory[{i}]: {Pages(info.AllMemories[i].Limits)}{(i < info.ImportedMemoryCount ? " (imported)" : "")}");

        w.WriteLine($"tables ({info.AllTables.Count}):");
        for (int i = 0; i < info.AllTables.Count; i++)
        {
            var t = info.AllTables[i];
            w.WriteLine($"  table[{i}]: {t.ElementType.ToText()}, min {t.Limits.Min}, max {(t.Limits.Max is ulong m ? m : "none")}" +
                        (i < info.ImportedTableCount ? " (imported)" : ""));
        }

        w.WriteLine($"functions: {info.ImportedFunctionCount} imported, {info.Functions.Count} defined, " +
                    $"{info.FunctionNames.Count} named");
        w.WriteLine($"globals: {info.ImportedGlobalCount} imported, {info.Globals.Count} defined");
        w.WriteLine($"data segments: {info.Data.Count}, element segments: {info.Elements.Count}");
        if (info.Start is uint s) w.WriteLine($"start: {FunctionName(info, s)}");
        return w.ToString();
    }

    private static string Pages(Limits l) =>
        $"min {l.Min} pages ({l.Min * MemoryType.PageSize} bytes), max {(l.Max is ulong m ? $"{m} pages" : "none")}";

    private static string FunctionName(ModuleInfo info, uint index) =>
        info.FunctionNames.TryGetValue(index, out var n) ? $"func[{index}] <{n}>" : $"func[{index}]";

    private static string DescribeImport(ModuleInfo info, Import i) => i.Kind switch
    {
        ExternalKind.Function => $"func {info.Types[(int)i.TypeIndex]}",
        ExternalKind.Table => $"table {i.Table!.ElementType.ToText()}, min {i.Table.Limits.Min}, max {(i.Table.Limits.Max is ulong m ? m : "none")}",
        ExternalKind.Memory => $"memory {Pages(i.Memory!.Limits)}",
        ExternalKind.Tag => $"tag {info.Types[(int)i.TypeIndex]}",
        _ => $"global {(i.Global!.Mutable ? "mut " : "")}{i.Global.ValueType.ToText()}",
    };

    private static string DescribeExport(ModuleInfo info, Export e) => e.Kind switch
    {
        ExternalKind.Function => $"{FunctionName(info, e.Index)} {info.GetFunctionType((int)e.Index)}",
        ExternalKind.Table => $"table[{e.Index}]",
        ExternalKind.Memory => $"memory[{e.Index}]",
        ExternalKind.Tag => $"tag[{e.Index}] {info.GetTagType((int)e.Index)}",
        _ => $"global[{e.Index}]",
    };
}
