namespace WasmSharp.Validation;

/// <summary>What <see cref="CodeWalker"/> shows each instruction to.</summary>
internal interface IInstructionVisitor
{
    /// <summary>One instruction: its opcode, the sub-opcode after a 0xFC or 0xFD prefix (else 0), and for
    /// <c>local.get</c>, <c>local.set</c> and <c>local.tee</c> the local's index (else 0). False stops the walk.</summary>
    bool Visit(byte op, uint sub, uint local);
}

/// <summary>
/// Walks a function body's instructions by skipping over their immediates, without validating: for the quick
/// surveys translators make of a body before translating it (<see cref="LocalReadCounter"/>, <see cref="LeafCode"/>).
/// It knows the instructions the validator accepts; the body has been validated, or the validating pass reports
/// what is wrong with it. Structural only: malformed code makes it give up.
/// </summary>
internal static class CodeWalker
{
    /// <summary>Shows every instruction of <paramref name="code"/> to <paramref name="visitor"/>. False if the
    /// visitor stopped the walk or the code did not parse.</summary>
    public static bool TryWalk<TVisitor>(ReadOnlySpan<byte> code, ref TVisitor visitor) where TVisitor : IInstructionVisitor, allows ref struct
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
                        if (!visitor.Visit(op, 0, 0)) return false;
                        BlockType(code, ref p);
                        break;
                    case 0x1F: // try_table: a block type, then catch clauses (tag and label, or a label)
                    {
                        if (!visitor.Visit(op, 0, 0)) return false;
                        BlockType(code, ref p);
                        uint n = U32(code, ref p);
                        for (uint i = 0; i < n; i++)
                            if (code[p++] < 2) { Leb(code, ref p); Leb(code, ref p); }
                            else Leb(code, ref p);
                        break;
                    }
                    case 0x20: case 0x21: case 0x22:
                        if (!visitor.Visit(op, 0, U32(code, ref p))) return false;
                        break;
                    case 0x08: case 0x12: case 0x0C: case 0x0D: case 0x10: case 0x23: case 0x24: case 0x25: case 0x26: case 0xD2:
                    case 0x41: case 0x42:
                    case 0x3F: case 0x40: // a memory index (multi-memory)
                        if (!visitor.Visit(op, 0, 0)) return false;
                        Leb(code, ref p);
                        break;
                    case 0x0E:
                    {
                        if (!visitor.Visit(op, 0, 0)) return false;
                        uint n = U32(code, ref p);
                        for (uint i = 0; i <= n; i++) Leb(code, ref p);
                        break;
                    }
                    case 0x11: case 0x13:
                        if (!visitor.Visit(op, 0, 0)) return false;
                        Leb(code, ref p); Leb(code, ref p);
                        break;
                    case 0x1C:
                    {
                        if (!visitor.Visit(op, 0, 0)) return false;
                        uint n = U32(code, ref p); p += (int)n;
                        break;
                    }
                    case >= 0x28 and <= 0x3E:
                        if (!visitor.Visit(op, 0, 0)) return false;
                        MemArg(code, ref p);
                        break;
                    case 0xD0:
                        if (!visitor.Visit(op, 0, 0)) return false;
                        p++;
                        break;
                    case 0x43:
                        if (!visitor.Visit(op, 0, 0)) return false;
                        p += 4;
                        break;
                    case 0x44:
                        if (!visitor.Visit(op, 0, 0)) return false;
                        p += 8;
                        break;
                    case 0xFC:
                    {
                        uint sub = U32(code, ref p);
                        if (!visitor.Visit(op, sub, 0)) return false;
                        switch (sub)
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
                    }
                    case 0xFD:
                    {
                        uint sub = U32(code, ref p);
                        if (!SimdOpcodes.TryGet(sub, out var info)) return false;
                        if (!visitor.Visit(op, sub, 0)) return false;
                        switch (info.Immediate)
                        {
                            case SimdImmediate.MemArg: MemArg(code, ref p); break;
                            case SimdImmediate.MemArgLane: MemArg(code, ref p); p++; break;
                            case SimdImmediate.Lane: p++; break;
                            case SimdImmediate.Bytes16: case SimdImmediate.Shuffle: p += 16; break;
                        }
                        break;
                    }
                    default:
                        if (!visitor.Visit(op, 0, 0)) return false;
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
