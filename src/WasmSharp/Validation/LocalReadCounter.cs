namespace WasmSharp.Validation;

/// <summary>
/// Counts the reads (<c>local.get</c>, <c>local.tee</c>) of each local in a function body, and if asked its writes
/// (<c>local.set</c>, <c>local.tee</c>), by skipping over every instruction's immediates. The interpreter's translator
/// uses the reads to forward a local written once and read once (the shape of unoptimised code:
/// <c>i32.const 1; local.set 7; ... local.get 7</c>) without storing it; the native one the writes to find a stack
/// frame's base that never changes. Structural only: malformed code makes it give up, and the validating pass
/// reports the error.
/// </summary>
internal static class LocalReadCounter
{
    public static bool TryCount(ReadOnlySpan<byte> code, Span<int> counts, Span<int> writes = default)
    {
        int p = 0;
        try
        {
            while (p < code.Length)
            {
                byte op = code[p++];
                switch (op)
                {
                    case 0x02: case 0x03: case 0x04:
                        BlockType(code, ref p);
                        break;
                    case 0x1F: // try_table: a block type, then catch clauses (tag and label, or a label)
                    {
                        BlockType(code, ref p);
                        uint n = U32(code, ref p);
                        for (uint i = 0; i < n; i++)
                            if (code[p++] < 2) { Leb(code, ref p); Leb(code, ref p); }
                            else Leb(code, ref p);
                        break;
                    }
                    case 0x21:
                    {
                        uint idx = U32(code, ref p);
                        if (idx < (uint)writes.Length) writes[(int)idx]++;
                        break;
                    }
                    case 0x08: case 0x12: case 0x0C: case 0x0D: case 0x10: case 0x23: case 0x24: case 0x25: case 0x26: case 0xD2:
                    case 0x41: case 0x42:
                        Leb(code, ref p);
                        break;
                    case 0x20: case 0x22: // local.tee leaves a read of the local on the stack
                    {
                        uint idx = U32(code, ref p);
                        if (idx < (uint)counts.Length) counts[(int)idx]++;
                        if (op == 0x22 && idx < (uint)writes.Length) writes[(int)idx]++;
                        break;
                    }
                    case 0x0E:
                    {
                        uint n = U32(code, ref p);
                        for (uint i = 0; i <= n; i++) Leb(code, ref p);
                        break;
                    }
                    case 0x11: case 0x13: Leb(code, ref p); Leb(code, ref p); break;
                    case 0x1C: { uint n = U32(code, ref p); p += (int)n; break; }
                    case >= 0x28 and <= 0x3E: MemArg(code, ref p); break;
                    case 0x3F: case 0x40: Leb(code, ref p); break; // a memory index (multi-memory)
                    case 0xD0: p++; break;
                    case 0x43: p += 4; break;
                    case 0x44: p += 8; break;
                    case 0xFC:
                        switch (U32(code, ref p))
                        {
                            case <= 7: break;
                            case 8: Leb(code, ref p); Leb(code, ref p); break;
                            case 10: Leb(code, ref p); Leb(code, ref p); break;
                            case 11: Leb(code, ref p); break;
                            case 12: case 14: Leb(code, ref p); Leb(code, ref p); break;
                            case 9: case 13: case 15: case 16: case 17: Leb(code, ref p); break;
                            default: return false;
                        }
                        break;
                    case 0xFD:
                        if (!SimdOpcodes.TryGet(U32(code, ref p), out var info)) return false;
                        switch (info.Immediate)
                        {
                            case SimdImmediate.MemArg: MemArg(code, ref p); break;
                            case SimdImmediate.MemArgLane: MemArg(code, ref p); p++; break;
                            case SimdImmediate.Lane: p++; break;
                            case SimdImmediate.Bytes16: case SimdImmediate.Shuffle: p += 16; break;
                        }
                        break;
                }
            }
            return p == code.Length;
        }
        catch (IndexOutOfRangeException)
        {
            return false; // truncated: the validating pass reports it properly
        }
    }

    private static void BlockType(ReadOnlySpan<byte> code, ref int p)
    {
        if (code[p] == 0x40 || FunctionValidator.IsValueType(code[p])) p++;
        else Leb(code, ref p);
    }

    /// <summary>A memarg: its flags, with bit 6 a memory index (multi-memory), then the offset.</summary>
    private static void MemArg(ReadOnlySpan<byte> code, ref int p)
    {
        if ((U32(code, ref p) & 0x40) != 0) Leb(code, ref p);
        Leb(code, ref p);
    }

    private static void Leb(ReadOnlySpan<byte> code, ref int p)
    {
        for (int i = 0; i < 10; i++)
            if ((code[p++] & 0x80) == 0) return;
    }

    private static uint U32(ReadOnlySpan<byte> code, ref int p)
    {
        uint result = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = code[p++];
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        return result;
    }
}
