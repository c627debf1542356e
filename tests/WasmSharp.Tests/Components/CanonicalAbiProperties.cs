using System.Text;
using FsCheck;
using FsCheck.Fluent;
using WasmSharp.Components;
using P = WasmSharp.Components.PrimitiveType;

namespace WasmSharp.Tests.Components;

/// <summary>Random component types and values of them (FsCheck generators, shrinking aside): what the reference
/// Canonical ABI is checked with here, and compiled glue will be checked against it.</summary>
public static class ComponentGenerators
{
    private static readonly Primitive[] Integers =
        [Primitive.S8, Primitive.U8, Primitive.S16, Primitive.U16, Primitive.S32, Primitive.U32, Primitive.S64, Primitive.U64];

    private static Gen<string[]> Labels(int min, int max) =>
        Gen.Choose(min, max).Select(n => Enumerable.Range(0, n).Select(i => "l" + i).ToArray());

    /// <summary>A value type, nested as deep as <paramref name="size"/> allows.</summary>
    public static Gen<ComponentValueType> Type(int size)
    {
        var leaf = Gen.OneOf(
            Gen.Elements(Integers.Select(k => (ComponentValueType)new P(k)).ToArray()),
            Gen.Elements<ComponentValueType>(P.Bool, P.F32, P.F64, P.Char, P.String),
            Labels(1, 6).Select(l => (ComponentValueType)new EnumType(l)),
            Gen.Elements(1, 2, 255, 256, 257, 300).Select(n => (ComponentValueType)new EnumType(Enumerable.Range(0, n).Select(i => "e" + i).ToArray())),
            Labels(1, 32).Select(l => (ComponentValueType)new FlagsType(l)));
        if (size <= 0) return leaf;
        var inner = Type(size / 2);
        var optionalInner = Gen.Frequency((1, Gen.Constant<ComponentValueType?>(null)), (3, inner.Select(t => (ComponentValueType?)t)));
        return Gen.Frequency(
            (4, leaf),
            (1, inner.Select(t => (ComponentValueType)new ListType(t))),
            (1, Gen.Zip(inner, Gen.Choose(1, 4)).Select(x => (ComponentValueType)new ListType(x.Item1, (uint)x.Item2))),
            (1, Gen.ListOf(inner, 3).Select(ts => (ComponentValueType)new RecordType(ts.Select((t, i) => new Field("f" + i, t)).ToArray()))),
            (1, Gen.ArrayOf(inner, 2).Select(ts => (ComponentValueType)new TupleType(ts))),
            (1, Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(optionalInner, n))
                .Select(ps => (ComponentValueType)new VariantType(ps.Select((t, i) => new Case("c" + i, t)).ToArray()))),
            (1, inner.Select(t => (ComponentValueType)new OptionType(t))),
            (1, Gen.Zip(optionalInner, optionalInner).Select(x => (ComponentValueType)new ResultType(x.Item1, x.Item2))),
            (1, Gen.Zip(Gen.Elements<ComponentValueType>(P.String, P.U32, P.S8), inner).Select(x => (ComponentValueType)new MapType(x.Item1, x.Item2))));
    }

    private static readonly Gen<string> Strings = Gen.OneOf(
        Gen.Elements("", "a", "plain ascii", "café", "ÿ\u0080", "€uro", "😀", "中文 and 😀 and é", "\u0000nul"),
        Gen.ArrayOf(Gen.Frequency(
            (4, Gen.Choose(0x20, 0x7E)), (2, Gen.Choose(0x80, 0xFF)), (2, Gen.Choose(0x100, 0xD7FF)), (1, Gen.Choose(0xE000, 0xFFFF)),
            (1, Gen.Choose(0x10000, 0x10FFFF)))).Select(cs => string.Concat(cs.Select(c => new Rune(c).ToString()))));

    /// <summary>A value of type <paramref name="t"/>.</summary>
    public static Gen<ComponentValue> Value(ComponentValueType t) => t switch
    {
        PrimitiveType { Kind: Primitive.Bool } => Gen.Elements(true, false).Select(b => (ComponentValue)new BoolValue(b)),
        PrimitiveType { Kind: Primitive.F32 } => Gen.Elements(0f, -0f, 1.5f, float.MaxValue, float.Epsilon, float.NegativeInfinity, float.NaN, -3.25e-20f)
            .Select(f => (ComponentValue)new FloatValue(Primitive.F32, float.IsNaN(f) ? CanonicalAbi.CanonicalNaN32 : f)),
        PrimitiveType { Kind: Primitive.F64 } => Gen.Elements(0, -0.0, Math.PI, double.MaxValue, double.Epsilon, double.PositiveInfinity, double.NaN)
            .Select(f => (ComponentValue)new FloatValue(Primitive.F64, double.IsNaN(f) ? CanonicalAbi.CanonicalNaN64 : f)),
        PrimitiveType { Kind: Primitive.Char } => Gen.OneOf(Gen.Choose(0, 0xD7FF), Gen.Choose(0xE000, 0x10FFFF))
            .Select(c => (ComponentValue)new CharValue(new Rune(c))),
        PrimitiveType { Kind: Primitive.String } => Strings.Select(s => (ComponentValue)new StringValue(s)),
        PrimitiveType integer => Integer(integer.Kind),
        ListType { Length: { } n } list => Gen.ArrayOf(Value(list.Element), (int)n).Select(es => (ComponentValue)new ListValue(es)),
        ListType list => Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Value(list.Element), n)).Select(es => (ComponentValue)new ListValue(es)),
        MapType map => Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Gen.Zip(Value(map.Key), Value(map.Value)), n))
            .Select(es => (ComponentValue)new ListValue(es.Select(e => (ComponentValue)new TupleValue(new[] { e.Item1, e.Item2 })).ToArray())),
        RecordType record => Gen.CollectToArray(record.Fields, f => Value(f.Type))
            .Select(vs => (ComponentValue)new RecordValue(vs.Select((v, i) => (record.Fields[i].Label, v)).ToArray())),
        TupleType tuple => Gen.CollectToArray(tuple.Types, Value).Select(vs => (ComponentValue)new TupleValue(vs)),
        VariantType variant => Gen.Elements(variant.Cases.ToArray()).SelectMany(c => c.Type is null
            ? Gen.Constant((ComponentValue)new VariantValue(c.Label)) : Value(c.Type).Select(v => (ComponentValue)new VariantValue(c.Label, v))),
        EnumType e => Gen.Elements(e.Labels.ToArray()).Select(l => (ComponentValue)new EnumValue(l)),
        OptionType option => Gen.Frequency((1, Gen.Constant((ComponentValue)new OptionValue(null))),
            (2, Value(option.Type).Select(v => (ComponentValue)new OptionValue(v)))),
        ResultType result => Gen.Elements(true, false).SelectMany(ok => (ok ? result.Ok : result.Error) is { } side
            ? Value(side).Select(v => (ComponentValue)new ResultValue(ok, v)) : Gen.Constant((ComponentValue)new ResultValue(ok))),
        FlagsType flags => Gen.SubListOf(flags.Labels.ToArray()).Select(set => (ComponentValue)new FlagsValue(set.ToArray())),
        _ => throw new ArgumentException($"no generator for {t}"),
    };

    private static Gen<ComponentValue> Integer(Primitive kind)
    {
        var (min, max) = IntegerValue.Range(kind);
        return Gen.OneOf(
            Gen.Elements(min, max, 0, 1, -1 < min ? 0 : -1),
            Gen.Choose(int.MinValue, int.MaxValue).Select(i => (Int128)i))
            .Select(v => (ComponentValue)new IntegerValue(kind, Int128.Clamp(v, min, max)));
    }

    /// <summary>A type and a value of it.</summary>
    public static Gen<(ComponentValueType Type, ComponentValue Value)> TypedValue =>
        Gen.Sized(size => Type(Math.Min(size, 12))).SelectMany(t => Value(t).Select(v => (t, v)));
}

/// <summary>Properties of the reference Canonical ABI over random types and values: what it stores it loads back,
/// what it lowers it lifts back, in every string encoding and address type.</summary>
public class CanonicalAbiProperties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(400);

    private static CanonicalOptions Options(byte[] memory, StringEncoding encoding, ValueType pointer) =>
        new(() => memory, encoding, pointer, new BumpAllocator(memory).Realloc);

    private static IEnumerable<(StringEncoding, ValueType)> Settings() =>
        from e in Enum.GetValues<StringEncoding>() from p in new[] { ValueType.I32, ValueType.I64 } select (e, p);

    [Fact]
    public void WhatIsStoredLoadsBackTheSame() =>
        Check.One(Runs, Prop.ForAll(Arb.From(ComponentGenerators.TypedValue), x =>
        {
            foreach (var (encoding, pointer) in Settings())
            {
                var o = Options(new byte[1 << 20], encoding, pointer);
                CanonicalAbi.Store(o, x.Value, x.Type, 64);
                Assert.Equal(x.Value, CanonicalAbi.Load(o, 64, x.Type));
            }
        }));

    [Fact]
    public void WhatIsLoweredLiftsBackTheSame() =>
        Check.One(Runs, Prop.ForAll(Arb.From(ComponentGenerators.TypedValue), x =>
        {
            foreach (var (encoding, pointer) in Settings())
            {
                var o = Options(new byte[1 << 20], encoding, pointer);
                var flat = CanonicalAbi.LowerFlatValues(o, int.MaxValue, [x.Value], [x.Type]);
                Assert.Equal(CanonicalLayout.Flatten(x.Type, pointer).Count, flat.Length);
                Assert.Equal([x.Value], CanonicalAbi.LiftFlatValues(o, int.MaxValue, flat, [x.Type]));
                var spilled = CanonicalAbi.LowerFlatValues(o, CanonicalLayout.MaxFlatResults, [x.Value, x.Value], [x.Type, x.Type]);
                Assert.Equal([x.Value, x.Value], CanonicalAbi.LiftFlatValues(o, CanonicalLayout.MaxFlatResults, spilled, [x.Type, x.Type]));
            }
        }));
}
