using System.Diagnostics;

namespace WasmSharp.Cli.Wast;

/// <summary>Options of <c>wasmsharp wast</c>.</summary>
internal sealed record WastOptions
{
    public bool Verbose { get; init; }
    public int Jobs { get; init; } = Environment.ProcessorCount;
    /// <summary>Failures printed per file without --verbose.</summary>
    public int ShownFailures { get; init; } = 3;
    /// <summary>Compiles the modules and makes the stores (<c>--engine</c>).</summary>
    public Engine Engine { get; init; } = Engine.Default;
    /// <summary>Why modules ran on the interpreter under a native engine, counted (shared by the scripts).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> NativeFallbacks { get; } = new();
    /// <summary>Modules compiled to native code.</summary>
    public int NativeModules => _native;
    internal int _native;
}

/// <summary>Runs the commands of one converted script in one <see cref="Store"/>. Every command is guarded: any
/// exception, also from unfinished parts of the library, is a failure of that command and the script goes on.</summary>
internal sealed class ScriptRunner
{
    public const string TextModuleReason = "text-format module (module quote)";

    /// <summary>Thrown for a failed check whose message says everything.</summary>
    private sealed class CheckFailed(string message) : Exception(message);

    /// <summary>The outcome of a module command: an instance, or why there is none.</summary>
    private sealed record Loaded(Instance? Instance, string? Failure);

    private readonly WastScript _script;
    private readonly string _dir;
    private readonly WastOptions _options;
    private readonly FileResult _result;
    private readonly HostRefs _refs = new();
    private readonly Dictionary<string, Loaded> _named = new(StringComparer.Ordinal);
    private Loaded? _current;

    private Store? _store;
    private Linker? _linker;
    private SpecTestHost? _spectest;
    private string? _setupError;

    public ScriptRunner(WastScript script, string dir, WastOptions options, FileResult result)
    {
        _script = script;
        _dir = dir;
        _options = options;
        _result = result;
    }

    public void Run()
    {
        try
        {
            _store = new Store(_options.Engine);
            _linker = new Linker();
            _spectest = new SpecTestHost(_store, _linker);
        }
        catch (Exception ex)
        {
            _setupError = "store/linker setup failed: " + Describe(ex);
        }

        try
        {
            foreach (var command in _script.Commands) RunCommand(command);
        }
        finally
        {
            try { _store?.Dispose(); } catch (Exception ex) { _result.Notes.Add("Store.Dispose failed: " + Describe(ex)); }
        }
    }

    private void RunCommand(WastCommand cmd)
    {
        var label = cmd.Action is { } a ? $"{cmd.Type} \"{a.Field}\"" : cmd.Type;
        try
        {
            var outcome = Execute(cmd);
            switch (outcome.Kind)
            {
                case OutcomeKind.Pass:
                    _result.Pass();
                    if (outcome.Detail is not null) _result.Mismatch(cmd.Line, label, outcome.Detail);
                    break;
                case OutcomeKind.Skip:
                    _result.Skip(outcome.Detail!);
                    break;
                default:
                    _result.Fail(cmd.Line, label, outcome.Detail!);
                    break;
            }
        }
        catch (Exception ex)
        {
            _result.Fail(cmd.Line, label, Describe(ex));
        }
    }

    private Outcome Execute(WastCommand cmd)
    {
        switch (cmd.Type)
        {
            case "module": return LoadModule(cmd);
            case "register": return Register(cmd);
        }
        if (cmd.Action is { } action)
        {
            return cmd.Type switch
            {
                "action" => RunAction(action),
                "assert_return" => AssertReturn(action, cmd.Expected ?? []),
                "assert_trap" or "assert_exhaustion" => AssertTrap(action, cmd.Text),
                _ => Outcome.Skip($"unknown command '{cmd.Type}'"),
            };
        }
        return cmd.Type switch
        {
            "assert_malformed" => ExpectDecodeError(cmd, malformed: true),
            "assert_invalid" => ExpectDecodeError(cmd, malformed: false),
            "assert_unlinkable" => ExpectInstantiationError<LinkException>(cmd, "link error", e => e.Reason),
            "assert_uninstantiable" or "assert_trap" => ExpectInstantiationError<TrapException>(cmd, "trap", e => e.Message),
            _ => Outcome.Skip($"unknown command '{cmd.Type}'"),
        };
    }

    // ---- modules ----

    private Outcome LoadModule(WastCommand cmd)
    {
        if (IsTextModule(cmd)) return Outcome.Skip(TextModuleReason);
        try
        {
            var module = ReadModule(cmd);
            var instance = Instantiate(module);
            SetCurrent(cmd, new Loaded(instance, null));
            return Outcome.Pass();
        }
        catch (Exception ex)
        {
            var why = Describe(ex) + LinkHint(ex);
            SetCurrent(cmd, new Loaded(null, $"module at line {cmd.Line} failed to load: {why}"));
            return Outcome.Fail(why);
        }
    }

    private void SetCurrent(WastCommand cmd, Loaded loaded)
    {
        _current = loaded;
        if (cmd.Name is not null) _named[cmd.Name] = loaded;
    }

    private Outcome Register(WastCommand cmd)
    {
        var instance = Resolve(cmd.Name);
        Linker.DefineInstance(cmd.As ?? throw new CheckFailed("register without \"as\""), instance);
        return Outcome.Pass();
    }

    private Instance Resolve(string? name)
    {
        Loaded? loaded = name is null ? _current : _named.GetValueOrDefault(name);
        if (loaded is null) throw new CheckFailed(name is null ? "no module defined yet" : $"unknown module {name}");
        return loaded.Instance ?? throw new CheckFailed(loaded.Failure ?? "module failed to load");
    }

    private Linker Linker => _linker ?? throw new CheckFailed(_setupError ?? "no linker");
    private Store Store => _store ?? throw new CheckFailed(_setupError ?? "no store");

    private Instance Instantiate(Module module) => Linker.Instantiate(Store, module);

    private static bool IsTextModule(WastCommand cmd) =>
        cmd.ModuleType == "text" || (cmd.Filename?.EndsWith(".wat", StringComparison.OrdinalIgnoreCase) ?? false);

    private Module ReadModule(WastCommand cmd)
    {
        var module = Module.FromBytes(_options.Engine, ReadBytes(cmd));
        if (_options.Engine.Config.Native is not null)
        {
            if (module.NativeFallback is { } why)
            {
                // Counted by kind: "opcode 0x44 (function 3, offset 0x17)" as "opcode 0x44".
                why = System.Text.RegularExpressions.Regex.Replace(why, @" \(function \d+, offset 0x[0-9a-f]+\)", "");
                _options.NativeFallbacks.AddOrUpdate(why, 1, (_, n) => n + 1);
            }
            else Interlocked.Increment(ref _options._native);
        }
        return module;
    }

    private byte[] ReadBytes(WastCommand cmd)
    {
        var file = cmd.Filename ?? throw new CheckFailed("command without a module file");
        return File.ReadAllBytes(Path.Combine(_dir, file));
    }

    /// <summary>Points at spectest items that could not be created when linking fails.</summary>
    private string LinkHint(Exception ex) =>
        ex is LinkException && _spectest is { Errors.Count: > 0 } s ? $" (spectest incomplete: {s.Errors[0]})" : "";

    // ---- actions ----

    private Value[] Perform(WastAction action)
    {
        var instance = Resolve(action.Module);
        switch (action.Type)
        {
            case "invoke":
            {
                var f = instance.GetFunction(action.Field)
                        ?? throw new CheckFailed($"no exported function \"{action.Field}\"");
                var args = action.Args?.Select(v => WastValues.ToValue(v, _refs)).ToArray() ?? [];
                return f.Invoke(args);
            }
            case "get":
            {
                var g = instance.GetGlobal(action.Field)
                        ?? throw new CheckFailed($"no exported global \"{action.Field}\"");
                return [g.Value];
            }
            default:
                throw new CheckFailed($"unknown action type '{action.Type}'");
        }
    }

    private Outcome RunAction(WastAction action)
    {
        Perform(action);
        return Outcome.Pass();
    }

    private Outcome AssertReturn(WastAction action, List<WastValue> expected)
    {
        var results = Perform(action);
        if (results.Length != expected.Count)
            return Outcome.Fail($"expected {expected.Count} results [{string.Join(", ", expected)}], got {results.Length} [{string.Join(", ", results.Select(r => WastValues.Describe(r)))}]");
        var wrong = new List<string>();
        for (int i = 0; i < results.Length; i++)
        {
            if (!WastValues.Matches(expected[i], results[i], _refs))
                wrong.Add($"result {i}: expected {expected[i]}, got {WastValues.Describe(results[i], expected[i])}");
        }
        return wrong.Count == 0 ? Outcome.Pass() : Outcome.Fail(string.Join("; ", wrong));
    }

    private Outcome AssertTrap(WastAction action, string? text)
    {
        Value[] results;
        try
        {
            results = Perform(action);
        }
        catch (TrapException trap)
        {
            return Outcome.PassChecking(text, trap.Message);
        }
        return Outcome.Fail($"expected trap \"{text}\", returned [{string.Join(", ", results.Select(r => WastValues.Describe(r)))}]");
    }

    // ---- assertions on modules ----

    private Outcome ExpectDecodeError(WastCommand cmd, bool malformed)
    {
        if (IsTextModule(cmd)) return Outcome.Skip(TextModuleReason);
        var kind = malformed ? "malformed" : "invalid";
        var bytes = ReadBytes(cmd);
        try
        {
            Module.FromBytes(_options.Engine, bytes);
        }
        catch (MalformedModuleException ex) when (malformed)
        {
            return Outcome.PassChecking(cmd.Text, ex.Reason);
        }
        catch (InvalidModuleException ex) when (!malformed)
        {
            return Outcome.PassChecking(cmd.Text, ex.Reason);
        }
        catch (Exception ex)
        {
            return Outcome.Fail($"expected {kind} module \"{cmd.Text}\", got {Describe(ex)}");
        }
        return Outcome.Fail($"expected {kind} module \"{cmd.Text}\", but it decoded and validated");
    }

    private Outcome ExpectInstantiationError<T>(WastCommand cmd, string kind, Func<T, string> message) where T : Exception
    {
        if (IsTextModule(cmd)) return Outcome.Skip(TextModuleReason);
        var module = ReadModule(cmd); // must decode and validate; an exception here is a failure
        try
        {
            Instantiate(module);
        }
        catch (T ex)
        {
            return Outcome.PassChecking(cmd.Text, message(ex));
        }
        catch (Exception ex)
        {
            return Outcome.Fail($"expected {kind} \"{cmd.Text}\", got {Describe(ex)}");
        }
        return Outcome.Fail($"expected {kind} \"{cmd.Text}\", but the module instantiated");
    }

    // ---- helpers ----

    /// <summary>Whether a message is the expected one: equal, or either a prefix of the other.</summary>
    public static bool MessageMatches(string? expected, string? actual)
    {
        if (string.IsNullOrEmpty(expected)) return true;
        if (string.IsNullOrEmpty(actual)) return false;
        return actual.StartsWith(expected, StringComparison.Ordinal) || expected.StartsWith(actual, StringComparison.Ordinal);
    }

    /// <summary>An exception as one line: spec errors by kind and message, anything else by type, message and
    /// the method that threw it (so NotImplementedException names the missing piece).</summary>
    public static string Describe(Exception ex)
    {
        switch (ex)
        {
            case CheckFailed: return ex.Message;
            case TrapException: return $"trap: {ex.Message}";
            case MalformedModuleException: return $"malformed: {ex.Message}";
            case InvalidModuleException: return $"invalid: {ex.Message}";
            case LinkException: return $"link error: {ex.Message}";
        }
        var method = new StackTrace(ex).GetFrame(0)?.GetMethod();
        var where = method is null ? "" : $" (in {method.DeclaringType?.Name}.{method.Name})";
        return $"{ex.GetType().Name}: {ex.Message}{where}";
    }

    private enum OutcomeKind { Fail, Pass, Skip }

    /// <summary>Pass (Detail: a message mismatch, or null), Fail (Detail: why) or Skip (Detail: reason).</summary>
    private readonly record struct Outcome(OutcomeKind Kind, string? Detail)
    {
        public static Outcome Pass() => new(OutcomeKind.Pass, null);
        public static Outcome Fail(string why) => new(OutcomeKind.Fail, why);
        public static Outcome Skip(string reason) => new(OutcomeKind.Skip, reason);

        public static Outcome PassChecking(string? expected, string? actual) =>
            MessageMatches(expected, actual)
                ? Pass()
                : new(OutcomeKind.Pass, $"message mismatch: expected \"{expected}\", got \"{actual}\"");
    }
}
