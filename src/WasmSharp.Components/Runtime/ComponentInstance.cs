using WasmSharp.Components.Binary;

namespace WasmSharp.Components.Runtime;

/// <summary>An item a component instance exports (or is given as an import): its sort and the item itself, a
/// <see cref="ComponentFunction"/>, <see cref="ComponentInstance"/>, type (a <see cref="ComponentValueType"/>,
/// <see cref="ComponentFunctionType"/> or <see cref="ResourceType"/>), core <see cref="Module"/> or component.</summary>
public sealed record ComponentItem(Sort Sort, object Item);

/// <summary>An instance of a component: its exports by name.</summary>
public sealed class ComponentInstance(IReadOnlyDictionary<string, ComponentItem> exports, InstanceState? state)
{
    public IReadOnlyDictionary<string, ComponentItem> Exports { get; } = exports;

    /// <summary>The run-time state of the instance (null for an instance made of other items' exports).</summary>
    public InstanceState? State { get; } = state;

    /// <summary>The exported function <paramref name="name"/>, or null.</summary>
    public ComponentFunction? GetFunction(string name) =>
        Exports.TryGetValue(name, out var item) ? item.Item as ComponentFunction : null;
}

/// <summary>A component definition together with the scope it was defined in (for its outer aliases).</summary>
internal sealed record ComponentClosure(ComponentInfo Component, Scope? Outer);

/// <summary>The index spaces of one component being instantiated, and the scope around it.</summary>
internal sealed class Scope(Scope? outer)
{
    public Scope? Outer { get; } = outer;
    public List<object>[] Spaces { get; } = Enumerable.Range(0, SortExtensions.Count).Select(_ => new List<object>()).ToArray();

    public List<object> this[Sort sort] => Spaces[(int)sort];
}
