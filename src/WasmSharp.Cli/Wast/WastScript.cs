using System.Text.Json;
using System.Text.Json.Serialization;

namespace WasmSharp.Cli.Wast;

/// <summary>The JSON that <c>wast2json</c> writes for a .wast script: a list of commands whose modules are
/// separate .wasm (or .wat, for "module quote") files next to the JSON.</summary>
internal sealed class WastScript
{
    public string? SourceFilename { get; set; }
    public List<WastCommand> Commands { get; set; } = new();

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static WastScript Parse(string json) =>
        JsonSerializer.Deserialize<WastScript>(json, Options) ?? throw new JsonException("empty wast2json output");

    public static WastScript Load(string path) => Parse(File.ReadAllText(path));

    internal static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("null JSON value");
}

/// <summary>One script command: module, register, action or assert_*.</summary>
internal sealed class WastCommand
{
    public string Type { get; set; } = "";
    public int Line { get; set; }
    /// <summary>"$name" of a named module (module, register).</summary>
    public string? Name { get; set; }
    /// <summary>The module file, relative to the JSON file.</summary>
    public string? Filename { get; set; }
    /// <summary>register: the import module name.</summary>
    public string? As { get; set; }
    /// <summary>assert_*: the expected error or trap message.</summary>
    public string? Text { get; set; }
    /// <summary>"binary" or "text" (a "module quote" written as .wat).</summary>
    public string? ModuleType { get; set; }
    public WastAction? Action { get; set; }
    public List<WastValue>? Expected { get; set; }
}

/// <summary>invoke (a function export, with arguments) or get (a global export).</summary>
internal sealed class WastAction
{
    public string Type { get; set; } = "";
    /// <summary>"$name" of the module, or null for the most recent one.</summary>
    public string? Module { get; set; }
    public string Field { get; set; } = "";
    public List<WastValue>? Args { get; set; }
}

/// <summary>A typed constant. <see cref="Value"/> is a string (numbers as unsigned decimal bits, "null",
/// "nan:canonical", "nan:arithmetic"), an array of lane strings for v128, or absent (an expected
/// ref.func, or an expected type without a value).</summary>
internal sealed class WastValue
{
    public string Type { get; set; } = "";
    public string? LaneType { get; set; }
    public JsonElement? Value { get; set; }
    /// <summary>"either": any of these results.</summary>
    public List<WastValue>? Values { get; set; }

    public override string ToString() => WastValues.Describe(this);
}
