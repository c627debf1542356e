using WasmSharp.Text;

namespace WasmSharp.Tests.Runtime;

/// <summary>Shared memory types (the threads proposal's, <see cref="WasmFeatures.SharedMemory"/>): declared,
/// checked, matched on import by their shared flag, and run like any memory.</summary>
public class SharedMemoryTests
{
    [Fact]
    public void ASharedMemoryNeedsAMaximumAndRunsLikeAnyMemory()
    {
        var invalid = Assert.Throws<InvalidModuleException>(() => Module.FromBytes(Wat.ToBinary("(module (memory 1 shared))")));
        Assert.Contains("shared memory must have maximum", invalid.Message);

        var module = Module.FromBytes(Wat.ToBinary("""
            (module
              (memory (export "m") 1 2 shared)
              (func (export "put") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
              (func (export "grow") (result i32) (memory.grow (i32.const 1))))
            """));
        Assert.True(module.Info.Memories[0].Shared);
        using var store = new Store();
        var inst = new Linker().Instantiate(store, module);
        inst.GetAction<int, int>("put")(4, 77);
        var memory = inst.GetMemory("m")!;
        Assert.Equal(77, memory.Read<int>(4));
        Assert.Equal(1, inst.GetFunction<int>("grow")());
        Assert.Equal(new MemoryType(new Limits(2, 2), Shared: true), memory.Type); // still shared after growing
    }

    [Fact]
    public void AnImportMatchesOnlyAMemoryOfTheSameSharing()
    {
        var importsShared = Module.FromBytes(Wat.ToBinary("(module (import \"env\" \"m\" (memory 1 2 shared)))"));
        var importsPlain = Module.FromBytes(Wat.ToBinary("(module (import \"env\" \"m\" (memory 1 2)))"));
        using var store = new Store();
        var shared = new Memory(store, new MemoryType(new Limits(1, 2), Shared: true));
        var plain = new Memory(store, new MemoryType(new Limits(1, 2)));
        new Linker().Define("env", "m", shared).Instantiate(store, importsShared);
        new Linker().Define("env", "m", plain).Instantiate(store, importsPlain);
        Assert.Equal("incompatible import type", Assert.Throws<LinkException>(() => new Linker().Define("env", "m", plain).Instantiate(store, importsShared)).Reason);
        Assert.Equal("incompatible import type", Assert.Throws<LinkException>(() => new Linker().Define("env", "m", shared).Instantiate(store, importsPlain)).Reason);
    }

    [Fact]
    public void Wasm20DecodesTheSharedFlagAsMalformed()
    {
        var bytes = Wat.ToBinary("(module (memory 1 2 shared))");
        Assert.Equal(0x03, bytes[^3]); // the limits flag: maximum and shared
        var wasm2 = new Engine(new EngineConfig { Features = WasmFeatures.None });
        Assert.Contains("integer too large", Assert.Throws<MalformedModuleException>(() => Module.FromBytes(wasm2, bytes)).Message);
        var multiMemoryOnly = new Engine(new EngineConfig { Features = WasmFeatures.MultiMemory });
        Assert.Throws<MalformedModuleException>(() => Module.FromBytes(multiMemoryOnly, bytes));
        Assert.True(Module.FromBytes(bytes).Info.Memories[0].Shared);
        // A table's limits never have the flag.
        var table = Wat.ToBinary("(module (table 1 2 funcref))");
        Assert.Equal(0x01, table[^3]);
        table[^3] = 0x03;
        Assert.Contains("integer too large", Assert.Throws<MalformedModuleException>(() => Module.FromBytes(table)).Message);
    }

    [Fact]
    public void TheTextFormatPrintsTheFlag()
    {
        string text = Wat.ToText(Wat.ToBinary("(module (import \"a\" \"b\" (memory 1 3 shared)) (memory 0 1 shared) (memory 2))"));
        Assert.Contains("(memory (;0;) 1 3 shared)", text);
        Assert.Contains("(memory (;1;) 0 1 shared)", text);
        Assert.Contains("(memory (;2;) 2)", text);
    }
}
