namespace WasmSharp.Interpreter;

/// <summary>
/// A function body translated to register code. Frame layout, in 64-bit slots from the frame pointer:
/// <c>[params | locals | constants | temporaries]</c>.
/// </summary>
internal sealed class CompiledFunction
{
    public required FunctionType Type { get; init; }
    /// <summary>Index in the module's function index space.</summary>
    public required int Index { get; init; }
    public required int[] Code { get; init; }
    /// <summary>Copied into the frame at <see cref="ConstBase"/> on entry.</summary>
    public required ulong[] Constants { get; init; }
    public required int ParamCount { get; init; }
    /// <summary>Declared locals, excluding params.</summary>
    public required int LocalCount { get; init; }
    /// <summary>The locals zeroed on entry: those some read may see before any write (in frame slots, ascending).
    /// The others are written before every read, so their slots may hold anything.</summary>
    public required int[] ZeroSlots { get; init; }
    public int ConstBase => ParamCount + LocalCount;
    /// <summary>Slots the frame needs in all.</summary>
    public required int FrameSize { get; init; }
}
