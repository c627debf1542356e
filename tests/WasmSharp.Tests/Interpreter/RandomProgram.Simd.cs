using System.Numerics;
using static WasmSharp.Tests.Binary.WasmBuilder;

namespace WasmSharp.Tests.Interpreter;

/// <summary>
/// v128 values: constants, loads and stores (whole, extending, splatting, zeroing, lanes) in the frame and in
/// arrays, splat and lanes, integer and float lane arithmetic, shuffles, bitselect, tests, select and block results.
/// Every v128 value the generator makes has exact bits: float lane operations that may return NaNs of open bits
/// are followed by a canonicalisation of their lanes (bitselect on x != x), and floats put in lanes are exact.
/// </summary>
internal sealed partial class RandomProgram
{
    private static int[] Range(int first, int last) => Enumerable.Range(first, last - first + 1).ToArray();

    // v128 -> v128 with exact bits: not; integer abs, neg, popcnt, extadd_pairwise, extend; float abs and neg
    // (bit operations); the conversions between integer and float lanes (trunc_sat, convert: no NaN comes out)
    private static readonly int[] V128Unary =
    [
        0x4D, 0x60, 0x61, 0x62, .. Range(0x7C, 0x81), .. Range(0x87, 0x8A), 0xA0, 0xA1, .. Range(0xA7, 0xAA), 0xC0, 0xC1,
        .. Range(0xC7, 0xCA), 0xE0, 0xE1, 0xEC, 0xED, .. Range(0xF8, 0xFF),
    ];
    // v128 v128 -> v128 with exact bits: swizzle; the integer and float comparisons; and, andnot, or, xor; narrow;
    // integer add, sub (saturating too), mul, min, max, avgr, q15mulr, extmul, dot; float pmin, pmax (which return
    // one of their operands)
    private static readonly int[] V128Binary =
    [
        0x0E, .. Range(0x23, 0x4C), .. Range(0x4E, 0x51), 0x65, 0x66, .. Range(0x6E, 0x73), .. Range(0x76, 0x79), 0x7B, 0x82,
        0x85, 0x86, .. Range(0x8E, 0x93), .. Range(0x95, 0x99), .. Range(0x9B, 0x9F), 0xAE, 0xB1, .. Range(0xB5, 0xBA),
        .. Range(0xBC, 0xBF), 0xCE, 0xD1, .. Range(0xD5, 0xDF), 0xEA, 0xEB, 0xF6, 0xF7,
    ];
    // Float lane operations whose NaNs have open bits, by the shape of their result: ceil floor trunc nearest sqrt
    // demote; add sub mul div min max
    private static readonly int[] F32x4Unary = [0x67, 0x68, 0x69, 0x6A, 0xE3, 0x5E], F32x4Binary = Range(0xE4, 0xE9);
    private static readonly int[] F64x2Unary = [0x74, 0x75, 0x7A, 0x94, 0xEF, 0x5F], F64x2Binary = Range(0xF0, 0xF5);
    // shl, shr_s, shr_u of i8x16, i16x8, i32x4, i64x2
    private static readonly int[] V128Shifts = [0x6B, 0x6C, 0x6D, 0x8B, 0x8C, 0x8D, 0xAB, 0xAC, 0xAD, 0xCB, 0xCC, 0xCD];
    // v128 -> i32: any_true, all_true and bitmask of each integer shape
    private static readonly int[] V128Tests = [0x53, 0x63, 0x64, 0x83, 0x84, 0xA3, 0xA4, 0xC3, 0xC4];
    // Loads making a v128: opcode, alignment (log2), bytes read: load, load8x8_s/u, 16x4, 32x2, load8/16/32/64_splat,
    // load32_zero, load64_zero
    private static readonly (int Op, byte Align, int Size)[] V128Loads =
    [
        (0x00, 4, 16), (0x01, 3, 8), (0x02, 3, 8), (0x03, 3, 8), (0x04, 3, 8), (0x05, 3, 8), (0x06, 3, 8),
        (0x07, 0, 1), (0x08, 1, 2), (0x09, 2, 4), (0x0A, 3, 8), (0x5C, 2, 4), (0x5D, 3, 8),
    ];
    // Lanes read into an i32: i8x16.extract_lane_s/u, i16x8.extract_lane_s/u, i32x4.extract_lane, with their lane counts
    private static readonly (int Op, int Lanes)[] I32Extracts = [(0x15, 16), (0x16, 16), (0x18, 8), (0x19, 8), (0x1B, 4)];

    private uint V128Local() => (uint)(FirstV128 + _rng.Next(V128Locals));
    private void Simd(int op) { Emit(0xFD); Add(U32((uint)op)); }
    private void SimdMem(int op, byte align, uint offset) { Simd(op); Emit(align); Add(U32(offset)); }

    /// <summary>A v128.const: random bytes, or lanes of edge values (integer of each width, or float), from a few
    /// values so that lanes of two operands are often equal.</summary>
    private void V128Const()
    {
        var bytes = new byte[16];
        switch (_rng.Next(7))
        {
            case 0: _rng.NextBytes(bytes); break;
            case 1:
                for (int i = 0; i < 16; i++) bytes[i] = new byte[] { 0, 1, 0x7F, 0x80, 0xFF, 0xFE, 0x81, 0x40 }[_rng.Next(8)];
                break;
            case 2:
                for (int i = 0; i < 16; i += 2)
                    BitConverter.GetBytes(new ushort[] { 0, 1, 0xFFFF, 0x7FFF, 0x8000, 0x7F, 0x80, 0xFF, 0x100, 0x4000 }[_rng.Next(10)]).CopyTo(bytes, i);
                break;
            case 3:
                for (int i = 0; i < 16; i += 4)
                    BitConverter.GetBytes(new uint[]
                    {
                        0, 1, uint.MaxValue, int.MaxValue, 0x80000000, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
                        0x1000001, 0x80000080, 0x80000081, // conversions to f32: a midpoint between two floats, and just above
                    }[_rng.Next(12)]).CopyTo(bytes, i);
                break;
            case 4:
                for (int i = 0; i < 16; i += 8) BitConverter.GetBytes(EdgeI64Value()).CopyTo(bytes, i);
                break;
            case 5:
                for (int i = 0; i < 16; i += 4) BitConverter.GetBytes((uint)(_rng.Next(2) == 0 ? EdgeFloatBits(false) : FloatBits(false))).CopyTo(bytes, i);
                break;
            default:
                for (int i = 0; i < 16; i += 8) BitConverter.GetBytes(_rng.Next(2) == 0 ? EdgeFloatBits(true) : FloatBits(true)).CopyTo(bytes, i);
                break;
        }
        Simd(0x0C); Add(bytes);
    }

    /// <summary>[] -> [v128] for edge cases: mostly a constant of edge lanes, else a variable or any expression.</summary>
    private void V128Edge()
    {
        switch (_rng.Next(4))
        {
            case 0: case 1: V128Const(); break;
            case 2: Op(0x20, V128Local()); break;
            default: V128Expr(3); break;
        }
    }

    /// <summary>One operation on edge cases, its result straight into the sums (see <see cref="FloatKernel"/>).</summary>
    private void V128Kernel()
    {
        if (_rng.Next(6) == 0)
        {
            // to an i32: a test or a lane
            Op(0x20, ScanSum);
            V128Edge();
            if (_rng.Next(2) == 0) Simd(V128Tests[_rng.Next(V128Tests.Length)]);
            else { var (op, lanes) = I32Extracts[_rng.Next(I32Extracts.Length)]; Simd(op); Emit((byte)_rng.Next(lanes)); }
            Emit(0x6A); Op(0x21, ScanSum);
            return;
        }
        Op(0x20, VSum);
        switch (_rng.Next(9))
        {
            case 0: case 1: case 2: case 3: V128Edge(); V128Edge(); Simd(V128Binary[_rng.Next(V128Binary.Length)]); break;
            case 4: V128Edge(); Simd(V128Unary[_rng.Next(V128Unary.Length)]); break;
            case 5: // float lane arithmetic, canonicalised
            {
                bool f64 = _rng.Next(2) == 0;
                if (_rng.Next(2) == 0) { V128Edge(); var ops = f64 ? F64x2Unary : F32x4Unary; Simd(ops[_rng.Next(ops.Length)]); }
                else { V128Edge(); V128Edge(); var ops = f64 ? F64x2Binary : F32x4Binary; Simd(ops[_rng.Next(ops.Length)]); }
                CanonicaliseLanes(f64);
                break;
            }
            case 6: // a shift by a count at the edges of the lane widths
                V128Edge(); Emit(0x41); Add(S64(new[] { 0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, -1 }[_rng.Next(15)]));
                Simd(V128Shifts[_rng.Next(V128Shifts.Length)]);
                break;
            case 7: V128Edge(); V128Edge(); V128Edge(); Simd(0x52); break; // bitselect
            default: // splat of an edge scalar
            {
                int shape = _rng.Next(6);
                switch (shape)
                {
                    case < 3: Emit(0x41); Add(S64((int)EdgeI64Value())); break;
                    case 3: I64Edge(); break;
                    default: MakeExact(shape == 5, FloatEdge(shape == 5)); break;
                }
                Simd(0x0F + shape);
                break;
            }
        }
        Simd(_rng.Next(2) == 0 ? 0x51 : 0xAE); Op(0x21, VSum); // xor, or i32x4.add
    }

    /// <summary>[v128] -> [v128]: every NaN lane of the f32x4 (or f64x2) shape made the canonical NaN
    /// (bitselect of the canonical NaNs where x != x, or of x where x == x).</summary>
    private void CanonicaliseLanes(bool f64)
    {
        Op(0x21, V128Temp);
        var canonical = new byte[16];
        for (int i = 0; i < 16; i += f64 ? 8 : 4)
            (f64 ? BitConverter.GetBytes(CanonicalNaN64) : BitConverter.GetBytes(CanonicalNaN32)).CopyTo(canonical, i);
        bool ne = _rng.Next(2) == 0;
        if (!ne) Op(0x20, V128Temp);
        Simd(0x0C); Add(canonical);
        if (ne) Op(0x20, V128Temp);
        Op(0x20, V128Temp); Op(0x20, V128Temp); Simd(f64 ? (ne ? 0x48 : 0x47) : (ne ? 0x42 : 0x41));
        Simd(0x52);
    }

    /// <summary>[] -> [v128]: a load of some kind at a random address or in the frame.</summary>
    private void LoadV128()
    {
        var (op, align, size) = V128Loads[_rng.Next(V128Loads.Length)];
        if (_rng.Next(2) == 0) { Address(Math.Min(4, BitOperations.Log2((uint)size))); SimdMem(op, align, (uint)(_rng.Next(2) * size)); }
        else { Op(0x20, Fp); SimdMem(op, align, (uint)_rng.Next(0, (FrameSize - size) / Math.Min(size, 8) + 1) * (uint)Math.Min(size, 8)); }
    }

    /// <summary>[] -> [scalar] for a splat or replace_lane of shape <paramref name="shape"/> (0 i8x16, 1 i16x8,
    /// 2 i32x4, 3 i64x2, 4 f32x4, 5 f64x2), floats with exact bits.</summary>
    private void LaneScalar(int shape, int depth)
    {
        switch (shape)
        {
            case < 3: Expr(depth); break;
            case 3: I64Expr(depth); break;
            default: MakeExact(shape == 5, FloatExpr(shape == 5, depth)); break;
        }
    }

    /// <summary>[] -> [v128].</summary>
    private void V128Expr(int depth = 0)
    {
        int kind = depth > 3 ? _rng.Next(3) : _rng.Next(19);
        switch (kind)
        {
            case 0: V128Const(); break;
            case 1: Op(0x20, V128Local()); break;
            case 2: LoadV128(); break;
            case 3: case 4: case 5: V128Expr(depth + 1); V128Expr(depth + 1); Simd(V128Binary[_rng.Next(V128Binary.Length)]); break;
            case 6: case 7: V128Expr(depth + 1); Simd(V128Unary[_rng.Next(V128Unary.Length)]); break;
            case 8: // a shift by any count (the lane width masks it)
                V128Expr(depth + 1);
                if (_rng.Next(2) == 0) Expr(depth + 1); else { Emit(0x41); Add(S64(_rng.Next(0, 70))); }
                Simd(V128Shifts[_rng.Next(V128Shifts.Length)]);
                break;
            case 9: case 10: // float lane arithmetic, its NaNs canonicalised
            {
                bool f64 = _rng.Next(2) == 0;
                if (_rng.Next(2) == 0) { V128Expr(depth + 1); var ops = f64 ? F64x2Unary : F32x4Unary; Simd(ops[_rng.Next(ops.Length)]); }
                else { V128Expr(depth + 1); V128Expr(depth + 1); var ops = f64 ? F64x2Binary : F32x4Binary; Simd(ops[_rng.Next(ops.Length)]); }
                CanonicaliseLanes(f64);
                break;
            }
            case 11: // splat: i8x16 0x0F .. f64x2 0x14
            {
                int shape = _rng.Next(6);
                LaneScalar(shape, depth + 1); Simd(0x0F + shape);
                break;
            }
            case 12: // replace_lane: i8x16 0x17, i16x8 0x1A, i32x4 0x1C, i64x2 0x1E, f32x4 0x20, f64x2 0x22
            {
                int shape = _rng.Next(6);
                V128Expr(depth + 1); LaneScalar(shape, depth + 1);
                Simd(new[] { 0x17, 0x1A, 0x1C, 0x1E, 0x20, 0x22 }[shape]); Emit((byte)_rng.Next(new[] { 16, 8, 4, 2, 4, 2 }[shape]));
                break;
            }
            case 13: V128Expr(depth + 1); V128Expr(depth + 1); V128Expr(depth + 1); Simd(0x52); break; // bitselect
            case 14: // shuffle: lane indices into both operands
            {
                V128Expr(depth + 1); V128Expr(depth + 1);
                Simd(0x0D);
                var lanes = new byte[16];
                for (int i = 0; i < 16; i++) lanes[i] = (byte)_rng.Next(32);
                Add(lanes);
                break;
            }
            case 15: // a lane loaded into a vector: load8/16/32/64_lane
            {
                int log2 = _rng.Next(4), size = 1 << log2;
                Address(log2); V128Expr(depth + 1); SimdMem(0x54 + log2, (byte)log2, (uint)(_rng.Next(2) * size)); Emit((byte)_rng.Next(16 / size));
                break;
            }
            case 16: V128Expr(depth + 1); V128Expr(depth + 1); Condition(depth + 1); Emit(0x1B); break; // select
            case 17: // a result through a block's br_if
                Emit(0x02, 0x7B); V128Expr(depth + 1); Condition(depth + 1); Emit(0x0D, 0x00); Emit(0x1A); V128Expr(depth + 1); Emit(0x0B);
                break;
            default: V128Expr(depth + 1); Op(0x22, V128Local()); break; // tee
        }
    }

    /// <summary>[] -> [i32]: a lane, or a test (any_true, all_true, bitmask).</summary>
    private void V128ToI32(int depth)
    {
        V128Expr(depth + 1);
        if (_rng.Next(2) == 0) { Simd(V128Tests[_rng.Next(V128Tests.Length)]); return; }
        var (op, lanes) = I32Extracts[_rng.Next(I32Extracts.Length)];
        Simd(op); Emit((byte)_rng.Next(lanes));
    }

    /// <summary>[v128] -> []: into a variable, or into the sum that is part of the result.</summary>
    private void V128Sink()
    {
        if (_rng.Next(2) == 0) { Op(0x21, V128Local()); return; }
        Op(0x20, VSum); Simd(_rng.Next(2) == 0 ? 0x51 : 0xAE); Op(0x21, VSum); // xor, or i32x4.add
    }

    private void V128Statement()
    {
        // There are many SIMD operations, each with its own corner cases: a burst of them on edge values is cheap.
        if (_rng.Next(2) == 0)
        {
            for (int i = 0, n = _rng.Next(2, 9); i < n; i++) V128Kernel();
            return;
        }
        switch (_rng.Next(_depth > 3 ? 7 : 9))
        {
            case 0: case 1: V128Expr(); Op(0x21, V128Local()); break;
            case 2: // a frame variable (fp + 0 or 16), often read back at once in some way
            {
                uint at = (uint)_rng.Next(2) * 16;
                Op(0x20, Fp); V128Expr(1); SimdMem(0x0B, 4, at);
                if (_rng.Next(2) == 0)
                {
                    var (op, align, size) = V128Loads[_rng.Next(V128Loads.Length)];
                    Op(0x20, Fp); SimdMem(op, align, at + (uint)_rng.Next(16 / size) * (uint)size); V128Sink();
                }
                break;
            }
            case 3: Address(4); V128Expr(1); SimdMem(0x0B, 4, (uint)_rng.Next(2) * 16); break; // a store at a random address
            case 4: // one lane stored: store8/16/32/64_lane
            {
                int log2 = _rng.Next(4), size = 1 << log2;
                if (_rng.Next(2) == 0) Address(log2); else Op(0x20, Fp);
                V128Expr(1); SimdMem(0x58 + log2, (byte)log2, (uint)(_rng.Next(4) * size)); Emit((byte)_rng.Next(16 / size));
                break;
            }
            case 5: // a v128 array: base + (index << 4), read or written
                Address(4);
                if (_rng.Next(2) == 0) { SimdMem(0x00, 4, 0); V128Sink(); }
                else { V128Expr(1); SimdMem(0x0B, 4, 0); }
                break;
            case 6: LoadV128(); V128Sink(); break;
            case 7: // branch on a test of a vector
                V128ToI32(1); Emit(0x04, 0x40); Block(); if (_rng.Next(2) == 0) { Emit(0x05); Block(); } Emit(0x0B);
                break;
            default: // a vector through a block's result into a variable
                Emit(0x02, 0x7B); V128Expr(1); Condition(); Emit(0x0D, 0x00); Emit(0x1A); V128Expr(1); Emit(0x0B);
                V128Sink();
                break;
        }
    }
}
