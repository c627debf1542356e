namespace WasmSharp.Interpreter;

/// <summary>What the generated tables leave to code: walking instructions whose operands follow a count.</summary>
internal static partial class OpInfo
{
    /// <summary>Words of the instruction at <paramref name="pc"/>, its variable operands included.</summary>
    public static int LengthAt(ReadOnlySpan<int> code, int pc)
    {
        var op = (Op)code[pc];
        return op switch
        {
            Op.BrTable => Layout.BrTable.Fixed + code[pc + Layout.BrTable.Count] + 1, // the default target too
            Op.Call or Op.CallV128 => Layout.Calls.Fixed + code[pc + Layout.Calls.Count],
            Op.CallIndirect or Op.CallIndirectV128 => Layout.IndirectCalls.Fixed + code[pc + Layout.IndirectCalls.Count],
            Op.ReturnN => Layout.ReturnN.Fixed + code[pc + Layout.ReturnN.Count],
            Op.Throw => Layout.Throw.Fixed + code[pc + Layout.Throw.Count],
            Op.ReturnCall => Layout.ReturnCall.Fixed + code[pc + Layout.ReturnCall.Count],
            Op.ReturnCallIndirect => Layout.ReturnCallIndirect.Fixed + code[pc + Layout.ReturnCallIndirect.Count],
            _ => Length(op),
        };
    }

    /// <summary>Whether the operand at <paramref name="at"/> of the instruction at <paramref name="pc"/> is a slot
    /// (read or written): a fixed operand whose shape says so, or a variable one of a call or return.</summary>
    public static bool IsSlot(ReadOnlySpan<int> code, int pc, int at)
    {
        var op = (Op)code[pc];
        string shape = Shape(op);
        int k = at - pc - 1;
        if (k < shape.Length) return shape[k] is 'd' or 's';
        return IsVariable(op) && op != Op.BrTable; // the arguments or results; BrTable's are targets
    }
}
