namespace WasmSharp;

/// <summary>Value types, with their binary encodings.</summary>
public enum ValueType : byte
{
    I32 = 0x7F,
    I64 = 0x7E,
    F32 = 0x7D,
    F64 = 0x7C,
    V128 = 0x7B,
    FuncRef = 0x70,
    ExternRef = 0x6F,
    /// <summary>A reference to an exception (exception handling), or null.</summary>
    ExnRef = 0x69,
}

public static class ValueTypeExtensions
{
    public static bool IsReference(this ValueType t) => t is ValueType.FuncRef or ValueType.ExternRef or ValueType.ExnRef;
    public static bool IsNumeric(this ValueType t) => t is ValueType.I32 or ValueType.I64 or ValueType.F32 or ValueType.F64;

    public static string ToText(this ValueType t) => t switch
    {
        ValueType.I32 => "i32",
        ValueType.I64 => "i64",
        ValueType.F32 => "f32",
        ValueType.F64 => "f64",
        ValueType.V128 => "v128",
        ValueType.FuncRef => "funcref",
        ValueType.ExternRef => "externref",
        ValueType.ExnRef => "exnref",
        _ => $"0x{(byte)t:x2}",
    };
}

/// <summary>The kinds of things a module imports and exports.</summary>
public enum ExternalKind : byte
{
    Function = 0,
    Table = 1,
    Memory = 2,
    Global = 3,
    /// <summary>An exception tag (<see cref="WasmFeatures.ExceptionHandling"/>).</summary>
    Tag = 4,
}
