namespace WasmSharp.Tests.Runtime;

public class ValueTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void I32RoundTripsZeroExtendedInItsBits(int v)
    {
        var value = Value.I32(v);
        Assert.Equal(ValueType.I32, value.Type);
        Assert.Equal(v, value.AsI32());
        // Zero-extended: slots and globals compare raw bits, so -1 must not become 64 one-bits.
        Assert.Equal((ulong)(uint)v, value.Bits);
        Assert.Equal(0UL, value.HighBits);
        Assert.Null(value.Reference);
        Assert.False(value.IsNull);
        Assert.Equal(value, (Value)v);
        Assert.Equal(value, Value.FromBits(ValueType.I32, (uint)v));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(0x1_0000_0000L)]
    public void I64RoundTrips(long v)
    {
        var value = Value.I64(v);
        Assert.Equal(ValueType.I64, value.Type);
        Assert.Equal(v, value.AsI64());
        Assert.Equal((ulong)v, value.Bits);
        Assert.Equal(0UL, value.HighBits);
        Assert.False(value.IsNull);
        Assert.Equal(value, (Value)v);
    }

    [Theory]
    [InlineData(0x0000_0000u)] // +0.0
    [InlineData(0x8000_0000u)] // -0.0
    [InlineData(0x3FC0_0000u)] // 1.5
    [InlineData(0x0000_0001u)] // smallest subnormal
    [InlineData(0x7F80_0000u)] // +infinity
    [InlineData(0xFF80_0000u)] // -infinity
    [InlineData(0x7FC0_0000u)] // canonical quiet NaN
    [InlineData(0xFFC1_2345u)] // negative quiet NaN with a payload
    [InlineData(0x7FA0_0001u)] // signalling NaN: must not be quieted on the way through
    public void F32KeepsItsExactBits(uint bits)
    {
        var fromBits = Value.F32Bits(bits);
        var fromFloat = Value.F32(BitConverter.UInt32BitsToSingle(bits));
        foreach (var value in new[] { fromBits, fromFloat, (Value)BitConverter.UInt32BitsToSingle(bits) })
        {
            Assert.Equal(ValueType.F32, value.Type);
            Assert.Equal(bits, value.Bits);
            Assert.Equal(bits, BitConverter.SingleToUInt32Bits(value.AsF32()));
            Assert.Equal(0UL, value.HighBits);
            Assert.False(value.IsNull);
        }
        Assert.Equal(fromBits, fromFloat);
        Assert.Equal(fromBits, Value.FromBits(ValueType.F32, bits));
    }

    [Theory]
    [InlineData(0x0000_0000_0000_0000UL)] // +0.0
    [InlineData(0x8000_0000_0000_0000UL)] // -0.0
    [InlineData(0xC004_0000_0000_0000UL)] // -2.5
    [InlineData(0x0000_0000_0000_0001UL)] // smallest subnormal
    [InlineData(0xFFF0_0000_0000_0000UL)] // -infinity
    [InlineData(0x7FF8_0000_0000_0000UL)] // canonical quiet NaN
    [InlineData(0xFFF8_0000_DEAD_BEEFUL)] // negative quiet NaN with a payload
    [InlineData(0x7FF0_0000_0000_0001UL)] // signalling NaN: must not be quieted on the way through
    public void F64KeepsItsExactBits(ulong bits)
    {
        var fromBits = Value.F64Bits(bits);
        var fromDouble = Value.F64(BitConverter.UInt64BitsToDouble(bits));
        foreach (var value in new[] { fromBits, fromDouble, (Value)BitConverter.UInt64BitsToDouble(bits) })
        {
            Assert.Equal(ValueType.F64, value.Type);
            Assert.Equal(bits, value.Bits);
            Assert.Equal(bits, BitConverter.DoubleToUInt64Bits(value.AsF64()));
            Assert.Equal(0UL, value.HighBits);
        }
        Assert.Equal(fromBits, fromDouble);
        Assert.Equal(fromBits, Value.FromBits(ValueType.F64, bits));
    }

    [Fact]
    public void EqualityIsOnBitsTypeAndIdentity()
    {
        // NaN equals itself and -0.0 differs from +0.0: Value compares bits, not numbers.
        Assert.Equal(Value.F64(double.NaN), Value.F64(double.NaN));
        Assert.NotEqual(Value.F64(0.0), Value.F64(-0.0));
        Assert.NotEqual(Value.F32(0f), Value.F32(-0f));
        Assert.NotEqual(Value.F32Bits(0x7FC0_0000), Value.F32Bits(0x7FC0_0001));
        // The same bits of another type are another value.
        Assert.NotEqual(Value.I32(1), Value.I64(1));
        Assert.NotEqual(Value.I32(0), Value.F32(0f));
        Assert.NotEqual(Value.Null(ValueType.FuncRef), Value.Null(ValueType.ExternRef));
        Assert.Equal(Value.I64(-1).GetHashCode(), Value.FromBits(ValueType.I64, ulong.MaxValue).GetHashCode());
    }

    [Fact]
    public void V128KeepsBothHalves()
    {
        var v = Value.V128(0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210);
        Assert.Equal(ValueType.V128, v.Type);
        Assert.Equal(0x0123_4567_89AB_CDEFUL, v.Bits);
        Assert.Equal(0xFEDC_BA98_7654_3210UL, v.HighBits);
        Assert.False(v.IsNull);
        Assert.Equal(v, Value.FromBits(ValueType.V128, 0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210));
        Assert.NotEqual(v, Value.V128(0x0123_4567_89AB_CDEF, 0));
        Assert.NotEqual(Value.V128(1, 2), Value.V128(2, 1));
        Assert.Equal("v128:0xfedcba98765432100123456789abcdef", v.ToString());
    }

    [Fact]
    public void ReferencesKeepTheirObjectAndNullIsNull()
    {
        using var store = new Store();
        var f = new HostFunction(store, FunctionType.Empty, (_, _) => { });
        var func = Value.FuncRef(f);
        Assert.Equal(ValueType.FuncRef, func.Type);
        Assert.Same(f, func.AsFunction());
        Assert.Same(f, func.Reference);
        Assert.False(func.IsNull);

        var o = new object();
        var ext = Value.ExternRef(o);
        Assert.Equal(ValueType.ExternRef, ext.Type);
        Assert.Same(o, ext.Reference);
        Assert.Null(ext.AsFunction());
        Assert.False(ext.IsNull);
        // A function held as an externref is still returned as the object it is.
        Assert.Same(f, Value.ExternRef(f).Reference);
        // References are equal by identity, not by the objects' Equals.
        Assert.NotEqual(Value.ExternRef(new string('x', 3)), Value.ExternRef(new string('x', 3)));

        foreach (var t in new[] { ValueType.FuncRef, ValueType.ExternRef })
        {
            var nulls = new[] { Value.Null(t), Value.Default(t), t == ValueType.FuncRef ? Value.FuncRef(null) : Value.ExternRef(null) };
            foreach (var n in nulls)
            {
                Assert.Equal(t, n.Type);
                Assert.True(n.IsNull);
                Assert.Null(n.Reference);
                Assert.Null(n.AsFunction());
                Assert.Equal(nulls[0], n);
            }
            Assert.Equal($"{t.ToText()}:null", nulls[0].ToString());
        }
    }

    [Theory]
    [InlineData(ValueType.I32)]
    [InlineData(ValueType.I64)]
    [InlineData(ValueType.F32)]
    [InlineData(ValueType.F64)]
    [InlineData(ValueType.V128)]
    [InlineData(ValueType.FuncRef)]
    [InlineData(ValueType.ExternRef)]
    public void DefaultIsZeroOfItsType(ValueType t)
    {
        var d = Value.Default(t);
        Assert.Equal(t, d.Type);
        Assert.Equal(0UL, d.Bits); // +0.0 for floats, not -0.0
        Assert.Equal(0UL, d.HighBits);
        Assert.Null(d.Reference);
        // Only references have a null; a numeric zero is a value.
        Assert.Equal(t.IsReference(), d.IsNull);
    }

    [Fact]
    public void EveryKindSurvivesTheStoresSlotEncoding()
    {
        // Calls, globals and tables hold values as slot bits; references go through the store's encoding.
        using var store = new Store();
        var f = new HostFunction(store, FunctionType.Empty, (_, _) => { });
        var g = new HostFunction(store, FunctionType.Empty, (_, _) => { });
        object o1 = new(), o2 = new();
        Value[] values =
        [
            Value.I32(int.MinValue), Value.I32(-1), Value.I64(long.MinValue), Value.I64(-1),
            Value.F32Bits(0x7FA0_0001), Value.F32(-0f), Value.F64Bits(0x7FF0_0000_0000_0001), Value.F64(-0.0),
            Value.FuncRef(f), Value.FuncRef(g), Value.FuncRef(null),
            Value.ExternRef(o1), Value.ExternRef(o2), Value.ExternRef(o1), Value.ExternRef(null), Value.ExternRef(f),
        ];
        foreach (var v in values)
            Assert.Equal(v, store.FromBits(v.Type, store.ToBits(v)));
        // Distinct references get distinct, non-null encodings; the same object the same one.
        Assert.NotEqual(store.ToBits(Value.ExternRef(o1)), store.ToBits(Value.ExternRef(o2)));
        Assert.Equal(store.ToBits(Value.ExternRef(o1)), store.ToBits(Value.ExternRef(o1)));
        Assert.NotEqual(0UL, store.ToBits(Value.ExternRef(o1)));
        Assert.NotEqual(0UL, store.ToBits(Value.FuncRef(f)));
        var v128 = Value.V128(ulong.MaxValue, 0x8000_0000_0000_0000);
        Assert.Equal(v128, store.FromBits(ValueType.V128, store.ToBits(v128), v128.HighBits));
    }
}
