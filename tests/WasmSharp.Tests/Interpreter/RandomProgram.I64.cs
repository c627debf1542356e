using static WasmSharp.Tests.Binary.WasmBuilder;

namespace WasmSharp.Tests.Interpreter;

/// <summary>i64 values: locals, arithmetic, comparisons, extensions, and i64 variables in the frame and in arrays.</summary>
internal sealed partial class RandomProgram
{
    // add sub mul and or xor shl shr_s shr_u rotl rotr (division apart: it may trap)
    private static readonly byte[] I64Binary = [0x7C, 0x7D, 0x7E, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A];
    // div_s div_u rem_s rem_u
    private static readonly byte[] I64Division = [0x7F, 0x80, 0x81, 0x82];
    // clz ctz popcnt extend8_s extend16_s extend32_s
    private static readonly byte[] I64Unary = [0x79, 0x7A, 0x7B, 0xC2, 0xC3, 0xC4];
    // load, load8_s, load8_u, load16_s, load16_u, load32_s, load32_u: opcode, alignment (log2), bytes
    private static readonly (byte Op, byte Align, int Size)[] I64Loads =
        [(0x29, 3, 8), (0x30, 0, 1), (0x31, 0, 1), (0x32, 1, 2), (0x33, 1, 2), (0x34, 2, 4), (0x35, 2, 4)];
    // store, store8, store16, store32
    private static readonly (byte Op, byte Align, int Size)[] I64Stores = [(0x37, 3, 8), (0x3C, 0, 1), (0x3D, 1, 2), (0x3E, 2, 4)];

    private uint I64Local() => (uint)(FirstI64 + _rng.Next(I64Locals));
    private uint FrameOffset8() => (uint)_rng.Next(0, FrameSize / 8) * 8;
    private void I64Const(long v) { Emit(0x42); Add(S64(v)); }
    private void Mem(byte op, byte align, uint offset) { Emit(op, align); Add(U32(offset)); }

    private long I64Value() => _rng.Next(6) switch
    {
        0 => 0,
        1 => _rng.Next(-3, 4),
        2 => _rng.Next(-100000, 100000),
        3 => (long)_rng.Next() << 32 | (uint)_rng.Next(),
        4 => _rng.Next(2) == 0 ? long.MinValue : long.MaxValue,
        _ => _rng.NextInt64(),
    };

    /// <summary>An i64 from a few values where integer operations have their edge cases (so that two operands are
    /// often equal, or MIN and -1 meet).</summary>
    private long EdgeI64Value()
    {
        long[] pool = [0, 1, -1, 2, long.MinValue, long.MaxValue, int.MinValue, int.MaxValue, 0xFFFFFFFF, 0x80000000, 31, 32, 63, 64];
        return pool[_rng.Next(pool.Length)];
    }

    /// <summary>An integer whose conversion to f32 or f64 rounds at an edge: just above a midpoint between two floats
    /// (2^53 + 1 for f64; rounding through a double first would make 2^62 + 2^38 + 1 one, for f32), on a midpoint
    /// (ties to even), or the largest values. <paramref name="i32"/>: one for i32 (2^24 + 1, above 2^31 unsigned).</summary>
    private long RoundingEdge(bool i32)
    {
        long[] pool = i32
            ? [0x1000001, 0x1000003, 0x80000080, 0x80000081, int.MaxValue, -0x1000001, -1]
            : [0x20000000000001, 0x4000004000000001, unchecked((long)0x8000008000000001), unchecked((long)0x8000018000000000),
               -0x4000004000000001, -1, long.MaxValue];
        return pool[_rng.Next(pool.Length)];
    }

    /// <summary>[] -> [i64] for an edge case: mostly an edge constant, else a variable or any expression.</summary>
    private void I64Edge()
    {
        switch (_rng.Next(4))
        {
            case 0: case 1: I64Const(EdgeI64Value()); break;
            case 2: Op(0x20, I64Local()); break;
            default: I64Expr(3); break;
        }
    }

    /// <summary>[] -> [i64, i64] to compare, often equal: a variable with itself, a constant twice, or two edge cases.</summary>
    private void I64EdgePair()
    {
        switch (_rng.Next(4))
        {
            case 0: { uint l = I64Local(); Op(0x20, l); Op(0x20, l); break; }
            case 1: { long v = EdgeI64Value(); I64Const(v); I64Const(v); break; }
            default: I64Edge(); I64Edge(); break;
        }
    }

    /// <summary>[i64] -> []: into the sum that is part of the result.</summary>
    private void I64ToSum() { Op(0x20, Sum64); Emit(0x7C); Op(0x21, Sum64); }

    /// <summary>One operation on edge cases, its result straight into the sums (see <see cref="FloatKernel"/>).</summary>
    private void I64Kernel()
    {
        switch (_rng.Next(8))
        {
            case 6: case 7: BranchKernel(() => { I64EdgePair(); Emit((byte)_rng.Next(0x51, 0x5B)); }); break; // compare-and-branch
            case 0: case 1: I64Edge(); I64Edge(); Emit(I64Binary[_rng.Next(I64Binary.Length)]); I64ToSum(); break;
            case 2: // division; the divisor mostly made positive (MIN / -1 and division by zero trap)
                I64Edge(); I64Edge();
                if (_rng.Next(6) != 0) { I64Const(long.MaxValue); Emit(0x83); I64Const(1); Emit(0x84); }
                Emit(I64Division[_rng.Next(I64Division.Length)]); I64ToSum();
                break;
            case 3: I64Edge(); Emit(I64Unary[_rng.Next(I64Unary.Length)]); I64ToSum(); break;
            case 4: Op(0x20, ScanSum); I64EdgePair(); Emit((byte)_rng.Next(0x51, 0x5B)); Emit(0x6A); Op(0x21, ScanSum); break;
            default: // wrap and extend
                if (_rng.Next(2) == 0) { Op(0x20, ScanSum); I64Edge(); Emit(0xA7); Emit(0x73); Op(0x21, ScanSum); }
                else { Emit(0x41); Add(S64((int)EdgeI64Value())); Emit(_rng.Next(2) == 0 ? (byte)0xAC : (byte)0xAD); I64ToSum(); }
                break;
        }
    }

    /// <summary>An i64 that needs no instruction (a local or a constant): two of them in a row keep two accesses
    /// adjacent (the pair forms).</summary>
    private void I64Leaf()
    {
        if (_rng.Next(2) == 0) Op(0x20, I64Local());
        else I64Const(I64Value());
    }

    /// <summary>[] -> [i64].</summary>
    private void I64Expr(int depth = 0)
    {
        int kind = depth > 3 ? _rng.Next(3) : _rng.Next(17);
        switch (kind)
        {
            case 0: I64Const(I64Value()); break;
            case 1: case 2: Op(0x20, I64Local()); break;
            case 3: case 4: case 5: I64Expr(depth + 1); I64Expr(depth + 1); Emit(I64Binary[_rng.Next(I64Binary.Length)]); break;
            case 6: // division: the divisor made odd three times in four, so that most programs run to the end
                I64Expr(depth + 1); I64Expr(depth + 1);
                if (_rng.Next(4) != 0) { I64Const(1); Emit(0x84); }
                Emit(I64Division[_rng.Next(I64Division.Length)]);
                break;
            case 7: I64Expr(depth + 1); Emit(I64Unary[_rng.Next(I64Unary.Length)]); break;
            case 8: Expr(depth + 1); Emit(_rng.Next(2) == 0 ? (byte)0xAC : (byte)0xAD); break; // extend_i32_s/u
            case 9: // a load at a random address, any width
            {
                var (op, align, size) = I64Loads[_rng.Next(I64Loads.Length)];
                Address(size == 8 ? 3 : 2); Mem(op, align, (uint)(_rng.Next(2) * size));
                break;
            }
            case 10: // a frame variable
            {
                var (op, align, size) = I64Loads[_rng.Next(I64Loads.Length)];
                Op(0x20, Fp); Mem(op, align, FrameOffset8() + (uint)(size < 8 ? _rng.Next(8 / size) * size : 0));
                break;
            }
            case 11: // add (or subtract) a constant
                I64Expr(depth + 1); I64Const(_rng.Next(4) == 0 ? I64Value() : _rng.Next(-5, 6)); Emit(_rng.Next(3) == 0 ? (byte)0x7D : (byte)0x7C);
                break;
            case 12: I64Expr(depth + 1); Op(0x22, I64Local()); break;                                // tee
            case 13: I64Expr(depth + 1); I64Expr(depth + 1); Condition(depth + 1); Emit(0x1B); break; // select
            case 14: // two frame variables loaded in a row, combined
                Op(0x20, Fp); Mem(0x29, 3, FrameOffset8()); Op(0x20, _rng.Next(3) == 0 ? FpAlias : Fp); Mem(0x29, 3, FrameOffset8());
                Emit(I64Binary[_rng.Next(I64Binary.Length)]);
                break;
            case 15: // a result through a block's br_if
                Emit(0x02, 0x7E); I64Expr(depth + 1); Condition(depth + 1); Emit(0x0D, 0x00); Emit(0x1A); I64Expr(depth + 1); Emit(0x0B);
                break;
            default: TypedToI64(depth + 1); break;
        }
    }

    /// <summary>[] -> [i32]: a comparison of two i64s (or eqz of one).</summary>
    private void I64Compare(int depth)
    {
        if (_rng.Next(4) == 0) { I64EdgePair(); Emit((byte)_rng.Next(0x51, 0x5B)); return; }
        I64Expr(depth + 1);
        if (_rng.Next(8) == 0) { Emit(0x50); return; } // eqz
        if (_rng.Next(3) == 0) I64Leaf(); else I64Expr(depth + 1);
        Emit((byte)_rng.Next(0x51, 0x5B));
    }

    /// <summary>[i64] -> []: into a variable, or into the sum that is part of the result.</summary>
    private void I64Sink()
    {
        if (_rng.Next(2) == 0) { Op(0x21, I64Local()); return; }
        I64ToSum();
    }

    /// <summary>[i64] -> [i32], keeping every bit's influence: (x ^ (x >> 32)) wrapped.</summary>
    private void FoldI64()
    {
        Op(0x22, I64Temp); Op(0x20, I64Temp); I64Const(32); Emit(0x88); Emit(0x85); Emit(0xA7);
    }

    private void I64Statement()
    {
        if (_rng.Next(4) == 0)
        {
            for (int i = 0, n = _rng.Next(1, 6); i < n; i++) I64Kernel();
            return;
        }
        switch (_rng.Next(_depth > 3 ? 7 : 10))
        {
            case 0: case 1: I64Expr(); Op(0x21, I64Local()); break;
            case 2: // a frame variable: fp[k] = expr, any width, often read back at once (any width)
            {
                var (op, align, size) = I64Stores[_rng.Next(I64Stores.Length)];
                uint at = FrameOffset8() + (uint)(size < 8 ? _rng.Next(8 / size) * size : 0);
                Op(0x20, Fp); if (_rng.Next(2) == 0) I64Leaf(); else I64Expr(2);
                Mem(op, align, at);
                if (_rng.Next(2) == 0)
                {
                    var (lop, lalign, lsize) = I64Loads[_rng.Next(I64Loads.Length)];
                    Op(0x20, Fp); Mem(lop, lalign, lsize >= size ? at : at + (uint)(_rng.Next(size / lsize) * lsize));
                    I64Sink();
                }
                break;
            }
            case 3: // two frame variables written in a row (a struct filled field by field), maybe read back in a row
                Op(0x20, Fp); I64Leaf(); Mem(0x37, 3, FrameOffset8());
                Op(0x20, _rng.Next(4) == 0 ? FpAlias : Fp); I64Leaf(); Mem(0x37, 3, FrameOffset8());
                if (_rng.Next(2) == 0)
                {
                    Op(0x20, Fp); Mem(0x29, 3, FrameOffset8()); Op(0x20, Fp); Mem(0x29, 3, FrameOffset8());
                    Emit(I64Binary[_rng.Next(I64Binary.Length)]); I64Sink();
                }
                break;
            case 4: // fp[k] += c (x++ on a long), maybe into another slot
                Op(0x20, Fp); Op(0x20, Fp); Mem(0x29, 3, FrameOffset8());
                I64Const(_rng.Next(-3, 4)); Emit(_rng.Next(2) == 0 ? (byte)0x7C : (byte)0x7D);
                Mem(0x37, 3, FrameOffset8());
                break;
            case 5: // an i64 array: base + (index << 3), read or written (the value a leaf, so the address is the last
                    // thing computed before the access, or any expression)
                Address(3);
                switch (_rng.Next(3))
                {
                    case 0: Mem(0x29, 3, 0); I64Sink(); break;
                    case 1: I64Leaf(); Mem(0x37, 3, 0); break;
                    default:
                    {
                        I64Expr(1);
                        var (op, align, _) = I64Stores[_rng.Next(I64Stores.Length)];
                        Mem(op, align, 0);
                        break;
                    }
                }
                break;
            case 6: // an array of two longs in the frame at fp + 16, its address through single-use locals as -O0 has it
            {
                uint i = FreshOr(WritableLocal()), t = FreshOr(WritableLocal());
                if (t == i) t = (t + 1) % (Params + Locals); // with no single-use local left: t must not overwrite i
                Expr(2); Emit(0x41, 0x01); Emit(0x71); Op(0x21, i);
                Op(0x20, Fp); Emit(0x41, 16); Emit(0x6A); Op(0x21, t);
                Op(0x20, t); Op(0x20, i); Emit(0x41, 0x03); Emit(0x74); Emit(0x6A);
                if (_rng.Next(2) == 0) { Mem(0x29, 3, 0); I64Sink(); }
                else { I64Leaf(); Mem(0x37, 3, 0); }
                break;
            }
            case 7: // if (a < b) on longs
                I64Compare(1); Emit(0x04, 0x40); Block(); if (_rng.Next(2) == 0) { Emit(0x05); Block(); } Emit(0x0B);
                break;
            case 8: // an early exit on a comparison of longs
                Emit(0x02, 0x40); Block(); I64Compare(1); Emit(0x0D, 0x00); Block(); Emit(0x0B);
                break;
            default: // a loop whose exit test is on an i64 (the counter extended)
                if (_loops >= MaxLoops) goto case 0;
                uint counter = (uint)(FirstCounter + _loops++);
                Emit(0x41); Add(S64(_rng.Next(1, 5))); Op(0x21, counter);
                Emit(0x02, 0x40); Emit(0x03, 0x40);
                // counter < 1 (it is never negative): exit
                Op(0x20, counter); Emit(0xAC); I64Const(1); Emit(0x53); Emit(0x0D, 0x01);
                Block();
                Op(0x20, counter); Emit(0x41, 0x01); Emit(0x6B); Op(0x21, counter);
                Emit(0x0C, 0x00);
                Emit(0x0B); Emit(0x0B);
                break;
        }
    }

    /// <summary>A single-use local if any is left, else <paramref name="fallback"/>.</summary>
    private uint FreshOr(uint fallback) => _fresh < MaxFresh ? (uint)(FirstFresh + _fresh++) : fallback;
}
