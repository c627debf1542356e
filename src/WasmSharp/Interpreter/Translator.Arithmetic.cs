namespace WasmSharp.Interpreter;

/// <summary>Numeric instructions: folding, immediates, and what unoptimised code spells out the long way.</summary>
internal sealed partial class Translator
{
    // ---- plain instructions ----------------------------------------------------------------------

    public Operand Unary(Op op, ValueType result, int height, in Operand a)
    {
        // A narrow unsigned load, then the sign extension of as many bits: the signed load (unoptimised code
        // reloads a char and sign-extends it for every use).
        if (IsLastResult(a) && SignedLoad(_code[_lastStart], (int)op) is int signedLoad)
        {
            _code[_lastStart] = signedLoad;
            MoveLastResult(height);
            return new Operand(result, Loc.Temp, height);
        }
        Emit(op); EmitDst(height); EmitSlot(a);
        return EndProducer(result, height);
    }

    /// <summary>The signed load that <paramref name="extend"/> (an i32/i64.extendN_s) after unsigned load
    /// <paramref name="load"/> amounts to, or null.</summary>
    private static int? SignedLoad(int load, int extend) => (extend, (Op)load) switch
    {
        (0xC0, Op.I32Load8U) => (int)Op.I32Load8S,
        (0xC0, Op.I32Load8UStore8) => (int)Op.I32Load8SStore8,
        (0xC0, Op.I32Load8UAdd) => (int)Op.I32Load8SAdd,
        (0xC1, Op.I32Load16U) => (int)Op.I32Load16S,
        (0xC1, Op.I32Load16UAdd) => (int)Op.I32Load16SAdd,
        (0xC2, Op.I64Load8U) => (int)Op.I64Load8S,
        (0xC2, Op.I64Load8UAdd) => (int)Op.I64Load8SAdd,
        (0xC3, Op.I64Load16U) => (int)Op.I64Load16S,
        (0xC3, Op.I64Load16UAdd) => (int)Op.I64Load16SAdd,
        (0xC4, Op.I64Load32U) => (int)Op.I64Load32S,
        (0xC4, Op.I64Load32UAdd) => (int)Op.I64Load32SAdd,
        _ => null,
    };

    public Operand Binary(Op op, ValueType result, int height, in Operand a, in Operand b)
    {
        if (a.Loc == Loc.Const && b.Loc == Loc.Const && TryFold(op, _constants[a.Index], _constants[b.Index], out ulong folded))
            return Constant(result, folded);
        // x & 1 where x is a comparison just computed is x itself (unoptimised code masks every condition).
        if (op == (Op)0x71 && IsJustComputedBoolean(a) && IsConstant(b, 1)) return a;
        if (op == (Op)0x71 && IsJustComputedBoolean(b) && IsConstant(a, 1))
        {
            // The comparison wrote the slot above this result's: it writes this one instead.
            MoveLastResult(height);
            return new Operand(result, Loc.Temp, height);
        }
        // A mask keeping every bit an unsigned narrow load can set is no operation (unoptimised code masks each
        // char it loads: load8_u, and 255).
        if (op is (Op)0x71 or (Op)0x83 && (b.Loc == Loc.Const && IsLastResult(a) && MaskKeepsLoadedBits(_constants[b.Index])
                                           || a.Loc == Loc.Const && IsLastResult(b) && MaskKeepsLoadedBits(_constants[a.Index])))
        {
            MoveLastResult(height);
            return new Operand(result, Loc.Temp, height);
        }
        if (TryShiftPair(op, a, b, height, out var pair)) return pair;
        if (TryImmediate(op, a, b, out var imm, out var reg))
        {
            // i32.load or global.get, then add a constant: one instruction (unoptimised code reads every
            // variable from the shadow stack and adjusts the stack pointer so).
            if (imm.Op == Op.I32AddImm && IsLastResult(reg) && _code[_lastStart] is (int)Op.I32Load or (int)Op.GlobalGet)
            {
                _code[_lastStart] = (int)(_code[_lastStart] == (int)Op.I32Load ? Op.I32LoadAddImm : Op.GlobalGetAddImm);
                MoveLastResult(height);
                _prevDstPos = _prev2DstPos = -1;
                Emit(imm.Value);
                return EndProducer(result, height);
            }
            // An add to what the instruction just before loaded: a store of the sum may take both over (Store).
            int loadStart = imm.Op == Op.I32AddImm && reg.Loc != Loc.Const && LastInstructionIs(Op.I32Load, 4)
                && _code[_instrStart + 1] == Encode(reg) ? _instrStart : -1;
            Emit(imm.Op); EmitDst(height); EmitSlot(reg); Emit(imm.Value);
            (_loadThenAdd, _addAfterLoad) = (loadStart, _instrStart);
            return EndProducer(result, height);
        }
        Emit(op); EmitDst(height); EmitSlot(a); EmitSlot(b);
        return EndProducer(result, height);
    }

    /// <summary>Integer operations on two constants that cannot trap are computed here (unoptimised code is full
    /// of them, e.g. <c>i32.and (i32.const 0) (i32.const 255)</c>).</summary>
    private static bool TryFold(Op op, ulong x, ulong y, out ulong r)
    {
        uint a = (uint)x, b = (uint)y;
        (bool ok, r) = (int)op switch
        {
            0x46 => (true, (ulong)(a == b ? 1u : 0u)), 0x47 => (true, (ulong)(a != b ? 1u : 0u)),
            0x48 => (true, (ulong)((int)a < (int)b ? 1u : 0u)), 0x49 => (true, (ulong)(a < b ? 1u : 0u)),
            0x4A => (true, (ulong)((int)a > (int)b ? 1u : 0u)), 0x4B => (true, (ulong)(a > b ? 1u : 0u)),
            0x4C => (true, (ulong)((int)a <= (int)b ? 1u : 0u)), 0x4D => (true, (ulong)(a <= b ? 1u : 0u)),
            0x4E => (true, (ulong)((int)a >= (int)b ? 1u : 0u)), 0x4F => (true, (ulong)(a >= b ? 1u : 0u)),
            0x6A => (true, (ulong)(a + b)), 0x6B => (true, (ulong)(a - b)), 0x6C => (true, (ulong)(a * b)),
            0x71 => (true, (ulong)(a & b)), 0x72 => (true, (ulong)(a | b)), 0x73 => (true, (ulong)(a ^ b)),
            0x74 => (true, (ulong)(a << (int)b)), 0x75 => (true, (ulong)((uint)((int)a >> (int)b))), 0x76 => (true, (ulong)(a >> (int)b)),
            0x7C => (true, (ulong)(x + y)), 0x7D => (true, (ulong)(x - y)), 0x7E => (true, (ulong)(x * y)),
            0x83 => (true, (ulong)(x & y)), 0x84 => (true, (ulong)(x | y)), 0x85 => (true, (ulong)(x ^ y)),
            0x86 => (true, (ulong)(x << (int)y)), 0x87 => (true, (ulong)((ulong)((long)x >> (int)y))), 0x88 => (true, (ulong)(x >> (int)y)),
            _ => (false, 0UL),
        };
        return ok;
    }

    /// <summary>(x &lt;&lt; k) >> k, as unoptimised code narrows a value: a sign extension (extend8_s, extend16_s,
    /// extend32_s) or a mask, one instruction for two.</summary>
    private bool TryShiftPair(Op op, in Operand a, in Operand b, int height, out Operand result)
    {
        result = default;
        const int i32Shl = 0x74, i32ShrS = 0x75, i32ShrU = 0x76, i64Shl = 0x86, i64ShrS = 0x87, i64ShrU = 0x88;
        int o = (int)op;
        bool is64 = o is i64ShrS or i64ShrU;
        if (!(o is i32ShrS or i32ShrU or i64ShrS or i64ShrU) || b.Loc != Loc.Const || !IsLastResult(a)) return false;
        int start = _lastStart;
        if (_code[start] != (is64 ? i64Shl : i32Shl) || (_code[start + 3] & ConstTag) == 0) return false;
        ulong k = _constants[b.Index] & (is64 ? 63UL : 31UL);
        if ((_constants[_code[start + 3] & IndexMask] & (is64 ? 63UL : 31UL)) != k || k == 0) return false;
        int x = _code[start + 2];
        var type = is64 ? ValueType.I64 : ValueType.I32;
        if (o is i32ShrS or i64ShrS)
        {
            int ext = (is64, k) switch { (false, 24) => 0xC0, (false, 16) => 0xC1, (true, 56) => 0xC2, (true, 48) => 0xC3, (true, 32) => 0xC4, _ => 0 };
            if (ext == 0) return false;
            DropLastInstruction(start);
            result = Unary((Op)ext, type, height, (x & TempTag) != 0 ? new Operand(type, Loc.Temp, x & IndexMask) : Decode(x, type));
            return true;
        }
        ulong mask = is64 ? ulong.MaxValue >> (int)k : uint.MaxValue >> (int)k;
        var m = Constant(type, mask);
        DropLastInstruction(start);
        Emit((Op)(is64 ? 0x83 : 0x71)); EmitDst(height); EmitRaw(x); EmitSlot(m);
        result = EndProducer(type, height);
        return true;
    }

    /// <summary>Whether the last instruction is an unsigned narrow load whose every possible result
    /// <paramref name="mask"/> leaves as it is.</summary>
    private bool MaskKeepsLoadedBits(ulong mask)
    {
        int bits = (Op)_code[_lastStart] switch
        {
            Op.I32Load8U or Op.I32Load8UAdd or Op.I64Load8U or Op.I64Load8UAdd or Op.I32Load8UStore8 or Op.I32Load2Load8UAdd => 8,
            Op.I32Load16U or Op.I32Load16UAdd or Op.I64Load16U or Op.I64Load16UAdd => 16,
            Op.I64Load32U or Op.I64Load32UAdd => 32,
            _ => 0,
        };
        ulong loaded = (1UL << bits) - 1;
        return bits > 0 && (mask & loaded) == loaded;
    }

    private bool IsConstant(in Operand o, ulong value) => o.Loc == Loc.Const && _constants[o.Index] == value;

    /// <summary>Whether <paramref name="o"/> is the result of the instruction just emitted, and that is a comparison.</summary>
    private bool IsJustComputedBoolean(in Operand o)
    {
        if (!IsLastResult(o)) return false;
        int op = _code[_lastStart];
        return op is >= 0x45 and <= 0x66;
    }

    /// <summary>Adding or subtracting a constant becomes one register-immediate instruction.</summary>
    private bool TryImmediate(Op op, in Operand a, in Operand b, out (Op Op, int Value) imm, out Operand reg)
    {
        imm = default;
        reg = default;
        const Op i32Add = (Op)0x6A, i32Sub = (Op)0x6B, i64Add = (Op)0x7C, i64Sub = (Op)0x7D;
        if (op is not (i32Add or i32Sub or i64Add or i64Sub)) return false;
        bool commutative = op is i32Add or i64Add;
        Operand c;
        if (b.Loc == Loc.Const) { c = b; reg = a; }
        else if (commutative && a.Loc == Loc.Const) { c = a; reg = b; }
        else return false;
        if (reg.Loc == Loc.Const) return false;
        ulong bits = _constants[c.Index];
        if (op is i32Add or i32Sub)
        {
            int v = (int)bits;
            imm = (Op.I32AddImm, op == i32Sub ? unchecked(-v) : v);
            return true;
        }
        long l = (long)bits;
        if (op == i64Sub) l = unchecked(-l);
        if (l < int.MinValue || l > int.MaxValue) return false;
        imm = (Op.I64AddImm, (int)l);
        return true;
    }
}
