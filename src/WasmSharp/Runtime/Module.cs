using WasmSharp.Binary;
using WasmSharp.Interpreter;
using WasmSharp.Validation;

namespace WasmSharp;

/// <summary>
/// A decoded, validated and translated module: immutable, and instantiable any number of times in any store.
/// </summary>
public sealed class Module
{
    internal ModuleInfo Info { get; }
    /// <summary>The engine that compiled the module; it runs in that engine's stores.</summary>
    public Engine Engine { get; }
    /// <summary>Translated bodies of the functions the module defines (not the imports): the interpreter's code.
    /// A module that runs as native code is only validated, and translated when something first asks (an instance
    /// that cannot run its native code, a disassembly).</summary>
    internal CompiledFunction[] Functions => _functions ?? Translate();
    private CompiledFunction[]? _functions;

    private Module(Engine engine, ModuleInfo info, CompiledFunction[]? functions)
    {
        Engine = engine;
        Info = info;
        _functions = functions;
    }

    private CompiledFunction[] Translate()
    {
        Interlocked.CompareExchange(ref _functions, ModuleValidator.Translate(Info, Engine.Config), null);
        return _functions!;
    }

    /// <summary>Decodes, validates and translates a binary module. Throws <see cref="MalformedModuleException"/>
    /// or <see cref="InvalidModuleException"/>.</summary>
    public static Module FromBytes(ReadOnlyMemory<byte> bytes) => FromBytes(Engine.Default, bytes);

    /// <summary>As <see cref="FromBytes(ReadOnlyMemory{byte})"/>, compiled by <paramref name="engine"/>.</summary>
    public static Module FromBytes(Engine engine, ReadOnlyMemory<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(engine);
        // With a native backend the bodies are only validated: native code is translated from the Wasm itself.
        var backend = engine.Config.Native;
        var (info, functions) = ModuleValidator.Compile(bytes, engine.Config, translate: backend is null);
        var module = new Module(engine, info, functions);
        if (backend is not null)
        {
            module.Native = backend.TryCompile(module, out var reason);
            module.NativeFallback = module.Native is null ? reason ?? "the native backend declined it" : null;
        }
        return module;
    }

    /// <summary>The module's native code, when its engine has a native backend that compiled it.</summary>
    internal NativeCode? Native { get; private set; }

    /// <summary>Why the module runs on the interpreter although its engine has a native backend; null otherwise.</summary>
    public string? NativeFallback { get; private set; }

    /// <summary>A module from already decoded and translated parts (tests, other front ends).</summary>
    internal static Module FromParts(ModuleInfo info, CompiledFunction[] functions) => new(Engine.Default, info, functions);

    public static Module FromBytes(byte[] bytes) => FromBytes(bytes.AsMemory());
    public static Module FromBytes(Engine engine, byte[] bytes) => FromBytes(engine, bytes.AsMemory());

    public static Module FromFile(string path) => FromFile(Engine.Default, path);
    public static Module FromFile(Engine engine, string path) => FromBytes(engine, File.ReadAllBytes(path));

    public static Module FromStream(Stream stream) => FromStream(Engine.Default, stream);

    public static Module FromStream(Engine engine, Stream stream)
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return FromBytes(engine, ms.ToArray());
    }

    /// <summary>Checks a binary module without keeping it (decoded and validated, not translated for any engine);
    /// throws as <see cref="FromBytes(ReadOnlyMemory{byte})"/> does.</summary>
    public static void Validate(ReadOnlyMemory<byte> bytes) => ModuleValidator.Compile(bytes, translate: false);

    public IReadOnlyList<Import> Imports => Info.Imports;
    public IReadOnlyList<Export> Exports => Info.Exports;
    public string? Name => Info.ModuleName;
}
