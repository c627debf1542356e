using System.Runtime.ExceptionServices;

namespace WasmSharp.Text.Wast;

/// <summary>A parsed .wast script: its commands in order, and the error that ended parsing early, if any.</summary>
internal sealed class WastScript(IReadOnlyList<WastCommand> commands, MalformedTextException? error)
{
    public IReadOnlyList<WastCommand> Commands { get; } = commands;

    /// <summary>Why the script could not be read past its last command (a lexical error, or a command that is not
    /// well formed), or null when it was read to the end. The commands before it are complete.</summary>
    public MalformedTextException? Error { get; } = error;
}

/// <summary>How a script gives a module (or a component).</summary>
internal enum ModuleFormat : byte
{
    /// <summary><c>(module field*)</c>: text, compiled while the script is parsed.</summary>
    Text,
    /// <summary><c>(module binary "..."*)</c>: the bytes of a binary module (maybe malformed).</summary>
    Binary,
    /// <summary><c>(module quote "..."*)</c>: the source of a text module (maybe malformed), compiled when used.</summary>
    Quote,
}

/// <summary>A module of a script, in any of its three forms. <see cref="ToBinary"/> gives its binary, or throws why
/// the text is not a module.</summary>
internal sealed class WastModule
{
    private readonly byte[]? _bytes;
    private readonly Exception? _error;

    /// <summary>For a quoted component: the component text format, which compiles it.</summary>
    private readonly IComponentText? _components;

    private WastModule(int line, string? id, bool isDefinition, ModuleFormat format, byte[]? bytes, Exception? error, bool isComponent,
        IComponentText? components = null)
    {
        Line = line;
        Id = id;
        IsDefinition = isDefinition;
        Format = format;
        _bytes = bytes;
        _error = error;
        IsComponent = isComponent;
        _components = components;
    }

    /// <summary>A text module (or component) compiled to <paramref name="binary"/>.</summary>
    public static WastModule FromText(int line, string? id, bool isDefinition, byte[] binary, bool isComponent = false) =>
        new(line, id, isDefinition, ModuleFormat.Text, binary, null, isComponent);

    /// <summary>A text module that did not compile: <paramref name="error"/> is a <see cref="MalformedTextException"/>,
    /// or whatever else the module parser threw.</summary>
    public static WastModule FromTextError(int line, string? id, bool isDefinition, Exception error, bool isComponent = false) =>
        new(line, id, isDefinition, ModuleFormat.Text, null, error, isComponent);

    public static WastModule FromBinary(int line, string? id, bool isDefinition, byte[] bytes, bool isComponent = false) =>
        new(line, id, isDefinition, ModuleFormat.Binary, bytes, null, isComponent);

    /// <summary>A quoted module, or with <paramref name="components"/> a quoted component, compiled by it when
    /// used.</summary>
    public static WastModule FromQuote(int line, string? id, bool isDefinition, byte[] source, IComponentText? components = null) =>
        new(line, id, isDefinition, ModuleFormat.Quote, source, null, components is not null, components);

    /// <summary>Line of the <c>module</c> keyword.</summary>
    public int Line { get; }
    /// <summary>The module's <c>$name</c> (with its <c>$</c>), or null.</summary>
    public string? Id { get; }
    /// <summary><c>(module definition ...)</c>: defined only; <c>(module instance ...)</c> makes instances of it.</summary>
    public bool IsDefinition { get; }
    public ModuleFormat Format { get; }
    /// <summary>A <c>(component ...)</c>: its binary is a component's (layer 1), not a core module's.</summary>
    public bool IsComponent { get; }

    /// <summary>For <see cref="ModuleFormat.Quote"/>: the text (the strings concatenated), else null.</summary>
    public byte[]? QuoteSource => Format == ModuleFormat.Quote ? _bytes : null;

    /// <summary>The error of a text module that did not compile, else null.</summary>
    public Exception? TextError => _error;

    /// <summary>The binary module. Throws <see cref="MalformedTextException"/> when the text (or quoted text) is not a
    /// well-formed module, or rethrows what the module parser threw for it.</summary>
    public byte[] ToBinary()
    {
        if (_error is not null) ExceptionDispatchInfo.Throw(_error);
        if (Format != ModuleFormat.Quote) return _bytes!;
        return _components is not null ? _components.ParseFile(_bytes!) : ModuleParser.ParseFile(_bytes!);
    }
}

/// <summary><c>(invoke $m? "name" const*)</c> or <c>(get $m? "name")</c>.</summary>
/// <param name="IsGet">A get (of a global) rather than an invoke.</param>
/// <param name="Module">The module's <c>$name</c>, or null for the most recent one.</param>
/// <param name="Name">The export's name.</param>
/// <param name="Args">Invoke's arguments; empty for get.</param>
internal sealed record WastAction(bool IsGet, string? Module, string Name, WastValue[] Args)
{
    public bool Equals(WastAction? other) => other is not null && IsGet == other.IsGet && Module == other.Module && Name == other.Name && Args.AsSpan().SequenceEqual(other.Args);
    public override int GetHashCode() => HashCode.Combine(IsGet, Module, Name);
}

/// <summary>One command of a script. <see cref="Line"/> is where a failure is reported: for an assertion the line of
/// its action or module, otherwise of the command's keyword (the lines wabt's wast2json gave, so failure lists stay
/// comparable).</summary>
internal abstract record WastCommand(int Line)
{
    /// <summary>The command's name in reports: "module", "register", "action", "assert_return", ...</summary>
    public abstract string Kind { get; }
}

/// <summary>A module (or component): instantiated and made current, or with <see cref="WastModule.IsDefinition"/> only
/// defined.</summary>
internal sealed record ModuleCommand(int Line, WastModule Module) : WastCommand(Line)
{
    public override string Kind => (Module.IsComponent ? "component" : "module") + (Module.IsDefinition ? " definition" : "");
}

/// <summary><c>(module instance $id? $definition?)</c>, or with <see cref="IsComponent"/> <c>(component instance $id?
/// $definition?)</c>: instantiates a defined module or component (the latest one when no name is given).</summary>
internal sealed record InstanceCommand(int Line, string? Id, string? Definition, bool IsComponent = false) : WastCommand(Line)
{
    public override string Kind => IsComponent ? "component instance" : "module instance";
}

/// <summary><c>(register "as" $m?)</c>: makes a module's exports importable under <see cref="As"/>.</summary>
internal sealed record RegisterCommand(int Line, string As, string? Module) : WastCommand(Line)
{
    public override string Kind => "register";
}

/// <summary>An action on its own: performed, its results ignored; it may not trap.</summary>
internal sealed record ActionCommand(int Line, WastAction Action) : WastCommand(Line)
{
    public override string Kind => "action";
}

/// <summary><c>(assert_return action result*)</c>.</summary>
internal sealed record AssertReturnCommand(int Line, WastAction Action, WastValue[] Expected) : WastCommand(Line)
{
    public override string Kind => "assert_return";

    public bool Equals(AssertReturnCommand? other) => other is not null && Line == other.Line && Action == other.Action && Expected.AsSpan().SequenceEqual(other.Expected);
    public override int GetHashCode() => HashCode.Combine(Line, Action);
}

/// <summary><c>(assert_trap action "message")</c>, or with <see cref="Exhaustion"/> <c>(assert_exhaustion action
/// "message")</c>: the action must trap.</summary>
internal sealed record AssertTrapCommand(int Line, WastAction Action, string Message, bool Exhaustion) : WastCommand(Line)
{
    public override string Kind => Exhaustion ? "assert_exhaustion" : "assert_trap";
}

/// <summary><c>(assert_exception action)</c>: the action must throw a WebAssembly exception that nothing catches
/// (exception handling).</summary>
internal sealed record AssertExceptionCommand(int Line, WastAction Action) : WastCommand(Line)
{
    public override string Kind => "assert_exception";
}

/// <summary>What an assertion on a module expects.</summary>
internal enum ModuleAssertion : byte
{
    /// <summary><c>assert_malformed</c>: the module does not decode (or its text does not parse).</summary>
    Malformed,
    /// <summary><c>assert_invalid</c>: the module decodes but does not validate.</summary>
    Invalid,
    /// <summary><c>assert_unlinkable</c>: the module is valid but its imports cannot be resolved.</summary>
    Unlinkable,
    /// <summary><c>assert_uninstantiable</c>, or <c>assert_trap</c> with a module: instantiation traps (in a start
    /// function or while initialising segments).</summary>
    Uninstantiable,
}

/// <summary><c>(assert_malformed|assert_invalid|assert_unlinkable|assert_uninstantiable module "message")</c>, and
/// <c>(assert_trap module "message")</c> as <see cref="ModuleAssertion.Uninstantiable"/>.</summary>
internal sealed record AssertModuleCommand(int Line, ModuleAssertion Expect, WastModule Module, string Message) : WastCommand(Line)
{
    public override string Kind => Expect switch
    {
        ModuleAssertion.Malformed => "assert_malformed",
        ModuleAssertion.Invalid => "assert_invalid",
        ModuleAssertion.Unlinkable => "assert_unlinkable",
        _ => "assert_uninstantiable",
    };
}

/// <summary>A command this parser recognises but does not read (a meta command such as <c>script</c> or
/// <c>input</c>, or a proposal's <c>thread</c> or <c>wait</c>): skipped whole, so the rest
/// of the script still runs.</summary>
internal sealed record UnsupportedCommand(int Line, string Name) : WastCommand(Line)
{
    public override string Kind => Name;
}
