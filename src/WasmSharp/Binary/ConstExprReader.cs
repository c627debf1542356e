using System.Buffers.Binary;

namespace WasmSharp.Binary;

/// <summary>
/// Decodes constant expressions (global initialisers, segment offsets, element items) up to their <c>end</c>.
/// The validator checks their types and indices; this reader only tells constant instructions from others:
/// a valid but non-constant instruction is "constant expression required" (a validation error), an opcode that
/// does not exist is "illegal opcode" (malformed).
/// </summary>
internal static class ConstExprReader
{
    public static ConstExpr Read(ref WasmReader r)
    {
        long start = r.Offset;
        // Nearly every constant expression is one instruction: allocate exactly one array for it.
        if (!TryReadInstr(ref r, out var first)) return new ConstExpr([], start);
        if (!TryReadInstr(ref r, out var second)) return new ConstExpr([first], start);
        var list = new List<ConstInstr>(4) { first, second };
        while (TryReadInstr(ref r, out var next)) list.Add(next);
        return new ConstExpr(list.ToArray(), start);
    }

    /// <summary>Reads one instruction; false at the expression's <c>end</c>.</summary>
    private static bool TryReadInstr(ref WasmReader r, out ConstInstr instr)
    {
        long at = r.Offset;
        byte op = r.ReadByte();
        switch (op)
        {
            case 0x0B:
                instr = default;
                return false;
            case 0x41: instr = new(ConstOp.I32Const, (uint)r.ReadS32()); return true;
            case 0x42: instr = new(ConstOp.I64Const, (ulong)r.ReadS64()); return true;
            case 0x43: instr = new(ConstOp.F32Const, r.ReadF32Bits()); return true;
            case 0x44: instr = new(ConstOp.F64Const, r.ReadF64Bits()); return true;
            case 0x23: instr = new(ConstOp.GlobalGet, r.ReadU32()); return true;
            case 0xD0: instr = new(ConstOp.RefNull, 0, 0, ModuleReader.ReadRefType(ref r)); return true;
            case 0xD2: instr = new(ConstOp.RefFunc, r.ReadU32()); return true;
            case 0x6A: instr = new(ConstOp.I32Add, 0); return true;
            case 0x6B: instr = new(ConstOp.I32Sub, 0); return true;
            case 0x6C: instr = new(ConstOp.I32Mul, 0); return true;
            case 0x7C: instr = new(ConstOp.I64Add, 0); return true;
            case 0x7D: instr = new(ConstOp.I64Sub, 0); return true;
            case 0x7E: instr = new(ConstOp.I64Mul, 0); return true;
            case 0x05:
                // `else` ends an instruction sequence too; the reference decoder then wants the `end`.
                throw r.Error("END opcode expected", at);
            case 0xFC:
            {
                uint sub = r.ReadU32();
                if (sub > 17) throw r.Error($"illegal opcode fc {sub:x2}", at);
                throw NotConstant(r.Section, at);
            }
            case 0xFD:
            {
                uint sub = r.ReadU32();
                if (sub == 12)
                {
                    var bytes = r.ReadBytes(16);
                    instr = new(ConstOp.V128Const, BinaryPrimitives.ReadUInt64LittleEndian(bytes),
                        BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
                    return true;
                }
                if (sub > 0xFF || IllegalSimdOpcode(sub)) throw r.Error($"illegal opcode {sub:x2}", at);
                throw NotConstant(r.Section, at);
            }
            default:
                if (IllegalOpcode(op)) throw r.Error($"illegal opcode {op:x2}", at);
                throw NotConstant(r.Section, at);
        }
    }

    private static InvalidModuleException NotConstant(string? section, long at) =>
        new("constant expression required", at, section: section);

    /// <summary>Single-byte opcodes that Wasm 2.0 does not define.</summary>
    private static bool IllegalOpcode(byte op) => op switch
    {
        >= 0x06 and <= 0x0A => true,
        >= 0x12 and <= 0x19 => true,
        >= 0x1D and <= 0x1F => true,
        0x27 => true,
        >= 0xC5 and <= 0xCF => true,
        >= 0xD3 and <= 0xFB => true,
        0xFE or 0xFF => true,
        _ => false,
    };

    /// <summary>The gaps in the 0xFD (SIMD) opcode space below 0x100.</summary>
    private static bool IllegalSimdOpcode(uint sub) => sub switch
    {
        0x9A or 0xA2 or 0xA5 or 0xA6 or 0xAF or 0xB0 or 0xB2 or 0xB3 or 0xB4 or 0xBB or 0xC2 or 0xC5 or 0xC6
            or 0xCF or 0xD0 or 0xD2 or 0xD3 or 0xD4 or 0xE2 or 0xEE => true,
        _ => false,
    };
}
