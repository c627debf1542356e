using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WasmSharp;

/// <summary>A table of references. Elements are kept as slot bits (see <see cref="Store"/>: 0 is null).</summary>
public sealed unsafe class Table
{
    /// <summary>Most elements a table may hold here, whatever its type allows: growing past it fails (-1)
    /// rather than exhausting the process's memory.</summary>
    public const uint MaxElements = 10_000_000;

    /// <summary>Elements and length where running code reads them (instance contexts point here): unmanaged, at a
    /// stable address, freed with this object. Growth may move the elements, never the definition.</summary>
    internal readonly TableDefinition* Definition = (TableDefinition*)NativeMemory.AllocZeroed((nuint)sizeof(TableDefinition));
    /// <summary>Elements allocated (at least <see cref="Length"/>).</summary>
    private ulong _capacity;

    /// <summary>The current elements.</summary>
    internal Span<ulong> Elements => new(Definition->Elements, (int)Definition->Length);
    /// <summary>Current number of elements.</summary>
    internal uint Length => (uint)Definition->Length;

    ~Table()
    {
        NativeMemory.Free(Definition->Elements);
        NativeMemory.Free(Definition);
    }

    /// <summary>Room for <paramref name="capacity"/> elements, keeping the first <see cref="Length"/>.</summary>
    private void Reserve(ulong capacity)
    {
        Definition->Elements = (ulong*)NativeMemory.Realloc(Definition->Elements, (nuint)Math.Max(capacity, 1) * sizeof(ulong));
        _capacity = capacity;
    }

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
        Reserve(type.Limits.Min);
        Definition->Length = type.Limits.Min;
        Elements.Fill(bits);
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
        return Store.BitsToRef(_type.ElementType, Definition->Elements[index]);
    }

    /// <summary>Sets the element at <paramref name="index"/>; traps with "out of bounds table access".</summary>
    public void Set(uint index, Value value)
    {
        ulong bits = InitBits(value);
        if (index >= Length) throw OutOfBounds();
        Definition->Elements[index] = bits;
    }

    /// <summary>Grows by <paramref name="delta"/> elements set to <paramref name="init"/>; returns the old size, or -1.</summary>
    public long Grow(uint delta, Value init) => Grow(delta, InitBits(init));

    /// <summary>Growth on slot bits, for the interpreter.</summary>
    internal long Grow(uint delta, ulong initBits)
    {
        uint old = Length;
        ulong size = (ulong)old + delta;
        if (size > MaxLimit(_type)) return -1;
        if (size > _capacity)
        {
            // Amortised doubling, but never past what the table may reach.
            Reserve(Math.Min(Math.Max(size, Math.Max(_capacity * 2, 4)), MaxLimit(_type)));
        }
        new Span<ulong>(Definition->Elements + old, (int)delta).Fill(initBits);
        Definition->Length = size;
        return old;
    }

    /// <summary>table.fill: sets [<paramref name="dst"/>, +<paramref name="n"/>) to <paramref name="bits"/>.</summary>
    internal void Fill(uint dst, ulong bits, uint n)
    {
        if ((ulong)dst + n > Length) throw OutOfBounds();
        Elements.Slice((int)dst, (int)n).Fill(bits);
    }

    /// <summary>table.copy from <paramref name="src"/> (possibly this table; ranges may overlap).</summary>
    internal void Copy(Table src, uint dst, uint srcIdx, uint n)
    {
        if ((ulong)srcIdx + n > src.Length || (ulong)dst + n > Length) throw OutOfBounds();
        src.Elements.Slice((int)srcIdx, (int)n).CopyTo(Elements.Slice((int)dst)); // memmove: overlap is fine
    }

    /// <summary>table.init: copies <paramref name="n"/> slots of <paramref name="segment"/> from <paramref name="src"/>.</summary>
    internal void Init(uint dst, ulong[] segment, uint src, uint n)
    {
        if ((ulong)src + n > (ulong)segment.Length || (ulong)dst + n > Length) throw OutOfBounds();
        segment.AsSpan((int)src, (int)n).CopyTo(Elements.Slice((int)dst));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TrapException OutOfBounds() => new(TrapCode.OutOfBoundsTableAccess);
}
