using ScottPlot;
using SkiaSharp;

namespace OnnxReg.Study;

/// <summary>
/// The study's plots, drawn with ScottPlot: per model, learning curves (train and validation loss per epoch, one
/// panel per technique, mean over seeds with a ±1 sd band), train/test accuracy per technique with ±1 sd error bars
/// on an axis from zero, and accuracy under each perturbation.
/// </summary>
public static class StudyPlots
{
    /// <summary>Writes the PNGs into <paramref name="folder"/>; returns the file names per model.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Write(StudyReport report, string folder)
    {
        var files = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var model in report.Definition.Models)
        {
            var rows = report.Summaries.Where(s => s.Model == model.Name).ToList();
            if (rows.Count == 0) continue;
            var names = new List<string>
            {
                LearningCurves(report, model.Name, folder),
                AccuracyBars(rows, model.Name, folder, report.Definition.Seeds.Length),
                RobustnessBars(rows, model.Name, folder),
            };
            files[model.Name] = names;
        }
        return files;
    }

    private static string LearningCurves(StudyReport report, string model, string folder)
    {
        var techniques = report.Definition.Techniques.Select(t => t.Name).ToList();
        var multiplot = new Multiplot();
        int columns = Math.Min(4, techniques.Count), rows = (techniques.Count + columns - 1) / columns;
        double maxLoss = 0;
        var panels = new List<Plot>();
        foreach (var technique in techniques)
        {
            var runs = report.Runs.Where(r => r.Model == model && r.Technique == technique).ToList();
            var plot = new Plot();
            int epochs = runs.Count == 0 ? 0 : runs.Max(r => r.Curve.Count);
            double[] x = Enumerable.Range(1, epochs).Select(e => (double)e).ToArray();
            // Early stopping ends seeds at different epochs: each point is the mean over the seeds still running, and
            // the title says from which epoch fewer remain, so a late jump is not mistaken for the technique's effect.
            int[] remaining = x.Select(e => runs.Count(r => r.Curve.Any(p => p.Epoch == (int)e))).ToArray();
            int? fewerFrom = Enumerable.Range(0, epochs).Where(i => remaining[i] < runs.Count).Select(i => (int?)(i + 1)).FirstOrDefault();
            string seeds = runs.Count > 1 ? $"mean ± sd of {runs.Count} seeds" : "one seed";
            plot.Title($"{model}: {technique}\n{seeds}" + (fewerFrom is int f ? $", fewer from epoch {f}" : ""), size: 12);
            plot.XLabel("epoch", size: 11);
            plot.YLabel("loss", size: 11);
            (double[] Mean, double[] Low, double[] High) Band(Func<CurvePoint, double?> pick)
            {
                var values = x.Select(e => runs.Select(r => r.Curve.FirstOrDefault(p => p.Epoch == (int)e)).Where(p => p is not null)
                    .Select(p => pick(p!)).Where(v => v is not null).Select(v => v!.Value).ToArray()).ToArray();
                var stats = values.Select(v => v.Length == 0 ? (double.NaN, 0.0) : (v.Average(), v.Length > 1 ? Math.Sqrt(v.Sum(a => (a - v.Average()) * (a - v.Average())) / (v.Length - 1)) : 0.0)).ToArray();
                return (stats.Select(t => t.Item1).ToArray(), stats.Select(t => t.Item1 - t.Item2).ToArray(), stats.Select(t => t.Item1 + t.Item2).ToArray());
            }
            foreach (var (label, pick, color) in new (string, Func<CurvePoint, double?>, Color)[]
                     { ("train", p => p.TrainLoss, Colors.Blue), ("validation", p => p.ValidationLoss, Colors.OrangeRed) })
            {
                var (mean, low, high) = Band(pick);
                if (runs.Count > 1 && epochs > 0)
                {
                    var spread = plot.Add.FillY(x, low, high);
                    spread.FillColor = color.WithAlpha(0.18);
                    spread.LineWidth = 0;
                }
                var line = plot.Add.Scatter(x, mean);
                line.LegendText = label;
                line.Color = color;
                maxLoss = Math.Max(maxLoss, high.Concat(mean).Where(double.IsFinite).DefaultIfEmpty(1).Max());
            }
            plot.ShowLegend(Edge.Bottom); // below the axes: inside them it always covers some curve
            plot.Legend.Orientation = Orientation.Horizontal;
            panels.Add(plot);
        }
        while (multiplot.Subplots.Count > 0) multiplot.Subplots.RemoveAt(0); // a new Multiplot starts with one empty plot
        foreach (var plot in panels)
        {
            plot.Axes.SetLimitsY(0, maxLoss * 1.05);
            multiplot.Subplots.Add(plot);
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        var name = $"learning-curves-{model}.png";
        Save(multiplot, Path.Combine(folder, name), 400 * columns, 340 * rows);
        return name;
    }

    private static string AccuracyBars(List<TechniqueSummary> rows, string model, string folder, int seeds)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        for (int i = 0; i < rows.Count; i++)
        {
            bars.Add(new Bar { Position = i * 3, Value = rows[i].TrainAccuracy.Mean * 100, Error = rows[i].TrainAccuracy.Std * 100, FillColor = Colors.SteelBlue });
            bars.Add(new Bar { Position = i * 3 + 1, Value = rows[i].TestAccuracy.Mean * 100, Error = rows[i].TestAccuracy.Std * 100, FillColor = Colors.DarkOrange });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(rows.Select((_, i) => i * 3 + 0.5).ToArray(), rows.Select(r => r.Technique).ToArray());
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "train", FillColor = Colors.SteelBlue });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "test", FillColor = Colors.DarkOrange });
        // Bars start at zero (a cut axis turns a one-point difference into a tall one); the band above 100 % holds the
        // legend, so it never covers a bar.
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Axes.SetLimitsY(0, 118);
        plot.Title($"{model}: train and test accuracy, {(seeds > 1 ? $"mean ± sd over {seeds} seeds" : "one seed (no spread)")}", size: 14);
        plot.YLabel("accuracy (%)");
        var name = $"accuracy-{model}.png";
        SavePng(plot, Path.Combine(folder, name), Math.Max(640, 140 * rows.Count + 160), 420);
        return name;
    }

    private static string RobustnessBars(List<TechniqueSummary> rows, string model, string folder)
    {
        var conditions = new[] { "clean" }.Concat(rows[0].PerturbedAccuracy.Keys).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new Plot();
        var bars = new List<Bar>();
        int group = conditions.Count + 1;
        for (int i = 0; i < rows.Count; i++)
            for (int c = 0; c < conditions.Count; c++)
            {
                var s = c == 0 ? rows[i].TestAccuracy : rows[i].PerturbedAccuracy[conditions[c]];
                bars.Add(new Bar { Position = i * group + c, Value = s.Mean * 100, Error = s.Std * 100, FillColor = palette.GetColor(c) });
            }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(rows.Select((_, i) => i * group + (conditions.Count - 1) / 2.0).ToArray(), rows.Select(r => r.Technique).ToArray());
        for (int c = 0; c < conditions.Count; c++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = conditions[c], FillColor = palette.GetColor(c) });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Axes.SetLimitsY(0, 118);
        plot.Title($"{model}: test accuracy under perturbations", size: 14);
        plot.YLabel("accuracy (%)");
        var name = $"robustness-{model}.png";
        SavePng(plot, Path.Combine(folder, name), Math.Max(640, 180 * rows.Count + 200), 440);
        return name;
    }

    private static void SavePng(Plot plot, string path, int width, int height) =>
        Data.IO.AtomicFile.WriteAllBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));

    // Multiplot has no file helper: render it onto a Skia surface and encode the PNG ourselves.
    internal static void Save(Multiplot multiplot, string path, int width, int height)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        surface.Canvas.Clear(SKColors.White);
        multiplot.Render(surface.Canvas, new PixelRect(0, width, height, 0));
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        Data.IO.AtomicFile.WriteAllBytes(path, data.ToArray());
    }
}
