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
    /// <summary>Declared locals, excluding params; zeroed on entry.</summary>
    public required int LocalCount { get; init; }
    public int ConstBase => ParamCount + LocalCount;
    /// <summary>Slots the frame needs in all.</summary>
    public required int FrameSize { get; init; }
}
