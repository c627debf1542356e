namespace WasmSharp.Interpreter;

/// <summary>SIMD instructions: laid out by their shape in the instruction table, with no fusions.</summary>
internal sealed partial class Translator
{
    /// <summary>
    /// An instruction emitted by its shape: its destination (a temporary at <paramref name="height"/>, when
    /// <paramref name="result"/> is given), then <paramref name="slots"/> for its source slots and
    /// <paramref name="immediates"/> for its immediates and offsets, each in order.
    /// </summary>
    public Operand? Shaped(Op op, ValueType? result, int height, ReadOnlySpan<Operand> slots, ReadOnlySpan<int> immediates)
    {
        Emit(op);
        int s = 0, i = 0;
        foreach (char kind in OpInfo.Shape(op))
        {
            switch (kind)
            {
                case 'd': EmitDst(height); break;
                case 's': EmitSlot(slots[s++]); break;
                default: Emit(immediates[i++]); break;
            }
        }
        if (s != slots.Length || i != immediates.Length)
            throw new InvalidOperationException($"{op} takes {s} slots and {i} immediates, not {slots.Length} and {immediates.Length}");
        return result is ValueType type ? Temp(type, height) : null;
    }

    /// <summary>The move of a value of <paramref name="type"/>: a v128 fills its slot, scalars its first word.</summary>
    private static Op CopyOf(ValueType type) => type == ValueType.V128 ? Op.CopyV128 : Op.Copy;

    /// <summary>select of v128 values: no compare fusion (the fused selects move one word).</summary>
    private Operand SelectV128(int height, in Operand a, in Operand b, in Operand cond)
    {
        Emit(Op.SelectV128); EmitDst(height); EmitSlot(cond); EmitSlot(a); EmitSlot(b);
        return Temp(ValueType.V128, height);
    }
}
