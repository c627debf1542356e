using System.CommandLine;
using WasmSharp.Interpreter;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp explore FILE [--function N]</c>: prints the register code the interpreter runs, so
/// translation quality can be seen and reviewed.</summary>
internal static class ExploreVerb
{
    public static Command Create()
    {
        var file = ModuleFile.CreateArgument();
        var function = new Option<int?>("--function", "-f")
        {
            Description = "Only this function (index in the function index space, imports included)",
            HelpName = "INDEX",
            CustomParser = result =>
            {
                string text = result.Tokens[0].Value;
                if (int.TryParse(text, System.Globalization.NumberStyles.None, null, out int index)) return index;
                result.AddError($"--function takes a function index (0, 1, 2, ...), not '{text}'.");
                return null;
            },
        };
        var command = new Command("explore", "Print the translated register code of a module's functions") { file, function };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            Module module;
            try
            {
                module = ModuleFile.Load(path);
            }
            catch (Exception ex) when (Errors.Describe(ex) is string message)
            {
                Console.Error.WriteLine($"{path}: {message}");
                return 1;
            }
            int imported = module.Info.ImportedFunctionCount;
            var wanted = parse.GetValue(function);
            if (wanted is int w && (w < imported || w >= imported + module.Functions.Length))
            {
                Console.Error.WriteLine($"{path}: no defined function {w} (defined functions are {imported}..{imported + module.Functions.Length - 1})");
                return 1;
            }
            var output = Console.Out;
            foreach (var fn in module.Functions)
            {
                if (wanted is int only && fn.Index != only) continue;
                if (module.Info.FunctionNames.TryGetValue((uint)fn.Index, out var name)) output.WriteLine($";; {name}");
                output.Write(Disassembler.Disassemble(fn));
                output.WriteLine();
            }
            return 0;
        });
        return command;
    }
}
