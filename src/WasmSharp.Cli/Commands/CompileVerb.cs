using System.CommandLine;
using System.Diagnostics;
using WasmSharp.Llvm;

namespace WasmSharp.Cli.Commands;

/// <summary><c>wasmsharp compile FILE [-O0..-O3] [-o OUT]</c>: compiles a module to native code through LLVM, into
/// the cache (a later <c>run --engine llvm</c> finds it there), or into a shared library that <c>run</c> takes in
/// place of the module.</summary>
internal static class CompileVerb
{
    public static Command Create()
    {
        var file = ModuleFile.CreateArgument();
        var output = new Option<string>("-o", "--output")
        {
            Description = "Write a shared library (the native code and the module) that 'wasmsharp run' takes in place of FILE, instead of filling the cache",
            HelpName = "OUT",
        };
        var opt = EngineOption.CreateOptLevel();
        var bounds = EngineOption.CreateBoundsChecks();
        var command = new Command("compile", "Compile a module to native code with LLVM (into the cache, or a library with -o)")
        {
            file, output, opt, bounds,
        };
        command.SetAction(parse => Compile(parse.GetValue(file)!, parse.GetValue(output), parse.GetValue(opt), parse.GetValue(bounds)!,
            Console.Out, Console.Error));
        return command;
    }

    public static int Compile(string path, string? output, int optLevel, string boundsChecks, TextWriter stdout, TextWriter stderr)
    {
        if (LlvmLibrary.Problem is { } problem)
        {
            stderr.WriteLine($"error: {problem}");
            return 1;
        }
        try
        {
            var backend = EngineOption.Backend(optLevel, boundsChecks);
            var clock = Stopwatch.StartNew();
            using var progress = Progress.Start(stderr, $"compiling {Path.GetFileName(path)} (-O{optLevel})");
            if (output is null)
            {
                var module = ModuleFile.Load(path, new Engine(new EngineConfig { Native = backend }));
                progress.Dispose();
                if (module.NativeFallback is { } why)
                {
                    stderr.WriteLine($"{path}: not compiled: {why}");
                    return 1;
                }
                stdout.WriteLine($"{path}: compiled (-O{optLevel}) in {clock.Elapsed.TotalSeconds:0.00} s, kept in {backend.CacheDirectory}");
            }
            else
            {
                var module = ModuleFile.Load(path, new Engine(new EngineConfig { Native = null }));
                backend.CompileTo(module, output);
                progress.Dispose();
                stdout.WriteLine($"{path}: compiled (-O{optLevel}) in {clock.Elapsed.TotalSeconds:0.00} s to {output}");
            }
            return 0;
        }
        catch (Exception ex) when (Errors.Describe(ex) is string message)
        {
            stderr.WriteLine($"{path}: {message}");
            return 1;
        }
        catch (NotSupportedException ex)
        {
            stderr.WriteLine($"{path}: not compiled: the native translator does not handle {ex.Message} yet");
            return 1;
        }
    }
}

/// <summary>A spinner with the elapsed time on stderr, for compiles longer than a second, when stderr is a
/// terminal; nothing otherwise (logs and pipes get the one result line).</summary>
internal sealed class Progress : IDisposable
{
    private readonly TextWriter _writer;
    private readonly string _what;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer? _timer;
    private int _shown, _stopped;

    private Progress(TextWriter writer, string what, bool enabled)
    {
        _writer = writer;
        _what = what;
        if (enabled) _timer = new Timer(_ => Tick(), null, 1000, 250);
    }

    public static Progress Start(TextWriter writer, string what) =>
        new(writer, what, writer == Console.Error && !Console.IsErrorRedirected);

    private void Tick()
    {
        lock (this)
        {
            if (_stopped != 0) return;
            const string frames = "|/-\\";
            _writer.Write($"\r{frames[_shown++ % frames.Length]} {_what}: {_clock.Elapsed.TotalSeconds:0} s");
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (this)
        {
            if (_stopped++ != 0) return;
            if (_shown > 0) _writer.Write("\r\x1b[K"); // clear the line
        }
    }
}
