using System.CommandLine;
using WasmSharp.Wasi;

namespace WasmSharp.Cli.Commands;

/// <summary>
/// <c>wasmsharp run [--dir HOST[::GUEST]]... [--env NAME=VALUE]... [--invoke NAME] [--timeout SECONDS] FILE [ARGS...]</c>: runs a
/// WASI program (its <c>_start</c>, with ARGS as its arguments) or calls one export (ARGS parsed by its
/// parameter types). Everything after FILE belongs to the program (see <see cref="SeparateProgramArguments"/>).
/// </summary>
internal static class RunVerb
{
    public const string StartFunction = "_start";
    public const string InitializeFunction = "_initialize";

    /// <summary>Exit code of a trap, as a native program killed by SIGABRT would report it.</summary>
    public const int TrapExitCode = 134;

    /// <summary>Options of <c>run</c> that take a value (the value is the next token unless given with '=').</summary>
    private static readonly string[] ValueOptions = ["--dir", "--env", "--invoke", "--timeout", "--engine", "--bounds-checks", "-O"];

    public static Command Create()
    {
        var file = ModuleFile.CreateArgument();
        var args = new Argument<string[]>("ARGS")
        {
            Description = "The program's arguments (argv[1...]); with --invoke, the function's arguments, parsed by its " +
                          "parameter types (i32/i64: decimal or 0x hex; f32/f64: decimal, inf, nan)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var dirs = new Option<string[]>("--dir")
        {
            Description = "Give the program the host directory HOST, named GUEST inside (default: HOST as written); repeatable",
            HelpName = "HOST[::GUEST]",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var envs = new Option<string[]>("--env")
        {
            Description = "Set an environment variable of the program (NAME alone passes the host's value); repeatable",
            HelpName = "NAME=VALUE",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var invoke = new Option<string?>("--invoke") { Description = "Call this export instead of _start", HelpName = "NAME" };
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Stop the program after this many seconds: it traps \"interrupted\" (exit code 134)",
            HelpName = "SECONDS",
        };
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is double s && !(s > 0 && s <= int.MaxValue / 1000.0))
                result.AddError("--timeout takes a positive number of seconds");
        });
        var engine = EngineOption.Create();
        var bounds = EngineOption.CreateBoundsChecks();
        var opt = EngineOption.CreateOptLevel();
        var command = new Command("run", "Run a WebAssembly program (WASI preview1) or call one of its exports")
        {
            file, args, dirs, envs, invoke, timeout, engine, bounds, opt,
        };
        command.SetAction(parse => Run(new RunRequest(parse.GetValue(file)!, parse.GetValue(args) ?? [],
            parse.GetValue(dirs) ?? [], parse.GetValue(envs) ?? [], parse.GetValue(invoke), parse.GetValue(timeout),
            parse.GetValue(engine) ?? "interp", parse.GetValue(bounds) ?? "explicit", parse.GetValue(opt)), Console.Out, Console.Error));
        return command;
    }

    /// <summary>
    /// Command-line tokens for System.CommandLine, with "--" inserted after the module file of a <c>run</c>, so
    /// that the program's arguments (even ones that look like options) reach it untouched.
    /// </summary>
    public static string[] SeparateProgramArguments(string[] args)
    {
        int verb = Array.IndexOf(args, "run");
        if (verb < 0 || args.Take(verb).Any(a => !a.StartsWith('-'))) return args;
        for (int i = verb + 1; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--") return args;
            if (a.StartsWith('-'))
            {
                if (ValueOptions.Contains(a)) i++; // skip the option's value
                continue;
            }
            // args[i] is FILE.
            if (i + 1 >= args.Length) return args;
            return [.. args.AsSpan(0, i + 1), "--", .. args.AsSpan(i + 1)];
        }
        return args;
    }

    public sealed record RunRequest(string Path, string[] Args, string[] Dirs, string[] Envs, string? Invoke, double? Timeout = null,
        string EngineName = "interp", string BoundsChecks = "explicit", int OptLevel = WasmSharp.Llvm.LlvmBackend.DefaultOptLevel);

    private static bool IsLibrary(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> head = stackalloc byte[4];
            return f.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && WasmSharp.Llvm.LlvmBackend.IsLibrary(head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // reading the module reports it
        }
    }

    public static int Run(RunRequest request, TextWriter output, TextWriter error)
    {
        Store? store = null;
        WasiPreview1? wasi = null;
        CancellationTokenSource? deadline = null;
        try
        {
            if (!ParsePreopens(request.Dirs, error, out var preopens) || !ParseEnvironment(request.Envs, error, out var environment))
                return 1;
            // A timeout needs loops that can be stopped: the module is compiled with interruption checks.
            // A library from `wasmsharp compile -o` is native code: it runs on the native engine whatever --engine says.
            string engineName = request.EngineName == "interp" && IsLibrary(request.Path) ? "llvm" : request.EngineName;
            var engine = EngineOption.Build(engineName, interruptible: request.Timeout is not null, out var problem, request.BoundsChecks, request.OptLevel);
            if (engine is null)
            {
                error.WriteLine($"error: {problem}");
                return 1;
            }
            if (ModuleFile.IsComponent(request.Path, out var component))
                return ComponentRun.Run(component, request.Invoke, request.Args, engine, output, error);
            var module = ModuleFile.Load(request.Path, engine);
            // Asked for by name, the native engine says when a module runs on the interpreter instead.
            if (request.EngineName == "llvm" && module.NativeFallback is { } why)
                error.WriteLine($"wasmsharp: running on the interpreter: {why}");

            // With --invoke the arguments are the function's; the program then sees only its name.
            var argv = new List<string> { request.Path };
            if (request.Invoke is null) argv.AddRange(request.Args);
            wasi = new WasiPreview1(new WasiOptions
            {
                Arguments = argv,
                Environment = environment,
                Preopens = preopens,
                Trace = System.Environment.GetEnvironmentVariable("WASMSHARP_TRACE_WASI") is "1" ? Console.Error : null,
            });

            store = new Store(engine) { MaxCallDepth = CallDepth };
            if (request.Timeout is double seconds)
            {
                // From here on: start functions and the program's own run count against the time.
                deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
                deadline.Token.Register(static s => ((Store)s!).Interrupt(), store);
            }
            var linker = wasi.Define(new Linker());
            var instance = linker.Instantiate(store, module);
            bool usesWasi = module.Imports.Any(i => i.Module == WasiPreview1.ModuleName);
            if (usesWasi) wasi.Bind(instance);

            if (request.Invoke is null)
            {
                if (instance.GetFunction(StartFunction) is null)
                {
                    error.WriteLine($"error: the module exports no {StartFunction} function; use --invoke NAME");
                    return 1;
                }
                return usesWasi ? wasi.Run(instance, StartFunction) : Invoke(instance, StartFunction, [], output, error);
            }

            if (instance.GetFunction(InitializeFunction) is { } initialize && initialize.Type.Parameters.Length == 0)
                initialize.Invoke();
            return Invoke(instance, request.Invoke, request.Args, output, error);
        }
        catch (WasiExitException exit)
        {
            return exit.ExitCode;
        }
        catch (TrapException trap)
        {
            if (trap.Code == TrapCode.Interrupted && deadline is not null)
                error.WriteLine($"error: timed out after {request.Timeout} s");
            error.Write(Errors.DescribeTrap(trap));
            return TrapExitCode;
        }
        catch (Exception ex)
        {
            error.WriteLine($"error: {Errors.Describe(ex)}");
            return 1;
        }
        finally
        {
            try
            {
                deadline?.Dispose();
                wasi?.Dispose();
                store?.Dispose();
            }
            catch (Exception) { /* the process ends anyway */ }
        }
    }

    /// <summary>Nested Wasm calls allowed: deep enough for recursive programs (interpreters, parsers) whose
    /// native builds run in an 8 MiB stack.</summary>
    private const int CallDepth = 100_000;

    private static int Invoke(Instance instance, string name, string[] args, TextWriter output, TextWriter error)
    {
        var function = instance.GetFunction(name);
        if (function is null)
        {
            error.WriteLine($"error: the module exports no function named \"{name}\"");
            return 1;
        }
        var parameters = function.Type.Parameters;
        if (args.Length != parameters.Length)
        {
            error.WriteLine($"error: {name} takes {parameters.Length} argument(s) {function.Type}, got {args.Length}");
            return 1;
        }
        var values = new Value[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            try
            {
                values[i] = ValueText.Parse(parameters[i], args[i]);
            }
            catch (FormatException ex)
            {
                error.WriteLine($"error: argument {i + 1}: {ex.Message}");
                return 1;
            }
        }
        foreach (var result in function.Invoke(values)) output.WriteLine(ValueText.Format(result));
        return 0;
    }

    /// <summary>"HOST" or "HOST::GUEST"; the guest name defaults to HOST as written.</summary>
    private static bool ParsePreopens(string[] dirs, TextWriter error, out List<WasiPreopen> preopens)
    {
        preopens = new List<WasiPreopen>();
        foreach (var d in dirs)
        {
            int sep = d.IndexOf("::", StringComparison.Ordinal);
            string host = sep < 0 ? d : d[..sep];
            string guest = sep < 0 ? d : d[(sep + 2)..];
            if (host.Length == 0 || guest.Length == 0)
            {
                error.WriteLine($"error: --dir {d}: expected HOST or HOST::GUEST");
                return false;
            }
            preopens.Add(new WasiPreopen(host, guest));
        }
        return true;
    }

    /// <summary>"NAME=VALUE", or "NAME" for the host's value (skipped if the host has none).</summary>
    private static bool ParseEnvironment(string[] envs, TextWriter error, out List<KeyValuePair<string, string>> environment)
    {
        environment = new List<KeyValuePair<string, string>>();
        foreach (var e in envs)
        {
            int eq = e.IndexOf('=');
            string name = eq < 0 ? e : e[..eq];
            if (name.Length == 0)
            {
                error.WriteLine($"error: --env {e}: expected NAME=VALUE");
                return false;
            }
            string? value = eq < 0 ? System.Environment.GetEnvironmentVariable(name) : e[(eq + 1)..];
            if (value is not null) environment.Add(new(name, value));
        }
        return true;
    }
}
