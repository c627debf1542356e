using System.Text;

namespace WasmSharp.Text;

/// <summary>
/// The names of one index space (<c>$f</c> → 3), looked up by their UTF-8 bytes: a reference (every
/// <c>local.get $x</c>, many times the definitions) is found from the source's bytes without making a string. Open
/// addressing over a power-of-two table, ordinal comparison.
/// </summary>
internal sealed class NameTable
{
    private struct Entry
    {
        public byte[]? Key;
        public int Hash;
        public int Value;
    }

    private Entry[] _entries = new Entry[16];
    private int _count;

    /// <summary>Adds <paramref name="name"/>; false when it is there already.</summary>
    public bool TryAdd(string name, int value)
    {
        var key = Encoding.UTF8.GetBytes(name);
        int hash = Hash(key);
        ref var slot = ref Find(key, hash);
        if (slot.Key is not null) return false;
        slot = new Entry { Key = key, Hash = hash, Value = value };
        if (++_count * 2 > _entries.Length) Grow();
        return true;
    }

    public bool TryGet(ReadOnlySpan<byte> name, out int value)
    {
        ref var slot = ref Find(name, Hash(name));
        value = slot.Value;
        return slot.Key is not null;
    }

    public void Clear()
    {
        if (_count == 0) return;
        Array.Clear(_entries);
        _count = 0;
    }

    private ref Entry Find(ReadOnlySpan<byte> key, int hash)
    {
        int mask = _entries.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            ref var e = ref _entries[i];
            if (e.Key is null || (e.Hash == hash && key.SequenceEqual(e.Key))) return ref e;
        }
    }

    private void Grow()
    {
        var old = _entries;
        _entries = new Entry[old.Length * 2];
        foreach (var e in old)
            if (e.Key is not null) Find(e.Key, e.Hash) = e;
    }

    private static int Hash(ReadOnlySpan<byte> key)
    {
        uint h = 2166136261; // FNV-1a: names are short
        foreach (var b in key) h = (h ^ b) * 16777619;
        return (int)h;
    }
}
