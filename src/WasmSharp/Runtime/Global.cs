namespace WasmSharp;

/// <summary>A global variable. The value is kept as slot bits (references encoded as in <see cref="Store"/>).</summary>
public sealed class Global
{
    internal ulong Bits;
    internal ulong HighBits;

    public Store Store { get; }
    public GlobalType Type { get; }

    public Global(Store store, GlobalType type, Value value)
    {
        Store = store;
        Type = type;
        throw new NotImplementedException();
    }

    /// <summary>The current value.</summary>
    public Value Value
    {
        get => throw new NotImplementedException();
        set => throw new NotImplementedException();
    }
}
