namespace WasmSharp.Tests.Components;

/// <summary>A <c>realloc</c> for tests: a bump allocator over a byte array, from <paramref name="start"/> up, that
/// moves every block it reallocates (so the contents must come along), fills what it adds with junk, and logs its
/// calls.</summary>
internal sealed class BumpAllocator(byte[] memory, ulong start = 1024)
{
    private ulong _next = start;

    public List<(ulong Old, ulong OldSize, ulong Alignment, ulong NewSize)> Calls { get; } = [];

    public ulong Realloc(ulong old, ulong oldSize, ulong alignment, ulong newSize)
    {
        Calls.Add((old, oldSize, alignment, newSize));
        ulong p = (_next + alignment - 1) / alignment * alignment;
        _next = p + newSize;
        int kept = (int)Math.Min(oldSize, newSize);
        memory.AsSpan((int)p + kept, (int)newSize - kept).Fill(0xCC); // what a fresh block holds is not known
        memory.AsSpan((int)old, kept).CopyTo(memory.AsSpan((int)p));
        return p;
    }
}
