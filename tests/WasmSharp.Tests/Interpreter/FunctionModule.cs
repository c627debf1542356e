using WasmSharp.Interpreter;
using static WasmSharp.Tests.Binary.WasmBuilder;

namespace WasmSharp.Tests.Interpreter;

/// <summary>Assembles a module of functions from raw instruction bytes, exporting function i as "f{i}".</summary>
internal sealed class FunctionModule
{
    private readonly List<(byte[] Type, byte[] Locals, byte[] Body)> _funcs = new();
    private bool _memory;
    private readonly List<byte[]> _imports = new();
    private int _importedFuncs;

    public const byte I32 = 0x7F, I64 = 0x7E, F32 = 0x7D, F64 = 0x7C;

    public static byte[] FuncType(byte[] ps, byte[] rs) => Cat([0x60], Vec(ps.Select(p => new[] { p }).ToArray()), Vec(rs.Select(r => new[] { r }).ToArray()));

    /// <summary>Adds a function; <paramref name="locals"/> are extra locals after the params.</summary>
    public FunctionModule Func(byte[] ps, byte[] rs, byte[] locals, params byte[][] body)
    {
        var localGroups = Vec(locals.Select(l => new[] { (byte)1, l }).ToArray());
        _funcs.Add((FuncType(ps, rs), localGroups, Cat([.. body, [0x0B]])));
        return this;
    }

    public FunctionModule Memory() { _memory = true; return this; }

    private readonly List<int> _globals = new();

    /// <summary>Adds a mutable i32 global, exported as "g{index}".</summary>
    public FunctionModule MutableGlobal(int init) { _globals.Add(init); return this; }

    private bool _exports = true;

    /// <summary>Leaves out the export section (exported functions count as declared references).</summary>
    public FunctionModule WithoutExports() { _exports = false; return this; }

    public FunctionModule ImportFunc(string module, string name, byte[] ps, byte[] rs)
    {
        _imports.Add(Cat(FuncType(ps, rs)));
        _importedFuncs++;
        _importNames.Add((module, name));
        return this;
    }

    private readonly List<(string Module, string Name)> _importNames = new();

    public byte[] Build()
    {
        var types = new List<byte[]>(_imports);
        types.AddRange(_funcs.Select(f => f.Type));
        var sections = new List<byte[]> { Section(1, Vec(types.ToArray())) };
        if (_importNames.Count > 0)
            sections.Add(Section(2, Vec(_importNames.Select((n, i) => Cat(Name(n.Module), Name(n.Name), [0x00], U32((uint)i))).ToArray())));
        sections.Add(Section(3, Vec(_funcs.Select((_, i) => U32((uint)(_importedFuncs + i))).ToArray())));
        if (_memory) sections.Add(Section(5, Vec([0x00, 0x01])));
        if (_globals.Count > 0) sections.Add(Section(6, Vec(_globals.Select(g => Cat([0x7F, 0x01, 0x41], S64(g), [0x0B])).ToArray())));
        if (_exports)
            sections.Add(Section(7, Vec([
                .. _funcs.Select((_, i) => Cat(Name($"f{i}"), [0x00], U32((uint)(_importedFuncs + i)))),
                .. _globals.Select((_, i) => Cat(Name($"g{i}"), [0x03], U32((uint)i))),
                .. (_memory ? new[] { Cat(Name("memory"), [0x02], U32(0)) } : [])])));
        sections.Add(Section(10, Vec(_funcs.Select(f =>
        {
            var body = Cat(f.Locals, f.Body);
            return Cat(U32((uint)body.Length), body);
        }).ToArray())));
        return Module(sections.ToArray());
    }

    public Module Compile() => WasmSharp.Module.FromBytes(Build());

    /// <summary>The register code of defined function <paramref name="i"/>, one instruction a line, no pcs.</summary>
    public static List<string> Code(Module m, int i = 0) => Disassembler.Lines(m.Functions[i], withPc: false);

    // Instruction helpers.
    public static byte[] LocalGet(uint i) => Cat([0x20], U32(i));
    public static byte[] LocalSet(uint i) => Cat([0x21], U32(i));
    public static byte[] LocalTee(uint i) => Cat([0x22], U32(i));
    public static byte[] I32Const(int v) => Cat([0x41], S64(v));
    public static byte[] I64Const(long v) => Cat([0x42], S64(v));
    public static byte[] F64Const(double v) => Cat([0x44], BitConverter.GetBytes(v));
    public static byte[] Call(uint f) => Cat([0x10], U32(f));
    public static byte[] Op(params byte[] b) => b;
    public static readonly byte[] I32Add = [0x6A], I32Sub = [0x6B], I32Mul = [0x6C], I32Eqz = [0x45], I32LtS = [0x48], I32GtS = [0x4A];
    public static readonly byte[] Drop = [0x1A], Return = [0x0F], End = [0x0B], Unreachable = [0x00], Else = [0x05];
    public static byte[] Block(byte type = 0x40) => [0x02, type];
    public static byte[] Loop(byte type = 0x40) => [0x03, type];
    public static byte[] If(byte type = 0x40) => [0x04, type];
    public static byte[] Br(uint depth) => Cat([0x0C], U32(depth));
    public static byte[] BrIf(uint depth) => Cat([0x0D], U32(depth));
    public static byte[] BrTable(uint[] depths, uint def) => Cat([0x0E], Vec(depths.Select(d => U32(d)).ToArray()), U32(def));
    public static byte[] I32Load(uint offset) => Cat([0x28, 0x02], U32(offset));
    public static byte[] I32Store(uint offset) => Cat([0x36, 0x02], U32(offset));
    public static byte[] I32Load8U(uint offset) => Cat([0x2D, 0x00], U32(offset));
    public static byte[] I32Store8(uint offset) => Cat([0x3A, 0x00], U32(offset));
    public static byte[] GlobalGet(uint i) => Cat([0x23], U32(i));
    public static byte[] GlobalSet(uint i) => Cat([0x24], U32(i));
}
