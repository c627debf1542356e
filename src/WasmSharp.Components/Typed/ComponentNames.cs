using System.Reflection;

namespace WasmSharp.Components;

/// <summary>How component labels meet .NET names: by <see cref="ComponentNameAttribute"/> if the .NET side has one,
/// else by convention, the label's words without their dashes equal to the .NET name without underscores, ignoring
/// case (so <c>first-name</c> fits <c>FirstName</c>, <c>firstName</c> and <c>first_name</c>).</summary>
internal static class ComponentNames
{
    public static bool Fits(string label, ICustomAttributeProvider netItem, string netName) =>
        netItem.GetCustomAttributes(typeof(ComponentNameAttribute), false) is [ComponentNameAttribute named, ..]
            ? named.Name == label
            : Normalize(label) == Normalize(netName);

    /// <summary>The one item of <paramref name="items"/> that fits <paramref name="label"/>, or null; two that fit
    /// are an error, since either could be meant.</summary>
    public static T? Single<T>(string label, IEnumerable<T> items, Func<T, ICustomAttributeProvider> provider, Func<T, string> name,
        string path) where T : class
    {
        var fitting = items.Where(i => Fits(label, provider(i), name(i))).ToList();
        return fitting.Count switch
        {
            0 => null,
            1 => fitting[0],
            _ => throw new ArgumentException($"{path}: {string.Join(" and ", fitting.Select(name))} all fit the label '{label}'"),
        };
    }

    private static string Normalize(string name) => name.Replace("-", "").Replace("_", "").ToLowerInvariant();
}
