#if WASMSHARP_OPSTATS
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WasmSharp.Interpreter;

/// <summary>
/// Dynamic instruction mix and adjacent pairs, for choosing fusions from measurements. Compiled in only with
/// <c>dotnet build -p:DefineConstants=WASMSHARP_OPSTATS</c>; printed to stderr at process exit.
/// </summary>
internal static unsafe class OpStats
{
    // Hot code: executions per instruction address (code arrays are pinned), and the functions to map them back.
    private static readonly Dictionary<nint, long> PerIp = new();
    private static readonly List<CompiledFunction> Functions = new();

    public static void Register(CompiledFunction fn)
    {
        lock (Functions) Functions.Add(fn);
    }

    private static readonly long[] Ops = new long[OpInfo.Count];
    private static readonly long[,] Pairs = new long[OpInfo.Count, OpInfo.Count];
    private static readonly Dictionary<long, long> Triples = new();
    private static int _previous, _previous2;

    static OpStats() => AppDomain.CurrentDomain.ProcessExit += (_, _) => Print();

    public static void Count(int* ip)
    {
        int op = ip[0];
        PerIp[(nint)ip] = PerIp.GetValueOrDefault((nint)ip) + 1;
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
        for (int a = 0; a < OpInfo.Count; a++)
            for (int b = 0; b < OpInfo.Count; b++)
                if (Pairs[a, b] > 0) pairs.Add((a, b, Pairs[a, b]));
        foreach (var (a, b, n) in pairs.OrderByDescending(x => x.N).Take(60))
            err.WriteLine($"{n * 100.0 / total,6:F2}%  {Disassembler.Name((Op)a)} ; {Disassembler.Name((Op)b)}");
        err.WriteLine("-- triples");
        foreach (var (key, n) in Triples.OrderByDescending(x => x.Value).Take(40))
            err.WriteLine($"{n * 100.0 / total,6:F2}%  {Disassembler.Name((Op)(key >> 20))} ; {Disassembler.Name((Op)((key >> 10) & 1023))} ; {Disassembler.Name((Op)(key & 1023))}");
        PrintHotCode(total);
    }

    /// <summary>The functions that ran most, each instruction with its share of all executed instructions
    /// (set WASMSHARP_OPSTATS_HOT=N for the N hottest functions; 0 turns the listing off).</summary>
    private static void PrintHotCode(long total)
    {
        int top = int.TryParse(Environment.GetEnvironmentVariable("WASMSHARP_OPSTATS_HOT"), out int n) ? n : 4;
        if (top <= 0) return;
        var err = Console.Error;
        var perFunction = new List<(CompiledFunction Fn, long N, long[] Counts)>();
        foreach (var fn in Functions)
        {
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(fn.Code));
            var counts = new long[fn.Code.Length];
            long sum = 0;
            for (int pc = 0; pc < counts.Length; pc++)
                if (PerIp.TryGetValue(start + pc * sizeof(int), out long c)) { counts[pc] = c; sum += c; }
            if (sum > 0) perFunction.Add((fn, sum, counts));
        }
        foreach (var (fn, sum, counts) in perFunction.OrderByDescending(x => x.N).Take(top))
        {
            err.WriteLine($"-- hot code: func[{fn.Index}] {sum * 100.0 / total:F2}%");
            var lines = Disassembler.Lines(fn);
            foreach (var line in lines)
            {
                int pc = int.Parse(line.AsSpan(0, line.IndexOf(':')));
                long c = counts[pc];
                if (c * 1000 >= total) err.WriteLine($"{c * 100.0 / total,6:F2}% {line}");
            }
        }
    }
}
#endif
