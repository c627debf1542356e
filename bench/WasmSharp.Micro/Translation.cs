using BenchmarkDotNet.Attributes;

namespace WasmSharp.Micro;

/// <summary>
/// Translation speed: Module.FromBytes (decode + validate + translate to register code) on real modules; the
/// "Code MB/s" column divides the size of the code section by the mean time. Modules that are not there yet
/// (run bench/install-deps.sh and bench/build-programs.sh) are skipped.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TranslationConfig))]
public class Translation
{
    private byte[] _bytes = null!;

    public static IEnumerable<string> Modules =>
        Inputs.TranslationModules.Where(m => File.Exists(m.Value)).Select(m => m.Key);

    [ParamsSource(nameof(Modules))]
    public string Module { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _bytes = File.ReadAllBytes(Inputs.TranslationModules[Module]);

    [Benchmark]
    public Module Translate() => WasmSharp.Module.FromBytes(_bytes);

    private sealed class TranslationConfig : BenchmarkDotNet.Configs.ManualConfig
    {
        public TranslationConfig() => AddColumn(new CodeThroughputColumn());
    }
}
