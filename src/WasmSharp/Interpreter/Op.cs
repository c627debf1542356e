namespace WasmSharp.Interpreter;

/// <summary>
/// Register-code operations. Each instruction is an <see cref="Op"/> followed by int operands; a "slot" operand
/// is an offset from the frame pointer (params, locals, constants or temporaries alike), a "target" is the
/// distance from the target operand itself to the instruction to go to. Numeric operations keep the Wasm opcode's number (0x45..0xC4) so one table serves
/// decoding, validation and execution; their forms are [dst, a] (unary) and [dst, a, b] (binary).
/// </summary>
internal enum Op
{
    // Control. Operand layouts in brackets.
    Unreachable = 0,     // []
    Br = 1,              // [target]
    BrIfNez = 2,         // [cond, target]
    BrIfEqz = 3,         // [cond, target]
    BrTable = 4,         // [index, n, target0 .. target(n-1), default]
    Return0 = 5,         // []
    Return1 = 6,         // [src]
    ReturnN = 7,         // [n, src0 .. src(n-1)]
    Call = 8,            // [function index, arg base]: the callee's frame starts at arg base
    CallIndirect = 9,    // [type index, table index, element slot, arg base]
    Copy = 10,           // [dst, src]
    Select = 11,         // [dst, cond, a, b]
    GlobalGet = 12,      // [dst, global]
    GlobalSet = 13,      // [global, src]
    SimdUnsupported = 14,// []
    RefFunc = 15,        // [dst, function index]
    RefIsNull = 16,      // [dst, src]
    Copy2 = 17,          // [dst0, src0, dst1, src1] (parallel-safe: both sources read first)

    // Memory (memory 0). Loads [dst, addr, offset]; stores [addr, value, offset].
    I32Load = 0x20, I64Load, I32Load8S, I32Load8U, I32Load16S, I32Load16U,
    I64Load8S, I64Load8U, I64Load16S, I64Load16U, I64Load32S, I64Load32U,
    I32Store = 0x30, I64Store, I32Store8, I32Store16, I64Store8, I64Store16, I64Store32,
    MemorySize = 0x38,   // [dst]
    MemoryGrow,          // [dst, delta]
    MemoryFill,          // [dst addr, value, n]
    MemoryCopy,          // [dst addr, src addr, n]
    MemoryInit,          // [segment, dst addr, src offset, n]
    DataDrop,            // [segment]

    // Numeric: 0x45 .. 0xC4 as in the binary format (see NumericOps).
    NumericFirst = 0x45,
    NumericLast = 0xC4,

    // Saturating truncations (0xFC 0..7), unary.
    I32TruncSatF32S = 0xD0, I32TruncSatF32U, I32TruncSatF64S, I32TruncSatF64U,
    I64TruncSatF32S, I64TruncSatF32U, I64TruncSatF64S, I64TruncSatF64U,

    // Tables.
    TableGet = 0xE0,     // [dst, table, index]
    TableSet,            // [table, index, value]
    TableSize,           // [dst, table]
    TableGrow,           // [dst, table, init, n]
    TableFill,           // [table, index, value, n]
    TableCopy,           // [dst table, src table, dst, src, n]
    TableInit,           // [table, segment, dst, src, n]
    ElemDrop,            // [segment]

    // Fused forms (translation, not Wasm opcodes).
    I32AddImm = 0xF0,    // [dst, a, imm]: i32.add or i32.sub with a constant
    I64AddImm,           // [dst, a, imm]: i64.add or i64.sub with a constant that fits in 32 bits (sign-extended)
    // Superinstructions for the shapes unoptimised code is made of (locals live in linear memory there).
    I32LoadAddImm,       // [dst, addr, offset, imm]: i32.load, then add imm
    I32LoadAddImmStore,  // [dst, addr, offset, imm, store addr, store offset]: i32.load, add imm, i32.store (x++ in memory); the sum stays in dst
    GlobalGetAddImm,     // [dst, global, imm]: global.get, then add imm (i32)
    GlobalAddImm,        // [dst, global, imm]: dst = global + imm; global = dst (stack pointer bump)
    GlobalSetAddImm,     // [global, src, imm]: global = src + imm (i32)
    I32Load2,            // [dst, addr, offset, dst2, addr2, offset2]: two i32.loads, in order
    I64Load2,            // [dst, addr, offset, dst2, addr2, offset2]: two i64.loads, in order
    // Array accesses, address base + (index << shift) + imm, then + offset (the adds and the shift wrap to 32 bits
    // as in Wasm; imm is a local array's place in the frame, added to the frame pointer, or 0).
    I32LoadShl,          // [dst, base, index, shift, imm, offset]
    I64LoadShl,          // [dst, base, index, shift, imm, offset]
    I32StoreShl,         // [base, index, shift, value, imm, offset]
    I64StoreShl,         // [base, index, shift, value, imm, offset]
    I32Store2,           // [addr, value, offset, addr2, value2, offset2]: two i32.stores, in order
    I64Store2,           // [addr, value, offset, addr2, value2, offset2]: two i64.stores, in order
    GlobalSetAddImmReturn1, // [global, src, imm, value]: global = src + imm (i32), then return value
    // (0xFF is the last free number here; further fused forms take numbers from the gaps below 0x45.)
    I32LoadStoreAddImm = 0x18, // [dst, addr, offset, imm, store addr, store offset]: dst = i32.load, then i32.store dst + imm (p++ with the old p kept)
    // An operation whose result is stored right away: [dst, a, b, store addr, store offset]; the result stays in dst.
    I32AddStore = 0x19, I32XorStore, F64AddStore, F64MulStore,
    I32LoadStore = 0x1D,     // [dst, addr, offset, store addr, store offset]: i32.load, then i32.store of it
    GlobalAddImmStore = 0x1E,// [dst, global, imm, value, offset]: GlobalAddImm, then i32.store value at dst + offset (a prologue)
    // A byte copied: [dst, addr, offset, store addr, store offset]: i32.load8_u (or _s), then i32.store8 of it; the
    // loaded value stays in dst (a reload of the stored byte reads it there).
    I32Load8UStore8 = 0x1F, I32Load8SStore8 = 0x13,

    // Compare-and-branch: [a, b, target], branch when the comparison holds.
    BrI32Eq = 0x100, BrI32Ne, BrI32LtS, BrI32LtU, BrI32GtS, BrI32GtU, BrI32LeS, BrI32LeU, BrI32GeS, BrI32GeU,
    BrI64Eq, BrI64Ne, BrI64LtS, BrI64LtU, BrI64GtS, BrI64GtU, BrI64LeS, BrI64LeU, BrI64GeS, BrI64GeU,
    BrF32Eq, BrF32Ne, BrF32Lt, BrF32Gt, BrF32Le, BrF32Ge,
    BrF64Eq, BrF64Ne, BrF64Lt, BrF64Gt, BrF64Le, BrF64Ge,
    // Taken when the comparison fails (NaN included): the negation of a float ordering is no ordering.
    BrF32NotLt, BrF32NotGt, BrF32NotLe, BrF32NotGe,
    BrF64NotLt, BrF64NotGt, BrF64NotLe, BrF64NotGe,
    // Test-and-branch: [a, b, target], taken when a & b (i32) is zero / non-zero.
    BrI32AndZ, BrI32AndNz,

    // Loads and stores whose address is an i32.add of two slots (or a slot and a constant), plus imm (a local
    // array's place in the frame, or 0): the additions wrap to 32 bits as the separate instructions would, then
    // the offset is added. Loads [dst, a, b, imm, offset]; stores [a, b, value, imm, offset].
    I32LoadAdd = 0x160, I64LoadAdd, I32Load8SAdd, I32Load8UAdd, I32Load16SAdd, I32Load16UAdd, I64Load8SAdd, I64Load8UAdd, I64Load16SAdd, I64Load16UAdd, I64Load32SAdd, I64Load32UAdd,
    I32StoreAdd = 0x170, I64StoreAdd, I32Store8Add, I32Store16Add, I64Store8Add, I64Store16Add, I64Store32Add,

    // Compare-and-branch on loaded values (unoptimised code loads each variable to compare it), i32 only. Load2:
    // [dst, addr, offset, dst2, addr2, offset2, target]: two i32.loads in order, then branch when dst op dst2 holds.
    // Load: [x, dst, addr, offset, target]: an i32.load, then branch when x op dst holds. The loads write dst as
    // the plain ones would.
    BrI32EqLoad2 = 0x180, BrI32NeLoad2, BrI32LtSLoad2, BrI32LtULoad2, BrI32GtSLoad2, BrI32GtULoad2, BrI32LeSLoad2, BrI32LeULoad2, BrI32GeSLoad2, BrI32GeULoad2,
    BrI32EqLoad = 0x190, BrI32NeLoad, BrI32LtSLoad, BrI32LtULoad, BrI32GtSLoad, BrI32GtULoad, BrI32LeSLoad, BrI32LeULoad, BrI32GeSLoad, BrI32GeULoad,

    // A pair of i32.loads [dst, addr, offset, dst2, addr2, offset2] (as I32Load2) whose two results feed the next
    // instruction, fused with it (unoptimised code loads both operands from the frame: x += y, p[i], p[i] = v).
    // Its operands follow: x = dst, y = dst2.
    I32Load2AddStore = 0x1A0, // [..pair, sum dst, store addr, store offset]: x + y, stored (as I32AddStore)
    I32Load2LoadShl,          // [..pair, dst, shift, imm, offset]: I32LoadShl with base x, index y
    I32Load2Load8UAdd,        // [..pair, dst, imm, offset]: I32Load8UAdd of x + y
    I32Load2Store8Add,        // [..pair, value, imm, offset]: I32Store8Add at x + y

    // Compare-and-select: [dst, a, b, x, y]: dst = (a op b) ? x : y.
    SelectI32Eq = 0x140, SelectI32Ne, SelectI32LtS, SelectI32LtU, SelectI32GtS, SelectI32GtU,
    SelectI32LeS, SelectI32LeU, SelectI32GeS, SelectI32GeU,
}
