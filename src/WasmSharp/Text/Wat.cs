using System.Text;

namespace WasmSharp.Text;

/// <summary>The WebAssembly text format (.wat): a module written as text turned into the binary format that
/// <see cref="Module.FromBytes(Engine, ReadOnlyMemory{byte})"/> reads, and a binary module printed as text.</summary>
public static class Wat
{
    /// <summary>The binary module that <paramref name="utf8"/> (a <c>(module ...)</c> form, or bare module fields)
    /// describes. Throws <see cref="MalformedTextException"/> (with line and column) when the text is not well
    /// formed; whether the module is valid is for <see cref="Module"/> to say.</summary>
    public static byte[] ToBinary(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
        return ModuleParser.ParseFile(utf8.ToArray());
    }

    /// <inheritdoc cref="ToBinary(ReadOnlySpan{byte})"/>
    public static byte[] ToBinary(byte[] utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        return utf8.AsSpan().StartsWith("\uFEFF"u8) ? ToBinary(utf8.AsSpan()) : ModuleParser.ParseFile(utf8);
    }

    /// <inheritdoc cref="ToBinary(ReadOnlySpan{byte})"/>
    public static byte[] ToBinary(string text) => ModuleParser.ParseFile(Encoding.UTF8.GetBytes(text));

    /// <summary>The text format of binary module <paramref name="binary"/>: a <c>(module ...)</c> with a field per
    /// line and function bodies as flat instructions, which <see cref="ToBinary(string)"/> reads back to the same
    /// module (function names come from the name section; other custom sections are left out). The module is
    /// decoded, not validated: throws what the binary reader throws for input it rejects
    /// (<see cref="MalformedModuleException"/>, or <see cref="InvalidModuleException"/> for a constant expression
    /// that is not constant), and <see cref="MalformedModuleException"/> for a function body that cannot be decoded
    /// (an unknown opcode, a missing <c>end</c>).</summary>
    public static string ToText(ReadOnlySpan<byte> binary) => Printer.Print(binary.ToArray());

    /// <summary>As <see cref="ToText(ReadOnlySpan{byte})"/>, written to <paramref name="writer"/> piece by piece as
    /// it is printed, for modules whose text is too large to hold as one string. Nothing is written for a module
    /// the binary reader rejects; a function body that cannot be decoded stops the text part way.</summary>
    public static void WriteText(ReadOnlySpan<byte> binary, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Printer.Print(binary.ToArray(), writer);
    }
}
