namespace WasmSharp.Bench;

/// <summary>
/// One way of running the benchmark programs: a command line that runs a program file in a new process, and
/// optionally one that only compiles a module (for the start-up figure). Every engine gets the same file, the
/// same arguments and the same environment; none is given a shortcut the others do not get.
/// </summary>
internal sealed class Engine
{
    public required string Name { get; init; }
    /// <summary>Runs the native build (gcc -O2) instead of a .wasm file.</summary>
    public bool IsNative { get; init; }
    /// <summary>Command line running FILE with the program's arguments.</summary>
    public required Func<string, IReadOnlyList<string>, IReadOnlyList<string>> RunCommand { get; init; }
    /// <summary>Command line compiling FILE N times and printing the milliseconds of each, or null.</summary>
    public Func<string, int, IReadOnlyList<string>>? CompileCommand { get; init; }
    /// <summary>For an engine that keeps compiled code in a cache: the command line loading FILE N times from the
    /// cache in DIR (which it fills when empty), or null.</summary>
    public Func<string, int, string, IReadOnlyList<string>>? CacheHitCommand { get; init; }
    /// <summary>Modules larger than this are left out of the engine's start-up figure (LLVM takes minutes on the
    /// biggest npm modules), or null for none.</summary>
    public long? MaxCompileBytes { get; init; }
    /// <summary>Why the engine cannot run programs here (checked by a probe), or null when it can.</summary>
    public string? Unavailable { get; set; }
    /// <summary>What the engine is, for the report.</summary>
    public required string Description { get; init; }
}
