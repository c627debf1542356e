using WasmSharp.Tests.Interpreter;
using static WasmSharp.Tests.Interpreter.FunctionModule;

namespace WasmSharp.Tests.Runtime;

/// <summary>A trap carries its kind beside the spec's message.</summary>
public class TrapCodeTests
{
    private static readonly byte[] None = [];

    public static TheoryData<string, TrapCode> Traps => new()
    {
        { "unreachable", TrapCode.Unreachable },
        { "div", TrapCode.IntegerDivideByZero },
        { "overflow", TrapCode.IntegerOverflow },
        { "nan", TrapCode.InvalidConversionToInteger },
        { "oob", TrapCode.OutOfBoundsMemoryAccess },
        { "recurse", TrapCode.CallStackExhausted },
        { "host", TrapCode.Host },
    };

    [Theory]
    [MemberData(nameof(Traps))]
    public void ATrapCarriesItsCodeAndTheSpecsMessage(string function, TrapCode code)
    {
        var m = new FunctionModule()
            .ImportFunc("env", "fail", [], [])
            .Memory()
            .Func([], [], None, Op(0x00))                                                         // f0 unreachable
            .Func([], [I32], None, I32Const(1), I32Const(0), Op(0x6D))                          // f1 i32.div_s 1 0
            .Func([], [I32], None, I32Const(int.MinValue), I32Const(-1), Op(0x6D))              // f2 MIN / -1
            .Func([], [I32], None, F64Const(double.NaN), Op(0xAA))                              // f3 i32.trunc_f64_s NaN
            .Func([], [I32], None, I32Const(65534), I32Load(0))                                 // f4 straddles the end
            .Func([], [], None, Call(6))                                                        // f5 calls itself (function 6: the import is 0)
            .Func([], [], None, Call(0))                                                        // f6 the host's trap
            .Compile();
        using var store = new Store();
        var linker = new Linker().DefineFunction("env", "fail", () => throw new TrapException("the host gave up"));
        var inst = linker.Instantiate(store, m);
        int index = Traps.Select(row => (string)row[0]).ToList().IndexOf(function); // exports count the defined functions from f0
        var trap = Assert.Throws<TrapException>(() => inst.GetFunction($"f{index}")!.Invoke());
        Assert.Equal(code, trap.Code);
        Assert.Equal(code == TrapCode.Host ? "the host gave up" : TrapException.MessageOf(code), trap.Message);
    }

    [Fact]
    public void EveryCodeHasItsOwnMessage()
    {
        var codes = Enum.GetValues<TrapCode>();
        Assert.Equal(codes.Length, codes.Select(TrapException.MessageOf).Distinct().Count());
        Assert.Equal("integer divide by zero", new TrapException(TrapCode.IntegerDivideByZero).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TrapException.MessageOf(0));
    }
}
