namespace WasmSharp;

/// <summary>A function signature. Equality is structural.</summary>
public sealed class FunctionType : IEquatable<FunctionType>
{
    public ValueType[] Parameters { get; }
    public ValueType[] Results { get; }

    public FunctionType(ValueType[] parameters, ValueType[] results)
    {
        Parameters = parameters;
        Results = results;
    }

    public static readonly FunctionType Empty = new([], []);

    public bool Equals(FunctionType? other) =>
        other is not null && Parameters.AsSpan().SequenceEqual(other.Parameters) && Results.AsSpan().SequenceEqual(other.Results);

    public override bool Equals(object? obj) => obj is FunctionType f && Equals(f);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var p in Parameters) h.Add(p);
        h.Add(-1);
        foreach (var r in Results) h.Add(r);
        return h.ToHashCode();
    }

    public override string ToString() =>
        $"({string.Join(", ", Parameters.Select(p => p.ToText()))}) -> ({string.Join(", ", Results.Select(p => p.ToText()))})";
}
