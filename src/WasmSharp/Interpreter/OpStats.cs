#if WASMSHARP_OPSTATS
namespace WasmSharp.Interpreter;

/// <summary>
/// Dynamic instruction mix and adjacent pairs, for choosing fusions from measurements. Compiled in only with
/// <c>dotnet build -p:DefineConstants=WASMSHARP_OPSTATS</c>; printed to stderr at process exit.
/// </summary>
internal static class OpStats
{
    private static readonly long[] Ops = new long[512];
    private static readonly long[,] Pairs = new long[512, 512];
    private static readonly Dictionary<long, long> Triples = new();
    private static int _previous, _previous2;

    static OpStats() => AppDomain.CurrentDomain.ProcessExit += (_, _) => Print();

    public static void Count(int op)
    {
        Ops[op]++;
        Pairs[_previous, op]++;
        long key = ((long)_previous2 << 20) | ((long)_previous << 10) | (long)op;
        Triples[key] = Triples.GetValueOrDefault(key) + 1;
        _previous2 = _previous;
        _previous = op;
    }

    private static void Print()
    {
        long total = Ops.Sum();
        var err = Console.Error;
        err.WriteLine($"-- op stats: {total:N0} instructions");
        foreach (var (op, n) in Ops.Select((n, op) => (op, n)).Where(x => x.n > 0).OrderByDescending(x => x.n).Take(80))
            err.WriteLine($"{n * 100.0 / total,6:F2}%  {Disassembler.Name((Op)op)}");
        err.WriteLine("-- pairs");
        var pairs = new List<(int A, int B, long N)>();
        for (int a = 0; a < 512; a++)
            for (int b = 0; b < 512; b++)
                if (Pairs[a, b] > 0) pairs.Add((a, b, Pairs[a, b]));
        foreach (var (a, b, n) in pairs.OrderByDescending(x => x.N).Take(60))
            err.WriteLine($"{n * 100.0 / total,6:F2}%  {Disassembler.Name((Op)a)} ; {Disassembler.Name((Op)b)}");
        err.WriteLine("-- triples");
        foreach (var (key, n) in Triples.OrderByDescending(x => x.Value).Take(40))
            err.WriteLine($"{n * 100.0 / total,6:F2}%  {Disassembler.Name((Op)(key >> 20))} ; {Disassembler.Name((Op)((key >> 10) & 1023))} ; {Disassembler.Name((Op)(key & 1023))}");
    }
}
#endif
