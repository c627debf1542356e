using System.Collections;

namespace WasmSharp.Components;

/// <summary>A component-level value type (the Component Model's <c>valtype</c>): what crosses a component's
/// boundary, lifted from and lowered into core values and linear memory by the Canonical ABI. Types compare by
/// structure, as the Component Model's type equality does; resources compare by identity.</summary>
public abstract record ComponentValueType;

/// <summary>The primitive value types, numbered by their binary encoding (<c>primvaltype</c>).</summary>
public enum Primitive : byte
{
    Bool = 0x7F,
    S8 = 0x7E,
    U8 = 0x7D,
    S16 = 0x7C,
    U16 = 0x7B,
    S32 = 0x7A,
    U32 = 0x79,
    S64 = 0x78,
    U64 = 0x77,
    F32 = 0x76,
    F64 = 0x75,
    Char = 0x74,
    String = 0x73,
    ErrorContext = 0x64,
}

/// <summary>bool, the integers, f32, f64, char, string or error-context.</summary>
public sealed record PrimitiveType(Primitive Kind) : ComponentValueType
{
    public static readonly PrimitiveType Bool = new(Primitive.Bool), S8 = new(Primitive.S8), U8 = new(Primitive.U8),
        S16 = new(Primitive.S16), U16 = new(Primitive.U16), S32 = new(Primitive.S32), U32 = new(Primitive.U32),
        S64 = new(Primitive.S64), U64 = new(Primitive.U64), F32 = new(Primitive.F32), F64 = new(Primitive.F64),
        Char = new(Primitive.Char), String = new(Primitive.String), ErrorContext = new(Primitive.ErrorContext);

    /// <summary>The shared instance for <paramref name="kind"/>.</summary>
    public static PrimitiveType Of(Primitive kind) => kind switch
    {
        Primitive.Bool => Bool, Primitive.S8 => S8, Primitive.U8 => U8, Primitive.S16 => S16, Primitive.U16 => U16,
        Primitive.S32 => S32, Primitive.U32 => U32, Primitive.S64 => S64, Primitive.U64 => U64, Primitive.F32 => F32,
        Primitive.F64 => F64, Primitive.Char => Char, Primitive.String => String, Primitive.ErrorContext => ErrorContext,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Whether binary code <paramref name="code"/> is a primitive value type.</summary>
    public static bool IsCode(byte code) => code is >= (byte)Primitive.String and <= (byte)Primitive.Bool or (byte)Primitive.ErrorContext;

    public override string ToString() => Kind == Primitive.ErrorContext ? "error-context" : Kind.ToString().ToLowerInvariant();
}

/// <summary><c>list&lt;T&gt;</c>, or with <paramref name="Length"/> the fixed-length <c>list&lt;T, N&gt;</c>.</summary>
public sealed record ListType(ComponentValueType Element, uint? Length = null) : ComponentValueType
{
    public uint? Length { get; } = Length is 0 ? throw new ArgumentException("a fixed-length list needs a length above 0", nameof(Length)) : Length;
}

/// <summary>A named field of a record.</summary>
public sealed record Field(string Label, ComponentValueType Type);

/// <summary><c>record { label: T, ... }</c>, one field or more.</summary>
public sealed record RecordType(Items<Field> Fields) : ComponentValueType
{
    public Items<Field> Fields { get; } = Items<Field>.NotEmpty(Fields, "a record needs a field");
}

/// <summary><c>tuple&lt;T, ...&gt;</c>, one type or more: a record whose fields are numbered.</summary>
public sealed record TupleType(Items<ComponentValueType> Types) : ComponentValueType
{
    public Items<ComponentValueType> Types { get; } = Items<ComponentValueType>.NotEmpty(Types, "a tuple needs a type");
}

/// <summary>A case of a variant, with a payload or without one.</summary>
public sealed record Case(string Label, ComponentValueType? Type = null);

/// <summary><c>variant { label(T), label, ... }</c>, one case or more.</summary>
public sealed record VariantType(Items<Case> Cases) : ComponentValueType
{
    public Items<Case> Cases { get; } = Items<Case>.NotEmpty(Cases, "a variant needs a case");
}

/// <summary><c>enum { label, ... }</c>, one label or more: a variant whose cases have no payload.</summary>
public sealed record EnumType(Items<string> Labels) : ComponentValueType
{
    public Items<string> Labels { get; } = Items<string>.NotEmpty(Labels, "an enum needs a label");
}

/// <summary><c>option&lt;T&gt;</c>: a variant of none and some(T).</summary>
public sealed record OptionType(ComponentValueType Type) : ComponentValueType;

/// <summary><c>result&lt;T, E&gt;</c>, either side without a payload if null: a variant of ok and error.</summary>
public sealed record ResultType(ComponentValueType? Ok, ComponentValueType? Error) : ComponentValueType;

/// <summary><c>map&lt;K, V&gt;</c>: a list of key-value tuples.</summary>
public sealed record MapType(ComponentValueType Key, ComponentValueType Value) : ComponentValueType
{
    /// <summary>The type of the list's elements, <c>tuple&lt;K, V&gt;</c>.</summary>
    public TupleType Entry => new(new[] { Key, Value });
}

/// <summary><c>flags { label, ... }</c>, 1 to 32 labels, a bit each.</summary>
public sealed record FlagsType(Items<string> Labels) : ComponentValueType
{
    public const int MaxLabels = 32;

    public Items<string> Labels { get; } = Labels.Count is > 0 and <= MaxLabels ? Labels
        : throw new ArgumentException($"flags need 1 to {MaxLabels} labels, not {Labels.Count}", nameof(Labels));
}

/// <summary><c>own&lt;R&gt;</c>: a handle that owns a resource.</summary>
public sealed record OwnType(ResourceType Resource) : ComponentValueType;

/// <summary><c>borrow&lt;R&gt;</c>: a handle that borrows a resource for the length of a call.</summary>
public sealed record BorrowType(ResourceType Resource) : ComponentValueType;

/// <summary><c>stream&lt;T&gt;</c> (of nothing if null), from the asynchronous ABI: a handle.</summary>
public sealed record StreamType(ComponentValueType? Element) : ComponentValueType;

/// <summary><c>future&lt;T&gt;</c> (of nothing if null), from the asynchronous ABI: a handle.</summary>
public sealed record FutureType(ComponentValueType? Element) : ComponentValueType;

/// <summary>A resource type: each definition is a type of its own, equal only to itself.</summary>
public sealed class ResourceType(string name)
{
    public string Name { get; } = name;
    /// <summary>The component instance that implements the resource (a borrow into it passes the representation).</summary>
    public object? Implementation { get; init; }
    /// <summary>Runs when an owning handle is dropped, with the resource's representation.</summary>
    public Action<uint>? Destructor { get; init; }

    public override string ToString() => Name;
}

/// <summary>A component function type: named parameters and at most one result; <paramref name="IsAsync"/> for a
/// <c>func async</c>, which may block (the asynchronous ABI).</summary>
public sealed record ComponentFunctionType(Items<Field> Parameters, ComponentValueType? Result, bool IsAsync = false);

/// <summary>An immutable list that compares by its elements, so that types holding one compare by structure.</summary>
public sealed class Items<T> : IReadOnlyList<T>, IEquatable<Items<T>>
{
    private readonly T[] _items;

    public Items(IEnumerable<T> items) => _items = items.ToArray();

    public static implicit operator Items<T>(T[] items) => new(items);

    internal static Items<T> NotEmpty(Items<T> items, string why) =>
        items.Count > 0 ? items : throw new ArgumentException(why, nameof(items));

    public T this[int index] => _items[index];
    /// <summary>Where <paramref name="item"/> first stands, or -1.</summary>
    public int IndexOf(T item) => Array.IndexOf(_items, item);
    /// <summary>Where the first item that <paramref name="match"/> accepts stands, or -1.</summary>
    public int FindIndex(Predicate<T> match) => Array.FindIndex(_items, match);
    public int Count => _items.Length;
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(Items<T>? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);
    public override bool Equals(object? obj) => Equals(obj as Items<T>);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items) hash.Add(item);
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", _items);
}

/// <summary>Questions about a value type that look through its structure.</summary>
public static class ValueTypeWalk
{
    /// <summary>Whether <paramref name="t"/> or a type inside it satisfies <paramref name="p"/>.</summary>
    public static bool Any(ComponentValueType t, Func<ComponentValueType, bool> p) => p(t) || t switch
    {
        ListType l => Any(l.Element, p),
        RecordType r => r.Fields.Any(f => Any(f.Type, p)),
        TupleType u => u.Types.Any(x => Any(x, p)),
        VariantType v => v.Cases.Any(c => c.Type is not null && Any(c.Type, p)),
        OptionType o => Any(o.Type, p),
        ResultType r => r.Ok is not null && Any(r.Ok, p) || r.Error is not null && Any(r.Error, p),
        MapType m => Any(m.Key, p) || Any(m.Value, p),
        StreamType { Element: { } e } => Any(e, p),
        FutureType { Element: { } e } => Any(e, p),
        _ => false,
    };

    /// <summary>Whether values of <paramref name="t"/> hold resource handles (own or borrow).</summary>
    public static bool HasHandles(ComponentValueType t) => Any(t, u => u is OwnType or BorrowType);
}
