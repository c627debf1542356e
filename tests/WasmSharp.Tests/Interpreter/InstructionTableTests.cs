using WasmSharp.Interpreter;
using WasmSharp.Isa;
using WasmSharp.Tests.Wasi;

namespace WasmSharp.Tests.Interpreter;

/// <summary>The interpreter's instruction set comes from one table (tools/WasmSharp.Isa): the code derived from it
/// is current, and what it says of the operations holds together.</summary>
public class InstructionTableTests
{
    [Fact]
    public void GeneratedCodeMatchesTheTable()
    {
        foreach (var (path, text) in Generator.Files(TestPrograms.RepositoryRoot))
            Assert.True(File.ReadAllText(Path.Combine(TestPrograms.RepositoryRoot, path)) == text,
                $"{path} is out of date: run `dotnet run --project tools/WasmSharp.Isa`");
    }

    private static IEnumerable<Op> AllOps => Enum.GetValues<Op>();

    [Fact]
    public void EveryOperationIsInTheTableInOrder()
    {
        Assert.Equal(Instructions.All.Select(i => i.Name), Enum.GetNames<Op>());
        Assert.Equal(Enumerable.Range(0, OpInfo.Count), AllOps.Select(o => (int)o));
    }

    [Fact]
    public void LengthsFollowTheShapes()
    {
        foreach (var op in AllOps)
            Assert.Equal(OpInfo.IsVariable(op) ? 0 : 1 + OpInfo.Shape(op).Length, OpInfo.Length(op));
    }

    [Fact]
    public void NegationAndSwappingAreTheirOwnInverses()
    {
        foreach (var op in AllOps)
        {
            if (OpInfo.Negated(op) is Op n)
            {
                Assert.Equal(op, OpInfo.Negated(n));
                Assert.NotEqual(op, n);
                Assert.Equal(OpInfo.Shape(op), OpInfo.Shape(n));
            }
            if (OpInfo.Swapped(op) is Op s) Assert.Equal(op, OpInfo.Swapped(s));
        }
        Assert.Equal(Op.BrI32GeS, OpInfo.Negated(Op.BrI32LtS));
        Assert.Equal(Op.BrF32NotLt, OpInfo.Negated(Op.BrF32Lt)); // not BrF32Ge: NaN
        Assert.Equal(Op.BrI32GtU, OpInfo.Swapped(Op.BrI32LtU));
    }

    [Fact]
    public void BranchFormsOnLoadsReturnToThePlainForm()
    {
        foreach (var op in AllOps.Where(OpInfo.IntBranch))
        {
            var load = OpInfo.LoadForm(op)!.Value;
            var load2 = OpInfo.Load2Form(op)!.Value;
            Assert.True(OpInfo.BranchOnLoad(load));
            Assert.True(OpInfo.BranchOnLoad2(load2));
            Assert.Equal(op, OpInfo.PlainForm(load));
            Assert.Equal(load, OpInfo.LoadForm(load2));
            // Negating commutes with taking the load forms.
            Assert.Equal(OpInfo.LoadForm(OpInfo.Negated(op)!.Value), OpInfo.Negated(load));
            Assert.Equal(OpInfo.Load2Form(OpInfo.Negated(op)!.Value), OpInfo.Negated(load2));
        }
    }

    [Fact]
    public void EveryWasmNumericOpcodeHasItsOperation()
    {
        for (int opcode = 0x45; opcode <= 0xC4; opcode++)
        {
            var op = OpInfo.FromWasm(opcode);
            Assert.Equal(WasmSharp.Validation.NumericOps.TryGet((byte)opcode, out var sig) && sig.Binary ? "dss" : "ds", OpInfo.Shape(op));
        }
        Assert.Equal("i32.add", OpInfo.Name(OpInfo.FromWasm(0x6A)));
        Assert.Equal(Op.I64TruncSatF64U, OpInfo.FromWasmFC(7));
    }

    [Fact]
    public void ExpansionWritesOperandsPositionsAndControl()
    {
        var br = Instructions.All.Single(i => i.Name == "BrI32LtS");
        Assert.Equal("ip = (int)regs[ip[1]] < (int)regs[ip[2]] ? ip + 3 + ip[3] : ip + 4; continue;", Generator.Expand(br));
        var load = Instructions.All.Single(i => i.Name == "I32Load");
        Assert.EndsWith("regs[ip[1]] = Unsafe.ReadUnaligned<uint>(_mem + ea); ip += 4; continue;", Generator.Expand(load));
        Assert.Contains("(uint)regs[ip[2]] + (ulong)(uint)ip[3]", Generator.Expand(load));
    }
}
