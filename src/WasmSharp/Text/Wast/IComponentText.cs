namespace WasmSharp.Text.Wast;

/// <summary>
/// The component text format, for the script parser: the core assembly cannot reference WasmSharp.Components,
/// which implements it (<c>ComponentText.Syntax</c>), so a script's component forms are read through this hook.
/// Without one, <see cref="WastParser"/> skips them as <see cref="UnsupportedCommand"/>s.
/// </summary>
internal interface IComponentText
{
    /// <summary>A component's definitions from <paramref name="p"/>'s position up to its <c>)</c> (left in place);
    /// <paramref name="id"/> is the component's <c>$name</c>, which outer aliases may use. Returns the binary
    /// component; throws <see cref="MalformedTextException"/> for text that is not well formed.</summary>
    byte[] ParseFields(TextParser p, string? id);

    /// <summary>A whole source holding one <c>(component ...)</c> form (a quoted component's text).</summary>
    byte[] ParseFile(byte[] source);
}
