using System.Linq.Expressions;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>flags as a <see cref="FlagsAttribute"/> enum with a member per label (by name, or
/// <see cref="ComponentNameAttribute"/>); other members may only combine those. When label i is the member
/// <c>1 &lt;&lt; i</c> (the usual declaration) the value is the bits themselves.</summary>
internal sealed class FlagsMapping : TypeMapping
{
    private readonly FlagsType _flags;
    /// <summary>Each label's member value, as bits.</summary>
    private readonly ulong[] _members;
    private readonly bool _positional;
    private readonly ulong _mask;

    private FlagsMapping(FlagsType flags, Type net, ulong[] members) : base(flags, net)
    {
        (_flags, _members) = (flags, members);
        _positional = members.Select((m, i) => m == 1UL << i).All(x => x);
        _mask = members.Aggregate(0UL, (a, m) => a | m);
    }

    public static FlagsMapping Create(FlagsType flags, Type net, string path)
    {
        if (!net.IsEnum || !net.IsDefined(typeof(FlagsAttribute), false)) throw TypeMapper.Misfit(path, flags, net, "flags are a [Flags] enum");
        var members = EnumMapping.Members(net);
        var bits = flags.Labels.Select(label => ComponentNames.Single(label, members, m => m, m => m.Name, path) is { } m
            ? EnumMapping.Bits(m.GetValue(null)!) : throw TypeMapper.Misfit(path, flags, net, $"no member fits the flag '{label}'")).ToArray();
        if (bits.Any(b => b == 0) || bits.Distinct().Count() != bits.Length || bits.Where((b, i) => bits.Where((_, j) => j != i).Any(o => (o & b) != 0)).Any())
            throw TypeMapper.Misfit(path, flags, net, "each flag needs bits of its own");
        ulong all = bits.Aggregate(0UL, (a, b) => a | b);
        if (members.Select(m => EnumMapping.Bits(m.GetValue(null)!)).Any(v => (v & ~all) != 0))
            throw TypeMapper.Misfit(path, flags, net, "a member has bits that are no flag");
        return new FlagsMapping(flags, net, bits);
    }

    public override ComponentValue ToComponent(object? value)
    {
        if (value?.GetType() != NetType) throw NotAValue(value, $"not a {NetType.Name}");
        ulong bits = CompiledAbi.FlagBits(_members, EnumMapping.Bits(value), $"flags {NetType.Name}");
        return new FlagsValue(_flags.Labels.Where((_, i) => (bits >> i & 1) != 0).ToArray());
    }

    public override object? FromComponent(ComponentValue value)
    {
        var set = Expect<FlagsValue>(value).Set;
        ulong bits = 0;
        foreach (var label in set)
        {
            int i = _flags.Labels.IndexOf(label);
            bits |= i >= 0 ? 1UL << i : throw new ArgumentException($"{label} is no flag of {_flags}", nameof(value));
        }
        return Enum.ToObject(NetType, CompiledAbi.FlagsFromBits(_members, bits));
    }

    internal override Expression Lower(Expression value, Place place, EmitContext cx)
    {
        var what = $"flags {NetType.Name}";
        var bits = _positional
            ? EmitContext.Let(EnumMapping.BitsOf(value), b => Condition(Equal(And(b, Constant(~_mask)), Constant(0UL)), b,
                Throw(New(typeof(ArgumentException).GetConstructor([typeof(string)])!, Constant($"the value has bits that are no flag of the {what}")), typeof(ulong))))
            : EmitContext.Helper(nameof(CompiledAbi.FlagBits), Constant(_members), EnumMapping.BitsOf(value), Constant(what));
        return place.Write((int)CanonicalLayout.Size(_flags), bits);
    }

    internal override Expression Lift(Place place, EmitContext cx)
    {
        var bits = place.Read((int)CanonicalLayout.Size(_flags));
        return EnumMapping.FromBits(_positional ? And(bits, Constant(_mask))
            : EmitContext.Helper(nameof(CompiledAbi.FlagsFromBits), Constant(_members), bits), NetType);
    }
}
