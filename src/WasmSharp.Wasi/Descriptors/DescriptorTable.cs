using WasmSharp.Wasi.Abi;

namespace WasmSharp.Wasi.Descriptors;

/// <summary>The guest's descriptor numbers. A new descriptor takes the lowest free number, as in POSIX.</summary>
internal sealed class DescriptorTable : IDisposable
{
    /// <summary>Most descriptors open at once (EMFILE beyond).</summary>
    public const int MaxDescriptors = 1 << 16;

    private readonly List<Descriptor?> _slots = new();
    private int _lowestFree;

    public bool TryGet(uint fd, out Descriptor descriptor)
    {
        descriptor = null!;
        if (fd >= (uint)_slots.Count || _slots[(int)fd] is not { } d) return false;
        descriptor = d;
        return true;
    }

    /// <summary>Adds <paramref name="descriptor"/> under the lowest free number.</summary>
    public Errno Add(Descriptor descriptor, out uint fd)
    {
        while (_lowestFree < _slots.Count && _slots[_lowestFree] is not null) _lowestFree++;
        if (_lowestFree >= MaxDescriptors)
        {
            fd = 0;
            return Errno.Mfile;
        }
        if (_lowestFree == _slots.Count) _slots.Add(null);
        fd = (uint)_lowestFree;
        _slots[_lowestFree++] = descriptor;
        return Errno.Success;
    }

    /// <summary>Removes <paramref name="fd"/> from the table and closes what it referred to.</summary>
    public Errno Close(uint fd)
    {
        if (!TryGet(fd, out var d)) return Errno.Badf;
        _slots[(int)fd] = null;
        if ((int)fd < _lowestFree) _lowestFree = (int)fd;
        d.Dispose();
        return Errno.Success;
    }

    /// <summary>Moves <paramref name="from"/> to <paramref name="to"/>, closing what <paramref name="to"/> held;
    /// both must be open.</summary>
    public Errno Renumber(uint from, uint to)
    {
        if (!TryGet(from, out var d) || !TryGet(to, out var old)) return Errno.Badf;
        if (from == to) return Errno.Success;
        _slots[(int)to] = d;
        _slots[(int)from] = null;
        if ((int)from < _lowestFree) _lowestFree = (int)from;
        old.Dispose();
        return Errno.Success;
    }

    /// <summary>Every open descriptor number, in order.</summary>
    public IEnumerable<uint> Numbers()
    {
        for (int i = 0; i < _slots.Count; i++)
            if (_slots[i] is not null) yield return (uint)i;
    }

    public void Dispose()
    {
        foreach (var d in _slots) d?.Dispose();
        _slots.Clear();
        _lowestFree = 0;
    }
}
