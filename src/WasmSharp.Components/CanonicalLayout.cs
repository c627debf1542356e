using System.Globalization;

namespace WasmSharp.Components;

/// <summary>Whether a core function lifts its values to the component level (an export, <c>canon lift</c>) or lowers
/// them from it (an import, <c>canon lower</c>): a result that does not fit the flat results goes back through
/// memory either way, behind a returned pointer (lift) or a pointer the caller passes (lower).</summary>
public enum FlatContext { Lift, Lower }

/// <summary>
/// Where the Canonical ABI puts a component value: its alignment and size in linear memory, and the core values it
/// flattens to (the spec's <c>definitions.py</c>: despecialize, alignment, elem_size, discriminant_type,
/// flatten_type, flatten_functype; synchronous functions). <c>pointer</c> throughout is the memory's
/// address type, i32 or i64 (memory64).
/// </summary>
public static class CanonicalLayout
{
    /// <summary>Flat parameters beyond this many go through memory, behind one pointer.</summary>
    public const int MaxFlatParams = 16;
    /// <summary>Flat results beyond this many go through memory.</summary>
    public const int MaxFlatResults = 1;
    /// <summary>The most flat parameters an <c>async</c> lower passes in core values.</summary>
    public const int MaxFlatAsyncParams = 4;

    /// <summary>The primitives other than string: size (their alignment too) and the core type they flatten to.</summary>
    private static (int Size, ValueType Flat) Scalar(Primitive p) => p switch
    {
        Primitive.Bool or Primitive.S8 or Primitive.U8 => (1, ValueType.I32),
        Primitive.S16 or Primitive.U16 => (2, ValueType.I32),
        Primitive.S32 or Primitive.U32 or Primitive.Char or Primitive.ErrorContext => (4, ValueType.I32),
        Primitive.S64 or Primitive.U64 => (8, ValueType.I64),
        Primitive.F32 => (4, ValueType.F32),
        Primitive.F64 => (8, ValueType.F64),
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, "not a fixed-size primitive"),
    };

    /// <summary>Handles (own, borrow, stream, future) are 32-bit table indices.</summary>
    private const int HandleSize = 4;

    /// <summary>The bytes of an address of type <paramref name="pointer"/>: 4 for i32, 8 for i64.</summary>
    internal static int PointerSize(ValueType pointer) => pointer switch
    {
        ValueType.I32 => 4,
        ValueType.I64 => 8,
        _ => throw new ArgumentException($"a memory's address type is i32 or i64, not {pointer.ToText()}", nameof(pointer)),
    };

    /// <summary>The type the ABI treats <paramref name="t"/> as: a tuple as a record of numbered fields, an enum, an
    /// option and a result as variants, a map as a list of key-value tuples; any other type as itself.</summary>
    public static ComponentValueType Despecialize(ComponentValueType t) => t switch
    {
        TupleType tuple => new RecordType(tuple.Types.Select((u, i) => new Field(i.ToString(CultureInfo.InvariantCulture), u)).ToArray()),
        EnumType e => new VariantType(e.Labels.Select(label => new Case(label)).ToArray()),
        OptionType o => new VariantType(new[] { new Case("none"), new Case("some", o.Type) }),
        ResultType r => new VariantType(new[] { new Case("ok", r.Ok), new Case("error", r.Error) }),
        MapType m => new ListType(Despecialize(m.Entry)),
        _ => t,
    };

    /// <summary>The alignment of <paramref name="t"/> in memory, in bytes.</summary>
    public static int Alignment(ComponentValueType t, ValueType pointer = ValueType.I32) => Despecialize(t) switch
    {
        PrimitiveType { Kind: Primitive.String } => PointerSize(pointer),
        PrimitiveType p => Scalar(p.Kind).Size,
        ListType { Length: null } => PointerSize(pointer),
        ListType list => Alignment(list.Element, pointer),
        RecordType record => record.Fields.Max(f => Alignment(f.Type, pointer)),
        VariantType variant => Math.Max(Scalar(DiscriminantType(variant.Cases.Count).Kind).Size, MaxCaseAlignment(variant, pointer)),
        FlagsType flags => FlagsSize(flags.Labels.Count),
        OwnType or BorrowType or StreamType or FutureType => HandleSize,
        var other => throw Unknown(other),
    };

    /// <summary>The bytes <paramref name="t"/> takes in memory (a list's element stride).</summary>
    /// <summary>Whether <paramref name="t"/>'s size (with 64-bit pointers, the larger) reaches 2^28 bytes, which
    /// validation refuses (Binary.md: <c>elem_size(t, 'i64')</c> must stay below 2^28).</summary>
    public static bool ElementSizeTooLarge(ComponentValueType t)
    {
        try
        {
            return Size(t, ValueType.I64) >= 1L << 28;
        }
        catch (OverflowException)
        {
            return true;
        }
    }

    public static long Size(ComponentValueType t, ValueType pointer = ValueType.I32)
    {
        switch (Despecialize(t))
        {
            case PrimitiveType { Kind: Primitive.String }: return 2 * PointerSize(pointer);
            case PrimitiveType p: return Scalar(p.Kind).Size;
            case ListType { Length: null }: return 2 * PointerSize(pointer);
            case ListType list: return checked(list.Length!.Value * Size(list.Element, pointer));
            case RecordType record:
            {
                long s = 0;
                foreach (var f in record.Fields) s = AlignTo(s, Alignment(f.Type, pointer)) + Size(f.Type, pointer);
                return AlignTo(s, Alignment(record, pointer));
            }
            case VariantType variant:
            {
                long s = AlignTo(Scalar(DiscriminantType(variant.Cases.Count).Kind).Size, MaxCaseAlignment(variant, pointer));
                long payload = 0;
                foreach (var c in variant.Cases) if (c.Type is not null) payload = Math.Max(payload, Size(c.Type, pointer));
                return AlignTo(s + payload, Alignment(variant, pointer));
            }
            case FlagsType flags: return FlagsSize(flags.Labels.Count);
            case OwnType or BorrowType or StreamType or FutureType: return HandleSize;
            case var other: throw Unknown(other);
        }
    }

    /// <summary>Where each field of a record (or tuple) starts, in bytes from the record's start.</summary>
    public static long[] FieldOffsets(ComponentValueType record, ValueType pointer = ValueType.I32)
    {
        if (Despecialize(record) is not RecordType r) throw new ArgumentException($"{record} is not a record or tuple", nameof(record));
        var offsets = new long[r.Fields.Count];
        long s = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            s = AlignTo(s, Alignment(r.Fields[i].Type, pointer));
            offsets[i] = s;
            s += Size(r.Fields[i].Type, pointer);
        }
        return offsets;
    }

    /// <summary>Where a variant's payload starts: after its discriminant, aligned for every case.</summary>
    public static long PayloadOffset(ComponentValueType variant, ValueType pointer = ValueType.I32)
    {
        if (Despecialize(variant) is not VariantType v) throw new ArgumentException($"{variant} is not a variant", nameof(variant));
        return AlignTo(Scalar(DiscriminantType(v.Cases.Count).Kind).Size, MaxCaseAlignment(v, pointer));
    }

    /// <summary>The unsigned integer type that numbers <paramref name="cases"/> cases: u8 up to 256, u16 up to
    /// 65536, else u32.</summary>
    public static PrimitiveType DiscriminantType(int cases) => cases switch
    {
        <= 0 => throw new ArgumentOutOfRangeException(nameof(cases), cases, "a variant has a case or more"),
        <= 1 << 8 => PrimitiveType.U8,
        <= 1 << 16 => PrimitiveType.U16,
        _ => PrimitiveType.U32,
    };

    /// <summary>The core values <paramref name="t"/> flattens to, in order.</summary>
    public static List<ValueType> Flatten(ComponentValueType t, ValueType pointer = ValueType.I32)
    {
        var flat = new List<ValueType>();
        Flatten(t, pointer, flat);
        return flat;
    }

    private static void Flatten(ComponentValueType t, ValueType pointer, List<ValueType> flat)
    {
        switch (Despecialize(t))
        {
            case PrimitiveType { Kind: Primitive.String }:
            case ListType { Length: null }:
                PointerSize(pointer);
                flat.Add(pointer);
                flat.Add(pointer);
                break;
            case PrimitiveType p: flat.Add(Scalar(p.Kind).Flat); break;
            case ListType list:
                for (uint i = 0; i < list.Length; i++) Flatten(list.Element, pointer, flat);
                break;
            case RecordType record:
                foreach (var f in record.Fields) Flatten(f.Type, pointer, flat);
                break;
            case VariantType variant:
            {
                flat.Add(Scalar(DiscriminantType(variant.Cases.Count).Kind).Flat);
                int start = flat.Count;
                foreach (var c in variant.Cases)
                {
                    if (c.Type is null) continue;
                    var payload = Flatten(c.Type, pointer);
                    for (int i = 0; i < payload.Count; i++)
                    {
                        if (start + i < flat.Count) flat[start + i] = Join(flat[start + i], payload[i]);
                        else flat.Add(payload[i]);
                    }
                }
                break;
            }
            case FlagsType or OwnType or BorrowType or StreamType or FutureType: flat.Add(ValueType.I32); break;
            case var other: throw Unknown(other);
        }
    }

    /// <summary>The core type one flat position of a variant takes when its cases put <paramref name="a"/> and
    /// <paramref name="b"/> there: the same type, i32 for i32 and f32 (the float's bits), else i64.</summary>
    public static ValueType Join(ValueType a, ValueType b) =>
        a == b ? a : (a, b) is (ValueType.I32, ValueType.F32) or (ValueType.F32, ValueType.I32) ? ValueType.I32 : ValueType.I64;

    /// <summary>The core function type of a synchronous component function lifted or lowered with a memory of
    /// address type <paramref name="pointer"/>: more than <see cref="MaxFlatParams"/> flat parameters become one
    /// pointer to them; more than <see cref="MaxFlatResults"/> flat results become a returned pointer (lift) or a
    /// pointer parameter to write them to (lower).</summary>
    /// <remarks>With the <c>async</c> option (<paramref name="isAsync"/>) a lift returns nothing (its results go
    /// through <c>task.return</c>), or one i32 with a <paramref name="callback"/>; a lower passes more than
    /// <see cref="MaxFlatAsyncParams"/> flat parameters by pointer, results always by pointer, and returns an
    /// i32 status.</remarks>
    public static (ValueType[] Parameters, ValueType[] Results) FlattenFunction(ComponentFunctionType function, FlatContext context,
        ValueType pointer = ValueType.I32, bool isAsync = false, bool callback = false)
    {
        var parameters = new List<ValueType>();
        foreach (var p in function.Parameters) Flatten(p.Type, pointer, parameters);
        var results = function.Result is null ? [] : Flatten(function.Result, pointer);
        if (isAsync)
        {
            if (context == FlatContext.Lift)
                return (parameters.Count > MaxFlatParams ? [pointer] : parameters.ToArray(), callback ? [ValueType.I32] : []);
            if (parameters.Count > MaxFlatAsyncParams) parameters = [pointer];
            if (function.Result is not null) parameters.Add(pointer);
            return (parameters.ToArray(), [ValueType.I32]);
        }
        if (parameters.Count > MaxFlatParams) parameters = [pointer];
        if (results.Count > MaxFlatResults)
        {
            if (context == FlatContext.Lift) results = [pointer];
            else
            {
                parameters.Add(pointer);
                results = [];
            }
        }
        return (parameters.ToArray(), results.ToArray());
    }

    private static int MaxCaseAlignment(VariantType variant, ValueType pointer)
    {
        int a = 1;
        foreach (var c in variant.Cases) if (c.Type is not null) a = Math.Max(a, Alignment(c.Type, pointer));
        return a;
    }

    /// <summary>Flags take 1 byte up to 8 labels, 2 up to 16, else 4 (at most 32 labels).</summary>
    private static int FlagsSize(int labels) => labels <= 8 ? 1 : labels <= 16 ? 2 : 4;

    private static long AlignTo(long offset, int alignment) => (offset + alignment - 1) / alignment * alignment;

    private static ArgumentException Unknown(ComponentValueType t) => new($"no layout for the value type {t}", nameof(t));
}
