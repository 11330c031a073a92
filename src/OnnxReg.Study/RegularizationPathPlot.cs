using System.Globalization;
using ScottPlot;
using OnnxReg.Experiments;

namespace OnnxReg.Study;

/// <summary>
/// Draws a <see cref="RegularizationPath"/> with ScottPlot: four panels against strength — validation and test
/// accuracy, the train − test accuracy gap, validation and test loss, the weight norm — each point the mean over
/// seeds with ±1 sd error bars, and the reference technique as a dashed line. Strengths spanning a factor of ten or
/// more are spaced by their logarithm and labelled with their values.
/// </summary>
public static class RegularizationPathPlot
{
    /// <summary>Writes <c>path-MODEL-PARAMETER.png</c> into <paramref name="folder"/> and returns its name.</summary>
    public static string Write(RegularizationPath path, string folder, int seeds)
    {
        ArgumentNullException.ThrowIfNull(path);
        double[] x = path.Points.Select(p => path.Logarithmic ? Math.Log10(p.Strength) : p.Strength).ToArray();
        string[] labels = path.Points.Select(p => StudySweep.Format(p.Strength)).ToArray();
        var panels = new (string Title, string Unit, (string Label, Func<TechniqueSummary, Statistic> Pick, Color Color)[] Series, double Scale)[]
        {
            ("accuracy", "%", [("validation", s => s.ValidationAccuracy, Colors.SteelBlue), ("test", s => s.TestAccuracy, Colors.DarkOrange)], 100),
            ("train − test accuracy gap", "pp", [("gap", s => s.AccuracyGap, Colors.Purple)], 100),
            ("loss", "", [("validation", s => s.ValidationLoss, Colors.SteelBlue), ("test", s => s.TestLoss, Colors.DarkOrange)], 1),
            ("weight norm ‖w‖", "", [("‖w‖", s => s.WeightNorm, Colors.SeaGreen)], 1),
        };
        var multiplot = new Multiplot();
        while (multiplot.Subplots.Count > 0) multiplot.Subplots.RemoveAt(0); // a new Multiplot starts with one empty plot
        foreach (var (title, unit, series, scale) in panels)
        {
            var plot = new Plot();
            plot.Title($"{path.Model}: {title}", size: 12);
            plot.XLabel($"{path.Parameter}{(path.Logarithmic ? " (log scale)" : "")}", size: 11);
            if (unit.Length > 0) plot.YLabel(unit, size: 11);
            foreach (var (label, pick, color) in series)
            {
                double[] mean = path.Points.Select(p => pick(p.Summary).Mean * scale).ToArray();
                double[] error = path.Points.Select(p => pick(p.Summary).Std * scale).ToArray();
                var line = plot.Add.Scatter(x, mean);
                line.LegendText = label;
                line.Color = color;
                if (seeds > 1)
                {
                    var bars = plot.Add.ErrorBar(x, mean, error);
                    bars.LineColor = color;
                }
                if (path.Reference is { } reference)
                {
                    var baseline = plot.Add.HorizontalLine(pick(reference).Mean * scale);
                    baseline.LineColor = color.WithAlpha(0.6);
                    baseline.LinePattern = LinePattern.Dashed;
                    baseline.LegendText = $"{label}, {reference.Technique}";
                }
            }
            plot.Axes.Bottom.SetTicks(x, labels);
            plot.ShowLegend(Edge.Bottom);
            plot.Legend.Orientation = Orientation.Horizontal;
            multiplot.Subplots.Add(plot);
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(1, panels.Length);
        var name = string.Create(CultureInfo.InvariantCulture, $"path-{path.Model}-{path.Parameter}.png");
        StudyPlots.Save(multiplot, Path.Combine(folder, name), 1600, 400);
        return name;
    }
}
