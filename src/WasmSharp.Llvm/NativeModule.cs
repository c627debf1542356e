using System.Runtime.InteropServices;
using WasmSharp.Binary;

namespace WasmSharp.Llvm;

/// <summary>
/// A module's functions compiled to native code and loaded: one shared library, an entry per defined function,
/// called on raw slots with an instance's context (so native code reads that instance's memories and globals, the
/// same ones the interpreter and the host use). Engines with an <see cref="LlvmBackend"/> call the entries; tests may
/// call them directly (<see cref="Invoke"/>).
/// </summary>
internal sealed unsafe class NativeModule : NativeCode, IDisposable
{
    private nint _library;
    private readonly nint[] _entries;
    private readonly int _imported;

    private readonly nint _enter;
    private readonly bool _guardPages;
    private readonly (nint, nint) _codeRange;

    private NativeModule(nint library, nint[] entries, int imported, bool guardPages)
    {
        _library = library;
        _entries = entries;
        _imported = imported;
        _code = new nint[entries.Length];
        if (entries.Length > 0)
        {
            var table = (nint*)NativeLibrary.GetExport(library, ModuleTranslator.FunctionsSymbol);
            for (int i = 0; i < _code.Length; i++) _code[i] = table[i];
        }
        _guardPages = guardPages;
        _enter = guardPages ? Llvm.GuardPages.Enter : NativeLibrary.GetExport(library, ModuleTranslator.EnterSymbol);
        if (guardPages)
        {
            if (NativeLibrary.TryGetExport(library, ModuleTranslator.CodeStartSymbol, out var start) &&
                NativeLibrary.TryGetExport(library, ModuleTranslator.CodeEndSymbol, out var end))
                _codeRange = (*(nint*)start, *(nint*)end);
        }
    }

    public override nint Enter => _enter;
    public override bool GuardPages => _guardPages;
    public override nint Code(int definedIndex) => _code[definedIndex];
    private readonly nint[] _code;
    public override (nint Start, nint End) CodeRange => _codeRange;

    /// <summary>Compiles <paramref name="module"/> at <paramref name="optLevel"/> into a shared library under
    /// <paramref name="directory"/> (no cache) and loads it. Throws <see cref="NotSupportedException"/> for what the
    /// translator does not handle yet. <paramref name="split"/>: parts to compile in parallel, whatever the
    /// module's size (tests).</summary>
    public static NativeModule Compile(Module module, int optLevel, string directory, bool guardPages = false, int? split = null)
    {
        using var target = new HostTarget(optLevel);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"module-{Guid.NewGuid():N}.so");
        File.WriteAllBytes(path, Build(module, target, guardPages, split: split));
        return Open(path, module.Info, guardPages);
    }

    public override nint Entry(int definedIndex) => _entries[definedIndex];

    private static string Options(int optLevel, bool guardPages, bool interruptible = false) =>
        $"O{optLevel}" + (guardPages ? " guard-pages" : "") + (interruptible ? " interruptible" : "") + " " + string.Join(' ', LlvmLibrary.CodegenOptions);

    /// <summary>Libraries written by <see cref="WriteLibrary"/> and opened for a run, by the SHA-256 of their
    /// module: used in place of the cache.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Path, bool GuardPages)> Opened = new();

    /// <summary>The module's native code from <paramref name="cache"/>, compiled and stored there first when missing.</summary>
    public static NativeModule Load(Module module, int optLevel, NativeCache cache, bool guardPages = false)
    {
        var info = module.Info;
        bool interruptible = module.Engine.Config.Interruptible;
        string options = Options(optLevel, guardPages, interruptible);
        // A written library has no interruption checks: an interruptible engine compiles its own code.
        if (!interruptible && !Opened.IsEmpty && Opened.TryGetValue(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(info.Bytes.Span)), out var written))
            return Open(written.Path, info, written.GuardPages);
        // A hit needs no LLVM: the key's host part comes from the cache too.
        var path = cache.Find(host => NativeCache.Key(info.Bytes.Span, host, options), out string key);
        if (path is null)
        {
            using var target = new HostTarget(optLevel);
            path = cache.Put(key, Build(module, target, guardPages));
        }
        return Open(path, info, guardPages);
    }

    /// <summary>Code bytes below which a module is compiled as one LLVM module: at -O3, whose pipeline inlines,
    /// splitting costs inlining between the parts; the other levels do no interprocedural work, so only a part's
    /// fixed cost (a target machine, the declarations) argues against it, and from 16 KB two cores compile a
    /// module in less time than one (the 31-42 KB bench modules: 0.85-1.1 s instead of 1.1-1.5 s, whole process).</summary>
    internal static int SplitThreshold(int optLevel) => optLevel >= 3 ? 128 * 1024 : 16 * 1024;
    private const int PartsPerCore = 4;
    /// <summary>The least code a part is given (below, its fixed cost shows).</summary>
    private const int MinPartBytes = 8 * 1024;

    /// <summary>Code bytes from which a function is huge: it is compiled alone, without the loop passes whose cost
    /// grows with the function's size times its loops (<see cref="HostTarget.Pipeline"/>).</summary>
    internal const int HugeFunction = 16 * 1024;

    /// <summary>The defined functions cut into <paramref name="parts"/> runs of about equal compile cost (one run
    /// for small modules); neighbours stay together, as they tend to call each other. Each huge function is a run
    /// of its own.</summary>
    internal static List<(int First, int End)> Partition(ModuleInfo info, int parts, long threshold)
    {
        int n = info.Codes.Count;
        long size = info.Codes.Sum(c => (long)c.CodeLength);
        if (n == 0) return [(0, 0)];
        bool split = parts > 1 && size >= threshold;
        double total = 0;
        for (int i = 0; i < n; i++) total += Cost(info.Codes[i].CodeLength);
        var result = new List<(int, int)>();
        double done = 0, share = total / Math.Max(parts, 1), next = share;
        int first = 0;
        for (int i = 0; i < n; i++)
        {
            bool huge = IsHuge(info, i);
            if (huge) Cut(i);
            done += Cost(info.Codes[i].CodeLength);
            if (split && done >= next)
            {
                Cut(i + 1);
                next = (Math.Floor(done / share) + 1) * share;
            }
            else if (huge) Cut(i + 1);
        }
        if (first < n) result.Add((first, n));
        return result;

        void Cut(int end)
        {
            if (end == first || end == n) return;
            result.Add((first, end));
            first = end;
        }
    }

    internal static bool IsHuge(ModuleInfo info, int defined) => info.Codes[defined].CodeLength >= HugeFunction;

    /// <summary>LLVM's time for a function of <paramref name="codeLength"/> bytes, in units of a byte of a small
    /// function: it grows faster than the size (on sql.js, the part holding its 34 KB interpreter loop took twice
    /// as long as parts of the same total size without it).</summary>
    internal static double Cost(int codeLength) => codeLength * (1 + codeLength / 16384.0);

    /// <summary>Compiles <paramref name="module"/> into a library at <paramref name="output"/> that carries the
    /// module's bytes and its key (<see cref="ReadLibrary"/>).</summary>
    public static void WriteLibrary(Module module, int optLevel, NativeCache cache, bool guardPages, string output)
    {
        using var target = new HostTarget(optLevel);
        var host = HostDescription.Confirm(cache, HostDescription.Get(cache));
        string key = NativeCache.Key(module.Info.Bytes.Span, host, Options(optLevel, guardPages));
        File.WriteAllBytes(output, Build(module, target, guardPages, key));
    }

    /// <summary>Whether <paramref name="bytes"/> start as an ELF file does (a library from <see cref="WriteLibrary"/>).</summary>
    public static bool IsLibrary(ReadOnlySpan<byte> bytes) => bytes.StartsWith((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F']);

    /// <summary>Opens a library written by <see cref="WriteLibrary"/> and returns the module's bytes; its code is
    /// then used for that module (<see cref="Load"/>). A library built by another build of WasmSharp, another LLVM
    /// or for another CPU (its key is none this process would make) is refused: its code may not fit.</summary>
    public static byte[] ReadLibrary(string path, NativeCache cache)
    {
        path = Path.GetFullPath(path);
        nint library = NativeLibrary.Load(path);
        if (!NativeLibrary.TryGetExport(library, ModuleTranslator.WasmSymbol, out var wasm) ||
            !NativeLibrary.TryGetExport(library, ModuleTranslator.WasmSizeSymbol, out var size) ||
            !NativeLibrary.TryGetExport(library, ModuleTranslator.KeySymbol, out var key))
            throw new WasmException($"{path} is not a library written by 'wasmsharp compile -o'");
        var bytes = new ReadOnlySpan<byte>((void*)wasm, checked((int)*(long*)size)).ToArray();
        string embedded = Marshal.PtrToStringAnsi(key)!;
        var host = HostDescription.Get(cache);
        foreach (bool guardPages in new[] { true, false })
            for (int level = 0; level <= 3; level++)
                if (NativeCache.Key(bytes, host, Options(level, guardPages)) == embedded)
                {
                    if (guardPages && !Llvm.GuardPages.IsAvailable) throw new WasmException($"{path} needs guard pages: {Llvm.GuardPages.Problem}");
                    Opened[Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))] = (path, guardPages);
                    return bytes;
                }
        throw new WasmException($"{path} was compiled by another build of WasmSharp, another LLVM or for another CPU: compile it again");
    }

    /// <summary>The module compiled and linked: a shared library's bytes.</summary>
    private static byte[] Build(Module module, HostTarget target, bool guardPages, string? embeddedKey = null, int? split = null)
    {
        // More parts than cores, taken as threads free up: parts of equal code size do not take equal time.
        var parts = split is int k0 ? Partition(module.Info, k0, threshold: 0) : Partition(module.Info,
            (int)Math.Clamp(module.Info.Codes.Sum(c => (long)c.CodeLength) / MinPartBytes, 1, PartsPerCore * Environment.ProcessorCount),
            SplitThreshold(target.OptLevel));
        var objects = new byte[parts.Count][];
        // Each part in its own LLVM context and target machine, on its own thread.
        // The costliest first, one thread per core: the longest part then overlaps the others instead of
        // finishing alone (threads beyond the cores only share them).
        var order = Enumerable.Range(0, parts.Count)
            .OrderByDescending(k => Enumerable.Range(parts[k].First, parts[k].End - parts[k].First).Sum(i => Cost(module.Info.Codes[i].CodeLength)))
            .ToArray();
        try
        {
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(order, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, CompilePart);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // What a part threw, as it was (NotSupportedException: the module runs on the interpreter).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        void CompilePart(int k)
        {
            using var machine = parts.Count == 1 ? null : new HostTarget(target.OptLevel);
            var t = machine ?? target;
            using var translator = new ModuleTranslator(module.Info, $"wasm{k}", guardPages, parts[k].First, parts[k].End)
            {
                EmbeddedKey = k == 0 ? embeddedKey : null,
                Interruptible = module.Engine.Config.Interruptible,
            };
            t.Prepare(translator.Module);
            translator.TranslateAll();
            objects[k] = t.Compile(translator.Module, huge: parts[k].End - parts[k].First == 1 && IsHuge(module.Info, parts[k].First));
        }
        return SharedLibraryLinker.Link(objects);
    }

    private static NativeModule Open(string path, ModuleInfo info, bool guardPages)
    {
        nint library = NativeLibrary.Load(path);
        var entries = new nint[info.Codes.Count];
        var escaping = ModuleTranslator.EscapingFunctions(info); // the functions the library has entries for
        for (int i = 0; i < entries.Length; i++)
            if (escaping[i]) entries[i] = NativeLibrary.GetExport(library, ModuleTranslator.EntryName(info.ImportedFunctionCount + i));
        return new NativeModule(library, entries, info.ImportedFunctionCount, guardPages);
    }

    /// <summary>Calls defined function <paramref name="index"/> (function index space) of <paramref name="instance"/>
    /// natively. A trap surfaces as <see cref="TrapException"/>.</summary>
    public Value[] Invoke(Instance instance, int index, params Value[] args)
    {
        if (_entries[index - _imported] == 0)
            throw new InvalidOperationException($"function {index} has no native entry: only the functions that can be called from outside the module's code have one (exported or referenced)");
        var type = instance.Module.Info.GetFunctionType(index);
        int n = Math.Max(Math.Max(type.Parameters.Length, type.Results.Length), 1);
        ulong* slots = stackalloc ulong[n * HostSlots.Words];
        for (int i = 0; i < args.Length; i++) HostSlots.Write(instance.Store, slots + i * HostSlots.Words, args[i]);
        instance.Store.Started(); // a memory disposed meanwhile goes afterwards, as through Function.Invoke
        try
        {
            NativeCalls.Enter((delegate* unmanaged<nint, InstanceContext*, ulong*, int>)_enter, _entries[index - _imported], instance.Context, slots);
        }
        finally
        {
            instance.Store.Stopped();
        }
        var results = new Value[type.Results.Length];
        for (int i = 0; i < results.Length; i++) results[i] = HostSlots.Read(instance.Store, type.Results[i], slots + i * HostSlots.Words);
        return results;
    }

    public void Dispose()
    {
        if (_library != 0) NativeLibrary.Free(_library);
        _library = 0;
    }
}
