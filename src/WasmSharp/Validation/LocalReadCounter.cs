namespace WasmSharp.Validation;

/// <summary>
/// Counts the reads (<c>local.get</c>, <c>local.tee</c>) of each local in a function body, and if asked its writes
/// (<c>local.set</c>, <c>local.tee</c>) (<see cref="CodeWalker"/>). The interpreter's translator uses the reads to
/// forward a local written once and read once (the shape of unoptimised code: <c>i32.const 1; local.set 7; ...
/// local.get 7</c>) without storing it; the native one the writes to find a stack frame's base that never changes.
/// Structural only: malformed code makes it give up, and the validating pass reports the error.
/// </summary>
internal static class LocalReadCounter
{
    public static bool TryCount(ReadOnlySpan<byte> code, Span<int> counts, Span<int> writes = default)
    {
        var counter = new Counter(counts, writes);
        return CodeWalker.TryWalk(code, ref counter);
    }

    private readonly ref struct Counter(Span<int> counts, Span<int> writes) : IInstructionVisitor
    {
        private readonly Span<int> _counts = counts, _writes = writes;

        public bool Visit(byte op, uint sub, uint local)
        {
            // local.tee leaves a read of the local on the stack, and writes it
            if (op is 0x20 or 0x22 && local < (uint)_counts.Length) _counts[(int)local]++;
            if (op is 0x21 or 0x22 && local < (uint)_writes.Length) _writes[(int)local]++;
            return true;
        }
    }
}
