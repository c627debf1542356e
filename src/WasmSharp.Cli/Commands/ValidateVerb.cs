using System.CommandLine;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp validate FILE</c>: decodes and validates a module or a component.</summary>
internal static class ValidateVerb
{
    public static Command Create()
    {
        var file = ModuleFile.CreateArgument();
        var features = EngineOption.CreateFeatures();
        var command = new Command("validate", "Check that a module or component is well formed and valid") { file, features };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            try
            {
                if (ModuleFile.IsComponent(path, out var component))
                    WasmSharp.Components.Validation.ComponentValidator.Validate(WasmSharp.Components.Binary.ComponentReader.Read(component));
                else ModuleFile.Load(path, new Engine(new EngineConfig { Features = parse.GetValue(features) }));
            }
            catch (Exception ex) when (Errors.Describe(ex) is string message)
            {
                Console.Error.WriteLine($"{path}: {message}");
                return 1;
            }
            Console.Out.WriteLine("valid");
            return 0;
        });
        return command;
    }
}
