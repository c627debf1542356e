using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace WasmSharp;

/// <summary>
/// The Wasm types of the .NET types of typed delegates: int ↔ i32, long ↔ i64,
/// float ↔ f32, double ↔ f64, <c>Vector128&lt;byte&gt;</c> ↔ v128. The <c>typeof(T)</c> tests are constants per
/// instantiation, so the JIT keeps only one branch and nothing is boxed.
/// </summary>
internal static class ValueMarshal<T>
{
    /// <summary>The Wasm type of <typeparamref name="T"/>, or null when it has none.</summary>
    public static readonly ValueType? WasmType =
        typeof(T) == typeof(int) ? ValueType.I32 :
        typeof(T) == typeof(long) ? ValueType.I64 :
        typeof(T) == typeof(float) ? ValueType.F32 :
        typeof(T) == typeof(double) ? ValueType.F64 :
        typeof(T) == typeof(Vector128<byte>) ? ValueType.V128 :
        null;

    /// <summary>The Wasm type of <typeparamref name="T"/>; throws <see cref="WasmException"/> when there is none.</summary>
    public static ValueType Require() =>
        WasmType ?? throw new WasmException(
            $"type {typeof(T).Name} has no WebAssembly equivalent (use int, long, float, double or Vector128<byte>)");
}
