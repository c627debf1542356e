// WasmSharp's start-up measurement for the benchmark harness:
//
//   WasmSharpRunner compile FILE [N] [--native [-O0..-O3] [--guard-pages] [--cache DIR]]
//       decodes, validates and translates FILE N times (default 3) with Module.FromBytes, printing the
//       milliseconds of each on one line; the first is the cold figure (it includes JIT compiling WasmSharp
//       itself). With --native, each time also compiles the module to native code through LLVM, into a new,
//       empty cache (so every time is a cold compile; the first also loads LLVM). With --cache DIR, every time
//       uses the cache in DIR, which stays: run once to fill it, then again for cache hits (a new engine each
//       time; the first in the process is what `wasmsharp run` does when the cache has the module).
using System.Diagnostics;
using System.Globalization;
using WasmSharp;
using WasmSharp.Llvm;

if (args.Length < 2 || args[0] != "compile")
{
    Console.Error.WriteLine("usage: WasmSharpRunner compile FILE [N] [--native [-O0..-O3] [--guard-pages] [--cache DIR]]");
    return 2;
}

byte[] bytes = File.ReadAllBytes(args[1]);
int repeats = args.Length > 2 && !args[2].StartsWith('-') ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
bool native = args.Contains("--native");
int optLevel = args.FirstOrDefault(a => a.Length == 3 && a.StartsWith("-O", StringComparison.Ordinal)) is { } o ? o[2] - '0' : LlvmBackend.DefaultOptLevel;
bool guardPages = args.Contains("--guard-pages");
int cacheArg = Array.IndexOf(args, "--cache");
string? kept = native && cacheArg >= 0 && cacheArg + 1 < args.Length ? args[cacheArg + 1] : null;
var times = new List<string>();
for (int i = 0; i < repeats; i++)
{
    string? cache = kept ?? (native ? Directory.CreateTempSubdirectory("wasmsharp-runner-").FullName : null);
    try
    {
        var engine = native ? new Engine(new EngineConfig { Native = new LlvmBackend(optLevel, cache, guardPages) }) : Engine.Default;
        var sw = Stopwatch.StartNew();
        var module = Module.FromBytes(engine, bytes);
        times.Add(sw.Elapsed.TotalMilliseconds.ToString("F3", CultureInfo.InvariantCulture));
        if (native && module.NativeFallback is { } why)
        {
            Console.Error.WriteLine($"not compiled natively: {why}");
            return 1;
        }
    }
    finally
    {
        if (cache is not null && kept is null) Directory.Delete(cache, recursive: true);
    }
}
Console.WriteLine(string.Join(' ', times));
return 0;
