using System.Globalization;
using System.Text;

namespace WasmSharp.Components;

/// <summary>A component-level value, untyped: what the reference Canonical ABI lifts and lowers, and what a host
/// reads and writes when it does not map values to .NET types of its own. Values compare by structure.</summary>
public abstract record ComponentValue;

/// <summary>A bool.</summary>
public sealed record BoolValue(bool Value) : ComponentValue
{
    public override string ToString() => Value ? "true" : "false";
}

/// <summary>An integer of one of the eight integer types, which it must fit.</summary>
public sealed record IntegerValue : ComponentValue
{
    public IntegerValue(Primitive kind, Int128 value)
    {
        var (min, max) = Range(kind);
        if (value < min || value > max) throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {new PrimitiveType(kind)}");
        Kind = kind;
        Value = value;
    }

    public Primitive Kind { get; }
    public Int128 Value { get; }

    /// <summary>The values an integer type holds.</summary>
    public static (Int128 Min, Int128 Max) Range(Primitive kind) => kind switch
    {
        Primitive.S8 => (sbyte.MinValue, sbyte.MaxValue),
        Primitive.U8 => (byte.MinValue, byte.MaxValue),
        Primitive.S16 => (short.MinValue, short.MaxValue),
        Primitive.U16 => (ushort.MinValue, ushort.MaxValue),
        Primitive.S32 => (int.MinValue, int.MaxValue),
        Primitive.U32 => (uint.MinValue, uint.MaxValue),
        Primitive.S64 => (long.MinValue, long.MaxValue),
        Primitive.U64 => (ulong.MinValue, ulong.MaxValue),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an integer type"),
    };

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>An f32 (held exactly as a double) or an f64.</summary>
public sealed record FloatValue : ComponentValue
{
    public FloatValue(Primitive kind, double value)
    {
        if (kind is not (Primitive.F32 or Primitive.F64)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a float type");
        if (kind == Primitive.F32 && !double.IsNaN(value) && (double)(float)value != value)
            throw new ArgumentOutOfRangeException(nameof(value), value, "not an f32");
        Kind = kind;
        Value = value;
    }

    public Primitive Kind { get; }
    public double Value { get; }

    public override string ToString() => double.IsNaN(Value) ? "nan" : double.IsInfinity(Value) ? (Value > 0 ? "inf" : "-inf")
        : Kind == Primitive.F32 ? ((float)Value).ToString("R", CultureInfo.InvariantCulture) : Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A char: a Unicode scalar value.</summary>
public sealed record CharValue(Rune Value) : ComponentValue;

/// <summary>A string.</summary>
public sealed record StringValue(string Value) : ComponentValue;

/// <summary>A list's elements.</summary>
public sealed record ListValue(Items<ComponentValue> Elements) : ComponentValue;

/// <summary>A record's fields, in the type's order.</summary>
public sealed record RecordValue(Items<(string Label, ComponentValue Value)> Fields) : ComponentValue;

/// <summary>A tuple's values.</summary>
public sealed record TupleValue(Items<ComponentValue> Values) : ComponentValue;

/// <summary>A variant's case, with its payload if the case has one.</summary>
public sealed record VariantValue(string Case, ComponentValue? Payload = null) : ComponentValue;

/// <summary>An enum's label.</summary>
public sealed record EnumValue(string Label) : ComponentValue;

/// <summary>An option: some(value), or none if null.</summary>
public sealed record OptionValue(ComponentValue? Value) : ComponentValue;

/// <summary>A result: ok or error, with a payload if that side of the type has one.</summary>
public sealed record ResultValue(bool IsOk, ComponentValue? Payload = null) : ComponentValue;

/// <summary>The labels of a flags value that are set, in the type's order.</summary>
public sealed record FlagsValue(Items<string> Set) : ComponentValue;

/// <summary>A resource crossing a boundary, as its representation (own: the ownership moves with it; borrow: for the
/// length of the call).</summary>
public sealed record ResourceValue(ResourceType Type, uint Rep) : ComponentValue;
