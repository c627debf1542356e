using WasmSharp.Components;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp run --invoke 'name(args)' COMPONENT</c>: instantiates a component without imports and
/// calls one exported function (top-level, or <c>iface#name</c> in an exported instance), its arguments and result
/// in WAVE syntax (as Wasmtime's <c>--invoke</c> takes and prints them).</summary>
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
                function = Find(instance, n) ?? throw new InputException($"the component exports no function named \"{n}\"{Exports(instance)}");
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

    /// <summary>The function <paramref name="name"/> names: a top-level export, <c>INSTANCE#func</c> for a function
    /// of an exported instance (an interface such as <c>wasi:cli/run#run</c>), or a bare name found in exactly
    /// one exported instance.</summary>
    private static ComponentFunction? Find(ComponentInstance instance, string name)
    {
        int hash = name.LastIndexOf('#');
        if (hash >= 0)
            return instance.Exports.GetValueOrDefault(name[..hash])?.Item is ComponentInstance inner ? inner.GetFunction(name[(hash + 1)..]) : null;
        if (instance.GetFunction(name) is { } top) return top;
        var found = Functions(instance).Where(f => f.Name.EndsWith("#" + name, StringComparison.Ordinal)).ToArray();
        return found.Length == 1 ? found[0].Function : null;
    }

    /// <summary>Every function the instance exports, with the name <c>--invoke</c> takes for it.</summary>
    private static IEnumerable<(string Name, ComponentFunction Function)> Functions(ComponentInstance instance)
    {
        foreach (var (name, item) in instance.Exports)
        {
            if (item.Item is ComponentFunction f) yield return (name, f);
            else if (item.Item is ComponentInstance inner)
                foreach (var (innerName, innerItem) in inner.Exports)
                    if (innerItem.Item is ComponentFunction g) yield return ($"{name}#{innerName}", g);
        }
    }

    private static string Exports(ComponentInstance instance)
    {
        var functions = Functions(instance).Select(f => f.Name).ToArray();
        return functions.Length == 0 ? " (it exports no functions)" : $" (its functions: {string.Join(", ", functions)})";
    }
}
