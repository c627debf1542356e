using WasmSharp.Validation;

namespace WasmSharp.Text;

/// <summary>What follows an instruction's name in the text format (and its opcode in the binary format).</summary>
internal enum Immediate : byte
{
    None,
    /// <summary>block, loop, if, and the legacy try: a label and a block type.</summary>
    Block,
    /// <summary>try_table: a label, a block type and catch clauses (<see cref="Instructions.CatchClauses"/>), whose
    /// labels are the enclosing blocks'.</summary>
    TryTable,
    Else,
    End,
    /// <summary>The legacy catch: a tag; like else, it ends the instructions before it in a try.</summary>
    Catch,
    /// <summary>The legacy catch_all: like else, it ends the instructions before it in a try.</summary>
    CatchAll,
    /// <summary>The legacy delegate: a label of the blocks around the try, which it ends in place of end.</summary>
    Delegate,
    /// <summary>throw: a tag.</summary>
    Tag,
    /// <summary>br, br_if: a label.</summary>
    Label,
    BrTable,
    /// <summary>call, ref.func: a function.</summary>
    Function,
    CallIndirect,
    Local,
    Global,
    /// <summary>table.get/set/size/grow/fill: a table, 0 when left out.</summary>
    Table,
    /// <summary>table.copy: two tables, or none for 0 0.</summary>
    TableCopy,
    /// <summary>table.init: a table (0 when left out) and an element segment.</summary>
    TableInit,
    /// <summary>elem.drop: an element segment.</summary>
    Element,
    /// <summary>Loads and stores: a memory (0 when left out), offset=, align=.</summary>
    MemArg,
    /// <summary>memory.size, memory.grow, memory.fill: a memory, 0 when left out.</summary>
    Memory,
    /// <summary>memory.copy: two memories (destination, source), or none for 0 0.</summary>
    MemoryCopy,
    /// <summary>memory.init: a memory (0 when left out) and a data segment; the binary has the segment first.</summary>
    MemoryInit,
    /// <summary>data.drop: a data segment.</summary>
    Data,
    I32,
    I64,
    F32,
    F64,
    /// <summary>select: optional (result t)*; with them, opcode 0x1C.</summary>
    Select,
    /// <summary>ref.null: a heap type.</summary>
    HeapType,
    /// <summary>v128.const: a shape and its lanes.</summary>
    V128,
    /// <summary>i8x16.shuffle: 16 lane indices.</summary>
    Shuffle,
    /// <summary>extract_lane, replace_lane: a lane index.</summary>
    Lane,
    /// <summary>v128.loadN_lane, v128.storeN_lane: a memory (0 when left out), a memarg and a lane index.</summary>
    MemArgLane,
}

/// <summary>An instruction of the text format: its name, binary encoding (<see cref="Prefix"/> 0 for one-byte
/// opcodes, else 0xFC or 0xFD followed by <see cref="Opcode"/> as a u32), immediates, and for memory accesses the
/// natural alignment in bytes (the default of <c>align=</c>).</summary>
internal readonly record struct Instruction(string Name, byte Prefix, uint Opcode, Immediate Immediate, int NaturalAlignment = 0)
{
    /// <summary>Whether this is no instruction of its own but ends the instructions before it in a block: else,
    /// end, and the legacy catch, catch_all and delegate.</summary>
    public bool IsDelimiter => Immediate is Immediate.Else or Immediate.End or Immediate.Catch or Immediate.CatchAll or Immediate.Delegate;
}

/// <summary>
/// Every instruction by name (Wasm 2.0, and exception handling with its legacy form): the one table the text parser
/// and printer share. SIMD instructions come from the validator's SIMD table (<see cref="SimdOpcodes"/>), the numeric
/// ones from the opcode ranges below.
/// </summary>
internal static class Instructions
{
    /// <summary>try_table's catch clauses by their binary byte: 0 <c>catch x l</c>, 1 <c>catch_ref x l</c>,
    /// 2 <c>catch_all l</c>, 3 <c>catch_all_ref l</c>.</summary>
    public static readonly string[] CatchClauses = ["catch", "catch_ref", "catch_all", "catch_all_ref"];

    /// <summary>Whether catch clause <paramref name="kind"/> names a tag before its label.</summary>
    public static bool CatchHasTag(byte kind) => kind < 2;

    /// <summary>Every instruction once. Plain arrays below, no dictionaries: building a frozen dictionary over
    /// these types cost a short wat2wasm run a fifth of its time (JIT of its generic code at start-up).</summary>
    public static readonly Instruction[] All = Build().ToArray();
    /// <summary>By opcode: one-byte opcodes, then those after 0xFC and after 0xFD.</summary>
    private static readonly Instruction?[][] ByCode = BuildByCode();

    private static Instruction?[][] BuildByCode()
    {
        var table = new[] { new Instruction?[256], new Instruction?[32], new Instruction?[256] };
        foreach (var i in All) table[PrefixIndex(i.Prefix)][i.Opcode] = i;
        return table;
    }

    private static int PrefixIndex(byte prefix) => prefix switch { 0 => 0, 0xFC => 1, 0xFD => 2, _ => -1 };

    /// <summary>The instructions by the UTF-8 bytes of their names, open addressing on an FNV-1a hash: a lookup
    /// straight from a token's bytes, the parser's most frequent one.</summary>
    private static readonly (byte[]? Name, Instruction Instruction)[] Slots = BuildSlots();
    private const int SlotMask = 1023;

    private static (byte[]?, Instruction)[] BuildSlots()
    {
        var slots = new (byte[]?, Instruction)[SlotMask + 1];
        foreach (var i in All)
        {
            var name = System.Text.Encoding.ASCII.GetBytes(i.Name);
            int k = Hash(name) & SlotMask;
            while (slots[k].Item1 is not null) k = (k + 1) & SlotMask;
            slots[k] = (name, i);
        }
        return slots;
    }

    private static int Hash(ReadOnlySpan<byte> s)
    {
        uint h = 2166136261;
        foreach (byte b in s) h = (h ^ b) * 16777619;
        return (int)(h ^ (h >> 15));
    }

    /// <summary>The instruction named by <paramref name="name"/> (ASCII), if any.</summary>
    public static bool TryGet(ReadOnlySpan<byte> name, out Instruction instruction)
    {
        var slots = Slots;
        for (int k = Hash(name) & SlotMask; slots[k].Name is byte[] candidate; k = (k + 1) & SlotMask)
            if (name.SequenceEqual(candidate))
            {
                instruction = slots[k].Instruction;
                return true;
            }
        instruction = default;
        return false;
    }

    /// <summary>The instruction with opcode <paramref name="opcode"/> after <paramref name="prefix"/> (0: none).</summary>
    public static bool TryGet(byte prefix, uint opcode, out Instruction instruction)
    {
        int t = PrefixIndex(prefix);
        if (t >= 0 && opcode < (uint)ByCode[t].Length && ByCode[t][opcode] is Instruction found)
        {
            instruction = found;
            return true;
        }
        instruction = default;
        return false;
    }

    private static IEnumerable<Instruction> Build()
    {
        var list = new List<Instruction>();
        void Add(string name, uint opcode, Immediate immediate = Immediate.None, int align = 0) => list.Add(new(name, 0, opcode, immediate, align));
        void Run(uint first, string prefix, string names)
        {
            foreach (var name in names.Split(' ')) list.Add(new(prefix + name, 0, first++, Immediate.None));
        }

        Add("unreachable", 0x00); Add("nop", 0x01);
        Add("block", 0x02, Immediate.Block); Add("loop", 0x03, Immediate.Block); Add("if", 0x04, Immediate.Block);
        Add("else", 0x05, Immediate.Else); Add("end", 0x0B, Immediate.End);
        // Exception handling (Wasm 3.0), and its legacy form (try, catch, catch_all, delegate, rethrow).
        Add("try", 0x06, Immediate.Block); Add("catch", 0x07, Immediate.Catch); Add("throw", 0x08, Immediate.Tag);
        Add("rethrow", 0x09, Immediate.Label); Add("throw_ref", 0x0A); Add("delegate", 0x18, Immediate.Delegate);
        Add("catch_all", 0x19, Immediate.CatchAll); Add("try_table", 0x1F, Immediate.TryTable);
        Add("br", 0x0C, Immediate.Label); Add("br_if", 0x0D, Immediate.Label); Add("br_table", 0x0E, Immediate.BrTable);
        Add("return", 0x0F); Add("call", 0x10, Immediate.Function); Add("call_indirect", 0x11, Immediate.CallIndirect);
        Add("return_call", 0x12, Immediate.Function); Add("return_call_indirect", 0x13, Immediate.CallIndirect);
        Add("drop", 0x1A); Add("select", 0x1B, Immediate.Select);
        Add("local.get", 0x20, Immediate.Local); Add("local.set", 0x21, Immediate.Local); Add("local.tee", 0x22, Immediate.Local);
        Add("global.get", 0x23, Immediate.Global); Add("global.set", 0x24, Immediate.Global);
        Add("table.get", 0x25, Immediate.Table); Add("table.set", 0x26, Immediate.Table);

        // Loads and stores 0x28..0x3E, with their natural alignment in bytes.
        uint op = 0x28;
        foreach (var (name, align) in new[]
        {
            ("i32.load", 4), ("i64.load", 8), ("f32.load", 4), ("f64.load", 8), ("i32.load8_s", 1), ("i32.load8_u", 1),
            ("i32.load16_s", 2), ("i32.load16_u", 2), ("i64.load8_s", 1), ("i64.load8_u", 1), ("i64.load16_s", 2),
            ("i64.load16_u", 2), ("i64.load32_s", 4), ("i64.load32_u", 4), ("i32.store", 4), ("i64.store", 8),
            ("f32.store", 4), ("f64.store", 8), ("i32.store8", 1), ("i32.store16", 2), ("i64.store8", 1),
            ("i64.store16", 2), ("i64.store32", 4),
        })
            Add(name, op++, Immediate.MemArg, align);
        Add("memory.size", 0x3F, Immediate.Memory); Add("memory.grow", 0x40, Immediate.Memory);
        Add("i32.const", 0x41, Immediate.I32); Add("i64.const", 0x42, Immediate.I64);
        Add("f32.const", 0x43, Immediate.F32); Add("f64.const", 0x44, Immediate.F64);

        const string intCompare = "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u";
        const string floatCompare = "eq ne lt gt le ge";
        const string intArith = "clz ctz popcnt add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr";
        const string floatArith = "abs neg ceil floor trunc nearest sqrt add sub mul div min max copysign";
        Run(0x45, "i32.", "eqz " + intCompare);
        Run(0x50, "i64.", "eqz " + intCompare);
        Run(0x5B, "f32.", floatCompare);
        Run(0x61, "f64.", floatCompare);
        Run(0x67, "i32.", intArith);
        Run(0x79, "i64.", intArith);
        Run(0x8B, "f32.", floatArith);
        Run(0x99, "f64.", floatArith);
        Run(0xA7, "", "i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u " +
            "i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u " +
            "f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64 " +
            "f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32 " +
            "i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64 " +
            "i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s");
        Add("ref.null", 0xD0, Immediate.HeapType); Add("ref.is_null", 0xD1); Add("ref.func", 0xD2, Immediate.Function);

        void Misc(string name, uint sub, Immediate immediate = Immediate.None) => list.Add(new(name, 0xFC, sub, immediate));
        uint s = 0;
        foreach (var name in "i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u".Split(' '))
            Misc(name, s++);
        Misc("memory.init", 8, Immediate.MemoryInit); Misc("data.drop", 9, Immediate.Data);
        Misc("memory.copy", 10, Immediate.MemoryCopy); Misc("memory.fill", 11, Immediate.Memory);
        Misc("table.init", 12, Immediate.TableInit); Misc("elem.drop", 13, Immediate.Element);
        Misc("table.copy", 14, Immediate.TableCopy); Misc("table.grow", 15, Immediate.Table);
        Misc("table.size", 16, Immediate.Table); Misc("table.fill", 17, Immediate.Table);

        for (uint code = 0; code < 256; code++)
        {
            if (!SimdOpcodes.TryGet(code, out var simd)) continue;
            var immediate = simd.Immediate switch
            {
                SimdImmediate.MemArg => Immediate.MemArg,
                SimdImmediate.MemArgLane => Immediate.MemArgLane,
                SimdImmediate.Lane => Immediate.Lane,
                SimdImmediate.Bytes16 => Immediate.V128,
                SimdImmediate.Shuffle => Immediate.Shuffle,
                _ => Immediate.None,
            };
            int align = immediate is Immediate.MemArg or Immediate.MemArgLane ? 1 << simd.Align : 0;
            list.Add(new(simd.Name, 0xFD, code, immediate, align));
        }
        return list;
    }
}
