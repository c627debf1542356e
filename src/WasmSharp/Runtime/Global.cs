using System.Runtime.InteropServices;

namespace WasmSharp;

/// <summary>A global variable. The value is kept as slot bits (references encoded as in <see cref="Store"/>).</summary>
public sealed unsafe class Global
{
    /// <summary>The value's cell, where running code reads and writes it (instance contexts point here): 16 bytes of
    /// unmanaged memory at a stable address (a v128's two words; other values use the first), freed with this object.</summary>
    internal readonly ulong* Cell = (ulong*)NativeMemory.AlignedAlloc(16, 16);

    internal ulong Bits { get => Cell[0]; set => Cell[0] = value; }
    internal ulong HighBits { get => Cell[1]; set => Cell[1] = value; }

    ~Global() => NativeMemory.AlignedFree(Cell);

    /// <summary>The store the global belongs to.</summary>
    public Store Store { get; }
    /// <summary>The global's value type and mutability.</summary>
    public GlobalType Type { get; }

    /// <summary>Creates a global holding <paramref name="value"/>, which must be of <c>type.ValueType</c>.</summary>
    public Global(Store store, GlobalType type, Value value)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(type);
        Store = store;
        Type = type;
        Assign(value);
    }

    /// <summary>A global from slot bits (instantiation).</summary>
    internal Global(Store store, GlobalType type, ulong bits, ulong highBits)
    {
        Store = store;
        Type = type;
        Bits = bits;
        HighBits = highBits;
    }

    /// <summary>The current value. Setting it throws <see cref="WasmException"/> if the global is immutable or
    /// the value has another type.</summary>
    public Value Value
    {
        get => Store.FromBits(Type.ValueType, Bits, HighBits);
        set
        {
            if (!Type.Mutable) throw new WasmException("cannot set an immutable global");
            Assign(value);
        }
    }

    private void Assign(Value value)
    {
        if (value.Type != Type.ValueType)
            throw new WasmException($"type mismatch: {value.Type.ToText()} value for a {Type.ValueType.ToText()} global");
        Bits = Store.ToBits(value);
        HighBits = value.Type == ValueType.V128 ? value.HighBits : 0;
    }
}
