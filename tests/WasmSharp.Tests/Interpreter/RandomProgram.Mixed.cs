using static WasmSharp.Tests.Binary.WasmBuilder;

namespace WasmSharp.Tests.Interpreter;

/// <summary>Where the types meet: i32 values made from the others (comparisons, conversions, lanes), conditions on
/// them, and the typed locals' first values and their part of the result.</summary>
internal sealed partial class RandomProgram
{
    /// <summary>[] -> [i32] from another type's values, or an i32 operation Expr leaves out.</summary>
    private void TypedToI32(int depth)
    {
        switch (_rng.Next(12))
        {
            case 0: case 1: I64Compare(depth); break;
            case 2: I64Expr(depth + 1); Emit(0xA7); break;                             // wrap
            case 3: case 4: FloatCompare(_rng.Next(2) == 0, depth); break;
            case 5: TruncToInt(toI64: false, depth); break;
            case 6: MakeExact(false, FloatExpr(false, depth + 1)); Emit(0xBC); break;   // i32.reinterpret_f32
            case 7: MakeExact(true, FloatExpr(true, depth + 1)); Emit(0xBD); FoldI64(); break;
            case 8: case 9: V128ToI32(depth); break;
            case 10: // clz ctz popcnt extend8_s extend16_s
                Expr(depth + 1); Emit(new byte[] { 0x67, 0x68, 0x69, 0xC0, 0xC1 }[_rng.Next(5)]);
                break;
            default: // ne gt_s gt_u le_u ge_s ge_u rotr, and div_u, rem_s (their divisor made odd three times in four)
            {
                byte[] ops = [0x47, 0x4A, 0x4B, 0x4D, 0x4E, 0x4F, 0x78, 0x6E, 0x6F];
                byte op = ops[_rng.Next(ops.Length)];
                Expr(depth + 1); Expr(depth + 1);
                if (op is 0x6E or 0x6F && _rng.Next(4) != 0) { Emit(0x41, 0x01); Emit(0x72); }
                Emit(op);
                break;
            }
        }
    }

    /// <summary>[] -> [i64] from another type's values.</summary>
    private void TypedToI64(int depth)
    {
        switch (_rng.Next(3))
        {
            case 0: TruncToInt(toI64: true, depth); break;
            case 1: MakeExact(true, FloatExpr(true, depth + 1)); Emit(0xBD); break;    // i64.reinterpret_f64
            default: V128Expr(depth + 1); Simd(0x1D); Emit((byte)_rng.Next(2)); break; // i64x2.extract_lane
        }
    }

    /// <summary>[] -> [i32]: a condition on another type's values (compare-and-branch on i64 and floats), sometimes
    /// masked with 1 as -O0 does.</summary>
    private void TypedCondition(int depth)
    {
        switch (_rng.Next(7))
        {
            case 0: case 1: case 2: I64Compare(depth); break;
            case 3: case 4: case 5: FloatCompare(_rng.Next(2) == 0, depth); break;
            default: V128ToI32(depth); break;
        }
        if (_rng.Next(5) == 0) { Emit(0x41, 0x01); Emit(0x71); }
    }

    /// <summary>A compare-and-branch whose direction shows in the result: <c>if (cond) sum += k</c> (with an else
    /// sometimes), or the same as an early exit from a block (br_if over the addition). <paramref name="compare"/>
    /// pushes the condition.</summary>
    private void BranchKernel(Action compare)
    {
        void AddToSum() { Op(0x20, ScanSum); Emit(0x41); Add(S64(_rng.Next(1, 1 << 20))); Emit(0x6A); Op(0x21, ScanSum); }
        if (_rng.Next(2) == 0)
        {
            compare(); Emit(0x04, 0x40); AddToSum();
            if (_rng.Next(2) == 0) { Emit(0x05); AddToSum(); }
            Emit(0x0B);
        }
        else
        {
            Emit(0x02, 0x40); compare(); Emit(0x0D, 0x00); AddToSum(); Emit(0x0B);
        }
    }

    /// <summary>The typed variables start from the params (not all zero, which would hide a wrong read).</summary>
    private void InitTypedLocals()
    {
        for (uint l = 0; l < I64Locals; l++)
        {
            Op(0x20, l % Params); Emit(l % 2 == 0 ? (byte)0xAC : (byte)0xAD); I64Const(I64Value()); Emit(0x85); Op(0x21, FirstI64 + l);
        }
        for (uint l = 0; l < F32Locals + F64Locals; l++)
        {
            bool f64 = l >= F32Locals;
            Op(0x20, l % Params); Emit(F(f64, 0xB2, 5)); FloatConstBits(f64, FloatBits(f64)); Emit(F(f64, 0x94, 14));
            Op(0x21, (uint)(f64 ? FirstF64 - F32Locals : FirstF32) + l);
        }
        for (uint l = 0; l < V128Locals; l++)
        {
            V128Const(); Op(0x20, l % Params); Simd(0x11); Simd(0x51); Op(0x21, FirstV128 + l); // const ^ splat(param)
        }
    }

    /// <summary>[i32] -> [i32]: every typed variable and accumulator mixed into the result (floats canonicalised:
    /// they may hold NaNs of open bits).</summary>
    private void FoldTypedLocals()
    {
        void Mix() { Emit(0x73); Emit(0x41, 13); Emit(0x77); } // xor, rotl 13
        for (uint l = FirstI64; l <= Sum64; l++) { Op(0x20, l); FoldI64(); Mix(); }
        for (uint l = FirstF32; l < FirstF32 + F32Locals; l++) { Op(0x20, l); Canonicalise(false); Emit(0xBC); Mix(); }
        for (uint l = FirstF64; l < FirstF64 + F64Locals; l++) { Op(0x20, l); Canonicalise(true); Emit(0xBD); FoldI64(); Mix(); }
        for (uint l = FirstV128; l <= VSum; l++)
            for (byte lane = 0; lane < 4; lane++) { Op(0x20, l); Simd(0x1B); Emit(lane); Mix(); }
    }
}
