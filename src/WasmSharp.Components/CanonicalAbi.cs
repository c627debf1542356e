using System.Buffers.Binary;
using System.Text;

namespace WasmSharp.Components;

/// <summary>How strings are encoded in a component's memory (the <c>string-encoding</c> canonical option).</summary>
public enum StringEncoding
{
    /// <summary>UTF-8 (the default); a string's length counts bytes.</summary>
    Utf8,
    /// <summary>UTF-16 little-endian, 2-byte aligned; a string's length counts code units.</summary>
    Utf16,
    /// <summary>Latin-1 where it fits, else UTF-16, told apart by the top bit of the length (set: UTF-16).</summary>
    Latin1Utf16,
}

/// <summary>A view of the memory a lift or lower reads and writes (the memory may grow between views).</summary>
public delegate Span<byte> MemoryView();

/// <summary>The component's <c>realloc</c>: (old pointer, old size, alignment, new size) → new pointer; (0, 0, a, n)
/// allocates.</summary>
public delegate ulong Realloc(ulong oldPointer, ulong oldSize, ulong alignment, ulong newSize);

/// <summary>The canonical options a lift or lower runs with: its memory, seen through <paramref name="Memory"/>,
/// its address type <paramref name="Pointer"/> (i32, or i64 for memory64), its string encoding, the
/// <paramref name="Realloc"/> that storing strings and lists into it allocates with, and where resource handles
/// live (<paramref name="Resources"/>).</summary>
public sealed record CanonicalOptions(MemoryView Memory, StringEncoding Encoding = StringEncoding.Utf8, ValueType Pointer = ValueType.I32,
    Realloc? Realloc = null, ResourceScope? Resources = null);

/// <summary>
/// The reference Canonical ABI: the spec's definitions.py, point by point, on untyped <see cref="ComponentValue"/>s.
/// Compiled per-signature glue is checked against it. Values it refuses trap (<see cref="TrapCode.CanonicalAbi"/>)
/// with a message that says what was wrong and where.
/// </summary>
public static class CanonicalAbi
{
    /// <summary>The longest string, in bytes, a component may pass.</summary>
    public const ulong MaxStringByteLength = (1 << 28) - 1;
    /// <summary>The longest list, in bytes, a component may pass.</summary>
    public const ulong MaxListByteLength = (1 << 28) - 1;

    /// <summary>The one NaN a float crosses the boundary as (its bits 0x7fc00000; as a double 0x7ff8000000000000).</summary>
    public static readonly float CanonicalNaN32 = BitConverter.UInt32BitsToSingle(0x7FC00000);
    /// <summary>The one NaN a double crosses the boundary as (its bits 0x7ff8000000000000).</summary>
    public static readonly double CanonicalNaN64 = BitConverter.UInt64BitsToDouble(0x7FF8000000000000);

    private static readonly Encoding Utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
    private static readonly Encoding Utf16 = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);

    /// <summary>Reads a value of type <paramref name="t"/> at <paramref name="pointer"/> (as a spilled argument or result
    /// is read): traps if the address is not aligned for the type or the value does not lie inside the memory.</summary>
    public static ComponentValue Load(CanonicalOptions options, ulong pointer, ComponentValueType t)
    {
        var memory = options.Memory();
        CheckRange(memory, pointer, (ulong)CanonicalLayout.Size(t, options.Pointer), CanonicalLayout.Alignment(t, options.Pointer), t);
        return LoadAt(options, pointer, t);
    }

    private static ComponentValue LoadAt(CanonicalOptions o, ulong p, ComponentValueType t)
    {
        var memory = o.Memory();
        switch (t)
        {
            case PrimitiveType { Kind: Primitive.String }:
                return LoadString(o, ReadPointer(o, memory, p), ReadPointer(o, memory, p + PointerSize(o)));
            case PrimitiveType { Kind: Primitive.ErrorContext }: throw Handles(t);
            case PrimitiveType scalar: return Scalar(scalar, ReadUInt(memory, p, (int)CanonicalLayout.Size(scalar)));
            case ListType { Length: { } n } list: return new ListValue(LoadElements(o, p, n, list.Element));
            case ListType or MapType:
                return LoadList(o, ReadPointer(o, memory, p), ReadPointer(o, memory, p + PointerSize(o)), DynamicElement(t));
            case RecordType record:
            {
                var offsets = CanonicalLayout.FieldOffsets(record, o.Pointer);
                return new RecordValue(record.Fields.Select((f, i) => (f.Label, LoadAt(o, p + (ulong)offsets[i], f.Type))).ToArray());
            }
            case TupleType tuple:
            {
                var offsets = CanonicalLayout.FieldOffsets(tuple, o.Pointer);
                return new TupleValue(tuple.Types.Select((u, i) => LoadAt(o, p + (ulong)offsets[i], u)).ToArray());
            }
            case VariantType or EnumType or OptionType or ResultType:
            {
                var cases = Cases(t);
                ulong index = ReadUInt(memory, p, DiscriminantSize(cases));
                if (index >= (ulong)cases.Count)
                    throw Trap($"case {index} of a {Describe(t)} with {cases.Count} cases, at {p}");
                var c = cases[(int)index];
                var payload = c.Type is null ? null : LoadAt(o, p + (ulong)CanonicalLayout.PayloadOffset(t, o.Pointer), c.Type);
                return Case(t, c.Label, (int)index, payload);
            }
            case FlagsType flags: return Flags(flags, ReadUInt(memory, p, (int)CanonicalLayout.Size(flags)));
            case OwnType or BorrowType: return LiftHandle(o, (uint)ReadUInt(memory, p, 4), t);
            case StreamType or FutureType: throw Handles(t);
            default: throw new ArgumentException($"no value of type {t}", nameof(t));
        }
    }

    /// <summary>The values of types <paramref name="types"/> from core values (raw slots: an i32 or f32 in the low
    /// 32 bits), as arguments or results arrive: flat when they flatten to at most <paramref name="maxFlat"/> core
    /// values, else from the tuple at the pointer that is the one core value (trapping if it is misaligned or
    /// outside the memory).</summary>
    public static ComponentValue[] LiftFlatValues(CanonicalOptions options, int maxFlat, ReadOnlySpan<ulong> flat,
        IReadOnlyList<ComponentValueType> types)
    {
        int count = types.Sum(t => CanonicalLayout.Flatten(t, options.Pointer).Count);
        if (count > maxFlat)
        {
            var tuple = new TupleType(types.ToArray());
            return ((TupleValue)Load(options, Pointer(options, flat[0]), tuple)).Values.ToArray();
        }
        var reader = new FlatReader(flat);
        var values = new ComponentValue[types.Count];
        for (int i = 0; i < values.Length; i++) values[i] = LiftFlat(options, ref reader, types[i]);
        if (reader.Position != flat.Length) throw new ArgumentException($"{flat.Length} core values for {reader.Position}", nameof(flat));
        return values;
    }

    /// <summary>Core values (raw slots) for <paramref name="values"/> of types <paramref name="types"/>, as
    /// arguments or results leave: flat when they flatten to at most <paramref name="maxFlat"/> core values, else
    /// stored as a tuple, at <paramref name="outPointer"/> if given (a lowered import's result: no core values)
    /// or at a place realloc gives (its pointer the one core value).</summary>
    public static ulong[] LowerFlatValues(CanonicalOptions options, int maxFlat, IReadOnlyList<ComponentValue> values,
        IReadOnlyList<ComponentValueType> types, ulong? outPointer = null)
    {
        if (values.Count != types.Count) throw new ArgumentException($"{values.Count} values for {types.Count} types", nameof(values));
        int count = types.Sum(t => CanonicalLayout.Flatten(t, options.Pointer).Count);
        var flat = new List<ulong>();
        if (count > maxFlat)
        {
            var tuple = new TupleType(types.ToArray());
            ulong pointer = outPointer ?? Allocate(options, CanonicalLayout.Alignment(tuple, options.Pointer), (ulong)CanonicalLayout.Size(tuple, options.Pointer));
            if (outPointer is null) flat.Add(pointer);
            Store(options, new TupleValue(values.ToArray()), tuple, pointer);
        }
        else
        {
            for (int i = 0; i < values.Count; i++) LowerFlat(options, values[i], types[i], flat);
        }
        return flat.ToArray();
    }

    /// <summary>Reads core values in order.</summary>
    private ref struct FlatReader(ReadOnlySpan<ulong> values)
    {
        private readonly ReadOnlySpan<ulong> _values = values;
        public int Position;

        public ulong Next() => Position < _values.Length ? _values[Position++]
            : throw new ArgumentException("fewer core values than the types flatten to", "flat");
    }

    private static ComponentValue LiftFlat(CanonicalOptions o, ref FlatReader flat, ComponentValueType t)
    {
        switch (t)
        {
            case PrimitiveType { Kind: Primitive.String }:
            {
                ulong pointer = Pointer(o, flat.Next());
                return LoadString(o, pointer, Pointer(o, flat.Next()));
            }
            case PrimitiveType { Kind: Primitive.ErrorContext }: throw Handles(t);
            case PrimitiveType scalar: return Scalar(scalar, flat.Next());
            case ListType { Length: { } n } list:
            {
                var elements = new ComponentValue[n];
                for (uint i = 0; i < n; i++) elements[i] = LiftFlat(o, ref flat, list.Element);
                return new ListValue(elements);
            }
            case ListType or MapType:
            {
                ulong pointer = Pointer(o, flat.Next());
                return LoadList(o, pointer, Pointer(o, flat.Next()), DynamicElement(t));
            }
            case RecordType record:
            {
                var fields = new (string, ComponentValue)[record.Fields.Count];
                for (int i = 0; i < fields.Length; i++) fields[i] = (record.Fields[i].Label, LiftFlat(o, ref flat, record.Fields[i].Type));
                return new RecordValue(fields);
            }
            case TupleType tuple:
            {
                var values = new ComponentValue[tuple.Types.Count];
                for (int i = 0; i < values.Length; i++) values[i] = LiftFlat(o, ref flat, tuple.Types[i]);
                return new TupleValue(values);
            }
            case VariantType or EnumType or OptionType or ResultType:
            {
                // The case's payload reads the joined positions as its own types (a raw slot holds an i32 or f32
                // in its low bits, so the spec's coercions are the reads themselves); positions past it are skipped.
                var cases = Cases(t);
                int end = flat.Position + CanonicalLayout.Flatten(t, o.Pointer).Count;
                uint index = (uint)flat.Next();
                if (index >= (uint)cases.Count) throw Trap($"case {index} of a {Describe(t)} with {cases.Count} cases");
                var c = cases[(int)index];
                var payload = c.Type is null ? null : LiftFlat(o, ref flat, c.Type);
                while (flat.Position < end) flat.Next();
                return Case(t, c.Label, (int)index, payload);
            }
            case FlagsType flags: return Flags(flags, flat.Next());
            case OwnType or BorrowType: return LiftHandle(o, (uint)flat.Next(), t);
            case StreamType or FutureType: throw Handles(t);
            default: throw new ArgumentException($"no value of type {t}", nameof(t));
        }
    }

    private static void LowerFlat(CanonicalOptions o, ComponentValue v, ComponentValueType t, List<ulong> flat)
    {
        switch (t, v)
        {
            case (PrimitiveType { Kind: Primitive.String }, StringValue s):
            {
                var (begin, units) = StoreString(o, s.Value);
                flat.Add(begin);
                flat.Add(units);
                break;
            }
            case (PrimitiveType { Kind: Primitive.ErrorContext }, _): throw Handles(t);
            case (PrimitiveType p, _):
            {
                // a scalar's core value is the bits it has in memory, zero-extended (signed integers as two's
                // complement of the core width)
                Span<byte> bytes = stackalloc byte[8];
                bytes.Clear();
                ScalarBits(v, p, bytes);
                ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                if (v is IntegerValue i && i.Value < 0) bits = p.Kind == Primitive.S64 ? (ulong)(long)i.Value : (uint)(int)i.Value;
                flat.Add(bits);
                break;
            }
            case (ListType { Length: { } n } list, ListValue l):
                if (l.Elements.Count != n) throw Mismatch(v, t, $"{l.Elements.Count} elements");
                foreach (var e in l.Elements) LowerFlat(o, e, list.Element, flat);
                break;
            case (ListType or MapType, ListValue l):
            {
                var (begin, length) = StoreListIntoRange(o, l.Elements, DynamicElement(t));
                flat.Add(begin);
                flat.Add(length);
                break;
            }
            case (RecordType or TupleType, _):
            {
                var (types, values) = Fields(t, v);
                for (int i = 0; i < values.Count; i++) LowerFlat(o, values[i], types[i], flat);
                break;
            }
            case (VariantType or EnumType or OptionType or ResultType, _):
            {
                var (index, c, payload) = MatchCase(v, t);
                int end = flat.Count + CanonicalLayout.Flatten(t, o.Pointer).Count;
                flat.Add((ulong)index);
                if (c.Type is not null) LowerFlat(o, payload!, c.Type, flat);
                while (flat.Count < end) flat.Add(0);
                break;
            }
            case (FlagsType flags, FlagsValue f): flat.Add(FlagBits(f, flags)); break;
            case (OwnType or BorrowType, _): flat.Add(LowerHandle(o, v, t)); break;
            case (StreamType or FutureType, _): throw Handles(t);
            default: throw Mismatch(v, t, null);
        }
    }

    /// <summary>Writes <paramref name="v"/>, a value of type <paramref name="t"/>, at <paramref name="pointer"/>
    /// (as a spilled argument or result is written), allocating strings and lists with the options' realloc: traps
    /// if the address is not aligned for the type, the value does not fit inside the memory, or realloc returns a
    /// place that is not. A value that is not of the type is the caller's error (<see cref="ArgumentException"/>).</summary>
    public static void Store(CanonicalOptions options, ComponentValue v, ComponentValueType t, ulong pointer)
    {
        CheckRange(options.Memory(), pointer, (ulong)CanonicalLayout.Size(t, options.Pointer), CanonicalLayout.Alignment(t, options.Pointer), t);
        StoreAt(options, v, t, pointer);
    }

    private static void StoreAt(CanonicalOptions o, ComponentValue v, ComponentValueType t, ulong p)
    {
        switch (t, v)
        {
            case (PrimitiveType { Kind: Primitive.String }, StringValue s):
            {
                var (begin, units) = StoreString(o, s.Value);
                WriteRange(o, p, begin, units);
                break;
            }
            case (PrimitiveType { Kind: Primitive.ErrorContext }, _): throw Handles(t);
            case (PrimitiveType scalar, _): ScalarBits(v, scalar, o.Memory().Slice((int)p, (int)CanonicalLayout.Size(scalar))); break;
            case (ListType { Length: { } n } list, ListValue l):
                if (l.Elements.Count != n) throw Mismatch(v, t, $"{l.Elements.Count} elements");
                StoreElements(o, l.Elements, list.Element, p);
                break;
            case (ListType or MapType, ListValue l):
            {
                var (begin, length) = StoreListIntoRange(o, l.Elements, DynamicElement(t));
                WriteRange(o, p, begin, length);
                break;
            }
            case (RecordType or TupleType, _):
            {
                var (types, values) = Fields(t, v);
                var offsets = CanonicalLayout.FieldOffsets(t, o.Pointer);
                for (int i = 0; i < offsets.Length; i++) StoreAt(o, values[i], types[i], p + (ulong)offsets[i]);
                break;
            }
            case (VariantType or EnumType or OptionType or ResultType, _):
            {
                var (index, c, payload) = MatchCase(v, t);
                WriteUInt(o, p, (ulong)index, DiscriminantSize(Cases(t)));
                if (c.Type is not null) StoreAt(o, payload!, c.Type, p + (ulong)CanonicalLayout.PayloadOffset(t, o.Pointer));
                break;
            }
            case (FlagsType flags, FlagsValue f): WriteUInt(o, p, FlagBits(f, flags), (int)CanonicalLayout.Size(flags)); break;
            case (OwnType or BorrowType, _): WriteUInt(o, p, LowerHandle(o, v, t), 4); break;
            case (StreamType or FutureType, _): throw Handles(t);
            default: throw Mismatch(v, t, null);
        }
    }

    /// <summary>The bytes a scalar (bool, integer, float, char) has in memory (NaNs with the canonical bits).</summary>
    private static void ScalarBits(ComponentValue v, PrimitiveType t, Span<byte> bytes)
    {
        switch (t.Kind, v)
        {
            case (Primitive.Bool, BoolValue b): bytes[0] = b.Value ? (byte)1 : (byte)0; break;
            case (Primitive.F32, FloatValue { Kind: Primitive.F32 } f):
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, double.IsNaN(f.Value) ? 0x7FC00000u : BitConverter.SingleToUInt32Bits((float)f.Value));
                break;
            case (Primitive.F64, FloatValue { Kind: Primitive.F64 } f):
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, double.IsNaN(f.Value) ? 0x7FF8000000000000ul : BitConverter.DoubleToUInt64Bits(f.Value));
                break;
            case (Primitive.Char, CharValue c): BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)c.Value.Value); break;
            case (_, IntegerValue i) when i.Kind == t.Kind:
            {
                Span<byte> all = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(all, (ulong)(i.Value & ulong.MaxValue));
                all[..bytes.Length].CopyTo(bytes);
                break;
            }
            default: throw Mismatch(v, t, null);
        }
    }

    /// <summary>The case a variant-like value (variant, enum, option, result) takes of type <paramref name="t"/>:
    /// its index, the case, and its payload (present exactly where the case has one).</summary>
    private static (int Index, Case Case, ComponentValue? Payload) MatchCase(ComponentValue v, ComponentValueType t)
    {
        var cases = Cases(t);
        (int index, ComponentValue? payload) = (t, v) switch
        {
            (VariantType, VariantValue x) => (cases.FindIndex(c => c.Label == x.Case), x.Payload),
            (EnumType, EnumValue x) => (cases.FindIndex(c => c.Label == x.Label), null),
            (OptionType, OptionValue x) => (x.Value is null ? 0 : 1, x.Value),
            (ResultType, ResultValue x) => (x.IsOk ? 0 : 1, x.Payload),
            _ => (-1, null),
        };
        if (index < 0) throw Mismatch(v, t, "no case of the type");
        var c = cases[index];
        if ((c.Type is null) != (payload is null)) throw Mismatch(v, t, c.Type is null ? "a payload its case has not" : "no payload for its case");
        return (index, c, payload);
    }

    /// <summary>The value of case <paramref name="index"/> (<paramref name="label"/>) of a variant-like type.</summary>
    private static ComponentValue Case(ComponentValueType t, string label, int index, ComponentValue? payload) => t switch
    {
        EnumType => new EnumValue(label),
        OptionType => new OptionValue(payload),
        ResultType => new ResultValue(index == 0, payload),
        _ => new VariantValue(label, payload),
    };

    /// <summary>The cases of a variant-like type (variant, enum, option, result), as its variant has them.</summary>
    private static Items<Case> Cases(ComponentValueType t) => ((VariantType)CanonicalLayout.Despecialize(t)).Cases;

    private static int DiscriminantSize(Items<Case> cases) => (int)CanonicalLayout.Size(CanonicalLayout.DiscriminantType(cases.Count));

    /// <summary>The fields of a record or the values of a tuple, with their types, in the type's order.</summary>
    private static (IReadOnlyList<ComponentValueType> Types, IReadOnlyList<ComponentValue> Values) Fields(ComponentValueType t, ComponentValue v) => (t, v) switch
    {
        (RecordType record, RecordValue r) => record.Fields.Select(f => f.Label).SequenceEqual(r.Fields.Select(f => f.Label))
            ? (record.Fields.Select(f => f.Type).ToArray(), r.Fields.Select(f => f.Value).ToArray()) : throw Mismatch(v, t, "other fields"),
        (TupleType tuple, TupleValue u) => u.Values.Count == tuple.Types.Count ? (tuple.Types, u.Values) : throw Mismatch(v, t, $"{u.Values.Count} values"),
        _ => throw Mismatch(v, t, null),
    };

    /// <summary>The element type of a list that lives in a range of its own (a list without a fixed length, or a
    /// map's entries).</summary>
    private static ComponentValueType DynamicElement(ComponentValueType t) => t is MapType map ? map.Entry : ((ListType)t).Element;

    /// <summary>A scalar (bool, integer, float, char) from the bits it has in memory, or from its core value: the
    /// type's own width of them (NaNs canonicalised, chars checked).</summary>
    private static ComponentValue Scalar(PrimitiveType t, ulong bits)
    {
        switch (t.Kind)
        {
            case Primitive.Bool: return new BoolValue((uint)bits != 0);
            case Primitive.F32:
            {
                float v = BitConverter.UInt32BitsToSingle((uint)bits);
                return new FloatValue(t.Kind, float.IsNaN(v) ? CanonicalNaN32 : v);
            }
            case Primitive.F64:
            {
                double v = BitConverter.UInt64BitsToDouble(bits);
                return new FloatValue(t.Kind, double.IsNaN(v) ? CanonicalNaN64 : v);
            }
            case Primitive.Char: return Char((uint)bits);
            default:
            {
                int size = (int)CanonicalLayout.Size(t);
                return Integer(t.Kind, bits & (size == 8 ? ulong.MaxValue : (1UL << size * 8) - 1), size);
            }
        }
    }

    /// <summary>The flags value whose set labels are the set bits of <paramref name="bits"/> (bits past the labels
    /// are ignored).</summary>
    private static FlagsValue Flags(FlagsType t, ulong bits) => new(t.Labels.Where((_, i) => (bits >> i & 1) != 0).ToArray());

    private static uint FlagBits(FlagsValue f, FlagsType t)
    {
        uint bits = 0;
        foreach (var label in f.Set)
        {
            int i = t.Labels.IndexOf(label);
            if (i < 0) throw Mismatch(f, t, $"the flag {label}");
            bits |= 1u << i;
        }
        return bits;
    }

    /// <summary>A pointer from a core value: an i32's low bits, or all of an i64.</summary>
    private static ulong Pointer(CanonicalOptions o, ulong slot) => o.Pointer == ValueType.I32 ? (uint)slot : slot;

    /// <summary>Stores a list's elements into a range realloc gives (the spec's store_list_into_range); returns the
    /// range's start and the list's length.</summary>
    private static (ulong Begin, ulong Length) StoreListIntoRange(CanonicalOptions o, Items<ComponentValue> elements, ComponentValueType element)
    {
        ulong bytes = (ulong)elements.Count * (ulong)CanonicalLayout.Size(element, o.Pointer);
        ulong begin = Allocate(o, CanonicalLayout.Alignment(element, o.Pointer), bytes);
        StoreElements(o, elements, element, begin);
        return (begin, (ulong)elements.Count);
    }

    private static void StoreElements(CanonicalOptions o, Items<ComponentValue> elements, ComponentValueType element, ulong p)
    {
        ulong size = (ulong)CanonicalLayout.Size(element, o.Pointer);
        for (int i = 0; i < elements.Count; i++) StoreAt(o, elements[i], element, p + (ulong)i * size);
    }

    /// <summary>Stores a .NET string (UTF-16, <c>s.Length</c> code units) into a range of the memory, the spec's
    /// store_string_into_range with a UTF-16 source: its allocations and transcoding, call for call. Returns the
    /// range's start and its (tagged) code units.</summary>
    private static (ulong Begin, ulong TaggedCodeUnits) StoreString(CanonicalOptions o, string s)
    {
        if (!Utf16Valid(s))
            throw new ArgumentException("a string with an unpaired surrogate is not a component string", nameof(s));
        ulong units = (ulong)s.Length;
        switch (o.Encoding)
        {
            case StringEncoding.Utf16:
            {
                ulong p = Allocate(o, 2, 2 * units);
                Encoding.Unicode.GetBytes(s, o.Memory().Slice((int)p, (int)(2 * units)));
                return (p, units);
            }
            case StringEncoding.Utf8:
            {
                ulong p = Allocate(o, 1, units);
                int i = 0;
                foreach (var rune in s.EnumerateRunes())
                {
                    if (rune.Value < 0x80)
                    {
                        o.Memory()[(int)p + i++] = (byte)rune.Value;
                        continue;
                    }
                    ulong worst = 3 * units;
                    p = Reallocate(o, p, units, 1, worst);
                    var encoded = Utf8.GetBytes(s);
                    encoded.AsSpan(i).CopyTo(o.Memory()[((int)p + i)..]);
                    if (worst > (ulong)encoded.Length) p = Reallocate(o, p, worst, 1, (ulong)encoded.Length);
                    return (p, (ulong)encoded.Length);
                }
                return (p, units);
            }
            default:
            {
                ulong p = Allocate(o, 2, units);
                int written = 0;
                foreach (var rune in s.EnumerateRunes())
                {
                    if (rune.Value < 0x100)
                    {
                        o.Memory()[(int)p + written++] = (byte)rune.Value;
                        continue;
                    }
                    ulong worst = 2 * units;
                    p = Reallocate(o, p, units, 2, worst);
                    var memory = o.Memory();
                    for (int j = written - 1; j >= 0; j--)
                    {
                        memory[(int)p + 2 * j] = memory[(int)p + j];
                        memory[(int)p + 2 * j + 1] = 0;
                    }
                    var encoded = Encoding.Unicode.GetBytes(s);
                    encoded.AsSpan(2 * written).CopyTo(memory[((int)p + 2 * written)..]);
                    if (worst > (ulong)encoded.Length) p = Reallocate(o, p, worst, 2, (ulong)encoded.Length);
                    return (p, (ulong)encoded.Length / 2 | Utf16Tag(o));
                }
                if ((ulong)written < units) p = Reallocate(o, p, units, 2, (ulong)written);
                return (p, (ulong)written);
            }
        }
    }

    /// <summary>No unpaired surrogate: the string is a sequence of Unicode scalar values.</summary>
    private static bool Utf16Valid(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    /// <summary>realloc(0, 0, alignment, bytes), with the spec's checks of what it returns.</summary>
    private static ulong Allocate(CanonicalOptions o, int alignment, ulong bytes) => Reallocate(o, 0, 0, alignment, bytes);

    private static ulong Reallocate(CanonicalOptions o, ulong old, ulong oldSize, int alignment, ulong bytes)
    {
        var realloc = o.Realloc ?? throw new InvalidOperationException("storing strings and lists needs the realloc option");
        ulong p = Pointer(o, realloc(old, oldSize, (ulong)alignment, bytes));
        if (p % (ulong)alignment != 0) throw Trap($"realloc returned {p}, not {alignment}-byte aligned");
        var memory = o.Memory();
        if (!Fits(memory, p, bytes))
            throw Trap($"realloc returned {p} for {bytes} bytes, past the memory's end ({memory.Length})");
        return p;
    }

    private static void WriteUInt(CanonicalOptions o, ulong p, ulong bits, int size)
    {
        var bytes = o.Memory().Slice((int)p, size);
        switch (size)
        {
            case 1: bytes[0] = (byte)bits; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)bits); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bits); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(bytes, bits); break;
        }
    }

    /// <summary>Writes a range's start and length (a string's or a list's), a pointer-sized integer each.</summary>
    private static void WriteRange(CanonicalOptions o, ulong p, ulong begin, ulong length)
    {
        WriteUInt(o, p, begin, (int)PointerSize(o));
        WriteUInt(o, p + PointerSize(o), length, (int)PointerSize(o));
    }

    private static ArgumentException Mismatch(ComponentValue v, ComponentValueType t, string? what) =>
        new($"{v} is not a value of {Describe(t)}{(what is null ? "" : $" ({what})")}", nameof(v));

    /// <summary>A string from <paramref name="taggedCodeUnits"/> code units at <paramref name="pointer"/>, in the
    /// options' encoding.</summary>
    public static StringValue LoadString(CanonicalOptions o, ulong pointer, ulong taggedCodeUnits)
    {
        ulong tag = Utf16Tag(o);
        (int alignment, Encoding encoding, ulong units, int unitSize) = o.Encoding switch
        {
            StringEncoding.Utf8 => (1, Utf8, taggedCodeUnits, 1),
            StringEncoding.Utf16 => (2, Utf16, taggedCodeUnits, 2),
            _ => (taggedCodeUnits & tag) != 0 ? (2, Utf16, taggedCodeUnits ^ tag, 2) : (2, Encoding.Latin1, taggedCodeUnits, 1),
        };
        if (units > MaxStringByteLength / (ulong)unitSize)
            throw Trap($"a string of {units} code units, past the longest ({MaxStringByteLength} bytes)");
        ulong bytes = units * (ulong)unitSize;
        var memory = o.Memory();
        if (pointer % (ulong)alignment != 0) throw Trap($"a {EncodingName(encoding)} string at {pointer}, not {alignment}-byte aligned");
        if (!Fits(memory, pointer, bytes))
            throw Trap($"a string of {bytes} bytes at {pointer}, past the memory's end ({memory.Length})");
        try
        {
            return new StringValue(encoding.GetString(memory.Slice((int)pointer, (int)bytes)));
        }
        catch (DecoderFallbackException)
        {
            throw Trap($"the {bytes} bytes at {pointer} are not {EncodingName(encoding)}");
        }
    }

    private static ListValue LoadList(CanonicalOptions o, ulong pointer, ulong length, ComponentValueType element)
    {
        ulong size = (ulong)CanonicalLayout.Size(element, o.Pointer);
        if (length > MaxListByteLength / Math.Max(size, 1))
            throw Trap($"a list of {length} elements of {size} bytes, past the longest ({MaxListByteLength} bytes)");
        CheckRange(o.Memory(), pointer, length * size, CanonicalLayout.Alignment(element, o.Pointer), new ListType(element));
        return new ListValue(LoadElements(o, pointer, length, element));
    }

    private static ComponentValue[] LoadElements(CanonicalOptions o, ulong pointer, ulong length, ComponentValueType element)
    {
        ulong size = (ulong)CanonicalLayout.Size(element, o.Pointer);
        var elements = new ComponentValue[length];
        for (ulong i = 0; i < length; i++) elements[i] = LoadAt(o, pointer + i * size, element);
        return elements;
    }

    private static CharValue Char(uint i)
    {
        if (i >= 0x110000 || i is >= 0xD800 and <= 0xDFFF) throw Trap($"char {i:x}, not a Unicode scalar value");
        return new CharValue(new Rune(i));
    }

    private static IntegerValue Integer(Primitive kind, ulong bits, int size)
    {
        bool signed = kind is Primitive.S8 or Primitive.S16 or Primitive.S32 or Primitive.S64;
        int shift = 64 - size * 8;
        return new IntegerValue(kind, signed ? (Int128)((long)(bits << shift) >> shift) : bits);
    }

    private static void CheckRange(Span<byte> memory, ulong pointer, ulong bytes, int alignment, ComponentValueType t)
    {
        if (pointer % (ulong)alignment != 0) throw Trap($"a {Describe(t)} at {pointer}, not {alignment}-byte aligned");
        if (!Fits(memory, pointer, bytes))
            throw Trap($"a {Describe(t)} of {bytes} bytes at {pointer}, past the memory's end ({memory.Length})");
    }

    private static ulong ReadPointer(CanonicalOptions o, Span<byte> memory, ulong p) => ReadUInt(memory, p, (int)PointerSize(o));

    /// <summary>An unsigned little-endian integer of <paramref name="size"/> bytes (1, 2, 4 or 8).</summary>
    private static ulong ReadUInt(Span<byte> memory, ulong p, int size)
    {
        var bytes = memory.Slice((int)p, size);
        return size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        };
    }

    private static uint PointerSize(CanonicalOptions o) => (uint)CanonicalLayout.PointerSize(o.Pointer);

    /// <summary>latin1+utf16's mark of a UTF-16 string: the top bit of a pointer-sized length.</summary>
    private static ulong Utf16Tag(CanonicalOptions o) => 1UL << (int)(PointerSize(o) * 8 - 1);

    /// <summary>Whether <paramref name="bytes"/> bytes at <paramref name="pointer"/> lie inside the memory.</summary>
    private static bool Fits(Span<byte> memory, ulong pointer, ulong bytes) =>
        bytes <= (ulong)memory.Length && pointer <= (ulong)memory.Length - bytes;

    private static string EncodingName(Encoding e) => e == Utf8 ? "UTF-8" : e == Utf16 ? "UTF-16" : "Latin-1";

    /// <summary>What a message calls a type: its WIT keyword.</summary>
    internal static string Describe(ComponentValueType t) => t switch
    {
        PrimitiveType p => p.ToString(),
        OwnType => "own",
        BorrowType => "borrow",
        StreamType => "stream",
        FutureType => "future",
        ListType => "list",
        RecordType => "record",
        TupleType => "tuple",
        VariantType => "variant",
        EnumType => "enum",
        OptionType => "option",
        ResultType => "result",
        FlagsType => "flags",
        MapType => "map",
        _ => t.GetType().Name,
    };

    internal static TrapException Trap(string what) => new(TrapCode.CanonicalAbi, what);

    private static NotSupportedException Handles(ComponentValueType t) =>
        new($"{Describe(t)} values belong to the asynchronous ABI, which is not built yet");

    private static ResourceScope Scope(CanonicalOptions o, ComponentValueType t) =>
        o.Resources ?? throw new InvalidOperationException($"{Describe(t)} handles need the options' ResourceScope");

    /// <summary>An own or borrow handle at <paramref name="index"/> of the scope's table, lifted.</summary>
    private static ResourceValue LiftHandle(CanonicalOptions o, uint index, ComponentValueType t)
    {
        var scope = Scope(o, t);
        return t switch
        {
            OwnType own => new ResourceValue(own.Resource, CanonicalResources.LiftOwn(scope.Table, index, own)),
            BorrowType borrow => new ResourceValue(borrow.Resource, CanonicalResources.LiftBorrow(scope.Table, index, borrow,
                scope.Subcall ?? throw new InvalidOperationException("lifting a borrow needs the call it is lent to (ResourceScope.Subcall)"))),
            _ => throw new ArgumentException($"{t} is not a handle type", nameof(t)),
        };
    }

    /// <summary>A resource lowered into the scope's table: its handle's index.</summary>
    private static uint LowerHandle(CanonicalOptions o, ComponentValue v, ComponentValueType t)
    {
        var scope = Scope(o, t);
        return (t, v) switch
        {
            (OwnType own, ResourceValue r) when r.Type == own.Resource => CanonicalResources.LowerOwn(scope.Table, r.Rep, own),
            (BorrowType borrow, ResourceValue r) when r.Type == borrow.Resource => CanonicalResources.LowerBorrow(scope.Table, r.Rep, borrow,
                scope.Task ?? throw new InvalidOperationException("lowering a borrow needs the call it is for (ResourceScope.Task)"), scope.Instance),
            _ => throw Mismatch(v, t, null),
        };
    }
}
