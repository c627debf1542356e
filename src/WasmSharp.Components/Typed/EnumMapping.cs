using System.Linq.Expressions;
using System.Reflection;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>An enum as a C# enum with exactly a member per label (by name, or <see cref="ComponentNameAttribute"/>).
/// When the members number the labels in order (0, 1, ...) the case is the value itself.</summary>
internal sealed class EnumMapping : TypeMapping
{
    private readonly EnumType _enum;
    /// <summary>Each label's member value, as raw bits (sign-extended).</summary>
    private readonly ulong[] _values;
    private readonly bool _dense;

    private EnumMapping(EnumType e, Type net, ulong[] values) : base(e, net) =>
        (_enum, _values, _dense) = (e, values, values.Select((v, i) => v == (ulong)i).All(x => x));

    public static EnumMapping Create(EnumType e, Type net, string path)
    {
        if (!net.IsEnum) throw TypeMapper.Misfit(path, e, net, "an enum is a C# enum");
        var members = Members(net);
        if (members.Count != e.Labels.Count)
            throw TypeMapper.Misfit(path, e, net, $"{members.Count} members for {e.Labels.Count} labels");
        var values = e.Labels.Select(label => ComponentNames.Single(label, members, m => m, m => m.Name, path) is { } m ? Bits(m.GetValue(null)!)
            : throw TypeMapper.Misfit(path, e, net, $"no member fits the label '{label}'")).ToArray();
        if (values.Distinct().Count() != values.Length) throw TypeMapper.Misfit(path, e, net, "two labels have the same value");
        return new EnumMapping(e, net, values);
    }

    public static List<FieldInfo> Members(Type net) => [.. net.GetFields(BindingFlags.Public | BindingFlags.Static)];

    /// <summary>An enum value's bits: its underlying integer, sign-extended to 64 bits.</summary>
    public static ulong Bits(object value) => Type.GetTypeCode(Enum.GetUnderlyingType(value.GetType())) switch
    {
        TypeCode.SByte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => (ulong)System.Convert.ToInt64(value),
        _ => System.Convert.ToUInt64(value),
    };

    /// <summary>The bits of an enum-typed expression, sign-extended as <see cref="Bits"/> has them.</summary>
    public static Expression BitsOf(Expression value)
    {
        var underlying = Enum.GetUnderlyingType(value.Type);
        bool signed = underlying == typeof(sbyte) || underlying == typeof(short) || underlying == typeof(int) || underlying == typeof(long);
        return Convert(signed ? Convert(Convert(value, underlying), typeof(long)) : Convert(value, underlying), typeof(ulong));
    }

    /// <summary>The enum value of type <paramref name="net"/> with bits <paramref name="bits"/>.</summary>
    public static Expression FromBits(Expression bits, Type net) => Convert(Convert(bits, Enum.GetUnderlyingType(net)), net);

    public override ComponentValue ToComponent(object? value)
    {
        int i = value?.GetType() == NetType ? Array.IndexOf(_values, Bits(value)) : -1;
        return i >= 0 ? new EnumValue(_enum.Labels[i]) : throw NotAValue(value, $"no label of {NetType.Name}");
    }

    public override object? FromComponent(ComponentValue value)
    {
        int i = _enum.Labels.IndexOf(Expect<EnumValue>(value).Label);
        return i >= 0 ? Enum.ToObject(NetType, _values[i]) : throw new ArgumentException($"{value} is no label of {_enum}", nameof(value));
    }

    internal override Expression Lower(Expression value, Place place, EmitContext cx)
    {
        var what = Constant($"enum {NetType.Name}");
        var index = _dense
            ? EmitContext.Let(BitsOf(value), bits => Condition(LessThan(bits, Constant((ulong)_values.Length)), bits,
                Throw(New(typeof(ArgumentException).GetConstructor([typeof(string)])!, Constant($"the value is no label of enum {NetType.Name}")), typeof(ulong))))
            : EmitContext.Helper(nameof(CompiledAbi.EnumIndex), Constant(_values), BitsOf(value), what);
        return place.Write(Cases.DiscriminantSize(_enum), index);
    }

    internal override Expression Lift(Place place, EmitContext cx) =>
        Cases.Lift(_enum, NetType, place, cx, _values.Length, (i, _) => FromBits(Constant(_values[i]), NetType));
}
