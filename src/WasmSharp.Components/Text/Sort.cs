using WasmSharp.Text;

namespace WasmSharp.Components.Text;

/// <summary>The sorts of definitions a component indexes, each with an index space of its own: the eight core
/// sorts, then the component sorts (Explainer, "Index Spaces").</summary>
internal enum Sort : byte
{
    CoreFunc, CoreTable, CoreMemory, CoreGlobal, CoreTag, CoreType, CoreModule, CoreInstance,
    Func, Value, Type, Component, Instance,
}

/// <summary>Each sort's keyword and binary code, in one table (Binary.md, <c>core:sort</c> and <c>sort</c>).</summary>
internal static class Sorts
{
    public const int Count = 13;

    private static readonly (string Keyword, byte Code)[] Table =
    [
        ("func", 0x00), ("table", 0x01), ("memory", 0x02), ("global", 0x03), ("tag", 0x04), ("type", 0x10), ("module", 0x11), ("instance", 0x12),
        ("func", 0x01), ("value", 0x02), ("type", 0x03), ("component", 0x04), ("instance", 0x05),
    ];

    private static readonly byte[][] KeywordBytes = Array.ConvertAll(Table, t => System.Text.Encoding.ASCII.GetBytes(t.Keyword));

    public static bool IsCore(this Sort sort) => sort <= Sort.CoreInstance;

    /// <summary>The keyword after <c>(</c> (and after <c>core</c> for a core sort).</summary>
    public static string Keyword(this Sort sort) => Table[(int)sort].Keyword;

    /// <summary>The name in messages: "core func", "type", ...</summary>
    public static string Name(this Sort sort) => sort.IsCore() ? "core " + sort.Keyword() : sort.Keyword();

    /// <summary>The <c>core:sort</c> byte of a core sort, or the <c>sort</c> byte of a component sort.</summary>
    public static byte Code(this Sort sort) => Table[(int)sort].Code;

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
