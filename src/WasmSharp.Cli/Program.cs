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
        return root.Parse(RunVerb.SeparateProgramArguments(args)).Invoke();
    }
}
