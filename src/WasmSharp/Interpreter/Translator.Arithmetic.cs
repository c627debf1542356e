namespace WasmSharp.Interpreter;

/// <summary>Numeric instructions: folding, immediates, and what unoptimised code spells out the long way.</summary>
internal sealed partial class Translator
{
    // ---- plain instructions ----------------------------------------------------------------------

    public Operand Unary(Op op, ValueType result, int height, in Operand a)
    {
        // A narrow unsigned load, then the sign extension of as many bits: the signed load (unoptimised code
        // reloads a char and sign-extends it for every use).
        if (IsLastResult(a) && SignedLoad(_recent.Last!.Op, op) is Op signedLoad)
        {
            Rewrite(signedLoad);
            MoveLastResult(height);
            return new Operand(result, Loc.Temp, height);
        }
        Emit(op); EmitDst(height); EmitSlot(a);
        return Temp(result, height);
    }

    /// <summary>The signed load that <paramref name="extend"/> (an extendN_s) after unsigned load
    /// <paramref name="load"/> amounts to, or null.</summary>
    private static Op? SignedLoad(Op load, Op extend) =>
        OpInfo.SignExtendedBits(extend) is > 0 and int bits && OpInfo.ZeroExtendedBits(load) == bits ? OpInfo.SignedTwin(load) : null;

    public Operand Binary(Op op, ValueType result, int height, in Operand a, in Operand b)
    {
        if (a.Loc == Loc.Const && b.Loc == Loc.Const && TryFold(op, _constants[a.Index], _constants[b.Index], out ulong folded))
            return Constant(result, folded);
        // x & 1 where x is a comparison just computed is x itself (unoptimised code masks every condition).
        if (op == Op.I32And && IsJustComputedBoolean(a) && IsConstant(b, 1)) return a;
        if (op == Op.I32And && IsJustComputedBoolean(b) && IsConstant(a, 1))
        {
            // The comparison wrote the slot above this result's: it writes this one instead.
            MoveLastResult(height);
            return new Operand(result, Loc.Temp, height);
        }
        // A mask keeping every bit an unsigned narrow load can set is no operation (unoptimised code masks each
        // char it loads: load8_u, and 255).
        if (op is Op.I32And or Op.I64And && (b.Loc == Loc.Const && IsLastResult(a) && MaskKeepsLoadedBits(_constants[b.Index])
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
            if (imm.Op == Op.I32AddImm && IsLastResult(reg) && _recent.Last!.Op is Op.I32Load or Op.GlobalGet)
            {
                Rewrite(_recent.Last.Op == Op.I32Load ? Op.I32LoadAddImm : Op.GlobalGetAddImm);
                MoveLastResult(height);
                _recent.Last.Below = 0; // removing the merged instruction uncovers no producer
                Emit(imm.Value);
                return Temp(result, height);
            }
            Emit(imm.Op); EmitDst(height); EmitSlot(reg); Emit(imm.Value);
            return Temp(result, height);
        }
        Emit(op); EmitDst(height); EmitSlot(a); EmitSlot(b);
        return Temp(result, height);
    }

    /// <summary>Integer operations on two constants that cannot trap are computed here (unoptimised code is full
    /// of them, e.g. <c>i32.and (i32.const 0) (i32.const 255)</c>).</summary>
    private static bool TryFold(Op op, ulong x, ulong y, out ulong r)
    {
        uint a = (uint)x, b = (uint)y;
        (bool ok, r) = op switch
        {
            Op.I32Eq => (true, (ulong)(a == b ? 1u : 0u)), Op.I32Ne => (true, (ulong)(a != b ? 1u : 0u)),
            Op.I32LtS => (true, (ulong)((int)a < (int)b ? 1u : 0u)), Op.I32LtU => (true, (ulong)(a < b ? 1u : 0u)),
            Op.I32GtS => (true, (ulong)((int)a > (int)b ? 1u : 0u)), Op.I32GtU => (true, (ulong)(a > b ? 1u : 0u)),
            Op.I32LeS => (true, (ulong)((int)a <= (int)b ? 1u : 0u)), Op.I32LeU => (true, (ulong)(a <= b ? 1u : 0u)),
            Op.I32GeS => (true, (ulong)((int)a >= (int)b ? 1u : 0u)), Op.I32GeU => (true, (ulong)(a >= b ? 1u : 0u)),
            Op.I32Add => (true, (ulong)(a + b)), Op.I32Sub => (true, (ulong)(a - b)), Op.I32Mul => (true, (ulong)(a * b)),
            Op.I32And => (true, (ulong)(a & b)), Op.I32Or => (true, (ulong)(a | b)), Op.I32Xor => (true, (ulong)(a ^ b)),
            Op.I32Shl => (true, (ulong)(a << (int)b)), Op.I32ShrS => (true, (ulong)((uint)((int)a >> (int)b))), Op.I32ShrU => (true, (ulong)(a >> (int)b)),
            Op.I64Add => (true, (ulong)(x + y)), Op.I64Sub => (true, (ulong)(x - y)), Op.I64Mul => (true, (ulong)(x * y)),
            Op.I64And => (true, (ulong)(x & y)), Op.I64Or => (true, (ulong)(x | y)), Op.I64Xor => (true, (ulong)(x ^ y)),
            Op.I64Shl => (true, (ulong)(x << (int)y)), Op.I64ShrS => (true, (ulong)((ulong)((long)x >> (int)y))), Op.I64ShrU => (true, (ulong)(x >> (int)y)),
            _ => (false, 0UL),
        };
        return ok;
    }

    /// <summary>(x &lt;&lt; k) >> k, as unoptimised code narrows a value: a sign extension (extend8_s, extend16_s,
    /// extend32_s) or a mask, one instruction for two.</summary>
    private bool TryShiftPair(Op op, in Operand a, in Operand b, int height, out Operand result)
    {
        result = default;
        bool is64 = op is Op.I64ShrS or Op.I64ShrU;
        if (!(op is Op.I32ShrS or Op.I32ShrU or Op.I64ShrS or Op.I64ShrU) || b.Loc != Loc.Const || !IsLastResult(a)) return false;
        int start = _recent.Last!.Start;
        if (_recent.Last.Op != (is64 ? Op.I64Shl : Op.I32Shl) || (_code[start + Layout.I32Shl.B] & ConstTag) == 0) return false;
        ulong k = _constants[b.Index] & (is64 ? 63UL : 31UL);
        if ((_constants[_code[start + Layout.I32Shl.B] & IndexMask] & (is64 ? 63UL : 31UL)) != k || k == 0) return false;
        int x = _code[start + Layout.I32Shl.A];
        var type = is64 ? ValueType.I64 : ValueType.I32;
        if (op is Op.I32ShrS or Op.I64ShrS)
        {
            Op? ext = (is64, k) switch
            {
                (false, 24) => Op.I32Extend8S, (false, 16) => Op.I32Extend16S,
                (true, 56) => Op.I64Extend8S, (true, 48) => Op.I64Extend16S, (true, 32) => Op.I64Extend32S, _ => null,
            };
            if (ext is not Op extend) return false;
            Remove(start);
            result = Unary(extend, type, height, (x & TempTag) != 0 ? new Operand(type, Loc.Temp, x & IndexMask) : Decode(x, type));
            return true;
        }
        ulong mask = is64 ? ulong.MaxValue >> (int)k : uint.MaxValue >> (int)k;
        var m = Constant(type, mask);
        Remove(start);
        Emit(is64 ? Op.I64And : Op.I32And); EmitDst(height); EmitRaw(x); EmitSlot(m);
        result = Temp(type, height);
        return true;
    }

    /// <summary>Whether the last instruction is an unsigned narrow load whose every possible result
    /// <paramref name="mask"/> leaves as it is.</summary>
    private bool MaskKeepsLoadedBits(ulong mask)
    {
        int bits = OpInfo.ZeroExtendedBits(_recent.Last!.Op);
        ulong loaded = (1UL << bits) - 1;
        return bits > 0 && (mask & loaded) == loaded;
    }

    private bool IsConstant(in Operand o, ulong value) => o.Loc == Loc.Const && _constants[o.Index] == value;

    /// <summary>Whether <paramref name="o"/> is the result of the instruction just emitted, and that is a comparison.</summary>
    private bool IsJustComputedBoolean(in Operand o) => IsLastResult(o) && OpInfo.Boolean(_recent.Last!.Op);

    /// <summary>Adding or subtracting a constant becomes one register-immediate instruction.</summary>
    private bool TryImmediate(Op op, in Operand a, in Operand b, out (Op Op, int Value) imm, out Operand reg)
    {
        imm = default;
        reg = default;
        if (OpInfo.ImmediateForm(op) is not Op form) return false;
        bool commutative = op is Op.I32Add or Op.I64Add;
        Operand c;
        if (b.Loc == Loc.Const) { c = b; reg = a; }
        else if (commutative && a.Loc == Loc.Const) { c = a; reg = b; }
        else return false;
        if (reg.Loc == Loc.Const) return false;
        ulong bits = _constants[c.Index];
        bool subtract = op is Op.I32Sub or Op.I64Sub;
        if (form == Op.I32AddImm)
        {
            int v = (int)bits;
            imm = (form, subtract ? unchecked(-v) : v);
            return true;
        }
        long l = (long)bits;
        if (subtract) l = unchecked(-l);
        if (l < int.MinValue || l > int.MaxValue) return false;
        imm = (form, (int)l);
        return true;
    }
}
