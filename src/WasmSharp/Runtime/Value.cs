namespace WasmSharp;

/// <summary>A WebAssembly value of any type, for untyped calls, globals and tables.</summary>
public readonly struct Value : IEquatable<Value>
{
    public ValueType Type { get; }
    /// <summary>Raw bits of a number (floats as their IEEE bits), or the low half of a v128.</summary>
    public ulong Bits { get; }
    /// <summary>High half of a v128.</summary>
    public ulong HighBits { get; }
    /// <summary>The referenced object: a <see cref="Function"/> for funcref, any object for externref; null for a null reference.</summary>
    public object? Reference { get; }

    private Value(ValueType type, ulong bits, ulong high, object? reference)
    {
        Type = type;
        Bits = bits;
        HighBits = high;
        Reference = reference;
    }

    public static Value I32(int v) => new(ValueType.I32, (uint)v, 0, null);
    public static Value I64(long v) => new(ValueType.I64, (ulong)v, 0, null);
    public static Value F32(float v) => new(ValueType.F32, BitConverter.SingleToUInt32Bits(v), 0, null);
    public static Value F64(double v) => new(ValueType.F64, BitConverter.DoubleToUInt64Bits(v), 0, null);
    public static Value F32Bits(uint bits) => new(ValueType.F32, bits, 0, null);
    public static Value F64Bits(ulong bits) => new(ValueType.F64, bits, 0, null);
    public static Value V128(ulong low, ulong high) => new(ValueType.V128, low, high, null);
    public static Value FuncRef(Function? f) => new(ValueType.FuncRef, 0, 0, f);
    public static Value ExternRef(object? o) => new(ValueType.ExternRef, 0, 0, o);
    public static Value ExnRef(ExceptionInstance? exception) => new(ValueType.ExnRef, 0, 0, exception);
    public static Value Null(ValueType refType) => new(refType, 0, 0, null);

    /// <summary>The zero value of a type (0, +0.0 or null).</summary>
    public static Value Default(ValueType t) => new(t, 0, 0, null);

    /// <summary>A value from raw bits (numbers and v128 only).</summary>
    public static Value FromBits(ValueType t, ulong bits, ulong high = 0) => new(t, bits, high, null);

    public int AsI32() => (int)(uint)Bits;
    public long AsI64() => (long)Bits;
    public float AsF32() => BitConverter.UInt32BitsToSingle((uint)Bits);
    public double AsF64() => BitConverter.UInt64BitsToDouble(Bits);
    public Function? AsFunction() => Reference as Function;
    public ExceptionInstance? AsException() => Reference as ExceptionInstance;
    public bool IsNull => Type.IsReference() && Reference is null;

    public static implicit operator Value(int v) => I32(v);
    public static implicit operator Value(long v) => I64(v);
    public static implicit operator Value(float v) => F32(v);
    public static implicit operator Value(double v) => F64(v);

    public bool Equals(Value other) =>
        Type == other.Type && Bits == other.Bits && HighBits == other.HighBits && ReferenceEquals(Reference, other.Reference);
    public override bool Equals(object? obj) => obj is Value v && Equals(v);
    public override int GetHashCode() => HashCode.Combine(Type, Bits, HighBits, Reference);

    public override string ToString() => Type switch
    {
        ValueType.I32 => $"i32:{AsI32()}",
        ValueType.I64 => $"i64:{AsI64()}",
        ValueType.F32 => $"f32:{AsF32()}",
        ValueType.F64 => $"f64:{AsF64()}",
        ValueType.V128 => $"v128:0x{HighBits:x16}{Bits:x16}",
        _ => Reference is null ? $"{Type.ToText()}:null" : $"{Type.ToText()}:{Reference}",
    };
}
