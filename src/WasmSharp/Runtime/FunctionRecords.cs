using System.Runtime.InteropServices;

namespace WasmSharp;

/// <summary>What native code needs of a function in the store to call it through a table: its type's id
/// (<see cref="TypeRegistry"/>), and, for native code, its direct entry (<c>T f(ctx, params...)</c>) and its
/// instance's context.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FunctionRecord
{
    public int TypeId;
    public nint Code;
    public InstanceContext* Context;
}

/// <summary>The records of a store's functions by address, where native code reads them: the header stays put, the
/// items move when the store gains functions.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FunctionRecordTable
{
    public FunctionRecord* Items;
    public int Count, Capacity;
    /// <summary>The store's interrupt flag (<see cref="Store.Interrupt"/>): non-zero stops interruptible code at its
    /// next loop head or function entry. Here because native code reads it through every context.</summary>
    public int Interrupt;
}

/// <summary>A store's <see cref="FunctionRecordTable"/>, freed with the last reference to the store (not when it is
/// disposed: code of its instances may still read it).</summary>
internal sealed unsafe class FunctionRecords
{
    public readonly FunctionRecordTable* Table = (FunctionRecordTable*)NativeMemory.AllocZeroed((nuint)sizeof(FunctionRecordTable));

    public void Add(int typeId)
    {
        var t = Table;
        if (t->Count == t->Capacity)
        {
            int capacity = Math.Max(16, t->Capacity * 2);
            t->Items = (FunctionRecord*)NativeMemory.Realloc(t->Items, (nuint)(capacity * sizeof(FunctionRecord)));
            t->Capacity = capacity;
        }
        t->Items[t->Count++] = new FunctionRecord { TypeId = typeId };
    }

    /// <summary>Native code of <paramref name="context"/>'s instance runs the function at <paramref name="address"/>.</summary>
    public void SetNative(int address, nint code, InstanceContext* context)
    {
        Table->Items[address].Code = code;
        Table->Items[address].Context = context;
    }

    ~FunctionRecords()
    {
        NativeMemory.Free(Table->Items);
        NativeMemory.Free(Table);
    }
}
