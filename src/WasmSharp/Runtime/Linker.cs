using System.Runtime.CompilerServices;

namespace WasmSharp;

/// <summary>
/// Resolves a module's imports by (module, name) and instantiates it. A linker is not tied to a store: items
/// defined from an instance or created in a store may only be imported into that store, while host functions
/// defined by a callback or delegate are created in each store on first use (once per store).
/// A later definition of the same (module, name) replaces the earlier one.
/// </summary>
public sealed partial class Linker
{
    private readonly Dictionary<(string Module, string Name), object> _items = new();

    /// <summary>Defines one importable item: a Function, Table, Memory, Global or Tag.</summary>
    public Linker Define(string module, string name, object item)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(name);
        if (item is not (Function or Table or Memory or Global or Tag))
            throw new WasmException(
                $"cannot define {module}.{name}: a {item?.GetType().Name ?? "null"} is not a Function, Table, Memory, Global or Tag" +
                (item is Delegate ? " (use DefineFunction for delegates)" : ""));
        _items[(module, name)] = item;
        return this;
    }

    /// <summary>Makes every export of <paramref name="instance"/> importable under <paramref name="module"/>.</summary>
    public Linker DefineInstance(string module, Instance instance)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(instance);
        foreach (var (name, item) in instance.Exports) _items[(module, name)] = item;
        return this;
    }

    /// <summary>Defines a host function of type <paramref name="type"/> implemented by <paramref name="callback"/>,
    /// which reads the arguments and must write every result.</summary>
    public Linker DefineFunction(string module, string name, FunctionType type, HostCallback callback)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        _items[(module, name)] = new HostDefinition(type, callback, $"{module}.{name}");
        return this;
    }

    /// <summary>Defines a host function of type <paramref name="type"/> on raw slots (see <see cref="HostSlots"/>):
    /// called by every engine with no <see cref="Value"/> in between. <paramref name="type"/> may hold numbers and
    /// v128 only.</summary>
    public Linker DefineFunction(string module, string name, FunctionType type, HostSlotsCallback callback)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        HostSlots.Check(type);
        _items[(module, name)] = new HostDefinition(type, callback, $"{module}.{name}");
        return this;
    }

    /// <summary>The item defined as (<paramref name="module"/>, <paramref name="name"/>) as seen from
    /// <paramref name="store"/> (host functions are created there), or null.</summary>
    public object? Get(Store store, string module, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        return _items.TryGetValue((module, name), out var item) ? Resolve(store, item) : null;
    }

    /// <summary>Resolves <paramref name="module"/>'s imports and instantiates it in <paramref name="store"/>.
    /// Throws <see cref="LinkException"/> ("unknown import", "incompatible import type") if an import cannot be
    /// satisfied, and <see cref="TrapException"/> if a segment or the start function traps.</summary>
    public Instance Instantiate(Store store, Module module)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(module);
        var imports = module.Info.Imports;
        var resolved = new object[imports.Count];
        for (int i = 0; i < resolved.Length; i++)
        {
            var import = imports[i];
            if (!_items.TryGetValue((import.Module, import.Name), out var item))
                throw new LinkException("unknown import", $"{import.Module}.{import.Name}");
            resolved[i] = Resolve(store, item);
            Instance.CheckImport(store, module.Info, import, resolved[i]);
        }
        return Instance.Create(store, module, resolved);
    }

    private static object Resolve(Store store, object item) =>
        item is HostDefinition host ? host.In(store) : item;

    /// <summary>A host function not yet bound to a store.</summary>
    private sealed class HostDefinition(FunctionType type, Delegate callback, string name)
    {
        private readonly ConditionalWeakTable<Store, HostFunction> _perStore = new();

        public HostFunction In(Store store) =>
            _perStore.GetValue(store, s => callback is HostSlotsCallback raw
                ? new HostFunction(s, type, raw, name)
                : new HostFunction(s, type, (HostCallback)callback, name));
    }
}
