using System.Runtime.Intrinsics;
using WasmSharp.Tests.Interpreter;
using static WasmSharp.Tests.Interpreter.FunctionModule;

namespace WasmSharp.Tests.Runtime;

/// <summary>v128 values cross every boundary whole: typed delegates, host functions, calls, multi-value returns,
/// block results, select and locals (each slot holds all 16 bytes).</summary>
public class V128Tests
{
    private const byte V128 = 0x7B;
    private static readonly byte[] I32x4Add = [0xFD, 0xAE, 0x01], I32x4Sub = [0xFD, 0xB1, 0x01];

    private static byte[] V128Const(params int[] lanes) =>
        Op([0xFD, 0x0C, .. lanes.SelectMany(BitConverter.GetBytes)]);

    private static Vector128<byte> Lanes(int a, int b, int c, int d) => Vector128.Create(a, b, c, d).AsByte();

    [Fact]
    public void TypedDelegatesPassVector128Whole()
    {
        var m = new FunctionModule().Func([V128, V128], [V128], None, LocalGet(0), LocalGet(1), I32x4Add).Compile();
        using var store = new Store();
        var add = new Linker().Instantiate(store, m).GetFunction<Vector128<byte>, Vector128<byte>, Vector128<byte>>("f0");
        Assert.Equal(Lanes(11, -1, int.MinValue, 44), add(Lanes(1, 2, int.MaxValue, 4), Lanes(10, -3, 1, 40)));
    }

    [Fact]
    public void HostFunctionsTakeAndReturnV128()
    {
        // f0(x) = host(x + [1 2 3 4]) - x, where the host doubles every lane.
        var m = new FunctionModule()
            .ImportFunc("env", "double", [V128], [V128])
            .Func([V128], [V128], None, LocalGet(0), V128Const(1, 2, 3, 4), I32x4Add, Call(0), LocalGet(0), I32x4Sub)
            .Compile();
        using var store = new Store();
        var linker = new Linker().DefineFunction("env", "double", (Vector128<byte> v) => (v.AsInt32() * 2).AsByte());
        var f = linker.Instantiate(store, m).GetFunction("f0")!;
        var result = f.Invoke(Value.V128(0x0000_0002_0000_0001, 0xFFFF_FFFF_0000_0010))[0];
        // x = [1 2 16 -1]: 2 * (x + [1 2 3 4]) - x = [3 6 22 7]
        Assert.Equal(ValueType.V128, result.Type);
        Assert.Equal((0x0000_0006_0000_0003UL, 0x0000_0007_0000_0016UL), (result.Bits, result.HighBits));
    }

    [Fact]
    public void CallsMoveV128ArgumentsAndResultsWholeAndScalarsAsOneWord()
    {
        // f0(a, v) = f1(a, v, a) - v, f1(x, w, y) = w + [x y x y]: the v128 call and return move both words;
        // f2 calls with scalars only, which move one word each (the high word of a scalar slot is never read).
        var m = new FunctionModule()
            .Func([I32, V128], [V128], None, LocalGet(0), LocalGet(1), LocalGet(0), Call(1), LocalGet(1), I32x4Sub)
            .Func([I32, V128, I32], [V128], None, LocalGet(1), LocalGet(0), Op(0xFD, 0x11), LocalGet(2), Op(0xFD, 0x1C, 1),
                  LocalGet(0), Op(0xFD, 0x1C, 2), LocalGet(2), Op(0xFD, 0x1C, 3), I32x4Add)
            .Func([I32], [I32], None, LocalGet(0), LocalGet(0), I32Add, Call(3))
            .Func([I32], [I32], None, LocalGet(0), I32Const(1), I32Add)
            .Compile();
        Assert.Equal("CallV128", Code(m, 0)[0].Split(' ')[0]);
        Assert.Equal("Return1V128", Code(m, 1)[^1].Split(' ')[0]);
        Assert.Equal(["i32.add", "Call", "Return1"], Code(m, 2).Select(l => l.Split(' ')[0]));
        using var store = new Store();
        var inst = new Linker().Instantiate(store, m);
        var f = inst.GetFunction<int, Vector128<byte>, Vector128<byte>>("f0");
        Assert.Equal(Lanes(5, 5, 5, 5), f(5, Lanes(1, -2, int.MaxValue, 4)));
        var g = inst.GetFunction<int, Vector128<byte>, int, Vector128<byte>>("f1");
        Assert.Equal(Lanes(8, 7, 10, 9), g(7, Lanes(1, 2, 3, 4), 5));
        Assert.Equal(7, inst.GetFunction("f2")!.Invoke(Value.I32(3))[0].AsI32());
    }

    [Fact]
    public void MultiValueReturnsBlockResultsSelectAndLocalsKeepBothHalves()
    {
        // f0(c) = (v, c, w) where v and w leave a block and a select: v = c ? [1 2 3 4] : [5 6 7 8], w = v + v.
        byte[] block = Cat(Block(V128), V128Const(1, 2, 3, 4), V128Const(5, 6, 7, 8), LocalGet(0), Op(0x1B), End);
        var m = new FunctionModule()
            .Func([I32], [V128, I32, V128], [V128], block, LocalSet(1), LocalGet(1), LocalGet(0), LocalGet(1), LocalGet(1), I32x4Add)
            .Compile();
        using var store = new Store();
        var f = new Linker().Instantiate(store, m).GetFunction("f0")!;
        var taken = f.Invoke(Value.I32(1));
        Assert.Equal(Value.V128(0x0000_0002_0000_0001, 0x0000_0004_0000_0003), taken[0]);
        Assert.Equal(1, taken[1].AsI32());
        Assert.Equal(Value.V128(0x0000_0004_0000_0002, 0x0000_0008_0000_0006), taken[2]);
        Assert.Equal(Value.V128(0x0000_0006_0000_0005, 0x0000_0008_0000_0007), f.Invoke(Value.I32(0))[0]);
    }

    private static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
    private static readonly byte[] None = [];
}
