using WasmSharp.Tests.Interpreter;
using static WasmSharp.Tests.Interpreter.FunctionModule;

namespace WasmSharp.Tests.Validation;

/// <summary>Invalid function bodies are rejected with the spec's wording, the function index and an offset.</summary>
public class ValidatorTests
{
    private static readonly byte[] None = [];

    private static InvalidModuleException Invalid(FunctionModule m) =>
        Assert.Throws<InvalidModuleException>(() => Module.FromBytes(m.Build()));

    [Fact]
    public void OperandTypeMismatch()
    {
        var e = Invalid(new FunctionModule().Func([], [I32], None, I64Const(1), I32Const(1), I32Add));
        Assert.Equal("type mismatch", e.Reason);
        Assert.Equal(0, e.FunctionIndex);
        Assert.True(e.Offset > 0);
    }

    [Fact]
    public void MissingResult() =>
        Assert.Equal("type mismatch", Invalid(new FunctionModule().Func([], [I32], None)).Reason);

    [Fact]
    public void ExtraValueAtEnd() =>
        Assert.Equal("type mismatch", Invalid(new FunctionModule().Func([], [], None, I32Const(1))).Reason);

    [Fact]
    public void UnknownLocal() =>
        Assert.Equal("unknown local 3", Invalid(new FunctionModule().Func([I32], [I32], None, LocalGet(3))).Reason);

    [Fact]
    public void UnknownLabel() =>
        Assert.Equal("unknown label", Invalid(new FunctionModule().Func([], [], None, Br(1))).Reason);

    [Fact]
    public void UnknownFunction() =>
        Assert.Equal("unknown function 5", Invalid(new FunctionModule().Func([], [], None, Call(5))).Reason);

    [Fact]
    public void MemoryInstructionWithoutMemory() =>
        Assert.Equal("unknown memory 0", Invalid(new FunctionModule().Func([], [I32], None, I32Const(0), I32Load(0))).Reason);

    [Fact]
    public void OverAlignedAccess() =>
        Assert.Equal("alignment must not be larger than natural",
            Invalid(new FunctionModule().Memory().Func([], [I32], None, I32Const(0), Op(0x28, 0x03, 0x00))).Reason);

    [Fact]
    public void BranchValueMismatch() =>
        Assert.Equal("type mismatch",
            Invalid(new FunctionModule().Func([], [I32], None, Block(I32), I64Const(1), Br(0), End)).Reason);

    [Fact]
    public void IfWithoutElseMustNotChangeTheStack() =>
        Assert.Equal("type mismatch",
            Invalid(new FunctionModule().Func([I32], [I32], None, LocalGet(0), If(I32), I32Const(1), End)).Reason);

    [Fact]
    public void SelectOfDifferentTypes() =>
        Assert.Equal("type mismatch",
            Invalid(new FunctionModule().Func([], [I32], None, I32Const(1), I64Const(2), I32Const(0), Op(0x1B))).Reason);

    [Fact]
    public void UnreachableCodeIsPolymorphic()
    {
        // After unreachable, i32.add may pop from the empty (polymorphic) stack.
        Module.FromBytes(new FunctionModule().Func([], [I32], None, Unreachable, I32Add).Build());
        // But values that are present must still have the right type.
        Assert.Equal("type mismatch",
            Invalid(new FunctionModule().Func([], [I32], None, Unreachable, I64Const(1), I32Add)).Reason);
    }

    [Fact]
    public void UndeclaredFunctionReference() =>
        Assert.Equal("undeclared function reference",
            Invalid(new FunctionModule().WithoutExports().Func([], [], None, Op(0xD2, 0x00), Drop)).Reason);

    [Fact]
    public void UnknownOpcodeIsMalformed()
    {
        var e = Assert.Throws<MalformedModuleException>(() => Module.FromBytes(new FunctionModule().Func([], [], None, Op(0xFF)).Build()));
        Assert.StartsWith("illegal opcode", e.Reason);
    }

    [Fact]
    public void SimdExecutesAndItsLaneIndicesAreValidated()
    {
        // v128.const (bytes 0, 1, ..., 14, 0xF0); i8x16.extract_lane_s 15 and 14
        byte[] bytes = [.. Enumerable.Range(0, 15).Select(i => (byte)i), 0xF0];
        var m = Module.FromBytes(new FunctionModule()
            .Func([], [I32], None, Op([0xFD, 0x0C, .. bytes, 0xFD, 0x15, 15]))
            .Func([], [I32], None, Op([0xFD, 0x0C, .. bytes, 0xFD, 0x15, 14])).Build());
        using var store = new Store();
        var instance = new Linker().Instantiate(store, m);
        Assert.Equal(-16, instance.GetFunction("f0")!.Invoke()[0].AsI32());
        Assert.Equal(14, instance.GetFunction("f1")!.Invoke()[0].AsI32());
        // A lane index out of range is a validation error.
        var bad = Op([0xFD, 0x0C, .. new byte[16], 0xFD, 0x15, 16]);
        Assert.Equal("invalid lane index", Invalid(new FunctionModule().Func([], [I32], None, bad)).Reason);
    }
}
