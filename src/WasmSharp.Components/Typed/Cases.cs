using System.Linq.Expressions;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>What variants, enums, options and results share: a discriminant, then the case's payload (in flat
/// values right after it, in memory at the payload offset), and the trap for a discriminant past the cases.</summary>
internal static class Cases
{
    /// <summary>The discriminant's size in bytes for <paramref name="t"/> (a variant-like type).</summary>
    public static int DiscriminantSize(ComponentValueType t) =>
        (int)CanonicalLayout.Size(CanonicalLayout.DiscriminantType(((VariantType)CanonicalLayout.Despecialize(t)).Cases.Count));

    /// <summary>Where a case's payload goes.</summary>
    public static Place Payload(ComponentValueType t, Place place, EmitContext cx) => place.At(CanonicalLayout.PayloadOffset(t, cx.Pointer), 1);

    /// <summary>Writes case <paramref name="index"/>'s discriminant, then its payload (if <paramref name="payload"/>).</summary>
    public static Expression Lower(ComponentValueType t, Place place, EmitContext cx, int index, Func<Place, Expression>? payload) =>
        payload is null
            ? place.Write(DiscriminantSize(t), Constant((ulong)index))
            : Block(place.Write(DiscriminantSize(t), Constant((ulong)index)), payload(Payload(t, place, cx)));

    /// <summary>Reads the discriminant and gives the value of <paramref name="lift"/> for its case (each gets the
    /// payload's place); traps past the <paramref name="count"/> cases.</summary>
    public static Expression Lift(ComponentValueType t, Type net, Place place, EmitContext cx, int count, Func<int, Place, Expression> lift)
    {
        var index = Variable(typeof(uint), "case");
        var payload = Payload(t, place, cx);
        return Block(net, [index],
            Assign(index, Convert(place.Read(DiscriminantSize(t)), typeof(uint))),
            Switch(net, index, Throw(place.BadCase(Convert(index, typeof(ulong)), count, CanonicalAbi.Describe(t)), net), null,
                Enumerable.Range(0, count).Select(i => SwitchCase(Convert(lift(i, payload), net), Constant((uint)i)))));
    }

}
