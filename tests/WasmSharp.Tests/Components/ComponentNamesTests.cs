using WasmSharp.Components.Validation;

namespace WasmSharp.Tests.Components;

/// <summary>The lexical rules of component names (Explainer, "Import and Export Definitions" and "Name
/// Uniqueness").</summary>
public class ComponentNamesTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("a-b-c", true)]
    [InlineData("a1-2-3", true)]
    [InlineData("A1-2-3", true)]
    [InlineData("m1x3d-4CR0NYMS", true)]
    [InlineData("1-2-3", false)]
    [InlineData("aBc", false)]
    [InlineData("a--b", false)]
    [InlineData("a-", false)]
    [InlineData("", false)]
    public void LabelsAreKebabCase(string label, bool valid) => Assert.Equal(valid, ComponentNames.IsLabel(label));

    [Theory]
    [InlineData("[constructor]foo", true)]
    [InlineData("[method]foo.bar", true)]
    [InlineData("[static]foo.bar", true)]
    [InlineData("[method]foo", false)]
    [InlineData("[other]foo", false)]
    [InlineData("wasi:http/handler", true)]
    [InlineData("wasi:http/handler@0.2.1", true)]
    [InlineData("wasi:http/handler@0.2", true)]
    [InlineData("wasi:http/handler@01.2.3", false)]
    [InlineData("foo:bar:baz/qux", false)]
    [InlineData("foo:bar/baz/qux", false)]
    [InlineData("foo:bar", false)]
    public void ExternNamesArePlainOrInterfaceNames(string name, bool valid) => Assert.Equal(valid, ComponentNames.IsExternName(name));

    [Fact]
    public void StrongUniquenessComparesCanonicalForms()
    {
        string[] distinct = ["foo", "foo-bar", "[constructor]foo", "[method]foo.bar", "[static]foo.baz", "foo:bar/baz"];
        Assert.Equal(distinct.Length, distinct.Select(ComponentNames.Canonical).Distinct().Count());
        // Each of these clashes with one of the names above.
        foreach (var clash in new[] { "FOO", "foo-BAR", "[constructor]FOO", "[method]foo.BAR", "[static]foo.bar", "[method]foo.baz", "[method]foo.foo", "foo:bar/BAZ" })
            Assert.Contains(ComponentNames.Canonical(clash), distinct.Select(ComponentNames.Canonical));
    }
}
