using System.Buffers.Binary;
using System.Numerics;
using WasmSharp.Binary;

namespace WasmSharp.Text;

// Function bodies: the instructions decoded with the immediate kinds of the one instruction table, printed flat.
internal sealed partial class Printer
{
    /// <summary>Indentation stops growing at this block depth, so that a pathologically deep body prints in
    /// linear space.</summary>
    private const int MaxIndentDepth = 64;

    /// <summary>The open blocks' opcodes (0x02 block, 0x03 loop, 0x04 if, 0x05 an if past its else, 0x06 a legacy
    /// try, 0x07 and 0x19 one past a catch and past its catch_all, 0x1F try_table), innermost last.</summary>
    private readonly List<byte> _blocks = [];
    private uint _function;

    /// <summary>
    /// The instructions of <paramref name="body"/>, one a line, without the final <c>end</c>. A body that cannot be
    /// decoded is malformed, with the validator's wording: an unknown opcode, an immediate the text format cannot
    /// hold (an alignment of 2^32 or more, a nonzero reserved byte), an else outside an if, no final end.
    /// </summary>
    private void Code(FunctionBody body, uint function)
    {
        _function = function;
        var r = new WasmReader(_m.Bytes.Span.Slice(body.CodeOffset, body.CodeLength), body.CodeOffset, "code");
        PrintInstructions(ref r, body.MissingEndReason);
        if (!r.AtEnd) throw new MalformedModuleException("section size mismatch", r.Offset, "code");
    }

    /// <summary>The instructions from <paramref name="r"/> up to the <c>end</c> that closes them (read, not
    /// printed), one a line; <paramref name="missingEnd"/> is the error should the bytes end first.</summary>
    private void PrintInstructions(ref WasmReader r, string missingEnd)
    {
        _blocks.Clear();
        while (true)
        {
            if (r.AtEnd) throw new MalformedModuleException(missingEnd, r.Offset, r.Section);
            long at = r.Offset;
            byte op = r.ReadByte();
            if (op == 0x0B)
            {
                if (_blocks.Count == 0) return;
                _blocks.RemoveAt(_blocks.Count - 1);
                Indent(_blocks.Count).Append("end\n");
                continue;
            }
            if (op == 0x1C)
            {
                Indent(_blocks.Count).Append("select (result");
                uint count = r.ReadCount();
                for (uint i = 0; i < count; i++) _s.Append(' ').Append(ValueTypeAt(ref r).ToText());
                _s.Append(")\n");
                continue;
            }

            byte prefix = 0;
            uint code = op;
            if (op is 0xFC or 0xFD)
            {
                prefix = op;
                code = r.ReadU32();
            }
            if (!TryGetInstruction(prefix, code, out var ins)) throw Malformed("illegal opcode", at);
            if (ins.IsDelimiter) ContinueBlock(ins, at);
            else Indent(_blocks.Count).Append(ins.Name);
            Immediates(ref r, ins, at);
            _s.Append('\n');
            MaybeFlush();
        }
    }

    /// <summary>The instruction table by opcode, as arrays for the one-byte opcodes and the two prefixes' first
    /// 256 (a dictionary lookup per instruction is a fair share of printing time).</summary>
    private static readonly Instruction?[][] ByOpcode = BuildOpcodeTable();

    private static Instruction?[][] BuildOpcodeTable()
    {
        var table = new Instruction?[3][];
        for (int t = 0; t < 3; t++)
        {
            table[t] = new Instruction?[256];
            byte prefix = t switch { 0 => (byte)0, 1 => (byte)0xFC, _ => (byte)0xFD };
            for (uint code = 0; code < 256; code++)
                if (Instructions.TryGet(prefix, code, out var ins)) table[t][code] = ins;
        }
        return table;
    }

    private static bool TryGetInstruction(byte prefix, uint code, out Instruction instruction)
    {
        var table = ByOpcode[prefix switch { 0 => 0, 0xFC => 1, _ => 2 }];
        if (code < 256 && table[code] is Instruction found)
        {
            instruction = found;
            return true;
        }
        instruction = default;
        return false;
    }

    /// <summary>else, catch, catch_all or delegate (not end), printed at the indentation of the block it continues:
    /// else an if before its else, catch and catch_all a try before its catch_all, delegate a try before any
    /// handler (delegate ends it).</summary>
    private void ContinueBlock(Instruction ins, long at)
    {
        byte open = _blocks.Count == 0 ? (byte)0 : _blocks[^1];
        bool fits = ins.Immediate switch
        {
            Immediate.Else => open == 0x04,
            Immediate.Delegate => open == 0x06,
            _ => open is 0x06 or 0x07,
        };
        if (!fits) throw Malformed(ins.Immediate == Immediate.Else ? "else without if" : $"{ins.Name} without try", at);
        if (ins.Immediate == Immediate.Delegate) _blocks.RemoveAt(_blocks.Count - 1);
        else _blocks[^1] = (byte)ins.Opcode;
        Indent(ins.Immediate == Immediate.Delegate ? _blocks.Count : _blocks.Count - 1).Append(ins.Name);
    }

    private System.Text.StringBuilder Indent(int depth) => _s.Append(' ', 4 + 2 * Math.Min(depth, MaxIndentDepth));

    private MalformedModuleException Malformed(string reason, long at) => new($"{reason} (function {_function})", at, "code");

    private void Immediates(ref WasmReader r, Instruction ins, long at)
    {
        switch (ins.Immediate)
        {
            case Immediate.None:
            case Immediate.Select:
            case Immediate.Else:
            case Immediate.CatchAll:
                return;
            case Immediate.Block:
            case Immediate.TryTable:
                BlockType(ref r, at);
                if (ins.Immediate == Immediate.TryTable) CatchClauses(ref r, at);
                _blocks.Add((byte)ins.Opcode);
                _s.Append("  ;; label = @").Append(_blocks.Count);
                return;
            case Immediate.Label:
            case Immediate.Delegate:
                Label(r.ReadU32());
                return;
            case Immediate.Tag:
            case Immediate.Catch:
                _s.Append(' ').Append(r.ReadU32());
                return;
            case Immediate.BrTable:
            {
                long count = r.ReadCount() + 1L;
                for (long i = 0; i < count; i++) Label(r.ReadU32());
                return;
            }
            case Immediate.Function:
                _s.Append(' ');
                Function(r.ReadU32());
                return;
            case Immediate.CallIndirect:
            {
                uint type = r.ReadU32();
                uint table = r.ReadU32();
                if (table != 0) _s.Append(' ').Append(table);
                _s.Append(" (type ").Append(type).Append(')');
                return;
            }
            case Immediate.Local:
                _s.Append(' ');
                Local(r.ReadU32());
                return;
            case Immediate.Global:
            case Immediate.Table:
            case Immediate.Element:
            case Immediate.Data:
                _s.Append(' ').Append(r.ReadU32());
                return;
            case Immediate.TableCopy:
                _s.Append(' ').Append(r.ReadU32());
                _s.Append(' ').Append(r.ReadU32());
                return;
            case Immediate.TableInit:
            {
                uint element = r.ReadU32();
                _s.Append(' ').Append(r.ReadU32()).Append(' ').Append(element);
                return;
            }
            case Immediate.MemArg:
                MemArg(ref r, ins.NaturalAlignment, at);
                return;
            case Immediate.MemArgLane:
                MemArg(ref r, ins.NaturalAlignment, at);
                _s.Append(' ').Append(r.ReadByte());
                return;
            case Immediate.Memory:
            {
                uint memory = r.ReadU32();
                if (memory != 0) _s.Append(' ').Append(memory);
                return;
            }
            case Immediate.MemoryCopy:
            {
                uint destination = r.ReadU32(), source = r.ReadU32();
                if (destination != 0 || source != 0) _s.Append(' ').Append(destination).Append(' ').Append(source);
                return;
            }
            case Immediate.MemoryInit:
            {
                uint data = r.ReadU32(), memory = r.ReadU32();
                if (memory != 0) _s.Append(' ').Append(memory);
                _s.Append(' ').Append(data);
                return;
            }
            case Immediate.I32:
                _s.Append(' ');
                Signed(r.ReadS32());
                return;
            case Immediate.I64:
                _s.Append(' ');
                Signed(r.ReadS64());
                return;
            case Immediate.F32:
                _s.Append(' ');
                F32(r.ReadF32Bits());
                return;
            case Immediate.F64:
                _s.Append(' ');
                F64(r.ReadF64Bits());
                return;
            case Immediate.HeapType:
            {
                byte b = r.ReadByte();
                if (!IsValueType(b) || !((ValueType)b).IsReference()) throw Malformed("malformed reference type", at);
                _s.Append(' ').Append(HeapType((ValueType)b));
                return;
            }
            case Immediate.V128:
            {
                var bytes = r.ReadBytes(16);
                _s.Append(' ');
                V128(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
                return;
            }
            case Immediate.Shuffle:
                foreach (byte lane in r.ReadBytes(16)) _s.Append(' ').Append(lane);
                return;
            case Immediate.Lane:
                _s.Append(' ').Append(r.ReadByte());
                return;
            default:
                throw new InvalidOperationException($"immediate {ins.Immediate} of {ins.Name}");
        }
    }

    /// <summary>A block type: nothing for none, <c>(result t)</c> for one value type, else a type index with
    /// its signature (kept as an index, so it encodes as it was).</summary>
    private void BlockType(ref WasmReader r, long at)
    {
        byte b = r.PeekByte();
        if (b == 0x40)
        {
            r.ReadByte();
            return;
        }
        if (IsValueType(b))
        {
            r.ReadByte();
            _s.Append(" (result ").Append(((ValueType)b).ToText()).Append(')');
            return;
        }
        long index = r.ReadS33();
        if (index < 0) throw Malformed("malformed value type", at);
        TypeUse((uint)index);
    }

    /// <summary>try_table's catch clauses, <c>(catch x l)</c> and the others, with labels of the blocks around
    /// it (the try_table's own is not open yet).</summary>
    private void CatchClauses(ref WasmReader r, long at)
    {
        uint count = r.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            byte kind = r.ReadByte();
            if (kind >= Instructions.CatchClauses.Length) throw Malformed("malformed catch clause", at);
            _s.Append(" (").Append(Instructions.CatchClauses[kind]);
            if (Instructions.CatchHasTag(kind)) _s.Append(' ').Append(r.ReadU32());
            Label(r.ReadU32());
            _s.Append(')');
        }
    }

    /// <summary>A branch's relative depth, and the label it names as a comment (<c>@0</c> is the function's).</summary>
    private void Label(uint depth)
    {
        _s.Append(' ').Append(depth);
        if (depth <= (uint)_blocks.Count) _s.Append(" (;@").Append(_blocks.Count - (int)depth).Append(";)");
    }

    /// <summary>The memory unless 0, <c>offset=</c> unless 0, <c>align=</c> (in bytes) unless natural. The flags
    /// field holds the alignment exponent, and bit 6 when a memory index follows it (Wasm 3.0); flags of 128 and up
    /// are malformed, and so is an exponent of 32 and up, which no text alignment (a u32) can give.</summary>
    private void MemArg(ref WasmReader r, int natural, long at)
    {
        uint flags = r.ReadU32();
        if (flags >= 128 || (flags & 0x3F) >= 32) throw Malformed("malformed memop flags", at);
        uint memory = (flags & 0x40) != 0 ? r.ReadU32() : 0;
        uint align = flags & 0x3F;
        uint offset = r.ReadU32();
        if (memory != 0) _s.Append(' ').Append(memory);
        if (offset != 0) _s.Append(" offset=").Append(offset);
        if (align != (uint)BitOperations.Log2((uint)natural)) _s.Append(" align=").Append(1u << (int)align);
    }

    private ValueType ValueTypeAt(ref WasmReader r)
    {
        long at = r.Offset;
        byte b = r.ReadByte();
        return IsValueType(b) ? (ValueType)b : throw Malformed("malformed value type", at);
    }

    private static bool IsValueType(byte b) => Validation.FunctionValidator.IsValueType(b);
}
