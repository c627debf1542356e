using WasmSharp.Text;

namespace WasmSharp.Tests.Runtime;

/// <summary>Several memories in one module (Wasm 3.0 multi-memory), on the interpreter: each instruction acts on
/// its own memory, and nothing the translator knows of one memory carries over to another.</summary>
public class MultiMemoryTests
{
    private const string TwoMemories = """
        (module
          (memory $a (export "a") 1)
          (memory $b (export "b") 1 3)
          (data (memory $b) (i32.const 16) "\01\02\03\04")
          (func (export "store") (param $m i32) (param $at i32) (param $v i32)
            (if (local.get $m)
              (then (i32.store $b (local.get $at) (local.get $v)))
              (else (i32.store $a (local.get $at) (local.get $v)))))
          (func (export "load") (param $m i32) (param $at i32) (result i32)
            (if (result i32) (local.get $m)
              (then (i32.load $b (local.get $at)))
              (else (i32.load $a (local.get $at)))))
          ;; Stored to one memory, read back from the other at the same address: no forwarding across memories.
          (func (export "cross") (param $at i32) (result i32)
            (i32.store $b (local.get $at) (i32.const 7))
            (i32.store $a (local.get $at) (i32.const 5))
            (i32.add (i32.load $b (local.get $at)) (i32.mul (i32.const 100) (i32.load $a (local.get $at)))))
          (func (export "sizes") (result i32)
            (i32.add (memory.size $a) (i32.mul (i32.const 10) (memory.size $b))))
          (func (export "grow-b") (param i32) (result i32) (memory.grow $b (local.get 0)))
          ;; After memory $b grew, memory $a is the one plain loads read again.
          (func (export "grow-b-then-load-a") (param $at i32) (result i32)
            (drop (memory.grow $b (i32.const 1)))
            (i32.load $a (local.get $at)))
          (func (export "copy-b-to-a") (param $d i32) (param $s i32) (param $n i32)
            (memory.copy $a $b (local.get $d) (local.get $s) (local.get $n)))
          (func (export "fill-b") (param $d i32) (param $v i32) (param $n i32)
            (memory.fill $b (local.get $d) (local.get $v) (local.get $n)))
          (func (export "load8-b") (param $at i32) (result i32) (i32.load8_u $b (local.get $at)))
          (func (export "v128-b") (param $at i32) (result i32)
            (i32x4.extract_lane 0 (v128.load $b (local.get $at)))))
        """;

    private static Instance Instantiate(Store store, string text = TwoMemories) =>
        new Linker().Instantiate(store, Module.FromBytes(Wat.ToBinary(text)));

    [Fact]
    public void EachAccessReachesItsOwnMemory()
    {
        using var store = new Store();
        var inst = Instantiate(store);
        var storeTo = inst.GetAction<int, int, int>("store");
        var load = inst.GetFunction<int, int, int>("load");
        storeTo(0, 8, 11);
        storeTo(1, 8, 22);
        Assert.Equal(11, load(0, 8));
        Assert.Equal(22, load(1, 8));
        Assert.Equal(11, inst.GetMemory("a")!.Read<int>(8));
        Assert.Equal(22, inst.GetMemory("b")!.Read<int>(8));
        // The data segment went to memory $b only.
        Assert.Equal(0x04030201, load(1, 16));
        Assert.Equal(0, load(0, 16));
        Assert.Equal(507, inst.GetFunction<int, int>("cross")(100)); // 7 from $b, 5 from $a
    }

    [Fact]
    public void SizeGrowCopyAndFillTakeTheirMemory()
    {
        using var store = new Store();
        var inst = Instantiate(store);
        Assert.Equal(11, inst.GetFunction<int>("sizes")());
        Assert.Equal(1, inst.GetFunction<int, int>("grow-b")(1));
        Assert.Equal(21, inst.GetFunction<int>("sizes")());
        Assert.Equal(-1, inst.GetFunction<int, int>("grow-b")(5)); // past $b's maximum of 3
        inst.GetAction<int, int, int>("store")(0, 40, 99);
        Assert.Equal(99, inst.GetFunction<int, int>("grow-b-then-load-a")(40));
        Assert.Equal(31, inst.GetFunction<int>("sizes")());
        Assert.Equal(1UL, inst.GetMemory("a")!.Pages);

        inst.GetAction<int, int, int>("fill-b")(100, 0xAB, 4);
        Assert.Equal(0xAB, inst.GetFunction<int, int>("load8-b")(103));
        inst.GetAction<int, int, int>("copy-b-to-a")(200, 100, 4);
        Assert.Equal(unchecked((int)0xABABABAB), inst.GetMemory("a")!.Read<int>(200));
        Assert.Equal(0x04030201, inst.GetFunction<int, int>("v128-b")(16));
    }

    [Fact]
    public void AnOutOfBoundsAccessTrapsOnItsMemoryAndTheNextCallStartsOnMemory0()
    {
        using var store = new Store();
        var inst = Instantiate(store);
        var load = inst.GetFunction<int, int, int>("load");
        inst.GetAction<int, int, int>("store")(0, 65532, 3);
        // Memory $b is one page too: its last word reads, the next traps.
        Assert.Equal(0, load(1, 65532));
        var trap = Assert.Throws<TrapException>(() => load(1, 65533));
        Assert.Equal(TrapCode.OutOfBoundsMemoryAccess, trap.Code);
        Assert.Equal(3, load(0, 65532));
        Assert.Throws<TrapException>(() => inst.GetAction<int, int, int>("copy-b-to-a")(65535, 0, 2));
        Assert.Throws<TrapException>(() => inst.GetAction<int, int, int>("fill-b")(65535, 0, 2));
        Assert.Equal(3, load(0, 65532));
    }

    [Fact]
    public void ImportedMemoriesAreTheExportersOwn()
    {
        using var store = new Store();
        var provider = Instantiate(store);
        var user = new Linker()
            .DefineInstance("p", provider)
            .Instantiate(store, Module.FromBytes(Wat.ToBinary("""
                (module
                  (import "p" "b" (memory $b 1))
                  (import "p" "a" (memory $a 1))
                  (func (export "poke") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))
                  (func (export "peek-a") (param i32) (result i32) (i32.load $a (local.get 0))))
                """)));
        user.GetAction<int, int>("poke")(4, 1234);
        Assert.Equal(1234, provider.GetFunction<int, int, int>("load")(1, 4));
        provider.GetAction<int, int, int>("store")(0, 12, 77);
        Assert.Equal(77, user.GetFunction<int, int>("peek-a")(12));
    }

    [Fact]
    public void Wasm20RefusesWhatMultiMemoryAllows()
    {
        var wasm2 = new Engine(new EngineConfig { Features = WasmFeatures.None });
        var two = Assert.Throws<InvalidModuleException>(() => Module.FromBytes(wasm2, Wat.ToBinary("(module (memory 1) (memory 1))")));
        Assert.Contains("multiple memories", two.Message);
        // A memarg with a memory index (flags 0x42: alignment 4, bit 6) is malformed in 2.0.
        byte[] indexed =
        [
            0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // a type () -> ()
            0x03, 0x02, 0x01, 0x00,             // a function of it
            0x05, 0x03, 0x01, 0x00, 0x01,       // memory 0: 1 page
            0x0A, 0x0B, 0x01, 0x09, 0x00,       // its body: i32.const 0, i32.load (memory 0), drop
            0x41, 0x00, 0x28, 0x42, 0x00, 0x00, 0x1A, 0x0B,
        ];
        var flags = Assert.Throws<MalformedModuleException>(() => Module.FromBytes(wasm2, indexed));
        Assert.Contains("malformed memop flags", flags.Message);
        Module.FromBytes(indexed);
        indexed[^4] = 1; // memory 1, which there is not
        Assert.Contains("unknown memory 1", Assert.Throws<InvalidModuleException>(() => Module.FromBytes(indexed)).Message);
        var unknown = Assert.Throws<InvalidModuleException>(() => Module.FromBytes(Wat.ToBinary("(module (memory 1) (func (drop (memory.size 1))))")));
        Assert.Contains("unknown memory 1", unknown.Message);
    }
}
