using System.Globalization;
using System.Text.Json;

namespace WasmSharp.Cli.Wast;

/// <summary>The host object that stands for <c>ref.extern N</c> in a script; one per N (see <see cref="HostRefs"/>),
/// so identity comparison of externrefs works.</summary>
internal sealed class HostRef(ulong n)
{
    public ulong N { get; } = n;
    public override string ToString() => $"ref.extern {N}";
}

/// <summary>The <c>ref.extern N</c> objects of one script.</summary>
internal sealed class HostRefs
{
    private readonly Dictionary<ulong, HostRef> _refs = new();

    public HostRef Get(ulong n)
    {
        if (!_refs.TryGetValue(n, out var r)) _refs.Add(n, r = new HostRef(n));
        return r;
    }
}

/// <summary>Turns wast2json constants into <see cref="Value"/>s and checks results against expected values
/// (bit-exact, except the NaN patterns nan:canonical and nan:arithmetic, compared per lane for v128).</summary>
internal static class WastValues
{
    public const string CanonicalNan = "nan:canonical";
    public const string ArithmeticNan = "nan:arithmetic";

    /// <summary>The value type named in JSON ("i32", "externref", ...), or null for an unknown name.</summary>
    public static ValueType? TypeOf(string name) => name switch
    {
        "i32" => ValueType.I32,
        "i64" => ValueType.I64,
        "f32" => ValueType.F32,
        "f64" => ValueType.F64,
        "v128" => ValueType.V128,
        "funcref" => ValueType.FuncRef,
        "externref" => ValueType.ExternRef,
        _ => null,
    };

    /// <summary>Lane width in bits of a v128 lane type.</summary>
    public static int LaneBits(string? laneType) => laneType switch
    {
        "i8" => 8,
        "i16" => 16,
        "i32" or "f32" => 32,
        "i64" or "f64" => 64,
        _ => throw new FormatException($"unknown v128 lane type '{laneType}'"),
    };

    /// <summary>An argument value. Throws <see cref="FormatException"/> for what cannot be an argument.</summary>
    public static Value ToValue(WastValue v, HostRefs refs)
    {
        switch (v.Type)
        {
            case "i32": return Value.I32((int)(uint)ParseBits(Scalar(v), 32));
            case "i64": return Value.I64((long)ParseBits(Scalar(v), 64));
            case "f32": return Value.F32Bits((uint)ParseBits(Scalar(v), 32));
            case "f64": return Value.F64Bits(ParseBits(Scalar(v), 64));
            case "v128":
            {
                int bits = LaneBits(v.LaneType);
                var lanes = Lanes(v);
                if (lanes.Length * bits != 128) throw new FormatException($"v128 with {lanes.Length} {v.LaneType} lanes");
                UInt128 acc = 0;
                for (int i = 0; i < lanes.Length; i++) acc |= (UInt128)ParseBits(lanes[i], bits) << (i * bits);
                return Value.V128((ulong)acc, (ulong)(acc >> 64));
            }
            case "externref":
            {
                var s = Scalar(v);
                return s == "null" ? Value.Null(ValueType.ExternRef) : Value.ExternRef(refs.Get(ParseBits(s, 64)));
            }
            case "funcref":
                if (Scalar(v) == "null") return Value.Null(ValueType.FuncRef);
                throw new FormatException("a non-null funcref cannot be written as an argument");
            default:
                throw new FormatException($"unsupported value type '{v.Type}'");
        }
    }

    /// <summary>Whether <paramref name="actual"/> is what <paramref name="expected"/> describes.</summary>
    public static bool Matches(WastValue expected, Value actual, HostRefs refs)
    {
        if (expected.Type == "either") return expected.Values?.Any(e => Matches(e, actual, refs)) ?? false;
        if (TypeOf(expected.Type) is not ValueType type || actual.Type != type) return false;
        // A type with no value (e.g. the results of assert_trap) matches any value of that type.
        if (expected.Value is null)
            return type != ValueType.FuncRef || actual.Reference is Function;

        switch (type)
        {
            case ValueType.I32: return (uint)actual.Bits == (uint)ParseBits(Scalar(expected), 32);
            case ValueType.I64: return actual.Bits == ParseBits(Scalar(expected), 64);
            case ValueType.F32: return LaneMatches(Scalar(expected), (uint)actual.Bits, 32, isFloat: true);
            case ValueType.F64: return LaneMatches(Scalar(expected), actual.Bits, 64, isFloat: true);
            case ValueType.V128:
            {
                int bits = LaneBits(expected.LaneType);
                bool isFloat = expected.LaneType is "f32" or "f64";
                var lanes = Lanes(expected);
                if (lanes.Length * bits != 128) throw new FormatException($"v128 with {lanes.Length} {expected.LaneType} lanes");
                var whole = new UInt128(actual.HighBits, actual.Bits);
                ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
                for (int i = 0; i < lanes.Length; i++)
                {
                    ulong lane = (ulong)(whole >> (i * bits)) & mask;
                    if (!LaneMatches(lanes[i], lane, bits, isFloat)) return false;
                }
                return true;
            }
            case ValueType.ExternRef:
            {
                var s = Scalar(expected);
                return s == "null" ? actual.Reference is null : ReferenceEquals(actual.Reference, refs.Get(ParseBits(s, 64)));
            }
            case ValueType.FuncRef:
                // Only ref.null is spelled out; anything else (ref.func) means "some function".
                return Scalar(expected) == "null" ? actual.Reference is null : actual.Reference is Function;
            default:
                return false;
        }
    }

    /// <summary>One number or float lane against its expected text (bits, or a NaN pattern).</summary>
    public static bool LaneMatches(string expected, ulong bits, int width, bool isFloat)
    {
        if (isFloat && expected == CanonicalNan) return IsCanonicalNan(bits, width);
        if (isFloat && expected == ArithmeticNan) return IsArithmeticNan(bits, width);
        return bits == ParseBits(expected, width);
    }

    /// <summary>A NaN with only the quiet bit set in its payload (either sign).</summary>
    public static bool IsCanonicalNan(ulong bits, int width) => width == 32
        ? ((uint)bits & 0x7FFF_FFFFu) == 0x7FC0_0000u
        : (bits & 0x7FFF_FFFF_FFFF_FFFFUL) == 0x7FF8_0000_0000_0000UL;

    /// <summary>A NaN with the quiet bit set (any payload, either sign).</summary>
    public static bool IsArithmeticNan(ulong bits, int width) => width == 32
        ? ((uint)bits & 0x7FC0_0000u) == 0x7FC0_0000u
        : (bits & 0x7FF8_0000_0000_0000UL) == 0x7FF8_0000_0000_0000UL;

    /// <summary>Bits of a number written as unsigned decimal (as wast2json does), tolerating a minus sign
    /// (two's complement) and 0x hex.</summary>
    public static ulong ParseBits(string text, int width)
    {
        ulong bits;
        if (text.StartsWith('-'))
            bits = (ulong)long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        else if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            bits = ulong.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        else
            bits = ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (width < 64)
        {
            ulong mask = (1UL << width) - 1;
            if (!text.StartsWith('-') && bits > mask) throw new FormatException($"{text} does not fit in {width} bits");
            bits &= mask;
        }
        return bits;
    }

    /// <summary>Readable form of an expected value, e.g. "i32:-1", "f32:nan:canonical", "i16x8:[1 2 ...]".</summary>
    public static string Describe(WastValue v)
    {
        if (v.Type == "either") return "either(" + string.Join(" | ", v.Values?.Select(Describe) ?? []) + ")";
        if (v.Value is not JsonElement e) return v.Type == "funcref" ? "funcref:non-null" : $"{v.Type}:any";
        try
        {
            if (v.Type == "v128")
            {
                int bits = LaneBits(v.LaneType);
                bool isFloat = v.LaneType is "f32" or "f64";
                var lanes = Lanes(v).Select(l => isFloat && l.StartsWith("nan:") ? l : FormatLane(ParseBits(l, bits), v.LaneType!));
                return $"{v.LaneType}x{128 / bits}:[{string.Join(' ', lanes)}]";
            }
            var s = Scalar(v);
            if (s.StartsWith("nan:")) return $"{v.Type}:{s}";
            if (v.Type == "externref") return s == "null" ? "externref:null" : $"externref:ref.extern {s}";
            if (v.Type == "funcref") return s == "null" ? "funcref:null" : "funcref:non-null";
            return ValueText.Describe(ToValue(v, new HostRefs()));
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or InvalidOperationException)
        {
            return $"{v.Type}:{e}";
        }
    }

    /// <summary>Readable form of a result, in the style of <see cref="Describe(WastValue)"/>; v128 results are shown
    /// with the lane type of <paramref name="like"/> when given.</summary>
    public static string Describe(Value actual, WastValue? like = null)
    {
        if (actual.Type == ValueType.V128 && like is { Type: "v128", LaneType: string laneType })
        {
            int bits = LaneBits(laneType);
            var whole = new UInt128(actual.HighBits, actual.Bits);
            ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
            var lanes = Enumerable.Range(0, 128 / bits).Select(i => FormatLane((ulong)(whole >> (i * bits)) & mask, laneType));
            return $"{laneType}x{128 / bits}:[{string.Join(' ', lanes)}]";
        }
        if (actual.Type == ValueType.ExternRef && actual.Reference is HostRef h) return $"externref:{h}";
        return ValueText.Describe(actual);
    }

    private static string FormatLane(ulong bits, string laneType) => laneType switch
    {
        "i8" => ((sbyte)bits).ToString(CultureInfo.InvariantCulture),
        "i16" => ((short)bits).ToString(CultureInfo.InvariantCulture),
        "i32" => ((int)bits).ToString(CultureInfo.InvariantCulture),
        "i64" => ((long)bits).ToString(CultureInfo.InvariantCulture),
        "f32" => ValueText.Format(Value.F32Bits((uint)bits)),
        "f64" => ValueText.Format(Value.F64Bits(bits)),
        _ => bits.ToString(CultureInfo.InvariantCulture),
    };

    private static string Scalar(WastValue v) =>
        v.Value is JsonElement { ValueKind: JsonValueKind.String } e
            ? e.GetString()!
            : throw new FormatException($"{v.Type} constant without a string value");

    private static string[] Lanes(WastValue v) =>
        v.Value is JsonElement { ValueKind: JsonValueKind.Array } e
            ? e.EnumerateArray().Select(x => x.GetString() ?? throw new FormatException("v128 lane is not a string")).ToArray()
            : throw new FormatException("v128 constant without a lane array");
}
