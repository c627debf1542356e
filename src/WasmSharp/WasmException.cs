namespace WasmSharp;

/// <summary>Base class of every error WasmSharp reports: malformed or invalid modules, link errors and traps.</summary>
public class WasmException : Exception
{
    public WasmException(string message) : base(message) { }
    public WasmException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>The bytes are not a well-formed binary module. <see cref="Reason"/> holds the spec's wording
/// ("unexpected end", "integer too large", ...); <see cref="Exception.Message"/> adds where it happened.</summary>
public sealed class MalformedModuleException : WasmException
{
    public string Reason { get; }
    public long Offset { get; }
    public string? Section { get; }

    public MalformedModuleException(string reason, long offset, string? section = null)
        : base(Describe(reason, offset, section, null))
    {
        Reason = reason;
        Offset = offset;
        Section = section;
    }

    internal static string Describe(string reason, long offset, string? section, int? function)
    {
        var where = section is null ? $"at offset 0x{offset:x}" : $"in {section} section at offset 0x{offset:x}";
        if (function is int f) where = $"in function {f} " + where;
        return $"{reason} ({where})";
    }
}

/// <summary>The module is well formed but does not validate. <see cref="Reason"/> holds the spec's wording
/// ("type mismatch", "unknown local", ...).</summary>
public sealed class InvalidModuleException : WasmException
{
    public string Reason { get; }
    public long Offset { get; }
    public int? FunctionIndex { get; }

    public InvalidModuleException(string reason, long offset, int? functionIndex = null, string? section = null)
        : base(MalformedModuleException.Describe(reason, offset, section, functionIndex))
    {
        Reason = reason;
        Offset = offset;
        FunctionIndex = functionIndex;
    }
}

/// <summary>Imports could not be resolved or did not match ("unknown import", "incompatible import type").</summary>
public sealed class LinkException : WasmException
{
    public string Reason { get; }
    public LinkException(string reason, string detail) : base($"{reason}: {detail}") { Reason = reason; }
}

/// <summary>A WebAssembly trap. <see cref="Exception.Message"/> is the spec's trap message
/// ("integer divide by zero", "out of bounds memory access", ...).</summary>
public sealed class TrapException : WasmException
{
    public TrapException(string message) : base(message) { }

    /// <summary>Wasm function names (innermost first) active when the trap happened, when known.</summary>
    public IReadOnlyList<string> WasmBacktrace { get; internal set; } = Array.Empty<string>();
}
