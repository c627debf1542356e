using Sort = WasmSharp.Components.Binary.Sort;
using static WasmSharp.Components.Binary.SortExtensions;
using WasmSharp.Text;

namespace WasmSharp.Components.Text;

/// <summary>What a scope is: a component, or one of the types that declare with scopes of their own.</summary>
internal enum ScopeKind : byte { Component, ComponentType, InstanceType, ModuleType }

/// <summary>The kinds of definition (a component's sections) and of declarator (a type's), in one list.</summary>
internal enum Item : byte { CoreModule, CoreInstance, CoreType, Component, Instance, Alias, Type, Canon, Start, Import, Export, Value }

/// <summary>The names and count of one index space of one scope.</summary>
internal sealed class IndexSpace(Sort sort)
{
    public readonly NameTable Names = new();
    public int Count;

    /// <summary>Adds the next index, named <paramref name="name"/> if not null.</summary>
    public int Add(TextParser p, Token at, string? name)
    {
        if (name is not null && !Names.TryAdd(name, Count)) throw p.Error(at, $"duplicate {sort.Name()} {name}");
        return Count++;
    }
}

/// <summary>
/// One scope of component text: a component, a component or instance type, or a core module type. It holds an
/// index space per sort and its definitions (or declarators) in text order, each already encoded; inline forms
/// (an inline type, an inline alias, an inline instance) are added as definitions of their own before the one that
/// holds them, as the Explainer's abbreviations expand.
/// </summary>
internal sealed class ComponentScope
{
    private const byte No = 0xFF;
    // By Item: a component's section id, a component or instance type's declarator, a module type's declarator.
    private static ReadOnlySpan<byte> SectionIds => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    private static ReadOnlySpan<byte> TypeDeclarators => [No, No, 0x00, No, No, 0x02, 0x01, No, No, 0x03, 0x04, No];
    private static ReadOnlySpan<byte> ModuleDeclarators => [No, No, 0x01, No, No, 0x02, No, No, No, 0x00, 0x03, No];

    private readonly IndexSpace[] _spaces = new IndexSpace[Sorts.Count];
    private readonly List<(Item Kind, byte[] Bytes)> _items = [];

    public ComponentScope(ScopeKind kind, ComponentScope? parent, string? id)
    {
        Kind = kind;
        Parent = parent;
        Id = id;
        for (int i = 0; i < _spaces.Length; i++) _spaces[i] = new IndexSpace((Sort)i);
    }

    public ScopeKind Kind { get; }
    public ComponentScope? Parent { get; }
    /// <summary>The <c>$name</c> an <c>alias outer</c> may call this scope by, or null.</summary>
    public string? Id { get; }

    public IndexSpace this[Sort sort] => _spaces[(int)sort];

    /// <summary>Outer aliases added for names of enclosing scopes used here, by sort and name: one alias each.</summary>
    public Dictionary<(Sort, string), int> OuterAliases { get; } = [];

    /// <summary>Adds a definition (or declarator) of kind <paramref name="kind"/>, or says at
    /// <paramref name="at"/> that this scope cannot hold one.</summary>
    public void Add(TextParser p, Token at, Item kind, byte[] bytes)
    {
        var codes = Kind switch { ScopeKind.Component => SectionIds, ScopeKind.ModuleType => ModuleDeclarators, _ => TypeDeclarators };
        if (codes[(int)kind] == No || Kind == ScopeKind.InstanceType && kind == Item.Import)
            throw p.Error(at, $"{Describe(kind)} is not allowed in {Describe(Kind)}");
        _items.Add((kind, bytes));
    }

    private static string Describe(Item kind) => kind switch
    {
        Item.CoreModule => "a core module", Item.CoreInstance => "a core instance", Item.CoreType => "a core type",
        Item.Component => "a component", Item.Instance => "an instance", Item.Alias => "an alias", Item.Type => "a type",
        Item.Canon => "a canonical definition", Item.Start => "a start definition", Item.Import => "an import",
        Item.Export => "an export", _ => "a value",
    };

    private static string Describe(ScopeKind kind) => kind switch
    {
        ScopeKind.Component => "a component",
        ScopeKind.ComponentType => "a component type",
        ScopeKind.InstanceType => "an instance type",
        _ => "a core module type",
    };

    /// <summary>The binary of this scope: a component (preamble and sections, consecutive definitions of one
    /// vector section sharing it), or a type (its opcode and declarators).</summary>
    public byte[] Assemble()
    {
        var w = new WasmWriter();
        if (Kind != ScopeKind.Component)
        {
            w.Byte(Kind switch { ScopeKind.ComponentType => 0x41, ScopeKind.InstanceType => 0x42, _ => 0x50 });
            w.U32((uint)_items.Count);
            var codes = Kind == ScopeKind.ModuleType ? ModuleDeclarators : TypeDeclarators;
            foreach (var (kind, bytes) in _items)
            {
                w.Byte(codes[(int)kind]);
                w.Bytes(bytes);
            }
            return w.ToArray();
        }

        w.Bytes([0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00]);
        var contents = new WasmWriter();
        for (int i = 0; i < _items.Count;)
        {
            var kind = _items[i].Kind;
            byte id = SectionIds[(int)kind];
            if (kind is Item.CoreModule or Item.Component or Item.Start)
            {
                // Not vectors: one definition per section.
                w.Byte(id);
                w.Sized(_items[i++].Bytes);
                continue;
            }
            contents.Clear();
            int count = 0;
            for (; i < _items.Count && _items[i].Kind == kind; i++, count++) contents.Bytes(_items[i].Bytes);
            w.Section(id, count, contents);
        }
        return w.ToArray();
    }
}
