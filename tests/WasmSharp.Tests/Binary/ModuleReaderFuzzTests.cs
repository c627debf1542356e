using WasmSharp.Binary;
using WasmSharp.Text;
using static WasmSharp.Tests.Binary.WasmBuilder;

namespace WasmSharp.Tests.Binary;

/// <summary>Mutated modules: decoding, validation and translation (<see cref="Module.FromBytes(byte[])"/>) may
/// only ever throw <see cref="MalformedModuleException"/> or <see cref="InvalidModuleException"/>, never crash or hang.</summary>
public class ModuleReaderFuzzTests
{
    /// <summary>A module with every section, so that mutations reach every reader.</summary>
    private static byte[] Sample() => Module(
        Section(1, Vec(B(0x60, 1, 0x7F, 1, 0x7E), B(0x60, 0, 0))),
        Section(2, Vec(Cat(Name("env"), Name("f"), B(0, 0)), Cat(Name("env"), Name("t"), B(1, 0x70, 1, 1, 2)),
            Cat(Name("env"), Name("m"), B(2, 0, 1)), Cat(Name("env"), Name("g"), B(3, 0x7F, 0)))),
        Section(3, Vec(B(1), B(0))),
        Section(4, Vec(B(0x70, 0, 4))),
        Section(5, Vec(B(1, 1, 2))),
        Section(6, Vec(B(0x7F, 1, 0x41, 0x2A, 0x0B), B(0x7B, 0, 0xFD, 0x0C, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x0B))),
        Section(7, Vec(Cat(Name("f"), B(0, 1)), Cat(Name("g"), B(3, 1)))),
        Section(8, B(2)),
        Section(9, Vec(B(0, 0x41, 0, 0x0B, 2, 0, 1), B(5, 0x70, 1, 0xD2, 2, 0x0B), B(7, 0x70, 1, 0xD0, 0x70, 0x0B))),
        Section(12, B(2)),
        Section(10, Vec(B(4, 1, 2, 0x7F, 0x0B), B(7, 0, 0x20, 0, 0x41, 1, 0x6A, 0x0B))),
        Section(11, Vec(B(0, 0x41, 8, 0x0B, 3, 1, 2, 3), B(1, 2, 9, 9))),
        Section(0, Name("name"), Section(0, Name("sample")), Section(1, Vec(Cat(U32(1), Name("add"))))));

    [Fact]
    public void SampleReads()
    {
        var m = ModuleReader.Read(Sample());
        Assert.Equal(2, m.Codes.Count);
        Assert.Equal("sample", m.ModuleName);
        Assert.Equal("add", m.FunctionNames[1]);
    }

    [Fact]
    public void MutatedSampleNeverCrashes()
    {
        var sample = Sample();
        var rng = new Random(20240611);
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("WASMSHARP_FUZZ_ITERATIONS"), out var n) ? n : 100_000;
        for (int i = 0; i < iterations; i++) Check(Mutate(sample, rng));
        // Every truncation, too.
        for (int length = 0; length < sample.Length; length++) Check(sample[..length]);
    }

    [SpecTestsuiteFact]
    public void MutatedTestsuiteModulesNeverCrash()
    {
        var rng = new Random(7);
        foreach (var wast in SpecTestsuite.AllWastFiles())
        {
            var commands = SpecTestsuite.Commands(wast);
            if (commands is null) continue;
            // Binary modules and the text modules that compile (malformed quoted text has no binary to mutate).
            foreach (var c in commands)
            {
                byte[] bytes;
                try { bytes = c.Bytes(); }
                catch (MalformedTextException) { continue; }
                for (int i = 0; i < 20; i++) Check(Mutate(bytes, rng), c.ToString());
            }
        }
    }

    private static void Check(byte[] bytes, string? origin = null)
    {
        try
        {
            Module.FromBytes(bytes);
        }
        catch (MalformedModuleException) { }
        catch (InvalidModuleException) { }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} on {Convert.ToHexString(bytes)}{(origin is null ? "" : $" (from {origin})")}: {e}");
        }
    }

    private static readonly byte[] Interesting = [0x00, 0x01, 0x0B, 0x40, 0x60, 0x6F, 0x70, 0x7F, 0x80, 0xFF];

    private static byte[] Mutate(byte[] input, Random rng)
    {
        var bytes = new List<byte>(input);
        int edits = 1 + rng.Next(3);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = rng.Next(bytes.Count);
            switch (rng.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: bytes[at] = Interesting[rng.Next(Interesting.Length)]; break;
                case 2: bytes[at] = (byte)rng.Next(256); break;
                case 3: bytes.Insert(at, Interesting[rng.Next(Interesting.Length)]); break;
                case 4: bytes.RemoveAt(at); break;
                case 5: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return bytes.ToArray();
    }
}
