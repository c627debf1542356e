using System.CommandLine;
using System.CommandLine.Parsing;

namespace WasmSharp.Cli.Commands;

/// <summary>The module file the commands read: its command-line argument, and reading it with errors that name
/// the actual problem (a directory, a text-format file) rather than what the file system or decoder ran into.</summary>
internal static class ModuleFile
{
    /// <summary>The FILE argument of <c>run</c>, <c>validate</c>, <c>inspect</c> and <c>explore</c>.</summary>
    public static Argument<string> CreateArgument()
    {
        var file = new Argument<string>("FILE") { Description = "A module: binary (.wasm) or text (.wat)" };
        file.Validators.Add(RejectOptions);
        return file;
    }

    /// <summary>
    /// System.CommandLine gives an argument any token it cannot match, so an unknown option in front of the file
    /// (<c>run --bogus x.wasm</c>) would become the file name; it is reported as an unknown option instead.
    /// A file whose name starts with '-' is still reachable as <c>./-name</c>.
    /// </summary>
    public static void RejectOptions(ArgumentResult result)
    {
        foreach (var token in result.Tokens)
        {
            string value = token.Value;
            if (value.Length < 2 || value[0] != '-') continue;
            string hint = value is "--version" ? " ('wasmsharp --version' prints the version)" : "";
            result.AddError($"Unrecognized option '{value}'{hint}.");
        }
    }

    /// <summary>The file's bytes, as a binary module: a file in the text format is parsed into one. A directory is
    /// reported as one.</summary>
    public static byte[] Read(string path)
    {
        var bytes = ReadFile(path);
        if (!LooksLikeText(bytes)) return bytes;
        return IsComponentText(bytes) ? ParseComponent(bytes) : WasmSharp.Text.Wat.ToBinary(bytes);
    }

    /// <summary>Whether a text file holds a component: its first form is <c>(component</c>.</summary>
    public static bool IsComponentText(byte[] bytes)
    {
        var text = WithoutBom(bytes);
        // The first two tokens are in the first few bytes, after any comments: lex a prefix, not the whole file.
        text = text[..Math.Min(text.Length, 1 << 16)];
        try
        {
            var tokens = WasmSharp.Text.Lexer.Tokenize(text, out int count);
            return count >= 2 && tokens[0].Kind == WasmSharp.Text.TokenKind.LeftParen
                   && text.Slice(tokens[1].Start, tokens[1].Length).SequenceEqual("component"u8);
        }
        catch (WasmSharp.Text.MalformedTextException)
        {
            return false; // the module parser reports it
        }
    }

    private static ReadOnlySpan<byte> WithoutBom(byte[] bytes) => bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes;

    /// <summary>A component's text (a byte order mark dropped) to its binary.</summary>
    public static byte[] ParseComponent(byte[] text) => WasmSharp.Components.Text.ComponentText.ParseFile(WithoutBom(text).ToArray());

    /// <summary>The file's bytes as they are; a directory is reported as one.</summary>
    public static byte[] ReadFile(string path) =>
        Directory.Exists(path) ? throw new InputException($"'{path}' is a directory, not a module file") : File.ReadAllBytes(path);

    /// <summary>Reads, decodes and validates the module at <paramref name="path"/>, or opens a library written by
    /// <c>wasmsharp compile -o</c> (which needs an engine with the native backend).</summary>
    public static Module Load(string path, Engine? engine = null)
    {
        var bytes = Read(path);
        if (!WasmSharp.Llvm.LlvmBackend.IsLibrary(bytes)) return Decode(bytes, engine);
        if (engine?.Config.Native is not WasmSharp.Llvm.LlvmBackend backend)
            throw new InputException($"'{path}' is a compiled library: it runs on the native engine (--engine llvm)");
        return backend.OpenLibrary(engine, path);
    }

    /// <summary>Whether the file at <paramref name="path"/> is a component (binary, or text starting with
    /// <c>(component</c>) rather than a module; if so, its binary.</summary>
    public static bool IsComponent(string path, out byte[] component)
    {
        component = [];
        if (Directory.Exists(path) || !File.Exists(path)) return false; // reading the module reports it
        Span<byte> head = stackalloc byte[8];
        int read;
        using (var f = File.OpenRead(path))
            read = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (LooksLikeText(head[..read]))
        {
            // A text file: read whole (it is parsed anyway) to see whether it holds a component.
            var bytes = File.ReadAllBytes(path);
            if (!IsComponentText(bytes)) return false;
            component = ParseComponent(bytes);
            return true;
        }
        if (read < head.Length || !WasmSharp.Components.Binary.ComponentReader.IsComponent(head)) return false;
        component = File.ReadAllBytes(path);
        return true;
    }

    /// <summary>Decodes and validates a binary module.</summary>
    public static Module Decode(byte[] bytes, Engine? engine = null) => Module.FromBytes(engine ?? Engine.Default, bytes);

    /// <summary>Whether the bytes start, after an optional UTF-8 byte order mark and white space, the way a .wat
    /// file does: with '(' or a comment.</summary>
    public static bool LooksLikeText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        bytes = bytes.TrimStart(" \t\r\n"u8);
        return bytes.StartsWith("("u8) || bytes.StartsWith(";;"u8);
    }
}

/// <summary>A problem with what the command was given, fully described by its message.</summary>
internal sealed class InputException(string message) : Exception(message);
