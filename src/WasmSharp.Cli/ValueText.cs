using System.Globalization;

namespace WasmSharp.Cli;

/// <summary>Values as command-line text: parsing arguments of <c>wasmsharp run</c> by parameter type, and printing results.</summary>
internal static class ValueText
{
    /// <summary>Parses <paramref name="text"/> as a value of <paramref name="type"/>. Integers: decimal or 0x hex,
    /// signed or unsigned, '_' separators allowed. Floats: decimal, inf, -inf, nan, nan:0xPAYLOAD. v128: 0x and up to
    /// 32 hex digits. References: only null. Throws <see cref="FormatException"/> with a readable message.</summary>
    public static Value Parse(ValueType type, string text)
    {
        var s = text.Trim().Replace("_", "");
        try
        {
            switch (type)
            {
                case ValueType.I32:
                {
                    var v = ParseInteger(s);
                    if (v < int.MinValue || v > uint.MaxValue) throw new OverflowException();
                    return Value.I32((int)(uint)(v & uint.MaxValue));
                }
                case ValueType.I64:
                {
                    var v = ParseInteger(s);
                    if (v < long.MinValue || v > ulong.MaxValue) throw new OverflowException();
                    return Value.I64((long)(ulong)(v & ulong.MaxValue));
                }
                case ValueType.F32:
                    return ParseSpecialFloat(s, 32) is ulong b32
                        ? Value.F32Bits((uint)b32)
                        : Value.F32(float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));
                case ValueType.F64:
                    return ParseSpecialFloat(s, 64) is ulong b64
                        ? Value.F64Bits(b64)
                        : Value.F64(double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));
                case ValueType.V128:
                {
                    if (!s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) throw new FormatException();
                    var v = UInt128.Parse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    return Value.V128((ulong)v, (ulong)(v >> 64));
                }
                case ValueType.FuncRef or ValueType.ExternRef or ValueType.ExnRef when s == "null":
                    return Value.Null(type);
                default:
                    throw new FormatException();
            }
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            throw new FormatException($"'{text}' is not a valid {type.ToText()}");
        }
    }

    private static Int128 ParseInteger(string s)
    {
        bool negative = s.StartsWith('-');
        if (negative || s.StartsWith('+')) s = s[1..];
        UInt128 magnitude = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? UInt128.Parse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : UInt128.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
        if (magnitude > (UInt128)ulong.MaxValue) throw new OverflowException();
        return negative ? -(Int128)magnitude : (Int128)magnitude;
    }

    /// <summary>Bits of inf/nan spellings, or null for an ordinary number.</summary>
    private static ulong? ParseSpecialFloat(string s, int width)
    {
        bool negative = s.StartsWith('-');
        var body = negative || s.StartsWith('+') ? s[1..] : s;
        ulong sign = negative ? 1UL << (width - 1) : 0;
        ulong exponent = width == 32 ? 0x7F80_0000UL : 0x7FF0_0000_0000_0000UL;
        ulong quiet = width == 32 ? 0x0040_0000UL : 0x0008_0000_0000_0000UL;
        ulong payloadMask = quiet | (quiet - 1);
        switch (body.ToLowerInvariant())
        {
            case "inf" or "infinity": return sign | exponent;
            case "nan": return sign | exponent | quiet;
        }
        if (body.StartsWith("nan:0x", StringComparison.OrdinalIgnoreCase))
        {
            ulong payload = ulong.Parse(body.AsSpan(6), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (payload == 0 || (payload & ~payloadMask) != 0) throw new FormatException();
            return sign | exponent | payload;
        }
        return null;
    }

    /// <summary>A result as printed by <c>wasmsharp run</c>: integers signed decimal, floats shortest round-trip
    /// (inf, -inf, nan, nan:0xPAYLOAD), v128 as 0x and 32 hex digits, references as null or their kind.</summary>
    public static string Format(Value v) => v.Type switch
    {
        ValueType.I32 => v.AsI32().ToString(CultureInfo.InvariantCulture),
        ValueType.I64 => v.AsI64().ToString(CultureInfo.InvariantCulture),
        ValueType.F32 => FormatFloat(v.Bits, 32, () => v.AsF32().ToString("R", CultureInfo.InvariantCulture)),
        ValueType.F64 => FormatFloat(v.Bits, 64, () => v.AsF64().ToString("R", CultureInfo.InvariantCulture)),
        ValueType.V128 => $"0x{v.HighBits:x16}{v.Bits:x16}",
        ValueType.FuncRef => v.Reference is Function f ? $"funcref:{f.DebugName}" : "null",
        ValueType.ExternRef => v.Reference is { } o ? $"externref:{o}" : "null",
        ValueType.ExnRef => v.Reference is { } e ? $"exnref:{e}" : "null",
        _ => v.ToString(),
    };

    /// <summary>A value with its type, for messages: "i32:-1", "f32:nan:0x200000", "funcref:null".</summary>
    public static string Describe(Value v) => v.Type switch
    {
        ValueType.FuncRef => v.Reference is Function f ? $"funcref:{f.DebugName}" : "funcref:null",
        ValueType.ExternRef => v.Reference is { } o ? $"externref:{o}" : "externref:null",
        ValueType.ExnRef => v.Reference is { } e ? $"exnref:{e}" : "exnref:null",
        _ => $"{v.Type.ToText()}:{Format(v)}",
    };

    private static string FormatFloat(ulong bits, int width, Func<string> ordinary)
    {
        ulong sign = 1UL << (width - 1);
        ulong exponent = width == 32 ? 0x7F80_0000UL : 0x7FF0_0000_0000_0000UL;
        ulong quiet = width == 32 ? 0x0040_0000UL : 0x0008_0000_0000_0000UL;
        ulong mantissa = (quiet << 1) - 1;
        if (width == 32) bits &= 0xFFFF_FFFF;
        if ((bits & exponent) != exponent) return ordinary();
        string s = (bits & sign) != 0 ? "-" : "";
        ulong payload = bits & mantissa;
        if (payload == 0) return s + "inf";
        return payload == quiet ? s + "nan" : $"{s}nan:0x{payload:x}";
    }
}
