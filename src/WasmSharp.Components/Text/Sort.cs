using WasmSharp.Components.Binary;
using WasmSharp.Text;

namespace WasmSharp.Components.Text;

/// <summary>Each sort's keyword in the text format (the sorts and their binary codes are
/// <see cref="SortExtensions"/>').</summary>
internal static class Sorts
{
    public const int Count = SortExtensions.Count;

    private static readonly string[] Keywords =
        ["func", "table", "memory", "global", "tag", "type", "module", "instance", "func", "value", "type", "component", "instance"];

    private static readonly byte[][] KeywordBytes = Array.ConvertAll(Keywords, System.Text.Encoding.ASCII.GetBytes);

    /// <summary>The keyword after <c>(</c> (and after <c>core</c> for a core sort).</summary>
    public static string Keyword(this Sort sort) => Keywords[(int)sort];

    /// <summary>The name in messages: "core func", "type", ...</summary>
    public static string Name(this Sort sort) => sort.ToText();

    /// <summary>Writes <c>sort</c>: a core sort behind 0x00.</summary>
    public static void Write(this Sort sort, WasmWriter w)
    {
        if (sort.IsCore()) w.Byte(0x00);
        w.Byte(sort.Code());
    }

    /// <summary>The core sort (<paramref name="core"/>) or component sort named by <paramref name="keyword"/>.</summary>
    public static Sort? Find(ReadOnlySpan<byte> keyword, bool core)
    {
        for (int i = core ? 0 : (int)Sort.Func; i < (core ? (int)Sort.Func : Count); i++)
            if (keyword.SequenceEqual(KeywordBytes[i])) return (Sort)i;
        return null;
    }

    /// <summary>Sorts an <c>alias outer</c> may name, and so those a name of an enclosing scope may be taken
    /// from (Explainer, <c>outeraliassort</c>).</summary>
    public static bool IsOuterAliasable(this Sort sort) => sort is Sort.CoreModule or Sort.CoreType or Sort.Component or Sort.Type;
}
