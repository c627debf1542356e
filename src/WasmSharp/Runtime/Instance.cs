using WasmSharp.Binary;

namespace WasmSharp;

/// <summary>An instantiated module: its functions, tables, memories and globals in a <see cref="Store"/>.</summary>
public sealed class Instance
{
    public Module Module { get; }
    public Store Store { get; }

    // Index spaces (imports first), read directly by the interpreter.
    internal Function[] Functions = [];
    internal Table[] Tables = [];
    internal Memory[] Memories = [];
    internal Global[] Globals = [];
    /// <summary>Element segments as slot bits; an empty array once dropped.</summary>
    internal ulong[][] ElementSegments = [];
    /// <summary>Data segments; empty once dropped.</summary>
    internal ReadOnlyMemory<byte>[] DataSegments = [];
    /// <summary>Canonical type id of each of the module's types (see TypeRegistry).</summary>
    internal int[] TypeIds = [];

    internal Instance(Store store, Module module)
    {
        Store = store;
        Module = module;
    }

    /// <summary>Creates an instance from resolved imports (one object per import, in order: Function, Table,
    /// Memory or Global), runs active segments and the start function.</summary>
    internal static Instance Create(Store store, Module module, object[] imports) => throw new NotImplementedException();

    /// <summary>The export with this name (a Function, Table, Memory or Global), or null.</summary>
    public object? GetExport(string name) => throw new NotImplementedException();

    public Function? GetFunction(string name) => GetExport(name) as Function;
    public Memory? GetMemory(string name) => GetExport(name) as Memory;
    public Table? GetTable(string name) => GetExport(name) as Table;
    public Global? GetGlobal(string name) => GetExport(name) as Global;
}
