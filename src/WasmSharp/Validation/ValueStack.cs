using System.Runtime.CompilerServices;

namespace WasmSharp.Validation;

/// <summary>
/// A growable stack: the part of <see cref="List{T}"/> the validator's operand and control stacks and the translators
/// use. It is ours, not CoreLib's, for start-up: a ReadyToRun image holds code for the generic instantiations of its
/// own version bubble only, so <c>List&lt;ControlFrame&gt;</c>'s methods ran as tier-0 JIT code on every start, for
/// each instruction the validator checks, until tiering caught up. This one is precompiled with the rest of
/// WasmSharp.
/// </summary>
internal sealed class ValueStack<T>
{
    private T[] _items;
    private int _count;

    public ValueStack(int capacity = 16) => _items = new T[Math.Max(capacity, 4)];

    public int Count => _count;

    public ref T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) ThrowIndex();
            return ref _items[index];
        }
    }

    /// <summary>The top entry.</summary>
    public ref T Top => ref this[_count - 1];

    public Span<T> AsSpan() => new(_items, 0, _count);

    public void Add(T item)
    {
        if (_count == _items.Length) Grow();
        _items[_count++] = item;
    }

    /// <summary>Removes and returns the top entry (the stack must not be empty).</summary>
    public T Pop()
    {
        var item = this[_count - 1];
        Truncate(_count - 1);
        return item;
    }

    /// <summary>Removes every entry from <paramref name="count"/> on.</summary>
    public void Truncate(int count)
    {
        if ((uint)count > (uint)_count) ThrowIndex();
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) Array.Clear(_items, count, _count - count);
        _count = count;
    }

    public void Clear() => Truncate(0);

    private void Grow()
    {
        var bigger = new T[_items.Length * 2];
        Array.Copy(_items, bigger, _count);
        _items = bigger;
    }

    private static void ThrowIndex() => throw new ArgumentOutOfRangeException("index");
}
