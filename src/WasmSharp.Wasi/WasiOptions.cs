namespace WasmSharp.Wasi;

/// <summary>A host directory the guest may use, and the name it sees it under (e.g. "/", ".", "/data").</summary>
public sealed record WasiPreopen(string HostPath, string GuestPath);

/// <summary>What a WASI program sees of the world: its arguments, environment, directories and stdio.</summary>
public sealed class WasiOptions
{
    /// <summary>The program's arguments, argv[0] (conventionally the program name) first.</summary>
    public IList<string> Arguments { get; init; } = new List<string>();

    /// <summary>Environment variables, in order, as (name, value).</summary>
    public IList<KeyValuePair<string, string>> Environment { get; init; } = new List<KeyValuePair<string, string>>();

    /// <summary>Directories opened for the guest, as descriptors 3, 4, ... in this order. The guest can reach
    /// nothing outside them.</summary>
    public IList<WasiPreopen> Preopens { get; init; } = new List<WasiPreopen>();

    /// <summary>Standard input as a stream; null passes the process's own standard input through.</summary>
    public Stream? Stdin { get; init; }
    /// <summary>Standard output as a stream; null passes the process's own standard output through.</summary>
    public Stream? Stdout { get; init; }
    /// <summary>Standard error as a stream; null passes the process's own standard error through.</summary>
    public Stream? Stderr { get; init; }

    /// <summary>When set, every WASI call is logged here with its arguments and errno (for debugging).</summary>
    public TextWriter? Trace { get; init; }
}
