using System.Linq.Expressions;
using System.Text;
using WasmSharp.Components.Compiled;
using static System.Linq.Expressions.Expression;

namespace WasmSharp.Components;

/// <summary>bool, the integers, f32, f64 and char: each to one .NET type, by one row of <see cref="Rows"/> that
/// says how its .NET value becomes the bits it has as a core value (and, truncated to its size, in memory) and back.
/// </summary>
internal sealed class ScalarMapping : TypeMapping
{
    /// <summary>One scalar: its .NET type; ToBits, the .NET value → its core value's bits (signed integers as two's
    /// complement of the core width, NaNs canonical); FromBits, a slot or the scalar's bytes zero-extended → the .NET
    /// value (checked, canonical); and the reference conversions.</summary>
    private sealed record Row(Primitive Kind, Type Net, Func<Expression, Expression> ToBits, Func<Expression, Expression> FromBits,
        Func<object, ComponentValue> ToValue, Func<ComponentValue, object> FromValue);

    private static Row Signed<T>(Primitive kind) where T : struct => new(kind, typeof(T),
        v => Convert(kind == Primitive.S64 ? v : Convert(Convert(v, typeof(int)), typeof(uint)), typeof(ulong)),
        b => Convert(b, typeof(T)),
        o => new IntegerValue(kind, System.Convert.ToInt64(o)),
        v => System.Convert.ChangeType((long)((IntegerValue)v).Value, typeof(T)));

    private static Row Unsigned<T>(Primitive kind) where T : struct => new(kind, typeof(T),
        v => Convert(v, typeof(ulong)),
        b => Convert(b, typeof(T)),
        o => new IntegerValue(kind, System.Convert.ToUInt64(o)),
        v => System.Convert.ChangeType((ulong)((IntegerValue)v).Value, typeof(T)));

    private static readonly Row[] Rows =
    [
        new(Primitive.Bool, typeof(bool), v => Condition(v, Constant(1UL), Constant(0UL)),
            b => NotEqual(Convert(b, typeof(uint)), Constant(0u)), o => new BoolValue((bool)o), v => ((BoolValue)v).Value),
        Signed<sbyte>(Primitive.S8), Unsigned<byte>(Primitive.U8), Signed<short>(Primitive.S16), Unsigned<ushort>(Primitive.U16),
        Signed<int>(Primitive.S32), Unsigned<uint>(Primitive.U32), Signed<long>(Primitive.S64), Unsigned<ulong>(Primitive.U64),
        new(Primitive.F32, typeof(float), v => EmitContext.Helper(nameof(CompiledAbi.F32Bits), v),
            b => EmitContext.Helper(nameof(CompiledAbi.F32), b), o => new FloatValue(Primitive.F32, (float)o), v => (float)((FloatValue)v).Value),
        new(Primitive.F64, typeof(double), v => EmitContext.Helper(nameof(CompiledAbi.F64Bits), v),
            b => EmitContext.Helper(nameof(CompiledAbi.F64), b), o => new FloatValue(Primitive.F64, (double)o), v => ((FloatValue)v).Value),
        new(Primitive.Char, typeof(Rune), v => Convert(Convert(Property(v, nameof(Rune.Value)), typeof(uint)), typeof(ulong)),
            b => EmitContext.Helper(nameof(CompiledAbi.Char), b), o => new CharValue((Rune)o), v => ((CharValue)v).Value),
    ];

    private readonly Row _row;
    private readonly int _size;

    private ScalarMapping(PrimitiveType type, Row row) : base(type, row.Net) =>
        (_row, _size) = (row, (int)CanonicalLayout.Size(type));

    public static ScalarMapping Create(PrimitiveType type, Type net, string path)
    {
        var row = Array.Find(Rows, r => r.Kind == type.Kind) ?? throw new ArgumentException($"{type} is not a scalar type", nameof(type));
        return net == row.Net ? new ScalarMapping(type, row) : throw TypeMapper.Misfit(path, type, net, $"a {type} is a {row.Net.Name}");
    }

    public Primitive Kind => _row.Kind;

    public override ComponentValue ToComponent(object? value) =>
        value?.GetType() == NetType ? _row.ToValue(value) : throw NotAValue(value, $"not a {NetType.Name}");

    public override object? FromComponent(ComponentValue value) => value switch
    {
        IntegerValue i when i.Kind == Kind => _row.FromValue(value),
        FloatValue f when f.Kind == Kind => _row.FromValue(value),
        BoolValue when Kind == Primitive.Bool => _row.FromValue(value),
        CharValue when Kind == Primitive.Char => _row.FromValue(value),
        _ => throw new ArgumentException($"{value} is not a {ComponentType} value", nameof(value)),
    };

    internal override Expression Lower(Expression value, Place place, EmitContext cx) => place.Write(_size, _row.ToBits(value));

    internal override Expression Lift(Place place, EmitContext cx) => _row.FromBits(place.Read(_size));
}
