using ScottPlot;
using SkiaSharp;

namespace OnnxReg.Study;

/// <summary>
/// The study's plots, drawn with ScottPlot: per model, learning curves (train and validation loss per epoch, one
/// panel per technique, mean over seeds), train/test accuracy per technique with ±1 sd error bars, and accuracy
/// under each perturbation.
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
                AccuracyBars(rows, model.Name, folder),
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
            plot.Title(technique, size: 14);
            plot.XLabel("epoch", size: 11);
            plot.YLabel("loss", size: 11);
            int epochs = runs.Count == 0 ? 0 : runs.Max(r => r.Curve.Count);
            double[] x = Enumerable.Range(1, epochs).Select(e => (double)e).ToArray();
            double[] Mean(Func<CurvePoint, double?> pick) => x.Select(e => runs.Select(r => r.Curve.FirstOrDefault(p => p.Epoch == (int)e)).Where(p => p is not null)
                .Select(p => pick(p!)).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Average()).ToArray();
            var train = plot.Add.Scatter(x, Mean(p => p.TrainLoss));
            train.LegendText = "train";
            train.Color = Colors.Blue;
            var validation = plot.Add.Scatter(x, Mean(p => p.ValidationLoss));
            validation.LegendText = "validation";
            validation.Color = Colors.OrangeRed;
            maxLoss = Math.Max(maxLoss, Mean(p => p.ValidationLoss).Concat(Mean(p => p.TrainLoss)).Where(double.IsFinite).DefaultIfEmpty(1).Max());
            plot.ShowLegend(Alignment.UpperRight);
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
        Save(multiplot, Path.Combine(folder, name), 360 * columns, 300 * rows);
        return name;
    }

    private static string AccuracyBars(List<TechniqueSummary> rows, string model, string folder)
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
        plot.ShowLegend(Alignment.LowerRight);
        double low = rows.Min(r => Math.Min(r.TestAccuracy.Mean, r.TrainAccuracy.Mean)) * 100;
        plot.Axes.SetLimitsY(Math.Max(0, Math.Floor(low / 5) * 5 - 5), 101);
        plot.Title($"{model}: train and test accuracy (mean ± sd over seeds, ONNX Runtime)");
        plot.YLabel("accuracy (%)");
        var name = $"accuracy-{model}.png";
        SavePng(plot, Path.Combine(folder, name), 140 * rows.Count + 160, 420);
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
        plot.Axes.SetLimitsY(0, 105);
        plot.Title($"{model}: test accuracy under perturbations (ONNX Runtime)");
        plot.YLabel("accuracy (%)");
        var name = $"robustness-{model}.png";
        SavePng(plot, Path.Combine(folder, name), 180 * rows.Count + 200, 440);
        return name;
    }

    private static void SavePng(Plot plot, string path, int width, int height) =>
        Data.IO.AtomicFile.WriteAllBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));

    // Multiplot has no file helper: render it onto a Skia surface and encode the PNG ourselves.
    private static void Save(Multiplot multiplot, string path, int width, int height)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        surface.Canvas.Clear(SKColors.White);
        multiplot.Render(surface.Canvas, new PixelRect(0, width, height, 0));
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        Data.IO.AtomicFile.WriteAllBytes(path, data.ToArray());
    }
}
