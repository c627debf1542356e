using System.Text;

namespace WasmSharp.Components.Text;

/// <summary>A small table from keywords to the byte each encodes as (value types, canon options, name
/// attributes): one lookup over the token's bytes in place of a switch per table.</summary>
internal sealed class Keywords
{
    private readonly (byte[] Keyword, byte Code)[] _entries;

    public Keywords(params (string Keyword, byte Code)[] entries) =>
        _entries = Array.ConvertAll(entries, e => (Encoding.ASCII.GetBytes(e.Keyword), e.Code));

    /// <summary>The code of <paramref name="keyword"/>, or null when the table does not hold it.</summary>
    public byte? Find(ReadOnlySpan<byte> keyword)
    {
        foreach (var (k, code) in _entries)
            if (keyword.SequenceEqual(k)) return code;
        return null;
    }
}
