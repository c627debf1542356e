using WasmSharp.Components.Binary;
using WasmSharp.Components.Validation;

namespace WasmSharp.Components.Runtime;

/// <summary>
/// Imports satisfied by typed .NET delegates: <c>linker.DefineFunction("log", (string msg) => ...)</c>. The
/// function's component type is the import's, taken from the component when it is instantiated (or given, for a
/// delegate of any type), and the delegate is checked against it by the mappings typed exports use
/// (<see cref="TypeMapping"/>): a delegate that does not fit is a <see cref="LinkException"/> naming the import and
/// the parameter. The core code then calls it through Canonical ABI glue compiled for its signature, which lifts
/// the arguments straight out of the caller's memory and lowers the result straight back.
/// </summary>
public sealed partial class ComponentLinker
{
    /// <summary>Whether typed host functions are lowered through compiled glue where it can run (the default);
    /// false: through the reference path (for comparison). Read when a component is instantiated.</summary>
    public bool CompileHostFunctions { get; set; } = true;

    /// <summary>Defines import <paramref name="name"/> as <paramref name="f"/>, of the import's function type.</summary>
    public ComponentLinker DefineFunction<TResult>(string name, Func<TResult> f) => DefineTyped(name, f);
    public ComponentLinker DefineFunction<T1, TResult>(string name, Func<T1, TResult> f) => DefineTyped(name, f);
    public ComponentLinker DefineFunction<T1, T2, TResult>(string name, Func<T1, T2, TResult> f) => DefineTyped(name, f);
    public ComponentLinker DefineFunction<T1, T2, T3, TResult>(string name, Func<T1, T2, T3, TResult> f) => DefineTyped(name, f);
    public ComponentLinker DefineFunction<T1, T2, T3, T4, TResult>(string name, Func<T1, T2, T3, T4, TResult> f) => DefineTyped(name, f);

    /// <summary>Defines import <paramref name="name"/>, a function that returns nothing, as <paramref name="f"/>.</summary>
    public ComponentLinker DefineFunction(string name, Action f) => DefineTyped(name, f);
    public ComponentLinker DefineFunction<T1>(string name, Action<T1> f) => DefineTyped(name, f);
    public ComponentLinker DefineFunction<T1, T2>(string name, Action<T1, T2> f) => DefineTyped(name, f);
    public ComponentLinker DefineFunction<T1, T2, T3>(string name, Action<T1, T2, T3> f) => DefineTyped(name, f);
    public ComponentLinker DefineFunction<T1, T2, T3, T4>(string name, Action<T1, T2, T3, T4> f) => DefineTyped(name, f);

    /// <summary>Defines import <paramref name="name"/> as <paramref name="f"/>, a delegate of any type, of component
    /// type <paramref name="type"/> (checked against the delegate now, and against the import's type when a
    /// component is instantiated).</summary>
    public ComponentLinker DefineFunction<TDelegate>(string name, ComponentFunctionType type, TDelegate f) where TDelegate : Delegate
    {
        ArgumentNullException.ThrowIfNull(name);
        return Define(name, TypedFunction(f, type));
    }

    private ComponentLinker DefineTyped(string name, Delegate f)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Define(name, TypedFunction(f));
    }

    /// <summary>A typed .NET function as an item, for an instance's exports (<see cref="DefineInstance(string,
    /// IReadOnlyDictionary{string, ComponentItem})"/>): of the type the import declares for it, or of
    /// <paramref name="type"/> (checked against the delegate now).</summary>
    public static ComponentItem TypedFunction(Delegate f, ComponentFunctionType? type = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var definition = new TypedDefinition(f, type);
        if (type is not null) definition.Bind(type, compile: true);
        return new ComponentItem(Sort.Func, definition);
    }

    /// <summary>A typed function defined, waiting for its component type (given, or the import's).</summary>
    private sealed class TypedDefinition(Delegate target, ComponentFunctionType? type)
    {
        public ComponentFunctionType? Type { get; } = type;

        /// <summary>The last function bound, reused while the type and the choice of path stay the same.</summary>
        private (ComponentFunctionType Type, bool Compile, TypedHostFunction Function)? _bound;

        public TypedHostFunction Bind(ComponentFunctionType type, bool compile)
        {
            if (_bound is var (t, c, f) && c == compile && t.Equals(type)) return f;
            var function = new TypedHostFunction(type, target, compile);
            _bound = (type, compile, function);
            return function;
        }
    }

    /// <summary>Import <paramref name="name"/>'s <paramref name="item"/> with its typed functions bound to the
    /// types <paramref name="expected"/> declares (resources already bound to what was given); other items as they
    /// are. <paramref name="component"/> names types in errors.</summary>
    private ComponentItem BindTyped(string name, ComponentItem item, ExternDesc expected, ComponentTypeInfo component)
    {
        switch (item.Item, expected)
        {
            case (TypedDefinition d, FuncDesc f):
                try
                {
                    return new ComponentItem(Sort.Func, d.Bind(d.Type ?? f.Type, CompileHostFunctions));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException)
                {
                    throw new LinkException("incompatible import type", $"`{name}` ({Wit(component, f)}): {e.Message}");
                }
            case (TypedDefinition, _):
                throw new LinkException("incompatible import type", $"`{name}` is imported as a {TypeMatching.Kind(expected)}, but a typed .NET function was given");
            case (ComponentInstance { State: null } i, InstanceDesc desc) when i.Exports.Values.Any(e => e.Item is TypedDefinition):
            {
                var declared = desc.Type.Exports.ToDictionary(e => e.Name, e => e.Desc, StringComparer.Ordinal);
                var exports = i.Exports.ToDictionary(e => e.Key,
                    e => declared.TryGetValue(e.Key, out var d) ? BindTyped($"{name}#{e.Key}", e.Value, d, component) : e.Value, StringComparer.Ordinal);
                return new ComponentItem(Sort.Instance, new ComponentInstance(exports, null));
            }
            default:
                return item;
        }
    }
}
