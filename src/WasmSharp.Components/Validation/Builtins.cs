using WasmSharp.Components.Binary;

namespace WasmSharp.Components.Validation;

/// <summary>Facts about canonical definitions that validation and instantiation share: the core signatures of the
/// asynchronous and thread built-ins, and which values need a memory.</summary>
internal static class Builtins
{
    /// <summary>The core signatures of the asynchronous and thread built-ins (CanonicalABI.md), as i32 ('i') and
    /// i64 ('l') codes; task.return's depends on its result type.</summary>
    private static readonly Dictionary<string, (string Parameters, string Results)> Signatures = new()
    {
        ["task.return"] = ("", ""), ["task.cancel"] = ("", ""), ["backpressure.inc"] = ("", ""), ["backpressure.dec"] = ("", ""),
        ["context.get"] = ("", "i"), ["context.set"] = ("i", ""),
        ["thread.yield"] = ("", "i"), ["thread.index"] = ("", "i"), ["thread.new-indirect"] = ("ii", "i"),
        ["thread.resume-later"] = ("i", ""), ["thread.suspend"] = ("", "i"), ["thread.suspend-then-resume"] = ("i", "i"),
        ["thread.yield-then-resume"] = ("i", "i"), ["thread.suspend-then-promote"] = ("i", "i"), ["thread.yield-then-promote"] = ("i", "i"),
        ["waitable-set.new"] = ("", "i"), ["waitable-set.wait"] = ("ii", "i"), ["waitable-set.poll"] = ("ii", "i"),
        ["waitable-set.drop"] = ("i", ""), ["waitable.join"] = ("ii", ""),
        ["subtask.cancel"] = ("i", "i"), ["subtask.drop"] = ("i", ""),
        ["stream.new"] = ("", "l"), ["stream.read"] = ("iii", "i"), ["stream.write"] = ("iii", "i"),
        ["stream.cancel-read"] = ("i", "i"), ["stream.cancel-write"] = ("i", "i"),
        ["stream.drop-readable"] = ("i", ""), ["stream.drop-writable"] = ("i", ""),
        ["future.new"] = ("", "l"), ["future.read"] = ("ii", "i"), ["future.write"] = ("ii", "i"),
        ["future.cancel-read"] = ("i", "i"), ["future.cancel-write"] = ("i", "i"),
        ["future.drop-readable"] = ("i", ""), ["future.drop-writable"] = ("i", ""),
        ["error-context.new"] = ("ii", "i"), ["error-context.debug-message"] = ("ii", ""), ["error-context.drop"] = ("i", ""),
    };

    /// <summary>The core function type of built-in <paramref name="o"/>; <paramref name="value"/> resolves
    /// task.return's result type.</summary>
    /// <remarks>Null for the built-ins of shared-everything threads, which nothing here runs or types yet.</remarks>
    public static FunctionType? Signature(CanonOther o, Func<ValTypeRef?, ComponentValueType?> value)
    {
        if (o.Name == "task.return")
        {
            var flat = value(o.Result) is { } result ? CanonicalLayout.Flatten(result) : [];
            return new FunctionType(flat.Count > CanonicalLayout.MaxFlatParams ? [ValueType.I32] : flat.ToArray(), []);
        }
        if (!Signatures.TryGetValue(o.Name, out var s)) return null;
        return new FunctionType(Types(s.Parameters), Types(s.Results));

        static ValueType[] Types(string codes) => codes.Select(c => c == 'l' ? ValueType.I64 : ValueType.I32).ToArray();
    }

    /// <summary>Whether values of <paramref name="t"/> live partly in linear memory (strings and lists, at any depth):
    /// lifting them needs the <c>memory</c> option, lowering them <c>realloc</c> too.</summary>
    public static bool NeedsMemory(ComponentValueType t) => t switch
    {
        PrimitiveType { Kind: Primitive.String } or ListType { Length: null } or MapType => true,
        ListType l => NeedsMemory(l.Element),
        RecordType r => r.Fields.Any(f => NeedsMemory(f.Type)),
        TupleType u => u.Types.Any(NeedsMemory),
        VariantType v => v.Cases.Any(c => c.Type is not null && NeedsMemory(c.Type)),
        OptionType o => NeedsMemory(o.Type),
        ResultType r => r.Ok is not null && NeedsMemory(r.Ok) || r.Error is not null && NeedsMemory(r.Error),
        _ => false,
    };
}
