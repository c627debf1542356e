using Sort = WasmSharp.Components.Binary.Sort;
using static WasmSharp.Components.Binary.SortExtensions;
using WasmSharp.Text;

namespace WasmSharp.Components.Text;

/// <summary>
/// Component text to the component binary format (Explainer, Binary.md), in one pass in text order. Each
/// definition is encoded as it is read and added to its scope (<see cref="ComponentScope"/>); the abbreviations
/// expand as the Explainer defines them: an inline form (a type in a value type's place, <c>(func $i "f")</c>, an
/// inline instance in <c>with</c>, an inline type use) becomes a definition of its own just before the one that
/// holds it, and inline <c>(export "x")</c>s become exports just after. Core modules are compiled by
/// <see cref="ModuleParser"/>. Names are resolved per scope and sort when they are met, so a definition must come
/// before its uses (the binary format's rule too); a name a nested scope does not define, of a sort
/// <c>alias outer</c> may name, is taken from the nearest enclosing scope through an outer alias added for it.
/// </summary>
internal sealed partial class ComponentParser
{
    private readonly TextParser _p;
    private ComponentScope _scope;

    private ComponentParser(TextParser p, ComponentScope scope)
    {
        _p = p;
        _scope = scope;
    }

    /// <summary>A component's definitions from <paramref name="p"/>'s position up to a <c>)</c> (left in place) or
    /// the end; <paramref name="id"/> is the component's own <c>$name</c>, which outer aliases may use.</summary>
    public static byte[] ParseFields(TextParser p, string? id)
    {
        var parser = new ComponentParser(p, new ComponentScope(ScopeKind.Component, null, id));
        parser.Fields(parser.Definition);
        return parser._scope.Assemble();
    }

    /// <summary>Reads <c>(keyword ...)</c> forms up to a <c>)</c> or the end, each through <paramref name="field"/>,
    /// which reads from after its keyword up to its <c>)</c>.</summary>
    private void Fields(Action<Token> field)
    {
        while (true)
        {
            _p.SkipAnnotations();
            if (_p.Peek().Kind != TokenKind.LeftParen) break;
            _p.Next();
            var keyword = _p.Next();
            if (keyword.Kind != TokenKind.Keyword) throw _p.Unexpected(keyword);
            field(keyword);
            _p.ExpectRightParen();
        }
        if (!_p.AtRightParen && !_p.AtEnd) throw _p.Unexpected(_p.Peek());
    }

    /// <summary>The encoded scope of <paramref name="kind"/> whose fields <paramref name="field"/> reads, nested in the current one.</summary>
    private byte[] Nested(ScopeKind kind, string? id, Action<Token> field)
    {
        var outer = _scope;
        _scope = new ComponentScope(kind, outer, id);
        try
        {
            Fields(field);
            return _scope.Assemble();
        }
        finally { _scope = outer; }
    }

    private void Emit(Token at, Item kind, WasmWriter w) => _scope.Add(_p, at, kind, w.ToArray());

    private int Define(Sort sort, Token at, string? id) => _scope[sort].Add(_p, at, id);

    // ---- definitions of a component ----

    private void Definition(Token keyword)
    {
        switch (_p.String(keyword))
        {
            case "core": CoreDefinition(); break;
            case "component": ComponentDefinition(keyword); break;
            case "instance": InstanceDefinition(keyword); break;
            case "alias": Alias(keyword, null, null); break;
            case "type": TypeDefinition(keyword); break;
            case "canon": CanonDefinition(keyword); break;
            case "start": Start(keyword); break;
            case "import": ImportOrExportDeclaration(keyword, Item.Import); break;
            case "export": Export(keyword); break;
            case "func": FuncDefinition(keyword); break;
            default: throw _p.Unexpected(keyword);
        }
    }

    private void CoreDefinition()
    {
        var keyword = _p.Next();
        if (keyword.Kind != TokenKind.Keyword) throw _p.Unexpected(keyword);
        switch (_p.String(keyword))
        {
            case "module": CoreModule(keyword); return;
            case "instance": CoreInstance(keyword); return;
            case "type": CoreTypeDefinition(keyword); return;
        }
        var sort = Sorts.Find(_p.Text(keyword), core: true) ?? throw _p.Unexpected(keyword);
        // (core func $id? (canon ...)) or (core <sort> $id? (alias core export ...)).
        string? id = _p.TakeId();
        if (TakeAliasDefinition(keyword, sort, id) is not null) return;
        if (sort == Sort.CoreFunc && _p.TakeForm("canon"u8))
        {
            var op = _p.Next();
            var w = new WasmWriter();
            if (CanonOperation(op, w) != Sort.CoreFunc) throw _p.Error(op, "canon lift defines a component func");
            Emit(keyword, Item.Canon, w);
            Define(Sort.CoreFunc, keyword, id);
        }
        else throw _p.Unexpected(_p.Peek());
        _p.ExpectRightParen();
    }

    /// <summary>A definition of <paramref name="sort"/> that, in a component (not in a type's declarators), may
    /// carry inline exports and be an inline import: <c>(sort $id? (export "x")* (import "y")? ...)</c>. Without
    /// the import, <paramref name="define"/> reads the rest (given the <c>$id</c>) and returns the new index.</summary>
    private void Exportable(Token at, Sort sort, Func<string?, int> define)
    {
        string? id = _p.TakeId();
        bool component = _scope.Kind == ScopeKind.Component;
        var exports = component ? InlineExports() : [];
        int index = component && TakeInlineImport() is { } import ? InlineImport(at, sort, id, import) : define(id);
        ExportAll(at, exports, sort, index);
    }

    /// <summary><c>(core module $id? (export "x")* field*)</c>, compiled by the module parser.</summary>
    private void CoreModule(Token at) => Exportable(at, Sort.CoreModule, id =>
    {
        var w = new WasmWriter();
        w.Bytes(ModuleParser.ParseFields(_p));
        Emit(at, Item.CoreModule, w);
        return Define(Sort.CoreModule, at, id);
    });

    /// <summary><c>(core instance $id? (instantiate m (with "n" (instance ...))*))</c> or
    /// <c>(core instance $id? (export "n" (sort idx))*)</c>.</summary>
    private void CoreInstance(Token at)
    {
        string? id = _p.TakeId();
        var w = new WasmWriter();
        if (_p.TakeForm("instantiate"u8))
        {
            w.Byte(0x00);
            w.U32((uint)Reference(Sort.CoreModule));
            Many(w, "with"u8, args =>
            {
                args.Name(_p.ExpectName());
                args.Byte(Sort.CoreInstance.Code());
                args.U32((uint)CoreInstanceArgument());
            });
            _p.ExpectRightParen();
        }
        else CoreInlineExports(w);
        Emit(at, Item.CoreInstance, w);
        Define(Sort.CoreInstance, at, id);
    }

    /// <summary>A core <c>with</c>'s <c>(instance idx)</c>, or an inline <c>(instance (export ...)*)</c> defined
    /// before the instantiation.</summary>
    private int CoreInstanceArgument()
    {
        var at = _p.Peek();
        if (!IsInlineInstance()) return Reference(Sort.CoreInstance);
        _p.Position += 2;
        var w = new WasmWriter();
        CoreInlineExports(w);
        _p.ExpectRightParen();
        Emit(at, Item.CoreInstance, w);
        return Define(Sort.CoreInstance, at, null);
    }

    /// <summary>Whether an <c>(instance ...)</c> that lists exports, rather than naming an instance, is next.</summary>
    private bool IsInlineInstance() => _p.IsForm("instance"u8) && !(_p.Peek(2).Kind == TokenKind.Id || IsUnsignedAt(2));

    private bool IsUnsignedAt(int ahead)
    {
        var probe = new TextParser(_p) { Position = _p.Position + ahead };
        return probe.IsUnsigned();
    }

    /// <summary><c>core:instanceexpr</c>'s export list: 0x01, then each <c>(export "n" (sort idx))</c>.</summary>
    private void CoreInlineExports(WasmWriter w)
    {
        w.Byte(0x01);
        Many(w, "export"u8, e =>
        {
            e.Name(_p.ExpectName());
            var (sort, index) = SortIndex(core: true);
            e.Byte(sort.Code());
            e.U32((uint)index);
        });
    }

    /// <summary><c>(component $id? (export "x")* definition*)</c>: a nested component.</summary>
    private void ComponentDefinition(Token at) => Exportable(at, Sort.Component, id =>
    {
        var w = new WasmWriter();
        w.Bytes(Nested(ScopeKind.Component, id, Definition));
        Emit(at, Item.Component, w);
        return Define(Sort.Component, at, id);
    });

    /// <summary><c>(instance $id? (export "x")* (instantiate c (with "n" arg)*))</c>, or an instance of inline
    /// exports, or an inline import.</summary>
    private void InstanceDefinition(Token at) => Exportable(at, Sort.Instance, id =>
    {
        var w = new WasmWriter();
        if (_p.TakeForm("instantiate"u8))
        {
            w.Byte(0x00);
            w.U32((uint)Reference(Sort.Component));
            Many(w, "with"u8, args =>
            {
                args.Name(_p.ExpectName());
                InstantiateArgument(args);
            });
            _p.ExpectRightParen();
        }
        else InlineExportItems(w);
        Emit(at, Item.Instance, w);
        return Define(Sort.Instance, at, id);
    });

    /// <summary>A <c>with</c>'s <c>sortidx</c>: <c>(sort idx name*)</c>, or an inline instance defined before.</summary>
    private void InstantiateArgument(WasmWriter w)
    {
        var at = _p.Peek();
        if (IsInlineInstance())
        {
            _p.Position += 2;
            var inline = new WasmWriter();
            InlineExportItems(inline);
            _p.ExpectRightParen();
            Emit(at, Item.Instance, inline);
            Sort.Instance.Write(w);
            w.U32((uint)Define(Sort.Instance, at, null));
            return;
        }
        var (sort, index) = SortIndex(core: false);
        sort.Write(w);
        w.U32((uint)index);
    }

    /// <summary><c>instanceexpr</c>'s export list: 0x01, then each <c>(export "n" attribute* (sort idx))</c>.</summary>
    private void InlineExportItems(WasmWriter w)
    {
        w.Byte(0x01);
        Many(w, "export"u8, e =>
        {
            NameAttributes(e);
            var (sort, index) = SortIndex(core: false);
            sort.Write(e);
            e.U32((uint)index);
        });
    }

    /// <summary><c>(func $id? (export "x")* ...)</c>: an inline import, an alias, or a type use and
    /// <c>(canon lift ...)</c>.</summary>
    private void FuncDefinition(Token at) => Exportable(at, Sort.Func, id =>
    {
        if (TakeAliasDefinition(at, Sort.Func, id) is int alias) return alias;
        int type = FuncTypeUse();
        if (!_p.TakeForm("canon"u8)) throw _p.Unexpected(_p.Peek());
        var op = _p.Next();
        var w = new WasmWriter();
        if (CanonOperation(op, w) != Sort.Func) throw _p.Error(op, "expected canon lift");
        w.U32((uint)type);
        _p.ExpectRightParen();
        Emit(at, Item.Canon, w);
        return Define(Sort.Func, at, id);
    });

    /// <summary>The definition form of an alias, <c>(sort $id? (alias ...))</c>, if its <c>(alias</c> is next:
    /// the new index; else null.</summary>
    private int? TakeAliasDefinition(Token at, Sort sort, string? id)
    {
        if (!_p.TakeForm("alias"u8)) return null;
        int index = Alias(at, sort, id);
        _p.ExpectRightParen();
        return index;
    }

    /// <summary><c>(start f (value v)* (result (value $id?))*)</c>.</summary>
    private void Start(Token at)
    {
        var w = new WasmWriter();
        w.U32((uint)Reference(Sort.Func));
        Many(w, "value"u8, v => v.U32((uint)Index(Sort.Value)));
        var results = new List<string?>();
        while (_p.TakeForm("result"u8))
        {
            if (!_p.TakeForm("value"u8)) throw _p.Unexpected(_p.Peek());
            results.Add(_p.TakeId());
            _p.ExpectRightParen();
            _p.ExpectRightParen();
        }
        w.U32((uint)results.Count);
        Emit(at, Item.Start, w);
        foreach (var id in results) Define(Sort.Value, at, id);
    }

    // ---- imports and exports ----

    /// <summary><c>(import "n" attribute* (sort $id? type))</c>, or in a type <c>(export ...)</c> of the same
    /// shape.</summary>
    private void ImportOrExportDeclaration(Token at, Item kind)
    {
        var w = new WasmWriter();
        NameAttributes(w);
        var (sort, id) = ExternType(w);
        Emit(at, kind, w);
        Define(sort, at, id);
    }

    /// <summary><c>(export $id? "n" attribute* (sort idx) externtype?)</c>: a new index of the sort too.</summary>
    private void Export(Token at)
    {
        string? id = _p.TakeId();
        var w = new WasmWriter();
        NameAttributes(w);
        var (sort, index) = SortIndex(core: false);
        sort.Write(w);
        w.U32((uint)index);
        if (_p.AtRightParen) w.Byte(0x00);
        else
        {
            w.Byte(0x01);
            ExternType(w);
        }
        Emit(at, Item.Export, w);
        Define(sort, at, id);
    }

    /// <summary>Exports of the definition at <paramref name="at"/> (its inline <c>(export "n")</c>s), each a new
    /// index of its sort.</summary>
    private void ExportAll(Token at, List<byte[]> names, Sort sort, int index)
    {
        foreach (var name in names)
        {
            var w = new WasmWriter();
            w.Bytes(name);
            sort.Write(w);
            w.U32((uint)index);
            w.Byte(0x00);
            Emit(at, Item.Export, w);
            Define(sort, at, null);
        }
    }

    /// <summary>The encoded names of the inline <c>(export "n" attribute*)</c>s that are next.</summary>
    private List<byte[]> InlineExports()
    {
        var names = new List<byte[]>();
        while (_p.IsForm("export"u8) && IsBareName(2))
        {
            _p.Position += 2;
            var w = new WasmWriter();
            NameAttributes(w);
            _p.ExpectRightParen();
            names.Add(w.ToArray());
        }
        return names;
    }

    /// <summary>The encoded name of an inline <c>(import "n" attribute*)</c>, taken if it is next.</summary>
    private byte[]? TakeInlineImport()
    {
        if (!_p.IsForm("import"u8) || !IsBareName(2)) return null;
        _p.Position += 2;
        var w = new WasmWriter();
        NameAttributes(w);
        _p.ExpectRightParen();
        return w.ToArray();
    }

    /// <summary>An inline import: the rest of the definition is the imported sort's type.</summary>
    private int InlineImport(Token at, Sort sort, string? id, byte[] name)
    {
        var w = new WasmWriter();
        w.Bytes(name);
        ExternTypeBody(at, sort, w);
        Emit(at, Item.Import, w);
        return Define(sort, at, id);
    }

    /// <summary>Whether a string <paramref name="ahead"/>, and name attributes after it, close their form: the name
    /// of an inline import or export, not an import or export definition.</summary>
    private bool IsBareName(int ahead)
    {
        if (_p.Peek(ahead).Kind != TokenKind.String) return false;
        int i = ahead + 1;
        while (_p.Peek(i).Kind == TokenKind.LeftParen && _p.Peek(i + 1).Kind == TokenKind.Keyword
               && Attributes.Find(_p.Text(_p.Peek(i + 1))) is not null)
            i += 4;
        return _p.Peek(i).Kind == TokenKind.RightParen;
    }

    private static readonly Keywords Attributes = new(("implements", 0x00), ("versionsuffix", 0x01), ("external-id", 0x02));

    /// <summary><c>nameattributes</c>: a name, then <c>(implements "i")</c>, <c>(versionsuffix "v")</c> and
    /// <c>(external-id "e")</c> if given, each at most once (0x02 and the list), else 0x00 and the name alone.</summary>
    private void NameAttributes(WasmWriter w)
    {
        string name = _p.ExpectName();
        var attributes = new WasmWriter(16);
        int count = 0, seen = 0;
        while (_p.Peek().Kind == TokenKind.LeftParen && Attributes.Find(_p.Text(_p.Peek(1))) is byte code)
        {
            if ((seen & 1 << code) != 0) throw _p.Unexpected(_p.Peek());
            seen |= 1 << code;
            _p.Position += 2;
            attributes.Byte(code);
            attributes.Name(_p.ExpectName());
            _p.ExpectRightParen();
            count++;
        }
        w.Byte(count == 0 ? (byte)0x00 : (byte)0x02);
        w.Name(name);
        if (count == 0) return;
        w.U32((uint)count);
        w.Bytes(attributes.Written);
    }

    /// <summary>A vector of <c>(keyword ...)</c> forms, as many as are next: <paramref name="item"/> reads each
    /// after its keyword, up to its <c>)</c>.</summary>
    private void Many(WasmWriter w, ReadOnlySpan<byte> keyword, Action<WasmWriter> item)
    {
        var items = new WasmWriter();
        int count = 0;
        while (_p.TakeForm(keyword))
        {
            item(items);
            _p.ExpectRightParen();
            count++;
        }
        w.U32((uint)count);
        w.Bytes(items.Written);
    }
}
