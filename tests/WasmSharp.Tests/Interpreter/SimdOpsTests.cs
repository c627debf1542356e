using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.Intrinsics;
using WasmSharp.Interpreter;
using WasmSharp.Validation;
using V = System.Runtime.Intrinsics.Vector128<byte>;

namespace WasmSharp.Tests.Interpreter;

/// <summary>
/// <see cref="SimdOps"/> against per-lane scalar references written from the spec's definitions (SIMD.md and
/// exec/numerics.rst; the table is in SimdOpsTests.Cases.cs), on edge-value vectors, where every pair of a lane
/// type's edge values meets in some lane, and on pseudo-random vectors from a fixed seed.
/// Float results are compared bit for bit, except that where the spec allows a set of NaNs any member is accepted:
/// a canonical NaN of either sign where the operands' NaNs were all canonical (or there were none), any quiet NaN
/// otherwise. Run with DOTNET_EnableAVX=0, DOTNET_EnableSSE42=0 or DOTNET_EnableHWIntrinsic=0 to check the
/// SSE4, SSE2 and software paths.
/// </summary>
public partial class SimdOpsTests
{
    public enum Kind { I8, I16, I32, I64, F32, F64 }

    /// <summary>A result's lane width in bytes; Float lanes get the NaN rule, other lanes must match exactly.</summary>
    private readonly record struct Res(int Width, bool Float);

    // Properties, not fields: the case table (another file's static field) uses them while the type initializes.
    private static Res R8 => new(1, false);
    private static Res R16 => new(2, false);
    private static Res R32 => new(4, false);
    private static Res R64 => new(8, false);
    private static Res RF32 => new(4, true);
    private static Res RF64 => new(8, true);

    private const int RandomCount = 300;
    private const int Seed = 20240917;

    // ---- coverage ----

    private static bool IsMemory(SimdOpInfo info) => info.Immediate is SimdImmediate.MemArg or SimdImmediate.MemArgLane;

    /// <summary><c>i8x16.add_sat_s</c> → <c>I8x16AddSatS</c>.</summary>
    private static string MethodName(string text) =>
        string.Concat(text.Split('.', '_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    private static IEnumerable<SimdOpInfo> NonMemoryInstructions()
    {
        for (uint op = 0; op < 256; op++)
            if (SimdOpcodes.TryGet(op, out var info) && !IsMemory(info))
                yield return info;
    }

    private static Type ClrType(ValueType t) => t switch
    {
        ValueType.I32 => typeof(int),
        ValueType.I64 => typeof(long),
        ValueType.F32 => typeof(uint), // raw bits
        ValueType.F64 => typeof(ulong),
        ValueType.V128 => typeof(V),
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    [Fact]
    public void EveryNonMemoryInstructionHasAMethodOfItsNameAndShape()
    {
        var methods = typeof(SimdOps).GetMethods(BindingFlags.Public | BindingFlags.Static);
        var problems = new List<string>();
        foreach (var info in NonMemoryInstructions())
        {
            // Operands in stack order; a lane index right after the vector; the shuffle's indices as a third vector;
            // v128.const from its two 64-bit halves.
            var ps = info.Params.Select(ClrType).ToList();
            if (info.Immediate == SimdImmediate.Lane) ps.Insert(1, typeof(int));
            if (info.Immediate == SimdImmediate.Shuffle) ps.Add(typeof(V));
            if (info.Immediate == SimdImmediate.Bytes16) ps = [typeof(ulong), typeof(ulong)];
            var result = info.Result is { } r ? ClrType(r) : typeof(void);
            var name = MethodName(info.Name);
            if (!methods.Any(m => m.Name == name && m.ReturnType == result &&
                                  m.GetParameters().Select(p => p.ParameterType).SequenceEqual(ps)))
                problems.Add($"{info.Name}: no {result.Name} {name}({string.Join(", ", ps.Select(t => t.Name))})");
        }
        Assert.Empty(problems);
        Assert.Equal(236 - 22, NonMemoryInstructions().Count()); // 13 loads, 1 store, 4 load_lane, 4 store_lane
    }

    /// <summary>Instructions checked by their own tests below rather than through the case table.</summary>
    private static readonly string[] DedicatedTests =
    [
        "v128.const", "i8x16.shuffle", "v128.bitselect",
        "i8x16.splat", "i16x8.splat", "i32x4.splat", "i64x2.splat", "f32x4.splat", "f64x2.splat",
        "i8x16.extract_lane_s", "i8x16.extract_lane_u", "i16x8.extract_lane_s", "i16x8.extract_lane_u",
        "i32x4.extract_lane", "i64x2.extract_lane", "f32x4.extract_lane", "f64x2.extract_lane",
        "i8x16.replace_lane", "i16x8.replace_lane", "i32x4.replace_lane", "i64x2.replace_lane",
        "f32x4.replace_lane", "f64x2.replace_lane",
    ];

    [Fact]
    public void EveryNonMemoryInstructionIsComparedWithAReference()
    {
        var tested = Cases.Keys.Concat(DedicatedTests).ToList();
        Assert.Equal(tested.Count, tested.Distinct().Count());
        var all = NonMemoryInstructions().Select(i => i.Name).ToHashSet();
        Assert.Empty(all.Except(tested));
        Assert.Empty(tested.Except(all));
    }

    public static TheoryData<string> CaseNames() => new(Cases.Keys.Order());

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesTheReference(string name)
    {
        switch (Cases[name])
        {
            case UnaryCase c:
                foreach (var a in Vectors(c.In))
                    AssertLanes(name, c.Out, Build(c.Out.Width, i => c.Ref(a, i)), c.Op(a), () => Show(c.In, a));
                break;
            case BinaryCase c:
                foreach (var (a, b) in Pairs(c.In))
                    AssertLanes(name, c.Out, Build(c.Out.Width, i => c.Ref(a, b, i)), c.Op(a, b),
                        () => $"{Show(c.In, a)}, {Show(c.In, b)}");
                break;
            case ShiftCase c:
                int[] counts = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, -1, -8, -63, int.MinValue, int.MaxValue, 1000];
                var res = new Res(Width(c.In), false);
                foreach (var a in Vectors(c.In))
                    foreach (var n in counts)
                        AssertLanes(name, res, Build(res.Width, i => c.Ref(a, n, i)), c.Op(a, n), () => $"{Show(c.In, a)}, {n}");
                break;
            case TestCase c:
                foreach (var a in Vectors(c.In))
                    Assert.True(c.Ref(a) == c.Op(a), $"{name}({Show(c.In, a)}): expected {c.Ref(a)}, got {c.Op(a)}");
                break;
        }
    }

    // ---- instructions with immediates or scalar operands ----

    [Fact]
    public void V128ConstIsTheImmediateBytesInOrder()
    {
        var bytes = Enumerable.Range(0, 16).Select(i => (byte)(0xF0 - i * 7)).ToArray();
        var v = SimdOps.V128Const(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(bytes, Bytes(v));
        Assert.Equal(bytes, Bytes(SimdOps.V128Const(bytes)));
    }

    [Fact]
    public void I8x16ShuffleAndSwizzlePickBytes()
    {
        var rng = new Random(Seed);
        foreach (var (a, b) in Pairs(Kind.I8))
        {
            var lanes = Build(1, _ => (ulong)rng.Next(32));
            var expected = Build(1, i => U8(lanes, i) < 16 ? U8(a, U8(lanes, i)) : U8(b, U8(lanes, i) - 16));
            AssertLanes("i8x16.shuffle", R8, expected, SimdOps.I8x16Shuffle(a, b, lanes), () => $"{Show(Kind.I8, a)}, {Show(Kind.I8, b)}, {Show(Kind.I8, lanes)}");
            // swizzle is in the case table too; here with mostly in-range indices
            var s = Build(1, _ => (ulong)rng.Next(24));
            AssertLanes("i8x16.swizzle", R8, Build(1, i => U8(s, i) < 16 ? U8(a, U8(s, i)) : 0UL), SimdOps.I8x16Swizzle(a, s), () => Show(Kind.I8, s));
        }
        // The identity and the reversal of the concatenation.
        var a0 = Build(1, i => (ulong)i);
        var b0 = Build(1, i => (ulong)(16 + i));
        Assert.Equal(a0, SimdOps.I8x16Shuffle(a0, b0, a0));
        Assert.Equal(Build(1, i => (ulong)(31 - i)), SimdOps.I8x16Shuffle(a0, b0, Build(1, i => (ulong)(31 - i))));
    }

    [Fact]
    public void V128BitselectTakesBitsOfAWhereCIsSet()
    {
        var rng = new Random(Seed);
        foreach (var (a, b) in Pairs(Kind.I64))
        {
            var c = RandomVector(Kind.I8, rng);
            var expected = Build(8, i => (U64(a, i) & U64(c, i)) | (U64(b, i) & ~U64(c, i)));
            Assert.Equal(expected, SimdOps.V128Bitselect(a, b, c));
        }
    }

    /// <summary>Scalars for splat and replace_lane: a kind's edge values and random ones, as raw lane bits.</summary>
    private static IEnumerable<ulong> Scalars(Kind k)
    {
        var rng = new Random(Seed);
        return Edges[k].Concat(Enumerable.Range(0, RandomCount).Select(_ => RandomLane(k, rng)));
    }

    [Fact]
    public void SplatRepeatsTheScalarWrappedToTheLane()
    {
        foreach (var x in Scalars(Kind.I32))
        {
            Assert.Equal(Build(1, _ => x), SimdOps.I8x16Splat((int)x));
            Assert.Equal(Build(2, _ => x), SimdOps.I16x8Splat((int)x));
            Assert.Equal(Build(4, _ => x), SimdOps.I32x4Splat((int)x));
            // i32 operands wider than the lane: only the low bits count
            Assert.Equal(Build(1, _ => x), SimdOps.I8x16Splat((int)(x | 0xABCD_0000)));
            Assert.Equal(Build(2, _ => x), SimdOps.I16x8Splat((int)(x | 0xABCD_0000) ^ 0x5A5A_0000));
        }
        foreach (var x in Scalars(Kind.I64))
            Assert.Equal(Build(8, _ => x), SimdOps.I64x2Splat((long)x));
        foreach (var x in Scalars(Kind.F32))
            Assert.Equal(Build(4, _ => x), SimdOps.F32x4Splat((uint)x)); // NaN payloads included
        foreach (var x in Scalars(Kind.F64))
            Assert.Equal(Build(8, _ => x), SimdOps.F64x2Splat(x));
    }

    [Fact]
    public void ExtractLaneReadsOneLane()
    {
        foreach (var v in Vectors(Kind.I8).Concat(Vectors(Kind.F32)).Concat(Vectors(Kind.F64)))
        {
            for (int i = 0; i < 16; i++)
            {
                Assert.Equal((int)S8(v, i), SimdOps.I8x16ExtractLaneS(v, i));
                Assert.Equal((int)U8(v, i), SimdOps.I8x16ExtractLaneU(v, i));
            }
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal((int)S16(v, i), SimdOps.I16x8ExtractLaneS(v, i));
                Assert.Equal((int)U16(v, i), SimdOps.I16x8ExtractLaneU(v, i));
            }
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(S32(v, i), SimdOps.I32x4ExtractLane(v, i));
                Assert.Equal(U32(v, i), SimdOps.F32x4ExtractLane(v, i));
            }
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(S64(v, i), SimdOps.I64x2ExtractLane(v, i));
                Assert.Equal(U64(v, i), SimdOps.F64x2ExtractLane(v, i));
            }
        }
    }

    [Fact]
    public void ReplaceLaneChangesOnlyThatLane()
    {
        var rng = new Random(Seed);
        foreach (var v in Vectors(Kind.I8))
        {
            var x = RandomLane(Kind.I64, rng); // wider than any lane: replace_lane keeps the low bits
            int l16 = rng.Next(16), l8 = rng.Next(8), l4 = rng.Next(4), l2 = rng.Next(2);
            Assert.Equal(Build(1, i => i == l16 ? x : U8(v, i)), SimdOps.I8x16ReplaceLane(v, l16, (int)x));
            Assert.Equal(Build(2, i => i == l8 ? x : U16(v, i)), SimdOps.I16x8ReplaceLane(v, l8, (int)x));
            Assert.Equal(Build(4, i => i == l4 ? x : U32(v, i)), SimdOps.I32x4ReplaceLane(v, l4, (int)x));
            Assert.Equal(Build(8, i => i == l2 ? x : U64(v, i)), SimdOps.I64x2ReplaceLane(v, l2, (long)x));
            var f = RandomLane(Kind.F32, rng);
            Assert.Equal(Build(4, i => i == l4 ? f : U32(v, i)), SimdOps.F32x4ReplaceLane(v, l4, (uint)f));
            var d = RandomLane(Kind.F64, rng);
            Assert.Equal(Build(8, i => i == l2 ? d : U64(v, i)), SimdOps.F64x2ReplaceLane(v, l2, d));
        }
        // NaN payloads survive, signalling ones included.
        var nan = SimdOps.F32x4ReplaceLane(V.Zero, 2, 0x7FA0_0001);
        Assert.Equal(0x7FA0_0001u, SimdOps.F32x4ExtractLane(nan, 2));
        Assert.Equal(0xFFF0_0000_0000_0001UL, SimdOps.F64x2ExtractLane(SimdOps.F64x2ReplaceLane(V.Zero, 1, 0xFFF0_0000_0000_0001), 1));
    }

    [Fact]
    public void MemoryDataHelpersBuildTheLoadedVector()
    {
        var rng = new Random(Seed);
        foreach (var x in Scalars(Kind.I64).Concat(Enumerable.Range(0, RandomCount).Select(_ => RandomLane(Kind.I8, rng) * 0x0101_0101_0101_0101UL)))
        {
            var m = Build(8, i => i == 0 ? x : 0); // the 8 bytes as they lie in memory, then zeros
            Assert.Equal(Build(2, i => (ulong)S8(m, i)), SimdOps.Load8x8S(x));
            Assert.Equal(Build(2, i => U8(m, i)), SimdOps.Load8x8U(x));
            Assert.Equal(Build(4, i => (ulong)S16(m, i)), SimdOps.Load16x4S(x));
            Assert.Equal(Build(4, i => U16(m, i)), SimdOps.Load16x4U(x));
            Assert.Equal(Build(8, i => (ulong)S32(m, i)), SimdOps.Load32x2S(x));
            Assert.Equal(Build(8, i => U32(m, i)), SimdOps.Load32x2U(x));
            Assert.Equal(Build(1, _ => x), SimdOps.Load8Splat((byte)x));
            Assert.Equal(Build(2, _ => x), SimdOps.Load16Splat((ushort)x));
            Assert.Equal(Build(4, _ => x), SimdOps.Load32Splat((uint)x));
            Assert.Equal(Build(8, _ => x), SimdOps.Load64Splat(x));
            Assert.Equal(Build(4, i => i == 0 ? x : 0), SimdOps.Load32Zero((uint)x));
            Assert.Equal(m, SimdOps.Load64Zero(x));

            var v = RandomVector(Kind.I8, rng);
            int l16 = rng.Next(16), l8 = rng.Next(8), l4 = rng.Next(4), l2 = rng.Next(2);
            Assert.Equal(Build(1, i => i == l16 ? x : U8(v, i)), SimdOps.Load8Lane(v, l16, (byte)x));
            Assert.Equal(Build(2, i => i == l8 ? x : U16(v, i)), SimdOps.Load16Lane(v, l8, (ushort)x));
            Assert.Equal(Build(4, i => i == l4 ? x : U32(v, i)), SimdOps.Load32Lane(v, l4, (uint)x));
            Assert.Equal(Build(8, i => i == l2 ? x : U64(v, i)), SimdOps.Load64Lane(v, l2, x));
            Assert.Equal(U8(v, l16), SimdOps.Store8Lane(v, l16));
            Assert.Equal(U16(v, l8), SimdOps.Store16Lane(v, l8));
            Assert.Equal(U32(v, l4), SimdOps.Store32Lane(v, l4));
            Assert.Equal(U64(v, l2), SimdOps.Store64Lane(v, l2));
        }
    }

    // ---- lanes ----

    private static int Width(Kind k) => k switch { Kind.I8 => 1, Kind.I16 => 2, Kind.I32 or Kind.F32 => 4, _ => 8 };

    private static sbyte S8(V v, int i) => v.AsSByte().GetElement(i);
    private static byte U8(V v, int i) => v.GetElement(i);
    private static short S16(V v, int i) => v.AsInt16().GetElement(i);
    private static ushort U16(V v, int i) => v.AsUInt16().GetElement(i);
    private static int S32(V v, int i) => v.AsInt32().GetElement(i);
    private static uint U32(V v, int i) => v.AsUInt32().GetElement(i);
    private static long S64(V v, int i) => v.AsInt64().GetElement(i);
    private static ulong U64(V v, int i) => v.AsUInt64().GetElement(i);
    private static float F32(V v, int i) => BitConverter.UInt32BitsToSingle(U32(v, i));
    private static double F64(V v, int i) => BitConverter.UInt64BitsToDouble(U64(v, i));

    private static ulong Lane(V v, int width, int i) => width switch
    {
        1 => U8(v, i),
        2 => U16(v, i),
        4 => U32(v, i),
        _ => U64(v, i),
    };

    private static byte[] Bytes(V v)
    {
        var bytes = new byte[16];
        v.CopyTo(bytes);
        return bytes;
    }

    /// <summary>A vector of 16 / width lanes, each the low bits of <paramref name="lane"/>(i), lane 0 lowest.</summary>
    private static V Build(int width, Func<int, ulong> lane)
    {
        var bytes = new byte[16];
        for (int i = 0; i < 16 / width; i++)
        {
            var x = lane(i);
            for (int j = 0; j < width; j++)
                bytes[i * width + j] = (byte)(x >> (8 * j));
        }
        return Vector128.Create(bytes);
    }

    private static string Show(Kind k, V v)
    {
        int w = Width(k);
        return "[" + string.Join(" ", Enumerable.Range(0, 16 / w).Select(i => Lane(v, w, i).ToString("X" + 2 * w))) + "]";
    }

    // ---- NaN classes (bits of a lane of width 4 or 8) ----

    private static bool IsNaN(ulong bits, int width) => width == 4
        ? (bits & 0x7FFF_FFFF) > 0x7F80_0000
        : (bits & 0x7FFF_FFFF_FFFF_FFFF) > 0x7FF0_0000_0000_0000;

    private static bool IsQuiet(ulong bits, int width) =>
        (bits & (width == 4 ? 0x0040_0000UL : 0x0008_0000_0000_0000UL)) != 0;

    private static bool IsCanonical(ulong bits, int width) => width == 4
        ? (bits & 0x7FFF_FFFF) == 0x7FC0_0000
        : (bits & 0x7FFF_FFFF_FFFF_FFFF) == 0x7FF8_0000_0000_0000;

    private static void AssertLanes(string name, Res res, V expected, V actual, Func<string> inputs)
    {
        int w = res.Width;
        for (int i = 0; i < 16 / w; i++)
        {
            ulong e = Lane(expected, w, i), x = Lane(actual, w, i);
            bool ok = res.Float && IsNaN(e, w)
                // The reference gives a canonical NaN where the spec requires one, another quiet NaN where any
                // arithmetic NaN will do.
                ? IsNaN(x, w) && IsQuiet(x, w) && (!IsCanonical(e, w) || IsCanonical(x, w))
                : e == x;
            if (!ok)
                Assert.Fail($"{name}({inputs()}): lane {i} expected {e.ToString("X" + 2 * w)}, got {x.ToString("X" + 2 * w)}");
        }
    }

    // ---- inputs ----

    private static readonly Dictionary<Kind, ulong[]> Edges = new()
    {
        [Kind.I8] = [0, 1, 0xFF, 2, 0xFE, 0x7F, 0x80, 0x7E, 0x81, 0x40, 0xC0, 0x55, 0xAA, 0x0F, 0xF0, 100, 0x9C],
        [Kind.I16] =
        [
            0, 1, 0xFFFF, 2, 0xFFFE, 0x7F, 0x80, 0xFF, 0x100, 0xFF80, 0xFF7F, 0x7FFF, 0x8000, 0x7FFE, 0x8001,
            0x4000, 0xC000, 0x5555, 0xAAAA, 1000, 0xFC18, 0x3FFF, 0xFF00, 0x00FE,
        ],
        [Kind.I32] =
        [
            0, 1, 0xFFFF_FFFF, 2, 0xFFFF_FFFE, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0xFFFF_8000,
            0xFFFF_7FFF, 0x7FFF_FFFF, 0x8000_0000, 0x7FFF_FFFE, 0x8000_0001, 0x4000_0000, 0xC000_0000, 0x5555_5555,
            0xAAAA_AAAA, 123456789, 0x0100_0001, 0xFFFF_FF81,
        ],
        [Kind.I64] =
        [
            0, 1, ulong.MaxValue, 2, ulong.MaxValue - 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
            0xFFFF_FFFF_8000_0000, 0xFFFF_FFFF_7FFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
            0x7FFF_FFFF_FFFF_FFFE, 0x8000_0000_0000_0001, 0x4000_0000_0000_0000, 0xC000_0000_0000_0000,
            0x5555_5555_5555_5555, 0xAAAA_AAAA_AAAA_AAAA, 0x0000_0001_0000_0001, 123456789012345,
        ],
        [Kind.F32] =
        [
            0x0000_0000, 0x8000_0000, F(1f), F(-1f), F(0.5f), F(-0.5f), F(1.5f), F(-1.5f), F(2.5f), F(-2.5f),
            F(3.5f), F(0.49999997f), F(-0.49999997f), F(8388607.5f), F(-8388607.5f), F(8388608f), F(16777215f),
            0x7F80_0000, 0xFF80_0000, // ±inf
            0x7FC0_0000, 0xFFC0_0000, // canonical NaNs
            0x7FA0_0001, 0xFF80_0001, 0x7FC1_2345, 0xFFFF_FFFF, // signalling and payload-carrying NaNs
            0x0000_0001, 0x807F_FFFF, 0x0080_0000, // subnormals, smallest normal
            F(float.MaxValue), F(-float.MaxValue),
            F(2147483648f), F(-2147483648f), F(2147483520f), F(-2147483904f), // ±2^31 and neighbours
            F(4294967296f), F(4294967040f), F(3e9f), F(-3e9f), F(1e10f), F(-1e10f), F(0.1f), F(-0.7f), F(42.75f),
        ],
        [Kind.F64] =
        [
            0, 0x8000_0000_0000_0000, D(1), D(-1), D(0.5), D(-0.5), D(1.5), D(-1.5), D(2.5), D(-2.5), D(3.5),
            D(0.49999999999999994), D(-0.49999999999999994), D(4503599627370495.5), D(-4503599627370495.5),
            D(4503599627370496.0), D(9007199254740993.0),
            0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, // ±inf
            0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0000, // canonical NaNs
            0x7FF0_0000_0000_0001, 0x7FF4_0000_0000_0000, 0xFFF8_0000_0001_2345, 0x7FFF_FFFF_E000_0000, // other NaNs
            0x0000_0000_0000_0001, 0x800F_FFFF_FFFF_FFFF, 0x0010_0000_0000_0000, // subnormals, smallest normal
            D(double.MaxValue), D(-double.MaxValue),
            D(2147483647.0), D(2147483647.5), D(2147483648.0), D(-2147483648.0), D(-2147483648.5), D(-2147483649.0),
            D(4294967295.0), D(4294967295.5), D(4294967296.0), D(-0.9), D(1e300), D(-1e-300),
            // f32 rounding: ties and overflow/underflow boundaries for demote
            D(1 + Math.Pow(2, -24)), D(1 + Math.Pow(2, -24) + Math.Pow(2, -52)), D(3.4028235677973366e38),
            D(3.4028234663852886e38), D(Math.Pow(2, -149)), D(Math.Pow(2, -150)), D(3 * Math.Pow(2, -151)),
        ],
    };

    private static ulong F(float f) => BitConverter.SingleToUInt32Bits(f);
    private static ulong D(double d) => BitConverter.DoubleToUInt64Bits(d);

    private static ulong RandomLane(Kind k, Random rng)
    {
        int w = Width(k);
        ulong mask = w == 8 ? ulong.MaxValue : (1UL << (8 * w)) - 1;
        ulong bits = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
        switch (rng.Next(4))
        {
            case 0:
                return Edges[k][rng.Next(Edges[k].Length)];
            case 1:
                return bits & mask;
            default:
                // Values of moderate size, where arithmetic is most often exercised; half-integers for rounding.
                double m = (rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(0, k == Kind.F64 ? 64 : 34));
                if (rng.Next(4) == 0) m = Math.Floor(m) + 0.5;
                return k switch
                {
                    Kind.F32 => F((float)m),
                    Kind.F64 => D(m),
                    _ => (ulong)(long)Math.Clamp(m / Math.Pow(2, 34 - 8 * w), long.MinValue, long.MaxValue) & mask,
                };
        }
    }

    private static V RandomVector(Kind k, Random rng) => Build(Width(k), _ => RandomLane(k, rng));

    /// <summary>Rotations of the edge values across the lanes, then random vectors.</summary>
    private static IEnumerable<V> Vectors(Kind k)
    {
        var e = Edges[k];
        for (int r = 0; r < e.Length; r++)
            yield return Build(Width(k), i => e[(i + r) % e.Length]);
        var rng = new Random(Seed);
        for (int n = 0; n < RandomCount; n++)
            yield return RandomVector(k, rng);
    }

    /// <summary>Pairs in which lane 0 alone sees every (edge, edge) combination, then random pairs.</summary>
    private static IEnumerable<(V, V)> Pairs(Kind k)
    {
        var e = Edges[k];
        int n = e.Length;
        for (int r = 0; r < n; r++)
            for (int d = 0; d < n; d++)
                yield return (Build(Width(k), i => e[(i + r) % n]), Build(Width(k), i => e[(i + r + d) % n]));
        var rng = new Random(Seed);
        for (int j = 0; j < RandomCount; j++)
        {
            var a = RandomVector(k, rng);
            // Sometimes equal lanes, which comparisons and min/max treat specially.
            yield return (a, rng.Next(8) == 0 ? a : RandomVector(k, rng));
        }
    }
}
