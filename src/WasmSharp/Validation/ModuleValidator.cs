using WasmSharp.Binary;
using WasmSharp.Interpreter;

namespace WasmSharp.Validation;

/// <summary>Validates a decoded module and translates its function bodies in the same pass.</summary>
internal static class ModuleValidator
{
    public static CompiledFunction[] Validate(ModuleInfo info) => throw new NotImplementedException();
}
