using System.Diagnostics;
using System.Text;
using System.Text.Json;
using WasmSharp;
using WasmSharp.Components;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;

namespace WasmSharp.Bench.ComponentCalls;

/// <summary>The .NET types the benchmark's component types map to (calls.wat's item, entry and shape).</summary>
public sealed record Item(uint Id, string Name, double Score);

public sealed record Entry(uint Id, double Score);

public abstract record Shape
{
    public sealed record Num(uint Value) : Shape;
    public sealed record Text(string Value) : Shape;
    public sealed record None : Shape;
}

/// <summary>
/// <c>ComponentCallsRunner CALLS.wasm CASES.json [--seconds S] [--runs N] [--path reference|compiled|core] [--engine interp|llvm]</c>: for each case of CASES.json, the
/// time of one call of calls.wasm's function through the reference Canonical ABI (untyped values) and through the
/// compiled thunk (.NET types), and for the scalar case a plain core Wasm call of the same function; one JSON line
/// per measurement (<c>{"case", "path", "ns"}</c>: the median over N runs of about S seconds each).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: ComponentCallsRunner CALLS.wasm CASES.json [--seconds S] [--runs N] [--path reference|compiled|core] [--engine interp|llvm]");
            return 2;
        }
        double seconds = Option(args, "--seconds", 0.3);
        int runs = (int)Option(args, "--runs", 5);
        // --path reference|compiled|core: measure that path only (to profile one).
        int only = Array.IndexOf(args, "--path");
        string? path = only >= 0 && only + 1 < args.Length ? args[only + 1] : null;
        bool Wanted(string p) => path is null || path == p;
        // --engine interp|llvm: what runs the component's core code (default: the interpreter).
        int engineAt = Array.IndexOf(args, "--engine");
        string engine = engineAt >= 0 && engineAt + 1 < args.Length ? args[engineAt + 1] : "interp";
        var store = engine switch
        {
            "interp" => new Store(),
            "llvm" => new Store(new Engine(new EngineConfig { Native = new WasmSharp.Llvm.LlvmBackend() })),
            _ => throw new ArgumentException($"--engine {engine}: interp or llvm"),
        };
        var instance = new ComponentLinker().Instantiate(store, ComponentReader.Read(File.ReadAllBytes(args[0])));
        var api = (ComponentInstance)instance.Exports["bench:calls/api"].Item;
        using var cases = JsonDocument.Parse(File.ReadAllText(args[1]));
        foreach (var c in cases.RootElement.GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("case").GetString()!;
            var f = api.GetFunction(c.GetProperty("func").GetString()!)!;
            var (untyped, typed) = Calls(f, c);
            if (Wanted("reference")) Report(name, "reference", Measure(untyped, seconds, runs));
            if (Wanted("compiled")) Report(name, "compiled", Measure(typed, seconds, runs));
            if (c.TryGetProperty("scalar", out _) && Wanted("core")) Report(name, "core", Measure(CoreAdd(store), seconds, runs));
        }
        return 0;
    }

    /// <summary>The case's call through the reference path (component values) and through the compiled one.</summary>
    private static (Action Untyped, Action Typed) Calls(ComponentFunction f, JsonElement c)
    {
        if (c.TryGetProperty("scalar", out var scalar))
        {
            uint a = scalar[0].GetUInt32(), b = scalar[1].GetUInt32();
            var add = f.AsDelegate<Func<uint, uint, uint>>();
            var values = new ComponentValue[] { new IntegerValue(Primitive.U32, a), new IntegerValue(Primitive.U32, b) };
            return (() => f.Invoke(values), () => add(a, b));
        }
        if (c.TryGetProperty("string", out var s))
        {
            string text = Text(s.GetProperty("bytes").GetInt32(), s.GetProperty("ascii").GetBoolean());
            var echo = f.AsDelegate<Func<string, string>>();
            var value = new ComponentValue[] { new StringValue(text) };
            if (echo(text) != text) throw new InvalidOperationException("echo did not return its argument");
            return (() => f.Invoke(value), () => echo(text));
        }
        if (c.TryGetProperty("u32s", out var n))
        {
            var xs = Enumerable.Range(0, n.GetInt32()).Select(i => (uint)i).ToArray();
            var size = f.AsDelegate<Func<uint[], uint>>();
            var value = new ComponentValue[] { new ListValue(xs.Select(x => (ComponentValue)new IntegerValue(Primitive.U32, x)).ToArray()) };
            return (() => f.Invoke(value), () => size(xs));
        }
        if (c.TryGetProperty("record", out var r))
        {
            var item = new Item(r.GetProperty("id").GetUInt32(), r.GetProperty("name").GetString()!, r.GetProperty("score").GetDouble());
            var score = f.AsDelegate<Func<Item, double>>();
            var value = new ComponentValue[]
            {
                new RecordValue(new (string, ComponentValue)[]
                {
                    ("id", new IntegerValue(Primitive.U32, item.Id)), ("name", new StringValue(item.Name)), ("score", new FloatValue(Primitive.F64, item.Score)),
                }),
            };
            return (() => f.Invoke(value), () => score(item));
        }
        if (c.TryGetProperty("variant", out var v))
        {
            uint payload = v.GetProperty("value").GetUInt32();
            Shape shape = new Shape.Num(payload);
            var classify = f.AsDelegate<Func<Shape, Result<uint, string>>>();
            var value = new ComponentValue[] { new VariantValue("num", new IntegerValue(Primitive.U32, payload)) };
            return (() => f.Invoke(value), () => classify(shape));
        }
        if (c.TryGetProperty("entries", out var e))
        {
            var entries = Enumerable.Range(0, e.GetInt32()).Select(i => new Entry((uint)i, i * 0.5)).ToArray();
            var count = f.AsDelegate<Func<Entry[], uint>>();
            var value = new ComponentValue[]
            {
                new ListValue(entries.Select(x => (ComponentValue)new RecordValue(new (string, ComponentValue)[]
                {
                    ("id", new IntegerValue(Primitive.U32, x.Id)), ("score", new FloatValue(Primitive.F64, x.Score)),
                })).ToArray()),
            };
            return (() => f.Invoke(value), () => count(entries));
        }
        throw new InvalidOperationException($"case without an argument: {c}");
    }

    /// <summary>Text of <paramref name="bytes"/> UTF-8 bytes: ASCII letters, or "é" (two bytes each).</summary>
    public static string Text(int bytes, bool ascii) =>
        ascii ? string.Concat(Enumerable.Range(0, bytes).Select(i => (char)('a' + i % 26))) : new string('é', bytes / 2);

    /// <summary>The same addition as a plain core Wasm export, called through a typed delegate.</summary>
    private static Action CoreAdd(Store store)
    {
        var module = Module.FromBytes(store.Engine, WasmSharp.Text.Wat.ToBinary("(module (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"));
        var add = new Linker().Instantiate(store, module).GetFunction<int, int, int>("add");
        return () => add(1, 2);
    }

    /// <summary>The median time of one call, in nanoseconds, over <paramref name="runs"/> runs of about
    /// <paramref name="seconds"/> each (after a warm-up that lets tiered compilation settle).</summary>
    private static double Measure(Action call, double seconds, int runs)
    {
        Timed(call, 0.3);
        var times = new double[runs];
        for (int r = 0; r < runs; r++) times[r] = Timed(call, seconds);
        Array.Sort(times);
        return times[runs / 2];
    }

    private static double Timed(Action call, double seconds)
    {
        long calls = 0;
        var watch = Stopwatch.StartNew();
        long batch = 1;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (long i = 0; i < batch; i++) call();
            calls += batch;
            if (batch < 1 << 20) batch *= 2;
        }
        return watch.Elapsed.TotalNanoseconds / calls;
    }

    private static void Report(string name, string path, double ns)
    {
        var line = new StringBuilder();
        line.Append("{\"case\":").Append(JsonSerializer.Serialize(name)).Append(",\"path\":\"").Append(path)
            .Append("\",\"ns\":").Append(ns.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)).Append('}');
        Console.WriteLine(line);
    }

    private static double Option(string[] args, string name, double fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
