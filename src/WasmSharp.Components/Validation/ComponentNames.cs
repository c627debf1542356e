using System.Text.RegularExpressions;

namespace WasmSharp.Components.Validation;

/// <summary>
/// The lexical rules of component names (Explainer, "Import and Export Definitions" and "Name Uniqueness"): labels
/// in kebab case, plain names with their <c>[constructor]</c>, <c>[method]</c> and <c>[static]</c> annotations,
/// interface names <c>ns:pkg/iface@version</c>, and the canonical form two names must differ in to be
/// strongly unique.
/// </summary>
public static partial class ComponentNames
{
    // label ::= first-fragment ('-' fragment)*, a fragment all lowercase-and-digits or all uppercase-and-digits.
    private const string Label = "(?:[a-z][0-9a-z]*|[A-Z][0-9A-Z]*)(?:-(?:[0-9a-z]+|[0-9A-Z]+))*";
    private const string Words = "[a-z][0-9a-z]*(?:-[0-9a-z]+)*";

    // A semantic version (semver.org, 2.0.0), or a canonical version (a prefix that ends at the first non-zero part).
    private const string Semver =
        @"(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)" +
        @"(?:-(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?" +
        @"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?";
    private const string CanonVersion = @"(?:[1-9]\d*|0\.[1-9]\d*|0\.0\.[1-9]\d*|0\.0\.0)";

    [GeneratedRegex($"^{Label}$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex($@"^(?:{Label}|\[constructor\]{Label}|\[(?:method|static)\]{Label}\.{Label})$")]
    private static partial Regex PlainNamePattern();

    // One namespace and one projection: nested ones (🪺) are gated.
    [GeneratedRegex($@"^{Words}:{Words}/{Label}(?:@(?:{Semver}|{CanonVersion}))?$")]
    private static partial Regex InterfaceNamePattern();

    [GeneratedRegex($@"^{Words}:{Words}/{Label}$")]
    private static partial Regex UnversionedInterfacePattern();

    /// <summary>Whether <paramref name="s"/> is a label: kebab case, words or acronyms.</summary>
    public static bool IsLabel(string s) => LabelPattern().IsMatch(s);

    /// <summary>Whether <paramref name="s"/> is an interface name (<c>ns:pkg/iface</c>, maybe versioned).</summary>
    public static bool IsInterfaceName(string s) => InterfaceNamePattern().IsMatch(s);

    /// <summary>Whether <paramref name="s"/> is an import or export name: a plain name or an interface name.</summary>
    public static bool IsExternName(string s) => PlainNamePattern().IsMatch(s) || IsInterfaceName(s);

    /// <summary>Whether <paramref name="s"/> is a plain name (a label with an optional annotation).</summary>
    public static bool IsPlainName(string s) => PlainNamePattern().IsMatch(s);

    /// <summary>Whether <paramref name="s"/> is an interface name without a version.</summary>
    public static bool IsUnversionedInterface(string s) => UnversionedInterfacePattern().IsMatch(s);

    /// <summary>The form of <paramref name="name"/> that strong uniqueness compares: acronyms lowercased,
    /// <c>[method]l.l</c> and <c>[static]l.l</c> as <c>l</c>, and annotations other than <c>[constructor]</c>
    /// stripped.</summary>
    public static string Canonical(string name)
    {
        name = name.ToLowerInvariant();
        foreach (var prefix in (ReadOnlySpan<string>)["[method]", "[static]"])
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = name[prefix.Length..];
            int dot = rest.IndexOf('.');
            return dot >= 0 && rest[..dot] == rest[(dot + 1)..] ? rest[..dot] : rest;
        }
        return name;
    }
}
