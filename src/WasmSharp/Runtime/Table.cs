using System.Runtime.CompilerServices;

namespace WasmSharp;

/// <summary>A table of references. Elements are kept as slot bits (see <see cref="Store"/>: 0 is null).</summary>
public sealed class Table
{
    /// <summary>Most elements a table may hold here, whatever its type allows: growing past it fails (-1)
    /// rather than exhausting the process's memory.</summary>
    public const uint MaxElements = 10_000_000;

    internal ulong[] Elements;
    /// <summary>Current number of elements (Elements may have spare capacity).</summary>
    internal uint Length;

    private TableType _type;

    /// <summary>The store the table belongs to.</summary>
    public Store Store { get; }

    /// <summary>The table's type; its minimum is the current size.</summary>
    public TableType Type
    {
        get
        {
            if (_type.Limits.Min != Length) _type = _type with { Limits = new Limits(Length, _type.Limits.Max) };
            return _type;
        }
    }

    /// <summary>The type of the references the table holds.</summary>
    public ValueType ElementType => _type.ElementType;

    /// <summary>Creates a table of <c>type.Limits.Min</c> elements, each set to <paramref name="init"/>.</summary>
    public Table(Store store, TableType type, Value init)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(type);
        Store = store;
        _type = type;
        if (!type.ElementType.IsReference())
            throw new WasmException($"table element type must be a reference type, not {type.ElementType.ToText()}");
        if (type.Limits.Min > MaxLimit(type))
            throw new WasmException($"table size {type.Limits.Min} exceeds the limit of {MaxLimit(type)} elements");
        ulong bits = InitBits(init);
        Length = (uint)type.Limits.Min;
        Elements = Length == 0 ? [] : new ulong[Length];
        if (bits != 0) Elements.AsSpan().Fill(bits);
    }

    private static ulong MaxLimit(TableType type) =>
        Math.Min(type.Limits.Max ?? uint.MaxValue, Math.Min((ulong)uint.MaxValue, MaxElements));

    private ulong InitBits(Value value)
    {
        if (value.Type != _type.ElementType)
            throw new WasmException($"type mismatch: {value.Type.ToText()} value for a {_type.ElementType.ToText()} table");
        return Store.RefToBits(value);
    }

    /// <summary>Current number of elements.</summary>
    public uint Size => Length;

    /// <summary>The element at <paramref name="index"/>; traps with "out of bounds table access".</summary>
    public Value Get(uint index)
    {
        if (index >= Length) throw OutOfBounds();
        return Store.BitsToRef(_type.ElementType, Elements[index]);
    }

    /// <summary>Sets the element at <paramref name="index"/>; traps with "out of bounds table access".</summary>
    public void Set(uint index, Value value)
    {
        ulong bits = InitBits(value);
        if (index >= Length) throw OutOfBounds();
        Elements[index] = bits;
    }

    /// <summary>Grows by <paramref name="delta"/> elements set to <paramref name="init"/>; returns the old size, or -1.</summary>
    public long Grow(uint delta, Value init) => Grow(delta, InitBits(init));

    /// <summary>Growth on slot bits, for the interpreter.</summary>
    internal long Grow(uint delta, ulong initBits)
    {
        uint old = Length;
        ulong size = (ulong)old + delta;
        if (size > MaxLimit(_type)) return -1;
        if (size > (ulong)Elements.Length)
        {
            // Amortised doubling, but never past what the table may reach.
            ulong capacity = Math.Min(Math.Max(size, Math.Max((ulong)Elements.Length * 2, 4)), MaxLimit(_type));
            var grown = new ulong[capacity];
            Elements.AsSpan(0, (int)old).CopyTo(grown);
            Elements = grown;
        }
        Elements.AsSpan((int)old, (int)delta).Fill(initBits);
        Length = (uint)size;
        return old;
    }

    /// <summary>table.fill: sets [<paramref name="dst"/>, +<paramref name="n"/>) to <paramref name="bits"/>.</summary>
    internal void Fill(uint dst, ulong bits, uint n)
    {
        if ((ulong)dst + n > Length) throw OutOfBounds();
        Elements.AsSpan((int)dst, (int)n).Fill(bits);
    }

    /// <summary>table.copy from <paramref name="src"/> (possibly this table; ranges may overlap).</summary>
    internal void Copy(Table src, uint dst, uint srcIdx, uint n)
    {
        if ((ulong)srcIdx + n > src.Length || (ulong)dst + n > Length) throw OutOfBounds();
        Array.Copy(src.Elements, srcIdx, Elements, dst, n);
    }

    /// <summary>table.init: copies <paramref name="n"/> slots of <paramref name="segment"/> from <paramref name="src"/>.</summary>
    internal void Init(uint dst, ulong[] segment, uint src, uint n)
    {
        if ((ulong)src + n > (ulong)segment.Length || (ulong)dst + n > Length) throw OutOfBounds();
        Array.Copy(segment, src, Elements, dst, n);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TrapException OutOfBounds() => new(TrapCode.OutOfBoundsTableAccess);
}
