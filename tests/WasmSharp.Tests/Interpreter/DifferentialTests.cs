namespace WasmSharp.Tests.Interpreter;

/// <summary>
/// WasmSharp's interpreter against Wasmtime on generated programs: the same module, the same arguments, the same
/// result or the same trap. The generator exercises the translator's fusions (locals forwarded and reclaimed,
/// compare-and-branch, moves, address arithmetic), where a wrong rewrite shows as a different answer.
/// </summary>
public class DifferentialTests
{
    [Fact]
    public void GeneratedProgramsAgreeWithWasmtime()
    {
        using var engine = new Wasmtime.Engine();
        int programs = int.TryParse(Environment.GetEnvironmentVariable("WASMSHARP_DIFF_PROGRAMS"), out var n) ? n : 1000;
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
        // The comparison above only checks what the programs make the translator emit.
        string[] forms = ["I32Load2AddStore", "I32Load2LoadShl", "I32Load2Load8UAdd", "I32Load2Store8Add", "I32Load8UStore8",
            "I32Load8SStore8", "BrI32", "Load2 ", "LoadShl", "StoreShl", "Store8Add", "I32LoadAddImmStore", "I32Load2 "];
        var seen = new HashSet<string>();
        for (int seed = 0; seed < 300 && seen.Count < forms.Length; seed++)
        {
            var code = FunctionModule.Code(Module.FromBytes(RandomProgram.Generate(seed)));
            foreach (var form in forms)
                if (code.Any(l => l.Contains(form))) seen.Add(form);
        }
        Assert.Empty(forms.Except(seen));
        // An array in the frame addressed from the frame pointer with its offset taken over (fp + 16).
        Assert.Contains(Enumerable.Range(0, 300).SelectMany(seed => FunctionModule.Code(Module.FromBytes(RandomProgram.Generate(seed)))),
            l => l.Contains("Shl") && l.Contains(", 16, +") || l.Contains("Add") && l.Contains(", 16, +"));
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

    /// <summary>Wasmtime words two traps the generator can cause differently from the spec.</summary>
    private static string Normalize(string message) =>
        message.Contains("divide by zero", StringComparison.OrdinalIgnoreCase) ? "integer divide by zero"
        : message.Contains("overflow", StringComparison.OrdinalIgnoreCase) ? "integer overflow"
        : message;
}
