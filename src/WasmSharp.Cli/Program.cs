using System.CommandLine;
using System.CommandLine.Help;
using WasmSharp.Cli.Commands;

namespace WasmSharp.Cli;

internal static class Program
{
    /// <summary>The command's name wherever a user meets it (help, errors, the .NET tool, the executable).</summary>
    public const string CommandName = "wasmsharp";

    public static int Main(string[] args) => CreateRoot().Parse(RunVerb.SeparateProgramArguments(args), Parsing).Invoke();

    /// <summary>
    /// The root command. Not a <see cref="RootCommand"/>: that one is named after the entry assembly, and the
    /// assembly cannot be called "wasmsharp" (assembly names compare case-insensitively, so it would shadow
    /// WasmSharp.dll); it gets RootCommand's help and version options instead.
    /// </summary>
    public static Command CreateRoot() => new(CommandName, "wasmsharp: a WebAssembly 2.0 runtime for .NET, with WASI preview1")
    {
        new HelpOption(),
        new VersionOption(),
        RunVerb.Create(),
        ValidateVerb.Create(),
        InspectVerb.Create(),
        ExploreVerb.Create(),
        WastVerb.Create(),
        CompileVerb.Create(),
        Wat2WasmVerb.Create(),
        Wasm2WatVerb.Create(),
    };

    // No response files: "@scope/pkg/x.wasm" (npm paths) and a guest's "@args" are plain arguments.
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };
}
