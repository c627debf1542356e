namespace WasmSharp.Isa;

/// <summary>What an operand word of an instruction is.</summary>
public enum Kind
{
    /// <summary>A slot the instruction writes (relocated by the translator like every slot).</summary>
    Dst,
    /// <summary>A slot the instruction reads.</summary>
    Src,
    /// <summary>An immediate integer (an index, a count, a constant).</summary>
    Imm,
    /// <summary>A memory offset (unsigned).</summary>
    Offset,
    /// <summary>A branch target, relative to the operand's own position.</summary>
    Target,
}

public sealed record Operand(Kind Kind, string Name)
{
    /// <summary>The disassembler's letter for the kind.</summary>
    public char Letter => Kind switch
    {
        Kind.Dst => 'd', Kind.Src => 's', Kind.Imm => 'i', Kind.Offset => 'o', _ => 't',
    };
}

/// <summary>Boolean properties of an instruction, for the translator's rules.</summary>
[Flags]
public enum Props
{
    None = 0,
    /// <summary>Leaves memory as it was (or is a plain store, which the translator accounts for itself): what
    /// store-to-load forwarding knows survives it.</summary>
    KeepsMemoryFacts = 1,
    /// <summary>A numeric operation whose result is stored right away, [op, dst, x, y, store addr, store offset]:
    /// the result stays in dst too.</summary>
    StoresItsResult = 2,
    /// <summary>A comparison (or eqz) producing an i32 boolean.</summary>
    Boolean = 4,
    /// <summary>A compare-and-branch on one loaded i32 (BrI32*Load).</summary>
    BranchOnLoad = 8,
    /// <summary>A compare-and-branch on two loaded i32s (BrI32*Load2).</summary>
    BranchOnLoad2 = 16,
    /// <summary>An integer compare-and-branch of two slots (BrI32*, the ones that have load forms).</summary>
    IntBranch = 32,
}

/// <summary>Which operands of an instruction are the last store it makes (the one a reload may read back).</summary>
public sealed record StoreRole(string StoreOp, string Addr, string Value, string Offset);

/// <summary>One register-code operation.</summary>
public sealed class Instr
{
    public required string Name { get; init; }
    /// <summary>How the disassembler prints it (the Wasm name for plain numeric operations).</summary>
    public string? Display { get; init; }
    public required Operand[] Operands { get; init; }
    /// <summary>Operands follow the fixed ones: a count, then that many (calls, br_table, multi-value return).</summary>
    public bool Variable { get; init; }
    /// <summary>The executor's case, in C# with <c>$name</c> for an operand (a slot's value, or an immediate),
    /// <c>%name</c> for a pointer to a slot (a v128's first of two),
    /// <c>#name</c> for an operand's raw word, <c>@POS(name)</c> for its position, <c>@REST</c> for the position
    /// after the fixed operands, <c>@LEN</c> for the length, <c>@BRANCH(cond)</c> and <c>@JUMP</c> for the
    /// target. Unless the body transfers control itself, the instruction continues with the next one.</summary>
    public required string Body { get; init; }
    public required string Doc { get; init; }
    public Props Props { get; init; }
    /// <summary>A Wasm numeric opcode this operation implements (0x45..0xC4), or 0xFC00 + sub for the 0xFC ones.</summary>
    public int? Wasm { get; init; }
    /// <summary>Bytes a load or store accesses.</summary>
    public int AccessSize { get; init; }
    /// <summary>Bits an unsigned narrow load zero-extends (its result has no other bits set).</summary>
    public int ZeroExtendedBits { get; init; }
    /// <summary>Bits an extendN_s sign-extends from.</summary>
    public int SignExtendedBits { get; init; }
    public StoreRole? LastStore { get; init; }
    /// <summary>Runs in a small method of its own, called through a table, rather than in the executor's main loop:
    /// vector code in the loop made it too large for RyuJIT to optimise (it switched to MinOpts: 1.7x slower).</summary>
    public bool Simd { get; set; }
    /// <summary>Runs in a static method of its own, called from the main loop's default case: an operation that almost
    /// never runs (a throw), kept out of the loop, whose speed depends on its layout (adding the throws as cases
    /// made fib 4-30% slower, by where they went). It returns where to go on, and leaves the frame base to go on
    /// with in the executor's <c>_regsAfterRare</c> (a throw may go on in a caller's frame).</summary>
    public bool Rare { get; set; }
    /// <summary>The SIMD opcode (after 0xFD) this operation runs.</summary>
    public int? SimdOpcode { get; set; }
    /// <summary>A family shares one operand layout; the generator checks that it does.</summary>
    public string? Family { get; init; }

    /// <summary>Named relations to other instructions (see <see cref="Relations"/>).</summary>
    public Dictionary<string, string> Rel { get; } = new();

    public int Length => 1 + Operands.Length;

    public int Position(string operand)
    {
        for (int i = 0; i < Operands.Length; i++)
            if (Operands[i].Name == operand) return i + 1;
        throw new InvalidOperationException($"{Name} has no operand '{operand}'");
    }
}

/// <summary>The relations between instructions the translator follows, each generated as a lookup.</summary>
public static class Relations
{
    public static readonly (string Name, string Doc)[] All =
    [
        ("Negated", "The conditional branch taken exactly when this one is not."),
        ("Swapped", "The integer compare-and-branch of (b, a) that is taken exactly when this one of (a, b) is."),
        ("BranchForm", "The compare-and-branch taken when this comparison (or eqz, or i32.and as a bit test) holds."),
        ("SelectForm", "The compare-and-select that selects on this i32 comparison."),
        ("LoadForm", "The same compare-and-branch on a value loaded by an i32.load (from a plain or a two-load form)."),
        ("Load2Form", "The same compare-and-branch on two values loaded by two i32.loads."),
        ("PlainForm", "The same compare-and-branch of two slots (from the single-load form)."),
        ("AddForm", "The load or store whose address is the sum of two slots plus an immediate."),
        ("SignedTwin", "The same narrow load, sign-extending."),
        ("MatchingStore", "The store that writes what this full-width load reads."),
        ("StoreForm", "The fused operation that also stores its result."),
        ("ImmediateForm", "The register-immediate form (add, or sub with the immediate negated)."),
    ];
}
