using static WasmSharp.Tests.Binary.WasmBuilder;

namespace WasmSharp.Tests.Interpreter;

/// <summary>
/// Generates valid modules of one (param i32 i32) (result i32) function with random control flow, locals,
/// arithmetic and memory accesses, in the shapes compilers emit (values through locals as -O0 does, phi moves,
/// compare-and-branch, address arithmetic), on i32, i64, f32, f64 and v128 values (the other types in the partial
/// files RandomProgram.I64, .Float and .Simd). Loops are bounded by a counter and memory accesses masked into the
/// first page, so every program terminates without trapping (except integer division and the trapping float
/// truncations, which may trap, and both engines must agree). Like clang -O0 output, the function keeps a frame in
/// linear memory below a stack-pointer global and reads and writes variables there (store then reload, x++ in
/// memory, loads in a row, narrow stores over wide slots).
/// Wasm leaves the payload and sign of a NaN an operation produces open, so no such bits may reach the result: a
/// float that may be one is canonicalised (see RandomProgram.Float) before its bits are observed.
/// </summary>
internal sealed partial class RandomProgram
{
    private readonly Random _rng;
    private readonly List<byte[]> _code = new();
    // Each loop has its own counter local, after the others: nested loops must not reset each other's.
    private const int Params = 2, Locals = 6, MaxLoops = 3, FirstCounter = Params + Locals;
    // Single-use locals, written once and read once as unoptimised code does, after the loop counters.
    private const int FirstFresh = FirstCounter + MaxLoops, MaxFresh = 60;
    // The frame pointer local: global 0 (the stack pointer, 2048) minus FrameSize, toggled by 4 now and then.
    private const int Fp = FirstFresh + MaxFresh, FrameSize = 32;
    /// <summary>The frame pointer as the disassembler prints it (locals are numbered after the params).</summary>
    public static readonly string FramePointerSlot = $"l{Fp - Params}";
    // Another local holding the frame's address (as a pointer to a frame variable would): stores through it alias.
    private const int FpAlias = Fp + 1;
    // The checksum loop's index and accumulator: every word random addresses reach is part of the result.
    private const int ScanIndex = FpAlias + 1, ScanSum = FpAlias + 2;
    // An array's address in a local (64 or 60), for base + (index << 2) accesses (<< 3 and << 4 for i64 and v128).
    private const int ArrayBase = FpAlias + 3;
    private const int I32Declared = ArrayBase + 1 - Params;
    // Locals of the other types, after the i32 ones: a few variables each, an accumulator (part of the result
    // whatever happens to the variables) and, for floats and v128, a scratch local for the canonicalisation of NaNs.
    private const int FirstI64 = ArrayBase + 1, I64Locals = 4, Sum64 = FirstI64 + I64Locals, I64Temp = Sum64 + 1;
    private const int FirstF32 = I64Temp + 1, F32Locals = 3, F32Temp = FirstF32 + F32Locals;
    private const int FirstF64 = F32Temp + 1, F64Locals = 3, F64Temp = FirstF64 + F64Locals;
    private const int FirstV128 = F64Temp + 1, V128Locals = 3, VSum = FirstV128 + V128Locals, V128Temp = VSum + 1;
    // The end of the checksummed memory: every byte the random accesses reach (an address below 4160, see Address,
    // plus an offset below 64, plus at most 16 bytes).
    private const int ScanEnd = 4240;
    // Loop counters kept in memory live above everything the random addresses reach.
    private const int CounterBase = 8192;
    private int _fresh;
    private int _depth;
    private int _loops;

    // Now and then an access at the end of the page: the last bytes in bounds, straddling the end, or just past it,
    // so that every load and store form's bounds check (fused ones included) decides a trap. Drawn from a generator
    // of their own, so that the other programs stay as they were.
    // One program in five does this, at one address in four (the others keep their whole run).
    private readonly Random _edgeRng;
    private readonly bool _edges;
    private const int PageEnd = 0x10000;
    // The array base: 64, or 60 in the programs that reach the end, so that base + (index << 3 or 4) can straddle it.
    private readonly int _arrayBase;

    private RandomProgram(int seed)
    {
        _rng = new Random(seed);
        _edgeRng = new Random(seed ^ 0x2545F491);
        _edges = _edgeRng.Next(5) == 0;
        _arrayBase = _edges ? 60 : 64;
    }

    private bool AtTheEnd() => _edges && _edgeRng.Next(4) == 0;

    /// <summary>(param i32 i32) (result i32), exported as "f", with one page of memory.</summary>
    public static byte[] Generate(int seed)
    {
        var g = new RandomProgram(seed);
        // Prologue: global.get sp; i32.const 32; i32.sub; local.tee fp; global.set sp
        g.Emit(0x23, 0x00); g.Emit(0x41); g.Add(S64(FrameSize)); g.Emit(0x6B); g.Op(0x22, Fp); g.Emit(0x24, 0x00);
        g.Op(0x20, Fp); g.Op(0x21, FpAlias);
        g.Emit(0x41); g.Add(S64(g._arrayBase)); g.Op(0x21, ArrayBase);
        g.InitTypedLocals();
        for (int i = 0, n = g._rng.Next(3, 14); i < n; i++) g.Statement();
        // Epilogue: the stack pointer back (fp + 32).
        g.Op(0x20, Fp); g.Emit(0x41); g.Add(S64(FrameSize)); g.Emit(0x6A); g.Emit(0x24, 0x00);
        // Result: every local, mixed, plus checksums of memory (the frame included) and the stack pointer.
        g.Op(0x20, (uint)0);
        for (uint l = 1; l < Params + Locals; l++) { g.Op(0x20, l); g.Emit(0x73); g.Emit(0x41, 31); g.Emit(0x77); }
        for (int a = 0; a < 64; a += 4) { g.Emit(0x41); g.Add(S64(a)); g.Emit(0x28, 0x02, 0x00); g.Emit(0x6A); }
        for (int a = 2048 - FrameSize - 4; a < 2048; a += 4) { g.Emit(0x41); g.Add(S64(a)); g.Emit(0x28, 0x02, 0x00); g.Emit(0x73); g.Emit(0x41, 7); g.Emit(0x77); }
        g.Emit(0x23, 0x00); g.Emit(0x6A);
        g.FoldTypedLocals();
        g.Emit(0x03, 0x40);
        g.Op(0x20, ScanSum); g.Emit(0x41, 0x05); g.Emit(0x77); g.Op(0x20, ScanIndex); g.Emit(0x28, 0x02, 0x00); g.Emit(0x73); g.Op(0x21, ScanSum);
        g.Op(0x20, ScanIndex); g.Emit(0x41, 0x04); g.Emit(0x6A); g.Op(0x22, ScanIndex); g.Emit(0x41); g.Add(S64(ScanEnd)); g.Emit(0x49); g.Emit(0x0D, 0x00);
        g.Emit(0x0B);
        g.Op(0x20, ScanSum); g.Emit(0x6A);
        var body = Cat([.. g._code, [0x0B]]);
        var locals = Vec(Cat(U32(I32Declared), [0x7F]), Cat(U32(I64Locals + 2), [0x7E]), Cat(U32(F32Locals + 1), [0x7D]),
            Cat(U32(F64Locals + 1), [0x7C]), Cat(U32(V128Locals + 2), [0x7B]));
        var func = Cat(locals, body);
        // Memory starts with arbitrary bytes where the program reads (not zeros, which would hide a load that reads
        // the wrong width or the wrong address: zero looks like zero).
        var data = new byte[8192];
        new Random(seed ^ 0x5BD1E995).NextBytes(data);
        return Module(
            Section(1, Vec(Cat([0x60], Vec([0x7F], [0x7F]), Vec([0x7F])))),
            Section(3, Vec(U32(0))),
            Section(5, Vec([0x00, 0x01])),
            Section(6, Vec(Cat([0x7F, 0x01, 0x41], S64(2048), [0x0B]))),
            Section(7, Vec(Cat(Name("f"), [0x00], U32(0)))),
            Section(10, Vec(Cat(U32((uint)func.Length), func))),
            Section(11, Vec(Cat([0x00, 0x41, 0x00, 0x0B], U32((uint)data.Length), data))));
    }

    private void Emit(params byte[] b) => _code.Add(b);
    private void Add(byte[] b) => _code.Add(b);
    private void Op(byte op, uint imm) => _code.Add(Cat([op], U32(imm)));
    private void Op(byte op, int imm) => Op(op, (uint)imm);
    private uint AnyLocal() => (uint)_rng.Next(Params + Locals);
    private uint WritableLocal() => (uint)_rng.Next(Params + Locals); // params are writable too

    private void Statement()
    {
        // Two in five statements work on the other types (which mix i32 values in too).
        if (_rng.Next(5) < 2)
        {
            switch (_rng.Next(10))
            {
                case < 3: I64Statement(); break;
                case < 5: FloatStatement(f64: false); break;
                case < 7: FloatStatement(f64: true); break;
                default: V128Statement(); break;
            }
            return;
        }
        int kind = _depth > 3 ? _rng.Next(5) : _rng.Next(16);
        switch (kind)
        {
            case 14: case 15:
                FrameShape();
                break;
            case 0: case 1: case 2: // local.set
                Expr(); Op(0x21, WritableLocal());
                break;
            case 3: // store
                Address(); Expr(); Emit(0x36, 0x02); Add(U32((uint)_rng.Next(0, 3) * 4));
                break;
            case 4: // phi-like moves: l_a = l_b; l_b = l_c
                Op(0x20, AnyLocal()); Op(0x21, WritableLocal());
                Op(0x20, AnyLocal()); Op(0x21, WritableLocal());
                break;
            case 5: // if / else
                Condition(); Emit(0x04, 0x40); Block(); if (_rng.Next(2) == 0) { Emit(0x05); Block(); } Emit(0x0B);
                break;
            case 6: // block with an early exit
                Emit(0x02, 0x40); Block(); Condition(); Emit(0x0D, 0x00); Block(); Emit(0x0B);
                break;
            case 7: // block with a result through br_if
                Emit(0x02, 0x7F); Expr(); Condition(); Emit(0x0D, 0x00); Emit(0x1A); Expr(); Emit(0x0B); Op(0x21, WritableLocal());
                break;
            case 8: // bounded loop
            {
                if (_loops >= MaxLoops) goto case 0;
                uint counter = (uint)(FirstCounter + _loops++);
                Emit(0x41); Add(S64(_rng.Next(1, 6))); Op(0x21, counter);
                switch (_rng.Next(3))
                {
                    case 0: // do { } while (--counter)
                        Emit(0x03, 0x40);
                        Block();
                        Op(0x20, counter); Emit(0x41, 0x01); Emit(0x6B); Op(0x22, counter);
                        Emit(0x0D, 0x00);
                        Emit(0x0B);
                        break;
                    case 1: // while (counter != 0) { ...; counter--; }: the test at the head (rotated)
                        Emit(0x02, 0x40); Emit(0x03, 0x40);
                        Op(0x20, counter); Emit(0x45); Emit(0x0D, 0x01);
                        Block();
                        Op(0x20, counter); Emit(0x41, 0x01); Emit(0x6B); Op(0x21, counter);
                        Emit(0x0C, 0x00);
                        Emit(0x0B); Emit(0x0B);
                        break;
                    default: // the same with the counter in memory at a constant address, as -O0 keeps it
                    {
                        uint at = (uint)(counter - FirstCounter) * 4;
                        Emit(0x41); Add(S64(CounterBase)); Op(0x20, counter); Emit(0x36, 0x02); Add(U32(at));
                        Emit(0x02, 0x40); Emit(0x03, 0x40);
                        Emit(0x41); Add(S64(CounterBase)); Emit(0x28, 0x02); Add(U32(at)); Emit(0x41, 0x00); Emit(0x4C); Emit(0x0D, 0x01);
                        Block();
                        Emit(0x41); Add(S64(CounterBase)); Emit(0x41); Add(S64(CounterBase)); Emit(0x28, 0x02); Add(U32(at));
                        Emit(0x41, 0x01); Emit(0x6B); Emit(0x36, 0x02); Add(U32(at));
                        // sometimes another variable at the same base is stored last: not the counter
                        if (_rng.Next(2) == 0) { Emit(0x41); Add(S64(CounterBase)); Expr(); Emit(0x36, 0x02); Add(U32(64)); }
                        Emit(0x0C, 0x00);
                        Emit(0x0B); Emit(0x0B);
                        break;
                    }
                }
                break;
            }
            case 9: case 10: // a frame variable: fp[k] = expr (often a local or constant), often read back at once
                Op(0x20, Fp);
                if (_rng.Next(2) == 0) Expr(4); else Expr();
                FrameStore();
                if (_rng.Next(2) == 0) { Op(0x20, Fp); FrameLoad(); Sink(); }
                break;
            case 11: // fp[k] += c (x++ as -O0 does it), maybe into another slot
                Op(0x20, Fp); Op(0x20, Fp); Emit(0x28, 0x02); Add(U32(FrameOffset()));
                Emit(0x41); Add(S64(_rng.Next(-3, 4))); Emit(_rng.Next(2) == 0 ? (byte)0x6A : (byte)0x6B);
                Emit(0x36, 0x02); Add(U32(FrameOffset()));
                break;
            case 12: // a store through the alias of the frame
                Op(0x20, FpAlias); Expr(4); Emit(0x36, 0x02); Add(U32(FrameOffset()));
                break;
            default: // the frame pointer moves (fp ^= 4): what was stored at fp+k is not at the new fp+k
                Op(0x20, Fp); Emit(0x41, 0x04); Emit(0x73); Op(0x21, Fp);
                break;
        }
    }

    private uint FrameOffset() => (uint)_rng.Next(0, FrameSize / 4) * 4;

    /// <summary>[value] on the stack, read back from memory: into a local, or added into the sum that is part of
    /// the result whatever happens later (a local may be overwritten before it counts).</summary>
    private void Sink()
    {
        if (_rng.Next(2) == 0) { Op(0x21, WritableLocal()); return; }
        Op(0x20, ScanSum); Emit(0x6A); Op(0x21, ScanSum);
    }

    /// <summary>Shapes of -O0 code on frame variables: arrays in the frame (fp + k, through a single-use local),
    /// a byte copied into the frame and read back, a pointer and an index kept in the frame.</summary>
    private void FrameShape()
    {
        uint FreshLocal() => _fresh < MaxFresh ? (uint)(FirstFresh + _fresh++) : WritableLocal();
        void ArrayAddress(bool bytes)
        {
            // i = index; t = fp + k (0 or 16); t + i: a word array of 4 or a byte array of 16 inside the frame,
            // in the order -O0 computes it
            uint i = FreshLocal(), t = FreshLocal();
            Expr(2); Emit(0x41, bytes ? (byte)15 : (byte)3); Emit(0x71); Op(0x21, i);
            Op(0x20, Fp); Emit(0x41, (byte)(_rng.Next(2) * 16)); Emit(0x6A); Op(0x21, t);
            Op(0x20, t); Op(0x20, i);
            if (!bytes) { Emit(0x41, 0x02); Emit(0x74); }
            Emit(0x6A);
        }
        switch (_rng.Next(5))
        {
            case 4: // x += y, or z = x + y, on frame variables reloaded after a store elsewhere
                Emit(0x41); Add(S64(4096)); Expr(3); Emit(0x36, 0x02, 0x00);
                Op(0x20, Fp); Op(0x20, Fp); Emit(0x28, 0x02); Add(U32(FrameOffset())); Op(0x20, Fp); Emit(0x28, 0x02); Add(U32(FrameOffset()));
                Emit(0x6A); Emit(0x36, 0x02); Add(U32(FrameOffset()));
                break;
            case 0: // a word array in the frame
                ArrayAddress(bytes: false);
                if (_rng.Next(2) == 0) { Expr(2); Emit(0x36, 0x02, 0x00); }
                else { Emit(0x28, 0x02, 0x00); Sink(); }
                break;
            case 1: // a byte array in the frame
                ArrayAddress(bytes: true);
                if (_rng.Next(2) == 0) { Expr(2); Emit(0x3A, 0x00, 0x00); }
                else { Emit(0x2D, 0x00, 0x00); Sink(); }
                break;
            case 2: // char c = *addr kept in the frame, then read back signed or unsigned (or wider)
            {
                uint at = FrameOffset() + (uint)_rng.Next(4);
                Op(0x20, Fp); Address(); Emit(_rng.Next(2) == 0 ? (byte)0x2C : (byte)0x2D, 0x00, 0x00); Emit(0x3A, 0x00); Add(U32(at));
                byte[] reloads = [0x2C, 0x2D, 0x2C, 0x2D, 0x28, 0x2F]; // load8_s, load8_u, i32.load, i32.load16_u
                Op(0x20, Fp); Emit(reloads[_rng.Next(reloads.Length)], 0x00); Add(U32(at));
                if (_rng.Next(2) == 0) { Emit(0x41); Add(S64(255)); Emit(0x71); }
                Sink();
                break;
            }
            default: // p = array (64) and i = expr & 15 in the frame, a store elsewhere, then p[i]
            {
                uint p = FrameOffset(), i = (p + 4 + (uint)_rng.Next(FrameSize / 4 - 1) * 4) % FrameSize;
                Op(0x20, Fp); Emit(0x41, 0xC0, 0x00); Emit(0x36, 0x02); Add(U32(p));
                Op(0x20, Fp); Expr(2); Emit(0x41, 15); Emit(0x71); Emit(0x36, 0x02); Add(U32(i));
                Emit(0x41); Add(S64(4096)); Expr(3); Emit(0x36, 0x02, 0x00); // not the frame: the frame's values are reloaded
                Op(0x20, Fp); Emit(0x28, 0x02); Add(U32(p)); Op(0x20, Fp); Emit(0x28, 0x02); Add(U32(i));
                switch (_rng.Next(3))
                {
                    case 0: Emit(0x41, 0x02); Emit(0x74); Emit(0x6A); Emit(0x28, 0x02, 0x00); Sink(); break;
                    case 1: Emit(0x6A); Emit(0x2D, 0x00, 0x00); Sink(); break;
                    default: Emit(0x6A); Expr(3); Emit(0x3A, 0x00, 0x00); break;
                }
                break;
            }
        }
    }

    /// <summary>[fp, value] on the stack: an i32 store into the frame, sometimes a narrow one.</summary>
    private void FrameStore()
    {
        switch (_rng.Next(6))
        {
            case 0: Emit(0x3A, 0x00); Add(U32(FrameOffset() + (uint)_rng.Next(4))); break; // i32.store8
            case 1: Emit(0x3B, 0x01); Add(U32(FrameOffset())); break;                      // i32.store16
            default: Emit(0x36, 0x02); Add(U32(FrameOffset())); break;
        }
    }

    /// <summary>[fp] on the stack: an i32 load from the frame, sometimes a narrow one.</summary>
    private void FrameLoad()
    {
        if (_rng.Next(5) == 0) { Emit(0x2D, 0x00); Add(U32(FrameOffset())); }            // i32.load8_u
        else { Emit(0x28, 0x02); Add(U32(FrameOffset())); }
    }

    private void Block()
    {
        _depth++;
        for (int i = 0, n = _rng.Next(1, 4); i < n; i++) Statement();
        _depth--;
    }

    /// <summary>[] -> [i32]; <paramref name="depth"/>: how deep in an expression it is (0 for a statement's).</summary>
    private void Condition(int depth = 0)
    {
        // Sometimes a comparison of another type, or a v128 test: compare-and-branch on i64 and floats.
        if (_rng.Next(4) == 0) { TypedCondition(depth); return; }
        if (_rng.Next(8) == 0)
        {
            // if (x < y) on two frame variables, as -O0 loads both (two loads in a row, then compare-and-branch)
            Op(0x20, Fp); Emit(0x28, 0x02); Add(U32(FrameOffset())); Op(0x20, Fp); Emit(0x28, 0x02); Add(U32(FrameOffset()));
            Emit((byte)_rng.Next(0x46, 0x50));
            return;
        }
        Expr(depth);
        switch (_rng.Next(4))
        {
            case 0: Expr(); Emit((byte)_rng.Next(0x46, 0x50)); break;            // compare
            case 1: Emit(0x45); break;                                             // eqz
            case 2: Expr(); Emit((byte)_rng.Next(0x46, 0x50)); Emit(0x41, 0x01); Emit(0x71); break; // -O0 mask
            default: break;                                                        // value itself
        }
    }

    /// <summary>[] -> [address] for an access of 1 &lt;&lt; <paramref name="log2"/> bytes (4 unless told): aligned to
    /// its size (4 at least), and below 4160; now and then (see <see cref="AtTheEnd"/>) at the end of the page
    /// instead.</summary>
    private void Address(int log2 = 2)
    {
        int size = 1 << Math.Max(log2, 2);
        // (expr & mask) + small constant: in bounds, sometimes through an add the access can take over.
        if (_rng.Next(3) == 0)
        {
            // base + (index << k), as array accesses compute it (the base first or second)
            bool baseFirst = _rng.Next(2) == 0;
            if (baseFirst) Op(0x20, ArrayBase);
            int shift = Math.Max(log2, 2);
            if (AtTheEnd())
            {
                // An index computed at run time (a constant one would fold into the access's offset): (x & 0) + i.
                Expr(); Emit(0x41, 0x00); Emit(0x71);
                Emit(0x41); Add(S64(((PageEnd - _arrayBase) >> shift) - _edgeRng.Next(2))); Emit(0x6A);
            }
            else { Expr(); Emit(0x41); Add(S64(0xFFF / size)); Emit(0x71); }
            Emit(0x41, (byte)shift); Emit(0x74);
            if (!baseFirst) Op(0x20, ArrayBase);
            Emit(0x6A);
            return;
        }
        if (AtTheEnd())
        {
            Emit(0x41); Add(S64(PageEnd - size + _edgeRng.Next(3) * size / 2)); // last in bounds, straddling, past
            return;
        }
        Expr(); Emit(0x41); Add(S64(0x1000 - size)); Emit(0x71);
        if (_rng.Next(2) == 0) { Emit(0x41); Add(S64(_rng.Next(0, 64 / size) * size)); Emit(0x6A); }
    }

    private void Expr(int depth = 0)
    {
        // Now and then an i32 from another type's values (comparisons, conversions, lanes), or an i32 operation
        // the cases below leave out.
        if (depth <= 2 && _rng.Next(7) == 0) { TypedToI32(depth + 1); return; }
        int kind = depth > 3 ? _rng.Next(3) : _rng.Next(14);
        switch (kind)
        {
            case 0: Emit(0x41); Add(S64(_rng.Next(4) switch { 0 => 0, 1 => 1, 2 => _rng.Next(-100, 100), _ => _rng.Next() })); break;
            case 1: case 2: Op(0x20, AnyLocal()); break;
            case 3: case 4: // binary
                Expr(depth + 1); Expr(depth + 1);
                byte[] ops = [0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x46, 0x48, 0x49, 0x4C, 0x6D, 0x70];
                Emit(ops[_rng.Next(ops.Length)]);
                break;
            case 5: Expr(depth + 1); Emit(0x45); break;                                      // eqz
            case 6: Address(); Emit(0x28, 0x02); Add(U32((uint)_rng.Next(0, 3) * 4)); break; // load
            case 7: Expr(depth + 1); Op(0x22, WritableLocal()); break;                       // tee
            case 12: case 13: Op(0x20, Fp); FrameLoad(); break;                               // frame variable
            case 8: Expr(depth + 1); Expr(depth + 1); Condition(); Emit(0x1B); break;         // select
            case 9: Emit(0x41); Add(S64(_rng.Next(-5, 5))); Expr(depth + 1); Emit(0x6A); break; // add constant
            default: // through a single-use local, maybe with unrelated work between the write and the read
                if (_fresh >= MaxFresh) goto case 1;
                uint t = (uint)(FirstFresh + _fresh++);
                Expr(depth + 1); Op(0x21, t);
                if (_rng.Next(2) == 0) { Expr(depth + 1); Emit(0x1A); }
                Op(0x20, t);
                break;
        }
    }
}
