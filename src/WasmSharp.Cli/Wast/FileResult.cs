namespace WasmSharp.Cli.Wast;

/// <summary>A failure or message mismatch at a script line.</summary>
internal readonly record struct Finding(int Line, string Command, string Detail)
{
    public override string ToString() => $"line {Line}: {Command}: {Detail}";
}

/// <summary>What running one .wast file produced: counts, skip reasons, failures and message mismatches.</summary>
internal sealed class FileResult(string path)
{
    public string Path { get; } = path;
    public int Passed { get; private set; }
    public int Failed { get; private set; }
    public int Skipped { get; private set; }
    public List<Finding> Failures { get; } = new();
    /// <summary>Assertions that failed with the expected kind of error but another message (counted as passed).</summary>
    public List<Finding> MessageMismatches { get; } = new();
    public SortedDictionary<string, int> SkipReasons { get; } = new(StringComparer.Ordinal);
    /// <summary>Extra information shown under the file line (e.g. a store that failed to dispose).</summary>
    public List<string> Notes { get; } = new();
    public TimeSpan Elapsed { get; set; }

    public void Pass() => Passed++;

    public void Fail(int line, string command, string detail)
    {
        Failed++;
        Failures.Add(new Finding(line, command, detail));
    }

    public void Mismatch(int line, string command, string detail) => MessageMismatches.Add(new Finding(line, command, detail));

    public void Skip(string reason, int count = 1)
    {
        if (count <= 0) return;
        Skipped += count;
        SkipReasons[reason] = SkipReasons.GetValueOrDefault(reason) + count;
    }
}
