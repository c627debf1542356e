using ScottPlot;

namespace WasmSharp.Bench;

/// <summary>
/// The PNG chart: net execution time relative to Wasmtime (same build), one bar group per program, a bar per
/// engine and build (O0 bars paler, O2-simd bars darker), on a logarithmic axis so that 1/4x and 4x look alike.
/// </summary>
internal static class RatioChart
{
    public static bool Write(BenchResults results, string path)
    {
        var s = new Summary(results, results.Metric);
        var available = results.Engines.Where(e => e.Unavailable is null).Select(e => e.Name).ToHashSet();
        var series = new List<(string Engine, string Opt)>();
        foreach (var e in results.Engines.Select(e => e.Name).Where(e => e != MarkdownReport.Baseline && available.Contains(e)))
        {
            if (e == MarkdownReport.Native) series.Add((e, ExecutionBenchmark.NativeOpt));
            else series.AddRange(results.OptLevels.Select(o => (e, o)));
        }
        if (series.Count == 0 || !available.Contains(MarkdownReport.Baseline)) return false;

        var programs = results.Programs.Select(p => p.Name).ToList();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        double groupWidth = series.Count + 1.5;
        double lo = 0, hi = 0;
        for (int p = 0; p < programs.Count; p++)
        {
            for (int k = 0; k < series.Count; k++)
            {
                var (engine, opt) = series[k];
                // Native is compared with Wasmtime running the -O2 build.
                string baseOpt = engine == MarkdownReport.Native ? "O2" : opt;
                double ratio = s.Ratio(programs[p], engine, opt, MarkdownReport.Baseline, baseOpt);
                if (double.IsNaN(ratio) || ratio <= 0) continue;
                double value = Math.Log10(ratio);
                lo = Math.Min(lo, value);
                hi = Math.Max(hi, value);
                bars.Add(new Bar
                {
                    Position = p * groupWidth + k,
                    Value = value,
                    ValueBase = 0,
                    FillColor = SeriesColor(palette, series, k),
                    Size = 0.9,
                });
            }
        }
        plot.Add.Bars(bars);
        var one = plot.Add.HorizontalLine(0);
        one.LineColor = Colors.Black;
        one.LineWidth = 1;

        plot.Axes.Bottom.SetTicks(
            programs.Select((_, p) => p * groupWidth + (series.Count - 1) / 2.0).ToArray(), programs.ToArray());
        var ticks = new List<double>();
        for (double d = Math.Pow(10, Math.Floor(lo)); d <= Math.Pow(10, Math.Ceiling(hi)) * 1.0001; d *= 10)
            foreach (var m in new[] { 1.0, 2.0, 5.0 })
                if (Math.Log10(d * m) >= lo - 0.3 && Math.Log10(d * m) <= hi + 0.3) ticks.Add(d * m);
        plot.Axes.Left.SetTicks(ticks.Select(Math.Log10).ToArray(), ticks.Select(t => t.ToString("0.##") + "x").ToArray());
        plot.Axes.SetLimitsY(lo - 0.2, hi + 0.6); // headroom for the legend
        plot.Title($"Time relative to Wasmtime (same build), log scale, lower is faster — {results.Mode} run");
        plot.YLabel($"net execution time ({results.Metric}) / Wasmtime's");
        plot.Legend.ManualItems.AddRange(series.Select((x, k) => new LegendItem
        {
            LabelText = x.Engine == MarkdownReport.Native ? "native gcc -O2 (vs wasmtime O2)" : $"{x.Engine} {x.Opt}",
            FillColor = SeriesColor(palette, series, k),
        }));
        plot.ShowLegend(Alignment.UpperCenter, Orientation.Horizontal);
        plot.SavePng(path, Math.Max(1200, programs.Count * (int)(groupWidth * 14)), 700);
        return true;
    }

    private static Color SeriesColor(IPalette palette, List<(string Engine, string Opt)> series, int k)
    {
        var engines = series.Select(x => x.Engine).Distinct().ToList();
        var color = palette.GetColor(engines.IndexOf(series[k].Engine));
        // One hue per engine; its builds told apart by shade: O0 paler, O2-simd darker.
        return series[k].Opt switch
        {
            "O0" => color.WithAlpha(0.45),
            "O2-simd" => color.Darken(0.4),
            _ => color,
        };
    }
}
