using System.Runtime.Intrinsics;
using WasmSharp.Tests.Interpreter;
using static WasmSharp.Tests.Interpreter.FunctionModule;

namespace WasmSharp.Tests.Runtime;

/// <summary>Host functions on raw slots: every engine calls them with the arguments in place, no Value between.</summary>
public class HostSlotsTests
{
    private const byte V128 = 0x7B;
    private static readonly byte[] None = [];

    /// <summary>env.mix(i32 a, i64 b, f32 c, f64 d, v128 v) -> (f64 a+b+c+d, v128 v*2, i32 a-1); f0 calls it and
    /// returns its results.</summary>
    private static Module MixModule() => new FunctionModule()
        .ImportFunc("env", "mix", [I32, I64, F32, F64, V128], [F64, V128, I32])
        .Func([I32, I64, F32, F64, V128], [F64, V128, I32], None,
              LocalGet(0), LocalGet(1), LocalGet(2), LocalGet(3), LocalGet(4), Call(0))
        .Compile();

    private static void Mix(HostSlots s)
    {
        int a = s.I32(0); long b = s.I64(1); float c = s.F32(2); double d = s.F64(3); var v = s.V128(4);
        s.SetF64(0, (double)a + b + c + d);
        s.SetV128(1, (v.AsInt32() * 2).AsByte());
        s.SetI32(2, a - 1);
    }

    private static readonly FunctionType MixType = new([ValueType.I32, ValueType.I64, ValueType.F32, ValueType.F64, ValueType.V128],
        [ValueType.F64, ValueType.V128, ValueType.I32]);

    private static readonly Value[] Args =
        [Value.I32(-5), Value.I64(1L << 40), Value.F32(0.5f), Value.F64(0.25), Value.V128(0x0000_0002_0000_0001, 0xFFFF_FFFF_0000_0003)];

    private static void AssertMixed(Value[] r)
    {
        Assert.Equal(-5.0 + (1L << 40) + 0.5 + 0.25, r[0].AsF64());
        Assert.Equal(Value.V128(0x0000_0004_0000_0002, 0xFFFF_FFFE_0000_0006), r[1]);
        Assert.Equal(-6, r[2].AsI32());
    }

    [Fact]
    public void WasmCallsAHostFunctionOnRawSlots()
    {
        using var store = new Store();
        var inst = new Linker().DefineFunction("env", "mix", MixType, (HostSlotsCallback)Mix).Instantiate(store, MixModule());
        AssertMixed(inst.GetFunction("f0")!.Invoke(Args));
    }

    [Fact]
    public void ARawHostFunctionIsCallableWithValues()
    {
        using var store = new Store();
        var f = new HostFunction(store, MixType, Mix, "mix");
        Assert.NotNull(f.SlotsCallback);
        AssertMixed(f.Invoke(Args));
    }

    [Fact]
    public void TypedDelegatesRunOnRawSlots()
    {
        using var store = new Store();
        var m = new FunctionModule().ImportFunc("env", "sub", [I32, I32], [I32])
            .Func([I32, I32], [I32], None, LocalGet(0), LocalGet(1), Call(0)).Compile();
        var linker = new Linker().DefineFunction("env", "sub", (int a, int b) => a - b);
        Assert.NotNull(((HostFunction)linker.Get(store, "env", "sub")!).SlotsCallback);
        Assert.Equal(-3, linker.Instantiate(store, m).GetFunction<int, int, int>("f0")(4, 7));
    }

    [Fact]
    public void AHostExceptionSurfacesIntact()
    {
        using var store = new Store();
        var m = new FunctionModule().ImportFunc("env", "fail", [], []).Func([], [], None, Call(0)).Compile();
        var boom = new InvalidOperationException("boom");
        var linker = new Linker().DefineFunction("env", "fail", new FunctionType([], []), (HostSlotsCallback)(_ => throw boom));
        Assert.Same(boom, Assert.Throws<InvalidOperationException>(() => linker.Instantiate(store, m).GetFunction("f0")!.Invoke()));
    }

    [Fact]
    public void ReferencesNeedValues()
    {
        var type = new FunctionType([ValueType.ExternRef], []);
        var e = Assert.Throws<WasmException>(() => new Linker().DefineFunction("env", "r", type, (HostSlotsCallback)(_ => { })));
        Assert.Contains("externref", e.Message);
    }
}
