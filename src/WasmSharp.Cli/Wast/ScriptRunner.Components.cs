using WasmSharp.Components;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;
using WasmSharp.Components.Validation;
using WasmSharp.Text;
using WasmSharp.Text.Wast;

namespace WasmSharp.Cli.Wast;

// The commands of the component model's scripts: components decode with ComponentReader and instantiate with the
// Instantiator in the script's store; actions call their exported functions with component constants.
internal sealed partial class ScriptRunner
{
    private Outcome LoadComponent(ModuleCommand cmd)
    {
        var id = cmd.Module.Id;
        bool definition = cmd.Module.IsDefinition;
        try
        {
            var component = ComponentReader.Read(cmd.Module.ToBinary());
            if (definition) SetDefinition(id, new Defined(null, null, component));
            else SetCurrent(id, new Loaded(null, null, InstantiateComponent(component), IsComponent: true));
            return Outcome.Pass();
        }
        catch (NotSupportedException ex) when (!definition)
        {
            return SkipUnsupported(id, isComponent: true, ex);
        }
        catch (Exception ex)
        {
            var why = Describe(ex);
            if (definition) SetDefinition(id, new Defined(null, $"component definition at line {cmd.Line} failed: {why}"));
            else SetCurrent(id, new Loaded(null, $"component at line {cmd.Line} failed to load: {why}", IsComponent: true));
            return Outcome.Fail(why);
        }
    }

    private ComponentInstance InstantiateComponent(ComponentInfo component) => new Instantiator(Store).Instantiate(component);

    /// <summary>Whether <paramref name="action"/> names a component instance (or one that failed to load).</summary>
    private bool IsComponentAction(WastAction action) =>
        (action.Module is null ? _current : _named.GetValueOrDefault(action.Module)) is { IsComponent: true };

    private ComponentInstance ResolveComponent(string? name)
    {
        Loaded? loaded = name is null ? _current : _named.GetValueOrDefault(name);
        if (loaded is null) throw new CheckFailed(name is null ? "no component defined yet" : $"unknown component {name}");
        if (loaded.Unsupported is string reason) throw new SkipCommand(reason);
        return loaded.Component ?? throw new CheckFailed(loaded.Failure ?? "component failed to load");
    }

    /// <summary>Calls the action's function; returns its result and type.</summary>
    private (ComponentValue? Result, ComponentFunctionType Type) PerformComponent(WastAction action)
    {
        if (action.IsGet) throw new CheckFailed("components export no globals to get");
        var instance = ResolveComponent(action.Module);
        var f = instance.GetFunction(action.Name) ?? throw new CheckFailed($"no exported function \"{action.Name}\"");
        var parameters = f.Type.Parameters;
        if (action.Args.Length != parameters.Count)
            throw new CheckFailed($"\"{action.Name}\" takes {parameters.Count} argument(s), the script gives {action.Args.Length}");
        var args = new ComponentValue[parameters.Count];
        for (int i = 0; i < args.Length; i++)
        {
            try
            {
                args[i] = ComponentWastValues.ToValue(action.Args[i], parameters[i].Type);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new CheckFailed($"argument {i} (\"{parameters[i].Label}\"): {e.Message}");
            }
        }
        return (f.Invoke(args), f.Type);
    }

    private Outcome RunComponentAction(WastAction action)
    {
        PerformComponent(action);
        return Outcome.Pass();
    }

    private Outcome AssertComponentReturn(WastAction action, WastValue[] expected)
    {
        var (result, type) = PerformComponent(action);
        if (type.Result is null || result is null)
            return expected.Length == 0 ? Outcome.Pass() : Outcome.Fail($"expected {expected.Length} result(s), the function returns none");
        if (expected.Length != 1) return Outcome.Fail($"expected {expected.Length} result(s), got {Wave.Print(result)}");
        try
        {
            return ComponentWastValues.Matches(expected[0], result, type.Result)
                ? Outcome.Pass()
                : Outcome.Fail($"expected {ComponentWastValues.Describe(expected[0])}, got {Wave.Print(result)}");
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return Outcome.Fail($"expected {ComponentWastValues.Describe(expected[0])}: {e.Message}; got {Wave.Print(result)}");
        }
    }

    private static string DescribeComponentResult(ComponentValue? result) => result is null ? "nothing" : Wave.Print(result);

    /// <summary>assert_malformed, assert_invalid, assert_unlinkable and assert_trap on a component. Validation is
    /// the instantiator's for now: an invalid component is one whose instantiation finds a definition that does not
    /// fit.</summary>
    private Outcome ExpectComponentError(AssertModuleCommand cmd)
    {
        var kind = cmd.Kind;
        try
        {
            var component = ComponentReader.Read(cmd.Module.ToBinary());
            if (cmd.Expect == ModuleAssertion.Malformed) return Outcome.Fail($"expected malformed component \"{cmd.Message}\", but it decoded");
            if (cmd.Expect == ModuleAssertion.Invalid) ComponentValidator.Validate(component);
            else InstantiateComponent(component);
        }
        catch (MalformedTextException ex) when (cmd.Expect == ModuleAssertion.Malformed)
        {
            return Outcome.PassChecking(cmd.Message, ex.Reason);
        }
        catch (MalformedModuleException ex) when (cmd.Expect == ModuleAssertion.Malformed)
        {
            return Outcome.PassChecking(cmd.Message, ex.Reason);
        }
        catch (InvalidModuleException ex) when (cmd.Expect == ModuleAssertion.Invalid)
        {
            return Outcome.PassChecking(cmd.Message, ex.Reason);
        }
        catch (LinkException ex) when (cmd.Expect == ModuleAssertion.Unlinkable)
        {
            return Outcome.PassChecking(cmd.Message, ex.Reason);
        }
        catch (TrapException ex) when (cmd.Expect == ModuleAssertion.Uninstantiable)
        {
            return Outcome.PassChecking(cmd.Message, ex.Message);
        }
        catch (NotSupportedException ex)
        {
            return Outcome.Skip(NotSupported(ex));
        }
        catch (Exception ex)
        {
            return Outcome.Fail($"expected {kind} \"{cmd.Message}\", got {Describe(ex)}");
        }
        return Outcome.Fail($"expected {kind} \"{cmd.Message}\", but the component {(cmd.Expect == ModuleAssertion.Invalid ? "validated" : "instantiated")}");
    }
}
