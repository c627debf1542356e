namespace WasmSharp.Binary;

/// <summary>Instructions allowed in constant expressions (Wasm 2.0, plus the extended-const arithmetic).</summary>
public enum ConstOp : byte
{
    I32Const,
    I64Const,
    F32Const,
    F64Const,
    V128Const,
    RefNull,
    RefFunc,
    GlobalGet,
    I32Add, I32Sub, I32Mul,
    I64Add, I64Sub, I64Mul,
    /// <summary>Any other instruction: well formed, but not constant, so validation rejects the expression
    /// ("constant expression required"). Kept, not refused while decoding, so that a malformed module is reported
    /// as malformed and the text printer can print the module.</summary>
    NotConstant,
}

/// <summary>One instruction of a constant expression. <see cref="Value"/> holds the constant bits (low half for
/// v128), the function or global index; <see cref="High"/> the high half of a v128; <see cref="RefType"/> the type of
/// ref.null. For <see cref="ConstOp.NotConstant"/>, <see cref="Value"/> is the instruction's offset in the module and
/// <see cref="High"/> its length in bytes.</summary>
public readonly record struct ConstInstr(ConstOp Op, ulong Value, ulong High = 0, ValueType RefType = default);

/// <summary>A constant expression: the instructions before its <c>end</c>, and where it starts.</summary>
public sealed record ConstExpr(ConstInstr[] Instructions, long Offset);

public sealed record Import(string Module, string Name, ExternalKind Kind)
{
    /// <summary>For functions and tags: the type index.</summary>
    public uint TypeIndex { get; init; }
    public TableType? Table { get; init; }
    public MemoryType? Memory { get; init; }
    public GlobalType? Global { get; init; }
}

public sealed record Export(string Name, ExternalKind Kind, uint Index);

public sealed record GlobalDefinition(GlobalType Type, ConstExpr Init);

public enum SegmentMode : byte { Active, Passive, Declarative }

/// <summary>An element segment. Every item is a constant expression (ref.func, ref.null or global.get).</summary>
public sealed record ElementSegment(SegmentMode Mode, uint TableIndex, ConstExpr? Offset, ValueType ElementType, ConstExpr[] Items, long Position);

public sealed record DataSegment(SegmentMode Mode, uint MemoryIndex, ConstExpr? Offset, ReadOnlyMemory<byte> Data, long Position);

/// <summary>Where a function body lies in the module bytes, and its declared locals (grouped as in the binary;
/// <see cref="TotalLocals"/> counts them, parameters excluded, at most <see cref="ModuleReader.MaxFunctionLocals"/>).</summary>
public sealed record FunctionBody((uint Count, ValueType Type)[] LocalGroups, ulong TotalLocals, int CodeOffset, int CodeLength)
{
    /// <summary>Absolute offset of the body's instructions (after the locals) in the module bytes.</summary>
    public int CodeOffset { get; } = CodeOffset;

    /// <summary>
    /// The malformed-module reason to give when the instructions run past <see cref="CodeLength"/> without their
    /// final <c>end</c>. The reference decoder reads on past the body, so its wording depends on what follows:
    /// the module's end ("unexpected end of section or function"), the next section ("section size mismatch"),
    /// or the next body ("END opcode expected"). The reader does not check the body's end: an error inside the
    /// instructions comes first.
    /// </summary>
    public string MissingEndReason { get; init; } = WasmReader.UnexpectedEnd;
}

public sealed record CustomSection(string Name, ReadOnlyMemory<byte> Data, long Offset);

/// <summary>
/// A decoded module, before validation: every section's contents as data. Function bodies are kept as ranges
/// of <see cref="Bytes"/>; their instructions are decoded by the validator, which translates them in the same pass.
/// </summary>
public sealed class ModuleInfo
{
    public required ReadOnlyMemory<byte> Bytes { get; init; }
    public List<FunctionType> Types { get; } = new();
    public List<Import> Imports { get; } = new();
    /// <summary>Type index of each function defined in the module (the function section).</summary>
    public List<uint> Functions { get; } = new();
    public List<TableType> Tables { get; } = new();
    public List<MemoryType> Memories { get; } = new();
    public List<GlobalDefinition> Globals { get; } = new();
    /// <summary>Type index of each tag defined in the module (the tag section).</summary>
    public List<uint> Tags { get; } = new();
    public List<Export> Exports { get; } = new();
    public uint? Start { get; set; }
    public List<ElementSegment> Elements { get; } = new();
    /// <summary>The data count section's value, when present.</summary>
    public uint? DataCount { get; set; }
    public List<FunctionBody> Codes { get; } = new();
    public List<DataSegment> Data { get; } = new();
    public List<CustomSection> CustomSections { get; } = new();

    /// <summary>Function names from the "name" custom section, by function index (imports included), when present.</summary>
    public Dictionary<uint, string> FunctionNames { get; } = new();
    /// <summary>Local names from the name section (subsection 2), by function index, then local index.</summary>
    public Dictionary<uint, Dictionary<uint, string>> LocalNames { get; } = new();
    public string? ModuleName { get; set; }

    // Index spaces, imports first, filled as the import, function, table, memory and global sections are read.
    /// <summary>Type index of every function in the function index space.</summary>
    public List<uint> FunctionTypeIndices { get; } = new();
    public List<TableType> AllTables { get; } = new();
    public List<MemoryType> AllMemories { get; } = new();
    public List<GlobalType> AllGlobals { get; } = new();
    /// <summary>Type index of every tag in the tag index space.</summary>
    public List<uint> AllTags { get; } = new();

    public int ImportedFunctionCount { get; set; }

    /// <summary>What defined function <paramref name="defined"/> is as a leaf (<see cref="Validation.LeafCode"/>):
    /// the one answer both the native translator (which leaves a leaf's stack check out) and the runtime (which
    /// calls a leaf more cheaply) go by. Found for all functions the first time it is asked (by any thread: each
    /// finds the same).</summary>
    internal Validation.LeafKind LeafKind(int defined)
    {
        var kinds = _leafKinds ??= [.. Codes.Select(c => Validation.LeafCode.Classify(Bytes.Span.Slice(c.CodeOffset, c.CodeLength), AllMemories.Count))];
        return kinds[defined];
    }
    private Validation.LeafKind[]? _leafKinds;
    public int ImportedTableCount { get; set; }
    public int ImportedMemoryCount { get; set; }
    public int ImportedGlobalCount { get; set; }
    public int ImportedTagCount { get; set; }

    /// <summary>Type of function <paramref name="index"/> in the function index space (imports first).</summary>
    public FunctionType GetFunctionType(int index) => Types[(int)FunctionTypeIndices[index]];

    /// <summary>Type of tag <paramref name="index"/> in the tag index space (imports first).</summary>
    public FunctionType GetTagType(int index) => Types[(int)AllTags[index]];
}
