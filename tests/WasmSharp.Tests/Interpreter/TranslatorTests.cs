using static WasmSharp.Tests.Interpreter.FunctionModule;

namespace WasmSharp.Tests.Interpreter;

/// <summary>What register code the translator emits for typical patterns (ARCHITECTURE §2).</summary>
public class TranslatorTests
{
    private static readonly byte[] None = [];

    [Fact]
    public void LocalsAreReadInPlace()
    {
        var m = new FunctionModule().Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), I32Add).Compile();
        Assert.Equal(["i32.add t0 <- p0, p1", "Return1 t0"], Code(m));
    }

    [Fact]
    public void ConstantsAreFoldedIntoTheirUser()
    {
        var m = new FunctionModule().Func([I32], [I32], None, LocalGet(0), I32Const(7), I32Mul).Compile();
        Assert.Equal(["i32.mul t0 <- p0, #7", "Return1 t0"], Code(m));
    }

    [Fact]
    public void OperationsOnConstantsAreComputedAtTranslation()
    {
        // (6 * 7) - p0, and 1 << 33 (the shift count wraps to 1, as in Wasm)
        var m = new FunctionModule()
            .Func([I32], [I32], None, I32Const(6), I32Const(7), I32Mul, LocalGet(0), I32Sub)
            .Func([], [I32], None, I32Const(1), I32Const(33), Op(0x74))
            .Compile();
        Assert.Equal(["i32.sub t0 <- #42, p0", "Return1 t0"], Code(m, 0));
        Assert.Equal(["Return1 #2"], Code(m, 1));
    }

    [Fact]
    public void AddingAConstantIsRegisterImmediate()
    {
        var m = new FunctionModule()
            .Func([I32], [I32], None, I32Const(7), LocalGet(0), I32Add)
            .Func([I32], [I32], None, LocalGet(0), I32Const(7), I32Sub)
            .Compile();
        Assert.Equal(["I32AddImm t0 <- p0, 7", "Return1 t0"], Code(m, 0));
        Assert.Equal(["I32AddImm t0 <- p0, -7", "Return1 t0"], Code(m, 1));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(int.MinValue + 6, inst.GetFunction("f0")!.Invoke(Value.I32(int.MaxValue))[0].AsI32());
        Assert.Equal(int.MaxValue - 6, inst.GetFunction("f1")!.Invoke(Value.I32(int.MinValue))[0].AsI32());
    }

    [Fact]
    public void LocalSetIsFusedIntoTheProducer()
    {
        var m = new FunctionModule().Func([I32, I32], [], [I32],
            LocalGet(0), LocalGet(1), I32Add, LocalSet(2)).Compile();
        Assert.Equal(["i32.add l0 <- p0, p1", "Return0"], Code(m));
    }

    [Fact]
    public void LocalTeeIsFusedAndTheLocalIsTheResult()
    {
        var m = new FunctionModule().Func([I32], [I32], [I32],
            LocalGet(0), I32Const(1), I32Add, LocalTee(1), LocalGet(1), I32Mul).Compile();
        Assert.Equal(["I32AddImm l0 <- p0, 1", "i32.mul t0 <- l0, l0", "Return1 t0"], Code(m));
    }

    [Fact]
    public void PendingLocalReadIsPreservedBeforeTheLocalIsOverwritten()
    {
        // local.get 0 is still on the stack when local 0 is set: its old value must survive.
        var m = new FunctionModule().Func([I32], [I32], None,
            LocalGet(0), I32Const(5), LocalSet(0), LocalGet(0), I32Add).Compile();
        var code = Code(m);
        Assert.Equal(["Copy2 t0 <- p0, p0 <- #5", "i32.add t0 <- t0, p0", "Return1 t0"], code);
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(15, f.Invoke(Value.I32(10))[0].AsI32());
    }

    [Fact]
    public void CallArgumentsAreLaidOutInPlaceForTheCallee()
    {
        var m = new FunctionModule()
            .Func([I32], [I32], None, LocalGet(0), I32Const(1), Call(1))
            .Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), I32Sub)
            .Compile();
        Assert.Equal(["Call func 1, frame t0, result t0, (p0, #1)", "Return1 t0"], Code(m));
        using var store = new Store();
        Assert.Equal(41, new Linker().Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(42))[0].AsI32());
    }

    [Fact]
    public void CallResultIsWrittenStraightIntoItsLocal()
    {
        // l0 = f1(p0); l0 + l0: the return writes l0, no copy after the call.
        var m = new FunctionModule()
            .Func([I32], [I32], [I32], LocalGet(0), Call(1), LocalSet(1), LocalGet(1), LocalGet(1), I32Add)
            .Func([I32], [I32], None, LocalGet(0), I32Const(3), I32Mul)
            .Compile();
        Assert.Equal(["Call func 1, frame t0, result l0, (p0)", "i32.add t0 <- l0, l0", "Return1 t0"], Code(m));
        using var store = new Store();
        Assert.Equal(42, new Linker().Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(7))[0].AsI32());
    }

    [Fact]
    public void CallResultIntoALocalKeepsAPendingReadOfItsOldValue()
    {
        // l0 = 10; (l0 on the stack); l0 = f1(p0); old l0 - new l0
        var m = new FunctionModule()
            .Func([I32], [I32], [I32], I32Const(10), LocalSet(1), LocalGet(1), LocalGet(0), Call(1), LocalSet(1), LocalGet(1), I32Sub)
            .Func([I32], [I32], None, LocalGet(0), I32Const(3), I32Mul)
            .Compile();
        using var store = new Store();
        Assert.Equal(10 - 21, new Linker().Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(7))[0].AsI32());
    }

    [Fact]
    public void HostCallResultIsWrittenStraightIntoItsLocal()
    {
        var m = new FunctionModule()
            .ImportFunc("env", "triple", [I32], [I32])
            .Func([I32], [I32], [I32], LocalGet(0), Call(0), LocalSet(1), LocalGet(1), LocalGet(1), I32Add)
            .Compile();
        Assert.Equal(["Call func 0, frame t0, result l0, (p0)", "i32.add t0 <- l0, l0", "Return1 t0"], Code(m));
        using var store = new Store();
        var linker = new Linker();
        linker.DefineFunction("env", "triple", new FunctionType([ValueType.I32], [ValueType.I32]),
            (args, results) => results[0] = Value.I32(args[0].AsI32() * 3));
        Assert.Equal(42, linker.Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(7))[0].AsI32());
    }

    [Fact]
    public void CompareAndBranchFuse()
    {
        // block; local.get 0; i32.eqz; br_if 0; ... end  →  branch when p0 == 0
        var m = new FunctionModule()
            .Func([I32], [I32], None, Block(), LocalGet(0), I32Eqz, BrIf(0), I32Const(1), Return, End, I32Const(2))
            .Func([I32, I32], [I32], None, Block(), LocalGet(0), LocalGet(1), I32LtS, BrIf(0), I32Const(1), Return, End, I32Const(2))
            // if (p0 > p1) 1 else 2: the if branches to else when the comparison fails.
            .Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), I32GtS, If(I32), I32Const(1), Else, I32Const(2), End)
            .Compile();
        var code = Code(m, 0);
        Assert.StartsWith("BrIfEqz p0, @", code[0]);
        Assert.DoesNotContain(code, l => l.StartsWith("Copy") || l.StartsWith("i32.eqz"));
        Assert.StartsWith("BrI32LtS p0, p1, @", Code(m, 1)[0]);
        Assert.StartsWith("BrI32LeS p0, p1, @", Code(m, 2)[0]);
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(2, inst.GetFunction("f0")!.Invoke(Value.I32(0))[0].AsI32());
        Assert.Equal(1, inst.GetFunction("f0")!.Invoke(Value.I32(5))[0].AsI32());
        Assert.Equal(2, inst.GetFunction("f1")!.Invoke(Value.I32(-1), Value.I32(3))[0].AsI32());
        Assert.Equal(1, inst.GetFunction("f1")!.Invoke(Value.I32(3), Value.I32(3))[0].AsI32());
        Assert.Equal(1, inst.GetFunction("f2")!.Invoke(Value.I32(4), Value.I32(3))[0].AsI32());
        Assert.Equal(2, inst.GetFunction("f2")!.Invoke(Value.I32(3), Value.I32(3))[0].AsI32());
    }

    [Theory]
    [InlineData(0x5D, "lt")] // f32.lt
    [InlineData(0x5E, "gt")]
    [InlineData(0x5F, "le")]
    [InlineData(0x60, "ge")]
    [InlineData(0x5B, "eq")]
    [InlineData(0x5C, "ne")]
    public void FloatCompareAndBranchKeepsNaNSemantics(byte compare, string name)
    {
        // if (a OP b) 1 else 2, and br_if form: fused both ways, NaN makes every ordering false.
        var m = new FunctionModule()
            .Func([F32, F32], [I32], None, LocalGet(0), LocalGet(1), Op(compare), If(I32), I32Const(1), Else, I32Const(2), End)
            .Func([F32, F32], [I32], None, Block(), LocalGet(0), LocalGet(1), Op(compare), BrIf(0), I32Const(2), Return, End, I32Const(1))
            .Compile();
        Assert.DoesNotContain(Code(m, 0), l => l.StartsWith("f32."));
        Assert.DoesNotContain(Code(m, 1), l => l.StartsWith("f32."));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        float[] values = [float.NaN, -1f, 0f, -0f, 2.5f, float.PositiveInfinity];
        foreach (var a in values)
            foreach (var b in values)
            {
                bool expected = name switch
                {
                    "lt" => a < b, "gt" => a > b, "le" => a <= b, "ge" => a >= b, "eq" => a == b, _ => a != b,
                };
                for (int f = 0; f < 2; f++)
                    Assert.Equal(expected ? 1 : 2, inst.GetFunction($"f{f}")!.Invoke(Value.F32(a), Value.F32(b))[0].AsI32());
            }
    }

    [Fact]
    public void CompareAndSelectFuse()
    {
        // select(10, 20, a < b) and select(10, 20, eqz a)
        var m = new FunctionModule()
            .Func([I32, I32], [I32], None, I32Const(10), I32Const(20), LocalGet(0), LocalGet(1), I32LtS, Op(0x1B))
            .Func([I32], [I32], None, I32Const(10), I32Const(20), LocalGet(0), I32Eqz, Op(0x1B))
            .Compile();
        Assert.Equal(["SelectI32LtS t0 <- p0, p1, #10, #20", "Return1 t0"], Code(m, 0));
        Assert.Equal(["Select t0 <- p0, #20, #10", "Return1 t0"], Code(m, 1));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(10, inst.GetFunction("f0")!.Invoke(Value.I32(-5), Value.I32(3))[0].AsI32());
        Assert.Equal(20, inst.GetFunction("f0")!.Invoke(Value.I32(3), Value.I32(3))[0].AsI32());
        Assert.Equal(10, inst.GetFunction("f1")!.Invoke(Value.I32(0))[0].AsI32());
        Assert.Equal(20, inst.GetFunction("f1")!.Invoke(Value.I32(7))[0].AsI32());
    }

    [Fact]
    public void UnoptimisedConditionBecomesOneCompareAndBranch()
    {
        // What clang -O0 emits for `if (a < b) return 1; return 2;`: every value goes through a local, and the
        // condition is masked with 1 before the branch.
        var m = new FunctionModule().Func([I32, I32], [I32], [I32, I32, I32],
            LocalGet(0), LocalGet(1), I32LtS, LocalSet(2),
            I32Const(1), LocalSet(3),
            LocalGet(2), LocalGet(3), Op(0x71), LocalSet(4),
            Block(), LocalGet(4), I32Eqz, BrIf(0), I32Const(1), Return, End,
            I32Const(2)).Compile();
        var code = Code(m);
        Assert.StartsWith("BrI32GeS p0, p1, @", code[0]);
        Assert.Equal(["Return1 #1", "Return1 #2"], code.Skip(1));
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(1, f.Invoke(Value.I32(1), Value.I32(2))[0].AsI32());
        Assert.Equal(2, f.Invoke(Value.I32(2), Value.I32(2))[0].AsI32());
    }

    [Fact]
    public void ForwardedLocalIsStoredWhenItsReadIsInAnotherBlock()
    {
        // local 1 = 5 before a loop that reads it: the value must be in the local when the loop runs.
        var m = new FunctionModule().Func([I32], [I32], [I32],
            I32Const(5), LocalSet(1),
            Loop(), LocalGet(0), I32Const(1), I32Sub, LocalTee(0), BrIf(0), End,
            LocalGet(1)).Compile();
        Assert.Contains("Copy l0 <- #5", Code(m));
        using var store = new Store();
        Assert.Equal(5, new Linker().Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(3))[0].AsI32());
    }

    [Fact]
    public void ForwardedLocalSurvivesAWriteToItsSource()
    {
        // local 1 = local 0; local 0 = 9; return local 1 + local 0: the forwarded read must see the old local 0.
        var m = new FunctionModule().Func([I32], [I32], [I32],
            LocalGet(0), LocalSet(1), I32Const(9), LocalSet(0), LocalGet(1), LocalGet(0), I32Add).Compile();
        using var store = new Store();
        Assert.Equal(12, new Linker().Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(3))[0].AsI32());
    }

    [Fact]
    public void LocalWriteStaysWhenAnotherInstructionCameBetween()
    {
        // l2 = load(0); drop(p0 + p1); return l2 — the add would overwrite a temporary holding l2's value.
        var m = new FunctionModule().Memory().Func([I32, I32], [I32], [I32],
            I32Const(0), I32Const(100), I32Store(0),
            I32Const(0), I32Load(0), LocalSet(2),
            LocalGet(0), LocalGet(1), I32Add, Drop,
            LocalGet(2)).Compile();
        using var store = new Store();
        Assert.Equal(100, new Linker().Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(1), Value.I32(2))[0].AsI32());
    }

    [Fact]
    public void TeeThenGetKeepsTheLocalWritten()
    {
        // local.tee x; local.get x (loop.wast's param-break shape): the tee's value reads the local too, so the
        // local.get is not its only read and the write must stay.
        var m = new FunctionModule().Func([I32], [I32], [I32],
            LocalGet(0), I32Const(4), I32Add, LocalTee(1), LocalGet(1), I32Add).Compile();
        using var store = new Store();
        Assert.Equal(14, new Linker().Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(3))[0].AsI32());
    }

    [Fact]
    public void ComparisonSinksPastLocalMovesIntoTheBranch()
    {
        // Optimised loops put their phi moves between the exit test and the back edge:
        // loop: l1 = p0 * 2 ... (p0 != 10) ; l2 = l1 ; br_if — the moves must not touch what the test reads.
        var m = new FunctionModule().Func([I32], [I32], [I32, I32],
            Loop(),
            LocalGet(0), I32Const(1), I32Add, LocalSet(0),
            LocalGet(0), I32Const(10), Op(0x47),  // i32.ne p0, 10
            LocalGet(1), LocalSet(2),             // move l2 <- l1
            LocalGet(0), LocalSet(1),             // move l1 <- p0
            BrIf(0),
            End,
            LocalGet(2)).Compile();
        var code = Code(m);
        Assert.Equal(["I32AddImm p0 <- p0, 1", "Copy2 l1 <- l0, l0 <- p0", "BrI32Ne p0, #10, @0", "Return1 l1"], code);
        using var store = new Store();
        Assert.Equal(9, new Linker().Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(0))[0].AsI32());

        // A move that writes what the comparison reads keeps them apart.
        var kept = new FunctionModule().Func([I32], [I32], [I32],
            Loop(),
            LocalGet(0), I32Const(1), I32Add, LocalSet(0),
            LocalGet(0), I32Const(10), Op(0x47),
            LocalGet(1), LocalSet(0),             // p0 <- l0 after the test read p0
            BrIf(0),
            End,
            LocalGet(0)).Compile();
        Assert.Contains("i32.ne t0 <- p0, #10", Code(kept));
    }

    [Fact]
    public void AddressAdditionFoldsIntoTheAccessAndStillWraps()
    {
        // store (p0 + p1) = 77; load (p0 + 32) — the additions wrap to 32 bits before the offset is added.
        var m = new FunctionModule().Memory().Func([I32, I32], [I32], None,
            LocalGet(0), LocalGet(1), I32Add, I32Const(77), I32Store(0),
            LocalGet(0), I32Const(32), I32Add, I32Load(4)).Compile();
        Assert.Equal(["I32StoreAdd p0, p1, #77, 0, +0", "I32LoadAdd t0 <- p0, #32, 0, +4", "Return1 t0"], Code(m));
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        // p0 = -16: p0 + p1 = 20 and p0 + 32 + 4 = 20, both in bounds only because the additions wrap.
        Assert.Equal(77, f.Invoke(Value.I32(-16), Value.I32(36))[0].AsI32());
        Assert.Equal("out of bounds memory access",
            Assert.Throws<TrapException>(() => f.Invoke(Value.I32(65530), Value.I32(0))).Message);
    }

    [Fact]
    public void BlockResultsGoToTheirSlotOnEveryPath()
    {
        // (block (result i32) (br_if 0 (i32.const 10) (local.get 0)) (drop) (i32.const 20)) 
        var m = new FunctionModule().Func([I32], [I32], None,
            Block(I32), I32Const(10), LocalGet(0), BrIf(0), Drop, I32Const(20), End).Compile();
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(10, f.Invoke(Value.I32(1))[0].AsI32());
        Assert.Equal(20, f.Invoke(Value.I32(0))[0].AsI32());
    }

    [Fact]
    public void LoopCountsDown()
    {
        // sum = 0; do { sum += n; n--; } while (n != 0); return sum
        var m = new FunctionModule().Func([I32], [I32], [I32],
            Loop(),
            LocalGet(1), LocalGet(0), I32Add, LocalSet(1),
            LocalGet(0), I32Const(1), I32Sub, LocalTee(0),
            BrIf(0),
            End,
            LocalGet(1)).Compile();
        var code = Code(m);
        Assert.Equal(["i32.add l0 <- l0, p0", "I32AddImm p0 <- p0, -1", "BrIfNez p0, @0", "Return1 l0"], code);
        using var store = new Store();
        Assert.Equal(5050, new Linker().Instantiate(store, m).GetFunction("f0")!.Invoke(Value.I32(100))[0].AsI32());
    }

    [Fact]
    public void BrTableCopiesValuesOnlyForTargetsThatNeedThem()
    {
        // (block (result i32) (block (result i32) (br_table 0 1 (i32.const 7) (local.get 0))) (i32.const 100) (i32.add))
        var m = new FunctionModule().Func([I32], [I32], None,
            Block(I32), Block(I32), I32Const(7), LocalGet(0), BrTable([0], 1), End, I32Const(100), I32Add, End).Compile();
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(107, f.Invoke(Value.I32(0))[0].AsI32());
        Assert.Equal(7, f.Invoke(Value.I32(1))[0].AsI32());
        Assert.Equal(7, f.Invoke(Value.I32(99))[0].AsI32());
    }

    [Fact]
    public void LoadAndStoreFoldTheirOffset()
    {
        // (another base: the load is not a reload of the store)
        var m = new FunctionModule().Memory().Func([I32, I32], [I32], None,
            LocalGet(0), I32Const(99), I32Store(8), LocalGet(1), I32Load(12)).Compile();
        Assert.Equal(["I32Store p0, #99, +8", "I32Load t0 <- p1, +12", "Return1 t0"], Code(m));
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(99, f.Invoke(Value.I32(4), Value.I32(0))[0].AsI32());
        Assert.Equal(0, f.Invoke(Value.I32(4), Value.I32(4))[0].AsI32());
    }

    [Fact]
    public void ReloadingWhatWasJustStoredIsTheStoredValue()
    {
        // -O0: x = p1; return x  ->  store fp+8 <- p1; load fp+8
        var m = new FunctionModule().Memory()
            .Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), I32Store(8), LocalGet(0), I32Load(8))
            // a narrower reload, another offset, or a branch target between: the load stays
            .Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), I32Store(8), LocalGet(0), I32Load8U(8))
            .Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), I32Store(8), Block(), LocalGet(1), BrIf(0), End, LocalGet(0), I32Load(8))
            // the stored local changes before the reload is used: the reload is the old value
            .Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), I32Store(8), LocalGet(0), I32Load(8), I32Const(5), LocalSet(1), LocalGet(1), I32Add)
            // the end of a block no branch leaves is no branch target: straight-line code goes on
            .Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), I32Store(8), Block(), End, LocalGet(0), I32Load(8))
            .Compile();
        Assert.Equal(["I32Store p0, p1, +8", "Return1 p1"], Code(m, 0));
        Assert.Contains("I32Load8U t0 <- p0, +8", Code(m, 1));
        Assert.Contains("I32Load t0 <- p0, +8", Code(m, 2));
        Assert.Equal(["I32Store p0, p1, +8", "Return1 p1"], Code(m, 4));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(0x1234, inst.GetFunction("f0")!.Invoke(Value.I32(16), Value.I32(0x1234))[0].AsI32());
        Assert.Equal(0x34, inst.GetFunction("f1")!.Invoke(Value.I32(16), Value.I32(0x1234))[0].AsI32());
        Assert.Equal(0x1234, inst.GetFunction("f2")!.Invoke(Value.I32(16), Value.I32(0x1234))[0].AsI32());
        Assert.Equal(0x1234 + 5, inst.GetFunction("f3")!.Invoke(Value.I32(16), Value.I32(0x1234))[0].AsI32());
        // The store traps out of bounds, so the forwarded load is never reached.
        var e = Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(65532), Value.I32(1)));
        Assert.Equal("out of bounds memory access", e.Message);
    }

    [Fact]
    public void IncrementingAVariableInMemoryIsOneInstruction()
    {
        // fp[4] = fp[0] + 1, and t = fp[0] - 3
        var m = new FunctionModule().Memory()
            .Func([I32], [], None, LocalGet(0), LocalGet(0), I32Load(0), I32Const(1), I32Add, I32Store(4))
            .Func([I32], [I32], None, LocalGet(0), I32Load(0), I32Const(3), I32Sub)
            .Compile();
        Assert.Equal(["I32LoadAddImmStore t0 <- p0, +0, 1, p0, +4", "Return0"], Code(m, 0));
        Assert.Equal(["I32LoadAddImm t0 <- p0, +0, -3", "Return1 t0"], Code(m, 1));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        inst.GetFunction("f0")!.Invoke(Value.I32(100));
        Assert.Equal(1, inst.GetFunction("f1")!.Invoke(Value.I32(104))[0].AsI32() + 3);
        Assert.Equal(-3, inst.GetFunction("f1")!.Invoke(Value.I32(100))[0].AsI32());
        // The load traps before anything is stored; a store out of bounds traps after the load.
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(65533))).Message);
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(65532))).Message);
    }

    [Fact]
    public void TwoLoadsInARowAreOneInstruction()
    {
        // fp[0] * fp[4], and *(*p0) (the second load reads the first one's result)
        var m = new FunctionModule().Memory()
            .Func([I32], [I32], None, LocalGet(0), I32Load(0), LocalGet(0), I32Load(4), I32Mul)
            .Func([I32], [I32], None, LocalGet(0), I32Load(0), I32Load(0))
            .Compile();
        Assert.Equal(["I32Load2 t0 <- p0, +0, t1, p0, +4", "i32.mul t0 <- t0, t1", "Return1 t0"], Code(m, 0));
        Assert.Equal(["I32Load2 t0 <- p0, +0, t0, t0, +0", "Return1 t0"], Code(m, 1));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(0, inst.GetFunction("f0")!.Invoke(Value.I32(8))[0].AsI32());
        Assert.Equal(0, inst.GetFunction("f1")!.Invoke(Value.I32(8))[0].AsI32());
        // The second access is checked on its own.
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(65532))).Message);
    }

    [Fact]
    public void TwoStoresInARowAreOneInstruction()
    {
        // p0[8] = p1; p1[0] = p0 (the second store's address may be anything: here it can trap)
        var m = new FunctionModule().Memory()
            .Func([I32, I32], [], None, LocalGet(0), LocalGet(1), I32Store(8), LocalGet(1), LocalGet(0), I32Store(0))
            .Func([I32], [I32], None, LocalGet(0), I32Load(0))
            .Compile();
        Assert.Equal(["I32Store2 p0, p1, +8, p1, p0, +0", "Return0"], Code(m, 0));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        inst.GetFunction("f0")!.Invoke(Value.I32(16), Value.I32(32));
        Assert.Equal(32, inst.GetFunction("f1")!.Invoke(Value.I32(24))[0].AsI32());
        Assert.Equal(16, inst.GetFunction("f1")!.Invoke(Value.I32(32))[0].AsI32());
        // The second store traps out of bounds after the first has been made.
        var e = Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(100), Value.I32(65534)));
        Assert.Equal("out of bounds memory access", e.Message);
        Assert.Equal(65534, inst.GetFunction("f1")!.Invoke(Value.I32(108))[0].AsI32());
    }

    [Fact]
    public void BranchingOnABitTestIsOneInstruction()
    {
        // if (p0 & p1) return 1; return 2   and   while ((p0 & 1) == 0) p0 >>= 1 (a rotated loop tests it again)
        var m = new FunctionModule()
            .Func([I32, I32], [I32], None, Block(), LocalGet(0), LocalGet(1), Op(0x71), I32Eqz, BrIf(0), I32Const(1), Return, End, I32Const(2))
            .Func([I32], [I32], None,
                Block(), Loop(), LocalGet(0), I32Const(1), Op(0x71), BrIf(1),
                LocalGet(0), I32Const(1), Op(0x76) /* i32.shr_u */, LocalSet(0), Br(0), End, End, LocalGet(0))
            .Compile();
        Assert.Equal(["BrI32AndZ p0, p1, @6", "Return1 #1", "Return1 #2"], Code(m, 0));
        Assert.Equal(["BrI32AndNz p0, #1, @12", "i32.shr_u p0 <- p0, #1", "BrI32AndZ p0, #1, @4", "Return1 p0"], Code(m, 1));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(1, inst.GetFunction("f0")!.Invoke(Value.I32(6), Value.I32(3))[0].AsI32());
        Assert.Equal(2, inst.GetFunction("f0")!.Invoke(Value.I32(6), Value.I32(9))[0].AsI32());
        Assert.Equal(5, inst.GetFunction("f1")!.Invoke(Value.I32(40))[0].AsI32());
        Assert.Equal(1, inst.GetFunction("f1")!.Invoke(Value.I32(1))[0].AsI32());
    }

    [Fact]
    public void EveryOpHasItsOwnNumber()
    {
        var values = Enum.GetValues<WasmSharp.Interpreter.Op>().Select(o => (int)o).ToList();
        Assert.Equal(Enum.GetNames<WasmSharp.Interpreter.Op>().Length, values.Distinct().Count());
    }

    [Fact]
    public void AnUnsignedNarrowLoadThenItsSignExtensionIsASignedLoad()
    {
        // (char)p0[0], written as -O0 does: load8_u, shl 24, shr_s 24; and i64.extend16_s of an i64.load16_u
        var m = new FunctionModule().Memory()
            .Func([I32], [I32], None, LocalGet(0), I32Load8U(3), I32Const(24), Op(0x74), I32Const(24), Op(0x75))
            .Func([I32], [I64], None, LocalGet(0), Op(0x33, 0x01, 0x02) /* i64.load16_u offset=2 */, Op(0xC3) /* i64.extend16_s */)
            .Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), I32Add, I32Load8U(0), Op(0xC0) /* i32.extend8_s */)
            .Compile();
        Assert.Equal(["I32Load8S t0 <- p0, +3", "Return1 t0"], Code(m, 0));
        Assert.Equal(["I64Load16S t0 <- p0, +2", "Return1 t0"], Code(m, 1));
        Assert.Equal(["I32Load8SAdd t0 <- p0, p1, 0, +0", "Return1 t0"], Code(m, 2));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        var mem = inst.GetMemory("memory")!;
        mem.Span[3] = 0xF0;
        mem.Span[4] = 0xFE;
        Assert.Equal(-16, inst.GetFunction("f0")!.Invoke(Value.I32(0))[0].AsI32());
        Assert.Equal(unchecked((long)0xFFFFFFFFFFFFFEF0), inst.GetFunction("f1")!.Invoke(Value.I32(1))[0].AsI64());
        Assert.Equal(-2, inst.GetFunction("f2")!.Invoke(Value.I32(2), Value.I32(2))[0].AsI32());
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(65533))).Message);
    }

    [Fact]
    public void PostIncrementInMemoryKeepingTheOldValueIsOneInstruction()
    {
        // -O0 *p++ with p at fp+8: l0 = fp[8]; fp[8] = l0 + 1; return l0 * 10 + fp[8]
        var m = new FunctionModule().Memory()
            .Func([I32], [I32], [I32],
                LocalGet(0), I32Load(8), LocalSet(1),
                LocalGet(0), LocalGet(1), I32Const(1), I32Add, I32Store(8),
                LocalGet(1), I32Const(10), I32Mul, LocalGet(0), I32Load(8), I32Add)
            .Compile();
        Assert.Equal("I32LoadStoreAddImm l0 <- p0, +8, 1, p0, +8", Code(m)[0]);
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        inst.GetMemory("memory")!.Span[24] = 41;
        Assert.Equal(410 + 42, inst.GetFunction("f0")!.Invoke(Value.I32(16))[0].AsI32());
        Assert.Equal(420 + 43, inst.GetFunction("f0")!.Invoke(Value.I32(16))[0].AsI32());
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(65528))).Message);
    }

    [Fact]
    public void AResultStoredRightAwayIsOneInstructionAndStaysForLaterUses()
    {
        // fp[8] = p1 + p2, reloaded into a local (x = y = p1 + p2); fp[16] = *x; return x * fp[16]. *(double*)p0 = d * d
        var m = new FunctionModule().Memory()
            .Func([I32, I32, I32], [I32], [I32],
                LocalGet(0), LocalGet(1), LocalGet(2), I32Add, I32Store(8),
                LocalGet(0), I32Load(8), LocalSet(3),
                LocalGet(0), LocalGet(3), I32Load(0), I32Store(16),
                LocalGet(3), LocalGet(0), I32Load(16), I32Mul)
            .Func([I32, F64], [F64], None,
                LocalGet(0), LocalGet(1), LocalGet(1), Op(0xA2) /* f64.mul */, Op(0x39, 0x03, 0x00) /* f64.store */,
                LocalGet(0), Op(0x2B, 0x03, 0x00) /* f64.load */)
            .Compile();
        Assert.Equal(["I32AddStore l0 <- p1, p2, p0, +8", "I32LoadStore t0 <- l0, +0, p0, +16", "I32Load t1 <- p0, +16", "i32.mul t0 <- l0, t1", "Return1 t0"], Code(m, 0));
        Assert.Equal(["F64MulStore t0 <- p1, p1, p0, +0", "Return1 t0"], Code(m, 1));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        var mem = inst.GetMemory("memory")!;
        mem.Span[7] = 6;
        Assert.Equal(42, inst.GetFunction("f0")!.Invoke(Value.I32(32), Value.I32(3), Value.I32(4))[0].AsI32());
        Assert.Equal(7, mem.Span[40]);
        Assert.Equal(6, mem.Span[48]);
        Assert.Equal(6.25, inst.GetFunction("f1")!.Invoke(Value.I32(64), Value.F64(2.5))[0].AsF64());
        // The store traps after the result is computed; the second access of a load-store is checked on its own.
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(65530), Value.I32(1), Value.I32(1))).Message);
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(65520), Value.I32(1), Value.I32(1))).Message);
        Assert.Equal(2, mem.Span[65528]);
    }

    [Fact]
    public void APrologueSpillingAParameterIsOneInstruction()
    {
        // sp -= 16 (fp = sp); fp[12] = p0; return fp[12] (forwarded: p0) + sp
        var m = new FunctionModule().Memory().MutableGlobal(1024)
            .Func([I32], [I32], [I32],
                GlobalGet(0), I32Const(16), I32Sub, LocalTee(1), GlobalSet(0),
                LocalGet(1), LocalGet(0), I32Store(12),
                LocalGet(1), I32Load(12), GlobalGet(0), I32Add)
            .Compile();
        Assert.Equal("GlobalAddImmStore l0 <- 0, -16, p0, +12", Code(m)[0]);
        Assert.DoesNotContain(Code(m), l => l.StartsWith("I32Load"));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(5 + 1008, inst.GetFunction("f0")!.Invoke(Value.I32(5))[0].AsI32());
        Assert.Equal(5, inst.GetMemory("memory")!.Span[1008 + 12]);
        Assert.Equal(1008, inst.GetGlobal("g0")!.Value.AsI32());
    }

    [Fact]
    public void WhileLoopsTestTheirConditionAtTheBackEdge()
    {
        // for (i = 0; i < p0; i++) {} with i in memory at p1+8, as -O0 keeps it; then return i
        var m = new FunctionModule().Memory().Func([I32, I32], [I32], None,
            LocalGet(1), I32Const(0), I32Store(8),
            Block(), Loop(),
            LocalGet(1), I32Load(8), LocalGet(0), Op(0x4E) /* i32.ge_s */, BrIf(1),
            LocalGet(1), LocalGet(1), I32Load(8), I32Const(1), I32Add, I32Store(8),
            Br(0), End, End,
            LocalGet(1), I32Load(8)).Compile();
        // The head loads i and tests it in one instruction (p0 <= i: i >= p0 with the operands swapped); the back
        // edge runs the test negated (no Br, and no reload of the i it just stored).
        Assert.Equal([
            "   0: I32Store p1, #0, +8",
            "   4: BrI32LeSLoad p0, t0, p1, +8, @21",
            "  10: I32LoadAddImmStore t0 <- p1, +8, 1, p1, +8",
            "  17: BrI32GtS p0, t0, @10",
            "  21: I32Load t0 <- p1, +8",
            "  25: Return1 t0"], WasmSharp.Interpreter.Disassembler.Lines(m.Functions[0]));
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(10, f.Invoke(Value.I32(10), Value.I32(64))[0].AsI32());
        Assert.Equal(0, f.Invoke(Value.I32(-5), Value.I32(64))[0].AsI32());
    }

    [Fact]
    public void RotatedFloatLoopsExitOnNaN()
    {
        // while (p0 < p1) p0 += 1.5; return p0: the negated test at the back edge must be "not less", NaN included
        var m = new FunctionModule().Func([F64, F64], [F64], None,
            Block(), Loop(), LocalGet(0), LocalGet(1), Op(0x63) /* f64.lt */, I32Eqz, BrIf(1),
            LocalGet(0), F64Const(1.5), Op(0xA0) /* f64.add */, LocalSet(0), Br(0), End, End, LocalGet(0)).Compile();
        var code = Code(m);
        Assert.DoesNotContain(code, l => l.StartsWith("Br "));
        Assert.Contains(code, l => l.StartsWith("BrF64NotLt p0, p1"));
        Assert.Contains(code, l => l.StartsWith("BrF64Lt p0, p1"));
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        double Run(double a, double b) => f.Invoke(Value.F64(a), Value.F64(b))[0].AsF64();
        Assert.Equal(3.0, Run(0, 3));
        Assert.Equal(5.0, Run(5, 3));
        Assert.True(double.IsNaN(Run(double.NaN, 3)));
        Assert.Equal(0.0, Run(0, double.NaN));
    }

    [Fact]
    public void OneAndAComparisonIsTheComparisonInTheRightSlot()
    {
        // (1 & (p0 < p1)) + p0 * p1: the comparison's result must survive the multiplication above it
        var m = new FunctionModule().Func([I32, I32], [I32], None,
            I32Const(1), LocalGet(0), LocalGet(1), I32LtS, Op(0x71), LocalGet(0), LocalGet(1), I32Mul, I32Add).Compile();
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(7, f.Invoke(Value.I32(2), Value.I32(3))[0].AsI32());
        Assert.Equal(6, f.Invoke(Value.I32(3), Value.I32(2))[0].AsI32());
    }

    [Fact]
    public void NamedConstantsAndShiftPairsNarrowInOneInstruction()
    {
        // -O0: k = 16; (p0 << k) >> k is a sign extension; (p0 << 24) >>> 24 a mask
        var m = new FunctionModule()
            .Func([I32], [I32], [I32], I32Const(16), LocalSet(1), LocalGet(0), LocalGet(1), Op(0x74), LocalGet(1), Op(0x75))
            .Func([I32], [I32], None, LocalGet(0), I32Const(24), Op(0x74), I32Const(24), Op(0x76))
            .Compile();
        Assert.Equal(["i32.extend16_s t0 <- p0", "Return1 t0"], Code(m, 0));
        Assert.Equal(["i32.and t0 <- p0, #255", "Return1 t0"], Code(m, 1));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(-32768, inst.GetFunction("f0")!.Invoke(Value.I32(0x18000))[0].AsI32());
        Assert.Equal(32767, inst.GetFunction("f0")!.Invoke(Value.I32(0x7FFF))[0].AsI32());
        Assert.Equal(0xAB, inst.GetFunction("f1")!.Invoke(Value.I32(0x12AB))[0].AsI32());
    }

    [Fact]
    public void VariablesStoredEarlierInTheBlockAreNotReloaded()
    {
        var m = new FunctionModule().Memory()
            // fp[8] = p1; fp[4] = 7; return fp[8] + fp[4]
            .Func([I32, I32], [I32], None,
                LocalGet(0), LocalGet(1), I32Store(8), LocalGet(0), I32Const(7), I32Store(4),
                LocalGet(0), I32Load(8), LocalGet(0), I32Load(4), I32Add)
            // a store through another address may alias: fp[8] = p1; *p1 = 7; return fp[8]
            .Func([I32, I32], [I32], None,
                LocalGet(0), LocalGet(1), I32Store(8), LocalGet(1), I32Const(7), I32Store(0), LocalGet(0), I32Load(8))
            // a narrower store over part of it: fp[8] = p1; ((char*)fp)[9] = 0; return fp[8]
            .Func([I32, I32], [I32], None,
                LocalGet(0), LocalGet(1), I32Store(8), LocalGet(0), I32Const(0), I32Store8(9), LocalGet(0), I32Load(8))
            .Compile();
        Assert.Equal(["I32Store2 p0, p1, +8, p0, #7, +4", "I32AddImm t0 <- p1, 7", "Return1 t0"], Code(m, 0));
        Assert.Contains("I32Load t0 <- p0, +8", Code(m, 1));
        Assert.Contains("I32Load t0 <- p0, +8", Code(m, 2));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(107, inst.GetFunction("f0")!.Invoke(Value.I32(16), Value.I32(100))[0].AsI32());
        Assert.Equal(7, inst.GetFunction("f1")!.Invoke(Value.I32(16), Value.I32(24))[0].AsI32());
        Assert.Equal(0x12340078, inst.GetFunction("f2")!.Invoke(Value.I32(16), Value.I32(0x12345678))[0].AsI32());
    }

    [Fact]
    public void ArrayElementsAreAddressedInOneInstruction()
    {
        // a[i] = a[j] with a = p0, i = p1, j = p2 (i32 elements)
        var m = new FunctionModule().Memory().Func([I32, I32, I32], [], None,
            LocalGet(0), LocalGet(1), I32Const(2), Op(0x74), I32Add,
            LocalGet(0), LocalGet(2), I32Const(2), Op(0x74), I32Add, I32Load(4),
            I32Store(4))
            .Func([I32, I32], [], None, LocalGet(0), LocalGet(1), I32Store(0))
            .Func([I32], [I32], None, LocalGet(0), I32Load(0))
            .Compile();
        Assert.Equal(["i32.shl t1 <- p1, #2", "i32.add t0 <- p0, t1", "I32LoadShl t1 <- p0, p2, 2, 0, +4", "I32Store t0, t1, +4", "Return0"], Code(m));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        inst.GetFunction("f1")!.Invoke(Value.I32(100 + 4 + 3 * 4), Value.I32(42));
        inst.GetFunction("f0")!.Invoke(Value.I32(100), Value.I32(5), Value.I32(3));
        Assert.Equal(42, inst.GetFunction("f2")!.Invoke(Value.I32(100 + 4 + 5 * 4))[0].AsI32());
        // The index shift wraps to 32 bits before the offset is added, as separate instructions would.
        Assert.Equal("out of bounds memory access",
            Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(0), Value.I32(0), Value.I32(0x3FFFFFFF))).Message);
    }

    [Fact]
    public void StackPointerAdjustmentsAreOneInstruction()
    {
        // -O0 prologue and epilogue: sp -= 16 (fp = sp), ..., sp = fp + 16
        var m = new FunctionModule().Memory().MutableGlobal(1024)
            .Func([], [I32], [I32],
                GlobalGet(0), I32Const(16), I32Sub, LocalTee(0), GlobalSet(0),
                GlobalGet(0),
                LocalGet(0), I32Const(16), I32Add, GlobalSet(0))
            .Compile();
        // The epilogue's restore and return are one instruction.
        Assert.Equal(["GlobalAddImm l0 <- 0, -16", "GlobalGet t0 <- 0", "GlobalSetAddImmReturn1 0, l0, 16, t0"], Code(m));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        Assert.Equal(1008, inst.GetFunction("f0")!.Invoke()[0].AsI32());
        Assert.Equal(1024, inst.GetGlobal("g0")!.Value.AsI32());
    }

    [Fact]
    public void UnreachableCodeIsNotTranslated()
    {
        var m = new FunctionModule().Func([], [I32], None,
            I32Const(1), Return, I32Const(2), I32Const(3), I32Add, Drop, I32Const(4)).Compile();
        Assert.DoesNotContain(Code(m), l => l.Contains("i32.add"));
    }

    [Fact]
    public void EveryNumericOpHasAName()
    {
        for (int op = 0x45; op <= 0xC4; op++)
            Assert.False(string.IsNullOrEmpty(WasmSharp.Interpreter.Disassembler.Name(WasmSharp.Interpreter.OpInfo.FromWasm(op))));
        Assert.Equal("i32.add", WasmSharp.Interpreter.Disassembler.Name(WasmSharp.Interpreter.OpInfo.FromWasm(0x6A)));
        Assert.Equal("i64.extend32_s", WasmSharp.Interpreter.Disassembler.Name(WasmSharp.Interpreter.OpInfo.FromWasm(0xC4)));
    }

    [Fact]
    public void AMaskKeepingEveryLoadedBitIsDropped()
    {
        // (p0[1] & 255) + (p0[1] & 0x1FF) stays a load; p0[1] & 127 keeps its mask; (u64)*(u32*)p0 & 0xFFFFFFFF
        var m = new FunctionModule().Memory()
            .Func([I32], [I32], None, LocalGet(0), I32Load8U(1), I32Const(255), Op(0x71))
            .Func([I32], [I32], None, I32Const(0x1FF), LocalGet(0), I32Load8U(1), Op(0x71))
            .Func([I32], [I32], None, LocalGet(0), I32Load8U(1), I32Const(127), Op(0x71))
            .Func([I32], [I64], None, LocalGet(0), Op(0x35, 0x02, 0x00) /* i64.load32_u */, I64Const(0xFFFF_FFFF), Op(0x83))
            .Compile();
        Assert.Equal(["I32Load8U t0 <- p0, +1", "Return1 t0"], Code(m, 0));
        Assert.Equal(["I32Load8U t0 <- p0, +1", "Return1 t0"], Code(m, 1));
        Assert.Equal(["I32Load8U t0 <- p0, +1", "i32.and t0 <- t0, #127", "Return1 t0"], Code(m, 2));
        Assert.Equal(["I64Load32U t0 <- p0, +0", "Return1 t0"], Code(m, 3));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        inst.GetMemory("memory")!.Span[1] = 0xF0;
        inst.GetMemory("memory")!.Span[4] = 0x80;
        Assert.Equal(0xF0, inst.GetFunction("f0")!.Invoke(Value.I32(0))[0].AsI32());
        Assert.Equal(0xF0, inst.GetFunction("f1")!.Invoke(Value.I32(0))[0].AsI32());
        Assert.Equal(0x70, inst.GetFunction("f2")!.Invoke(Value.I32(0))[0].AsI32());
        Assert.Equal(0x8000_00F0L, inst.GetFunction("f3")!.Invoke(Value.I32(1))[0].AsI64());
    }

    [Fact]
    public void ABranchOverABrIsInverted()
    {
        // block $b { block $skip { br_if $skip (p0 < p1); br $b } return 1 } return 2: one branch, no Br
        var m = new FunctionModule().Func([I32, I32], [I32], None,
            Block(), Block(), LocalGet(0), LocalGet(1), I32LtS, BrIf(0), Br(1), End, I32Const(1), Return, End, I32Const(2)).Compile();
        Assert.Equal(["   0: BrI32GeS p0, p1, @6", "   4: Return1 #1", "   6: Return1 #2"], WasmSharp.Interpreter.Disassembler.Lines(m.Functions[0]));
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(1, f.Invoke(Value.I32(1), Value.I32(2))[0].AsI32());
        Assert.Equal(2, f.Invoke(Value.I32(2), Value.I32(2))[0].AsI32());
        Assert.Equal(2, f.Invoke(Value.I32(3), Value.I32(2))[0].AsI32());
    }

    [Fact]
    public void ABranchOverABrThatIsAlsoATargetStays()
    {
        // block $b { block $skip { block $mid { br_if $mid (p1); br_if $skip (p0) } br $b } return 1 } return 2:
        // the br $b is reached from br_if $mid too, so it must stay
        var m = new FunctionModule().Func([I32, I32], [I32], None,
            Block(), Block(), Block(), LocalGet(1), BrIf(0), LocalGet(0), BrIf(1), End, Br(1), End, I32Const(1), Return, End, I32Const(2)).Compile();
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(1, f.Invoke(Value.I32(1), Value.I32(0))[0].AsI32());
        Assert.Equal(2, f.Invoke(Value.I32(1), Value.I32(1))[0].AsI32());
        Assert.Equal(2, f.Invoke(Value.I32(0), Value.I32(1))[0].AsI32());
        Assert.Equal(2, f.Invoke(Value.I32(0), Value.I32(0))[0].AsI32());
    }

    [Fact]
    public void ALoopWhoseHeadBranchesIntoTheBodyRunsOneBranchPerIteration()
    {
        // loop $l { block $body { br_if $body (p0 < p1) ; return p0 } p0 += 3; br $l }, as -O0 writes while (p < end)
        var m = new FunctionModule().Func([I32, I32], [I32], None,
            Loop(), Block(), LocalGet(0), LocalGet(1), I32LtS, BrIf(0), LocalGet(0), Return, End,
            LocalGet(0), I32Const(3), I32Add, LocalSet(0), Br(0), End, Unreachable).Compile();
        var code = Code(m);
        // The back edge: the head's branch into the body, taken while the loop runs; no Br on that path.
        Assert.Equal(2, code.Count(l => l.StartsWith("BrI32LtS p0, p1")));
        Assert.Equal(1, code.Count(l => l.StartsWith("Br ")));
        Assert.Equal("Br", code[code.FindLastIndex(l => l.StartsWith("BrI32LtS")) + 1][..2]);
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(12, f.Invoke(Value.I32(0), Value.I32(10))[0].AsI32());
        Assert.Equal(20, f.Invoke(Value.I32(20), Value.I32(10))[0].AsI32());
    }

    [Fact]
    public void ALoopHeadWithAShortCircuitKeepsItsCommonPathFree()
    {
        // while (p0 < 50 && p1 != 0) p0++, as -O0 writes it: the head's branch to the && join is inside the loop
        // but is the rare way (the code it skips runs on into the join), so the back edge is rotated as an exit.
        var m = new FunctionModule().Func([I32, I32], [I32], [I32, I32],
            Block(), Loop(), Block(),
            LocalGet(0), I32Const(50), I32LtS, LocalSet(2), I32Const(0), LocalSet(3), LocalGet(2), I32Eqz, BrIf(0),
            LocalGet(1), I32Const(0), Op(0x47) /* i32.ne */, LocalSet(3), End,
            LocalGet(3), I32Eqz, BrIf(1), LocalGet(0), I32Const(1), I32Add, LocalSet(0), Br(0), End, End, LocalGet(0)).Compile();
        var code = Code(m);
        Assert.Contains(code, l => l.StartsWith("BrIfNez t0")); // taken while p0 < 50: into the second operand
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(50, f.Invoke(Value.I32(3), Value.I32(1))[0].AsI32());
        Assert.Equal(3, f.Invoke(Value.I32(3), Value.I32(0))[0].AsI32());
        Assert.Equal(70, f.Invoke(Value.I32(70), Value.I32(1))[0].AsI32());
    }

    public static TheoryData<byte> IntCompares() => new() { 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F };

    [Theory]
    [MemberData(nameof(IntCompares))]
    public void ComparingLoadedValuesIsOneInstruction(byte compare)
    {
        // if (mem[p0] cmp mem[p0 + 4]) return 1; if (p1 cmp mem[p0]) return 3; if (mem[p0 + 4] cmp p1) return 4; return 2
        byte[] IfThenReturn(int v) => [compare, .. I32Eqz, .. BrIf(0), .. I32Const(v), .. Return, .. End];
        var m = new FunctionModule().Memory().Func([I32, I32], [I32], None,
            Block(), Block(), LocalGet(0), I32Load(0), LocalGet(0), I32Load(4), Op(compare), BrIf(0), Br(1), End, I32Const(1), Return, End,
            Block(), LocalGet(1), LocalGet(0), I32Load(0), IfThenReturn(3),
            Block(), LocalGet(0), I32Load(4), LocalGet(1), IfThenReturn(4),
            I32Const(2)).Compile();
        var code = Code(m);
        Assert.Single(code, l => l.Contains("Load2 "));
        Assert.Equal(2, code.Count(l => l.StartsWith("BrI32") && l.Contains("Load ")));
        Assert.DoesNotContain(code, l => l.StartsWith("I32Load"));
        Func<int, int, bool> holds = compare switch
        {
            0x46 => (a, b) => a == b, 0x47 => (a, b) => a != b,
            0x48 => (a, b) => a < b, 0x49 => (a, b) => (uint)a < (uint)b,
            0x4A => (a, b) => a > b, 0x4B => (a, b) => (uint)a > (uint)b,
            0x4C => (a, b) => a <= b, 0x4D => (a, b) => (uint)a <= (uint)b,
            0x4E => (a, b) => a >= b, _ => (a, b) => (uint)a >= (uint)b,
        };
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        var mem = inst.GetMemory("memory")!;
        var f = inst.GetFunction("f0")!;
        int[] values = [0, 1, -1, 5, int.MinValue, int.MaxValue];
        foreach (int x in values)
            foreach (int y in values)
                foreach (int p1 in values)
                {
                    BitConverter.TryWriteBytes(mem.Span[64..], x);
                    BitConverter.TryWriteBytes(mem.Span[68..], y);
                    int expected = holds(x, y) ? 1 : holds(p1, x) ? 3 : holds(y, p1) ? 4 : 2;
                    Assert.Equal(expected, f.Invoke(Value.I32(64), Value.I32(p1))[0].AsI32());
                }
        // The second load traps after the first: out of bounds at p0 + 4 only.
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => f.Invoke(Value.I32(65532), Value.I32(0))).Message);
    }

    [Fact]
    public void ALocalArrayInTheFrameIsAddressedFromTheFramePointer()
    {
        // -O0 with p0 as the frame pointer: l3 = p0 + 192 (a local array, read once); l3[p1] = p2; then the same
        // through l4 = p0 + 192 and l5 = p1 << 2 (each read once): return *(l4 + l5). Base p0, index, 192: one access.
        var m = new FunctionModule().Memory().Func([I32, I32, I32], [I32], [I32, I32, I32],
            LocalGet(0), I32Const(192), I32Add, LocalSet(3),
            LocalGet(3), LocalGet(1), I32Const(2), Op(0x74), I32Add, LocalGet(2), I32Store(0),
            LocalGet(0), I32Const(192), I32Add, LocalSet(4),
            LocalGet(1), I32Const(2), Op(0x74), LocalSet(5), LocalGet(4), LocalGet(5), I32Add, I32Load(0)).Compile();
        var code = Code(m);
        Assert.Equal(["I32StoreShl p0, p1, 2, p2, 192, +0", "I32LoadShl t0 <- p0, p1, 2, 192, +0", "Return1 t0"], code);
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(77, f.Invoke(Value.I32(1000), Value.I32(3), Value.I32(77))[0].AsI32());
        // fp + 192 wraps to 64 before the index is added, as the separate addition would.
        Assert.Equal(78, f.Invoke(Value.I32(-128), Value.I32(3), Value.I32(78))[0].AsI32());
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => f.Invoke(Value.I32(65536 - 200), Value.I32(3), Value.I32(1))).Message);
        // A base read again later keeps its own instruction: l1 = p0 + 192; l1[p1] = 5; return l1
        var m2 = new FunctionModule().Memory().Func([I32, I32], [I32], [I32],
            LocalGet(0), I32Const(192), I32Add, LocalSet(2),
            LocalGet(2), LocalGet(1), I32Const(2), Op(0x74), I32Add, I32Const(5), I32Store(0), LocalGet(2)).Compile();
        var g = new Linker().Instantiate(store, m2).GetFunction("f0")!;
        Assert.Equal(1192, g.Invoke(Value.I32(1000), Value.I32(3))[0].AsI32());
    }

    [Fact]
    public void ALocalByteArrayInTheFrameIsAddressedFromTheFramePointer()
    {
        // -O0 with p0 as the frame pointer and a char buffer at fp + 48: buf[p1] = p2; return buf[p1 + 1] + buf[p1]
        var m = new FunctionModule().Memory().Func([I32, I32, I32], [I32], [I32],
            LocalGet(0), I32Const(48), I32Add, LocalGet(1), I32Add, LocalGet(2), I32Store8(0),
            LocalGet(0), I32Const(48), I32Add, LocalSet(3), LocalGet(3), LocalGet(1), I32Add, I32Load8U(1),
            LocalGet(1), LocalGet(0), I32Const(48), I32Add, I32Add, I32Load8U(0), I32Add).Compile();
        Assert.Equal(["I32Store8Add p0, p1, p2, 48, +0", "I32Load8UAdd t0 <- p0, p1, 48, +1", "I32Load8UAdd t1 <- p1, p0, 48, +0",
            "i32.add t0 <- t0, t1", "Return1 t0"], Code(m));
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        Assert.Equal(7, f.Invoke(Value.I32(1000), Value.I32(3), Value.I32(7))[0].AsI32());
        // fp + 48 wraps to 16: the buffer is at 16 + p1
        Assert.Equal(9, f.Invoke(Value.I32(-32), Value.I32(0), Value.I32(9))[0].AsI32());
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => f.Invoke(Value.I32(65536 - 48), Value.I32(0), Value.I32(1))).Message);
    }

    [Fact]
    public void ACopiedByteIsOneInstructionAndItsReloadIsFree()
    {
        // -O0 char c = *p0; (c kept at fp p1 + 7) then return (signed char)c * 2 + (unsigned char)c
        var m = new FunctionModule().Memory()
            .Func([I32, I32], [I32], None,
                LocalGet(1), LocalGet(0), I32Load8U(0), I32Store8(7),
                LocalGet(1), Op(0x2C, 0x00, 0x07) /* i32.load8_s offset=7 */, I32Const(2), I32Mul,
                LocalGet(1), I32Load8U(7), I32Add)
            .Func([I32, I32], [I32], None,
                LocalGet(1), LocalGet(0), I32Load8U(0), I32Store8(7), LocalGet(1), I32Load8U(7), I32Const(255), Op(0x71))
            .Compile();
        var code = Code(m, 0);
        Assert.Equal("I32Load8SStore8 t0 <- p0, +0, p1, +7", code[0]);
        Assert.Equal(["I32Load8UStore8 t0 <- p0, +0, p1, +7", "Return1 t0"], Code(m, 1));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        var mem = inst.GetMemory("memory")!;
        mem.Span[100] = 0xFE;
        Assert.Equal(-4 + 0xFE, inst.GetFunction("f0")!.Invoke(Value.I32(100), Value.I32(200))[0].AsI32());
        Assert.Equal(0xFE, mem.Span[207]);
        mem.Span[101] = 0x85;
        Assert.Equal(0x85, inst.GetFunction("f1")!.Invoke(Value.I32(101), Value.I32(300))[0].AsI32());
        Assert.Equal(0x85, mem.Span[307]);
        // Each access is checked on its own: the load at the end of memory is fine, the store past it traps.
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f1")!.Invoke(Value.I32(65535), Value.I32(65530))).Message);
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f1")!.Invoke(Value.I32(65536), Value.I32(0))).Message);
    }

    [Fact]
    public void AnOperationOnTwoVariablesLoadedFromTheFrameIsOneInstruction()
    {
        // -O0 with the frame at p0: [p0+8] = p, [p0+12] = i, [p0+16] = x, [p0+20] = y.
        // f0: x += y (return x); f1: return ((int*)p)[i]; f2: return ((unsigned char*)p)[i]; f3: ((char*)p)[i] = p1
        byte[] Pair(uint a, uint b) => [.. LocalGet(0), .. I32Load(a), .. LocalGet(0), .. I32Load(b)];
        var m = new FunctionModule().Memory()
            .Func([I32], [I32], None, LocalGet(0), Pair(16, 20), I32Add, I32Store(16), LocalGet(0), I32Load(16))
            .Func([I32], [I32], None, Pair(8, 12), I32Const(2), Op(0x74), I32Add, I32Load(4))
            .Func([I32], [I32], None, Pair(8, 12), I32Add, I32Load8U(1))
            .Func([I32, I32], [], None, Pair(8, 12), I32Add, LocalGet(1), I32Store8(2))
            .Compile();
        Assert.Equal(["I32Load2AddStore t1 <- p0, +16, t2, p0, +20, t0, p0, +16", "Return1 t0"], Code(m, 0));
        Assert.Equal(["I32Load2LoadShl t0 <- p0, +8, t1, p0, +12, t0, 2, 0, +4", "Return1 t0"], Code(m, 1));
        Assert.Equal(["I32Load2Load8UAdd t0 <- p0, +8, t1, p0, +12, t0, 0, +1", "Return1 t0"], Code(m, 2));
        Assert.Equal(["I32Load2Store8Add t0 <- p0, +8, t1, p0, +12, p1, 0, +2", "Return0"], Code(m, 3));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        var mem = inst.GetMemory("memory")!;
        void Put(int at, int v) => BitConverter.TryWriteBytes(mem.Span[at..], v);
        Put(100 + 8, 1000); Put(100 + 12, 3); Put(100 + 16, 40); Put(100 + 20, 2);
        Put(1000 + 4 + 3 * 4, 77);
        mem.Span[1000 + 1 + 3] = 0xF9;
        Assert.Equal(42, inst.GetFunction("f0")!.Invoke(Value.I32(100))[0].AsI32());
        Assert.Equal(44, inst.GetFunction("f0")!.Invoke(Value.I32(100))[0].AsI32());
        Assert.Equal(77, inst.GetFunction("f1")!.Invoke(Value.I32(100))[0].AsI32());
        Assert.Equal(0xF9, inst.GetFunction("f2")!.Invoke(Value.I32(100))[0].AsI32());
        inst.GetFunction("f3")!.Invoke(Value.I32(100), Value.I32(0x1AB));
        Assert.Equal(0xAB, mem.Span[1000 + 2 + 3]);
        // i = -1: p + (i << 2) wraps below p, as the separate instructions would; past the end, each access traps.
        Put(100 + 12, -1);
        Put(1000 + 4 - 4, 55);
        Assert.Equal(55, inst.GetFunction("f1")!.Invoke(Value.I32(100))[0].AsI32());
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f0")!.Invoke(Value.I32(65536 - 18))).Message);
        Put(100 + 12, 65536);
        Assert.Equal("out of bounds memory access", Assert.Throws<TrapException>(() => inst.GetFunction("f3")!.Invoke(Value.I32(100), Value.I32(1))).Message);
    }

    [Fact]
    public void TwoMovesInARowAreOneInstructionUnlessTheSecondReadsTheFirst()
    {
        // l0 = p0; l1 = p1 (one Copy2), then l2 = l1; p0 = l2 (the second reads what the first wrote: two Copies)
        var m = new FunctionModule().Func([I32, I32], [I32], [I32, I32, I32],
            LocalGet(0), LocalSet(2), LocalGet(1), LocalSet(3),
            Block(), LocalGet(3), LocalSet(4), LocalGet(4), LocalSet(0), End,
            LocalGet(0), LocalGet(2), I32Const(10), I32Mul, I32Add, LocalGet(4), I32Add).Compile();
        var code = Code(m);
        Assert.StartsWith("Copy2 ", code[0]);
        Assert.Contains("l0 <- p0", code[0]);
        Assert.Contains("l1 <- p1", code[0]);
        Assert.Contains("Copy l2 <- l1", code);
        Assert.Contains("Copy p0 <- l2", code);
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        // p0 = p1 at the end: p1 + p0 * 10 + p1
        Assert.Equal(7 + 30 + 7, f.Invoke(Value.I32(3), Value.I32(7))[0].AsI32());
    }

    [Fact]
    public void OnlyAByteReloadReadsACopiedByteInPlace()
    {
        // -O0 c = *p0 (signed char) kept at p1 + 7, then the word, the halfword and the byte at p1 + 7 read back
        byte[] CopyThenLoad(byte[] load) => [.. LocalGet(1), .. LocalGet(0), 0x2C, 0x00, 0x00 /* i32.load8_s */, .. I32Store8(7), .. LocalGet(1), .. load];
        var m = new FunctionModule().Memory()
            .Func([I32, I32], [I32], None, CopyThenLoad(I32Load(7)))
            .Func([I32, I32], [I32], None, CopyThenLoad([0x2F, 0x01, 0x07])) // i32.load16_u offset=7
            .Func([I32, I32], [I64], None, CopyThenLoad([0x31, 0x00, 0x07])) // i64.load8_u offset=7
            .Func([I32, I32], [I32], None, CopyThenLoad(I32Load8U(7)))
            .Compile();
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        var mem = inst.GetMemory("memory")!;
        mem.Span[100] = 0xAB;
        mem.Span[208] = 0x12; mem.Span[209] = 0x34; mem.Span[210] = 0x56;
        Assert.Equal(0x563412AB, inst.GetFunction("f0")!.Invoke(Value.I32(100), Value.I32(200))[0].AsI32());
        Assert.Equal(0x12AB, inst.GetFunction("f1")!.Invoke(Value.I32(100), Value.I32(200))[0].AsI32());
        Assert.Equal(0xABL, inst.GetFunction("f2")!.Invoke(Value.I32(100), Value.I32(200))[0].AsI64());
        Assert.Equal(0xAB, inst.GetFunction("f3")!.Invoke(Value.I32(100), Value.I32(200))[0].AsI32());
        Assert.Equal(["I32Load8UStore8 t0 <- p0, +0, p1, +7", "Return1 t0"], Code(m, 3));
    }
}
