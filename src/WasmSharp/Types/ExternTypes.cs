namespace WasmSharp;

/// <summary>Size limits of a memory (in 64 KiB pages) or a table (in elements).</summary>
public readonly record struct Limits(ulong Min, ulong? Max)
{
    /// <summary>Import matching: this (the provided) fits in <paramref name="required"/>.</summary>
    public bool IsSubtypeOf(Limits required) =>
        Min >= required.Min && (required.Max is not ulong rmax || (Max is ulong max && max <= rmax));

    public override string ToString() => Max is ulong m ? $"{Min}..{m}" : $"{Min}..";
}

public sealed record TableType(ValueType ElementType, Limits Limits);

/// <summary>A memory's type: its limits in pages, and whether it is shared (<see cref="WasmFeatures.SharedMemory"/>;
/// a shared memory has a maximum, and imports match only memories of the same sharing).</summary>
public sealed record MemoryType(Limits Limits, bool Shared = false)
{
    public const int PageSize = 65536;
    /// <summary>Largest page count of a 32-bit memory.</summary>
    public const ulong MaxPages32 = 65536;
}

public sealed record GlobalType(ValueType ValueType, bool Mutable);
