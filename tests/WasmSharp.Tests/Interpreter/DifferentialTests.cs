using WasmSharp.Interpreter;

namespace WasmSharp.Tests.Interpreter;

/// <summary>
/// WasmSharp's interpreter against Wasmtime on generated programs: the same module, the same arguments, the same
/// result or the same trap. The generator exercises the translator's fusions (locals forwarded and reclaimed,
/// compare-and-branch, moves, address arithmetic), where a wrong rewrite shows as a different answer.
/// </summary>
public class DifferentialTests
{
    /// <summary>Programs compared unless WASMSHARP_DIFF_PROGRAMS says otherwise.</summary>
    private const int DefaultPrograms = 1000;

    [Fact]
    public void GeneratedProgramsAgreeWithWasmtime()
    {
        using var engine = new Wasmtime.Engine();
        int programs = int.TryParse(Environment.GetEnvironmentVariable("WASMSHARP_DIFF_PROGRAMS"), out var n) ? n : DefaultPrograms;
        (int, int)[] inputs = [(0, 0), (1, -1), (7, 3), (-100, 2), (int.MaxValue, int.MinValue), (12345, 678)];
        for (int seed = 0; seed < programs; seed++)
        {
            var bytes = RandomProgram.Generate(seed);
            var ours = Module.FromBytes(bytes);
            using var theirs = Wasmtime.Module.FromBytes(engine, "m", bytes);
            foreach (var (a, b) in inputs)
            {
                string expected = RunWasmtime(engine, theirs, a, b);
                string actual = RunWasmSharp(ours, a, b);
                if (expected != actual)
                    Assert.Fail($"seed {seed}, f({a}, {b}): Wasmtime {expected}, WasmSharp {actual}\n" +
                                $"{Convert.ToHexString(bytes)}\n" + string.Join("\n", FunctionModule.Code(ours)));
            }
        }
    }

    [Fact]
    public void GeneratedProgramsReachTheFusedForms()
    {
        // The comparison above only checks the fusions its programs make the translator emit, so they must all
        // occur. Each comparison of a compare-and-branch form is its own case in the executor.
        List<Op> fused =
        [
            Op.I32Load2, Op.I32Load2AddStore, Op.I32Load2LoadShl, Op.I32Load2Load8UAdd, Op.I32Load2Store8Add,
            Op.I32Load8UStore8, Op.I32Load8SStore8, Op.I32LoadAddImmStore,
            Op.I32LoadShl, Op.I32StoreShl, Op.I32Load8UAdd, Op.I32Store8Add, Op.BrI32AndZ, Op.BrI32AndNz,
            Op.I64Load2, Op.I64Store2, Op.I64LoadShl, Op.I64StoreShl, Op.I64AddImm, Op.F64AddStore, Op.F64MulStore,
            Op.SelectV128, Op.CopyV128,
        ];
        for (int cmp = 0; cmp <= Op.BrI32GeU - Op.BrI32Eq; cmp++)
            fused.AddRange([Op.BrI32Eq + cmp, Op.BrI32EqLoad + cmp, Op.BrI32EqLoad2 + cmp, Op.BrI64Eq + cmp, Op.SelectI32Eq + cmp]);
        // Float compare-and-branch: every comparison, and the negations of the orderings (the i32.eqz of a float
        // comparison, or an if on one, is not the opposite ordering when an operand is NaN).
        for (var op = Op.BrF32Eq; op <= Op.BrF64NotGe; op++) fused.Add(op);
        var missing = fused.Select(Disassembler.Name).ToHashSet(StringComparer.Ordinal);
        // Arrays in the frame at fp + 16, with the addition taken over by the access: its base is the frame
        // pointer and its immediate 16 (the next-to-last operand of these).
        var missingAt16 = new[] { Op.I32LoadShl, Op.I32StoreShl, Op.I32Load8UAdd, Op.I32Store8Add, Op.I64LoadShl, Op.I64StoreShl }
            .Select(Disassembler.Name).ToHashSet(StringComparer.Ordinal);
        for (int seed = 0; seed < DefaultPrograms && (missing.Count > 0 || missingAt16.Count > 0); seed++)
        {
            foreach (var line in FunctionModule.Code(Module.FromBytes(RandomProgram.Generate(seed))))
            {
                var (name, operands) = ParseLine(line);
                missing.Remove(name);
                // Loads have a destination first; the address base follows it.
                bool load = name is nameof(Op.I32LoadShl) or nameof(Op.I64LoadShl) or nameof(Op.I32Load8UAdd);
                if (missingAt16.Contains(name) && operands[load ? 1 : 0] == RandomProgram.FramePointerSlot && operands[^2] == "16")
                    missingAt16.Remove(name);
            }
        }
        Assert.Empty(missing);
        Assert.Empty(missingAt16);
    }

    [Fact]
    public void GeneratedProgramsRunEveryNumericAndSimdOperation()
    {
        // Every operation on numbers and vectors is compared somewhere (but the reinterpretations, which keep the
        // bits and need no instruction).
        var missing = Enumerable.Range((int)Op.I32Eqz, Op.F64x2ConvertLowI32x4U - Op.I32Eqz + 1).Select(i => (Op)i)
            .Where(op => op is not (Op.I32ReinterpretF32 or Op.I64ReinterpretF64 or Op.F32ReinterpretI32 or Op.F64ReinterpretI64) && !OpInfo.IsRare(op))
            .Select(Disassembler.Name).ToHashSet(StringComparer.Ordinal);
        for (int seed = 0; seed < DefaultPrograms && missing.Count > 0; seed++)
            foreach (var line in FunctionModule.Code(Module.FromBytes(RandomProgram.Generate(seed))))
                missing.Remove(ParseLine(line).Name);
        Assert.Empty(missing);
    }

    /// <summary>The op name and operands of a disassembled line ("Name d <- a, b" or "Name a, b").</summary>
    private static (string Name, string[] Operands) ParseLine(string line)
    {
        var parts = line.Split(' ', 2);
        return (parts[0], parts.Length < 2 ? [] : parts[1].Replace(" <- ", ", ").Split(", "));
    }

    private static string RunWasmSharp(Module module, int a, int b)
    {
        using var store = new Store();
        var f = new Linker().Instantiate(store, module).GetFunction("f")!;
        try { return f.Invoke(Value.I32(a), Value.I32(b))[0].AsI32().ToString(); }
        catch (TrapException t) { return "trap: " + t.Message; }
    }

    private static string RunWasmtime(Wasmtime.Engine engine, Wasmtime.Module module, int a, int b)
    {
        using var store = new Wasmtime.Store(engine);
        using var linker = new Wasmtime.Linker(engine);
        var f = linker.Instantiate(store, module).GetFunction<int, int, int>("f")!;
        try { return f(a, b).ToString(); }
        catch (Wasmtime.TrapException t) { return "trap: " + Normalize(t.Message); }
    }

    /// <summary>Wasmtime words the traps the generator can cause differently from the spec.</summary>
    private static string Normalize(string message) =>
        message.Contains("divide by zero", StringComparison.OrdinalIgnoreCase) ? "integer divide by zero"
        : message.Contains("overflow", StringComparison.OrdinalIgnoreCase) ? "integer overflow"
        : message.Contains("invalid conversion to integer", StringComparison.OrdinalIgnoreCase) ? "invalid conversion to integer"
        : message.Contains("out of bounds memory access", StringComparison.OrdinalIgnoreCase) ? "out of bounds memory access"
        : message;
}
