namespace WasmSharp.Text;

/// <summary>
/// Text-format modules to binary modules (spec, "Text Format", with every abbreviation). Two passes over the
/// fields: the first gives every definition its index and name and reads what needs no names (types, limits),
/// remembering where bodies, initialisers and segments start; the second reads those with all names known, so a
/// function may call one defined after it. Inline type uses that match no type get new types after the
/// explicit ones, in the order they are met.
/// </summary>
internal sealed partial class ModuleParser
{
    /// <summary>A function type as the binary value-type bytes of its parameters and results.</summary>
    private readonly record struct Signature(string Params, string Results)
    {
        public static readonly Signature Empty = new("", "");
    }

    /// <summary>A type use before resolution: an explicit <c>(type x)</c> and/or inline params and results.</summary>
    private sealed class TypeUse
    {
        public Token? Reference;
        public Token At;
        public Signature Inline = Signature.Empty;
        public bool HasInline;
        public List<string?> ParamNames = [];
        public int Index = -1;
        public Signature Resolved;
    }

    /// <summary>One index space (functions, tables, ...): the number of entries and their names.</summary>
    private sealed class Space(string kind)
    {
        public readonly string Kind = kind;
        public readonly NameTable Names = new();
        public int Count;

        public int Add(TextParser p, Token at, string? name)
        {
            if (name is not null && !Names.TryAdd(name, Count)) throw p.Error(at, $"duplicate {Kind} {name}");
            return Count++;
        }
    }

    /// <summary>A function or a tag: its type use, and for a defined function where its body starts.</summary>
    private sealed class TypedEntry
    {
        public required TypeUse Use;
        public int BodyStart = -1;
    }

    private sealed class Export(string name, byte kind, Token index)
    {
        public readonly string Name = name;
        public readonly byte Kind = kind;
        public readonly Token Index = index;
        public int Resolved = -1;
    }

    private readonly TextParser _p;
    private readonly Space _types = new("type"), _funcs = new("func"), _tables = new("table"), _memories = new("memory"),
        _globals = new("global"), _tags = new("tag"), _elems = new("elem"), _datas = new("data");
    private readonly List<Signature> _typeList = [];
    private readonly Dictionary<Signature, int> _firstType = [];
    private readonly List<TypedEntry> _functions = [];
    /// <summary>The functions (imported or defined) and tags in text order: their type uses are resolved in that
    /// order, a function's body right after its signature.</summary>
    private readonly List<TypedEntry> _typed = [];
    /// <summary>The tags defined (not imported), in order.</summary>
    private readonly List<TypeUse> _definedTags = [];
    private readonly List<(string Module, string Name, byte Kind, object Desc)> _imports = [];
    private readonly WasmWriter _tableSection = new(), _memorySection = new(), _globalSection = new(), _elemSection = new(),
        _dataSection = new(), _codeSection = new();
    private int _tableCount, _memoryCount, _globalCount, _elemCount, _dataCount;
    private readonly List<(byte Type, bool Mutable, int Init)> _definedGlobals = [];
    private readonly List<Export> _exports = [];
    private Token? _start;
    /// <summary>Element segments in text order: where an <c>(elem ...)</c> continues, or a table's inline
    /// <c>(elem ...)</c> (its table and reference type).</summary>
    private readonly List<(int Start, int Table, byte Type)> _elemJobs = [];
    /// <summary>Data segments in text order: where a <c>(data ...)</c> continues, or a memory's inline data.</summary>
    private readonly List<(int Start, int Memory, byte[]? Bytes)> _dataJobs = [];
    private string? _lastDefinition;
    private bool _usesDataCount;

    private ModuleParser(TextParser p) => _p = p;

    /// <summary>A parser of function bodies beside <paramref name="owner"/>, with a cursor of its own: it shares the
    /// module's index spaces and types, reads them only, and writes the bodies into its own code section.</summary>
    private ModuleParser(ModuleParser owner, TextParser cursor)
    {
        _p = cursor;
        _bodiesOnly = true;
        (_types, _funcs, _tables, _memories, _globals, _tags, _elems, _datas) =
            (owner._types, owner._funcs, owner._tables, owner._memories, owner._globals, owner._tags, owner._elems, owner._datas);
        (_typeList, _firstType) = (owner._typeList, owner._firstType);
    }

    /// <summary>A body parser (<see cref="ModuleParser(ModuleParser, TextParser)"/>), which may not add types.</summary>
    private readonly bool _bodiesOnly;

    /// <summary>A .wat source: one <c>(module $id? ...)</c> form, or bare module fields.</summary>
    public static byte[] ParseFile(byte[] source)
    {
        // Blocks nest by recursion. A large source, which may nest deeply (a compiler's switch of thousands of
        // cases), is parsed on a thread with a stack of its own (address space, committed as used); a small one
        // here, and again on such a thread should it nest deeper than this thread's stack allows.
        return source.Length >= LargeSource ? OnLargeStack(() => ParseWhole(source)) : ParseWhole(source);
    }

    private const int LargeSource = 256 * 1024;

    /// <summary>The stack of a thread that parses a large source.</summary>
    private const int LargeStack = 256 << 20;

    /// <summary>The reason given for nesting deeper than <see cref="MaxDepth"/> or the stack allows.</summary>
    internal const string TooDeep = "nesting too deep";

    /// <summary>Nesting of blocks and folded instructions allowed: far beyond what compilers emit, and within a
    /// 256 MiB stack.</summary>
    internal const int MaxDepth = 100_000;

    /// <summary>Whether this thread has the stack of <see cref="LargeStack"/>.</summary>
    [ThreadStatic] private static bool s_onLargeStack;

    private static T OnLargeStack<T>(Func<T> work) => new ThreadWork<T>(() =>
    {
        s_onLargeStack = true;
        return work();
    }, LargeStack).Join();

    private static byte[] ParseWhole(byte[] source)
    {
        var p = new TextParser(source);
        byte[] binary;
        if (p.IsForm("module"u8))
        {
            p.Position += 2;
            p.TakeId();
            if (p.IsKeyword("binary"u8) || p.IsKeyword("quote"u8)) throw p.Error(p.Peek(), "a .wat file holds a text module");
            binary = ParseFields(p);
            p.ExpectRightParen();
        }
        else binary = ParseFields(p);
        p.SkipAnnotations();
        if (!p.AtEnd) throw p.Unexpected(p.Peek());
        return binary;
    }

    /// <summary>Module fields from <paramref name="p"/>'s position up to a <c>)</c> (left in place) or the end;
    /// returns the binary module. Parsed on this thread, and again on a thread of <see cref="LargeStack"/> should
    /// they nest deeper than this thread's stack allows (a small source, or a module of a script).</summary>
    public static byte[] ParseFields(TextParser p)
    {
        int start = p.Position;
        try
        {
            return new ModuleParser(p).Parse();
        }
        catch (MalformedTextException e) when (e.Reason == TooDeep && !s_onLargeStack)
        {
            p.Position = start;
            return OnLargeStack(() => new ModuleParser(p).Parse());
        }
    }


    private byte[] Parse()
    {
        while (true)
        {
            while (_p.Peek().Kind == TokenKind.Annotation)
            {
                var annotation = _p.Next();
                if (_p.Text(annotation).SequenceEqual("custom"u8)) CustomAnnotation();
                else _p.SkipForm();
            }
            if (_p.Peek().Kind != TokenKind.LeftParen) break;
            _p.Next();
            ParseField(_p.Next());
        }
        if (!_p.AtRightParen && !_p.AtEnd) throw _p.Unexpected(_p.Peek());
        int end = _p.Position;

        // Types the signatures of functions and tags and the bodies add come in text order: first those before the
        // first body (the imports, which come first, and tags), then each body after its signature.
        int firstBody = _typed.FindIndex(f => f.BodyStart >= 0) is int b and >= 0 ? b : _typed.Count;
        for (int i = 0; i < firstBody; i++) Resolve(_typed[i].Use);
        for (int i = 0; i < _definedGlobals.Count; i++) DefineGlobal(i);
        foreach (var (start, table, type) in _elemJobs)
            if (table < 0) ElementSegment(start);
            else InlineElements(table, type, start);
        foreach (var (start, memory, bytes) in _dataJobs)
            if (bytes is null) DataSegment(start);
            else InlineData(memory, bytes);
        var bodies = _typed.GetRange(firstBody, _typed.Count - firstBody);
        for (int i = ParallelBodies(bodies, end); i < bodies.Count; i++)
        {
            Resolve(bodies[i].Use);
            if (bodies[i].BodyStart >= 0) FunctionBody(bodies[i]);
        }
        foreach (var e in _exports) e.Resolved = ResolveIndex(ExternalSpace(e.Kind), e.Index);
        int? start0 = _start is Token s ? ResolveIndex(_funcs, s) : null;

        _p.Position = end;
        return Assemble(start0);
    }

    private void ParseField(Token keyword)
    {
        var k = _p.Text(keyword);
        if (keyword.Kind != TokenKind.Keyword) throw _p.Unexpected(keyword);
        if (k.SequenceEqual("type"u8)) TypeField();
        else if (k.SequenceEqual("import"u8)) ImportField(keyword);
        else if (k.SequenceEqual("func"u8)) FuncField(keyword);
        else if (k.SequenceEqual("table"u8)) TableField(keyword);
        else if (k.SequenceEqual("memory"u8)) MemoryField(keyword);
        else if (k.SequenceEqual("global"u8)) GlobalField(keyword);
        else if (k.SequenceEqual("tag"u8)) TagField(keyword);
        else if (k.SequenceEqual("rec"u8)) throw new NotSupportedException("recursive type groups (rec) of the GC proposal");
        else if (k.SequenceEqual("export"u8)) ExportField();
        else if (k.SequenceEqual("start"u8))
        {
            if (_start is not null) throw _p.Error(keyword, "multiple start sections");
            _start = _p.Next();
            _p.ExpectRightParen();
        }
        else if (k.SequenceEqual("elem"u8))
        {
            _elems.Add(_p, keyword, _p.TakeId());
            _elemJobs.Add((_p.Position, -1, 0));
            _p.SkipForm();
        }
        else if (k.SequenceEqual("data"u8))
        {
            _datas.Add(_p, keyword, _p.TakeId());
            _dataJobs.Add((_p.Position, -1, null));
            _p.SkipForm();
        }
        else throw _p.Unexpected(keyword);
    }

    // ---- types ----

    private void TypeField()
    {
        var at = _p.Peek();
        string? name = _p.TakeId();
        _p.ExpectLeftParen();
        _p.ExpectKeyword("func"u8);
        var use = new TypeUse { At = at };
        Params(use, allowNames: true);
        Results(use);
        _p.ExpectRightParen();
        _p.ExpectRightParen();
        _types.Add(_p, at, name);
        AddType(use.Inline);
    }

    private int AddType(Signature sig)
    {
        _firstType.TryAdd(sig, _typeList.Count);
        _typeList.Add(sig);
        return _typeList.Count - 1;
    }

    /// <summary><c>(type x)? (param ...)* (result ...)*</c>; resolved later (<see cref="Resolve"/>).</summary>
    private TypeUse ReadTypeUse(bool allowNames)
    {
        var use = new TypeUse { At = _p.Peek() };
        if (_p.TakeForm("type"u8))
        {
            use.Reference = _p.Next();
            _p.ExpectRightParen();
        }
        Params(use, allowNames);
        Results(use);
        return use;
    }

    private void Params(TypeUse use, bool allowNames)
    {
        var ps = new System.Text.StringBuilder();
        while (_p.IsForm("param"u8))
        {
            _p.Position += 2;
            use.HasInline = true;
            if (_p.Peek().Kind == TokenKind.Id)
            {
                if (!allowNames) throw _p.Error(_p.Peek(), "unexpected token");
                use.ParamNames.Add(_p.TakeId());
                ps.Append((char)ValueType());
            }
            else
                while (!_p.AtRightParen)
                {
                    use.ParamNames.Add(null);
                    ps.Append((char)ValueType());
                }
            _p.ExpectRightParen();
        }
        use.Inline = use.Inline with { Params = ps.ToString() };
    }

    private void Results(TypeUse use)
    {
        var rs = new System.Text.StringBuilder();
        while (_p.TakeForm("result"u8))
        {
            use.HasInline = true;
            while (!_p.AtRightParen) rs.Append((char)ValueType());
            _p.ExpectRightParen();
        }
        use.Inline = use.Inline with { Results = rs.ToString() };
        if (_p.IsForm("param"u8)) throw _p.Error(_p.Peek(1), "unexpected token");
    }

    /// <summary>Gives <paramref name="use"/> its type index: the one it names (whose signature must equal an inline
    /// one), else the first type with its signature, else a new type.</summary>
    private void Resolve(TypeUse use)
    {
        if (use.Index >= 0) return;
        if (use.Reference is Token r)
        {
            use.Index = ResolveIndex(_types, r);
            // A number past the types is left for the validator ("unknown type"), unless an inline signature
            // must be compared with it.
            if ((uint)use.Index >= (uint)_typeList.Count)
            {
                if (use.HasInline) throw _p.Error(r, "unknown type");
                use.Resolved = use.Inline;
                return;
            }
            use.Resolved = _typeList[use.Index];
            if (use.HasInline && use.Resolved != use.Inline) throw _p.Error(use.At, "inline function type");
            return;
        }
        use.Resolved = use.Inline;
        if (_firstType.TryGetValue(use.Inline, out int index)) use.Index = index;
        else if (_bodiesOnly) throw new NewTypeNeeded();
        else use.Index = AddType(use.Inline);
    }

    // ---- function bodies in parallel ----

    /// <summary>A body parser met a type use that adds a type: the bodies from there on are parsed in text order.</summary>
    private sealed class NewTypeNeeded : Exception;

    /// <summary>Sources from this size on have their function bodies parsed in two halves at once.</summary>
    private const int ParallelSource = 1 << 20;

    /// <summary>
    /// Parses the function bodies of a large module in two halves at once, each with a body parser of its own, and
    /// returns how many of <paramref name="bodies"/> (functions from the first with a body on, and the tags among
    /// them) are done (all, or none for a small module). The result is the text-order parse's: the signatures of the
    /// functions and tags are resolved first, in order, and a body parser may only find
    /// types, never add one. Should a body need a new type (an inline block or call_indirect type no type matched),
    /// the bodies before it keep their code, the types the later signatures added are taken back, and the caller goes
    /// on in text order from that body. The first error in text order is the one thrown.
    /// </summary>
    private int ParallelBodies(List<TypedEntry> bodies, int end)
    {
        if (_p.Source.Length < ParallelSource || Environment.ProcessorCount < 2 || bodies.Count < 2) return 0;
        var typesBefore = new int[bodies.Count];
        for (int i = 0; i < bodies.Count; i++)
        {
            typesBefore[i] = _typeList.Count;
            Resolve(bodies[i].Use);
        }
        int middle = (bodies[0].BodyStart + end) / 2, split = 1;
        while (split < bodies.Count - 1 && bodies[split].BodyStart < middle) split++;

        var first = new BodyRun(new ModuleParser(this, new TextParser(_p)), bodies, 0, split);
        var second = new BodyRun(new ModuleParser(this, new TextParser(_p)), bodies, split, bodies.Count);
        var worker = new Thread(second.Run, LargeStack);
        worker.Start();
        first.Run();
        worker.Join();

        _usesDataCount |= first.Parser._usesDataCount | second.Parser._usesDataCount;
        foreach (var run in (ReadOnlySpan<BodyRun>)[first, second])
        {
            run.CopyDone(_codeSection);
            if (run.Failure is null) continue;
            if (run.Failure.SourceException is not NewTypeNeeded) run.Failure.Throw();
            // Back to the types before the failed body's signature, to go on in text order from it.
            int done = run.Done, keep = typesBefore[done];
            foreach (var sig in _typeList.GetRange(keep, _typeList.Count - keep))
                if (_firstType.TryGetValue(sig, out int index) && index >= keep) _firstType.Remove(sig);
            _typeList.RemoveRange(keep, _typeList.Count - keep);
            for (int i = done; i < bodies.Count; i++) bodies[i].Use.Index = -1;
            return done;
        }
        return bodies.Count;
    }

    /// <summary>One body parser's share: bodies [<paramref name="from"/>, <paramref name="to"/>) in order, until the
    /// first failure.</summary>
    private sealed class BodyRun(ModuleParser parser, List<TypedEntry> bodies, int from, int to)
    {
        public readonly ModuleParser Parser = parser;
        /// <summary>The index in the body list of the first body not parsed (<c>to</c> when all were).</summary>
        public int Done = from;
        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Failure;
        private readonly List<int> _ends = [];

        public void Run()
        {
            try
            {
                for (; Done < to; Done++)
                {
                    if (bodies[Done].BodyStart < 0) continue;
                    Parser.FunctionBody(bodies[Done]);
                    _ends.Add(Parser._codeSection.Length);
                }
            }
            catch (Exception e) { Failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        }

        /// <summary>Appends the code of the bodies parsed to <paramref name="code"/>.</summary>
        public void CopyDone(WasmWriter code) => code.Bytes(Parser._codeSection.Written[..(_ends.Count == 0 ? 0 : _ends[^1])]);
    }

    /// <summary>A value type's binary byte.</summary>
    private byte ValueType()
    {
        if (ReferenceType(take: true) is byte reference) return reference;
        var t = _p.Next();
        if (t.Kind == TokenKind.Keyword)
        {
            var text = _p.Text(t);
            if (text.SequenceEqual("i32"u8)) return 0x7F;
            if (text.SequenceEqual("i64"u8)) return 0x7E;
            if (text.SequenceEqual("f32"u8)) return 0x7D;
            if (text.SequenceEqual("f64"u8)) return 0x7C;
            if (text.SequenceEqual("v128"u8)) return 0x7B;
        }
        throw _p.Unexpected(t);
    }

    private bool IsReferenceType() => ReferenceType(take: false) is not null;

    /// <summary>The byte of the reference type that comes next, taken when <paramref name="take"/>; null when none
    /// does. A reference type is <c>funcref</c>, <c>externref</c>, <c>exnref</c> (a heap type's name and <c>ref</c>),
    /// or the same type in full, <c>(ref null ht)</c>. A non-null <c>(ref ht)</c> or a type index needs typed function
    /// references, which are not supported: <see cref="NotSupportedException"/>.</summary>
    private byte? ReferenceType(bool take)
    {
        var t = _p.Peek();
        byte? type = null;
        int length = 1;
        if (t.Kind == TokenKind.Keyword && _p.Text(t) is var text && text.EndsWith("ref"u8)) type = HeapTypeOf(text[..^3]);
        else if (t.Kind == TokenKind.LeftParen && _p.IsKeyword("ref"u8, 1) && _p.IsKeyword("null"u8, 2)
                 && _p.Peek(3).Kind == TokenKind.Keyword && _p.Peek(4).Kind == TokenKind.RightParen)
        {
            type = HeapTypeOf(_p.Text(_p.Peek(3)));
            length = 5;
        }
        // Any other (ref ...) is a typed reference: known, but not implemented.
        if (type is null && t.Kind == TokenKind.LeftParen && _p.IsKeyword("ref"u8, 1))
            throw new NotSupportedException("typed references (ref ...) of the function references proposal");
        if (type is not null && take) _p.Position += length;
        return type;
    }

    /// <summary>The abstract heap types by name, each with the byte of its nullable reference type (the binary's
    /// shorthand for <c>(ref null ht)</c>, which is also the heap type's own byte).</summary>
    private static readonly (byte[] Name, byte Type)[] HeapTypes = [("func"u8.ToArray(), 0x70), ("extern"u8.ToArray(), 0x6F), ("exn"u8.ToArray(), 0x69)];

    /// <summary>The byte of heap type <paramref name="name"/> (func, extern, exn), or null.</summary>
    internal static byte? HeapTypeOf(ReadOnlySpan<byte> name)
    {
        foreach (var (n, type) in HeapTypes)
            if (name.SequenceEqual(n)) return type;
        return null;
    }

    /// <summary>A heap type (<c>ref.null</c>'s immediate): its byte.</summary>
    private byte HeapType()
    {
        var t = _p.Next();
        return t.Kind == TokenKind.Keyword && HeapTypeOf(_p.Text(t)) is byte type ? type : throw _p.Unexpected(t);
    }

    // ---- imports, exports, definitions ----

    /// <summary>Inline <c>(export "name")*</c> of the definition about to get index <paramref name="index"/>.</summary>
    private void InlineExports(byte kind, int index)
    {
        while (_p.IsForm("export"u8))
        {
            _p.Position += 2;
            AddExport(_p.ExpectName(), kind, new Token(TokenKind.Reserved, -1, index));
            _p.ExpectRightParen();
        }
    }

    /// <summary>An export; two with one name make the module invalid, which is the validator's to say.</summary>
    private void AddExport(string name, byte kind, Token index) => _exports.Add(new Export(name, kind, index));

    /// <summary>An inline <c>(import "module" "name")</c>, if there is one.</summary>
    private (string Module, string Name)? InlineImport()
    {
        if (!_p.TakeForm("import"u8)) return null;
        var result = (_p.ExpectName(), _p.ExpectName());
        _p.ExpectRightParen();
        return result;
    }

    private void CheckImportOrder(Token at)
    {
        if (_lastDefinition is string kind) throw _p.Error(at, $"import after {kind}");
    }

    private void ImportField(Token keyword)
    {
        string module = _p.ExpectName(), name = _p.ExpectName();
        CheckImportOrder(keyword);
        _p.ExpectLeftParen();
        var kind = _p.Next();
        var at = _p.Peek();
        var k = _p.Text(kind);
        if (k.SequenceEqual("func"u8))
        {
            _funcs.Add(_p, at, _p.TakeId());
            var use = ReadTypeUse(allowNames: true);
            AddFunction(new TypedEntry { Use = use });
            _imports.Add((module, name, 0, use));
        }
        else if (k.SequenceEqual("table"u8))
        {
            _tables.Add(_p, at, _p.TakeId());
            _imports.Add((module, name, 1, TableType()));
        }
        else if (k.SequenceEqual("memory"u8))
        {
            _memories.Add(_p, at, _p.TakeId());
            _imports.Add((module, name, 2, Limits(memory: true)));
        }
        else if (k.SequenceEqual("global"u8))
        {
            _globals.Add(_p, at, _p.TakeId());
            _imports.Add((module, name, 3, GlobalType()));
        }
        else if (k.SequenceEqual("tag"u8))
        {
            _tags.Add(_p, at, _p.TakeId());
            var use = ReadTypeUse(allowNames: true);
            _typed.Add(new TypedEntry { Use = use });
            _imports.Add((module, name, 4, use));
        }
        else throw _p.Unexpected(kind);
        _p.ExpectRightParen();
        _p.ExpectRightParen();
    }

    private void FuncField(Token keyword)
    {
        int index = _funcs.Add(_p, keyword, _p.TakeId());
        InlineExports(0, index);
        var import = InlineImport();
        var use = ReadTypeUse(allowNames: true);
        var entry = new TypedEntry { Use = use };
        AddFunction(entry);
        if (import is var (module, name))
        {
            CheckImportOrder(keyword);
            _imports.Add((module, name, 0, use));
            _p.ExpectRightParen();
        }
        else
        {
            _lastDefinition = "function";
            entry.BodyStart = _p.Position;
            _p.SkipForm();
        }
    }

    private void AddFunction(TypedEntry function)
    {
        _functions.Add(function);
        _typed.Add(function);
    }

    /// <summary><c>(tag $id? (export "n")* (import "m" "n")? typeuse)</c>: a tag's type is a function type (the
    /// validator checks that it has no results).</summary>
    private void TagField(Token keyword)
    {
        int index = _tags.Add(_p, keyword, _p.TakeId());
        InlineExports(4, index);
        var import = InlineImport();
        var use = ReadTypeUse(allowNames: true);
        _typed.Add(new TypedEntry { Use = use });
        if (import is var (module, name))
        {
            CheckImportOrder(keyword);
            _imports.Add((module, name, 4, use));
        }
        else
        {
            _lastDefinition = "tag";
            _definedTags.Add(use);
        }
        _p.ExpectRightParen();
    }

    private void TableField(Token keyword)
    {
        int index = _tables.Add(_p, keyword, _p.TakeId());
        InlineExports(1, index);
        var import = InlineImport();
        if (import is var (module, name))
        {
            CheckImportOrder(keyword);
            _imports.Add((module, name, 1, TableType()));
        }
        else if (IsReferenceType())
        {
            // (table reftype (elem ...)): limits from the number of elements, and an active segment at 0.
            byte type = ValueType();
            _p.ExpectLeftParen();
            _p.ExpectKeyword("elem"u8);
            int items = _p.Position;
            int count = CountElementItems();
            _p.ExpectRightParen();
            _lastDefinition = "table";
            _tableSection.Byte(type);
            _tableSection.Byte(0x01);
            _tableSection.U32((uint)count);
            _tableSection.U32((uint)count);
            _tableCount++;
            _elems.Add(_p, keyword, null);
            _elemJobs.Add((items, index, type));
        }
        else
        {
            _lastDefinition = "table";
            _tableSection.Bytes(TableType());
            _tableCount++;
        }
        _p.ExpectRightParen();
    }

    /// <summary>Counts the items of an inline <c>(elem ...)</c> (function indices or expressions) and skips them.</summary>
    private int CountElementItems()
    {
        int count = 0;
        while (!_p.AtRightParen)
        {
            var t = _p.Next();
            if (t.Kind == TokenKind.LeftParen) _p.SkipForm();
            else if (t.Kind == TokenKind.EndOfFile) throw _p.Unexpected(t);
            count++;
        }
        return count;
    }

    private void MemoryField(Token keyword)
    {
        int index = _memories.Add(_p, keyword, _p.TakeId());
        InlineExports(2, index);
        var import = InlineImport();
        if (import is var (module, name))
        {
            CheckImportOrder(keyword);
            _imports.Add((module, name, 2, Limits(memory: true)));
        }
        else if (_p.TakeForm("data"u8))
        {
            var bytes = _p.ExpectStrings();
            _p.ExpectRightParen();
            uint pages = (uint)((bytes.Length + 65535L) / 65536);
            _lastDefinition = "memory";
            _memorySection.Byte(0x01);
            _memorySection.U32(pages);
            _memorySection.U32(pages);
            _memoryCount++;
            _datas.Add(_p, keyword, null);
            _dataJobs.Add((-1, index, bytes));
        }
        else
        {
            _lastDefinition = "memory";
            _memorySection.Bytes(Limits(memory: true));
            _memoryCount++;
        }
        _p.ExpectRightParen();
    }

    private void GlobalField(Token keyword)
    {
        int index = _globals.Add(_p, keyword, _p.TakeId());
        InlineExports(3, index);
        var import = InlineImport();
        if (import is var (module, name))
        {
            CheckImportOrder(keyword);
            _imports.Add((module, name, 3, GlobalType()));
            _p.ExpectRightParen();
            return;
        }
        _lastDefinition = "global";
        var type = GlobalType();
        _definedGlobals.Add((type[0], type[1] == 1, _p.Position));
        _p.SkipForm();
    }

    private void DefineGlobal(int i)
    {
        var (type, mutable, init) = _definedGlobals[i];
        _p.Position = init;
        _globalSection.Byte(type);
        _globalSection.Byte(mutable ? (byte)1 : (byte)0);
        ConstantExpression(_globalSection);
        _p.ExpectRightParen();
        _globalCount++;
    }

    private byte[] GlobalType()
    {
        if (_p.TakeForm("mut"u8))
        {
            byte t = ValueType();
            _p.ExpectRightParen();
            return [t, 1];
        }
        return [ValueType(), 0];
    }

    private byte[] TableType()
    {
        var limits = Limits();
        return [ValueType(), .. limits];
    }

    /// <summary><c>min max?</c> as the binary limits; a <paramref name="memory"/>'s may end in <c>shared</c>
    /// (flag bit 1).</summary>
    private byte[] Limits(bool memory = false)
    {
        var w = new WasmWriter(16);
        uint min = U32Literal();
        uint? max = _p.IsUnsigned() ? U32Literal() : null;
        bool shared = memory && _p.TakeKeyword("shared"u8);
        w.Byte((byte)((max is null ? 0 : 1) | (shared ? 2 : 0)));
        w.U32(min);
        if (max is uint m) w.U32(m);
        return w.ToArray();
    }

    /// <summary>A u32 literal (limits, offsets): too large a one is "i32 constant out of range".</summary>
    private uint U32Literal()
    {
        var t = _p.Next();
        return TextNumbers.ParseUnsigned(_p.Text(t), uint.MaxValue, out ulong v) switch
        {
            LiteralStatus.Ok => (uint)v,
            LiteralStatus.OutOfRange => throw _p.Error(t, "i32 constant out of range"),
            _ => throw _p.Unexpected(t),
        };
    }

    private void ExportField()
    {
        string name = _p.ExpectName();
        _p.ExpectLeftParen();
        var kind = _p.Next();
        byte code = 0;
        while (code < ExternalKinds && !(kind.Kind == TokenKind.Keyword && _p.String(kind) == ExternalSpace(code).Kind)) code++;
        if (code == ExternalKinds) throw _p.Unexpected(kind);
        AddExport(name, code, _p.Next());
        _p.ExpectRightParen();
        _p.ExpectRightParen();
    }

    /// <summary>The index space of import and export kind <paramref name="kind"/> (its binary byte), whose name is
    /// the kind's keyword.</summary>
    private Space ExternalSpace(byte kind) => kind switch { 0 => _funcs, 1 => _tables, 2 => _memories, 3 => _globals, _ => _tags };

    /// <summary>The import and export kinds: function, table, memory, global, tag.</summary>
    private const byte ExternalKinds = 5;

    /// <summary>An index: a number, or a name of <paramref name="space"/>. A token with start -1 carries an index
    /// already known (inline exports).</summary>
    private int ResolveIndex(Space space, Token t)
    {
        if (t.Start < 0) return t.Length;
        if (t.Kind == TokenKind.Id)
            return _p.TryFind(space.Names, t, out int i) ? i : throw _p.Error(t, $"unknown {space.Kind} {_p.IdName(t)}");
        if (t.Kind is TokenKind.Reserved or TokenKind.Keyword)
        {
            return TextNumbers.ParseUnsigned(_p.Text(t), uint.MaxValue, out ulong v) switch
            {
                LiteralStatus.Ok => (int)(uint)v,
                LiteralStatus.OutOfRange => throw _p.Error(t, "constant out of range"),
                _ => throw _p.Unexpected(t),
            };
        }
        throw _p.Unexpected(t);
    }

    /// <summary>Whether the next token (or the one <paramref name="ahead"/> after it) can be an index (a number or a
    /// name).</summary>
    private bool IsIndex(int ahead = 0) => _p.Peek(ahead).Kind == TokenKind.Id || _p.IsUnsigned(ahead);

    // ---- segments ----

    /// <summary>An element segment (spec: elem), from after its id.</summary>
    private void ElementSegment(int start)
    {
        _p.Position = start;
        int? table = null;
        bool declare = false, active = false;
        var offset = new WasmWriter(16);
        if (_p.TakeKeyword("declare"u8)) declare = true;
        else
        {
            if (_p.TakeForm("table"u8))
            {
                table = ResolveIndex(_tables, _p.Next());
                _p.ExpectRightParen();
            }
            if (_p.TakeForm("offset"u8))
            {
                active = true;
                Expression(offset);
                _p.ExpectRightParen();
            }
            else if (_p.Peek().Kind == TokenKind.LeftParen && !_p.IsForm("item"u8))
            {
                active = true;
                FoldedInstruction(offset);
            }
            else if (table is not null) throw _p.Unexpected(_p.Peek());
        }
        offset.Byte(0x0B);
        WriteElements(table, active, declare, offset);
        _p.ExpectRightParen();
    }

    /// <summary>The segment of <c>(table reftype (elem ...))</c>: active at 0 in that table.</summary>
    private void InlineElements(int table, byte type, int items)
    {
        _p.Position = items;
        var offset = new WasmWriter(8);
        offset.Byte(0x41);
        offset.Byte(0x00);
        offset.Byte(0x0B);
        WriteElements(table, active: true, declare: false, offset, inlineType: type);
    }

    /// <summary>The element list (<c>func x*</c>, <c>reftype expr*</c>, or legacy bare indices) and the segment in
    /// the smallest binary form, as the reference interpreter and wabt write it: function indices when every item
    /// is one (<c>ref.func x</c>) and the type is funcref, table 0 implicit.</summary>
    private void WriteElements(int? table, bool active, bool declare, WasmWriter offset, byte? inlineType = null)
    {
        var expressions = new List<byte[]>();
        var functions = new List<uint>();
        byte type = 0x70;
        if (_p.TakeKeyword("func"u8) || inlineType is not null && _p.Peek().Kind != TokenKind.LeftParen || !IsReferenceType() && active && _p.Peek().Kind != TokenKind.LeftParen)
        {
            while (!_p.AtRightParen) functions.Add((uint)ResolveIndex(_funcs, _p.Next()));
        }
        else
        {
            type = inlineType ?? ValueType();
            var item = new WasmWriter(16);
            while (!_p.AtRightParen)
            {
                item.Clear();
                if (_p.TakeForm("item"u8))
                {
                    Expression(item);
                    _p.ExpectRightParen();
                }
                else FoldedInstruction(item);
                item.Byte(0x0B);
                expressions.Add(item.ToArray());
            }
            if (type == 0x70 && expressions.TrueForAll(e => FunctionOf(e) is not null))
            {
                functions.AddRange(expressions.Select(e => FunctionOf(e)!.Value));
                expressions.Clear();
            }
        }

        bool asIndices = expressions.Count == 0 && type == 0x70;
        int tableIndex = table ?? 0;
        int flags = !active ? (declare ? 3 : 1) : (tableIndex != 0 || type != 0x70 ? 2 : 0);
        if (!asIndices) flags |= 4;
        var w = _elemSection;
        w.U32((uint)flags);
        if (active && (flags & 2) != 0) w.U32((uint)tableIndex);
        if (active) w.Bytes(offset.Written);
        if ((flags & 3) != 0) w.Byte(asIndices ? (byte)0x00 : type);
        if (asIndices)
        {
            w.U32((uint)functions.Count);
            foreach (uint f in functions) w.U32(f);
        }
        else
        {
            w.U32((uint)expressions.Count);
            foreach (var e in expressions) w.Bytes(e);
        }
        _elemCount++;
    }

    /// <summary>The function of an element expression that is exactly <c>ref.func x</c>, else null.</summary>
    private static uint? FunctionOf(byte[] expression)
    {
        // The parser wrote the expression, so its integers are well formed.
        var r = new Binary.WasmReader(expression);
        if (r.ReadByte() != 0xD2) return null;
        uint function = r.ReadU32();
        return r.ReadByte() == 0x0B && r.AtEnd ? function : null;
    }

    /// <summary>A data segment (spec: data), from after its id.</summary>
    private void DataSegment(int start)
    {
        _p.Position = start;
        int? memory = null;
        var w = _dataSection;
        if (_p.TakeForm("memory"u8))
        {
            memory = ResolveIndex(_memories, _p.Next());
            _p.ExpectRightParen();
        }
        if (_p.Peek().Kind == TokenKind.LeftParen)
        {
            // Memory 0 in the short form, as the reference interpreter and wabt write it.
            int m = memory ?? 0;
            w.U32(m == 0 ? 0u : 2u);
            if (m != 0) w.U32((uint)m);
            if (_p.TakeForm("offset"u8))
            {
                Expression(w);
                _p.ExpectRightParen();
            }
            else FoldedInstruction(w);
            w.Byte(0x0B);
        }
        else if (memory is not null) throw _p.Unexpected(_p.Peek());
        else w.U32(1);
        w.Sized(_p.ExpectStrings());
        _p.ExpectRightParen();
        _dataCount++;
    }

    private void InlineData(int memory, byte[] bytes)
    {
        var w = _dataSection;
        w.U32(memory == 0 ? 0u : 2u);
        if (memory != 0) w.U32((uint)memory);
        w.Bytes([0x41, 0x00, 0x0B]);
        w.Sized(bytes);
        _dataCount++;
    }

    // ---- custom sections ----

    /// <summary>Custom sections from <c>(@custom "name" place? "data"*)</c> (the annotations proposal), in text
    /// order, each placed before or after a section (<see cref="First"/>, <see cref="Last"/>: the module's ends).</summary>
    private readonly List<(string Name, byte[] Data, bool After, int Anchor)> _customs = [];
    private const int First = -1, Last = -2;

    /// <summary>The section ids by their text names, in binary order (data count before code).</summary>
    internal static readonly (string Name, byte Id)[] Sections =
    [
        ("type", 1), ("import", 2), ("func", 3), ("table", 4), ("memory", 5), ("tag", 13), ("global", 6), ("export", 7),
        ("start", 8), ("elem", 9), ("datacount", 12), ("code", 10), ("data", 11),
    ];

    private void CustomAnnotation()
    {
        string name = _p.ExpectName();
        bool after = true;
        int anchor = Last;
        if (_p.IsForm("before"u8) || _p.IsForm("after"u8))
        {
            _p.Next();
            after = _p.IsKeyword("after"u8);
            _p.Next();
            var where = _p.Next();
            string w = _p.String(where);
            anchor = w == "first" && !after ? First : w == "last" && after ? Last
                : Array.FindIndex(Sections, x => x.Name == w) is int i and >= 0 ? Sections[i].Id : throw _p.Error(where, "malformed section name");
            _p.ExpectRightParen();
        }
        var data = _p.ExpectStrings();
        _p.ExpectRightParen();
        _customs.Add((name, data, after, anchor));
    }

    /// <summary>The custom sections placed <paramref name="after"/> (or before) <paramref name="anchor"/>.</summary>
    private void Customs(WasmWriter m, bool after, int anchor)
    {
        foreach (var c in _customs)
        {
            if (c.After != after || c.Anchor != anchor) continue;
            var content = new WasmWriter(c.Data.Length + 16);
            content.Name(c.Name);
            content.Bytes(c.Data);
            m.Byte(0);
            m.Sized(content.Written);
        }
    }

    // ---- the binary ----

    private byte[] Assemble(int? start)
    {
        var m = new WasmWriter(1024);
        m.Bytes([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]);
        Customs(m, after: false, First);
        var s = new WasmWriter();
        int defined = 0;
        foreach (var f in _functions)
            if (f.BodyStart >= 0) defined++;
        foreach (var (_, id) in Sections)
        {
            Customs(m, after: false, id);
            Section(m, s, id, defined, start);
            Customs(m, after: true, id);
        }
        Customs(m, after: true, Last);
        return m.ToArray();
    }

    /// <summary>Writes section <paramref name="id"/> (nothing when it would be empty).</summary>
    private void Section(WasmWriter m, WasmWriter s, byte id, int defined, int? start)
    {
        s.Clear();
        switch (id)
        {
            case 1:
                foreach (var sig in _typeList)
                {
                    s.Byte(0x60);
                    s.U32((uint)sig.Params.Length);
                    foreach (char c in sig.Params) s.Byte((byte)c);
                    s.U32((uint)sig.Results.Length);
                    foreach (char c in sig.Results) s.Byte((byte)c);
                }
                m.Section(1, _typeList.Count, s);
                break;
            case 2:
                foreach (var (module, name, kind, desc) in _imports)
                {
                    s.Name(module);
                    s.Name(name);
                    s.Byte(kind);
                    if (desc is TypeUse use) TypeIndex(s, kind, use);
                    else s.Bytes((byte[])desc);
                }
                m.Section(2, _imports.Count, s);
                break;
            case 3:
                foreach (var f in _functions)
                    if (f.BodyStart >= 0) s.U32((uint)f.Use.Index);
                m.Section(3, defined, s);
                break;
            case 4: m.Section(4, _tableCount, _tableSection); break;
            case 5: m.Section(5, _memoryCount, _memorySection); break;
            case 13:
                foreach (var use in _definedTags) TypeIndex(s, 4, use);
                m.Section(13, _definedTags.Count, s);
                break;
            case 6: m.Section(6, _globalCount, _globalSection); break;
            case 7:
                foreach (var e in _exports)
                {
                    s.Name(e.Name);
                    s.Byte(e.Kind);
                    s.U32((uint)e.Resolved);
                }
                m.Section(7, _exports.Count, s);
                break;
            case 8:
                if (start is not int startIndex) break;
                m.Byte(8);
                s.U32((uint)startIndex);
                m.Sized(s.Written);
                break;
            case 9: m.Section(9, _elemCount, _elemSection); break;
            case 12:
                if (!_usesDataCount) break;
                m.Byte(12);
                s.U32((uint)_dataCount);
                m.Sized(s.Written);
                break;
            case 10: m.Section(10, defined, _codeSection); break;
            case 11: m.Section(11, _dataCount, _dataSection); break;
        }
    }

    /// <summary>The type of a function (its type index) or of a tag (kind 4: attribute 0, an exception, then the type
    /// index).</summary>
    private static void TypeIndex(WasmWriter s, byte kind, TypeUse use)
    {
        if (kind == 4) s.Byte(0x00);
        s.U32((uint)use.Index);
    }
}
