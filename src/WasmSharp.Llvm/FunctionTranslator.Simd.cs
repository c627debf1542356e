using WasmSharp.Binary;
using WasmSharp.Llvm.Native;
using WasmSharp.Validation;
using static WasmSharp.Llvm.Native.LlvmApi;

namespace WasmSharp.Llvm;

/// <summary>
/// The SIMD instructions (prefix 0xFD) as LLVM vector operations. A v128 is an LLVM <c>&lt;4 x i32&gt;</c> on the
/// operand stack, reinterpreted (a free bitcast) as the shape an instruction names: i8x16, i16x8, i32x4, i64x2,
/// f32x4 or f64x2. What each opcode is comes from the validator's table (<see cref="SimdOpcodes"/>, generated from
/// the instruction table): its text name says the shape and the operation, its immediate kind and alignment say
/// how to decode it, so this file holds only the semantics.
/// </summary>
internal sealed unsafe partial class FunctionTranslator
{
    private readonly record struct Shape(nint Element, int Lanes, int Bits, bool Float);

    private Shape ShapeOf(string name) => name switch
    {
        "i8x16" => new(_m.I8, 16, 8, false),
        "i16x8" => new(_m.I16, 8, 16, false),
        "i32x4" or "v128" => new(_m.I32, 4, 32, false),
        "i64x2" => new(_m.I64, 2, 64, false),
        "f32x4" => new(_m.F32, 4, 32, true),
        "f64x2" => new(_m.F64, 2, 64, true),
        _ => throw new InvalidOperationException($"no vector shape {name}"),
    };

    private nint VectorType(Shape s) => LLVMVectorType(s.Element, (uint)s.Lanes);
    private nint VectorType(nint element, int lanes) => LLVMVectorType(element, (uint)lanes);

    /// <summary>A v128 from the stack, as a vector of <paramref name="s"/>.</summary>
    private nint PopVector(Shape s) => LLVMBuildCast(_b, LLVMOpcode.BitCast, Pop(ValueType.V128), VectorType(s), "");

    private void PushVector(nint v) => Push(LLVMBuildCast(_b, LLVMOpcode.BitCast, v, _m.V128, ""), ValueType.V128);

    private nint Splat(nint scalar, Shape s) => Splat(scalar, s.Element, s.Lanes);

    private nint Splat(nint scalar, nint element, int lanes)
    {
        nint v = LLVMBuildInsertElement(_b, LLVMGetUndef(VectorType(element, lanes)), scalar, Const(ValueType.I32, 0), "");
        return Shuffle(v, v, new int[lanes]);
    }

    private nint Shuffle(nint a, nint b, int[] lanes)
    {
        var mask = lanes.Select(l => LLVMConstInt(_m.I32, (ulong)l, 0)).ToArray();
        fixed (nint* m = mask) return LLVMBuildShuffleVector(_b, a, b, LLVMConstVector(m, (uint)mask.Length), "");
    }

    private nint Call(string intrinsic, nint type, params nint[] args) => CallWithTypes(intrinsic, [type], args);

    private nint CallWithTypes(string intrinsic, nint[] overloads, nint[] args)
    {
        var (fn, fnType) = overloads.Length switch
        {
            0 => _m.Intrinsic(intrinsic),
            1 => _m.Intrinsic(intrinsic, overloads[0]),
            2 => _m.Intrinsic(intrinsic, overloads[0], overloads[1]),
            _ => _m.Intrinsic(intrinsic, overloads[0], overloads[1], overloads[2]),
        };
        fixed (nint* a = args) return LLVMBuildCall2(_b, fnType, fn, a, (uint)args.Length, "");
    }

    private nint Ext(nint v, nint type, bool signed) => LLVMBuildCast(_b, signed ? LLVMOpcode.SExt : LLVMOpcode.ZExt, v, type, "");

    /// <summary>The low or high half of a vector's lanes.</summary>
    private nint Half(nint v, int lanes, bool high) =>
        Shuffle(v, v, Enumerable.Range(high ? lanes / 2 : 0, lanes / 2).ToArray());

    /// <summary>A SIMD instruction, its operands on the stack: its memarg's offset, its lane and its memory in
    /// <paramref name="immediates"/>, its 16 bytes of immediate (v128.const, i8x16.shuffle) in
    /// <paramref name="low"/> and <paramref name="high"/>.</summary>
    private void Simd(in SimdOpInfo info, ReadOnlySpan<int> immediates, ulong low, ulong high)
    {
        string name = info.Name;
        int dot = name.IndexOf('.');
        string shapeName = name[..dot], op = name[(dot + 1)..];

        switch (info.Immediate)
        {
            // The memory index last: [offset, memory] or [offset, lane, memory].
            case SimdImmediate.MemArg: _memory = immediates[1]; SimdMemory((uint)immediates[0], name); return;
            case SimdImmediate.MemArgLane: _memory = immediates[2]; SimdLaneMemory((uint)immediates[0], immediates[1], name); return;
            case SimdImmediate.Bytes16:
            {
                var words = new nint[4];
                for (int i = 0; i < 4; i++) words[i] = LLVMConstInt(_m.I32, (uint)((i < 2 ? low : high) >> (i % 2 * 32)), 0);
                fixed (nint* w = words) Push(LLVMConstVector(w, 4), ValueType.V128);
                return;
            }
            case SimdImmediate.Shuffle:
            {
                var lanes = Enumerable.Range(0, 16).Select(i => (int)((i < 8 ? low : high) >> (i % 8 * 8)) & 0xFF).ToArray();
                var s8 = ShapeOf("i8x16");
                nint b2 = PopVector(s8), a2 = PopVector(s8);
                PushVector(Shuffle(a2, b2, lanes));
                return;
            }
            case SimdImmediate.Lane:
            {
                int lane = immediates[0];
                var s = ShapeOf(shapeName);
                nint index = Const(ValueType.I32, (ulong)lane);
                if (op.StartsWith("replace_lane", StringComparison.Ordinal))
                {
                    var scalarType = info.Params[1];
                    nint x = Pop(scalarType);
                    if (!s.Float && s.Bits < 32) x = LLVMBuildCast(_b, LLVMOpcode.Trunc, x, s.Element, "");
                    PushVector(LLVMBuildInsertElement(_b, PopVector(s), x, index, ""));
                }
                else
                {
                    nint e = LLVMBuildExtractElement(_b, PopVector(s), index, "");
                    if (!s.Float && s.Bits < 32) e = Ext(e, _m.I32, signed: op.EndsWith("_s", StringComparison.Ordinal));
                    Push(e, info.Result!.Value);
                }
                return;
            }
        }
        SimdOperation(shapeName, op, info, name);
    }

    private void SimdOperation(string shapeName, string op, SimdOpInfo info, string name)
    {
        if (shapeName == "v128") { Bitwise(op); return; }
        var s = ShapeOf(shapeName);
        nint vt = VectorType(s);
        nint Zero(Shape z) => LLVMConstNull(VectorType(z));

        // Comparisons: a lane of all ones where it holds.
        string[] intCompares = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
        LLVMIntPredicate[] intPredicates =
        [
            LLVMIntPredicate.EQ, LLVMIntPredicate.NE, LLVMIntPredicate.SLT, LLVMIntPredicate.ULT, LLVMIntPredicate.SGT,
            LLVMIntPredicate.UGT, LLVMIntPredicate.SLE, LLVMIntPredicate.ULE, LLVMIntPredicate.SGE, LLVMIntPredicate.UGE,
        ];
        string[] floatCompares = ["eq", "ne", "lt", "gt", "le", "ge"];
        if (info.Params.Length == 2 && info.Params[1] == ValueType.V128 && (s.Float ? Array.IndexOf(floatCompares, op) : Array.IndexOf(intCompares, op)) is >= 0 and var k)
        {
            nint b = PopVector(s), a = PopVector(s);
            nint c = s.Float ? LLVMBuildFCmp(_b, FloatPredicates[k], a, b, "") : LLVMBuildICmp(_b, intPredicates[k], a, b, "");
            var mask = new Shape(s.Float ? (s.Bits == 32 ? _m.I32 : _m.I64) : s.Element, s.Lanes, s.Bits, false);
            PushVector(LLVMBuildCast(_b, LLVMOpcode.SExt, c, VectorType(mask), ""));
            return;
        }

        switch (op)
        {
            case "splat":
            {
                nint x = Pop(info.Params[0]);
                if (!s.Float && s.Bits < 32) x = LLVMBuildCast(_b, LLVMOpcode.Trunc, x, s.Element, "");
                PushVector(Splat(x, s));
                return;
            }
            case "add" or "sub" or "mul" or "div":
            {
                nint b = PopVector(s), a = PopVector(s);
                LLVMOpcode code = (op, s.Float) switch
                {
                    ("add", false) => LLVMOpcode.Add, ("sub", false) => LLVMOpcode.Sub, ("mul", false) => LLVMOpcode.Mul,
                    ("add", true) => LLVMOpcode.FAdd, ("sub", true) => LLVMOpcode.FSub, ("mul", true) => LLVMOpcode.FMul,
                    _ => LLVMOpcode.FDiv,
                };
                PushVector(LLVMBuildBinOp(_b, code, a, b, ""));
                return;
            }
            case "neg":
            {
                nint a = PopVector(s);
                PushVector(s.Float ? LLVMBuildFNeg(_b, a, "") : LLVMBuildBinOp(_b, LLVMOpcode.Sub, Zero(s), a, ""));
                return;
            }
            case "abs":
                PushVector(s.Float ? Call("llvm.fabs", vt, PopVector(s)) : Call("llvm.abs", vt, PopVector(s), LLVMConstInt(_m.I1, 0, 0)));
                return;
            case "sqrt" or "ceil" or "floor" or "trunc" or "nearest":
                PushVector(Call(op == "nearest" ? "llvm.roundeven" : "llvm." + op, vt, PopVector(s)));
                return;
            case "min" or "max":
            {
                nint b = PopVector(s), a = PopVector(s);
                PushVector(Quiet(Call(op == "min" ? "llvm.minimum" : "llvm.maximum", vt, a, b), s.Bits == 32, s.Lanes));
                return;
            }
            case "pmin" or "pmax":
            {
                // pmin: b < a ? b : a; pmax: a < b ? b : a (the operand order decides NaNs and zeros' signs).
                nint b = PopVector(s), a = PopVector(s);
                nint c = op == "pmin" ? LLVMBuildFCmp(_b, LLVMRealPredicate.OLT, b, a, "") : LLVMBuildFCmp(_b, LLVMRealPredicate.OLT, a, b, "");
                PushVector(LLVMBuildSelect(_b, c, b, a, ""));
                return;
            }
            case "min_s" or "min_u" or "max_s" or "max_u":
            {
                nint b = PopVector(s), a = PopVector(s);
                PushVector(Call("llvm." + (op[..3] == "min" ? (op[4] == 's' ? "smin" : "umin") : (op[4] == 's' ? "smax" : "umax")), vt, a, b));
                return;
            }
            case "add_sat_s" or "add_sat_u" or "sub_sat_s" or "sub_sat_u":
            {
                nint b = PopVector(s), a = PopVector(s);
                PushVector(Call($"llvm.{(op[^1] == 's' ? 's' : 'u')}{op[..3]}.sat", vt, a, b));
                return;
            }
            case "avgr_u":
            {
                // (a + b + 1) / 2 without overflow: in lanes twice as wide.
                nint b = PopVector(s), a = PopVector(s);
                nint wide = VectorType(IntOfBits(s.Bits * 2), s.Lanes);
                nint sum = LLVMBuildBinOp(_b, LLVMOpcode.Add, LLVMBuildBinOp(_b, LLVMOpcode.Add, Ext(a, wide, false), Ext(b, wide, false), ""),
                    Splat(LLVMConstInt(IntOfBits(s.Bits * 2), 1, 0), IntOfBits(s.Bits * 2), s.Lanes), "");
                nint half = LLVMBuildBinOp(_b, LLVMOpcode.LShr, sum, Splat(LLVMConstInt(IntOfBits(s.Bits * 2), 1, 0), IntOfBits(s.Bits * 2), s.Lanes), "");
                PushVector(LLVMBuildCast(_b, LLVMOpcode.Trunc, half, vt, ""));
                return;
            }
            case "shl" or "shr_s" or "shr_u":
            {
                nint count = Pop(ValueType.I32);
                count = LLVMBuildBinOp(_b, LLVMOpcode.And, count, Const(ValueType.I32, (ulong)(s.Bits - 1)), "");
                count = s.Bits == 64 ? LLVMBuildCast(_b, LLVMOpcode.ZExt, count, _m.I64, "") : s.Bits < 32 ? LLVMBuildCast(_b, LLVMOpcode.Trunc, count, s.Element, "") : count;
                nint a = PopVector(s);
                PushVector(LLVMBuildBinOp(_b, op == "shl" ? LLVMOpcode.Shl : op == "shr_s" ? LLVMOpcode.AShr : LLVMOpcode.LShr, a, Splat(count, s), ""));
                return;
            }
            case "popcnt": PushVector(Call("llvm.ctpop", vt, PopVector(s))); return;
            case "all_true":
            {
                nint nonzero = LLVMBuildICmp(_b, LLVMIntPredicate.NE, PopVector(s), Zero(s), "");
                nint all = Call("llvm.vector.reduce.and", VectorType(_m.I1, s.Lanes), nonzero);
                Push(LLVMBuildCast(_b, LLVMOpcode.ZExt, all, _m.I32, ""), ValueType.I32);
                return;
            }
            case "bitmask":
            {
                nint negative = LLVMBuildICmp(_b, LLVMIntPredicate.SLT, PopVector(s), Zero(s), "");
                nint bits = LLVMBuildCast(_b, LLVMOpcode.BitCast, negative, IntOfBits(s.Lanes), "");
                Push(LLVMBuildCast(_b, LLVMOpcode.ZExt, bits, _m.I32, ""), ValueType.I32);
                return;
            }
        }

        if (op.StartsWith("narrow_", StringComparison.Ordinal))
        {
            // i8x16.narrow_i16x8_s/u, i16x8.narrow_i32x4_s/u: both inputs' lanes, clamped, then truncated.
            var from = ShapeOf(op[7..12]);
            nint b = PopVector(from), a = PopVector(from);
            nint both = Shuffle(a, b, Enumerable.Range(0, from.Lanes * 2).ToArray());
            nint wideType = VectorType(from.Element, from.Lanes * 2);
            bool signed = op[^1] == 's';
            long low = signed ? -(1L << (s.Bits - 1)) : 0, high = signed ? (1L << (s.Bits - 1)) - 1 : (1L << s.Bits) - 1;
            nint clamped = Call("llvm.smax", wideType, Call("llvm.smin", wideType, both, Splat(LLVMConstInt(from.Element, (ulong)high, 1), from.Element, from.Lanes * 2)),
                Splat(LLVMConstInt(from.Element, (ulong)low, 1), from.Element, from.Lanes * 2));
            PushVector(LLVMBuildCast(_b, LLVMOpcode.Trunc, clamped, vt, ""));
            return;
        }
        if (op.StartsWith("extend_", StringComparison.Ordinal))
        {
            // extend_low/high_<from>_s/u
            var from = ShapeOf(op.Split('_')[2]);
            nint a = PopVector(from);
            PushVector(Ext(Half(a, from.Lanes, op.Contains("high")), vt, op[^1] == 's'));
            return;
        }
        if (op.StartsWith("extmul_", StringComparison.Ordinal))
        {
            var from = ShapeOf(op.Split('_')[2]);
            bool high = op.Contains("high"), signed = op[^1] == 's';
            nint b = PopVector(from), a = PopVector(from);
            PushVector(LLVMBuildBinOp(_b, LLVMOpcode.Mul, Ext(Half(a, from.Lanes, high), vt, signed), Ext(Half(b, from.Lanes, high), vt, signed), ""));
            return;
        }
        if (op.StartsWith("extadd_pairwise_", StringComparison.Ordinal))
        {
            var from = ShapeOf(op.Split('_')[2]);
            bool signed = op[^1] == 's';
            nint a = PopVector(from);
            nint even = Shuffle(a, a, Enumerable.Range(0, s.Lanes).Select(i => 2 * i).ToArray());
            nint odd = Shuffle(a, a, Enumerable.Range(0, s.Lanes).Select(i => 2 * i + 1).ToArray());
            PushVector(LLVMBuildBinOp(_b, LLVMOpcode.Add, Ext(even, vt, signed), Ext(odd, vt, signed), ""));
            return;
        }
        switch (name)
        {
            case "i16x8.q15mulr_sat_s":
            {
                // (a * b + 2^14) >> 15, saturated: only -32768 * -32768 overflows.
                nint b = PopVector(s), a = PopVector(s);
                nint wide = VectorType(_m.I32, 8);
                nint product = LLVMBuildBinOp(_b, LLVMOpcode.Mul, Ext(a, wide, true), Ext(b, wide, true), "");
                nint rounded = LLVMBuildBinOp(_b, LLVMOpcode.AShr,
                    LLVMBuildBinOp(_b, LLVMOpcode.Add, product, Splat(LLVMConstInt(_m.I32, 0x4000, 0), _m.I32, 8), ""),
                    Splat(LLVMConstInt(_m.I32, 15, 0), _m.I32, 8), "");
                nint clamped = Call("llvm.smin", wide, rounded, Splat(LLVMConstInt(_m.I32, 0x7FFF, 0), _m.I32, 8));
                PushVector(LLVMBuildCast(_b, LLVMOpcode.Trunc, clamped, vt, ""));
                return;
            }
            case "i32x4.dot_i16x8_s":
            {
                var from = ShapeOf("i16x8");
                nint b = PopVector(from), a = PopVector(from);
                nint wide = VectorType(_m.I32, 8);
                nint product = LLVMBuildBinOp(_b, LLVMOpcode.Mul, Ext(a, wide, true), Ext(b, wide, true), "");
                nint even = Shuffle(product, product, [0, 2, 4, 6]), odd = Shuffle(product, product, [1, 3, 5, 7]);
                PushVector(LLVMBuildBinOp(_b, LLVMOpcode.Add, even, odd, ""));
                return;
            }
            case "i8x16.swizzle":
            {
                // A lane index of 16 or more selects 0: pshufb zeroes a lane whose index has its top bit set.
                var s8 = ShapeOf("i8x16");
                nint indices = PopVector(s8), a = PopVector(s8);
                nint outside = LLVMBuildICmp(_b, LLVMIntPredicate.UGE, indices, Splat(LLVMConstInt(_m.I8, 16, 0), s8), "");
                nint fixedIndices = LLVMBuildSelect(_b, outside, Splat(LLVMConstInt(_m.I8, 0x80, 0), s8), indices, "");
                PushVector(CallWithTypes("llvm.x86.ssse3.pshuf.b.128", [], [a, fixedIndices]));
                return;
            }
            case "f32x4.convert_i32x4_s" or "f32x4.convert_i32x4_u":
                PushVector(LLVMBuildCast(_b, name[^1] == 's' ? LLVMOpcode.SIToFP : LLVMOpcode.UIToFP, PopVector(ShapeOf("i32x4")), vt, ""));
                return;
            case "f64x2.convert_low_i32x4_s" or "f64x2.convert_low_i32x4_u":
                PushVector(LLVMBuildCast(_b, name[^1] == 's' ? LLVMOpcode.SIToFP : LLVMOpcode.UIToFP, Half(PopVector(ShapeOf("i32x4")), 4, false), vt, ""));
                return;
            case "i32x4.trunc_sat_f32x4_s" or "i32x4.trunc_sat_f32x4_u":
                PushVector(CallWithTypes(name[^1] == 's' ? "llvm.fptosi.sat" : "llvm.fptoui.sat", [vt, VectorType(ShapeOf("f32x4"))], [PopVector(ShapeOf("f32x4"))]));
                return;
            case "i32x4.trunc_sat_f64x2_s_zero" or "i32x4.trunc_sat_f64x2_u_zero":
            {
                nint pair = VectorType(_m.I32, 2);
                nint two = CallWithTypes(name.Contains("_s_") ? "llvm.fptosi.sat" : "llvm.fptoui.sat", [pair, VectorType(ShapeOf("f64x2"))], [PopVector(ShapeOf("f64x2"))]);
                PushVector(Shuffle(two, LLVMConstNull(pair), [0, 1, 2, 3]));
                return;
            }
            case "f32x4.demote_f64x2_zero":
            {
                nint pair = VectorType(_m.F32, 2);
                nint two = Quiet(LLVMBuildCast(_b, LLVMOpcode.FPTrunc, PopVector(ShapeOf("f64x2")), pair, ""), true, 2);
                PushVector(Shuffle(two, LLVMConstNull(pair), [0, 1, 2, 3]));
                return;
            }
            case "f64x2.promote_low_f32x4":
                PushVector(Quiet(LLVMBuildCast(_b, LLVMOpcode.FPExt, Half(PopVector(ShapeOf("f32x4")), 4, false), vt, ""), false, 2));
                return;
        }
        throw new NotSupportedException($"SIMD instruction {name}");
    }

    /// <summary>v128.not, and, andnot, or, xor, bitselect, any_true.</summary>
    private void Bitwise(string op)
    {
        var s = ShapeOf("v128");
        nint ones = LLVMConstAllOnes(VectorType(s));
        switch (op)
        {
            case "not": PushVector(LLVMBuildBinOp(_b, LLVMOpcode.Xor, PopVector(s), ones, "")); return;
            case "any_true":
            {
                nint wide = LLVMBuildCast(_b, LLVMOpcode.BitCast, PopVector(s), IntOfBits(128), "");
                Push(LLVMBuildCast(_b, LLVMOpcode.ZExt, LLVMBuildICmp(_b, LLVMIntPredicate.NE, wide, LLVMConstNull(IntOfBits(128)), ""), _m.I32, ""), ValueType.I32);
                return;
            }
            case "bitselect":
            {
                nint mask = PopVector(s), b = PopVector(s), a = PopVector(s);
                nint fromA = LLVMBuildBinOp(_b, LLVMOpcode.And, a, mask, "");
                nint fromB = LLVMBuildBinOp(_b, LLVMOpcode.And, b, LLVMBuildBinOp(_b, LLVMOpcode.Xor, mask, ones, ""), "");
                PushVector(LLVMBuildBinOp(_b, LLVMOpcode.Or, fromA, fromB, ""));
                return;
            }
        }
        nint y = PopVector(s), x = PopVector(s);
        PushVector(op switch
        {
            "and" => LLVMBuildBinOp(_b, LLVMOpcode.And, x, y, ""),
            "andnot" => LLVMBuildBinOp(_b, LLVMOpcode.And, x, LLVMBuildBinOp(_b, LLVMOpcode.Xor, y, ones, ""), ""),
            "or" => LLVMBuildBinOp(_b, LLVMOpcode.Or, x, y, ""),
            "xor" => LLVMBuildBinOp(_b, LLVMOpcode.Xor, x, y, ""),
            _ => throw new NotSupportedException($"SIMD instruction v128.{op}"),
        });
    }

    /// <summary>v128.load and store, the extending loads, the splat loads and load32/64_zero.</summary>
    private void SimdMemory(uint offset, string name)
    {
        if (name == "v128.store")
        {
            nint v = Pop(ValueType.V128);
            StoreAt(Address(offset, 16), v);
            return;
        }
        SimdLoad(offset, name);
    }

    private void SimdLoad(uint offset, string name)
    {
        switch (name)
        {
            case "v128.load": PushVector(LoadAt(offset, _m.V128, 16)); return;
            case "v128.load32_zero" or "v128.load64_zero":
            {
                int bytes = name == "v128.load32_zero" ? 4 : 8;
                nint element = IntOfBits(bytes * 8);
                nint x = LoadAt(offset, element, bytes);
                PushVector(LLVMBuildInsertElement(_b, LLVMConstNull(VectorType(element, 16 / bytes)), x, Const(ValueType.I32, 0), ""));
                return;
            }
        }
        string op = name[5..]; // after "v128."
        if (op.EndsWith("_splat", StringComparison.Ordinal))
        {
            int bits = int.Parse(op[4..^6]);
            nint element = IntOfBits(bits);
            PushVector(Splat(LoadAt(offset, element, bits / 8), element, 128 / bits));
            return;
        }
        // load8x8_s/u, load16x4_s/u, load32x2_s/u: 8 bytes, each lane widened.
        int from = int.Parse(op[4..op.IndexOf('x')]);
        int lanes = 64 / from;
        nint narrow = LoadAt(offset, VectorType(IntOfBits(from), lanes), 8);
        PushVector(Ext(narrow, VectorType(IntOfBits(from * 2), lanes), op[^1] == 's'));
    }

    /// <summary>v128.load8/16/32/64_lane and store8/16/32/64_lane: one lane from or to memory.</summary>
    private void SimdLaneMemory(uint offset, int laneIndex, string name)
    {
        bool load = name.StartsWith("v128.load", StringComparison.Ordinal);
        int bits = int.Parse(name[(load ? 9 : 10)..^5]);
        nint element = IntOfBits(bits);
        nint vt = VectorType(element, 128 / bits);
        nint v = LLVMBuildCast(_b, LLVMOpcode.BitCast, Pop(ValueType.V128), vt, "");
        nint address = Address(offset, bits / 8);
        nint lane = Const(ValueType.I32, (ulong)laneIndex);
        if (load)
        {
            PushVector(LLVMBuildInsertElement(_b, v, LoadFrom(address, element), lane, ""));
        }
        else StoreAt(address, LLVMBuildExtractElement(_b, v, lane, ""));
    }
}
