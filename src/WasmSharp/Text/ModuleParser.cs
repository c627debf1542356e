namespace WasmSharp.Text;

/// <summary>Text-format modules to binary modules (spec, "Text Format": modules, with every abbreviation).</summary>
internal sealed partial class ModuleParser
{
    /// <summary>A .wat source: one <c>(module ...)</c> form, or bare module fields.</summary>
    public static byte[] ParseFile(byte[] source) => throw new NotImplementedException();

    /// <summary>Module fields from <paramref name="p"/>'s position up to a <c>)</c> (left in place) or the end;
    /// returns the binary module.</summary>
    public static byte[] ParseFields(TextParser p) => throw new NotImplementedException();
}
