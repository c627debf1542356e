using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace WasmSharp.Micro;

/// <summary>Code-section megabytes translated per second, from the mean time of a <see cref="Translation"/> case.</summary>
internal sealed class CodeThroughputColumn : IColumn
{
    public string Id => nameof(CodeThroughputColumn);
    public string ColumnName => "Code MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Megabytes (10^6) of code section translated per second";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Parameters["Module"] is not string module || !Inputs.TranslationModules.TryGetValue(module, out var path))
            return "-";
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is not > 0 || !File.Exists(path)) return "-";
        long code = Inputs.CodeSectionBytes(File.ReadAllBytes(path));
        return (code / 1e6 / (meanNs.Value / 1e9)).ToString("F1", CultureInfo.InvariantCulture);
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
