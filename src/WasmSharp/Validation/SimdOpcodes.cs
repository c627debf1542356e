namespace WasmSharp.Validation;

/// <summary>Immediates that follow a SIMD opcode (after the 0xFD prefix and the u32 LEB opcode).</summary>
internal enum SimdImmediate : byte
{
    /// <summary>No immediate.</summary>
    None,
    /// <summary>A memarg (align exponent, offset).</summary>
    MemArg,
    /// <summary>A memarg followed by one lane-index byte.</summary>
    MemArgLane,
    /// <summary>One lane-index byte.</summary>
    Lane,
    /// <summary>16 raw bytes (v128.const).</summary>
    Bytes16,
    /// <summary>16 lane-index bytes, each &lt; 32 (i8x16.shuffle).</summary>
    Shuffle,
}

/// <summary>Decoding and typing information for one SIMD instruction.</summary>
/// <param name="Name">Text-format name, e.g. <c>i32x4.add</c>.</param>
/// <param name="Immediate">Kind of immediate following the opcode.</param>
/// <param name="Params">Operand types in order (bottom of the stack first).</param>
/// <param name="Result">Result type, or null if the instruction produces none.</param>
/// <param name="Align">For memargs: log2 of the natural alignment (maximum allowed align exponent); 0 otherwise.</param>
/// <param name="Lanes">For lane-index immediates: number of lanes (each index must be &lt; Lanes); 0 otherwise.</param>
/// <param name="Operation">The register-code operation that runs it (null for v128.const, a constant provider).</param>
internal readonly record struct SimdOpInfo(string Name, SimdImmediate Immediate, ValueType[] Params, ValueType? Result, byte Align, byte Lanes,
    Interpreter.Op? Operation);

/// <summary>
/// Every WebAssembly 2.0 SIMD instruction (prefix 0xFD), indexed by opcode: generated (SimdOpcodes.g.cs) from the
/// instruction table in tools/WasmSharp.Isa, which declares each with the operation that runs it. Source of the
/// encodings: WebAssembly spec <c>document/core/appendix/index-instructions.py</c> and <c>proposals/simd/BinarySIMD.md</c>.
/// All 2.0 SIMD opcodes are below 0x100; 236 of the 256 are assigned.
/// </summary>
internal static partial class SimdOpcodes
{
    private static readonly SimdOpInfo?[] Table = Build();

    /// <summary>Looks up a SIMD opcode (the u32 following the 0xFD prefix).</summary>
    public static bool TryGet(uint opcode, out SimdOpInfo info)
    {
        if (opcode < (uint)Table.Length && Table[opcode] is { } found)
        {
            info = found;
            return true;
        }
        info = default;
        return false;
    }
}
