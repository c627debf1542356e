using WasmSharp.Binary;
using WasmSharp.Interpreter;

namespace WasmSharp.Tests.Runtime;

/// <summary>Builds a <see cref="Module"/> from parts, without the binary reader or validator. Declare imports
/// before definitions. Function bodies are empty: they cannot be called.</summary>
internal sealed class TestModule
{
    public readonly ModuleInfo Info = new() { Bytes = ReadOnlyMemory<byte>.Empty };
    private readonly List<CompiledFunction> _functions = new();

    public static ConstExpr E(params ConstInstr[] code) => new(code, 0);
    public static ConstInstr I32(int v) => new(ConstOp.I32Const, (uint)v);
    public static ConstInstr I64(long v) => new(ConstOp.I64Const, (ulong)v);
    public static ConstInstr GlobalGet(uint i) => new(ConstOp.GlobalGet, i);
    public static ConstInstr RefFunc(uint i) => new(ConstOp.RefFunc, i);
    public static ConstInstr RefNull(ValueType t) => new(ConstOp.RefNull, 0, 0, t);
    public static ConstInstr Op(ConstOp op) => new(op, 0);

    private uint AddType(FunctionType t)
    {
        Info.Types.Add(t);
        return (uint)(Info.Types.Count - 1);
    }

    public TestModule ImportFunction(string m, string n, FunctionType t)
    {
        uint idx = AddType(t);
        Info.Imports.Add(new Import(m, n, ExternalKind.Function) { TypeIndex = idx });
        Info.FunctionTypeIndices.Add(idx);
        Info.ImportedFunctionCount++;
        return this;
    }

    public TestModule ImportTable(string m, string n, TableType t)
    {
        Info.Imports.Add(new Import(m, n, ExternalKind.Table) { Table = t });
        Info.AllTables.Add(t);
        Info.ImportedTableCount++;
        return this;
    }

    public TestModule ImportMemory(string m, string n, MemoryType t)
    {
        Info.Imports.Add(new Import(m, n, ExternalKind.Memory) { Memory = t });
        Info.AllMemories.Add(t);
        Info.ImportedMemoryCount++;
        return this;
    }

    public TestModule ImportGlobal(string m, string n, GlobalType t)
    {
        Info.Imports.Add(new Import(m, n, ExternalKind.Global) { Global = t });
        Info.AllGlobals.Add(t);
        Info.ImportedGlobalCount++;
        return this;
    }

    public TestModule Function(FunctionType t)
    {
        uint idx = AddType(t);
        Info.Functions.Add(idx);
        Info.FunctionTypeIndices.Add(idx);
        _functions.Add(new CompiledFunction
        {
            Type = t, Index = Info.FunctionTypeIndices.Count - 1, Code = [], Constants = [], FrameConstants = [], WideConstants = false,
            ParamCount = t.Parameters.Length, LocalCount = 0, ZeroSlots = [], FrameSize = t.Parameters.Length,
        });
        return this;
    }

    public TestModule Table(TableType t) { Info.Tables.Add(t); Info.AllTables.Add(t); return this; }
    public TestModule Memory(MemoryType t) { Info.Memories.Add(t); Info.AllMemories.Add(t); return this; }

    public TestModule Global(GlobalType t, params ConstInstr[] init)
    {
        Info.Globals.Add(new GlobalDefinition(t, E(init)));
        Info.AllGlobals.Add(t);
        return this;
    }

    public TestModule Elem(SegmentMode mode, uint table, ConstExpr? offset, ValueType type, params ConstInstr[] items)
    {
        Info.Elements.Add(new ElementSegment(mode, table, offset, type, items.Select(i => E(i)).ToArray(), 0));
        return this;
    }

    public TestModule Data(SegmentMode mode, uint memory, ConstExpr? offset, byte[] data)
    {
        Info.Data.Add(new DataSegment(mode, memory, offset, data, 0));
        return this;
    }

    public TestModule Export(string name, ExternalKind kind, uint index)
    {
        Info.Exports.Add(new Export(name, kind, index));
        return this;
    }

    public Module Build() => Module.FromParts(Info, _functions.ToArray());
}
