namespace WasmSharp.Validation;

/// <summary>What a function body is as a leaf (<see cref="LeafCode"/>).</summary>
internal enum LeafKind : byte
{
    /// <summary>It calls, loops or works through the runtime.</summary>
    None,
    /// <summary>A leaf that may trap (a memory access, a division, an unreachable...).</summary>
    Leaf,
    /// <summary>A leaf none of whose instructions can trap: its native code needs no way out but its return.</summary>
    TrapFree,
}

/// <summary>
/// Whether a function body is a leaf: it calls nothing (no call of any kind, no bulk memory or table operation, no
/// table access: nothing that native code does through the runtime; memory.grow, and memory.copy and memory.fill on
/// a module's only memory, it does itself), has no loop and is
/// short (at most <see cref="MaxLength"/> bytes), so it runs a bounded time, on a small frame, and never comes back
/// into .NET. Native code of a leaf checks neither the stack nor the interrupt flag (its callers do), and the host
/// calls it without the transition to preemptive GC mode (<see cref="NativeCalls.RunLeaf"/>): while it runs the GC
/// waits, for no longer than its straight-line code takes (with a memory.grow's mprotect, a memory.copy's memmove). A leaf without an
/// instruction that can trap is called without the entry that catches traps (<see cref="NativeCalls.RunTrapFree"/>).
/// Whitelists: whatever is not known to qualify does not.
/// </summary>
internal static class LeafCode
{
    /// <summary>The longest body that may be a leaf: its straight-line code runs in well under a microsecond, and
    /// its frame (what its values spill) stays small beside the stack its callers' checks keep in reserve.</summary>
    public const int MaxLength = 4096;

    /// <summary>What <paramref name="code"/>, a body of a module with <paramref name="memories"/> memories, is as a
    /// leaf (<see cref="Binary.ModuleInfo.LeafKind"/> keeps the answer per module).</summary>
    public static LeafKind Classify(ReadOnlySpan<byte> code, int memories)
    {
        if (code.Length > MaxLength) return LeafKind.None;
        var scan = new Scan { TrapFree = true, OneMemory = memories <= 1 };
        if (!CodeWalker.TryWalk(code, ref scan)) return LeafKind.None;
        return scan.TrapFree ? LeafKind.TrapFree : LeafKind.Leaf;
    }

    private struct Scan : IInstructionVisitor
    {
        public bool TrapFree;
        /// <summary>The module has at most one memory: a memory.copy or memory.fill is on memory 0, which native
        /// code does itself (on others it goes through the runtime).</summary>
        public bool OneMemory;

        public bool Visit(byte op, uint sub, uint local)
        {
            if (!IsLeafInstruction(op, sub) && !(OneMemory && op == 0xFC && sub is 10 or 11)) return false;
            TrapFree &= !MayTrap(op, sub);
            return true;
        }

        private static bool IsLeafInstruction(byte op, uint sub) => op switch
        {
            // unreachable, nop, block, if, else, end, br, br_if, br_table, return; no loop (0x03)
            0x00 or 0x01 or 0x02 or 0x04 or 0x05 or 0x0B or 0x0C or 0x0D or 0x0E or 0x0F => true,
            // drop, select, typed select; local.get/set/tee, global.get/set
            0x1A or 0x1B or 0x1C or (>= 0x20 and <= 0x24) => true,
            // loads and stores, memory.size, memory.grow (native code grows memory itself), constants, numeric
            // instructions
            (>= 0x28 and <= 0xC4) => true,
            0xFC => sub <= 7, // the saturating truncations; the rest are bulk memory and table operations (but see OneMemory)
            0xFD => true, // SIMD: vector operations in native code
            _ => false,
        };

        /// <summary>Of the leaf instructions, those that can trap: unreachable, memory accesses (scalar and
        /// vector), integer division and remainder, and the trapping float-to-integer truncations.</summary>
        private static bool MayTrap(byte op, uint sub) => op switch
        {
            0x00 => true,
            >= 0x28 and <= 0x3E => true, // loads and stores (memory.size and memory.grow cannot trap)
            >= 0x6D and <= 0x70 => true, // i32.div_s/u, rem_s/u
            >= 0x7F and <= 0x82 => true, // i64.div_s/u, rem_s/u
            >= 0xA8 and <= 0xAB => true, // i32.trunc_f32/f64_s/u
            >= 0xAE and <= 0xB1 => true, // i64.trunc_f32/f64_s/u
            0xFC => sub is 10 or 11, // memory.copy, memory.fill: their ranges are checked
            0xFD => !SimdOpcodes.TryGet(sub, out var info) || info.Immediate is SimdImmediate.MemArg or SimdImmediate.MemArgLane,
            _ => false,
        };
    }
}
