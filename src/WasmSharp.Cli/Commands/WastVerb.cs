using System.CommandLine;
using WasmSharp.Cli.Wast;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp wast PATH...</c>: runs WebAssembly spec scripts.</summary>
internal static class WastVerb
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = ".wast files, or folders searched recursively for them",
            Arity = ArgumentArity.OneOrMore,
        };
        paths.Validators.Add(ModuleFile.RejectOptions);
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print every failure and message mismatch" };
        // No DefaultValueFactory: help would print this machine's processor count as the default.
        var jobs = new Option<int?>("--jobs", "-j") { Description = "Scripts run in parallel (default: the number of processors)", HelpName = "N" };
        jobs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1) result.AddError("--jobs must be at least 1.");
        });

        var engine = EngineOption.Create();
        var bounds = EngineOption.CreateBoundsChecks();
        var opt = EngineOption.CreateOptLevel();
        var features = EngineOption.CreateFeatures();
        var command = new Command("wast", "Run spec test scripts (.wast)")
        {
            paths, verbose, jobs, engine, bounds, opt, features,
        };
        command.SetAction(parse =>
        {
            var chosen = EngineOption.Build(parse.GetValue(engine)!, interruptible: false, out var problem, parse.GetValue(bounds)!, parse.GetValue(opt),
                parse.GetValue(features));
            if (chosen is null)
            {
                Console.Error.WriteLine($"error: {problem}");
                return 1;
            }
            var options = new WastOptions
            {
                Verbose = parse.GetValue(verbose),
                Jobs = parse.GetValue(jobs) ?? Environment.ProcessorCount,
                Engine = chosen,
            };
            return WastDriver.Run(parse.GetValue(paths) ?? [], options, Console.Out, Console.Error);
        });
        return command;
    }
}
