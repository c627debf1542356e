using WasmSharp.Components.Binary;
using WasmSharp.Components.Validation;

namespace WasmSharp.Components.Runtime;

/// <summary>
/// Satisfies a component's imports by name and instantiates it: with .NET functions (on component values, or typed
/// delegates: ComponentLinker.Typed.cs), host resource types, and the exports of other component instances
/// (<see cref="DefineInstance(string, ComponentInstance)"/>), so components link to components. A call from one
/// component into another goes through the Canonical ABI both ways: the caller's arguments are lifted from its
/// memory and lowered into the callee's, and the result back (the spec's adapter semantics). Each import is checked
/// against the item given, by the same subtyping validation uses, before anything runs.
/// </summary>
public sealed partial class ComponentLinker
{
    private readonly Dictionary<string, ComponentItem> _items = new(StringComparer.Ordinal);

    /// <summary>Defines import <paramref name="name"/> as <paramref name="item"/> (replacing an earlier definition).</summary>
    public ComponentLinker Define(string name, ComponentItem item)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(item);
        _items[name] = item;
        return this;
    }

    /// <summary>Defines import <paramref name="name"/> as a .NET function of component type <paramref name="type"/>.</summary>
    public ComponentLinker DefineFunction(string name, ComponentFunctionType type, Func<ComponentValue[], ComponentValue?> body) =>
        Define(name, new ComponentItem(Sort.Func, new HostComponentFunction(type, body)));

    /// <summary>Defines import <paramref name="name"/> as a resource type the host implements.</summary>
    public ComponentLinker DefineResource(string name, ResourceType resource) => Define(name, new ComponentItem(Sort.Type, resource));

    /// <summary>Defines import <paramref name="name"/> as <paramref name="instance"/>: another component's instance
    /// (or a part of one), whose exports the importer calls.</summary>
    public ComponentLinker DefineInstance(string name, ComponentInstance instance) => Define(name, new ComponentItem(Sort.Instance, instance));

    /// <summary>Defines import <paramref name="name"/> as an instance made of <paramref name="exports"/> (host
    /// functions, resource types, ...).</summary>
    public ComponentLinker DefineInstance(string name, IReadOnlyDictionary<string, ComponentItem> exports) =>
        DefineInstance(name, new ComponentInstance(exports, null));

    /// <summary>Validates <paramref name="component"/>, checks its imports against what is defined, and instantiates
    /// it in <paramref name="store"/>. Throws <see cref="LinkException"/> for an import missing or of the wrong
    /// type, <see cref="InvalidModuleException"/> for an invalid component, <see cref="TrapException"/> if
    /// instantiation traps.</summary>
    public ComponentInstance Instantiate(Store store, ComponentInfo component) =>
        Instantiate(store, component, ComponentValidator.Validate(component), new Instantiator(store));

    /// <summary>Instantiates <paramref name="component"/>, validated and compiled already, in
    /// <paramref name="store"/>, which must belong to the component's engine.</summary>
    public ComponentInstance Instantiate(Store store, Component component)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(component);
        if (!ReferenceEquals(store.Engine, component.Engine))
            throw new WasmException("the component was compiled by another engine than the store's: create both with the same Engine");
        return Instantiate(store, component.Info, component.Type, new Instantiator(store) { Modules = component.Modules });
    }

    private ComponentInstance Instantiate(Store store, ComponentInfo component, ComponentTypeInfo type, Instantiator instantiator)
    {
        var map = new Dictionary<ResourceType, ResourceType>();
        var bindable = new HashSet<ResourceType>(type.ImportedResources);
        var given = new Dictionary<string, ComponentItem>();
        foreach (var (name, expected) in type.Imports)
        {
            if (!_items.TryGetValue(name, out var item))
                throw new LinkException("unknown import", $"the component imports `{name}` ({Wit(type, expected)}), which is not defined");
            item = BindTyped(name, item, TypeMatching.Substitute(expected, map), type);
            try
            {
                TypeMatching.Check(Describe(item), expected, map, bindable);
            }
            catch (TypeMismatchException e)
            {
                throw new LinkException("incompatible import type", $"`{name}`: {e.Message}");
            }
            given[name] = item;
        }
        return instantiator.InstantiateValidated(component, given);
    }

    private static string Wit(ComponentTypeInfo type, ExternDesc desc) => new WitText(type).Describe(desc);

    /// <summary>What a run-time item is, as validation describes imports.</summary>
    internal static ExternDesc Describe(ComponentItem item) => item.Item switch
    {
        ComponentFunction f => new FuncDesc(f.Type),
        ComponentInstance i => new InstanceDesc(new InstanceTypeInfo(i.Exports.Select(e => (e.Key, Describe(e.Value))).ToArray(), [])),
        ResourceType r => new TypeDesc(r),
        ComponentValueType v => new TypeDesc(v),
        ComponentFunctionType f => new TypeDesc(f),
        _ => throw new LinkException("incompatible import type", $"a {item.Sort.ToText()} cannot be given as a component import yet"),
    };
}
