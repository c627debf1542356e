using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WasmSharp.Interpreter;

/// <summary>
/// A function body translated to register code. Frame layout, in slots from the frame pointer:
/// <c>[params | locals | constants | temporaries]</c>. A slot is <see cref="SlotWords"/> 64-bit words, so that a v128
/// fits in one; scalars use its first word. Slot operands in <see cref="Code"/> are word offsets (slot index times
/// <see cref="SlotWords"/>); the counts here are in slots.
/// </summary>
internal sealed unsafe class CompiledFunction
{
    /// <summary>64-bit words per slot: the host convention's (<see cref="HostSlots"/>), so that a call passes a host
    /// function the callee frame's slots as they are.</summary>
    public const int SlotWords = HostSlots.Words;

    public required FunctionType Type { get; init; }
    /// <summary>Index in the module's function index space.</summary>
    public required int Index { get; init; }
    /// <summary>The register code: a pinned array (<see cref="Start"/> points into it for the function's life).</summary>
    public required int[] Code
    {
        get => _code;
        init
        {
            _code = value;
            Start = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(value));
        }
    }
    private readonly int[] _code = null!;

    /// <summary>Where <see cref="Code"/> starts: a field, so that the interpreter's loop, which RyuJIT inlines
    /// nothing into (too many locals), reads it without a call.</summary>
    public readonly int* Start;
    /// <summary>The constants' values (a v128's low half), slot by slot from <see cref="ConstBase"/>.</summary>
    public required ulong[] Constants { get; init; }
    /// <summary>What frame entry copies to <see cref="ConstBase"/>: each constant's two words if
    /// <see cref="WideConstants"/>, else only its low word (the high word of a scalar's slot is never read).</summary>
    public required ulong[] FrameConstants { get => _frameConstants; init { _frameConstants = value; SetsUpFrame |= value.Length > 0; } }
    private readonly ulong[] _frameConstants = null!;
    /// <summary>Some constant is a v128.</summary>
    public required bool WideConstants { get; init; }
    public required int ParamCount { get; init; }
    /// <summary>Declared locals, excluding params.</summary>
    public required int LocalCount { get; init; }
    /// <summary>The locals zeroed on entry: those some read may see before any write (as word offsets, ascending).
    /// The others are written before every read, so their slots may hold anything.</summary>
    public required int[] ZeroSlots { get => _zeroSlots; init { _zeroSlots = value; SetsUpFrame |= value.Length > 0; } }
    private readonly int[] _zeroSlots = null!;
    /// <summary>Frame entry has something to do (locals to zero or constants to copy): a field, read by the
    /// interpreter's loop before it calls <c>Executor.EnterFrame</c>, so that entering a small function costs no call.</summary>
    public readonly bool SetsUpFrame;
    public int ConstBase => ParamCount + LocalCount;
    /// <summary>Slots the frame needs in all.</summary>
    public required int FrameSize { get; init; }
    /// <summary>The try_table handlers, innermost region first (empty without exception handling).</summary>
    public ExceptionHandler[] Handlers { get; init; } = [];
}
