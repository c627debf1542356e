using System.Linq.Expressions;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components.Compiled;

/// <summary>
/// Where a value's core parts go when it is lowered and come from when it is lifted: a run of flat core values (raw
/// 64-bit slots, an i32 or f32 in the low bits) or a place in linear memory. A type's mapping writes and reads its
/// scalars through a place and finds its parts with <see cref="At"/>, so one description serves both, as the
/// reference's lower_flat/store and lift_flat/load walk the same structure.
/// </summary>
internal abstract class Place(EmitContext cx)
{
    protected EmitContext Cx { get; } = cx;

    /// <summary>The place of a part: <paramref name="memoryOffset"/> bytes on in memory, or
    /// <paramref name="flatIndex"/> slots on in flat values.</summary>
    public abstract Place At(long memoryOffset, int flatIndex);

    /// <summary>Writes the low <paramref name="size"/> bytes of <paramref name="bits"/> (a ulong; in a slot, all of them).</summary>
    public abstract Expression Write(int size, Expression bits);

    /// <summary>Reads <paramref name="size"/> bytes, zero-extended to a ulong (in a slot, the raw slot).</summary>
    public abstract Expression Read(int size);

    /// <summary>Reads an address or a length: a pointer-sized integer (an i32 slot's low bits).</summary>
    public abstract Expression ReadPointer();

    /// <summary>Writes an address or a length.</summary>
    public Expression WritePointer(Expression value) => Write(Cx.PointerSize, value);

    /// <summary>The place of a range's length, after its start.</summary>
    public Place Length => At(Cx.PointerSize, 1);

    /// <summary>The trap for discriminant <paramref name="index"/> past a variant's <paramref name="cases"/> cases
    /// (<paramref name="what"/>: its keyword), which names the address when the variant is in memory.</summary>
    public abstract Expression BadCase(Expression index, int cases, string what);

    /// <summary>Lowers an untyped <see cref="ComponentValue"/> of type <paramref name="t"/> here, by the reference path.</summary>
    public abstract Expression LowerUntyped(Expression value, ComponentValueType t);

    /// <summary>Lifts an untyped <see cref="ComponentValue"/> of type <paramref name="t"/> from here, by the reference path.</summary>
    public abstract Expression LiftUntyped(ComponentValueType t);
}

/// <summary>Flat values from <paramref name="index"/> on, in the slot array <paramref name="slots"/>, where flat value
/// k is element <c>k * stride</c> (1: raw values, a word each; <see cref="HostSlots"/>' 2: slots of two words).</summary>
internal sealed class FlatPlace(EmitContext cx, Expression slots, int index, int stride = 1) : Place(cx)
{
    public override Place At(long memoryOffset, int flatIndex) => flatIndex == 0 ? this : new FlatPlace(Cx, slots, index + flatIndex, stride);
    private IndexExpression Slot => ArrayAccess(slots, Constant(index * stride));
    public override Expression Write(int size, Expression bits) => Assign(Slot, bits);
    public override Expression Read(int size) => Slot;
    public override Expression ReadPointer() => Cx.Pointer == ValueType.I32 ? And(Slot, Constant(0xFFFF_FFFFUL)) : Slot;

    public override Expression BadCase(Expression index, int cases, string what) =>
        EmitContext.Helper(nameof(CompiledAbi.BadCase), index, Constant(cases), Constant(what), Constant(0UL), Constant(false));

    public override Expression LowerUntyped(Expression value, ComponentValueType t) =>
        EmitContext.Helper(nameof(CompiledAbi.LowerUntypedFlat), Cx.Options, value, Constant(t), slots, Constant(index), Constant(stride));

    public override Expression LiftUntyped(ComponentValueType t) =>
        EmitContext.Helper(nameof(CompiledAbi.LiftUntypedFlat), Cx.Options, Constant(t), slots, Constant(index), Constant(stride));
}

/// <summary>Linear memory at <paramref name="address"/> (a ulong expression) plus <paramref name="offset"/>,
/// inside a range already checked to lie in the memory (so the writes and reads check no more).</summary>
internal sealed class MemoryPlace(EmitContext cx, Expression address, long offset = 0) : Place(cx)
{
    /// <summary>The address, as a ulong expression.</summary>
    public Expression Address => offset == 0 ? address : Add(address, Constant((ulong)offset));

    public override Place At(long memoryOffset, int flatIndex) => memoryOffset == 0 ? this : new MemoryPlace(Cx, address, offset + memoryOffset);
    public override Expression Write(int size, Expression bits) => EmitContext.Helper("Write" + size, Cx.Options, Address, bits);
    public override Expression Read(int size) => EmitContext.Helper("Read" + size, Cx.Options, Address);
    public override Expression ReadPointer() => Read(Cx.PointerSize);

    public override Expression BadCase(Expression index, int cases, string what) =>
        EmitContext.Helper(nameof(CompiledAbi.BadCase), index, Constant(cases), Constant(what), Address, Constant(true));

    public override Expression LowerUntyped(Expression value, ComponentValueType t) =>
        Call(typeof(CanonicalAbi).GetMethod(nameof(CanonicalAbi.Store))!, Cx.Options, value, Constant(t), Address);

    public override Expression LiftUntyped(ComponentValueType t) =>
        Call(typeof(CanonicalAbi).GetMethod(nameof(CanonicalAbi.Load))!, Cx.Options, Address, Constant(t));
}
