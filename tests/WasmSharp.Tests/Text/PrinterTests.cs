using System.Text;
using WasmSharp.Tests.Binary;
using WasmSharp.Text;
using Xunit.Abstractions;

namespace WasmSharp.Tests.Text;

public class PrinterTests(ITestOutputHelper output)
{
    // ---- the core testsuite, round trip ----

    [TestsuiteDirectoryFact]
    public void TextModulesOfTheCoreSuiteRoundTrip()
    {
        int forms = 0, notParsed = 0, notDecoded = 0, identical = 0;
        var failures = new List<string>();
        foreach (var form in AllForms().Where(f => f.Kind == WastModules.Kind.Text))
        {
            forms++;
            byte[] binary;
            try { binary = Wat.ToBinary(form.Fields); }
            catch (MalformedTextException) { notParsed++; continue; }
            string text;
            try { text = Wat.ToText(binary); }
            catch (WasmException ex) { notDecoded++; output.WriteLine($"{form}: {ex.Message}"); continue; }
            try
            {
                var again = Wat.ToBinary(text);
                if (again.AsSpan().SequenceEqual(binary)) identical++;
                else failures.Add($"{form}: different bytes\n{text}");
            }
            catch (Exception ex)
            {
                failures.Add($"{form}: {ex.Message}\n{text}");
            }
        }
        output.WriteLine($"text modules: {forms}, not parsed (malformed text) {notParsed}, rejected by the binary reader {notDecoded}, " +
            $"round trip identical {identical}, failed {failures.Count}");
        Assert.True(failures.Count == 0, $"{failures.Count} failed:\n" + string.Join("\n", failures.Take(5)));
    }

    /// <summary>
    /// Every <c>(module binary ...)</c> of the suite that is valid prints, and its text reads back to a valid module
    /// that prints the same (names aside: the text format has no name section). The bytes come back identical when
    /// the binary is canonical, that is when it is written as <see cref="ModuleParser"/> writes: minimal LEB128
    /// integers, no custom or empty sections, no data count section unless memory.init or data.drop need one, locals
    /// declared in runs of one type, segments in their smallest form. Every module that differs must differ for one
    /// of these reasons, found in its bytes.
    /// </summary>
    [TestsuiteDirectoryFact]
    public void BinaryModulesOfTheCoreSuiteRoundTrip()
    {
        int forms = 0, invalid = 0, invalidPrinted = 0, identical = 0;
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        int differing = 0;
        foreach (var form in AllForms().Where(f => f.Kind == WastModules.Kind.Binary))
        {
            forms++;
            var binary = form.Bytes;
            try
            {
                if (binary is null) throw new WasmException("invalid string escape");
                Module.FromBytes(binary);
            }
            catch (WasmException)
            {
                // Malformed or invalid: printing either works (what the reader accepts) or throws a WasmException.
                invalid++;
                try
                {
                    if (binary is not null) Wat.ToText(binary);
                    invalidPrinted++;
                }
                catch (WasmException) { }
                catch (Exception ex) { failures.Add($"{form}: {ex}"); }
                continue;
            }
            string text = "";
            try
            {
                text = Wat.ToText(binary);
                var again = Wat.ToBinary(text);
                Module.FromBytes(again);
                string unnamed = Printer.Print(binary, names: false);
                Assert.Equal(unnamed, Printer.Print(again, names: false));
                if (again.AsSpan().SequenceEqual(binary))
                {
                    identical++;
                    continue;
                }
                differing++;
                var why = NonCanonical.Reasons(binary, again);
                if (why.Count == 0 || why.Any(r => r.StartsWith("unexplained", StringComparison.Ordinal)))
                    failures.Add($"{form}: {string.Join(", ", why)}\n  {Convert.ToHexString(binary)}\n  {Convert.ToHexString(again)}\n{text}");
                foreach (var r in why) reasons[r] = reasons.GetValueOrDefault(r) + 1;
            }
            catch (Exception ex)
            {
                failures.Add($"{form}: {ex}\n{text}");
            }
        }
        output.WriteLine($"binary modules: {forms}, not valid {invalid} (of which printed {invalidPrinted}), round trip identical {identical}, differing {differing} (non-canonical)");
        foreach (var (reason, count) in reasons) output.WriteLine($"  {count,3} {reason}");
        Assert.True(failures.Count == 0, $"{failures.Count} failed:\n" + string.Join("\n", failures.Take(5)));
        Assert.True(identical > 0);
    }

    private static IEnumerable<WastModules.Form> AllForms() =>
        Directory.EnumerateFiles(SpecTestsuite.CoreDirectory!, "*.wast").Order(StringComparer.Ordinal).SelectMany(WastModules.Read);
}

/// <summary>A fact that reads the spec testsuite's core/ directory, skipped, saying why, when it is not here.</summary>
public sealed class TestsuiteDirectoryFactAttribute : FactAttribute
{
    public TestsuiteDirectoryFactAttribute()
    {
        if (SpecTestsuite.CoreDirectory is null)
            Skip = "spec testsuite not found (expected ../shared/testsuite/core beside the repository, or set WASMSHARP_TESTSUITE)";
    }
}
