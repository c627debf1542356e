namespace WasmSharp;

/// <summary>
/// An exception tag (Wasm 3.0 exception handling): what a <c>throw</c> names and a <c>catch</c> matches. Tags compare
/// by identity: each instantiation of a module that defines a tag makes a new one, and an imported tag is the
/// exporter's own. <see cref="Type"/> has the parameter types of the values thrown with it, and no results.
/// </summary>
public sealed class Tag
{
    /// <summary>A new tag, distinct from every other, whose exceptions carry values of <paramref name="type"/>'s
    /// parameter types (its results must be empty).</summary>
    public Tag(FunctionType type, string? name = null)
    {
        if (type.Results.Length != 0) throw new WasmException($"a tag's type has no results, not {type}");
        Type = type;
        DebugName = name ?? "tag";
    }

    /// <summary>The tag's type: parameters only.</summary>
    public FunctionType Type { get; }

    /// <summary>A name for messages (the export name, or "tag").</summary>
    public string DebugName { get; internal set; }

    public override string ToString() => $"{DebugName} {Type}";
}
