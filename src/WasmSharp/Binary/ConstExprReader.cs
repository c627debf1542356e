using System.Buffers.Binary;
using WasmSharp.Text;

namespace WasmSharp.Binary;

/// <summary>
/// Decodes constant expressions (global initialisers, segment offsets, element items) up to their <c>end</c>.
/// The validator checks their types and indices; this reader only tells constant instructions from others: a
/// well-formed instruction that is not constant is kept as <see cref="ConstOp.NotConstant"/> for the validator to
/// reject ("constant expression required"); an opcode that does not exist is "illegal opcode" (malformed).
/// </summary>
internal static class ConstExprReader
{
    public static ConstExpr Read(ref WasmReader r)
    {
        long start = r.Offset;
        int depth = 0;
        // Nearly every constant expression is one instruction: allocate exactly one array for it.
        if (!TryReadInstr(ref r, ref depth, out var first)) return new ConstExpr([], start);
        if (!TryReadInstr(ref r, ref depth, out var second)) return new ConstExpr([first], start);
        var list = new List<ConstInstr>(4) { first, second };
        while (TryReadInstr(ref r, ref depth, out var next)) list.Add(next);
        return new ConstExpr(list.ToArray(), start);
    }

    /// <summary>Reads one instruction; false at the expression's <c>end</c>. <paramref name="depth"/> counts the
    /// blocks open within the expression (non-constant instructions too are decoded, up to the end).</summary>
    private static bool TryReadInstr(ref WasmReader r, ref int depth, out ConstInstr instr)
    {
        long at = r.Offset;
        byte op = r.ReadByte();
        switch (op)
        {
            case 0x0B:
                instr = default;
                if (depth == 0) return false;
                depth--;
                break;
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
                if (depth == 0) throw r.Error("END opcode expected", at);
                break;
            case 0x1C:
            {
                uint count = r.ReadCount();
                for (uint i = 0; i < count; i++) ModuleReader.ReadValueType(ref r);
                break;
            }
            default:
            {
                byte prefix = op is 0xFC or 0xFD ? op : (byte)0;
                uint code = prefix == 0 ? op : r.ReadU32();
                if (!Instructions.TryGet(prefix, code, out var ins) || (r.Disabled & FeatureOf(prefix, code)) != 0)
                    throw r.Error(prefix == 0xFC ? $"illegal opcode fc {code:x2}" : $"illegal opcode {code:x2}", at);
                if (ins.Immediate == Immediate.V128)
                {
                    var bytes = r.ReadBytes(16);
                    instr = new(ConstOp.V128Const, BinaryPrimitives.ReadUInt64LittleEndian(bytes),
                        BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
                    return true;
                }
                if (ins.Immediate is Immediate.Block or Immediate.TryTable) depth++;
                else if (ins.Immediate == Immediate.Delegate && depth > 0) depth--; // delegate ends a try, as end does
                SkipImmediates(ref r, ins.Immediate);
                break;
            }
        }
        instr = new(ConstOp.NotConstant, (ulong)at, (ulong)(r.Offset - at));
        return true;
    }

    /// <summary>The feature beyond Wasm 2.0 a one-byte opcode belongs to (the others are 2.0's).</summary>
    private static WasmFeatures FeatureOf(byte prefix, uint code) => (prefix, code) switch
    {
        (0, 0x06 or 0x07 or 0x08 or 0x09 or 0x0A or 0x18 or 0x19 or 0x1F) => WasmFeatures.ExceptionHandling,
        (0, 0x12 or 0x13) => WasmFeatures.TailCall,
        _ => WasmFeatures.None,
    };

    /// <summary>Reads past the immediates of kind <paramref name="kind"/> (the shapes of the instruction table
    /// the text format shares; the printer reads and prints them).</summary>
    private static void SkipImmediates(ref WasmReader r, Immediate kind)
    {
        switch (kind)
        {
            case Immediate.Block: r.ReadS33(); break;
            case Immediate.BrTable:
                for (long i = r.ReadCount() + 1L; i > 0; i--) r.ReadU32();
                break;
            case Immediate.Label or Immediate.Function or Immediate.Local or Immediate.Global or Immediate.Table
                or Immediate.Element or Immediate.Data or Immediate.Tag or Immediate.Catch or Immediate.Delegate:
                r.ReadU32();
                break;
            case Immediate.TryTable:
                r.ReadS33();
                for (uint clauses = r.ReadCount(); clauses > 0; clauses--)
                {
                    if (Instructions.CatchHasTag(r.ReadByte())) r.ReadU32();
                    r.ReadU32();
                }
                break;
            case Immediate.CallIndirect or Immediate.TableCopy or Immediate.TableInit or Immediate.MemArg:
                r.ReadU32();
                r.ReadU32();
                break;
            case Immediate.MemArgLane:
                r.ReadU32();
                r.ReadU32();
                r.ReadByte();
                break;
            case Immediate.Memory or Immediate.HeapType or Immediate.Lane: r.ReadByte(); break;
            case Immediate.MemoryCopy: r.ReadBytes(2); break;
            case Immediate.MemoryInit:
                r.ReadU32();
                r.ReadByte();
                break;
            case Immediate.I32: r.ReadS32(); break;
            case Immediate.I64: r.ReadS64(); break;
            case Immediate.F32: r.ReadBytes(4); break;
            case Immediate.F64: r.ReadBytes(8); break;
            case Immediate.Shuffle: r.ReadBytes(16); break;
        }
    }
}
