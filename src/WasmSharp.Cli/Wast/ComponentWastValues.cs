using WasmSharp.Components;
using WasmSharp.Text.Wast;

namespace WasmSharp.Cli.Wast;

/// <summary>A script's component constants read as component values: they carry no full type (<c>enum.const
/// "red"</c>, <c>list.const</c> of nothing), so each is read with the type of the parameter or result it stands
/// for.</summary>
internal static class ComponentWastValues
{
    /// <summary>The value <paramref name="v"/> spells as a <paramref name="t"/>; throws <see cref="FormatException"/>
    /// when it cannot be one.</summary>
    public static ComponentValue ToValue(WastValue v, ComponentValueType t)
    {
        switch (t, v)
        {
            case (PrimitiveType { Kind: Primitive.Bool }, WastValue.Bool b): return new BoolValue(b.Value);
            case (PrimitiveType { Kind: Primitive.Char }, WastValue.Char c): return new CharValue(c.Value);
            case (PrimitiveType { Kind: Primitive.String }, WastValue.String s): return new StringValue(s.Value);
            case (PrimitiveType p, WastValue.Integer i) when IntegerKind(i.Type) == p.Kind:
                return new IntegerValue(p.Kind, i.Type.IsSigned() ? i.Signed : i.Bits);
            case (PrimitiveType { Kind: Primitive.F32 }, WastValue.Number { Type: ValueType.F32, Value.Nan: NanPattern.None } n):
                return new FloatValue(Primitive.F32, BitConverter.UInt32BitsToSingle((uint)n.Value.Bits));
            case (PrimitiveType { Kind: Primitive.F64 }, WastValue.Number { Type: ValueType.F64, Value.Nan: NanPattern.None } n):
                return new FloatValue(Primitive.F64, BitConverter.UInt64BitsToDouble(n.Value.Bits));
            case (PrimitiveType { Kind: Primitive.F32 or Primitive.F64 } f, WastValue.Number n) when n.Value.Nan != NanPattern.None:
                return new FloatValue(f.Kind, double.NaN);
            case (ListType l, WastValue.Sequence { IsTuple: false } s):
                if (l.Length is uint length && length != (uint)s.Items.Length) throw Mismatch(v, t);
                return new ListValue(s.Items.Select(x => ToValue(x, l.Element)).ToArray());
            case (MapType m, WastValue.Sequence { IsTuple: false } s):
                return new ListValue(s.Items.Select(x => ToValue(x, m.Entry)).ToArray());
            case (TupleType u, WastValue.Sequence { IsTuple: true } s) when s.Items.Length == u.Types.Count:
                return new TupleValue(s.Items.Select((x, i) => ToValue(x, u.Types[i])).ToArray());
            case (RecordType r, WastValue.Record rv) when rv.Fields.Length == r.Fields.Count:
                return new RecordValue(r.Fields.Select(f =>
                {
                    int at = Array.FindIndex(rv.Fields, x => x.Label == f.Label);
                    if (at < 0) throw new FormatException($"record.const has no field \"{f.Label}\" for {t}");
                    return (f.Label, ToValue(rv.Fields[at].Value, f.Type));
                }).ToArray());
            case (VariantType variant, WastValue.Case { IsEnum: false } c):
            {
                int at = variant.Cases.FindIndex(x => x.Label == c.Label);
                if (at < 0) throw new FormatException($"variant.const \"{c.Label}\" is no case of {t}");
                var type = variant.Cases[at].Type;
                if ((type is null) != (c.Payload is null)) throw Mismatch(v, t);
                return new VariantValue(c.Label, type is null ? null : ToValue(c.Payload!, type));
            }
            case (EnumType e, WastValue.Case { IsEnum: true, Payload: null } c) when e.Labels.IndexOf(c.Label) >= 0:
                return new EnumValue(c.Label);
            case (OptionType o, WastValue.Option opt):
                return new OptionValue(opt.Some is null ? null : ToValue(opt.Some, o.Type));
            case (ResultType r, WastValue.Result res):
            {
                var type = res.IsOk ? r.Ok : r.Error;
                if ((type is null) != (res.Payload is null)) throw Mismatch(v, t);
                return new ResultValue(res.IsOk, type is null ? null : ToValue(res.Payload!, type));
            }
            case (FlagsType f, WastValue.Flags fl):
            {
                foreach (var label in fl.Labels)
                    if (f.Labels.IndexOf(label) < 0) throw new FormatException($"flags.const \"{label}\" is no flag of {t}");
                return new FlagsValue(f.Labels.Where(fl.Labels.Contains).ToArray());
            }
            default:
                throw Mismatch(v, t);
        }
    }

    /// <summary>Whether <paramref name="actual"/> is what <paramref name="expected"/> (of type <paramref name="t"/>)
    /// stands for; NaN patterns accept any NaN (the ABI makes every NaN canonical).</summary>
    public static bool Matches(WastValue expected, ComponentValue actual, ComponentValueType t) =>
        ToValue(expected, t).Equals(actual);

    private static Primitive IntegerKind(ComponentInt t) => t switch
    {
        ComponentInt.S8 => Primitive.S8,
        ComponentInt.U8 => Primitive.U8,
        ComponentInt.S16 => Primitive.S16,
        ComponentInt.U16 => Primitive.U16,
        ComponentInt.S32 => Primitive.S32,
        ComponentInt.U32 => Primitive.U32,
        ComponentInt.S64 => Primitive.S64,
        _ => Primitive.U64,
    };

    private static FormatException Mismatch(WastValue v, ComponentValueType t) => new($"{Describe(v)} is not a value of type {t}");

    /// <summary>A constant as the script writes it, roughly.</summary>
    public static string Describe(WastValue v) => v switch
    {
        WastValue.Bool b => $"(bool.const {(b.Value ? "true" : "false")})",
        WastValue.Integer i => $"({i.Type.ToText()}.const {(i.Type.IsSigned() ? i.Signed : (long)i.Bits)})",
        WastValue.Char c => $"(char.const \"{c.Value}\")",
        WastValue.String s => $"(str.const \"{s.Value}\")",
        WastValue.Sequence s => $"({(s.IsTuple ? "tuple" : "list")}.const {string.Join(" ", s.Items.Select(Describe))})",
        WastValue.Record r => $"(record.const {string.Join(" ", r.Fields.Select(f => $"(field \"{f.Label}\" {Describe(f.Value)})"))})",
        WastValue.Case c => $"({(c.IsEnum ? "enum" : "variant")}.const \"{c.Label}\"{(c.Payload is null ? "" : " " + Describe(c.Payload))})",
        WastValue.Option o => o.Some is null ? "(option.none)" : $"(option.some {Describe(o.Some)})",
        WastValue.Result r => $"(result.{(r.IsOk ? "ok" : "err")}{(r.Payload is null ? "" : " " + Describe(r.Payload))})",
        WastValue.Flags f => $"(flags.const {string.Join(" ", f.Labels.Select(l => $"\"{l}\""))})",
        _ => WastValues.Describe(v),
    };
}
