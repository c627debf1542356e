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

    private readonly nint _guardedEnter;
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
        if (guardPages)
        {
            _guardedEnter = GuardPages.Enter;
            if (NativeLibrary.TryGetExport(library, ModuleTranslator.CodeStartSymbol, out var start) &&
                NativeLibrary.TryGetExport(library, ModuleTranslator.CodeEndSymbol, out var end))
                _codeRange = (*(nint*)start, *(nint*)end);
        }
    }

    public override nint GuardedEnter => _guardedEnter;
    public override nint Code(int definedIndex) => _code[definedIndex];
    private readonly nint[] _code;
    public override (nint Start, nint End) CodeRange => _codeRange;

    /// <summary>Compiles <paramref name="module"/> at <paramref name="optLevel"/> into a shared library under
    /// <paramref name="directory"/> (no cache) and loads it. Throws <see cref="NotSupportedException"/> for what the
    /// translator does not handle yet.</summary>
    public static NativeModule Compile(Module module, int optLevel, string directory, bool guardPages = false)
    {
        using var target = new HostTarget(optLevel);
        return Open(Build(module, target, directory, guardPages), module.Info, guardPages);
    }

    public override nint Entry(int definedIndex) => _entries[definedIndex];

    /// <summary>The module's native code from <paramref name="cache"/>, compiled and stored there first when missing.</summary>
    public static NativeModule Load(Module module, int optLevel, NativeCache cache, bool guardPages = false)
    {
        var info = module.Info;
        string options = $"O{optLevel}" + (guardPages ? " guard-pages" : "");
        // A hit needs no LLVM: the key's host part comes from the cache too.
        var host = HostDescription.Get(cache);
        string key = NativeCache.Key(info.Bytes.Span, host, options);
        var path = cache.TryGet(key);
        if (path is null)
        {
            var confirmed = HostDescription.Confirm(cache, host);
            if (confirmed != host)
            {
                key = NativeCache.Key(info.Bytes.Span, confirmed, options);
                path = cache.TryGet(key);
            }
        }
        if (path is null)
        {
            using var target = new HostTarget(optLevel);
            var work = Directory.CreateTempSubdirectory("wasmsharp-compile-").FullName;
            try
            {
                var library = Build(module, target, work, guardPages);
                path = cache.Put(key, File.ReadAllBytes(library));
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        }
        return Open(path, info, guardPages);
    }

    private static string Build(Module module, HostTarget target, string directory, bool guardPages)
    {
        byte[] obj;
        using (var translator = new ModuleTranslator(module.Info, "wasm", guardPages))
        {
            target.Prepare(translator.Module);
            translator.TranslateAll();
            obj = target.Compile(translator.Module);
        }
        Directory.CreateDirectory(directory);
        string name = Path.Combine(directory, $"module-{Guid.NewGuid():N}");
        File.WriteAllBytes(name + ".o", obj);
        SharedLibraryLinker.Link([name + ".o"], name + ".so");
        File.Delete(name + ".o");
        return name + ".so";
    }

    private static NativeModule Open(string path, ModuleInfo info, bool guardPages)
    {
        nint library = NativeLibrary.Load(path);
        var entries = new nint[info.Codes.Count];
        for (int i = 0; i < entries.Length; i++)
            entries[i] = NativeLibrary.GetExport(library, ModuleTranslator.EntryName(info.ImportedFunctionCount + i));
        return new NativeModule(library, entries, info.ImportedFunctionCount, guardPages);
    }

    /// <summary>Calls defined function <paramref name="index"/> (function index space) of <paramref name="instance"/>
    /// natively. A trap surfaces as <see cref="TrapException"/>.</summary>
    public Value[] Invoke(Instance instance, int index, params Value[] args)
    {
        var type = instance.Module.Info.GetFunctionType(index);
        int n = Math.Max(Math.Max(type.Parameters.Length, type.Results.Length), 1);
        ulong* slots = stackalloc ulong[n * HostSlots.Words];
        for (int i = 0; i < args.Length; i++) HostSlots.Write(instance.Store, slots + i * HostSlots.Words, args[i]);
        NativeCalls.Enter(_entries[index - _imported], instance.Context, slots);
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
