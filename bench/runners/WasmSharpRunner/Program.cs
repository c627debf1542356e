// WasmSharp's start-up measurement for the benchmark harness:
//
//   WasmSharpRunner compile FILE [N]   decodes, validates and translates FILE N times (default 3) with
//                                      Module.FromBytes, printing the milliseconds of each on one line; the
//                                      first is the cold figure (it includes JIT compiling WasmSharp itself).
using System.Diagnostics;
using System.Globalization;
using WasmSharp;

if (args.Length < 2 || args[0] != "compile")
{
    Console.Error.WriteLine("usage: WasmSharpRunner compile FILE [N]");
    return 2;
}

byte[] bytes = File.ReadAllBytes(args[1]);
int repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var times = new List<string>();
for (int i = 0; i < repeats; i++)
{
    var sw = Stopwatch.StartNew();
    Module.FromBytes(bytes);
    times.Add(sw.Elapsed.TotalMilliseconds.ToString("F3", CultureInfo.InvariantCulture));
}
Console.WriteLine(string.Join(' ', times));
return 0;
