namespace WasmSharp.Validation;

/// <summary>
/// Whether a function body is a leaf: it calls nothing (no call of any kind, no memory.grow, no bulk memory or table
/// operation, no table access: nothing that native code does through the runtime) and has no loop, so it runs a
/// bounded time and never comes back into .NET. Native code of such a function is called without the transition
/// to preemptive GC mode (<see cref="NativeCalls.RunLeaf"/>): while it runs the GC waits, for no longer than its
/// straight-line code takes. A whitelist: whatever is not known to qualify does not.
/// </summary>
internal static class LeafCode
{
    public static bool IsLeaf(ReadOnlySpan<byte> code)
    {
        var scan = new Scan();
        return CodeWalker.TryWalk(code, ref scan);
    }

    private struct Scan : IInstructionVisitor
    {
        public readonly bool Visit(byte op, uint sub, uint local) => op switch
        {
            // unreachable, nop, block, if, else, end, br, br_if, br_table, return; no loop (0x03)
            0x00 or 0x01 or 0x02 or 0x04 or 0x05 or 0x0B or 0x0C or 0x0D or 0x0E or 0x0F => true,
            // drop, select, typed select; local.get/set/tee, global.get/set
            0x1A or 0x1B or 0x1C or (>= 0x20 and <= 0x24) => true,
            // loads and stores, memory.size (not memory.grow, 0x40), constants, numeric instructions
            (>= 0x28 and <= 0x3F) or (>= 0x41 and <= 0xC4) => true,
            0xFC => sub <= 7, // the saturating truncations; the rest are bulk memory and table operations
            0xFD => true, // SIMD: vector operations in native code
            _ => false,
        };
    }
}
