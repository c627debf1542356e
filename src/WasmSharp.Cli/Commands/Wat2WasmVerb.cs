using System.CommandLine;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp wat2wasm IN [-o OUT]</c>: a text-format module to a binary one (the name wabt users know).
/// The module is parsed, not validated: an invalid module is written, as wat2wasm --no-check would.</summary>
internal static class Wat2WasmVerb
{
    public static Command Create()
    {
        var input = new Argument<string>("IN") { Description = "A module in the text format (.wat)" };
        input.Validators.Add(ModuleFile.RejectOptions);
        var output = new Option<string>("-o", "--output") { Description = "The binary module to write (default: IN with .wasm)", HelpName = "OUT" };
        var command = new Command("wat2wasm", "Convert a text-format module (.wat) to a binary module (.wasm)") { input, output };
        command.SetAction(parse => Run(parse.GetValue(input)!, parse.GetValue(output), Console.Error));
        return command;
    }

    public static int Run(string path, string? output, TextWriter stderr)
    {
        try
        {
            if (Directory.Exists(path)) throw new InputException($"'{path}' is a directory, not a module file");
            var binary = WasmSharp.Text.Wat.ToBinary(File.ReadAllBytes(path));
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
