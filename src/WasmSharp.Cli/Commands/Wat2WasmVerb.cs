using System.CommandLine;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp wat2wasm IN [-o OUT] [--no-check]</c>: a text-format module (or component) to a binary one
/// (the name and behaviour wabt users know): it is validated and nothing is written when it is invalid, unless
/// <c>--no-check</c> (modules for assert_invalid tests).</summary>
internal static class Wat2WasmVerb
{
    public static Command Create()
    {
        var input = new Argument<string>("IN") { Description = "A module in the text format (.wat)" };
        input.Validators.Add(ModuleFile.RejectOptions);
        var output = new Option<string>("-o", "--output") { Description = "The binary module to write (default: IN with .wasm)", HelpName = "OUT" };
        var noCheck = new Option<bool>("--no-check") { Description = "Write the module without validating it" };
        var command = new Command("wat2wasm", "Convert a text-format module (.wat) to a binary module (.wasm)") { input, output, noCheck };
        command.SetAction(parse => Run(parse.GetValue(input)!, parse.GetValue(output), parse.GetValue(noCheck), Console.Error));
        return command;
    }

    public static int Run(string path, string? output, bool noCheck, TextWriter stderr)
    {
        try
        {
            var text = ModuleFile.ReadFile(path);
            byte[] binary;
            if (ModuleFile.IsComponentText(text))
            {
                binary = ModuleFile.ParseComponent(text);
                if (!noCheck) WasmSharp.Components.Validation.ComponentValidator.Validate(WasmSharp.Components.Binary.ComponentReader.Read(binary));
            }
            else
            {
                binary = WasmSharp.Text.Wat.ToBinary(text);
                if (!noCheck) Module.Validate(binary);
            }
            File.WriteAllBytes(output ?? Path.ChangeExtension(path, ".wasm"), binary);
            return 0;
        }
        catch (Exception ex) when (Errors.Describe(ex) is string message)
        {
            stderr.WriteLine($"{path}: {message}");
            return 1;
        }
    }
}
