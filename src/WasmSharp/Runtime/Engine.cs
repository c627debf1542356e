namespace WasmSharp;

/// <summary>How an <see cref="Engine"/> compiles and runs modules.</summary>
public sealed record EngineConfig
{
    /// <summary>
    /// Compile modules so that a running call can be stopped at any loop iteration: <see cref="Store.Interrupt"/>,
    /// or a cancelled <see cref="CancellationToken"/> passed to <see cref="Function.Invoke(ReadOnlySpan{Value}, Span{Value}, CancellationToken)"/>,
    /// then traps "interrupted" (<see cref="TrapCode.Interrupted"/>) at the next loop back-edge or function entry.
    /// Off by default: the check at every loop iteration costs time (see the README). Without it, function entries
    /// are still checked (at no cost), so only a loop that makes no calls cannot be stopped.
    /// </summary>
    public bool Interruptible { get; init; }

    /// <summary>Compiles modules to native code (WasmSharp.Llvm's LlvmBackend); null: the interpreter runs everything.
    /// A module the backend cannot compile runs on the interpreter (<see cref="Module.NativeFallback"/> says why).</summary>
    public NativeBackend? Native { get; init; }

    /// <summary>The features beyond WebAssembly 2.0 that modules may use; all that WasmSharp implements by default
    /// (<see cref="WasmFeatures.None"/>: Wasm 2.0 exactly, as its conformance suite expects).</summary>
    public WasmFeatures Features { get; init; } = WasmFeatures.All;
}

/// <summary>
/// Compiles modules and runs their functions, configured once (<see cref="EngineConfig"/>). A <see cref="Module"/>
/// is compiled by an engine and instantiated in a <see cref="Store"/> of the same engine. Engines are immutable
/// and thread-safe; most programs need only <see cref="Default"/>.
/// </summary>
public sealed class Engine
{
    /// <summary>The engine of <see cref="Module.FromBytes(ReadOnlyMemory{byte})"/> and <c>new Store()</c>: the
    /// interpreter, default configuration.</summary>
    public static Engine Default { get; } = new();

    public Engine(EngineConfig? config = null) => Config = config ?? new EngineConfig();

    public EngineConfig Config { get; }
}
