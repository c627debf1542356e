using System.Diagnostics;
using WasmSharp.Components.Binary;
using WasmSharp.Components.Runtime;
using WasmSharp.Text;
using WasmSharp.Text.Wast;

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

/// <summary>Runs the commands of one parsed script in one <see cref="Store"/>. Every command is guarded: any
/// exception, also from unfinished parts of the library, is a failure of that command and the script goes on.</summary>
internal sealed partial class ScriptRunner
{
    /// <summary>Thrown for a failed check whose message says everything.</summary>
    private sealed class CheckFailed(string message) : Exception(message);

    /// <summary>A command that needs what WasmSharp does not implement yet (a <see cref="NotSupportedException"/>,
    /// here or in a module it uses): skipped, with the reason.</summary>
    private sealed class SkipCommand(string reason) : Exception(reason);

    /// <summary>The skip reason of <paramref name="e"/>.</summary>
    private static string NotSupported(NotSupportedException e) => "not supported yet: " + e.Message;

    /// <summary>A module or component command that met <paramref name="e"/>: skipped, and so are the commands on
    /// what it was to make (<see cref="SkipCommand"/>).</summary>
    private Outcome SkipUnsupported(string? id, bool isComponent, NotSupportedException e)
    {
        SetCurrent(id, new Loaded(null, null, IsComponent: isComponent, Unsupported: NotSupported(e)));
        return Outcome.Skip(NotSupported(e));
    }

    /// <summary>The outcome of a module command: an instance, or why there is none.</summary>
    private sealed record Loaded(Instance? Instance, string? Failure, ComponentInstance? Component = null, bool IsComponent = false,
        string? Unsupported = null);

    private readonly WastScript _script;
    private readonly WastOptions _options;
    private readonly FileResult _result;
    private readonly HostRefs _refs = new();
    private readonly Dictionary<string, Loaded> _named = new(StringComparer.Ordinal);
    private Loaded? _current;
    /// <summary>The outcome of a <c>(module definition ...)</c>: a module, or why there is none.</summary>
    private sealed record Defined(Module? Module, string? Failure, ComponentInfo? Component = null);

    /// <summary>Module definitions by name, and the latest one.</summary>
    private readonly Dictionary<string, Defined> _definitions = new(StringComparer.Ordinal);
    private Defined? _lastDefinition;

    private Store? _store;
    private Linker? _linker;
    private SpecTestHost? _spectest;
    private string? _setupError;

    public ScriptRunner(WastScript script, WastOptions options, FileResult result)
    {
        _script = script;
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
            // The commands before a syntax error have run; the rest of the script is one failure.
            if (_script.Error is { } error) _result.Fail(error.Line, "script", error.Message);
        }
        finally
        {
            try { _store?.Dispose(); } catch (Exception ex) { _result.Notes.Add("Store.Dispose failed: " + Describe(ex)); }
        }
    }

    private void RunCommand(WastCommand cmd)
    {
        var label = ActionOf(cmd) is { } a ? $"{cmd.Kind} \"{a.Name}\"" : cmd.Kind;
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
        catch (SkipCommand skip)
        {
            _result.Skip(skip.Message);
        }
        catch (NotSupportedException ex)
        {
            _result.Skip(NotSupported(ex));
        }
        catch (Exception ex)
        {
            _result.Fail(cmd.Line, label, Describe(ex));
        }
    }

    private static WastAction? ActionOf(WastCommand cmd) => cmd switch
    {
        ActionCommand c => c.Action,
        AssertReturnCommand c => c.Action,
        AssertTrapCommand c => c.Action,
        AssertExceptionCommand c => c.Action,
        _ => null,
    };

    private Outcome Execute(WastCommand cmd) => cmd switch
    {
        ModuleCommand { Module.IsComponent: true } c => LoadComponent(c),
        AssertModuleCommand { Module.IsComponent: true } c => ExpectComponentError(c),
        ActionCommand c when IsComponentAction(c.Action) => RunComponentAction(c.Action),
        AssertReturnCommand c when IsComponentAction(c.Action) => AssertComponentReturn(c.Action, c.Expected),
        ModuleCommand c => LoadModule(c),
        InstanceCommand c => InstantiateDefinition(c),
        RegisterCommand c => Register(c),
        ActionCommand c => RunAction(c.Action),
        AssertReturnCommand c => AssertReturn(c.Action, c.Expected),
        AssertTrapCommand c => AssertTrap(c.Action, c.Message),
        AssertExceptionCommand c => AssertException(c.Action),
        AssertModuleCommand { Expect: ModuleAssertion.Malformed } c => ExpectDecodeError(c, malformed: true),
        AssertModuleCommand { Expect: ModuleAssertion.Invalid } c => ExpectDecodeError(c, malformed: false),
        AssertModuleCommand { Expect: ModuleAssertion.Unlinkable } c => ExpectInstantiationError<LinkException>(c, "link error", e => e.Reason),
        AssertModuleCommand c => ExpectInstantiationError<TrapException>(c, "trap", e => e.Message),
        UnsupportedCommand c => Outcome.Skip($"unsupported command '{c.Name}'"),
        _ => Outcome.Skip($"unknown command '{cmd.Kind}'"),
    };

    // ---- modules ----

    private Outcome LoadModule(ModuleCommand cmd)
    {
        var id = cmd.Module.Id;
        bool definition = cmd.Module.IsDefinition;
        try
        {
            var module = ReadModule(cmd.Module);
            if (definition) SetDefinition(id, new Defined(module, null));
            else SetCurrent(id, new Loaded(Instantiate(module), null));
            return Outcome.Pass();
        }
        catch (NotSupportedException ex) when (!definition)
        {
            return SkipUnsupported(id, isComponent: false, ex);
        }
        catch (Exception ex)
        {
            var why = Describe(ex) + LinkHint(ex);
            if (definition) SetDefinition(id, new Defined(null, $"module definition at line {cmd.Line} failed: {why}"));
            else SetCurrent(id, new Loaded(null, $"module at line {cmd.Line} failed to load: {why}"));
            return Outcome.Fail(why);
        }
    }

    private void SetDefinition(string? id, Defined defined)
    {
        _lastDefinition = defined;
        if (id is not null) _definitions[id] = defined;
    }

    private Outcome InstantiateDefinition(InstanceCommand cmd)
    {
        var definition = cmd.Definition is null ? _lastDefinition : _definitions.GetValueOrDefault(cmd.Definition);
        try
        {
            if (definition is null)
                throw new CheckFailed(cmd.Definition is null ? "no module definition yet" : $"unknown module definition {cmd.Definition}");
            if (cmd.IsComponent)
            {
                var component = definition.Component ?? throw new CheckFailed(definition.Failure ?? "component definition failed");
                SetCurrent(cmd.Id, new Loaded(null, null, InstantiateComponent(component), IsComponent: true));
                return Outcome.Pass();
            }
            var module = definition.Module ?? throw new CheckFailed(definition.Failure ?? "module definition failed");
            SetCurrent(cmd.Id, new Loaded(Instantiate(module), null));
            return Outcome.Pass();
        }
        catch (NotSupportedException ex)
        {
            return SkipUnsupported(cmd.Id, cmd.IsComponent, ex);
        }
        catch (Exception ex)
        {
            var why = Describe(ex) + LinkHint(ex);
            SetCurrent(cmd.Id, new Loaded(null, $"{cmd.Kind} at line {cmd.Line} failed: {why}", IsComponent: cmd.IsComponent));
            return Outcome.Fail(why);
        }
    }

    private void SetCurrent(string? id, Loaded loaded)
    {
        _current = loaded;
        if (id is not null) _named[id] = loaded;
    }

    private Outcome Register(RegisterCommand cmd)
    {
        Linker.DefineInstance(cmd.As, Resolve(cmd.Module));
        return Outcome.Pass();
    }

    private Instance Resolve(string? name)
    {
        Loaded? loaded = name is null ? _current : _named.GetValueOrDefault(name);
        if (loaded is null) throw new CheckFailed(name is null ? "no module defined yet" : $"unknown module {name}");
        if (loaded.Unsupported is string reason) throw new SkipCommand(reason);
        return loaded.Instance ?? throw new CheckFailed(loaded.Failure ?? "module failed to load");
    }

    private Linker Linker => _linker ?? throw new CheckFailed(_setupError ?? "no linker");
    private Store Store => _store ?? throw new CheckFailed(_setupError ?? "no store");

    private Instance Instantiate(Module module) => Linker.Instantiate(Store, module);

    /// <summary>Compiles a script module: its text (quoted text is parsed here, so that a malformed one is the
    /// command's result), then the binary.</summary>
    private Module ReadModule(WastModule source)
    {
        var module = Module.FromBytes(_options.Engine, source.ToBinary());
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

    /// <summary>Points at spectest items that could not be created when linking fails.</summary>
    private string LinkHint(Exception ex) =>
        ex is LinkException && _spectest is { Errors.Count: > 0 } s ? $" (spectest incomplete: {s.Errors[0]})" : "";

    // ---- actions ----

    private Value[] Perform(WastAction action)
    {
        var instance = Resolve(action.Module);
        if (action.IsGet)
        {
            var g = instance.GetGlobal(action.Name)
                    ?? throw new CheckFailed($"no exported global \"{action.Name}\"");
            return [g.Value];
        }
        var f = instance.GetFunction(action.Name)
                ?? throw new CheckFailed($"no exported function \"{action.Name}\"");
        var args = action.Args.Select(v => WastValues.ToValue(v, _refs)).ToArray();
        return f.Invoke(args);
    }

    private Outcome RunAction(WastAction action)
    {
        Perform(action);
        return Outcome.Pass();
    }

    private Outcome AssertReturn(WastAction action, WastValue[] expected)
    {
        var results = Perform(action);
        if (results.Length != expected.Length)
            return Outcome.Fail($"expected {expected.Length} results [{string.Join(", ", expected.Select(WastValues.Describe))}], got {results.Length} [{string.Join(", ", results.Select(r => WastValues.Describe(r)))}]");
        var wrong = new List<string>();
        for (int i = 0; i < results.Length; i++)
        {
            if (!WastValues.Matches(expected[i], results[i], _refs))
                wrong.Add($"result {i}: expected {WastValues.Describe(expected[i])}, got {WastValues.Describe(results[i], expected[i])}");
        }
        return wrong.Count == 0 ? Outcome.Pass() : Outcome.Fail(string.Join("; ", wrong));
    }

    /// <summary>assert_trap and assert_exhaustion, on a module's or a component's function.</summary>
    private Outcome AssertTrap(WastAction action, string text) =>
        ExpectAbrupt<TrapException>(action, $"trap \"{text}\"", trap => Outcome.PassChecking(text, trap.Message));

    /// <summary>assert_exception: a WebAssembly exception that nothing caught leaves the call.</summary>
    private Outcome AssertException(WastAction action) =>
        ExpectAbrupt<UncaughtWasmException>(action, "an uncaught exception", _ => Outcome.Pass());

    /// <summary>Performs <paramref name="action"/>, which must end abruptly with <typeparamref name="T"/> (a trap, an
    /// uncaught exception), judged by <paramref name="passed"/>. Returning, or ending with the other of the two, fails
    /// the command, saying what <paramref name="expected"/> and what happened.</summary>
    private Outcome ExpectAbrupt<T>(WastAction action, string expected, Func<T, Outcome> passed) where T : WasmException
    {
        string returned;
        try
        {
            returned = IsComponentAction(action) ? DescribeComponentResult(PerformComponent(action).Result)
                : $"[{string.Join(", ", Perform(action).Select(r => WastValues.Describe(r)))}]";
        }
        catch (T e)
        {
            return passed(e);
        }
        catch (WasmException e) when (e is TrapException or UncaughtWasmException)
        {
            return Outcome.Fail($"expected {expected}, got {Describe(e)}");
        }
        return Outcome.Fail($"expected {expected}, returned {returned}");
    }

    // ---- assertions on modules ----

    private Outcome ExpectDecodeError(AssertModuleCommand cmd, bool malformed)
    {
        var kind = malformed ? "malformed" : "invalid";
        try
        {
            Module.FromBytes(_options.Engine, cmd.Module.ToBinary());
        }
        catch (MalformedTextException ex) when (malformed)
        {
            return Outcome.PassChecking(cmd.Message, ex.Reason);
        }
        catch (MalformedModuleException ex) when (malformed)
        {
            return Outcome.PassChecking(cmd.Message, ex.Reason);
        }
        catch (InvalidModuleException ex) when (!malformed)
        {
            return Outcome.PassChecking(cmd.Message, ex.Reason);
        }
        catch (NotSupportedException ex)
        {
            return Outcome.Skip(NotSupported(ex));
        }
        catch (Exception ex)
        {
            return Outcome.Fail($"expected {kind} module \"{cmd.Message}\", got {Describe(ex)}");
        }
        return Outcome.Fail($"expected {kind} module \"{cmd.Message}\", but it {(cmd.Module.Format == ModuleFormat.Binary ? "decoded" : "parsed")} and validated");
    }

    private Outcome ExpectInstantiationError<T>(AssertModuleCommand cmd, string kind, Func<T, string> message) where T : Exception
    {
        var module = ReadModule(cmd.Module); // must parse, decode and validate; an exception here is a failure
        try
        {
            Instantiate(module);
        }
        catch (T ex)
        {
            return Outcome.PassChecking(cmd.Message, message(ex));
        }
        catch (Exception ex)
        {
            return Outcome.Fail($"expected {kind} \"{cmd.Message}\", got {Describe(ex)}");
        }
        return Outcome.Fail($"expected {kind} \"{cmd.Message}\", but the module instantiated");
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
            case UncaughtWasmException: return ex.Message;
            case MalformedModuleException: return $"malformed: {ex.Message}";
            case MalformedTextException: return $"malformed text: {ex.Message}";
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
