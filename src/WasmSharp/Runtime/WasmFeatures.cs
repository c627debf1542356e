namespace WasmSharp;

/// <summary>
/// The WebAssembly features beyond 2.0 an engine accepts (<see cref="EngineConfig.Features"/>). Each one changes
/// what is valid: a module that uses a feature not enabled is rejected as the 2.0 specification says (malformed or
/// invalid). Every module valid without a feature is valid, with the same meaning, with it.
/// </summary>
[Flags]
public enum WasmFeatures
{
    /// <summary>WebAssembly 2.0 exactly.</summary>
    None = 0,
    /// <summary>Several memories in a module (Wasm 3.0): memory indices in loads, stores and the memory
    /// instructions, and in data segments.</summary>
    MultiMemory = 1,
    /// <summary>Shared memories, the memory types of the threads proposal (<c>(memory 1 2 shared)</c>, limits flag
    /// 0x02): defined, imported and exported, matched by their shared flag, and run like any memory. Atomic
    /// instructions and wait/notify are not implemented: a module that uses them is malformed (illegal opcode).</summary>
    SharedMemory = 2,
    /// <summary>Exception handling (Wasm 3.0): tags (section 13, import and export kind 4), <c>throw</c>,
    /// <c>throw_ref</c>, <c>try_table</c> and the <c>exnref</c> type.</summary>
    ExceptionHandling = 4,
    /// <summary>Tail calls (Wasm 3.0): <c>return_call</c> and <c>return_call_indirect</c>.</summary>
    TailCall = 8,
    /// <summary>Everything WasmSharp implements (the default).</summary>
    All = MultiMemory | SharedMemory | ExceptionHandling | TailCall,
}
