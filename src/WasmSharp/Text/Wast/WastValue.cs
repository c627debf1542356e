namespace WasmSharp.Text.Wast;

/// <summary>The NaN patterns a script may expect in place of float bits.</summary>
internal enum NanPattern : byte
{
    /// <summary>Exact bits.</summary>
    None,
    /// <summary><c>nan:canonical</c>: a NaN whose payload is only the quiet bit, either sign.</summary>
    Canonical,
    /// <summary><c>nan:arithmetic</c>: a NaN with the quiet bit set, any payload, either sign.</summary>
    Arithmetic,
}

/// <summary>One number (a scalar or a v128 lane): its bits (two's complement or IEEE 754, zero-extended to 64), or
/// for an expected float a NaN pattern (then <see cref="Bits"/> is 0).</summary>
internal readonly record struct NumberPattern(ulong Bits, NanPattern Nan = NanPattern.None)
{
    public static NumberPattern CanonicalNan => new(0, NanPattern.Canonical);
    public static NumberPattern ArithmeticNan => new(0, NanPattern.Arithmetic);
}

/// <summary>The lane interpretation of a <c>v128.const</c>: <c>i8x16</c> ... <c>f64x2</c>.</summary>
internal enum LaneType : byte { I8, I16, I32, I64, F32, F64 }

internal static class LaneTypeExtensions
{
    /// <summary>Width of one lane in bits.</summary>
    public static int Bits(this LaneType t) => t switch
    {
        LaneType.I8 => 8,
        LaneType.I16 => 16,
        LaneType.I32 or LaneType.F32 => 32,
        _ => 64,
    };

    public static int Count(this LaneType t) => 128 / t.Bits();
    public static bool IsFloat(this LaneType t) => t is LaneType.F32 or LaneType.F64;

    /// <summary>The lane type as written in a shape, without the count: "i8", "f32", ...</summary>
    public static string ToText(this LaneType t) => t switch
    {
        LaneType.I8 => "i8",
        LaneType.I16 => "i16",
        LaneType.I32 => "i32",
        LaneType.I64 => "i64",
        LaneType.F32 => "f32",
        _ => "f64",
    };

    /// <summary>The shape keyword: "i8x16", "f64x2", ...</summary>
    public static string Shape(this LaneType t) => $"{t.ToText()}x{t.Count()}";
}

/// <summary>The integer types of component constants: <c>s8.const</c> ... <c>u64.const</c>.</summary>
internal enum ComponentInt : byte { S8, U8, S16, U16, S32, U32, S64, U64 }

internal static class ComponentIntExtensions
{
    public static int Bits(this ComponentInt t) => 8 << ((int)t >> 1);
    public static bool IsSigned(this ComponentInt t) => ((int)t & 1) == 0;

    /// <summary>The type's name as the constant's keyword starts: "s8", "u64", ...</summary>
    public static string ToText(this ComponentInt t) => $"{(t.IsSigned() ? 's' : 'u')}{t.Bits()}";
}

/// <summary>
/// A constant of a script: an argument of an action, or an expected result. Results may also be patterns that stand
/// for a set of values (NaN patterns, any non-null reference, any null, a choice). Each kind is a nested record;
/// consumers switch over them.
/// </summary>
internal abstract record WastValue
{
    private WastValue() { }

    /// <summary><c>(i32.const n)</c>, <c>(i64.const n)</c>, <c>(f32.const x)</c>, <c>(f64.const x)</c>.
    /// <see cref="Type"/> is a numeric type.</summary>
    public sealed record Number(ValueType Type, NumberPattern Value) : WastValue;

    /// <summary><c>(v128.const shape lane*)</c>: one pattern per lane, lane 0 first (the least significant).</summary>
    public sealed record Vector(LaneType LaneType, NumberPattern[] Lanes) : WastValue
    {
        public bool Equals(Vector? other) => other is not null && LaneType == other.LaneType && Lanes.AsSpan().SequenceEqual(other.Lanes);
        public override int GetHashCode() => HashCode.Combine(LaneType, Lanes.Length);
    }

    /// <summary><c>(ref.null func)</c>, <c>(ref.null extern)</c>, <c>(ref.null exn)</c>, or as a result
    /// <c>(ref.null)</c> (a null of any reference type: <see cref="Type"/> is null).</summary>
    public sealed record Null(ValueType? Type) : WastValue;

    /// <summary><c>(ref.extern n)</c>: the host reference numbered <see cref="Host"/>; as a result <c>(ref.extern)</c>
    /// (any non-null externref: <see cref="Host"/> is null).</summary>
    public sealed record Extern(ulong? Host) : WastValue;

    /// <summary>The result <c>(ref.func)</c>: any non-null funcref.</summary>
    public sealed record Func : WastValue;

    /// <summary>The result <c>(either result*)</c>: any of the alternatives.</summary>
    public sealed record Either(WastValue[] Alternatives) : WastValue
    {
        public bool Equals(Either? other) => other is not null && Alternatives.AsSpan().SequenceEqual(other.Alternatives);
        public override int GetHashCode() => Alternatives.Length;
    }

    // ---- component constants (the component model's scripts). They carry no component type: a runner reads them
    // with the types of the function they are passed to or returned from. ----

    /// <summary><c>(bool.const true|false)</c>.</summary>
    public sealed record Bool(bool Value) : WastValue;

    /// <summary><c>(s8.const n)</c> ... <c>(u64.const n)</c>: <see cref="Bits"/> is the value's two's complement
    /// pattern in the type's width, zero-extended (as <see cref="NumberPattern.Bits"/>).</summary>
    public sealed record Integer(ComponentInt Type, ulong Bits) : WastValue
    {
        /// <summary>The value, sign-extended for a signed type.</summary>
        public long Signed => Type.IsSigned() ? (long)(Bits << (64 - Type.Bits())) >> (64 - Type.Bits()) : (long)Bits;
    }

    /// <summary><c>(char.const "c")</c>: one Unicode scalar value.</summary>
    public sealed record Char(System.Text.Rune Value) : WastValue;

    /// <summary><c>(str.const "...")</c>.</summary>
    public sealed record String(string Value) : WastValue;

    /// <summary><c>(list.const v*)</c> or, with <see cref="IsTuple"/>, <c>(tuple.const v*)</c>: values in order.</summary>
    public sealed record Sequence(bool IsTuple, WastValue[] Items) : WastValue
    {
        public bool Equals(Sequence? other) => other is not null && IsTuple == other.IsTuple && Items.AsSpan().SequenceEqual(other.Items);
        public override int GetHashCode() => HashCode.Combine(IsTuple, Items.Length);
    }

    /// <summary><c>(record.const (field "label" v)*)</c>, fields in text order.</summary>
    public sealed record Record(Field[] Fields) : WastValue
    {
        public bool Equals(Record? other) => other is not null && Fields.AsSpan().SequenceEqual(other.Fields);
        public override int GetHashCode() => Fields.Length;
    }

    /// <summary>One field of a <see cref="Record"/>.</summary>
    public readonly record struct Field(string Label, WastValue Value);

    /// <summary><c>(variant.const "label" v?)</c>, and <c>(enum.const "label")</c> (<see cref="IsEnum"/>, no
    /// payload).</summary>
    public sealed record Case(bool IsEnum, string Label, WastValue? Payload) : WastValue;

    /// <summary><c>(option.none)</c> (<see cref="Some"/> null) or <c>(option.some v)</c>.</summary>
    public sealed record Option(WastValue? Some) : WastValue;

    /// <summary><c>(result.ok v?)</c> or <c>(result.err v?)</c>.</summary>
    public sealed record Result(bool IsOk, WastValue? Payload) : WastValue;

    /// <summary><c>(flags.const "label"*)</c>: the labels that are set, in text order.</summary>
    public sealed record Flags(string[] Labels) : WastValue
    {
        public bool Equals(Flags? other) => other is not null && Labels.AsSpan().SequenceEqual(other.Labels);
        public override int GetHashCode() => Labels.Length;
    }
}
