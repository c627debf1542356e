using System.Globalization;
using System.Text;
using WasmSharp.Binary;

namespace WasmSharp.Text;

/// <summary>
/// Binary modules to the text format: one <c>(module ...)</c>, a field per line, function bodies as flat
/// instructions indented by block depth, in the layout wabt's wasm2wat made familiar. What it prints,
/// <see cref="ModuleParser"/> reads back to the same definitions: every index is written as it is (type uses as
/// <c>(type N)</c>, block types by index where the binary has one, table and segment operands explicitly), floats
/// as exact hex literals with NaN payloads, segments in a form whose encoding is the binary's or its smallest
/// equivalent. Function names come from the name section; custom sections are not printed.
/// </summary>
internal sealed partial class Printer
{
    private readonly ModuleInfo _m;
    private readonly StringBuilder _s;
    /// <summary>The identifier (with its <c>$</c>, ready to print) of each named function, by function index.</summary>
    private readonly Dictionary<uint, string> _functionIds = [];
    /// <summary>The identifiers of the current function's named locals (parameters included), by index.</summary>
    private readonly Dictionary<uint, string> _localIds = [];
    private readonly bool _names;

    /// <summary>Where the text goes when it is not kept whole: <see cref="_s"/> is handed on in pieces.</summary>
    private readonly TextWriter? _writer;
    private const int FlushSize = 1 << 20;

    private Printer(ModuleInfo module, StringBuilder output, TextWriter? writer, bool names)
    {
        _m = module;
        _s = output;
        _writer = writer;
        _names = names;
        if (names) NameFunctions();
    }

    /// <summary>The text of binary module <paramref name="binary"/>. Throws what <see cref="ModuleReader"/> throws
    /// for input it rejects, and <see cref="MalformedModuleException"/> for a function body that cannot be decoded.
    /// Without <paramref name="names"/>, functions are printed by index even where the name section names them.</summary>
    public static string Print(ReadOnlyMemory<byte> binary, bool names = true)
    {
        var module = ModuleReader.Read(binary);
        // The text is some 4 to 20 times the binary; a first chunk of 4 times, up to 64 M characters (a chunk is one array).
        var s = new StringBuilder((int)Math.Min(1 << 26, 64 + 4L * binary.Length));
        new Printer(module, s, null, names).Module();
        return s.ToString();
    }

    /// <summary>As <see cref="Print(ReadOnlyMemory{byte}, bool)"/>, written to <paramref name="writer"/> as it is
    /// printed (a large module's text can be many times its size). Nothing is written when the module cannot
    /// be read; a body that cannot be decoded fails part way.</summary>
    public static void Print(ReadOnlyMemory<byte> binary, TextWriter writer, bool names = true)
    {
        var module = ModuleReader.Read(binary);
        var printer = new Printer(module, new StringBuilder(FlushSize + FlushSize / 4), writer, names);
        printer.Module();
        printer.Flush();
    }

    /// <summary>Hands the text so far to the writer, if there is one and enough has gathered. Called at the start
    /// of a line; the newline before it stays, as <see cref="Close"/> may take it back.</summary>
    private void MaybeFlush()
    {
        if (_writer is not null && _s.Length >= FlushSize) Flush(keepNewline: true);
    }

    private void Flush(bool keepNewline = false)
    {
        if (_writer is null) return;
        bool newline = keepNewline && _s.Length > 0 && _s[^1] == '\n';
        if (newline) _s.Length--;
        foreach (var chunk in _s.GetChunks()) _writer.Write(chunk.Span);
        _s.Clear();
        if (newline) _s.Append('\n');
    }

    private void Module()
    {
        _s.Append("(module");
        if (_m.ModuleName is { Length: > 0 } name) _s.Append(' ').Append(Id(name));
        _s.Append('\n');
        Types();
        Imports();
        Functions();
        Definitions("(table ", _m.Tables, _m.ImportedTableCount, TableType);
        Definitions("(memory ", _m.Memories, _m.ImportedMemoryCount, MemoryType);
        Definitions("(tag ", _m.Tags, _m.ImportedTagCount, TypeUse); // a tag's type is a type use
        Globals();
        Exports();
        if (_m.Start is uint start)
        {
            Field("(start ");
            Function(start);
            _s.Append(")\n");
        }
        Elements();
        Data();
        CustomSections();
        Close();
    }

    /// <summary>Custom sections other than the name section (whose names the ids carry) as annotations,
    /// <c>(@custom "name" (after type) "...")</c>, placed after the section they follow in the binary, so that the
    /// parser puts them back there.</summary>
    private void CustomSections()
    {
        if (_m.CustomSections.TrueForAll(c => c.Name == "name")) return;
        // The standard section each custom section follows, in file order (the order of _m.CustomSections): the
        // section headers, walked once. The module was read already, so the headers are well formed.
        var anchors = new List<byte?>();
        var r = new WasmReader(_m.Bytes.Span);
        r.Position = 8;
        byte? last = null;
        while (!r.AtEnd)
        {
            byte id = r.ReadByte();
            int size = r.ReadLength();
            // An empty section (a count of 0) is not written back by the parser, so it cannot be an anchor.
            if (id == 0) anchors.Add(last);
            else if (!(size == 1 && r.Data[r.Position] == 0)) last = id;
            r.Skip(size);
        }
        for (int i = 0; i < _m.CustomSections.Count; i++)
        {
            var c = _m.CustomSections[i];
            if (c.Name == "name") continue;
            Field("(@custom ");
            Name(c.Name);
            string place = anchors[i] is byte id ? "(after " + Array.Find(ModuleParser.Sections, x => x.Id == id).Name + ")" : "(before first)";
            _s.Append(' ').Append(place).Append(' ');
            Bytes(c.Data.Span);
            _s.Append(")\n");
        }
    }

    /// <summary>Closes the form whose last line was just written, on that line, as wabt does.</summary>
    private void Close()
    {
        if (_s.Length > 0 && _s[^1] == '\n') _s.Length--;
        _s.Append(")\n");
    }

    /// <summary>Starts a module field's line.</summary>
    private StringBuilder Field(string text)
    {
        MaybeFlush();
        return _s.Append("  ").Append(text);
    }

    private void IndexComment(int index) => _s.Append("(;").Append(index).Append(";)");

    // ---- types, imports, definitions ----

    private void Types()
    {
        for (int i = 0; i < _m.Types.Count; i++)
        {
            Field("(type ");
            IndexComment(i);
            _s.Append(" (func");
            Signature(_m.Types[i]);
            _s.Append("))\n");
        }
    }

    /// <summary><c> (param ...) (result ...)</c>, each left out when empty.</summary>
    private void Signature(FunctionType type)
    {
        ValueTypes(" (param", type.Parameters);
        ValueTypes(" (result", type.Results);
    }

    private void ValueTypes(string open, ValueType[] types)
    {
        if (types.Length == 0) return;
        _s.Append(open);
        foreach (var t in types) _s.Append(' ').Append(t.ToText());
        _s.Append(')');
    }

    /// <summary><c> (type N)</c> and its signature, or only the index when there is no such type.</summary>
    private void TypeUse(uint typeIndex)
    {
        _s.Append(" (type ").Append(typeIndex).Append(')');
        if (typeIndex < (uint)_m.Types.Count) Signature(_m.Types[(int)typeIndex]);
    }

    private void Imports()
    {
        int functions = 0, tables = 0, memories = 0, globals = 0, tags = 0;
        foreach (var import in _m.Imports)
        {
            Field("(import ");
            Name(import.Module);
            _s.Append(' ');
            Name(import.Name);
            switch (import.Kind)
            {
                case ExternalKind.Function:
                    _s.Append(" (func ");
                    FunctionHeader((uint)functions++);
                    TypeUse(import.TypeIndex);
                    break;
                case ExternalKind.Table:
                    _s.Append(" (table ");
                    IndexComment(tables++);
                    TableType(import.Table!);
                    break;
                case ExternalKind.Memory:
                    _s.Append(" (memory ");
                    IndexComment(memories++);
                    MemoryType(import.Memory!);
                    break;
                case ExternalKind.Tag:
                    _s.Append(" (tag ");
                    IndexComment(tags++);
                    TypeUse(import.TypeIndex);
                    break;
                default:
                    _s.Append(" (global ");
                    IndexComment(globals++);
                    GlobalType(import.Global!);
                    break;
            }
            _s.Append("))\n");
        }
    }

    /// <summary>A function's identifier, or its index as a comment when it has no name.</summary>
    private void FunctionHeader(uint index)
    {
        if (_functionIds.TryGetValue(index, out var id)) _s.Append(id);
        else IndexComment((int)index);
    }

    private void Functions()
    {
        for (int i = 0; i < _m.Functions.Count; i++)
        {
            uint index = (uint)(_m.ImportedFunctionCount + i);
            Field("(func ");
            FunctionHeader(index);
            var body = _m.Codes[i];
            NameLocals(index);
            uint typeIndex = _m.Functions[i];
            if (typeIndex >= (uint)_m.Types.Count) _localIds.Clear(); // no parameters to name: numbers throughout
            if (_localIds.Count == 0) TypeUse(typeIndex);
            else
            {
                // Named parameters one by one: (type N) (param $a i32) (param i32) (result ...).
                var type = _m.Types[(int)typeIndex];
                _s.Append(" (type ").Append(typeIndex).Append(')');
                for (int p = 0; p < type.Parameters.Length; p++)
                {
                    _s.Append(" (param ");
                    if (_localIds.TryGetValue((uint)p, out var id)) _s.Append(id).Append(' ');
                    _s.Append(type.Parameters[p].ToText()).Append(')');
                }
                ValueTypes(" (result", type.Results);
            }
            _s.Append('\n');
            if (body.TotalLocals > 0)
            {
                uint local = typeIndex < (uint)_m.Types.Count ? (uint)_m.Types[(int)typeIndex].Parameters.Length : 0;
                bool open = false;
                foreach (var (count, type) in body.LocalGroups)
                {
                    string text = type.ToText();
                    for (uint n = 0; n < count; n++, local++)
                    {
                        if (_localIds.TryGetValue(local, out var id))
                        {
                            // A named local is a form of its own.
                            if (open) _s.Append(")\n");
                            _s.Append("    (local ").Append(id).Append(' ').Append(text).Append(")\n");
                            open = false;
                            continue;
                        }
                        _s.Append(open ? " " : "    (local ").Append(text);
                        open = true;
                    }
                }
                if (open) _s.Append(")\n");
            }
            Code(body, index);
            Close();
        }
    }

    /// <summary>The definitions of an index space whose imports come first, a line each: <paramref name="open"/>,
    /// the index as a comment, then <paramref name="type"/> of the definition.</summary>
    private void Definitions<T>(string open, List<T> definitions, int imported, Action<T> type)
    {
        for (int i = 0; i < definitions.Count; i++)
        {
            Field(open);
            IndexComment(imported + i);
            type(definitions[i]);
            _s.Append(")\n");
        }
    }

    private void TableType(TableType type)
    {
        Limits(type.Limits);
        _s.Append(' ').Append(type.ElementType.ToText());
    }

    private void MemoryType(MemoryType type)
    {
        Limits(type.Limits);
        if (type.Shared) _s.Append(" shared");
    }

    private void Limits(Limits limits)
    {
        _s.Append(' ').Append(limits.Min);
        if (limits.Max is ulong max) _s.Append(' ').Append(max);
    }

    private void GlobalType(GlobalType type)
    {
        if (type.Mutable) _s.Append(" (mut ").Append(type.ValueType.ToText()).Append(')');
        else _s.Append(' ').Append(type.ValueType.ToText());
    }

    private void Globals()
    {
        for (int i = 0; i < _m.Globals.Count; i++)
        {
            var global = _m.Globals[i];
            Field("(global ");
            IndexComment(_m.ImportedGlobalCount + i);
            GlobalType(global.Type);
            _s.Append(' ');
            ConstantExpression(global.Init, "");
            _s.Append(")\n");
        }
    }

    private void Exports()
    {
        foreach (var export in _m.Exports)
        {
            Field("(export ");
            Name(export.Name);
            switch (export.Kind)
            {
                case ExternalKind.Function:
                    _s.Append(" (func ");
                    Function(export.Index);
                    break;
                case ExternalKind.Table: _s.Append(" (table ").Append(export.Index); break;
                case ExternalKind.Memory: _s.Append(" (memory ").Append(export.Index); break;
                case ExternalKind.Tag: _s.Append(" (tag ").Append(export.Index); break;
                default: _s.Append(" (global ").Append(export.Index); break;
            }
            _s.Append("))\n");
        }
    }

    // ---- segments ----

    /// <summary>
    /// Element segments: <c>func x*</c> when every item is a function of a funcref segment (the parser then writes
    /// function indices, flags 0 to 3), else the reference type and item expressions; the table only when it is not 0.
    /// </summary>
    private void Elements()
    {
        for (int i = 0; i < _m.Elements.Count; i++)
        {
            var e = _m.Elements[i];
            Field("(elem ");
            IndexComment(i);
            if (e.Mode == SegmentMode.Declarative) _s.Append(" declare");
            else if (e.Mode == SegmentMode.Active)
            {
                if (e.TableIndex != 0) _s.Append(" (table ").Append(e.TableIndex).Append(')');
                _s.Append(' ');
                ConstantExpression(e.Offset!, "offset");
            }
            bool functions = e.ElementType == ValueType.FuncRef && Array.TrueForAll(e.Items, IsFunction);
            if (functions)
            {
                _s.Append(" func");
                foreach (var item in e.Items)
                {
                    _s.Append(' ');
                    Function((uint)item.Instructions[0].Value);
                }
            }
            else
            {
                _s.Append(' ').Append(e.ElementType.ToText());
                foreach (var item in e.Items)
                {
                    _s.Append(' ');
                    ConstantExpression(item, "item");
                }
            }
            _s.Append(")\n");
        }
    }

    private static bool IsFunction(ConstExpr e) => e.Instructions is [{ Op: ConstOp.RefFunc }];

    private void Data()
    {
        for (int i = 0; i < _m.Data.Count; i++)
        {
            var d = _m.Data[i];
            Field("(data ");
            IndexComment(i);
            if (d.Mode == SegmentMode.Active)
            {
                if (d.MemoryIndex != 0) _s.Append(" (memory ").Append(d.MemoryIndex).Append(')');
                _s.Append(' ');
                ConstantExpression(d.Offset!, "offset");
            }
            _s.Append(' ');
            Bytes(d.Data.Span);
            _s.Append(")\n");
        }
    }

    /// <summary>A constant expression: one folded instruction, or <c>(<paramref name="wrapper"/> ...)</c> around
    /// any other number of them (always, when the wrapper is the empty string).</summary>
    private void ConstantExpression(ConstExpr e, string wrapper)
    {
        var list = e.Instructions;
        if (Array.Exists(list, i => i.Op == ConstOp.NotConstant))
        {
            // Not constant (an invalid module): printed flat from its bytes, one instruction a line, as a body is.
            if (wrapper.Length > 0) _s.Append('(').Append(wrapper);
            else if (_s[^1] == ' ') _s.Length--;
            _s.Append('\n');
            var r = new WasmReader(_m.Bytes.Span[(int)e.Offset..], e.Offset);
            PrintInstructions(ref r, "unexpected end");
            if (_s[^1] == '\n') _s.Length--;
            if (wrapper.Length > 0) _s.Append(')');
            return;
        }
        bool wrap = wrapper.Length > 0 && list.Length != 1;
        if (wrap) _s.Append('(').Append(wrapper);
        for (int i = 0; i < list.Length; i++)
        {
            if (wrap || i > 0) _s.Append(' ');
            _s.Append('(');
            ConstantInstruction(list[i]);
            _s.Append(')');
        }
        if (wrap) _s.Append(')');
    }

    private void ConstantInstruction(ConstInstr c)
    {
        switch (c.Op)
        {
            case ConstOp.I32Const: _s.Append("i32.const "); Signed((int)(uint)c.Value); break;
            case ConstOp.I64Const: _s.Append("i64.const "); Signed((long)c.Value); break;
            case ConstOp.F32Const: _s.Append("f32.const "); F32((uint)c.Value); break;
            case ConstOp.F64Const: _s.Append("f64.const "); F64(c.Value); break;
            case ConstOp.V128Const: _s.Append("v128.const "); V128(c.Value, c.High); break;
            case ConstOp.RefNull: _s.Append("ref.null ").Append(HeapType(c.RefType)); break;
            case ConstOp.RefFunc: _s.Append("ref.func "); Function((uint)c.Value); break;
            case ConstOp.GlobalGet: _s.Append("global.get ").Append((uint)c.Value); break;
            case ConstOp.I32Add: _s.Append("i32.add"); break;
            case ConstOp.I32Sub: _s.Append("i32.sub"); break;
            case ConstOp.I32Mul: _s.Append("i32.mul"); break;
            case ConstOp.I64Add: _s.Append("i64.add"); break;
            case ConstOp.I64Sub: _s.Append("i64.sub"); break;
            case ConstOp.I64Mul: _s.Append("i64.mul"); break;
            default: throw new InvalidOperationException($"constant instruction {c.Op}");
        }
    }

    /// <summary>The heap type of reference type <paramref name="t"/>: its name without <c>ref</c> (func, extern,
    /// exn).</summary>
    private static string HeapType(ValueType t) => t.ToText()[..^"ref".Length];

    // ---- names ----

    /// <summary>Gives each function the name section names an identifier, made unique by a suffix (<c>.1</c>,
    /// <c>.2</c>, ...) where names repeat.</summary>
    private void NameFunctions()
    {
        if (_m.FunctionNames.Count == 0) return;
        var used = new HashSet<string>(StringComparer.Ordinal);
        var nextSuffix = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (index, name) in _m.FunctionNames.OrderBy(p => p.Key))
        {
            if (name.Length == 0 || index >= (uint)_m.FunctionTypeIndices.Count) continue;
            string unique = name;
            if (!used.Add(unique))
            {
                int n = nextSuffix.GetValueOrDefault(name, 1);
                do unique = name + "." + n++.ToString(CultureInfo.InvariantCulture);
                while (!used.Add(unique));
                nextSuffix[name] = n;
            }
            _functionIds[index] = Id(unique);
        }
    }

    /// <summary>Gives the locals the name section names in function <paramref name="function"/> identifiers, unique
    /// within the function.</summary>
    private void NameLocals(uint function)
    {
        _localIds.Clear();
        if (!_names || !_m.LocalNames.TryGetValue(function, out var names)) return;
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (index, name) in names.OrderBy(p => p.Key))
        {
            if (name.Length == 0) continue;
            string unique = name;
            for (int n = 1; !used.Add(unique); n++) unique = name + "." + n.ToString(CultureInfo.InvariantCulture);
            _localIds[index] = Id(unique);
        }
    }

    /// <summary>Local <paramref name="index"/> of the current function: its identifier, else the number.</summary>
    private void Local(uint index)
    {
        if (_localIds.TryGetValue(index, out var id)) _s.Append(id);
        else _s.Append(index);
    }

    /// <summary>Function <paramref name="index"/>: its identifier, else the number.</summary>
    private void Function(uint index)
    {
        if (_functionIds.TryGetValue(index, out var id)) _s.Append(id);
        else _s.Append(index);
    }

    /// <summary><c>$name</c> when every character may stand in an identifier, else <c>$"name"</c> with escapes.</summary>
    internal static string Id(string name)
    {
        bool plain = name.Length > 0;
        foreach (char c in name)
            if (c >= 128 || !Lexer.IsIdChar((byte)c)) { plain = false; break; }
        if (plain) return "$" + name;
        var s = new StringBuilder(name.Length + 4).Append("$\"");
        AppendEscaped(s, name);
        return s.Append('"').ToString();
    }

    /// <summary>A string literal of a name (valid UTF-8): characters as they are but for quotes, backslashes
    /// and control characters.</summary>
    private void Name(string name)
    {
        _s.Append('"');
        AppendEscaped(_s, name);
        _s.Append('"');
    }

    private static void AppendEscaped(StringBuilder s, string text)
    {
        foreach (char c in text)
        {
            if (c is '"' or '\\') s.Append('\\').Append(c);
            else if (c < 0x20 || c == 0x7F) AppendHexByte(s, (byte)c);
            else s.Append(c);
        }
    }

    /// <summary>A string literal of arbitrary bytes: printable ASCII as it is, every other byte as <c>\hh</c>.</summary>
    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        _s.Append('"');
        foreach (byte b in bytes)
        {
            if (b is (byte)'"' or (byte)'\\') _s.Append('\\').Append((char)b);
            else if (b is >= 0x20 and < 0x7F) _s.Append((char)b);
            else AppendHexByte(_s, b);
        }
        _s.Append('"');
    }

    private static void AppendHexByte(StringBuilder s, byte b) =>
        s.Append('\\').Append("0123456789abcdef"[b >> 4]).Append("0123456789abcdef"[b & 0xF]);
}
