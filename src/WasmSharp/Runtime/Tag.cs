namespace WasmSharp;

/// <summary>
/// An exception tag (Wasm 3.0 exception handling): what a <c>throw</c> names and a <c>catch</c> matches. Tags compare
/// by identity: each instantiation of a module that defines a tag makes a new one, and an imported tag is the
/// exporter's own. <see cref="Type"/> has the parameter types of the values thrown with it, and no results.
/// </summary>
public sealed class Tag
{
    /// <summary>A new tag, distinct from every other, whose exceptions carry values of <paramref name="type"/>'s
    /// parameter types (its results must be empty).</summary>
    public Tag(FunctionType type, string? name = null)
    {
        if (type.Results.Length != 0) throw new WasmException($"a tag's type has no results, not {type}");
        Type = type;
        DebugName = name ?? "tag";
    }

    /// <summary>The tag's type: parameters only.</summary>
    public FunctionType Type { get; }

    /// <summary>A name for messages (the export name, or "tag").</summary>
    public string DebugName { get; }

    public override string ToString() => $"{DebugName} {Type}";
}

/// <summary>
/// An exception (exception handling's exception instance): its tag and the values it was thrown with. Wasm code
/// makes one with <c>throw</c>, holds it as an <c>exnref</c> and throws it again with <c>throw_ref</c>; a host
/// function makes one to throw into Wasm (<see cref="UncaughtWasmException"/>).
/// </summary>
public sealed unsafe class ExceptionInstance
{
    /// <summary>An exception of <paramref name="tag"/> carrying <paramref name="payload"/>, which must match the
    /// tag's parameter types.</summary>
    public ExceptionInstance(Tag tag, params Value[] payload)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var types = tag.Type.Parameters;
        if (payload.Length != types.Length)
            throw new WasmException($"tag {tag.DebugName} carries {types.Length} values, got {payload.Length}");
        for (int i = 0; i < types.Length; i++)
            if (payload[i].Type != types[i])
                throw new WasmException($"value {i} of tag {tag.DebugName}: expected {types[i].ToText()}, got {payload[i].Type.ToText()}");
        Tag = tag;
        _values = (Value[])payload.Clone();
    }

    /// <summary>An exception thrown by Wasm code of <paramref name="store"/>: its values as slots (two words each),
    /// references encoded by that store.</summary>
    internal ExceptionInstance(Tag tag, Store store, ulong[] slots)
    {
        Tag = tag;
        _store = store;
        _slots = slots;
    }

    /// <summary>The exception's tag.</summary>
    public Tag Tag { get; }

    private Value[]? _values;
    private ulong[]? _slots;
    private Store? _store;

    /// <summary>The values thrown, in the order of the tag's parameters.</summary>
    public IReadOnlyList<Value> Payload
    {
        get
        {
            if (_values is null)
            {
                var types = Tag.Type.Parameters;
                var values = new Value[types.Length];
                fixed (ulong* s = _slots)
                    for (int i = 0; i < values.Length; i++) values[i] = HostSlots.Read(_store!, types[i], s + i * HostSlots.Words);
                _values = values;
            }
            return _values;
        }
    }

    /// <summary>The values as slots of <paramref name="store"/> (made once per store: a host's exception, or one
    /// that crossed stores through the host).</summary>
    internal ulong[] SlotsFor(Store store)
    {
        if (_slots is not null && ReferenceEquals(_store, store)) return _slots;
        var values = Payload;
        var slots = new ulong[Math.Max(values.Count, 1) * HostSlots.Words];
        fixed (ulong* s = slots)
            for (int i = 0; i < values.Count; i++) HostSlots.Write(store, s + i * HostSlots.Words, values[i]);
        (_slots, _store) = (slots, store);
        return slots;
    }

    public override string ToString() => $"exception {Tag.DebugName}({string.Join(", ", Payload)})";
}
