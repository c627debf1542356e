namespace WasmSharp;

/// <summary>Resolves a module's imports by (module, name) and instantiates it.</summary>
public sealed class Linker
{
    /// <summary>Defines one importable item: a Function, Table, Memory or Global.</summary>
    public Linker Define(string module, string name, object item) => throw new NotImplementedException();

    /// <summary>Makes every export of <paramref name="instance"/> importable under <paramref name="module"/>.</summary>
    public Linker DefineInstance(string module, Instance instance) => throw new NotImplementedException();

    public Instance Instantiate(Store store, Module module) => throw new NotImplementedException();
}
