using System.Buffers.Binary;
using WasmSharp.Llvm;
using WasmSharp.Tests.Binary;
using WasmSharp.Tests.Text;
using WasmSharp.Text;

namespace WasmSharp.Tests.Llvm;

/// <summary>
/// Several memories (Wasm 3.0 multi-memory) in native code, with explicit bounds checks and with guard pages: each
/// access reaches its own memory and is checked against its own length, nothing known of one memory (a bounds check
/// made, a frame slot's value) is used for another, memory.size, grow, copy, fill and init act on the memories they
/// name, and a memory imported at two indices is one memory under both.
/// </summary>
public sealed class NativeMultiMemoryTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("wasmsharp-multimemory-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private Engine NativeEngine(bool guardPages) => new(new EngineConfig { Native = new LlvmBackend(2, _cache, guardPages) });

    private static readonly (string Op, string Type, int Size)[] Loads =
    [
        ("i32.load", "i32", 4), ("i64.load", "i64", 8), ("f32.load", "f32", 4), ("f64.load", "f64", 8),
        ("i32.load8_s", "i32", 1), ("i32.load8_u", "i32", 1), ("i32.load16_s", "i32", 2), ("i32.load16_u", "i32", 2),
        ("i64.load8_s", "i64", 1), ("i64.load8_u", "i64", 1), ("i64.load16_s", "i64", 2), ("i64.load16_u", "i64", 2),
        ("i64.load32_s", "i64", 4), ("i64.load32_u", "i64", 4),
    ];

    private static readonly (string Op, string Type, int Size)[] Stores =
    [
        ("i32.store", "i32", 4), ("i64.store", "i64", 8), ("f32.store", "f32", 4), ("f64.store", "f64", 8),
        ("i32.store8", "i32", 1), ("i32.store16", "i32", 2), ("i64.store8", "i64", 1), ("i64.store16", "i64", 2),
        ("i64.store32", "i64", 4),
    ];

    /// <summary>Memory $a (index 0) of 2 pages, $b of 1 (up to 4), $c of 3; every load and store on $a and $b.</summary>
    private static string TwoMemories()
    {
        var fields = new System.Text.StringBuilder();
        foreach (string m in new[] { "a", "b" })
        {
            foreach (var (op, type, _) in Loads)
                fields.AppendLine($"(func (export \"{m}.{op}\") (param i32) (result {type}) ({op} ${m} (local.get 0)))");
            foreach (var (op, type, _) in Stores)
                fields.AppendLine($"(func (export \"{m}.{op}\") (param i32 {type}) ({op} ${m} (local.get 0) (local.get 1)))");
        }
        return $$"""
            (module
              (memory $a (export "a") 2)
              (memory $b (export "b") 1 4)
              (memory $c (export "c") 3)
              (global $sp (mut i32) (i32.const 4096))
              (data $seg "\de\ad\be\ef\01\02\03\04")
              (data (memory $b) (i32.const 16) "\01\02\03\04")
              {{fields}}
              ;; A check of one memory must not stand for another's: $a has 2 pages, $b 1, $c 3.
              (func (export "a-then-b") (param $at i32) (result i32)
                (i32.add (i32.load $a (local.get $at)) (i32.load $b (local.get $at))))
              (func (export "c-then-a") (param $at i32) (result i32)
                (i32.add (i32.load $c (local.get $at)) (i32.load $a (local.get $at))))
              (func (export "a-then-b-in-loop") (param $at i32) (param $n i32) (result i32)
                (local $sum i32)
                (loop $l
                  (local.set $sum (i32.add (local.get $sum) (i32.load $a (local.get $at))))
                  (local.set $sum (i32.add (local.get $sum) (i32.load $b (local.get $at))))
                  (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                (local.get $sum))
              ;; Stored to one memory, read back from the other at the same address.
              (func (export "cross") (param $at i32) (result i32)
                (i32.store $b (local.get $at) (i32.const 7))
                (i32.store $a (local.get $at) (i32.const 5))
                (i32.add (i32.load $b (local.get $at)) (i32.mul (i32.const 100) (i32.load $a (local.get $at)))))
              ;; A stack frame in memory 0 (its slots in variables) and the same addresses in $b.
              (func (export "frame") (result i32)
                (local $fp i32)
                (local.set $fp (i32.sub (global.get $sp) (i32.const 16)))
                (i32.store $a (local.get $fp) (i32.const 1))
                (i32.store $a offset=4 (local.get $fp) (i32.const 2))
                (i32.store $b (local.get $fp) (i32.const 30))
                (i32.store $b offset=4 (local.get $fp) (i32.const 40))
                (i32.add
                  (i32.mul (i32.const 100) (i32.add (i32.load $a (local.get $fp)) (i32.load $a offset=4 (local.get $fp))))
                  (i32.add (i32.load $b (local.get $fp)) (i32.load $b offset=4 (local.get $fp)))))
              (func (export "sizes") (result i32)
                (i32.add (memory.size $a) (i32.add (i32.mul (i32.const 10) (memory.size $b)) (i32.mul (i32.const 100) (memory.size $c)))))
              (func (export "grow-b") (param i32) (result i32) (memory.grow $b (local.get 0)))
              ;; $b's length read before it grows, then accesses past its old end.
              (func (export "grow-b-and-use") (param $at i32) (result i32)
                (drop (i32.load $b (i32.const 0)))
                (drop (memory.grow $b (i32.const 1)))
                (i32.store $b (local.get $at) (i32.const 55))
                (i32.load $b (local.get $at)))
              (func $grow-b-inside (drop (memory.grow $b (i32.const 1))))
              (func (export "grow-b-in-a-call-and-use") (param $at i32) (result i32)
                (drop (i32.load $b (i32.const 0)))
                (call $grow-b-inside)
                (i32.store $b (local.get $at) (i32.const 66))
                (i32.load $b (local.get $at)))
              (func (export "copy-a-b") (param i32 i32 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
              (func (export "copy-b-a") (param i32 i32 i32) (memory.copy $b $a (local.get 0) (local.get 1) (local.get 2)))
              (func (export "copy-b-b") (param i32 i32 i32) (memory.copy $b $b (local.get 0) (local.get 1) (local.get 2)))
              (func (export "copy-a-a") (param i32 i32 i32) (memory.copy $a $a (local.get 0) (local.get 1) (local.get 2)))
              (func (export "fill-b") (param i32 i32 i32) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
              (func (export "init-b") (param i32 i32 i32) (memory.init $b $seg (local.get 0) (local.get 1) (local.get 2)))
              (func (export "b.v128.load") (param i32) (result i64)
                (i64x2.extract_lane 1 (v128.load $b (local.get 0))))
              (func (export "b.v128.store") (param i32 i64)
                (v128.store $b (local.get 0) (i64x2.splat (local.get 1))))
              (func (export "b.v128.load32_splat") (param i32) (result i32)
                (i32x4.extract_lane 3 (v128.load32_splat $b (local.get 0))))
              (func (export "b.v128.load16x4_u") (param i32) (result i32)
                (i32x4.extract_lane 1 (v128.load16x4_u $b (local.get 0))))
              (func (export "b.v128.load64_zero") (param i32) (result i64)
                (i64x2.extract_lane 0 (v128.load64_zero $b (local.get 0))))
              (func (export "b.v128.load32_lane") (param i32) (result i32)
                (i32x4.extract_lane 2 (v128.load32_lane $b 2 (local.get 0) (v128.const i32x4 0 0 0 0))))
              (func (export "b.v128.store16_lane") (param i32 i32)
                (v128.store16_lane $b 5 (local.get 0) (i16x8.splat (local.get 1))))
              ;; The same address in $a: vectors do not mix memories either.
              (func (export "simd-cross") (param $at i32) (result i64)
                (v128.store $b (local.get $at) (v128.const i64x2 7 7))
                (v128.store $a (local.get $at) (v128.const i64x2 5 5))
                (i64.add (i64x2.extract_lane 0 (v128.load $b (local.get $at)))
                         (i64.mul (i64.const 100) (i64x2.extract_lane 1 (v128.load $a (local.get $at)))))))
            """;
    }

    private (Store Store, Instance Instance) Instantiate(bool guardPages)
    {
        var engine = NativeEngine(guardPages);
        var module = Module.FromBytes(engine, WatCompiler.Compile(TwoMemories()));
        Assert.Null(module.NativeFallback);
        var store = new Store(engine);
        return (store, new Linker().Instantiate(store, module));
    }

    private static TrapCode Trap(Action action) => Assert.Throws<TrapException>(action).Code;

    /// <summary>Every load of <paramref name="memory"/> at <paramref name="at"/> as one value of 64 bits (floats
    /// as their bits).</summary>
    private static ulong LoadBits(Instance inst, string memory, string op, string type, int at) => type switch
    {
        "i32" => (ulong)inst.GetFunction<int, int>($"{memory}.{op}")(at),
        "i64" => (ulong)inst.GetFunction<int, long>($"{memory}.{op}")(at),
        "f32" => BitConverter.SingleToUInt32Bits(inst.GetFunction<int, float>($"{memory}.{op}")(at)),
        _ => BitConverter.DoubleToUInt64Bits(inst.GetFunction<int, double>($"{memory}.{op}")(at)),
    };

    /// <summary>What a load of <paramref name="size"/> bytes reads from <paramref name="bytes"/> (8 of them), as
    /// <see cref="LoadBits"/> returns it.</summary>
    private static ulong Expected(string op, string type, int size, byte[] bytes)
    {
        ulong raw = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        ulong value = size == 8 ? raw : raw & ((1UL << (size * 8)) - 1);
        if (op.EndsWith("_s", StringComparison.Ordinal)) value = (ulong)((long)(value << (64 - size * 8)) >> (64 - size * 8));
        return type == "i32" ? (ulong)(int)(uint)value : value;
    }

    /// <summary>Bytes of a pattern, none of whose floats is a NaN (bit 6 of each byte clear), many negative.</summary>
    private static void Pattern(Span<byte> bytes, int seed)
    {
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)((i * 37 + seed) & 0xBF);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryWidthLoadsAndStoresItsOwnMemory(bool guardPages)
    {
        var (store, inst) = Instantiate(guardPages);
        using var _ = store;
        var a = inst.GetMemory("a")!;
        var b = inst.GetMemory("b")!;
        const int at = 1000;
        Pattern(a.GetSpan(at, 16), 11);
        Pattern(b.GetSpan(at, 16), 140);
        foreach (var (op, type, size) in Loads)
        {
            Assert.Equal(Expected(op, type, size, a.GetSpan(at, 8).ToArray()), LoadBits(inst, "a", op, type, at));
            Assert.Equal(Expected(op, type, size, b.GetSpan(at, 8).ToArray()), LoadBits(inst, "b", op, type, at));
        }

        // Each store writes its bytes of $b, and $a's same bytes stay.
        foreach (var (op, type, size) in Stores)
        {
            byte[] before = a.GetSpan(at, 16).ToArray();
            b.GetSpan(at, 16).Clear();
            ulong value = 0x8877_6655_4433_2211UL;
            switch (type)
            {
                case "i32": inst.GetAction<int, int>($"b.{op}")(at, unchecked((int)value)); break;
                case "i64": inst.GetAction<int, long>($"b.{op}")(at, unchecked((long)value)); break;
                case "f32": inst.GetAction<int, float>($"b.{op}")(at, 1.5f); value = BitConverter.SingleToUInt32Bits(1.5f); break;
                default: inst.GetAction<int, double>($"b.{op}")(at, -2.25); value = BitConverter.DoubleToUInt64Bits(-2.25); break;
            }
            var written = new byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(written, value);
            written.AsSpan(size).Clear();
            Assert.Equal(written, b.GetSpan(at, 16).ToArray());
            Assert.Equal(before, a.GetSpan(at, 16).ToArray());
        }
        Assert.Equal(0x04030201, inst.GetFunction<int, int>("b.i32.load")(16)); // $b's data segment
        Assert.Equal(0, inst.GetFunction<int, int>("a.i32.load")(16));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnAccessPastItsMemorysEndTrapsWhereAnotherMemorysSameAddressIsFine(bool guardPages)
    {
        var (store, inst) = Instantiate(guardPages);
        using var _ = store;
        var b = inst.GetMemory("b")!;
        const int end = 65536; // $b's end; $a reaches 131072
        b.GetSpan(end - 16, 16).Fill(0x9A); // neither float is a NaN
        foreach (var (op, type, size) in Loads)
        {
            Assert.Equal(Expected(op, type, size, b.GetSpan(end - 8, 8).ToArray()[(8 - size)..].Concat(new byte[8 - size]).ToArray()),
                LoadBits(inst, "b", op, type, end - size));
            Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => LoadBits(inst, "b", op, type, end - size + 1)));
            Assert.Equal(0UL, LoadBits(inst, "a", op, type, end - size + 1));
            Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => LoadBits(inst, "a", op, type, 2 * end - size + 1)));
        }
        foreach (var (op, type, size) in Stores)
        {
            Action<int> storeAt = type switch
            {
                "i32" => x => inst.GetAction<int, int>($"b.{op}")(x, -1),
                "i64" => x => inst.GetAction<int, long>($"b.{op}")(x, -1),
                "f32" => x => inst.GetAction<int, float>($"b.{op}")(x, -1),
                _ => x => inst.GetAction<int, double>($"b.{op}")(x, -1),
            };
            Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => storeAt(end - size + 1)));
            Assert.All(b.GetSpan(end - 16, 16).ToArray(), x => Assert.Equal(0x9A, x)); // nothing written
        }
        // A check made for one memory does not cover the other (nor does one made in a loop).
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetFunction<int, int>("a-then-b")(end)));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetFunction<int, int, int>("a-then-b-in-loop")(end, 3)));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetFunction<int, int>("c-then-a")(2 * end)));
        Assert.Equal(b.Read<int>(end - 4), inst.GetFunction<int, int>("a-then-b")(end - 4)); // $a holds 0 there
        Assert.Equal(0, inst.GetFunction<int, int>("c-then-a")(2 * end - 4));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetFunction<int, long>("b.v128.load")(end - 15)));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetFunction<int, int>("b.v128.load32_lane")(end - 3)));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetAction<int, long>("b.v128.store")(end - 15, 1)));
        Assert.All(b.GetSpan(end - 16, 16).ToArray(), x => Assert.Equal(0x9A, x));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStoreToOneMemoryIsNotSeenByALoadFromAnother(bool guardPages)
    {
        var (store, inst) = Instantiate(guardPages);
        using var _ = store;
        Assert.Equal(507, inst.GetFunction<int, int>("cross")(100)); // 7 from $b, 5 from $a
        Assert.Equal(507, inst.GetFunction<int, int>("cross")(60000));
        Assert.Equal(507L, inst.GetFunction<int, long>("simd-cross")(200));
        Assert.Equal(370, inst.GetFunction<int>("frame")()); // $a's frame holds 1 and 2, $b's bytes there 30 and 40
        Assert.Equal(1, inst.GetMemory("a")!.Read<int>(4096 - 16));
        Assert.Equal(30, inst.GetMemory("b")!.Read<int>(4096 - 16));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GrowingAnotherMemoryLetsItsAccessesPastTheOldEndSucceed(bool guardPages)
    {
        var (store, inst) = Instantiate(guardPages);
        using var _ = store;
        var sizes = inst.GetFunction<int>("sizes");
        Assert.Equal(312, sizes());
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetFunction<int, int>("b.i32.load")(70000)));
        Assert.Equal(55, inst.GetFunction<int, int>("grow-b-and-use")(70000));
        Assert.Equal(322, sizes());
        Assert.Equal(66, inst.GetFunction<int, int>("grow-b-in-a-call-and-use")(140000));
        Assert.Equal(332, sizes());
        Assert.Equal(3, inst.GetFunction<int, int>("grow-b")(1));
        Assert.Equal(-1, inst.GetFunction<int, int>("grow-b")(1)); // past $b's maximum of 4
        Assert.Equal(342, sizes());
        Assert.Equal(2UL, inst.GetMemory("a")!.Pages);
        Assert.Equal(0, inst.GetFunction<int, int>("b.i32.load")(4 * 65536 - 4));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetFunction<int, int>("b.i32.load")(4 * 65536 - 3)));
        // $a did not grow with $b.
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetFunction<int, int>("a.i32.load")(2 * 65536 - 3)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CopyFillAndInitTakeTheMemoriesTheyName(bool guardPages)
    {
        var (store, inst) = Instantiate(guardPages);
        using var _ = store;
        var a = inst.GetMemory("a")!;
        var b = inst.GetMemory("b")!;
        inst.GetAction<int, int, int>("fill-b")(100, 0xAB, 4);
        Assert.Equal(unchecked((int)0xABABABAB), b.Read<int>(100));
        Assert.Equal(0, a.Read<int>(100));
        inst.GetAction<int, int, int>("copy-a-b")(200, 100, 4);
        Assert.Equal(unchecked((int)0xABABABAB), a.Read<int>(200));
        Assert.Equal(0, b.Read<int>(200));
        a.Write(300, 0x11223344);
        inst.GetAction<int, int, int>("copy-b-a")(50000, 300, 4);
        Assert.Equal(0x11223344, b.Read<int>(50000));
        // Within $b, overlapping: as memmove.
        b.GetSpan(0, 8).Clear();
        new byte[] { 1, 2, 3, 4, 5 }.CopyTo(b.GetSpan(0, 5));
        inst.GetAction<int, int, int>("copy-b-b")(2, 0, 5);
        Assert.Equal(new byte[] { 1, 2, 1, 2, 3, 4, 5, 0 }, b.GetSpan(0, 8).ToArray());
        inst.GetAction<int, int, int>("copy-a-a")(400, 200, 4);
        Assert.Equal(unchecked((int)0xABABABAB), a.Read<int>(400));
        inst.GetAction<int, int, int>("init-b")(1000, 2, 4);
        Assert.Equal(new byte[] { 0xBE, 0xEF, 1, 2 }, b.GetSpan(1000, 4).ToArray());
        Assert.Equal(0, a.Read<int>(1000));

        // Out of bounds on either side: a trap, and nothing written. $a reaches 131072, $b 65536.
        var copyAB = inst.GetAction<int, int, int>("copy-a-b");
        var copyBA = inst.GetAction<int, int, int>("copy-b-a");
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => copyAB(0, 65535, 2)));   // source $b
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => copyBA(65535, 0, 2)));   // destination $b
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => copyBA(0, 131071, 2)));  // source $a
        copyAB(131070, 65534, 2); // both ends exactly
        copyBA(65536, 131072, 0); // nothing at the ends
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => copyBA(65537, 0, 0)));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetAction<int, int, int>("fill-b")(65535, 1, 2)));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetAction<int, int, int>("init-b")(65535, 0, 2)));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetAction<int, int, int>("init-b")(0, 6, 4)));
        Assert.Equal(0, a.Read<short>(0));
        Assert.Equal(0, b.Read<byte>(65535));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SimdAccessesReachTheirMemory(bool guardPages)
    {
        var (store, inst) = Instantiate(guardPages);
        using var _ = store;
        var b = inst.GetMemory("b")!;
        for (int i = 0; i < 16; i++) b.Write(3000 + (ulong)i, (byte)(i + 1));
        Assert.Equal(0x100F0E0D0C0B0A09L, inst.GetFunction<int, long>("b.v128.load")(3000));
        Assert.Equal(0x04030201, inst.GetFunction<int, int>("b.v128.load32_splat")(3000));
        Assert.Equal(0x0403, inst.GetFunction<int, int>("b.v128.load16x4_u")(3000));
        Assert.Equal(0x0807060504030201L, inst.GetFunction<int, long>("b.v128.load64_zero")(3000));
        Assert.Equal(0x04030201, inst.GetFunction<int, int>("b.v128.load32_lane")(3000));
        inst.GetAction<int, long>("b.v128.store")(4000, 0x0102030405060708L);
        Assert.Equal(0x0102030405060708L, b.Read<long>(4008));
        inst.GetAction<int, int>("b.v128.store16_lane")(5000, 0xBEEF);
        Assert.Equal(0xBEEF, b.Read<ushort>(5000));
        Assert.Equal(0, inst.GetMemory("a")!.Read<long>(4008));
        Assert.Equal(0, inst.GetMemory("a")!.Read<ushort>(5000));
    }

    /// <summary>One memory imported at indices 0 and 1: a grow through index 1 is seen through index 0 (whose
    /// length native code keeps), and a store through index 1 to memory 0's stack frame is read back through 0.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AMemoryImportedTwiceIsOneMemoryUnderBothIndices(bool guardPages)
    {
        var engine = NativeEngine(guardPages);
        using var store = new Store(engine);
        var provider = new Linker().Instantiate(store, Module.FromBytes(engine, WatCompiler.Compile(
            "(module (memory (export \"mem\") 1 4))")));
        var module = Module.FromBytes(engine, WatCompiler.Compile("""
            (module
              (import "p" "mem" (memory $m0 1))
              (import "p" "mem" (memory $m1 1))
              (global $sp (mut i32) (i32.const 4096))
              (func (export "grow1-then-access0") (param $at i32) (result i32)
                (drop (i32.load $m0 (i32.const 0)))
                (drop (memory.grow $m1 (i32.const 1)))
                (i32.store $m0 (local.get $at) (i32.const 99))
                (i32.load $m0 (local.get $at)))
              (func (export "grow0-then-access1") (param $at i32) (result i32)
                (drop (i32.load $m1 (i32.const 0)))
                (drop (memory.grow $m0 (i32.const 1)))
                (i32.store $m1 (local.get $at) (i32.const 77))
                (i32.load $m1 (local.get $at)))
              (func (export "store1-load0") (param $at i32) (result i32)
                (i32.store $m0 (local.get $at) (i32.const 1))
                (i32.store $m1 (local.get $at) (i32.const 2))
                (i32.load $m0 (local.get $at)))
              (func (export "frame") (result i32)
                (local $fp i32)
                (local.set $fp (i32.sub (global.get $sp) (i32.const 16)))
                (i32.store $m0 (local.get $fp) (i32.const 1))
                (i32.store $m0 offset=4 (local.get $fp) (i32.const 2))
                (i32.store $m0 offset=8 (local.get $fp)
                  (i32.add (i32.load $m0 (local.get $fp)) (i32.load $m0 offset=4 (local.get $fp))))
                (i32.store $m1 (local.get $fp) (i32.const 10))
                (i32.store $m1 offset=4 (local.get $fp) (i32.const 20))
                ;; as many reads of the frame as unoptimised code makes, so that its slots live in variables
                (i32.add
                  (i32.mul (i32.const 100) (i32.load $m0 offset=8 (local.get $fp)))
                  (i32.add
                    (i32.add (i32.load $m0 (local.get $fp)) (i32.load $m0 offset=4 (local.get $fp)))
                    (i32.mul (i32.const 1000)
                      (i32.sub (i32.add (i32.load $m0 (local.get $fp)) (i32.load $m0 offset=4 (local.get $fp)))
                               (i32.add (i32.load $m1 (local.get $fp)) (i32.load $m1 offset=4 (local.get $fp))))))))
              (func (export "sizes") (result i32) (i32.add (memory.size $m0) (i32.mul (i32.const 10) (memory.size $m1)))))
            """));
        Assert.Null(module.NativeFallback);
        var inst = new Linker().DefineInstance("p", provider).Instantiate(store, module);
        Assert.Equal(11, inst.GetFunction<int>("sizes")());
        Assert.Equal(99, inst.GetFunction<int, int>("grow1-then-access0")(70000));
        Assert.Equal(22, inst.GetFunction<int>("sizes")());
        Assert.Equal(77, inst.GetFunction<int, int>("grow0-then-access1")(140000));
        Assert.Equal(33, inst.GetFunction<int>("sizes")());
        Assert.Equal(99, provider.GetMemory("mem")!.Read<int>(70000));
        Assert.Equal(2, inst.GetFunction<int, int>("store1-load0")(64));
        Assert.Equal(330, inst.GetFunction<int>("frame")()); // 3 from the first two, then 10 and 20 through $m1
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, Trap(() => inst.GetFunction<int, int>("grow1-then-access0")(4 * 65536)));
    }

    /// <summary>Every module of the multi-memory proposal's scripts that validates runs natively.</summary>
    [ProposalTestsuiteFact("multi-memory")]
    public void TheMultiMemoryScriptsModulesRunNatively()
    {
        string dir = TextTestParts.ProposalDirectory("multi-memory")!;
        var engine = NativeEngine(guardPages: false);
        int native = 0, several = 0;
        foreach (var form in Directory.EnumerateFiles(dir, "*.wast").Order(StringComparer.Ordinal).SelectMany(WastModules.Read))
        {
            if (form.Kind == WastModules.Kind.Quote) continue;
            Module module;
            try
            {
                byte[] bytes = form.Kind == WastModules.Kind.Binary ? form.Bytes ?? [] : Wat.ToBinary(form.Fields);
                module = Module.FromBytes(engine, bytes);
            }
            catch (WasmException)
            {
                continue; // malformed or invalid, as the script says
            }
            Assert.True(module.NativeFallback is null, $"{form}: {module.NativeFallback}");
            native++;
            if (module.Info.AllMemories.Count > 1) several++;
        }
        Assert.True(several > 50, $"{native} modules, {several} with several memories");
    }
}
