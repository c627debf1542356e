using System.Globalization;
using WasmSharp.Text.Wast;

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

/// <summary>Turns script constants into <see cref="Value"/>s and checks results against expected values (bit-exact,
/// except the NaN patterns nan:canonical and nan:arithmetic, compared per lane for v128).</summary>
internal static class WastValues
{
    /// <summary>An argument value. Throws <see cref="FormatException"/> for a pattern, which cannot be an argument.</summary>
    public static Value ToValue(WastValue v, HostRefs refs) => v switch
    {
        WastValue.Number { Value.Nan: NanPattern.None } n => Value.FromBits(n.Type, n.Value.Bits),
        WastValue.Vector vec when vec.Lanes.All(l => l.Nan == NanPattern.None) => ToV128(vec),
        WastValue.Null { Type: ValueType type } => Value.Null(type),
        WastValue.Extern { Host: ulong n } => Value.ExternRef(refs.Get(n)),
        _ => throw new FormatException($"{Describe(v)} cannot be an argument"),
    };

    private static Value ToV128(WastValue.Vector v)
    {
        int bits = v.LaneType.Bits();
        UInt128 whole = 0;
        for (int i = 0; i < v.Lanes.Length; i++) whole |= (UInt128)(v.Lanes[i].Bits & Mask(bits)) << (i * bits);
        return Value.V128((ulong)whole, (ulong)(whole >> 64));
    }

    /// <summary>Whether <paramref name="actual"/> is what <paramref name="expected"/> describes.</summary>
    public static bool Matches(WastValue expected, Value actual, HostRefs refs)
    {
        switch (expected)
        {
            case WastValue.Either e:
                return e.Alternatives.Any(a => Matches(a, actual, refs));
            case WastValue.Number n:
            {
                if (actual.Type != n.Type) return false;
                int width = n.Type is ValueType.I32 or ValueType.F32 ? 32 : 64;
                return LaneMatches(n.Value, actual.Bits & Mask(width), width, isFloat: n.Type is ValueType.F32 or ValueType.F64);
            }
            case WastValue.Vector v:
            {
                if (actual.Type != ValueType.V128) return false;
                int bits = v.LaneType.Bits();
                var whole = new UInt128(actual.HighBits, actual.Bits);
                for (int i = 0; i < v.Lanes.Length; i++)
                {
                    ulong lane = (ulong)(whole >> (i * bits)) & Mask(bits);
                    if (!LaneMatches(v.Lanes[i], lane, bits, v.LaneType.IsFloat())) return false;
                }
                return true;
            }
            case WastValue.Null { Type: null }:
                return actual.Type.IsReference() && actual.Reference is null;
            case WastValue.Null { Type: ValueType type }:
                return actual.Type == type && actual.Reference is null;
            case WastValue.Extern { Host: null }:
                return actual.Type == ValueType.ExternRef && actual.Reference is not null;
            case WastValue.Extern { Host: ulong n }:
                return actual.Type == ValueType.ExternRef && ReferenceEquals(actual.Reference, refs.Get(n));
            case WastValue.Func:
                return actual.Type == ValueType.FuncRef && actual.Reference is Function;
            default:
                return false;
        }
    }

    /// <summary>One number or lane of <paramref name="width"/> bits against its expected bits or NaN pattern.</summary>
    public static bool LaneMatches(NumberPattern expected, ulong bits, int width, bool isFloat) => expected.Nan switch
    {
        NanPattern.Canonical => isFloat && IsCanonicalNan(bits, width),
        NanPattern.Arithmetic => isFloat && IsArithmeticNan(bits, width),
        _ => bits == expected.Bits,
    };

    /// <summary>A NaN with only the quiet bit set in its payload (either sign).</summary>
    public static bool IsCanonicalNan(ulong bits, int width) => width == 32
        ? ((uint)bits & 0x7FFF_FFFFu) == 0x7FC0_0000u
        : (bits & 0x7FFF_FFFF_FFFF_FFFFUL) == 0x7FF8_0000_0000_0000UL;

    /// <summary>A NaN with the quiet bit set (any payload, either sign).</summary>
    public static bool IsArithmeticNan(ulong bits, int width) => width == 32
        ? ((uint)bits & 0x7FC0_0000u) == 0x7FC0_0000u
        : (bits & 0x7FF8_0000_0000_0000UL) == 0x7FF8_0000_0000_0000UL;

    private static ulong Mask(int bits) => bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;

    /// <summary>Readable form of an expected value, e.g. "i32:-1", "f32:nan:canonical", "i16x8:[1 2 ...]".</summary>
    public static string Describe(WastValue v) => v switch
    {
        WastValue.Either e => "either(" + string.Join(" | ", e.Alternatives.Select(Describe)) + ")",
        WastValue.Number { Value.Nan: not NanPattern.None } n => $"{n.Type.ToText()}:{NanText(n.Value.Nan)}",
        WastValue.Number n => ValueText.Describe(Value.FromBits(n.Type, n.Value.Bits)),
        WastValue.Vector vec => $"{vec.LaneType.Shape()}:[{string.Join(' ', vec.Lanes.Select(l =>
            l.Nan == NanPattern.None ? FormatLane(l.Bits, vec.LaneType) : NanText(l.Nan)))}]",
        WastValue.Null { Type: null } => "ref:null",
        WastValue.Null { Type: ValueType type } => $"{type.ToText()}:null",
        WastValue.Extern { Host: null } => "externref:non-null",
        WastValue.Extern { Host: ulong n } => $"externref:ref.extern {n}",
        WastValue.Func => "funcref:non-null",
        _ => v.GetType().Name,
    };

    private static string NanText(NanPattern nan) => nan == NanPattern.Canonical ? "nan:canonical" : "nan:arithmetic";

    /// <summary>Readable form of a result, in the style of <see cref="Describe(WastValue)"/>; v128 results are shown
    /// with the lane type of <paramref name="like"/> when it is a vector.</summary>
    public static string Describe(Value actual, WastValue? like = null)
    {
        if (actual.Type == ValueType.V128 && like is WastValue.Vector { LaneType: var laneType })
        {
            int bits = laneType.Bits();
            var whole = new UInt128(actual.HighBits, actual.Bits);
            var lanes = Enumerable.Range(0, laneType.Count()).Select(i => FormatLane((ulong)(whole >> (i * bits)) & Mask(bits), laneType));
            return $"{laneType.Shape()}:[{string.Join(' ', lanes)}]";
        }
        if (actual.Type == ValueType.ExternRef && actual.Reference is HostRef h) return $"externref:{h}";
        return ValueText.Describe(actual);
    }

    private static string FormatLane(ulong bits, LaneType laneType) => laneType switch
    {
        LaneType.I8 => ((sbyte)bits).ToString(CultureInfo.InvariantCulture),
        LaneType.I16 => ((short)bits).ToString(CultureInfo.InvariantCulture),
        LaneType.I32 => ((int)bits).ToString(CultureInfo.InvariantCulture),
        LaneType.I64 => ((long)bits).ToString(CultureInfo.InvariantCulture),
        LaneType.F32 => ValueText.Format(Value.F32Bits((uint)bits)),
        _ => ValueText.Format(Value.F64Bits(bits)),
    };
}
