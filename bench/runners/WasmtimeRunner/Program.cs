// The Wasmtime engine of the benchmark harness, through the Wasmtime NuGet package (the .NET embedding) with
// its default configuration (Cranelift, optimisation level "speed", parallel compilation).
//
//   WasmtimeRunner run FILE [ARGS...]   runs a WASI command: stdout, stderr inherited, exit code passed through
//   WasmtimeRunner compile FILE [N]     compiles FILE N times (default 3), each in a new Engine, printing the
//                                       milliseconds of each on one line; the first is the cold figure
using System.Diagnostics;
using Wasmtime;

if (args.Length < 2 || (args[0] != "run" && args[0] != "compile"))
{
    Console.Error.WriteLine("usage: WasmtimeRunner run FILE [ARGS...] | compile FILE [N]");
    return 2;
}

string file = args[1];
if (args[0] == "compile")
{
    byte[] bytes = File.ReadAllBytes(file);
    int repeats = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
    var times = new List<string>();
    for (int i = 0; i < repeats; i++)
    {
        // A new engine each time: no compiled code is shared between the measurements. Only the compilation
        // is timed, as for the other engines (the bytes are read beforehand).
        using var engine = new Engine();
        var sw = Stopwatch.StartNew();
        using var module = Module.FromBytes(engine, Path.GetFileName(file), bytes);
        times.Add(sw.Elapsed.TotalMilliseconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
    }
    Console.WriteLine(string.Join(' ', times));
    return 0;
}

using (var engine = new Engine())
using (var module = Module.FromFile(engine, file))
using (var linker = new Linker(engine))
using (var store = new Store(engine))
{
    linker.DefineWasi();
    store.SetWasiConfiguration(new WasiConfiguration()
        .WithArgs([Path.GetFileName(file), .. args[2..]])
        .WithInheritedStandardOutput()
        .WithInheritedStandardError());
    var instance = linker.Instantiate(store, module);
    var start = instance.GetAction("_start") ?? throw new InvalidOperationException("no _start export");
    try
    {
        start();
    }
    catch (WasmtimeException ex) when (ex.ExitCode is int code)
    {
        return code;
    }
    catch (TrapException ex)
    {
        Console.Error.WriteLine($"trap: {ex.Message}");
        return 1;
    }
}
return 0;
