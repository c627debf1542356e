using WasmSharp.Components.Binary;
using WasmSharp.Components.Text;
using WasmSharp.Components.Validation;

namespace WasmSharp.Components.Runtime;

/// <summary>
/// A component decoded, validated and with its core modules compiled by <see cref="Engine"/>: made once, it is
/// instantiated any number of times (<see cref="ComponentLinker.Instantiate(Store, Component)"/>) in stores of the
/// same engine, each instantiation with resources of its own.
/// </summary>
public sealed class Component
{
    private Component(Engine engine, ComponentInfo info, ComponentTypeInfo type, IReadOnlyDictionary<CoreModuleDefinition, Module> modules)
    {
        Engine = engine;
        Info = info;
        Type = type;
        Modules = modules;
    }

    public Engine Engine { get; }

    /// <summary>The component as decoded.</summary>
    public ComponentInfo Info { get; }

    /// <summary>Its type: imports and exports.</summary>
    public ComponentTypeInfo Type { get; }

    /// <summary>Every core module it holds (nested components' included), compiled.</summary>
    internal IReadOnlyDictionary<CoreModuleDefinition, Module> Modules { get; }

    /// <summary>Decodes, validates and compiles a binary component (or the text of one). Throws
    /// <see cref="MalformedModuleException"/>, <see cref="WasmSharp.Text.MalformedTextException"/> or
    /// <see cref="InvalidModuleException"/> for input that is not a valid component.</summary>
    public static Component FromBytes(Engine engine, ReadOnlyMemory<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!ComponentReader.IsComponent(bytes.Span)) bytes = ComponentText.ParseFile(bytes.ToArray());
        var info = ComponentReader.Read(bytes);
        var type = ComponentValidator.Validate(info);
        var modules = new Dictionary<CoreModuleDefinition, Module>(ReferenceEqualityComparer.Instance);
        Compile(engine, info, modules);
        return new Component(engine, info, type, modules);
    }

    public static Component FromBytes(ReadOnlyMemory<byte> bytes) => FromBytes(Engine.Default, bytes);

    public static Component FromFile(Engine engine, string path) => FromBytes(engine, File.ReadAllBytes(path));

    public static Component FromFile(string path) => FromFile(Engine.Default, path);

    private static void Compile(Engine engine, ComponentInfo info, Dictionary<CoreModuleDefinition, Module> modules)
    {
        foreach (var d in info.Definitions)
        {
            if (d is CoreModuleDefinition m) modules[m] = Module.FromBytes(engine, m.Binary);
            else if (d is NestedComponent n) Compile(engine, n.Component, modules);
        }
    }
}
