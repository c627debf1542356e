namespace WasmSharp;

/// <summary>A table of references. Elements are kept as slot bits (see <see cref="Store"/>: 0 is null).</summary>
public sealed class Table
{
    internal ulong[] Elements;
    /// <summary>Current number of elements (Elements may have spare capacity).</summary>
    internal uint Length;

    public Store Store { get; }
    public TableType Type { get; private set; }
    public ValueType ElementType => Type.ElementType;

    public Table(Store store, TableType type, Value init)
    {
        Store = store;
        Type = type;
        Elements = null!;
        throw new NotImplementedException();
    }

    public uint Size => Length;

    public Value Get(uint index) => throw new NotImplementedException();
    public void Set(uint index, Value value) => throw new NotImplementedException();

    /// <summary>Grows by <paramref name="delta"/> elements set to <paramref name="init"/>; returns the old size, or -1.</summary>
    public long Grow(uint delta, Value init) => throw new NotImplementedException();

    /// <summary>Growth on slot bits, for the interpreter.</summary>
    internal long Grow(uint delta, ulong initBits) => throw new NotImplementedException();
}
