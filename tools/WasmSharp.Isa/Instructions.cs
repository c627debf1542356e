namespace WasmSharp.Isa;

/// <summary>
/// The interpreter's instruction set: every register-code operation, once. Order gives the numbering (and the
/// order of the executor's cases). Families (compare-and-branch per comparison, loads per width, ...) are
/// written as loops over their members.
/// </summary>
public static partial class Instructions
{
    private static readonly List<Instr> List = new();

    public static IReadOnlyList<Instr> All => List;

    static Instructions()
    {
        Control();
        CompareBranches();
        LoadBranches();
        Load2Fusions();
        Selects();
        CallsAndReturns();
        Moves();
        Memory();
        FusedMemory();
        AddressAdd();
        Bulk();
        Tables();
        Numeric();
        Exceptions();
        SimdInstructions();
    }

    // ---- building blocks -------------------------------------------------------------------------------

    /// <summary>Operands from "d:dst s:a o:offset" (kind letter, name).</summary>
    private static Operand[] Ops(string spec) =>
        spec.Length == 0
            ? []
            : spec.Split(' ').Select(p => new Operand(p[0] switch
            {
                'd' => Kind.Dst, 's' => Kind.Src, 'i' => Kind.Imm, 'o' => Kind.Offset, 't' => Kind.Target,
                _ => throw new ArgumentException($"operand kind in '{p}'"),
            }, p[2..])).ToArray();

    private static Instr Add(string name, string operands, string body, string doc, Props props = Props.None,
        string? display = null, int? wasm = null, bool variable = false, int accessSize = 0, int zeroExtended = 0,
        int signExtended = 0, StoreRole? lastStore = null, string? family = null)
    {
        var instr = new Instr
        {
            Name = name, Operands = Ops(operands), Body = body, Doc = doc, Props = props, Display = display, Wasm = wasm,
            Variable = variable, AccessSize = accessSize, ZeroExtendedBits = zeroExtended, SignExtendedBits = signExtended,
            LastStore = lastStore, Family = family,
        };
        List.Add(instr);
        return instr;
    }

    private static Instr Get(string name) => List.Single(i => i.Name == name);

    /// <summary>Effective address of a memory access of <paramref name="size"/> bytes at slot + offset, bounds
    /// checked (every byte of the access inside memory).</summary>
    private static string Ea(string addr, string offset, int size, bool declare = true) =>
        $"{(declare ? "ulong " : "")}ea = (uint){addr} + (ulong)(uint){offset}; if (ea + {size} > _memLen) goto Oob;";

    /// <summary>The same for an address summed from parts (they wrap to 32 bits, as the separate adds would).</summary>
    private static string EaSum(string sum, string offset, int size) =>
        $"ulong ea = (uint)({sum}) + (ulong)(uint){offset}; if (ea + {size} > _memLen) goto Oob;";

    // Integer comparisons in Wasm's order; negation and swapped-operand forms by index.
    private static readonly (string Name, bool Signed, string Op)[] IntCompares =
    [
        ("Eq", false, "=="), ("Ne", false, "!="), ("LtS", true, "<"), ("LtU", false, "<"), ("GtS", true, ">"),
        ("GtU", false, ">"), ("LeS", true, "<="), ("LeU", false, "<="), ("GeS", true, ">="), ("GeU", false, ">="),
    ];
    private static readonly int[] NegatedInt = [1, 0, 8, 9, 6, 7, 4, 5, 2, 3];
    private static readonly int[] SwappedInt = [0, 1, 4, 5, 2, 3, 8, 9, 6, 7];
    private static readonly (string Name, string Op)[] FloatCompares =
        [("Eq", "=="), ("Ne", "!="), ("Lt", "<"), ("Gt", ">"), ("Le", "<="), ("Ge", ">=")];

    // Plain loads and stores: name, bytes, how the loaded value becomes a slot (or the slot a stored value).
    private static readonly (string Name, int Size, string Read, int ZeroExtended, string? Signed)[] Loads =
    [
        ("I32Load", 4, "Unsafe.ReadUnaligned<uint>(_mem + ea)", 0, null),
        ("I64Load", 8, "Unsafe.ReadUnaligned<ulong>(_mem + ea)", 0, null),
        ("I32Load8S", 1, "(uint)(int)*(sbyte*)(_mem + ea)", 0, null),
        ("I32Load8U", 1, "_mem[ea]", 8, "I32Load8S"),
        ("I32Load16S", 2, "(uint)(int)Unsafe.ReadUnaligned<short>(_mem + ea)", 0, null),
        ("I32Load16U", 2, "Unsafe.ReadUnaligned<ushort>(_mem + ea)", 16, "I32Load16S"),
        ("I64Load8S", 1, "(ulong)(long)*(sbyte*)(_mem + ea)", 0, null),
        ("I64Load8U", 1, "_mem[ea]", 8, "I64Load8S"),
        ("I64Load16S", 2, "(ulong)(long)Unsafe.ReadUnaligned<short>(_mem + ea)", 0, null),
        ("I64Load16U", 2, "Unsafe.ReadUnaligned<ushort>(_mem + ea)", 16, "I64Load16S"),
        ("I64Load32S", 4, "(ulong)(long)Unsafe.ReadUnaligned<int>(_mem + ea)", 0, null),
        ("I64Load32U", 4, "Unsafe.ReadUnaligned<uint>(_mem + ea)", 32, "I64Load32S"),
    ];
    private static readonly (string Name, int Size, string Write)[] Stores =
    [
        ("I32Store", 4, "Unsafe.WriteUnaligned(_mem + ea, (uint)$value)"),
        ("I64Store", 8, "Unsafe.WriteUnaligned(_mem + ea, $value)"),
        ("I32Store8", 1, "_mem[ea] = (byte)$value"),
        ("I32Store16", 2, "Unsafe.WriteUnaligned(_mem + ea, (ushort)$value)"),
        ("I64Store8", 1, "_mem[ea] = (byte)$value"),
        ("I64Store16", 2, "Unsafe.WriteUnaligned(_mem + ea, (ushort)$value)"),
        ("I64Store32", 4, "Unsafe.WriteUnaligned(_mem + ea, (uint)$value)"),
    ];

    private const Props Keeps = Props.KeepsMemoryFacts;

    // ---- control and compare-and-branch ---------------------------------------------------------------

    private static void Control()
    {
        Add("Unreachable", "", "throw Trap(TrapCode.Unreachable);", "Traps.");
        Add("Interrupt", "", "if (Volatile.Read(ref *_interrupt) != 0) throw Interrupted();",
            "Traps \"interrupted\" if the store was interrupted: at every loop head of a module compiled interruptible.");
        Add("Br", "t:target", "@JUMP", "Jumps.");
        var nez = Add("BrIfNez", "s:cond t:target", "@BRANCH((uint)$cond != 0)", "Branches when cond (i32) is not zero.", Keeps);
        var eqz = Add("BrIfEqz", "s:cond t:target", "@BRANCH((uint)$cond == 0)", "Branches when cond (i32) is zero.", Keeps);
        nez.Rel["Negated"] = "BrIfEqz";
        eqz.Rel["Negated"] = "BrIfNez";
        Add("I32AddImm", "d:dst s:a i:imm", "$dst = (uint)((int)$a + $imm);", "i32.add or i32.sub with a constant.", Keeps);
        Add("I64AddImm", "d:dst s:a i:imm", "$dst = $a + (ulong)(long)$imm;",
            "i64.add or i64.sub with a constant that fits in 32 bits (sign-extended).", Keeps);
    }

    private static void Exceptions()
    {
        // Exception handling: the exception is made, then the handler tables are searched (Executor.Unwind).
        Add("Throw", "i:tag i:count", "return self.Unwind(ip, regs, self.NewException($tag, regs, ip + @REST, $count));",
            "Throws an exception of tag (the instance's tag index space) carrying the count values in the slots that follow.", variable: true).Rare = true;
        Add("ThrowRef", "s:exn", "return self.Unwind(ip, regs, self.TakeException($exn));",
            "Throws the exception exn (an exnref) refers to; traps on null.").Rare = true;
        // Tail calls: the callee takes the frame over (Executor.TailCall).
        Add("ReturnCall", "i:function i:count", "return self.TailCall(self._inst.Functions[$function], ip, regs, ip + @REST, $count);",
            "Calls function with the count arguments in the slots that follow, in place of the running function.", variable: true).Rare = true;
        Add("ReturnCallIndirect", "i:type i:table s:element i:count",
            "return self.TailCall(self.IndirectCallee($type, $table, (uint)$element), ip, regs, ip + @REST, $count);",
            "Calls the function at table[element], after checking its type, in place of the running function.", variable: true).Rare = true;
    }

    private static void CompareBranches()
    {
        for (int c = 0; c < IntCompares.Length; c++)
        {
            var (name, signed, op) = IntCompares[c];
            string t = signed ? "int" : "uint";
            var br = Add($"BrI32{name}", "s:a s:b t:target", $"@BRANCH(({t})$a {op} ({t})$b)",
                $"Branches when a {op} b (i32{(signed ? ", signed" : "")}).", Keeps | Props.IntBranch, family: "BrCompare");
            br.Rel["Negated"] = $"BrI32{IntCompares[NegatedInt[c]].Name}";
            br.Rel["Swapped"] = $"BrI32{IntCompares[SwappedInt[c]].Name}";
            br.Rel["LoadForm"] = $"BrI32{name}Load";
            br.Rel["Load2Form"] = $"BrI32{name}Load2";
        }
        for (int c = 0; c < IntCompares.Length; c++)
        {
            var (name, signed, op) = IntCompares[c];
            string t = signed ? "long" : "ulong";
            var br = Add($"BrI64{name}", "s:a s:b t:target", $"@BRANCH(({t})$a {op} ({t})$b)",
                $"Branches when a {op} b (i64{(signed ? ", signed" : "")}).", Keeps, family: "BrCompare");
            br.Rel["Negated"] = $"BrI64{IntCompares[NegatedInt[c]].Name}";
        }
        foreach (var (bits, conv) in new[] { ("32", "F32"), ("64", "F64") })
        {
            foreach (var (name, op) in FloatCompares)
            {
                var br = Add($"BrF{bits}{name}", "s:a s:b t:target", $"@BRANCH({conv}($a) {op} {conv}($b))",
                    $"Branches when a {op} b (f{bits}).", Keeps, family: "BrCompare");
                // The negation of an ordering is no ordering: NaN makes both false.
                br.Rel["Negated"] = name switch { "Eq" => $"BrF{bits}Ne", "Ne" => $"BrF{bits}Eq", _ => $"BrF{bits}Not{name}" };
            }
        }
        foreach (var (bits, conv) in new[] { ("32", "F32"), ("64", "F64") })
        {
            foreach (var (name, op) in FloatCompares.Skip(2))
            {
                var br = Add($"BrF{bits}Not{name}", "s:a s:b t:target", $"@BRANCH(!({conv}($a) {op} {conv}($b)))",
                    $"Branches when a {op} b fails (f{bits}; NaN included).", Keeps, family: "BrCompare");
                br.Rel["Negated"] = $"BrF{bits}{name}";
            }
        }
        var z = Add("BrI32AndZ", "s:a s:b t:target", "@BRANCH(((uint)$a & (uint)$b) == 0)", "Branches when a & b (i32) is zero.",
            Keeps, family: "BrCompare");
        var nz = Add("BrI32AndNz", "s:a s:b t:target", "@BRANCH(((uint)$a & (uint)$b) != 0)", "Branches when a & b (i32) is not zero.",
            Keeps, family: "BrCompare");
        z.Rel["Negated"] = "BrI32AndNz";
        nz.Rel["Negated"] = "BrI32AndZ";
    }

    /// <summary>The two i32 loads of a pair, [x, xAddr, xOffset, y, yAddr, yOffset] (the second may read the first's result).</summary>
    private const string PairOperands = "d:x s:xAddr o:xOffset d:y s:yAddr o:yOffset";
    private static readonly string LoadPair =
        $"{Ea("$xAddr", "$xOffset", 4)} uint x = Unsafe.ReadUnaligned<uint>(_mem + ea); $x = x;\n" +
        $"{Ea("$yAddr", "$yOffset", 4, declare: false)} uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); $y = y;\n";

    private static void LoadBranches()
    {
        // The loads are written out in each handler: through an inlined helper, RyuJIT kept the values in more
        // registers and spilled in the loop (measured: json, quicksort, sieve -O0 2% slower).
        for (int c = 0; c < IntCompares.Length; c++)
        {
            var (name, signed, op) = IntCompares[c];
            string t = signed ? "int" : "uint";
            var br = Add($"BrI32{name}Load2", $"{PairOperands} t:target", LoadPair + $"@BRANCH(({t})x {op} ({t})y)",
                $"Two i32.loads in order, then branches when x {op} y.", Keeps | Props.BranchOnLoad2, family: "BrI32Load2");
            br.Rel["Negated"] = $"BrI32{IntCompares[NegatedInt[c]].Name}Load2";
            br.Rel["LoadForm"] = $"BrI32{name}Load";
        }
        for (int c = 0; c < IntCompares.Length; c++)
        {
            var (name, signed, op) = IntCompares[c];
            string t = signed ? "int" : "uint";
            var br = Add($"BrI32{name}Load", "s:x d:y s:addr o:offset t:target",
                $"{Ea("$addr", "$offset", 4)} uint y = Unsafe.ReadUnaligned<uint>(_mem + ea); $y = y;\n@BRANCH(({t})(uint)$x {op} ({t})y)",
                $"An i32.load into y, then branches when x {op} y.", Keeps | Props.BranchOnLoad, family: "BrI32Load");
            br.Rel["Negated"] = $"BrI32{IntCompares[NegatedInt[c]].Name}Load";
            br.Rel["PlainForm"] = $"BrI32{name}";
        }
    }

    private static void Load2Fusions()
    {
        // A pair of i32.loads whose two results feed the next instruction (unoptimised code loads both operands
        // from the frame: x += y, p[i], p[i] = v), fused with it.
        Add("I32Load2AddStore", $"{PairOperands} d:sum s:addr o:offset",
            LoadPair + $"uint v = x + y; $sum = v;\n{Ea("$addr", "$offset", 4, declare: false)} Unsafe.WriteUnaligned(_mem + ea, v);",
            "The pair, then x + y into sum, stored (as I32AddStore).",
            lastStore: new("I32Store", "addr", "sum", "offset"));
        Add("I32Load2LoadShl", $"{PairOperands} d:dst i:shift i:imm o:offset",
            LoadPair + $"ea = (uint)(x + (y << $shift) + (uint)$imm) + (ulong)(uint)$offset; if (ea + 4 > _memLen) goto Oob;\n" +
            "$dst = Unsafe.ReadUnaligned<uint>(_mem + ea);",
            "The pair, then I32LoadShl with base x and index y.");
        Add("I32Load2Load8UAdd", $"{PairOperands} d:dst i:imm o:offset",
            LoadPair + "ea = (uint)(x + y + (uint)$imm) + (ulong)(uint)$offset; if (ea + 1 > _memLen) goto Oob;\n$dst = _mem[ea];",
            "The pair, then I32Load8UAdd of x + y.", zeroExtended: 8);
        Add("I32Load2Store8Add", $"{PairOperands} s:value i:imm o:offset",
            LoadPair + "ea = (uint)(x + y + (uint)$imm) + (ulong)(uint)$offset; if (ea + 1 > _memLen) goto Oob;\n_mem[ea] = (byte)$value;",
            "The pair, then I32Store8Add at x + y.");
    }

    private static void Selects()
    {
        for (int c = 0; c < IntCompares.Length; c++)
        {
            var (name, signed, op) = IntCompares[c];
            string t = signed ? "int" : "uint";
            Add($"SelectI32{name}", "d:dst s:a s:b s:x s:y", $"$dst = ({t})$a {op} ({t})$b ? $x : $y;",
                $"dst = a {op} b (i32) ? x : y.", Keeps, family: "SelectI32");
        }
    }

    private static void CallsAndReturns()
    {
        Add("BrTable", "s:index i:count",
            "uint i = (uint)$index; uint n = (uint)$count; ip += @REST + (int)(i < n ? i : n); ip += *ip; continue;",
            "Jumps to target[index], or to the default (the last of count + 1 targets) when index >= count.", variable: true);
        Add("Return0", "", "goto Return;", "Returns.");
        Add("GlobalSetAddImmReturn1", "i:global s:src i:imm s:value",
            "*_globals[$global] = (uint)((uint)$src + (uint)$imm); ip += @POS(value) - 1; goto case Op.Return1;",
            "global = src + imm (i32), then returns value (a scalar): an unoptimised function's epilogue.");
        // One result, straight into the caller's result slot. A scalar moves as one word: moved as two, the load
        // would span the word just stored by the instruction that computed it and the hardware could not forward
        // it (measured: fib 16% slower).
        foreach (var (suffix, type, load, store, what) in new[]
        {
            ("", "ulong", "$value", "regs[f.Result] = v", "a scalar"),
            ("V128", "var", "LoadV(%value)", "StoreV(regs + f.Result, v)", "a v128 (both words)"),
        })
            Add($"Return1{suffix}", "s:value",
                $$"""
                {{type}} v = {{load}};
                if (_depth == _entryDepth) { {{store.Replace("regs + f.Result", "regs").Replace("regs[f.Result]", "regs[0]")}}; return; }
                ref var f = ref _frames[--_depth];
                _current = f.Function;
                ip = f.ReturnIp;
                regs = _stack + f.Fp;
                {{store}};
                if (f.CrossInstance) RestoreInstance(f.Function);
                continue;
                """, $"Returns one value, {what}, straight into the caller's result slot.");
        Add("ReturnN", "i:count",
            """
            int n = $count;
            ulong* scratch = Scratch(n * SlotWords);
            for (int i = 0; i < n; i++) StoreV(scratch + i * SlotWords, LoadV(regs + ip[@REST + i]));
            for (int i = 0; i < n; i++) StoreV(regs + i * SlotWords, LoadV(scratch + i * SlotWords));
            goto Return;
            """, "Returns count values (sources may overlap the result slots, so they are staged).", variable: true);
        // Arguments move as one word each unless the callee takes a v128 (see Return1 for why).
        foreach (var (suffix, move) in new[]
        {
            ("", "regs[argBase + i * SlotWords] = regs[ip[@REST + i]]"),
            ("V128", "StoreV(regs + argBase + i * SlotWords, LoadV(regs + ip[@REST + i]))"),
        })
        {
            string args = suffix == "" ? "" : ", both words of each (a v128 among them)";
            // Once the callee is known: the frame, the result slot, the arguments moved, then the call.
            string enter = $$"""
                argBase = #frame;
                resultSlot = #result;
                int n = $count;
                for (int i = 0; i < n; i++) {{move}};
                returnIp = ip + @REST + n;
                goto Call;
                """;
            Add($"Call{suffix}", "i:function d:frame d:result i:count", "callee = _inst.Functions[$function];\n" + enter,
                $"Calls: the callee's frame starts at frame, where the count arguments are moved{args}; a single result goes to result.",
                variable: true, family: "Calls");
            Add($"CallIndirect{suffix}", "i:type i:table s:element d:frame d:result i:count",
                """
                TableDefinition* table = _tables[$table];
                uint e = (uint)$element;
                if (e >= table->Length) throw Trap(TrapCode.UndefinedElement);
                ulong entry = table->Elements[e];
                if (entry == 0) throw Trap(TrapCode.UninitializedElement);
                callee = _store.GetFunction((int)(entry - 1));
                if (callee.TypeId != _inst.TypeIds[$type]) throw Trap(TrapCode.IndirectCallTypeMismatch);

                """ + enter,
                $"Calls the function at table[element] after checking its type, as Call{suffix} does.", variable: true, family: "IndirectCalls");
        }
    }

    private static void Moves()
    {
        Add("Copy", "d:dst s:src", "$dst = $src;", "dst = src.", Keeps);
        Add("Copy2", "d:dst s:src d:dst2 s:src2", "ulong a = $src, b = $src2; $dst = a; $dst2 = b;",
            "Two moves; both sources are read first.");
        Add("Select", "d:dst s:cond s:a s:b", "$dst = (uint)$cond != 0 ? $a : $b;", "dst = cond ? a : b.", Keeps);
        Add("GlobalGet", "d:dst i:global", "$dst = *_globals[$global];", "dst = global.", Keeps);
        Add("GlobalSet", "i:global s:src", "*_globals[$global] = $src;", "global = src.", Keeps);
        Add("GlobalGetAddImm", "d:dst i:global i:imm", "$dst = (uint)((uint)*_globals[$global] + (uint)$imm);",
            "dst = global + imm (i32).", Keeps);
        Add("GlobalAddImm", "d:dst i:global i:imm",
            "ulong* g = _globals[$global]; ulong v = (uint)((uint)*g + (uint)$imm); $dst = v; *g = v;",
            "dst = global + imm (i32), and global = dst: the stack pointer bumped.", Keeps);
        Add("GlobalSetAddImm", "i:global s:src i:imm", "*_globals[$global] = (uint)((uint)$src + (uint)$imm);",
            "global = src + imm (i32).", Keeps);
        Add("RefFunc", "d:dst i:function", "$dst = (ulong)_inst.Functions[$function].Address + 1;", "dst = a reference to function.", Keeps);
        Add("RefIsNull", "d:dst s:src", "$dst = $src == 0 ? 1UL : 0UL;", "dst = src is null.", Keeps);
    }

    // ---- memory -----------------------------------------------------------------------------------------

    private static void Memory()
    {
        foreach (var (name, size, read, zext, signed) in Loads)
        {
            var load = Add(name, "d:dst s:addr o:offset", $"{Ea("$addr", "$offset", size)} $dst = {read};",
                $"dst = the {size}-byte value at addr + offset.", Keeps, accessSize: size, zeroExtended: zext, family: "Load");
            load.Rel["AddForm"] = AddFormOf(name);
            if (signed is not null) load.Rel["SignedTwin"] = signed;
        }
        Get("I32Load").Rel["MatchingStore"] = "I32Store";
        Get("I64Load").Rel["MatchingStore"] = "I64Store";
        foreach (var (name, size, write) in Stores)
        {
            var store = Add(name, "s:addr s:value o:offset", $"{Ea("$addr", "$offset", size)} {write};",
                $"Stores the low {size} bytes of value at addr + offset.", Keeps, accessSize: size, family: "Store",
                lastStore: name is "I32Store" or "I64Store" ? new(name, "addr", "value", "offset") : null);
            store.Rel["AddForm"] = AddFormOf(name);
        }
        foreach (var (name, size) in new[] { ("I32Store2", 4), ("I64Store2", 8) })
        {
            string plain = name[..^1];
            string write = Stores.Single(s => s.Name == plain).Write;
            Add(name, "s:addr s:value o:offset s:addr2 s:value2 o:offset2",
                $"{Ea("$addr", "$offset", size)} {write};\n{Ea("$addr2", "$offset2", size, declare: false)} {write.Replace("$value", "$value2")};",
                $"Two {plain}s, in order.", Keeps, lastStore: new(plain, "addr2", "value2", "offset2"));
        }
        Add("I32LoadShl", "d:dst s:base s:index i:shift i:imm o:offset",
            $"{EaSum("(uint)$base + ((uint)$index << $shift) + (uint)$imm", "$offset", 4)} $dst = Unsafe.ReadUnaligned<uint>(_mem + ea);",
            "An array access: dst = the i32 at base + (index << shift) + imm (wrapping to 32 bits), + offset.", Keeps);
        Add("I64LoadShl", "d:dst s:base s:index i:shift i:imm o:offset",
            $"{EaSum("(uint)$base + ((uint)$index << $shift) + (uint)$imm", "$offset", 8)} $dst = Unsafe.ReadUnaligned<ulong>(_mem + ea);",
            "I32LoadShl for an i64.", Keeps);
        Add("I32StoreShl", "s:base s:index i:shift s:value i:imm o:offset",
            $"{EaSum("(uint)$base + ((uint)$index << $shift) + (uint)$imm", "$offset", 4)} Unsafe.WriteUnaligned(_mem + ea, (uint)$value);",
            "An array store: the i32 value at base + (index << shift) + imm (wrapping to 32 bits), + offset.");
        Add("I64StoreShl", "s:base s:index i:shift s:value i:imm o:offset",
            $"{EaSum("(uint)$base + ((uint)$index << $shift) + (uint)$imm", "$offset", 8)} Unsafe.WriteUnaligned(_mem + ea, $value);",
            "I32StoreShl for an i64.");
    }

    /// <summary>"I32Load8U" → "I32Load8UAdd", "I32Store16" → "I32Store16Add".</summary>
    private static string AddFormOf(string name) => name + "Add";

    private static void FusedMemory()
    {
        Add("I32LoadAddImm", "d:dst s:addr o:offset i:imm",
            $"{Ea("$addr", "$offset", 4)} $dst = Unsafe.ReadUnaligned<uint>(_mem + ea) + (uint)$imm;", "An i32.load, then add imm.", Keeps);
        Add("I32LoadAddImmStore", "d:dst s:addr o:offset i:imm s:storeAddr o:storeOffset",
            $"{Ea("$addr", "$offset", 4)} uint v = Unsafe.ReadUnaligned<uint>(_mem + ea) + (uint)$imm;\n" +
            $"{Ea("$storeAddr", "$storeOffset", 4, declare: false)} Unsafe.WriteUnaligned(_mem + ea, v); $dst = v;",
            "An i32.load, add imm, i32.store (x++ in memory); the sum stays in dst.",
            lastStore: new("I32Store", "storeAddr", "dst", "storeOffset"));
        foreach (var (name, expr, size, producer) in new[]
                 {
                     ("I32AddStore", "uint v = (uint)$a + (uint)$b;", 4, "I32Add"),
                     ("I32XorStore", "uint v = (uint)$a ^ (uint)$b;", 4, "I32Xor"),
                     ("F64AddStore", "ulong v = Bits(F64($a) + F64($b));", 8, "F64Add"),
                     ("F64MulStore", "ulong v = Bits(F64($a) * F64($b));", 8, "F64Mul"),
                 })
        {
            Add(name, "d:dst s:a s:b s:addr o:offset",
                $"{expr}\n$dst = v;\n{Ea("$addr", "$offset", size)} Unsafe.WriteUnaligned(_mem + ea, v);",
                $"{producer}, then its result stored; it stays in dst.", Props.StoresItsResult, family: "StoreResult",
                lastStore: new(size == 4 ? "I32Store" : "I64Store", "addr", "dst", "offset"));
        }
        Add("I32LoadStore", "d:dst s:a o:aOffset s:addr o:offset",
            $"{Ea("$a", "$aOffset", 4)} uint v = Unsafe.ReadUnaligned<uint>(_mem + ea);\n$dst = v;\n" +
            $"{Ea("$addr", "$offset", 4, declare: false)} Unsafe.WriteUnaligned(_mem + ea, v);",
            "An i32.load, then an i32.store of what it loaded; it stays in dst.", Props.StoresItsResult,
            lastStore: new("I32Store", "addr", "dst", "offset"));
        Add("I32Load8UStore8", "d:dst s:addr o:offset s:storeAddr o:storeOffset",
            $"{Ea("$addr", "$offset", 1)} byte v = _mem[ea];\n$dst = v;\n{Ea("$storeAddr", "$storeOffset", 1, declare: false)} _mem[ea] = v;",
            "A byte copied: i32.load8_u, then i32.store8 of it; the loaded value stays in dst.", zeroExtended: 8);
        Add("I32Load8SStore8", "d:dst s:addr o:offset s:storeAddr o:storeOffset",
            $"{Ea("$addr", "$offset", 1)} sbyte v = *(sbyte*)(_mem + ea);\n$dst = (uint)(int)v;\n" +
            $"{Ea("$storeAddr", "$storeOffset", 1, declare: false)} *(sbyte*)(_mem + ea) = v;",
            "I32Load8UStore8, sign-extending.");
        Get("I32Load8UStore8").Rel["SignedTwin"] = "I32Load8SStore8";
        Add("GlobalAddImmStore", "d:dst i:global i:imm s:value o:offset",
            """
            ulong* g = _globals[$global];
            uint sp = (uint)((uint)*g + (uint)$imm);
            *g = sp;
            $dst = sp;
            ulong ea = sp + (ulong)(uint)$offset; if (ea + 4 > _memLen) goto Oob;
            Unsafe.WriteUnaligned(_mem + ea, (uint)$value);
            """, "GlobalAddImm, then i32.store value at dst + offset: a prologue spilling a parameter.");
        Add("I32LoadStoreAddImm", "d:dst s:addr o:offset i:imm s:storeAddr o:storeOffset",
            $"{Ea("$addr", "$offset", 4)} uint v = Unsafe.ReadUnaligned<uint>(_mem + ea);\n$dst = v;\n" +
            $"{Ea("$storeAddr", "$storeOffset", 4, declare: false)} Unsafe.WriteUnaligned(_mem + ea, v + (uint)$imm);",
            "dst = i32.load, then i32.store dst + imm (p++ with the old p kept).");
        Add("I32Load2", PairOperands,
            $"{Ea("$xAddr", "$xOffset", 4)} $x = Unsafe.ReadUnaligned<uint>(_mem + ea);\n" +
            $"{Ea("$yAddr", "$yOffset", 4, declare: false)} $y = Unsafe.ReadUnaligned<uint>(_mem + ea);",
            "Two i32.loads, in order.", Keeps);
        Add("I64Load2", PairOperands,
            $"{Ea("$xAddr", "$xOffset", 8)} $x = Unsafe.ReadUnaligned<ulong>(_mem + ea);\n" +
            $"{Ea("$yAddr", "$yOffset", 8, declare: false)} $y = Unsafe.ReadUnaligned<ulong>(_mem + ea);",
            "Two i64.loads, in order.", Keeps);
    }

    private static void AddressAdd()
    {
        // Loads and stores whose address is an i32.add of two slots, plus imm (a local array's place in the frame,
        // or 0): the additions wrap to 32 bits as the separate instructions would, then the offset is added.
        foreach (var (name, size, read, zext, signed) in Loads)
        {
            var load = Add(name + "Add", "d:dst s:a s:b i:imm o:offset", $"{EaSum("(uint)$a + (uint)$b + (uint)$imm", "$offset", size)} $dst = {read};",
                $"{name} at a + b + imm.", Keeps, accessSize: size, zeroExtended: zext, family: "LoadAdd");
            if (signed is not null) load.Rel["SignedTwin"] = signed + "Add";
        }
        foreach (var (name, size, write) in Stores)
            Add(name + "Add", "s:a s:b s:value i:imm o:offset", $"{EaSum("(uint)$a + (uint)$b + (uint)$imm", "$offset", size)} {write};",
                $"{name} at a + b + imm.", accessSize: size, family: "StoreAdd");
    }

    private static void Bulk()
    {
        Add("MemorySize", "d:dst", "$dst = _memLen / MemoryType.PageSize;", "dst = memory.size.", Keeps);
        Add("MemoryGrow", "d:dst s:delta i:memory",
            "$dst = (uint)(int)_inst.Memories[$memory].Grow((uint)$delta); LoadMemory();", "dst = memory.grow delta (then memory 0 is current).");
        // Multi-memory: the instructions above and every load and store act on the current memory, memory 0 but
        // between a UseMemory of another and the UseMemory 0 after the instruction.
        Add("UseMemory", "i:memory",
            "MemoryDefinition* m = _inst.Context->Memories[$memory]; _mem = m->Base; _memLen = m->Length;",
            "Makes memory (of the instance's index space) the one memory instructions act on.");
        Add("MemoryCopyAcross", "s:dst s:src s:n i:dstMemory i:srcMemory",
            """
            MemoryDefinition* dm = _inst.Context->Memories[$dstMemory], sm = _inst.Context->Memories[$srcMemory];
            ulong d = (uint)$dst, s = (uint)$src, n = (uint)$n; if (d + n > dm->Length || s + n > sm->Length) goto Oob;
            Buffer.MemoryCopy(sm->Base + s, dm->Base + d, n, n);
            """, "memory.copy between two memories.");
        Add("MemoryFill", "s:dst s:value s:n",
            "ulong d = (uint)$dst, n = (uint)$n; if (d + n > _memLen) goto Oob; NativeMemory.Fill(_mem + d, (nuint)n, (byte)$value);",
            "memory.fill.");
        Add("MemoryCopy", "s:dst s:src s:n",
            "ulong d = (uint)$dst, s = (uint)$src, n = (uint)$n; if (d + n > _memLen || s + n > _memLen) goto Oob; Buffer.MemoryCopy(_mem + s, _mem + d, n, n);",
            "memory.copy.");
        Add("MemoryInit", "i:segment s:dst s:src s:n",
            """
            var seg = _inst.DataSegments[$segment].Span;
            ulong d = (uint)$dst, s = (uint)$src, n = (uint)$n;
            if (d + n > _memLen || s + n > (ulong)seg.Length) goto Oob;
            seg.Slice((int)s, (int)n).CopyTo(new Span<byte>(_mem + d, (int)n));
            """, "memory.init.");
        Add("DataDrop", "i:segment", "_inst.DataSegments[$segment] = ReadOnlyMemory<byte>.Empty;", "data.drop.");
    }

    private static void Tables()
    {
        Add("TableGet", "d:dst i:table s:index",
            "TableDefinition* t = _tables[$table]; uint i = (uint)$index; if (i >= t->Length) throw Trap(TrapCode.OutOfBoundsTableAccess); $dst = t->Elements[i];",
            "dst = table[index].");
        Add("TableSet", "i:table s:index s:value",
            "TableDefinition* t = _tables[$table]; uint i = (uint)$index; if (i >= t->Length) throw Trap(TrapCode.OutOfBoundsTableAccess); t->Elements[i] = $value;",
            "table[index] = value.");
        Add("TableSize", "d:dst i:table", "$dst = _tables[$table]->Length;", "dst = table.size.");
        Add("TableGrow", "d:dst i:table s:init s:n", "$dst = (uint)(int)_inst.Tables[$table].Grow((uint)$n, $init);", "dst = table.grow.");
        Add("TableFill", "i:table s:index s:value s:n", "_inst.Tables[$table].Fill((uint)$index, $value, (uint)$n);", "table.fill.");
        Add("TableCopy", "i:dstTable i:srcTable s:dst s:src s:n",
            "_inst.Tables[$dstTable].Copy(_inst.Tables[$srcTable], (uint)$dst, (uint)$src, (uint)$n);", "table.copy.");
        Add("TableInit", "i:table i:segment s:dst s:src s:n",
            "_inst.Tables[$table].Init((uint)$dst, _inst.ElementSegments[$segment], (uint)$src, (uint)$n);", "table.init.");
        Add("ElemDrop", "i:segment", "_inst.ElementSegments[$segment] = [];", "elem.drop.");
    }
}
