namespace WasmSharp.Cli.Wast;

/// <summary>The "spectest" module that spec scripts import: print functions (which print nothing), four globals
/// holding 666 / 666.6, a funcref table of 10..20 elements and a memory of 1..2 pages, all in the script's store
/// (which frees the memory when disposed).</summary>
internal sealed class SpecTestHost
{
    public const string ModuleName = "spectest";

    /// <summary>Items that could not be created or defined, with the reason (so link failures can say why).</summary>
    public List<string> Errors { get; } = new();

    public SpecTestHost(Store store, Linker linker)
    {
        void Add(string name, Func<object> create)
        {
            try
            {
                linker.Define(ModuleName, name, create());
            }
            catch (Exception ex)
            {
                Errors.Add($"spectest.{name}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        void AddPrint(string name, params ValueType[] parameters) =>
            Add(name, () => new HostFunction(store, new FunctionType(parameters, []), static (_, _) => { }, $"{ModuleName}.{name}"));

        AddPrint("print");
        AddPrint("print_i32", ValueType.I32);
        AddPrint("print_i64", ValueType.I64);
        AddPrint("print_f32", ValueType.F32);
        AddPrint("print_f64", ValueType.F64);
        AddPrint("print_i32_f32", ValueType.I32, ValueType.F32);
        AddPrint("print_f64_f64", ValueType.F64, ValueType.F64);

        Add("global_i32", () => new Global(store, new GlobalType(ValueType.I32, false), Value.I32(666)));
        Add("global_i64", () => new Global(store, new GlobalType(ValueType.I64, false), Value.I64(666)));
        Add("global_f32", () => new Global(store, new GlobalType(ValueType.F32, false), Value.F32(666.6f)));
        Add("global_f64", () => new Global(store, new GlobalType(ValueType.F64, false), Value.F64(666.6)));

        Add("table", () => new Table(store, new TableType(ValueType.FuncRef, new Limits(10, 20)), Value.Null(ValueType.FuncRef)));
        Add("memory", () => new Memory(store, new MemoryType(new Limits(1, 2))));
    }
}
