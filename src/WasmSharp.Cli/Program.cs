using System.CommandLine;
using WasmSharp.Cli.Commands;

namespace WasmSharp.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("wasmsharp: a WebAssembly 2.0 runtime for .NET, with WASI preview1")
        {
            RunVerb.Create(),
            ValidateVerb.Create(),
            InspectVerb.Create(),
            ExploreVerb.Create(),
            WastVerb.Create(),
        };
        // No response files: "@scope/pkg/x.wasm" (npm paths) and a guest's "@args" are plain arguments.
        var parsing = new ParserConfiguration { ResponseFileTokenReplacer = null };
        return root.Parse(RunVerb.SeparateProgramArguments(args), parsing).Invoke();
    }
}
