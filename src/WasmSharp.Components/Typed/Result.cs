namespace WasmSharp.Components;

/// <summary>The .NET side of a <c>result</c> side without a payload: <c>result&lt;_, E&gt;</c> is
/// <c>Result&lt;Unit, E&gt;</c>, and a plain <c>result</c> is <c>Result&lt;Unit, Unit&gt;</c>.</summary>
public readonly record struct Unit
{
    public override string ToString() => "()";
}

/// <summary>A component <c>result&lt;T, E&gt;</c>: ok with a <typeparamref name="T"/>, or an error with an
/// <typeparamref name="E"/>. A struct, so that lifting one allocates nothing; the default is ok with
/// <c>default(T)</c>.</summary>
public readonly struct Result<T, E> : IEquatable<Result<T, E>>
{
    private readonly bool _isError;
    private readonly T _value;
    private readonly E _error;

    private Result(bool isError, T value, E error) => (_isError, _value, _error) = (isError, value, error);

    /// <summary>The ok case, with <paramref name="value"/>.</summary>
    public static Result<T, E> Ok(T value) => new(false, value, default!);

    /// <summary>The error case, with <paramref name="error"/>.</summary>
    public static Result<T, E> Err(E error) => new(true, default!, error);

    public bool IsOk => !_isError;

    /// <summary>The ok payload; reading it from an error is a bug in the caller.</summary>
    public T Value => _isError ? throw new InvalidOperationException($"the result is an error ({_error})") : _value;

    /// <summary>The error payload; reading it from an ok result is a bug in the caller.</summary>
    public E Error => _isError ? _error : throw new InvalidOperationException($"the result is ok ({_value})");

    public bool Equals(Result<T, E> other) => _isError == other._isError &&
        (_isError ? EqualityComparer<E>.Default.Equals(_error, other._error) : EqualityComparer<T>.Default.Equals(_value, other._value));

    public override bool Equals(object? obj) => obj is Result<T, E> other && Equals(other);
    public override int GetHashCode() => _isError ? HashCode.Combine(1, _error) : HashCode.Combine(0, _value);
    public static bool operator ==(Result<T, E> left, Result<T, E> right) => left.Equals(right);
    public static bool operator !=(Result<T, E> left, Result<T, E> right) => !left.Equals(right);
    public override string ToString() => _isError ? $"err({_error})" : $"ok({_value})";
}
