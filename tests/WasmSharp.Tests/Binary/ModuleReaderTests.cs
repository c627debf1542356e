using System.Runtime.InteropServices;
using WasmSharp.Binary;
using static WasmSharp.Tests.Binary.WasmBuilder;

namespace WasmSharp.Tests.Binary;

public class ModuleReaderTests
{
    private const byte I32 = 0x7F, I64 = 0x7E, F32 = 0x7D, F64 = 0x7C, V128 = 0x7B, FuncRef = 0x70, ExternRef = 0x6F;
    private const byte End = 0x0B;

    private static ModuleInfo Read(byte[] bytes) => ModuleReader.Read(bytes);

    private static MalformedModuleException Malformed(byte[] bytes, WasmFeatures features = WasmFeatures.All) =>
        Assert.Throws<MalformedModuleException>(() => ModuleReader.Read(bytes, null, features));

    private static byte[] FuncType(byte[] parameters, byte[] results) => Cat([0x60], Vec(parameters.Select(p => new[] { p }).ToArray()), Vec(results.Select(p => new[] { p }).ToArray()));
    private static byte[] TypeSection(params byte[][] types) => Section(1, Vec(types));
    private static byte[] EmptyType => TypeSection(FuncType([], []));
    private static byte[] Body(byte[] locals, params byte[] code) => Cat(U32((uint)(locals.Length + code.Length)), locals, code);

    // ---- header ----

    [Fact]
    public void EmptyModuleReads()
    {
        var m = Read(Header);
        Assert.Empty(m.Types);
        Assert.Empty(m.Codes);
        Assert.Null(m.Start);
        Assert.Null(m.DataCount);
        Assert.Equal(8, m.Bytes.Length);
    }

    [Theory]
    [InlineData("", WasmReader.UnexpectedEnd)]
    [InlineData("0061736d01", WasmReader.UnexpectedEnd)]
    [InlineData("0061736e01000000", "magic header not detected")]
    [InlineData("0061736d02000000", "unknown binary version")]
    [InlineData("0061736d0d000100", "unknown binary version: a WebAssembly component (layer 1, version 0xd), not a core module (WasmSharp.Components reads components)")]
    [InlineData("0061736d00000100", "unknown binary version")] // layer 1 of version 0: nothing (the spec's binary.wast)
    public void BadHeaders(string hex, string reason) =>
        Assert.Equal(reason, Malformed(Convert.FromHexString(hex)).Reason);

    // ---- section framing ----

    [Fact]
    public void SectionFraming()
    {
        // 13 is the tag section of exception handling (Wasm 3.0), malformed in 2.0.
        Assert.Equal("malformed section id", Malformed(Module(B(0x0D, 0x00)), WasmFeatures.None).Reason);
        Assert.Equal([0u], Read(Module(TypeSection(FuncType([], [])), Section(13, Vec(B(0x00, 0x00))))).Tags);
        Assert.Equal("malformed section id", Malformed(Module(B(0x80, 0x00))).Reason);
        Assert.Equal("length out of bounds", Malformed(Module(B(0x01, 0x05, 0x00))).Reason);
        Assert.Equal("section size mismatch", Malformed(Module(B(0x01, 0x02, 0x00, 0x00))).Reason);
        Assert.Equal("unexpected content after last section", Malformed(Module(Section(3, Vec()), Section(1, Vec()))).Reason);
        Assert.Equal("unexpected content after last section", Malformed(Module(Section(6, Vec()), Section(6, Vec()))).Reason);
        // The data count section comes between element and code; custom sections go anywhere.
        Read(Module(Section(0, Name("a")), Section(9, Vec()), Section(0, Name("b")), Section(12, U32(0)), Section(10, Vec()), Section(11, Vec()), Section(0, Name("c"))));
        Assert.Equal("unexpected content after last section", Malformed(Module(Section(10, Vec()), Section(12, U32(0)))).Reason);
    }

    [Fact]
    public void HugeCountsFailFast()
    {
        Assert.Equal("length out of bounds", Malformed(Module(Section(1, U32(uint.MaxValue)))).Reason);
        Assert.Equal("length out of bounds", Malformed(Module(Section(2, U32(0x10000000)))).Reason);
        Assert.Equal("length out of bounds", Malformed(Module(Section(1, Vec(Cat(B(0x60), U32(uint.MaxValue))), B(0, 0)))).Reason);
    }

    [Fact]
    public void MalformedErrorsSayWhere()
    {
        var e = Malformed(Module(EmptyType, Section(2, Vec(Cat(Name("m"), Name("f"), B(0x04))))), WasmFeatures.None);
        Assert.Equal("malformed import kind", e.Reason);
        Assert.Equal("import", e.Section);
        Assert.Equal(8 + 6 + 2 + 1 + 2 + 2, e.Offset);
    }

    // ---- type section ----

    [Fact]
    public void TypeSection_()
    {
        var m = Read(Module(TypeSection(FuncType([I32, I64, F32, F64, V128, FuncRef, ExternRef], [I32, I64]), FuncType([], []))));
        Assert.Equal(2, m.Types.Count);
        Assert.Equal([ValueType.I32, ValueType.I64, ValueType.F32, ValueType.F64, ValueType.V128, ValueType.FuncRef, ValueType.ExternRef], m.Types[0].Parameters);
        Assert.Equal([ValueType.I32, ValueType.I64], m.Types[0].Results);
        Assert.Equal(FunctionType.Empty, m.Types[1]);
    }

    [Fact]
    public void TypeSectionErrors()
    {
        Assert.Equal("malformed function type", Malformed(Module(TypeSection(B(0x61, 0, 0)))).Reason);
        Assert.Equal("integer representation too long", Malformed(Module(TypeSection(B(0xE0, 0x7F, 0, 0)))).Reason);
        Assert.Equal("malformed value type", Malformed(Module(TypeSection(B(0x60, 1, 0x40, 0)))).Reason);
        Assert.Equal("integer representation too long", Malformed(Module(TypeSection(B(0x60, 1, 0xFF, 0x7F, 0)))).Reason);
    }

    // ---- imports and index spaces ----

    [Fact]
    public void ImportsFillTheIndexSpacesFirst()
    {
        var m = Read(Module(
            TypeSection(FuncType([I32], []), FuncType([], [])),
            Section(2, Vec(
                Cat(Name("env"), Name("f"), B(0x00), U32(1)),
                Cat(Name("env"), Name("t"), B(0x01, ExternRef, 0x01), U32(2), U32(10)),
                Cat(Name("env"), Name("m"), B(0x02, 0x00), U32(1)),
                Cat(Name("env"), Name("g"), B(0x03, I64, 0x01)))),
            Section(3, Vec(U32(0), U32(1))),
            Section(4, Vec(B(FuncRef, 0x00, 0x05))),
            Section(6, Vec(B(F32, 0x00, 0x43, 0, 0, 0x80, 0x3F, End))),
            Section(10, Vec(Body(Vec(), End), Body(Vec(), End)))));

        Assert.Equal(4, m.Imports.Count);
        Assert.Equal(new Import("env", "f", ExternalKind.Function) { TypeIndex = 1 }, m.Imports[0]);
        Assert.Equal(new TableType(ValueType.ExternRef, new Limits(2, 10)), m.Imports[1].Table);
        Assert.Equal(new MemoryType(new Limits(1, null)), m.Imports[2].Memory);
        Assert.Equal(new GlobalType(ValueType.I64, true), m.Imports[3].Global);
        Assert.Equal((1, 1, 1, 1), (m.ImportedFunctionCount, m.ImportedTableCount, m.ImportedMemoryCount, m.ImportedGlobalCount));

        Assert.Equal([1u, 0u, 1u], m.FunctionTypeIndices);
        Assert.Equal([0u, 1u], m.Functions);
        Assert.Equal([ValueType.ExternRef, ValueType.FuncRef], m.AllTables.Select(t => t.ElementType));
        Assert.Single(m.Tables);
        Assert.Single(m.AllMemories);
        Assert.Equal([new GlobalType(ValueType.I64, true), new GlobalType(ValueType.F32, false)], m.AllGlobals);
        Assert.Same(m.Types[1], m.GetFunctionType(0));
    }

    [Theory]
    [InlineData(0x04)]
    [InlineData(0x80)]
    public void MalformedImportKind(byte kind) =>
        Assert.Equal("malformed import kind", Malformed(Module(Section(2, Vec(Cat(Name(""), Name(""), B(kind, 0))))), WasmFeatures.None).Reason);

    [Fact]
    public void ImportNamesMustBeUtf8() =>
        Assert.Equal("malformed UTF-8 encoding", Malformed(Module(Section(2, Vec(Cat(B(1, 0xC0), Name("f"), B(0, 0)))))).Reason);

    // ---- tables and memories ----

    [Fact]
    public void Limits_()
    {
        var m = Read(Module(Section(4, Vec(B(FuncRef, 0x00, 0x00), Cat(B(ExternRef, 0x01), U32(3), U32(uint.MaxValue)))),
            Section(5, Vec(Cat(B(0x01), U32(1), U32(65536))))));
        Assert.Equal(new TableType(ValueType.FuncRef, new Limits(0, null)), m.Tables[0]);
        Assert.Equal(new TableType(ValueType.ExternRef, new Limits(3, uint.MaxValue)), m.Tables[1]);
        Assert.Equal(new MemoryType(new Limits(1, 65536)), m.Memories[0]);
    }

    [Theory]
    [InlineData(new byte[] { 0x02, 0x00 }, "integer too large")]
    [InlineData(new byte[] { 0x10, 0x00 }, "integer too large")]
    [InlineData(new byte[] { 0x81, 0x00, 0x00 }, "integer representation too long")]
    [InlineData(new byte[] { 0x00, 0x80, 0x80, 0x80, 0x80, 0x10 }, "integer too large")]
    public void BadLimits(byte[] limits, string reason)
    {
        // As Wasm 2.0 reads a memory's limits: with shared memories, flag 2 is a shared one (SharedMemoryLimits).
        Assert.Equal(reason, Malformed(Module(Section(5, Vec(limits))), WasmFeatures.None).Reason);
        Assert.Equal(reason, Malformed(Module(Section(4, Vec(Cat(B(FuncRef), limits))))).Reason);
    }

    [Fact]
    public void SharedMemoryLimits()
    {
        var m = Read(Module(Section(5, Vec(B(0x03, 0x01, 0x02), B(0x02, 0x00), B(0x01, 0x00, 0x01)))));
        Assert.Equal(new MemoryType(new Limits(1, 2), Shared: true), m.Memories[0]);
        Assert.Equal(new MemoryType(new Limits(0, null), Shared: true), m.Memories[1]); // decoded; invalid (no maximum)
        Assert.Equal(new MemoryType(new Limits(0, 1)), m.Memories[2]);
        Assert.Equal("integer too large", Malformed(Module(Section(5, Vec(B(0x04, 0x00))))).Reason);
    }

    [Fact]
    public void TableElementTypeMustBeAReference() =>
        Assert.Equal("malformed reference type", Malformed(Module(Section(4, Vec(B(I32, 0, 0))))).Reason);

    // ---- globals and constant expressions ----

    private static ConstExpr GlobalInit(params byte[] expr) =>
        Read(Module(Section(6, Vec(Cat(B(I32, 0x00), expr))))).Globals[0].Init;

    [Fact]
    public void ConstantExpressions()
    {
        Assert.Equal([new ConstInstr(ConstOp.I32Const, 0xFFFFFFFF)], GlobalInit(0x41, 0x7F, End).Instructions);
        Assert.Equal([new ConstInstr(ConstOp.I64Const, unchecked((ulong)long.MinValue))], GlobalInit([0x42, .. S64(long.MinValue), End]).Instructions);
        Assert.Equal([new ConstInstr(ConstOp.F32Const, 0x3F800000)], GlobalInit(0x43, 0x00, 0x00, 0x80, 0x3F, End).Instructions);
        Assert.Equal([new ConstInstr(ConstOp.F64Const, 0x3FF0000000000000)], GlobalInit(0x44, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, End).Instructions);
        Assert.Equal([new ConstInstr(ConstOp.V128Const, 0x0706050403020100, 0x0F0E0D0C0B0A0908)],
            GlobalInit(0xFD, 0x0C, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, End).Instructions);
        Assert.Equal([new ConstInstr(ConstOp.RefNull, 0, 0, ValueType.ExternRef)], GlobalInit(0xD0, ExternRef, End).Instructions);
        Assert.Equal([new ConstInstr(ConstOp.RefFunc, 300)], GlobalInit(0xD2, 0xAC, 0x02, End).Instructions);
        Assert.Equal([new ConstInstr(ConstOp.GlobalGet, 1)], GlobalInit(0x23, 0x01, End).Instructions);
        Assert.Equal(
            [new(ConstOp.I32Const, 1), new(ConstOp.GlobalGet, 0), new(ConstOp.I32Add, 0), new(ConstOp.I32Const, 2), new(ConstOp.I32Mul, 0), new(ConstOp.I32Sub, 0)],
            GlobalInit(0x41, 1, 0x23, 0, 0x6A, 0x41, 2, 0x6C, 0x6B, End).Instructions);
        Assert.Equal([new(ConstOp.I64Add, 0), new(ConstOp.I64Sub, 0), new(ConstOp.I64Mul, 0)], GlobalInit(0x7C, 0x7D, 0x7E, End).Instructions);
        Assert.Empty(GlobalInit(End).Instructions); // the validator's type mismatch
        Assert.Equal(8 + 2 + 1 + 2, GlobalInit(0x41, 0, End).Offset);
    }

    [Theory]
    [InlineData(new byte[] { 0x41, 0x00, 0x68, End })] // i32.ctz
    [InlineData(new byte[] { 0x01, End })] // nop
    [InlineData(new byte[] { 0x20, 0x00, End })] // local.get
    [InlineData(new byte[] { 0xFC, 0x00, End })] // i32.trunc_sat_f32_s
    [InlineData(new byte[] { 0xFD, 0x0F, End })] // i8x16.splat
    [InlineData(new byte[] { 0x02, 0x7F, 0x41, 0x00, 0x0B, End })] // block (result i32) i32.const 0 end
    [InlineData(new byte[] { 0x41, 0x00, 0x04, 0x40, 0x05, 0x0E, 0x01, 0x00, 0x00, 0x0B, 0x41, 0x01, End })] // if else br_table end
    public void NonConstantInstructionsAreReadAndInvalid(byte[] expr)
    {
        // The reader keeps each instruction (offset and length), blocks included, up to the expression's end; the
        // section goes on after it; validation rejects the expression.
        var binary = Module(Section(6, Vec(Cat(B(I32, 0x00), expr), B(I32, 0x00, 0x41, 0x07, End))));
        var info = ModuleReader.Read(binary);
        var init = info.Globals[0].Init;
        Assert.Contains(init.Instructions, i => i.Op == ConstOp.NotConstant);
        if (init.Instructions[0].Op == ConstOp.NotConstant) Assert.Equal(init.Offset, (long)init.Instructions[0].Value);
        for (int k = 1; k < init.Instructions.Length; k++)
            if (init.Instructions[k - 1] is { Op: ConstOp.NotConstant } a && init.Instructions[k] is { Op: ConstOp.NotConstant } b)
                Assert.Equal((long)(a.Value + a.High), (long)b.Value);
        var last = init.Instructions[^1];
        if (last.Op == ConstOp.NotConstant) Assert.Equal(End, binary[(int)(last.Value + last.High)]);
        Assert.Equal([new ConstInstr(ConstOp.I32Const, 7)], info.Globals[1].Init.Instructions);
        var e = Assert.Throws<InvalidModuleException>(() => WasmSharp.Module.Validate(binary));
        Assert.Equal("constant expression required", e.Reason);
    }

    [Theory]
    [InlineData(new byte[] { 0x41, 0x00, 0x06, End }, "illegal opcode 06")]
    [InlineData(new byte[] { 0xF3, End }, "illegal opcode f3")]
    [InlineData(new byte[] { 0xFC, 0x12, End }, "illegal opcode fc 12")]
    [InlineData(new byte[] { 0xFD, 0x9A, 0x01, End }, "illegal opcode 9a")]
    [InlineData(new byte[] { 0x41, 0x00, 0x05, End }, "END opcode expected")]
    [InlineData(new byte[] { 0x41, 0x00 }, WasmReader.UnexpectedEnd)]
    [InlineData(new byte[] { 0x41, 0x80, 0x80, 0x80, 0x80, 0x70, End }, "integer too large")]
    [InlineData(new byte[] { 0xD0, I32, End }, "malformed reference type")]
    [InlineData(new byte[] { 0xFD, 0x0C, 0, 1, 2, End }, WasmReader.UnexpectedEnd)]
    public void MalformedConstantExpressions(byte[] expr, string reason)
    {
        // Wasm 2.0: 0x06 is legacy exception handling's try in 3.0.
        var e = Malformed(Module(Section(6, Vec(Cat(B(I32, 0x00), expr)))), WasmFeatures.None);
        Assert.StartsWith(reason, e.Reason);
    }

    [Theory]
    [InlineData(0x02)]
    [InlineData(0xFF)]
    public void MalformedMutability(byte mutability) =>
        Assert.Equal("malformed mutability", Malformed(Module(Section(6, Vec(B(I32, mutability, 0x41, 0, End))))).Reason);

    // ---- exports and start ----

    [Fact]
    public void ExportsAndStart()
    {
        var m = Read(Module(EmptyType, Section(3, Vec(U32(0))),
            Section(7, Vec(Cat(Name("f"), B(0, 0)), Cat(Name("t"), B(1, 2)), Cat(Name("m"), B(2, 3)), Cat(Name("g"), B(3), U32(70000)))),
            Section(8, U32(0)), Section(10, Vec(Body(Vec(), End)))));
        Assert.Equal([new Export("f", ExternalKind.Function, 0), new Export("t", ExternalKind.Table, 2), new Export("m", ExternalKind.Memory, 3), new Export("g", ExternalKind.Global, 70000)], m.Exports);
        Assert.Equal(0u, m.Start);
        Assert.Equal("malformed export kind", Malformed(Module(Section(7, Vec(Cat(Name("f"), B(4, 0))))), WasmFeatures.None).Reason); // a tag in 3.0
    }

    // ---- element segments ----

    [Fact]
    public void AllEightElementSegmentForms()
    {
        byte[] offset = [0x41, 0x07, End];
        byte[] funcs = Vec(U32(0), U32(1));
        byte[] exprs = Vec(B(0xD2, 0x01, End), B(0xD0, FuncRef, End));
        var m = Read(Module(Section(9, Vec(
            Cat(U32(0), offset, funcs),
            Cat(U32(1), B(0x00), funcs),
            Cat(U32(2), U32(3), offset, B(0x00), funcs),
            Cat(U32(3), B(0x00), funcs),
            Cat(U32(4), offset, exprs),
            Cat(U32(5), B(ExternRef), Vec(B(0xD0, ExternRef, End))),
            Cat(U32(6), U32(2), offset, B(FuncRef), exprs),
            Cat(U32(7), B(FuncRef), exprs)))));

        var e = m.Elements;
        Assert.Equal(8, e.Count);
        Assert.Equal([SegmentMode.Active, SegmentMode.Passive, SegmentMode.Active, SegmentMode.Declarative, SegmentMode.Active, SegmentMode.Passive, SegmentMode.Active, SegmentMode.Declarative], e.Select(s => s.Mode));
        Assert.Equal([0u, 0u, 3u, 0u, 0u, 0u, 2u, 0u], e.Select(s => s.TableIndex));
        Assert.All(e.Where(s => s.Mode == SegmentMode.Active), s => Assert.Equal([new ConstInstr(ConstOp.I32Const, 7)], s.Offset!.Instructions));
        Assert.All(e.Where(s => s.Mode != SegmentMode.Active), s => Assert.Null(s.Offset));
        Assert.Equal(ValueType.ExternRef, e[5].ElementType);
        Assert.All(e.Where((s, i) => i != 5), s => Assert.Equal(ValueType.FuncRef, s.ElementType));
        Assert.Equal([new ConstInstr(ConstOp.RefFunc, 0)], e[0].Items[0].Instructions);
        Assert.Equal([new ConstInstr(ConstOp.RefFunc, 1)], e[3].Items[1].Instructions);
        Assert.Equal([new ConstInstr(ConstOp.RefNull, 0, 0, ValueType.FuncRef)], e[7].Items[1].Instructions);
        Assert.Equal(8 + 3, e[0].Position);
    }

    [Fact]
    public void ElementSegmentErrors()
    {
        Assert.Equal("malformed elements segment kind", Malformed(Module(Section(9, Vec(Cat(U32(8), B(0x00)))))).Reason);
        Assert.Equal("malformed element kind", Malformed(Module(Section(9, Vec(Cat(U32(1), B(0x01), Vec()))))).Reason);
        Assert.Equal("malformed reference type", Malformed(Module(Section(9, Vec(Cat(U32(5), B(I32), Vec()))))).Reason);
    }

    // ---- code ----

    [Fact]
    public void FunctionBodies()
    {
        byte[] locals = Vec(Cat(U32(2), B(I32)), Cat(U32(0), B(I64)), Cat(U32(3), B(V128)));
        var bytes = Module(EmptyType, Section(3, Vec(U32(0), U32(0))),
            Section(10, Vec(Body(locals, 0x41, 0x01, 0x1A, End), Body(Vec(), End))));
        var m = Read(bytes);
        var f = m.Codes[0];
        Assert.Equal([(2u, ValueType.I32), (0u, ValueType.I64), (3u, ValueType.V128)], f.LocalGroups);
        Assert.Equal(5ul, f.TotalLocals);
        Assert.Equal(4, f.CodeLength);
        Assert.Equal(new byte[] { 0x41, 0x01, 0x1A, End }, bytes.AsSpan(f.CodeOffset, f.CodeLength).ToArray());
        Assert.Equal(0ul, m.Codes[1].TotalLocals);
        Assert.Equal(1, m.Codes[1].CodeLength);
        Assert.Equal(bytes.Length - 1, m.Codes[1].CodeOffset);
    }

    [Fact]
    public void FunctionAndCodeCountsMustAgree()
    {
        Assert.Equal("function and code section have inconsistent lengths", Malformed(Module(EmptyType, Section(3, Vec(U32(0))))).Reason);
        Assert.Equal("function and code section have inconsistent lengths", Malformed(Module(Section(10, Vec(Body(Vec(), End))))).Reason);
        Read(Module(Section(3, Vec()), Section(10, Vec())));
    }

    [Fact]
    public void TooManyLocals()
    {
        byte[] Module_(params byte[][] groups) => Module(EmptyType, Section(3, Vec(U32(0))), Section(10, Vec(Body(Vec(groups), End))));
        Assert.Equal(ModuleReader.MaxFunctionLocals, Read(Module_(Cat(U32((uint)ModuleReader.MaxFunctionLocals), B(I32)))).Codes[0].TotalLocals);
        Assert.Equal("too many locals", Malformed(Module_(Cat(U32((uint)ModuleReader.MaxFunctionLocals), B(I32)), Cat(U32(1), B(I64)))).Reason);
        Assert.Equal("too many locals", Malformed(Module_(Cat(U32(uint.MaxValue), B(I32)), Cat(U32(uint.MaxValue), B(I32)))).Reason);
        Assert.Equal("integer too large", Malformed(Module_(Cat(B(0x80, 0x80, 0x80, 0x80, 0x10), B(I32)))).Reason);
        Assert.Equal("malformed value type", Malformed(Module_(Cat(U32(1), B(0x40)))).Reason);
    }

    [Fact]
    public void BodySizes()
    {
        // Locals running past the body's size, and a body running past the module's end.
        Assert.Equal("section size mismatch", Malformed(Module(EmptyType, Section(3, Vec(U32(0))), Section(10, Vec(B(0x01, 0x01, 0x01, I32, End))))).Reason);
        Assert.StartsWith("unexpected end", Malformed(Cat(Module(EmptyType, Section(3, Vec(U32(0)))), B(10, 0x04, 0x01, 0x03, 0x00, End))).Reason);
        Assert.Equal("length out of bounds", Malformed(Cat(Module(EmptyType, Section(3, Vec(U32(0)))), B(10, 0x04, 0x01, 0x05, 0x00, End))).Reason);
    }

    [Fact]
    public void MissingEndReasonDependsOnWhatFollowsTheBody()
    {
        byte[] noEnd = [0x02, 0x00, 0x01]; // size 2: no locals, nop
        byte[] ok = [0x02, 0x00, End];
        byte[] functions = Section(3, Vec(U32(0), U32(0)));
        var m = Read(Module(EmptyType, functions, Section(10, B(2), noEnd, ok), Section(11, Vec())));
        Assert.Equal("END opcode expected", m.Codes[0].MissingEndReason);
        Assert.Equal("section size mismatch", m.Codes[1].MissingEndReason);
        m = Read(Module(EmptyType, functions, Section(10, B(2), ok, noEnd)));
        Assert.Equal(WasmReader.UnexpectedEnd, m.Codes[1].MissingEndReason);
    }

    // ---- data ----

    [Fact]
    public void DataSegmentsAreSlicesOfTheModule()
    {
        var bytes = Module(Section(5, Vec(B(0, 1))), Section(12, U32(3)), Section(11, Vec(
            Cat(U32(0), B(0x41, 0x10, End), Vec(B(1), B(2), B(3))),
            Cat(U32(1), Vec(B(4))),
            Cat(U32(2), U32(1), B(0x41, 0x00, End), Vec()))));
        var m = Read(bytes);
        Assert.Equal(3u, m.DataCount);
        var d = m.Data;
        Assert.Equal((SegmentMode.Active, 0u), (d[0].Mode, d[0].MemoryIndex));
        Assert.Equal([new ConstInstr(ConstOp.I32Const, 16)], d[0].Offset!.Instructions);
        Assert.Equal(new byte[] { 1, 2, 3 }, d[0].Data.ToArray());
        Assert.True(MemoryMarshal.TryGetArray(d[0].Data, out var segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal((SegmentMode.Passive, (ConstExpr?)null), (d[1].Mode, d[1].Offset));
        Assert.Equal(new byte[] { 4 }, d[1].Data.ToArray());
        Assert.Equal((SegmentMode.Active, 1u, 0), (d[2].Mode, d[2].MemoryIndex, d[2].Data.Length));
    }

    [Fact]
    public void DataSegmentErrors()
    {
        Assert.Equal("malformed data segment kind", Malformed(Module(Section(11, Vec(Cat(U32(3), Vec()))))).Reason);
        Assert.Equal("data count and data section have inconsistent lengths", Malformed(Module(Section(12, U32(2)), Section(11, Vec(Cat(U32(1), Vec()))))).Reason);
        Assert.Equal("data count and data section have inconsistent lengths", Malformed(Module(Section(12, U32(1)))).Reason);
        Assert.Equal("length out of bounds", Malformed(Module(Section(11, Vec(Cat(U32(1), U32(100)))))).Reason);
    }

    // ---- custom sections ----

    [Fact]
    public void CustomSectionsAreRecorded()
    {
        var bytes = Module(Section(0, Name("hello"), B(1, 2, 3)), Section(0, Name("")));
        var m = Read(bytes);
        Assert.Equal(2, m.CustomSections.Count);
        Assert.Equal("hello", m.CustomSections[0].Name);
        Assert.Equal(new byte[] { 1, 2, 3 }, m.CustomSections[0].Data.ToArray());
        Assert.Equal(8 + 2 + 6, m.CustomSections[0].Offset);
        Assert.Equal(0, m.CustomSections[1].Data.Length);
    }

    [Fact]
    public void CustomSectionErrors()
    {
        Assert.StartsWith("unexpected end", Malformed(Module(B(0, 0))).Reason);
        Assert.StartsWith("unexpected end", Malformed(Module(B(0, 1, 2, 0x61, 0x62))).Reason); // name longer than the section
        Assert.Equal("length out of bounds", Malformed(Module(B(0, 1, 5, 0))).Reason); // name longer than the module
        Assert.Equal("malformed UTF-8 encoding", Malformed(Module(Section(0, B(2, 0xC0, 0x80)))).Reason);
    }

    [Fact]
    public void NameSection()
    {
        var names = Section(0, Name("name"),
            Section(0, Name("mod")),
            Section(1, Vec(Cat(U32(0), Name("imported")), Cat(U32(1), Name("f")))),
            Section(2, B(0))); // local names: skipped
        var m = Read(Module(EmptyType, Section(3, Vec(U32(0))), Section(10, Vec(Body(Vec(), End))), names));
        Assert.Equal("mod", m.ModuleName);
        Assert.Equal("imported", m.FunctionNames[0]);
        Assert.Equal("f", m.FunctionNames[1]);
    }

    [Fact]
    public void MalformedNameSectionIsIgnored()
    {
        var names = Section(0, Name("name"), Section(0, Name("mod")), Section(1, Vec(Cat(U32(0), B(5, 0x61)))));
        var m = Read(Module(names));
        Assert.Null(m.ModuleName);
        Assert.Empty(m.FunctionNames);
        Assert.Single(m.CustomSections);
    }
}
