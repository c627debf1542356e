using System.Runtime.InteropServices;

namespace WasmSharp;

/// <summary>A linear memory's base and current length, as running code reads them (owned by <see cref="Memory"/>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MemoryDefinition
{
    public byte* Base;
    public ulong Length;
}

/// <summary>A table's elements (slot bits, 0 is null) and current length, as running code reads them (owned by
/// <see cref="Table"/>; growth may move the elements, never this).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct TableDefinition
{
    public ulong* Elements;
    public ulong Length;
}

/// <summary>
/// What running code reads of an instance, at stable unmanaged addresses (ARCHITECTURE decision 10): the engines
/// (the interpreter, native code) read memories, globals and tables through it, never through managed objects. One block
/// per instance: this header, then the arrays it points into. Imported memories and globals are the exporter's own
/// definitions and cells, so every instance sharing one sees every write and every growth.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct InstanceContext
{
    /// <summary>Per memory index, its definition (imports first).</summary>
    public MemoryDefinition** Memories;
    /// <summary>Per global index, its 16-byte cell (imports first).</summary>
    public ulong** Globals;
    /// <summary>Per table index, its definition (imports first).</summary>
    public TableDefinition** Tables;
    public int MemoryCount;
    public int GlobalCount;
    public int TableCount;
    /// <summary>Set by native code when it traps (a <see cref="WasmSharp.TrapCode"/>; 0: none): every native call
    /// returns, each caller sees it and returns too, and the entry's caller turns it into a TrapException.</summary>
    public int TrapCode;

    /// <summary>Allocates and fills the context of an instance with these memories, globals and tables; free it
    /// with <see cref="NativeMemory.Free"/>.</summary>
    public static InstanceContext* Create(Memory[] memories, Global[] globals, Table[] tables)
    {
        nuint bytes = (nuint)sizeof(InstanceContext) + (nuint)(memories.Length + globals.Length + tables.Length) * (nuint)sizeof(nint);
        var c = (InstanceContext*)NativeMemory.AllocZeroed(bytes);
        c->Memories = (MemoryDefinition**)(c + 1);
        c->Globals = (ulong**)(c->Memories + memories.Length);
        c->Tables = (TableDefinition**)(c->Globals + globals.Length);
        c->MemoryCount = memories.Length;
        c->GlobalCount = globals.Length;
        c->TableCount = tables.Length;
        for (int i = 0; i < memories.Length; i++) c->Memories[i] = memories[i].Definition;
        for (int i = 0; i < globals.Length; i++) c->Globals[i] = globals[i].Cell;
        for (int i = 0; i < tables.Length; i++) c->Tables[i] = tables[i].Definition;
        return c;
    }
}
