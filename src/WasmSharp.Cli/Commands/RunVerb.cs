using System.CommandLine;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp run [--invoke NAME] FILE [ARGS...]</c>: instantiates a module and calls an export.
/// Without --invoke it calls <c>_start</c>; ARGS then belong to the program (for WASI, not supported yet).</summary>
internal static class RunVerb
{
    public const string StartFunction = "_start";

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A binary module (.wasm)" };
        var args = new Argument<string[]>("ARGS")
        {
            Description = "Arguments of the invoked function, parsed by its parameter types (i32/i64: decimal or 0x hex; f32/f64: decimal, inf, nan)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var invoke = new Option<string?>("--invoke") { Description = "Export to call (default: _start)", HelpName = "NAME" };
        var command = new Command("run", "Instantiate a module (no imports yet) and call an exported function") { file, args, invoke };
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(invoke), parse.GetValue(args) ?? [],
            Console.Out, Console.Error));
        return command;
    }

    public static int Run(string path, string? invoke, string[] args, TextWriter output, TextWriter error)
    {
        Store? store = null;
        try
        {
            var module = Module.FromBytes(File.ReadAllBytes(path));
            if (invoke is null && args.Length > 0)
            {
                error.WriteLine("error: program arguments need WASI, which is not supported yet; use --invoke NAME to pass function arguments");
                return 1;
            }
            var name = invoke ?? StartFunction;

            store = new Store();
            var instance = new Linker().Instantiate(store, module);
            var function = instance.GetFunction(name);
            if (function is null)
            {
                error.WriteLine(invoke is null
                    ? $"error: the module exports no {StartFunction} function; use --invoke NAME"
                    : $"error: the module exports no function named \"{name}\"");
                return 1;
            }

            var parameters = function.Type.Parameters;
            if (args.Length != parameters.Length)
            {
                error.WriteLine($"error: {name} takes {parameters.Length} argument(s) {function.Type}, got {args.Length}");
                return 1;
            }
            var values = new Value[args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                try
                {
                    values[i] = ValueText.Parse(parameters[i], args[i]);
                }
                catch (FormatException ex)
                {
                    error.WriteLine($"error: argument {i + 1}: {ex.Message}");
                    return 1;
                }
            }

            foreach (var result in function.Invoke(values)) output.WriteLine(ValueText.Format(result));
            return 0;
        }
        catch (Exception ex)
        {
            error.WriteLine(ex is TrapException ? Errors.Describe(ex) : $"error: {Errors.Describe(ex)}");
            return 1;
        }
        finally
        {
            try { store?.Dispose(); }
            catch (Exception) { /* the process ends anyway */ }
        }
    }
}
