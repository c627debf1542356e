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

/// <summary>What made a function trap. The values are stable: native code reports a trap by its number (0 is none).</summary>
public enum TrapCode
{
    /// <summary>An <c>unreachable</c> instruction ran.</summary>
    Unreachable = 1,
    /// <summary>A load, store or bulk memory operation reached outside the memory.</summary>
    OutOfBoundsMemoryAccess,
    /// <summary>A table access or bulk table operation reached outside the table.</summary>
    OutOfBoundsTableAccess,
    /// <summary><c>call_indirect</c> with an index outside the table.</summary>
    UndefinedElement,
    /// <summary><c>call_indirect</c> on a null entry.</summary>
    UninitializedElement,
    /// <summary><c>call_indirect</c> on a function of another type.</summary>
    IndirectCallTypeMismatch,
    /// <summary>Integer division or remainder by zero.</summary>
    IntegerDivideByZero,
    /// <summary>Signed division of the smallest integer by -1, or a float truncated to an integer out of range.</summary>
    IntegerOverflow,
    /// <summary>A NaN truncated to an integer.</summary>
    InvalidConversionToInteger,
    /// <summary>Calls nested deeper than the engine allows (a runaway recursion).</summary>
    CallStackExhausted,
    /// <summary>The call was cancelled (its <see cref="System.Threading.CancellationToken"/>, or a timeout).</summary>
    Interrupted,
    /// <summary>A host function threw a <see cref="TrapException"/> with a message of its own.</summary>
    Host,
    /// <summary>A value the Canonical ABI refuses at a component's boundary: a char that is not a Unicode scalar
    /// value, a string that does not decode, a discriminant past the cases, a string or list outside the memory or
    /// misaligned, a handle that is unknown, of another type, lent or borrowed where it must be owned; the message
    /// says which.</summary>
    CanonicalAbi,
    /// <summary><c>throw_ref</c> on a null exnref.</summary>
    NullExceptionReference,
}

/// <summary>A WebAssembly trap. <see cref="Exception.Message"/> is the spec's trap message
/// ("integer divide by zero", "out of bounds memory access", ...), <see cref="Code"/> its kind.</summary>
public sealed class TrapException : WasmException
{
    /// <summary>A trap of the given kind, with the spec's message for it.</summary>
    public TrapException(TrapCode code) : base(MessageOf(code)) { Code = code; }

    /// <summary>A trap raised by a host function, with its own message (<see cref="Code"/> is <see cref="TrapCode.Host"/>).</summary>
    public TrapException(string message) : base(message) { Code = TrapCode.Host; }

    /// <summary>A trap of the given kind with a message that says more than the kind's own.</summary>
    public TrapException(TrapCode code, string message) : base(message) { Code = code; }

    /// <summary>The kind of trap.</summary>
    public TrapCode Code { get; }

    /// <summary>Wasm function names (innermost first) active when the trap happened, when known.</summary>
    public IReadOnlyList<string> WasmBacktrace { get; internal set; } = Array.Empty<string>();

    /// <summary>The spec's message for a trap of kind <paramref name="code"/> (the reference interpreter's wording,
    /// which the spec tests' assert_trap expects).</summary>
    public static string MessageOf(TrapCode code) => code switch
    {
        TrapCode.Unreachable => "unreachable",
        TrapCode.OutOfBoundsMemoryAccess => "out of bounds memory access",
        TrapCode.OutOfBoundsTableAccess => "out of bounds table access",
        TrapCode.UndefinedElement => "undefined element",
        TrapCode.UninitializedElement => "uninitialized element",
        TrapCode.IndirectCallTypeMismatch => "indirect call type mismatch",
        TrapCode.IntegerDivideByZero => "integer divide by zero",
        TrapCode.IntegerOverflow => "integer overflow",
        TrapCode.InvalidConversionToInteger => "invalid conversion to integer",
        TrapCode.CallStackExhausted => "call stack exhausted",
        TrapCode.Interrupted => "interrupted",
        TrapCode.Host => "host trap",
        TrapCode.CanonicalAbi => "invalid value at a component boundary",
        TrapCode.NullExceptionReference => "null exception reference",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "not a trap code"),
    };
}

/// <summary>A WebAssembly exception (exception handling: <c>throw</c>, <c>throw_ref</c>) that no handler caught:
/// it left the outermost call into Wasm. <see cref="Exception"/> is the exception itself (its tag and the values it
/// was thrown with). A host function may throw one too: Wasm code then sees the exception as if a Wasm function had
/// thrown it, and may catch it.</summary>
public sealed class UncaughtWasmException : WasmException
{
    public UncaughtWasmException(ExceptionInstance exception)
        : base($"uncaught exception (tag {exception.Tag.DebugName})")
    {
        Exception = exception;
    }

    /// <summary>A new exception of <paramref name="tag"/> with <paramref name="payload"/>, to throw from a host function.</summary>
    public UncaughtWasmException(Tag tag, params Value[] payload) : this(new ExceptionInstance(tag, payload)) { }

    /// <summary>The exception thrown.</summary>
    public ExceptionInstance Exception { get; }

    /// <summary>The exception's tag.</summary>
    public Tag Tag => Exception.Tag;

    /// <summary>The values thrown, in the order of the tag's parameters.</summary>
    public IReadOnlyList<Value> Payload => Exception.Payload;
}
