using System.Text.Json;

namespace WasmSharp.Bench;

/// <summary>A benchmark program at one size: the argument it gets and the stdout it must print.</summary>
internal sealed record ProgramSpec(string Name, string Description, string Arg, string ExpectedOutput);

/// <summary>A real-world module from an npm package, for the start-up figure.</summary>
internal sealed record StartupModule(string Name, string Package, string File, string Producer, bool Quick);

/// <summary>Reads bench/programs/programs.json and bench/startup/modules.json.</summary>
internal static class Manifest
{
    /// <summary>The program that does nothing: each engine's floor (process and runtime start-up).</summary>
    public static ProgramSpec Floor { get; } = new("empty", "prints one line: the engine's start-up floor", "1", "empty 1");

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static IReadOnlyList<ProgramSpec> ReadPrograms(string path, bool quick)
    {
        var file = JsonSerializer.Deserialize<ProgramFile>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty");
        return file.Programs.Select(p =>
        {
            var size = quick ? p.Quick : p.Full;
            return new ProgramSpec(p.Name, p.Description, size.Arg, size.Output);
        }).ToList();
    }

    public static IReadOnlyList<StartupModule> ReadStartupModules(string path)
    {
        var file = JsonSerializer.Deserialize<ModuleFile>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty");
        return file.Modules;
    }

    private sealed record ProgramFile(List<ProgramEntry> Programs);
    private sealed record ProgramEntry(string Name, string Description, Size Full, Size Quick);
    private sealed record Size(string Arg, string Output);
    private sealed record ModuleFile(List<StartupModule> Modules);
}
