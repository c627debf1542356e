using WasmSharp.Components;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp run --invoke 'name(args)' COMPONENT</c>: instantiates a component without imports and
/// calls one exported function, its arguments and result in WAVE syntax (as Wasmtime's <c>--invoke</c> takes and
/// prints them).</summary>
internal static class ComponentRun
{
    public static int Run(byte[] component, string? invoke, string[] args, Engine engine, TextWriter output, TextWriter error)
    {
        if (invoke is null)
        {
            error.WriteLine("error: a component runs one exported function: use --invoke 'name(args)' " +
                            "(components of the wasi:cli world are not supported yet)");
            return 1;
        }
        var info = ComponentReader.Read(component);
        using var store = new Store(engine);
        var instance = new Instantiator(store).Instantiate(info);

        // 'name(args)' in WAVE, or a bare name with one WAVE value per further command-line argument.
        string call = invoke.Contains('(') ? invoke : $"{invoke}({string.Join(", ", args)})";
        if (invoke.Contains('(') && args.Length > 0)
        {
            error.WriteLine("error: give the arguments inside --invoke 'name(args)', not after the component");
            return 1;
        }
        ComponentFunction? function = null;
        string name;
        ComponentValue[] values;
        try
        {
            (name, values) = Wave.ParseCall(call, n =>
            {
                function = instance.GetFunction(n) ?? throw new InputException($"the component exports no function named \"{n}\"{Exports(instance)}");
                return function.Type.Parameters.Select(p => p.Type).ToArray();
            });
        }
        catch (FormatException e)
        {
            error.WriteLine($"error: --invoke: {e.Message}");
            return 1;
        }
        var result = function!.Invoke(values);
        if (result is not null) output.WriteLine(Wave.Print(result));
        return 0;
    }

    private static string Exports(ComponentInstance instance)
    {
        var functions = instance.Exports.Where(e => e.Value.Item is ComponentFunction).Select(e => e.Key).ToArray();
        return functions.Length == 0 ? " (it exports no functions)" : $" (its functions: {string.Join(", ", functions)})";
    }
}
