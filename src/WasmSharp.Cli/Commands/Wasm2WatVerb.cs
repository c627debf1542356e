using System.CommandLine;
using System.Text;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp wasm2wat IN [-o OUT]</c>: a binary module to the text format (the name wabt users know),
/// on standard output unless <c>-o</c> names a file. The module is decoded, not validated. A text module is read
/// too (and printed in the printer's layout), as the other commands read either.</summary>
internal static class Wasm2WatVerb
{
    public static Command Create()
    {
        var input = new Argument<string>("IN") { Description = "A module: binary (.wasm) or text (.wat)" };
        input.Validators.Add(ModuleFile.RejectOptions);
        var output = new Option<string>("-o", "--output") { Description = "The text file to write (default: standard output)", HelpName = "OUT" };
        var command = new Command("wasm2wat", "Convert a binary module (.wasm) to the text format (.wat)") { input, output };
        command.SetAction(parse => Run(parse.GetValue(input)!, parse.GetValue(output), Console.OpenStandardOutput, Console.Error));
        return command;
    }

    public static int Run(string path, string? output, Func<Stream> stdout, TextWriter stderr)
    {
        try
        {
            var module = ModuleFile.Read(path);
            if (output is null)
            {
                using var writer = new StreamWriter(stdout(), Utf8, 1 << 16);
                WasmSharp.Text.Wat.WriteText(module, writer);
                return 0;
            }
            try
            {
                using var writer = new StreamWriter(output, append: false, Utf8, 1 << 16);
                WasmSharp.Text.Wat.WriteText(module, writer);
            }
            catch
            {
                // No half-written file for a body that cannot be decoded.
                try { File.Delete(output); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
            return 0;
        }
        catch (Exception ex) when (Errors.Describe(ex) is string message)
        {
            stderr.WriteLine($"{path}: {message}");
            return 1;
        }
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
