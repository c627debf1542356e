using WasmSharp.Text;
using WasmSharp.Text.Wast;

namespace WasmSharp.Components.Text;

/// <summary>The Component Model's text format: a component written as text turned into the component binary
/// format (Binary.md), with every abbreviation of the Explainer.</summary>
public static class ComponentText
{
    /// <summary>The binary component that <paramref name="source"/> (UTF-8: one <c>(component $id? ...)</c> form,
    /// or bare component definitions) describes. Throws <see cref="MalformedTextException"/> (with line and column)
    /// when the text is not well formed, an unknown name among them; whether the component is valid is for the
    /// validator to say.</summary>
    public static byte[] ParseFile(byte[] source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var p = new TextParser(source);
        p.SkipAnnotations();
        byte[] binary;
        if (p.IsForm("component"u8))
        {
            p.Position += 2;
            string? id = p.TakeId();
            if (p.IsKeyword("binary"u8) || p.IsKeyword("quote"u8)) throw p.Error(p.Peek(), "a component file holds a text component");
            binary = ComponentParser.ParseFields(p, id);
            p.ExpectRightParen();
        }
        else binary = ComponentParser.ParseFields(p, null);
        p.SkipAnnotations();
        if (!p.AtEnd) throw p.Unexpected(p.Peek());
        return binary;
    }

    /// <summary>The definitions after <c>component</c> and its optional <c>$id</c> (<paramref name="id"/>), up to
    /// the closing <c>)</c>, which is left in place: the analogue of <see cref="ModuleParser.ParseFields"/>.</summary>
    internal static byte[] ParseFields(TextParser p, string? id = null) => ComponentParser.ParseFields(p, id);

    /// <summary>The hook through which the script parser reads component forms.</summary>
    internal static IComponentText Syntax { get; } = new Hook();

    private sealed class Hook : IComponentText
    {
        public byte[] ParseFields(TextParser p, string? id) => ComponentText.ParseFields(p, id);
        public byte[] ParseFile(byte[] source) => ComponentText.ParseFile(source);
    }
}
