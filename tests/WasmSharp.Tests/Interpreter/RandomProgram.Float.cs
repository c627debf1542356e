using static WasmSharp.Tests.Binary.WasmBuilder;

namespace WasmSharp.Tests.Interpreter;

/// <summary>
/// f32 and f64 values: locals, arithmetic, comparisons and compare-and-branch, conversions, reinterpretation, and
/// variables in the frame. Expressions say whether their bits are exact: Wasm fixes the bits of constants, loads,
/// conversions from integers, abs, neg and copysign, but not the payload and sign of a NaN that an arithmetic
/// operation returns. Bits that are not exact are canonicalised (every NaN made the positive canonical NaN)
/// before they are stored, reinterpreted, put in a v128 or give copysign its sign.
/// </summary>
internal sealed partial class RandomProgram
{
    private const uint CanonicalNaN32 = 0x7FC00000;
    private const ulong CanonicalNaN64 = 0x7FF8000000000000;

    private uint FloatLocal(bool f64) => (uint)((f64 ? FirstF64 : FirstF32) + _rng.Next(f64 ? F64Locals : F32Locals));
    private static uint FloatTemp(bool f64) => f64 ? (uint)F64Temp : F32Temp;

    // The f32 opcode of an operation, or its f64 twin (the f64 opcodes follow the f32 ones at a fixed distance).
    private static byte F(bool f64, byte f32Op, int f64Distance) => (byte)(f64 ? f32Op + f64Distance : f32Op);

    private void FloatConstBits(bool f64, ulong bits)
    {
        if (f64) Add(Cat([0x44], BitConverter.GetBytes(bits)));
        else Add(Cat([0x43], BitConverter.GetBytes((uint)bits)));
    }

    private void FloatConst(bool f64, double v) =>
        FloatConstBits(f64, f64 ? BitConverter.DoubleToUInt64Bits(v) : BitConverter.SingleToUInt32Bits((float)v));

    /// <summary>The bits of a float constant: everyday values, the edges of the integer conversions, infinities,
    /// extremes and NaNs (their bits are exact: only operations leave a NaN's bits open).</summary>
    private ulong FloatBits(bool f64)
    {
        ulong Of(double v) => f64 ? BitConverter.DoubleToUInt64Bits(v) : BitConverter.SingleToUInt32Bits((float)v);
        switch (_rng.Next(10))
        {
            case 0:
                double[] simple = [0.0, -0.0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, 0.1, 100.75];
                return Of(simple[_rng.Next(simple.Length)]);
            case 1:
                return f64
                    ? new ulong[] { CanonicalNaN64, 0xFFF8000000000000, 0x7FF4000000000000, 0x7FF0000000000001, 0xFFFFFFFFFFFFFFFF }[_rng.Next(5)]
                    : new ulong[] { CanonicalNaN32, 0xFFC00000, 0x7FA00000, 0x7F800001, 0xFFFFFFFF }[_rng.Next(5)];
            case 2:
                double[] extremes = [double.PositiveInfinity, double.NegativeInfinity, f64 ? double.MaxValue : float.MaxValue,
                    f64 ? double.Epsilon : float.Epsilon, f64 ? -double.Epsilon : -float.Epsilon, f64 ? 2.2250738585072014E-308 : 1.17549435E-38];
                return Of(extremes[_rng.Next(extremes.Length)]);
            case 3: // around the limits of the truncations to integers
                double[] limits = [2147483648.0, -2147483648.0, 2147483647.0, -2147483649.0, 2147483520.0, 4294967296.0, 4294967295.0,
                    -1.0, -0.99, 9223372036854775808.0, -9223372036854775808.0, 9223372036854774784.0, 18446744073709551616.0];
                return Of(limits[_rng.Next(limits.Length)]);
            case 4:
                return f64 ? (ulong)_rng.NextInt64() : (uint)_rng.Next() ^ (uint)_rng.Next(2) << 31;
            default:
                return Of(_rng.Next(-1000, 1000) / (double)(1 << _rng.Next(4)));
        }
    }

    /// <summary>The bits of a float from a few values, so that two operands are often equal, among those where
    /// float operations have their edge cases: zeros of both signs, NaNs (one signalling, negative, with a payload),
    /// infinities, halves (rounding), and the limits of the truncations.</summary>
    private ulong EdgeFloatBits(bool f64)
    {
        double[] pool = [0.0, -0.0, 1.0, -1.0, 0.5, -1.5, 2.5, double.PositiveInfinity, double.NegativeInfinity, 2147483648.0, -2147483904.0, 4294967296.0];
        int i = _rng.Next(pool.Length + 2);
        if (i == pool.Length) return f64 ? CanonicalNaN64 : CanonicalNaN32;
        if (i > pool.Length) return f64 ? 0xFFF4000000000001 : 0xFFA00001;
        return f64 ? BitConverter.DoubleToUInt64Bits(pool[i]) : BitConverter.SingleToUInt32Bits((float)pool[i]);
    }

    /// <summary>[] -> [float] for an edge case: mostly an edge constant, else a variable or any expression; returns
    /// whether its bits are exact.</summary>
    private bool FloatEdge(bool f64)
    {
        switch (_rng.Next(4))
        {
            case 0: case 1: FloatConstBits(f64, EdgeFloatBits(f64)); return true;
            case 2: Op(0x20, FloatLocal(f64)); return false;
            default: return FloatExpr(f64, 3);
        }
    }

    /// <summary>[] -> [float, float] to compare, often equal (or both NaN): a variable with itself, a constant twice,
    /// or two edge cases.</summary>
    private void FloatEdgePair(bool f64)
    {
        switch (_rng.Next(4))
        {
            case 0: { uint l = FloatLocal(f64); Op(0x20, l); Op(0x20, l); break; }
            case 1: { ulong bits = EdgeFloatBits(f64); FloatConstBits(f64, bits); FloatConstBits(f64, bits); break; }
            default: FloatEdge(f64); FloatEdge(f64); break;
        }
    }

    /// <summary>[float] -> [float]: a NaN becomes the canonical NaN (positive, quiet, no payload), whatever its bits;
    /// the rest stays. Written as select on x != x or on x == x.</summary>
    private void Canonicalise(bool f64)
    {
        uint t = FloatTemp(f64);
        Op(0x21, t);
        if (_rng.Next(2) == 0)
        {
            FloatConstBits(f64, f64 ? CanonicalNaN64 : CanonicalNaN32); Op(0x20, t);
            Op(0x20, t); Op(0x20, t); Emit(F(f64, 0x5C, 6)); // ne
        }
        else
        {
            Op(0x20, t); FloatConstBits(f64, f64 ? CanonicalNaN64 : CanonicalNaN32);
            Op(0x20, t); Op(0x20, t); Emit(F(f64, 0x5B, 6)); // eq
        }
        Emit(0x1B);
    }

    /// <summary>[float] -> [float] with exact bits: canonicalised unless they are exact already.</summary>
    private void MakeExact(bool f64, bool exact)
    {
        if (!exact) Canonicalise(f64);
    }

    /// <summary>[] -> [float]; returns whether its bits are exact (see the class comment).</summary>
    private bool FloatExpr(bool f64, int depth = 0)
    {
        int kind = depth > 3 ? _rng.Next(3) : _rng.Next(17);
        switch (kind)
        {
            case 0: FloatConstBits(f64, FloatBits(f64)); return true;
            case 1: case 2: Op(0x20, FloatLocal(f64)); return false;
            case 3: case 4: // add sub mul div min max
                FloatExpr(f64, depth + 1); FloatExpr(f64, depth + 1); Emit(F(f64, (byte)(0x92 + _rng.Next(6)), 14));
                return false;
            case 5: // copysign: its sign operand's bits are observed
            {
                bool exact = FloatExpr(f64, depth + 1);
                MakeExact(f64, FloatExpr(f64, depth + 1));
                Emit(F(f64, 0x98, 14));
                return exact;
            }
            case 6: // abs neg (bit operations) or ceil floor trunc nearest sqrt
            {
                bool exact = FloatExpr(f64, depth + 1);
                int op = _rng.Next(7);
                Emit(F(f64, (byte)(0x8B + op), 14));
                return exact && op < 2;
            }
            case 7: // from an integer: exact bits (no NaN, and rounding is fixed)
                switch (_rng.Next(4))
                {
                    case 0: Expr(depth + 1); Emit(F(f64, 0xB2, 5)); break;            // convert_i32_s
                    case 1: Expr(depth + 1); Emit(F(f64, 0xB3, 5)); break;            // convert_i32_u
                    case 2: I64Expr(depth + 1); Emit(F(f64, 0xB4, 5)); break;         // convert_i64_s
                    default: I64Expr(depth + 1); Emit(F(f64, 0xB5, 5)); break;        // convert_i64_u
                }
                return true;
            case 8: // from the other width
                FloatExpr(!f64, depth + 1); Emit(f64 ? (byte)0xBB : (byte)0xB6);
                return false;
            case 9: // reinterpreted integer bits (any NaN among them)
                if (f64) { I64Expr(depth + 1); Emit(0xBF); } else { Expr(depth + 1); Emit(0xBE); }
                return true;
            case 10: // a load at a random address
                Address(f64 ? 3 : 2); Mem(F(f64, 0x2A, 1), f64 ? (byte)3 : (byte)2, (uint)(_rng.Next(2) * (f64 ? 8 : 4)));
                return true;
            case 11: // a frame variable
                Op(0x20, Fp); Mem(F(f64, 0x2A, 1), f64 ? (byte)3 : (byte)2, f64 ? FrameOffset8() : FrameOffset());
                return true;
            case 12: { bool exact = FloatExpr(f64, depth + 1); Op(0x22, FloatLocal(f64)); return exact; } // tee
            case 13: // select
            {
                bool a = FloatExpr(f64, depth + 1), b = FloatExpr(f64, depth + 1);
                Condition(depth + 1); Emit(0x1B);
                return a && b;
            }
            case 14: // a result through a block's br_if
            {
                Emit(0x02, f64 ? (byte)0x7C : (byte)0x7D);
                bool a = FloatExpr(f64, depth + 1); Condition(depth + 1); Emit(0x0D, 0x00); Emit(0x1A);
                bool b = FloatExpr(f64, depth + 1); Emit(0x0B);
                return a && b;
            }
            case 15: // a lane (v128 values are exact)
                V128Expr(depth + 1); Simd(f64 ? 0x21 : 0x1F); Emit((byte)_rng.Next(f64 ? 2 : 4));
                return true;
            default: // two frame variables loaded in a row and combined (x + y on doubles as -O0 has it)
                Op(0x20, Fp); Mem(F(f64, 0x2A, 1), f64 ? (byte)3 : (byte)2, f64 ? FrameOffset8() : FrameOffset());
                Op(0x20, Fp); Mem(F(f64, 0x2A, 1), f64 ? (byte)3 : (byte)2, f64 ? FrameOffset8() : FrameOffset());
                Emit(F(f64, (byte)(0x92 + _rng.Next(6)), 14));
                return false;
        }
    }

    /// <summary>[] -> [float], never NaN nor infinite: an integer converted, or a small constant, combined at most once
    /// (when <paramref name="leaf"/> is false) by add, sub or mul. One such operation on two such values has exact
    /// bits (it may overflow to infinity, but makes no NaN).</summary>
    private void FiniteFloat(bool f64, bool leaf)
    {
        if (!leaf && _rng.Next(2) == 0)
        {
            FiniteFloat(f64, leaf: true); FiniteFloat(f64, leaf: true); Emit(F(f64, (byte)(0x92 + _rng.Next(3)), 14));
            return;
        }
        switch (_rng.Next(4))
        {
            case 0: FloatConst(f64, _rng.Next(-1000, 1000) / 4.0); break;
            case 1: Expr(3); Emit(F(f64, 0xB2, 5)); break;
            case 2: Expr(3); Emit(F(f64, 0xB3, 5)); break;
            default: if (f64) { I64Expr(3); Emit(0xB9); } else { Expr(3); Emit(0xB2); } break;
        }
    }

    /// <summary>[] -> [i32]: a comparison of two floats, sometimes negated by i32.eqz (<c>if (!(a &lt; b))</c>, which
    /// is not <c>a &gt;= b</c> when one is NaN).</summary>
    private void FloatCompare(bool f64, int depth)
    {
        if (_rng.Next(2) == 0) FloatEdgePair(f64);
        else
        {
            FloatExpr(f64, depth + 1);
            if (_rng.Next(3) == 0) FloatConstBits(f64, FloatBits(f64)); else FloatExpr(f64, depth + 1);
        }
        Emit(F(f64, (byte)(0x5B + _rng.Next(6)), 6));
        if (_rng.Next(3) == 0) Emit(0x45);
    }

    /// <summary>[] -> [i32] or [i64] (<paramref name="toI64"/>): a float truncated to an integer: saturating, trapping
    /// (NaN and values out of range trap, in both engines alike), or trapping on a value kept in range by a select
    /// on |x| &lt; 2^30 (2^62), as the trap would end most programs early.</summary>
    private void TruncToInt(bool toI64, int depth)
    {
        bool f64 = _rng.Next(2) == 0, signed = _rng.Next(2) == 0;
        FloatExpr(f64, depth + 1);
        int form = _rng.Next(4);
        if (form == 0)
        {
            // trunc_sat: 0xFC, then i32 (0..3) or i64 (4..7), from f32 or f64, signed or unsigned
            Emit(0xFC); Add(U32((uint)((toI64 ? 4 : 0) + (f64 ? 2 : 0) + (signed ? 0 : 1))));
            return;
        }
        if (form >= 2)
        {
            uint t = FloatTemp(f64);
            Op(0x21, t);
            Op(0x20, t); if (!signed) Emit(F(f64, 0x8B, 14)); // abs: an unsigned truncation takes no negative value
            FloatConst(f64, 0);
            Op(0x20, t); Emit(F(f64, 0x8B, 14)); FloatConst(f64, toI64 ? 4611686018427387904.0 : 1073741824.0); Emit(F(f64, 0x5D, 6)); // lt
            Emit(0x1B);
        }
        // i32.trunc_f32_s 0xA8, _u, i32.trunc_f64_s, _u; i64.trunc_f32_s 0xAE, _u, i64.trunc_f64_s, _u
        Emit((byte)((toI64 ? 0xAE : 0xA8) + (f64 ? 2 : 0) + (signed ? 0 : 1)));
    }

    /// <summary>[float] -> []: into a variable, or its bits into the sums that are part of the result.</summary>
    private void FloatSink(bool f64, bool exact)
    {
        if (_rng.Next(2) == 0) { Op(0x21, FloatLocal(f64)); return; }
        FloatToSums(f64, exact);
    }

    /// <summary>[float] -> []: its bits (exact ones) into the sums that are part of the result.</summary>
    private void FloatToSums(bool f64, bool exact)
    {
        MakeExact(f64, exact);
        if (f64) { Emit(0xBD); Op(0x20, Sum64); Emit(0x85); Op(0x21, Sum64); }
        else { Emit(0xBC); Op(0x20, ScanSum); Emit(0x73); Op(0x21, ScanSum); }
    }

    /// <summary>One operation on edge cases (see <see cref="FloatEdge"/>), its result straight into the sums: the
    /// operations' corner cases (NaN, signed zeros, rounding, saturation), whatever else the program does.</summary>
    private void FloatKernel(bool f64)
    {
        switch (_rng.Next(10))
        {
            case 7: case 8: // compare-and-branch, maybe negated (the Not forms)
                BranchKernel(() =>
                {
                    FloatEdgePair(f64);
                    Emit(F(f64, (byte)(0x5B + _rng.Next(6)), 6));
                    if (_rng.Next(3) == 0) Emit(0x45);
                });
                break;
            case 0: case 1: FloatEdge(f64); FloatEdge(f64); Emit(F(f64, (byte)(0x92 + _rng.Next(6)), 14)); FloatToSums(f64, false); break;
            case 2: { bool exact = FloatEdge(f64); MakeExact(f64, FloatEdge(f64)); Emit(F(f64, 0x98, 14)); FloatToSums(f64, exact); break; }
            case 3: { bool exact = FloatEdge(f64); int op = _rng.Next(7); Emit(F(f64, (byte)(0x8B + op), 14)); FloatToSums(f64, exact && op < 2); break; }
            case 4: // a comparison, maybe negated
                Op(0x20, ScanSum); FloatEdgePair(f64); Emit(F(f64, (byte)(0x5B + _rng.Next(6)), 6));
                if (_rng.Next(3) == 0) Emit(0x45);
                Emit(0x6A); Op(0x21, ScanSum);
                break;
            case 5: // saturating truncations
            {
                bool toI64 = _rng.Next(2) == 0;
                FloatEdge(f64); Emit(0xFC); Add(U32((uint)((toI64 ? 4 : 0) + (f64 ? 2 : 0) + _rng.Next(2))));
                if (toI64) I64ToSum(); else { Op(0x20, ScanSum); Emit(0x6A); Op(0x21, ScanSum); }
                break;
            }
            default: // from integers where rounding has its edges (or any), or from the other width
                switch (_rng.Next(3))
                {
                    case 0:
                        if (_rng.Next(4) == 0) Expr(3); else { Emit(0x41); Add(S64(unchecked((int)RoundingEdge(i32: true)))); }
                        Emit(F(f64, (byte)(0xB2 + _rng.Next(2)), 5)); FloatToSums(f64, true);
                        break;
                    case 1:
                        if (_rng.Next(4) == 0) I64Edge(); else I64Const(RoundingEdge(i32: false));
                        Emit(F(f64, (byte)(0xB4 + _rng.Next(2)), 5)); FloatToSums(f64, true);
                        break;
                    default: FloatEdge(!f64); Emit(f64 ? (byte)0xBB : (byte)0xB6); FloatToSums(f64, false); break;
                }
                break;
        }
    }

    private void FloatStatement(bool f64)
    {
        if (_rng.Next(4) == 0)
        {
            for (int i = 0, n = _rng.Next(1, 6); i < n; i++) FloatKernel(f64);
            return;
        }
        byte load = F(f64, 0x2A, 1), store = F(f64, 0x38, 1), align = f64 ? (byte)3 : (byte)2;
        uint Slot() => f64 ? FrameOffset8() : FrameOffset();
        switch (_rng.Next(_depth > 3 ? 6 : 9))
        {
            case 0: case 1: FloatExpr(f64); Op(0x21, FloatLocal(f64)); break;
            case 2: // a frame variable, often read back at once
            {
                uint at = Slot();
                Op(0x20, Fp); MakeExact(f64, FloatExpr(f64, 1)); Mem(store, align, at);
                if (_rng.Next(2) == 0) { Op(0x20, Fp); Mem(load, align, _rng.Next(2) == 0 ? at : Slot()); FloatSink(f64, exact: true); }
                break;
            }
            case 3: // a store at a random address
                Address(f64 ? 3 : 2); MakeExact(f64, FloatExpr(f64, 1)); Mem(store, align, (uint)(_rng.Next(2) * (f64 ? 8 : 4)));
                break;
            case 4: // a sum or product stored right away (F64AddStore, F64MulStore): finite operands, so exact bits
                if (_rng.Next(2) == 0) Address(f64 ? 3 : 2); else Op(0x20, Fp);
                FiniteFloat(f64, leaf: false); FiniteFloat(f64, leaf: false);
                Emit(F(f64, _rng.Next(2) == 0 ? (byte)0x92 : (byte)0x94, 14));
                Mem(store, align, f64 ? FrameOffset8() : FrameOffset());
                break;
            case 5: // x = x * y + ... on frame variables as -O0 has it: stored, reloaded, combined, stored back
            {
                uint a = Slot(), b = Slot();
                Op(0x20, Fp); FiniteFloat(f64, leaf: false); Mem(store, align, a);
                Op(0x20, Fp); Op(0x20, Fp); Mem(load, align, a); FiniteFloat(f64, leaf: true);
                Emit(F(f64, (byte)(0x92 + _rng.Next(3)), 14)); Mem(store, align, b);
                break;
            }
            case 6: // if (a < b), or if (!(a < b))
                FloatCompare(f64, 1); Emit(0x04, 0x40); Block(); if (_rng.Next(2) == 0) { Emit(0x05); Block(); } Emit(0x0B);
                break;
            case 7: // an early exit on a float comparison
                Emit(0x02, 0x40); Block(); FloatCompare(f64, 1); Emit(0x0D, 0x00); Block(); Emit(0x0B);
                break;
            default: // a loop whose exit test is on a float (the counter converted; it is never negative)
            {
                if (_loops >= MaxLoops) goto case 0;
                uint counter = (uint)(FirstCounter + _loops++);
                Emit(0x41); Add(S64(_rng.Next(1, 5))); Op(0x21, counter);
                Emit(0x02, 0x40); Emit(0x03, 0x40);
                Op(0x20, counter); Emit(F(f64, 0xB2, 5)); FloatConst(f64, 0.5); Emit(F(f64, 0x5D, 6)); Emit(0x0D, 0x01); // < 0.5: exit
                Block();
                Op(0x20, counter); Emit(0x41, 0x01); Emit(0x6B); Op(0x21, counter);
                Emit(0x0C, 0x00);
                Emit(0x0B); Emit(0x0B);
                break;
            }
        }
    }
}
