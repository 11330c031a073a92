using System.Text.Json.Nodes;
using ScottPlot;
using OnnxReg.Data.IO;

namespace OnnxReg.Tuning;

/// <summary>
/// The tuning plots, drawn with ScottPlot: the objective of every search trial against the time it finished (one
/// colour per rung, so halving's promotions show), and per dimension the objective against the dimension's value
/// (a log axis for log ranges), the chosen value marked.
/// </summary>
public static class TuningPlots
{
    /// <summary>Writes the PNGs into <paramref name="folder"/>; returns their file names.</summary>
    public static IReadOnlyList<string> Write(TuningReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        var names = new List<string> { TrialsOverTime(report, folder) };
        foreach (var dimension in report.Definition.Space)
            names.Add(DimensionPath(report, dimension, folder));
        return names;
    }

    private static string TrialsOverTime(TuningReport report, string folder)
    {
        var objective = report.Definition.Objective;
        var all = report.Search.Concat(report.Finalists).Concat(report.Baseline).ToList();
        var start = all.Min(t => t.FinishedUtc - TimeSpan.FromSeconds(t.Seconds));
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var group in report.Search.GroupBy(t => t.Rung).OrderBy(g => g.Key))
        {
            var points = group.OrderBy(t => t.FinishedUtc).ToList();
            var scatter = plot.Add.ScatterPoints(points.Select(t => (t.FinishedUtc - start).TotalMinutes).ToArray(), points.Select(t => Value(t, objective)).ToArray());
            scatter.Color = palette.GetColor(group.Key);
            scatter.LegendText = $"rung {group.Key + 1} ({points[0].Epochs} epochs)";
        }
        foreach (var (stage, color) in new[] { (report.Finalists, Colors.Black), (report.Baseline, Colors.Gray) })
        {
            if (stage.Count == 0) continue;
            var scatter = plot.Add.ScatterPoints(stage.Select(t => (t.FinishedUtc - start).TotalMinutes).ToArray(), stage.Select(t => Value(t, objective)).ToArray());
            scatter.Color = color;
            scatter.MarkerShape = MarkerShape.OpenCircle;
            scatter.LegendText = ReferenceEquals(stage, report.Finalists) ? "finalists (all seeds)" : "baseline (all seeds)";
        }
        plot.Title("trials over time", size: 14);
        plot.XLabel("minutes since the first trial started");
        plot.YLabel(Label(objective));
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        const string name = "trials-over-time.png";
        AtomicFile.WriteAllBytes(Path.Combine(folder, name), plot.GetImageBytes(900, 480, ImageFormat.Png));
        return name;
    }

    private static string DimensionPath(TuningReport report, SearchDimension dimension, string folder)
    {
        var objective = report.Definition.Objective;
        var plot = new Plot();
        bool log = dimension.Kind == DimensionKind.Log;
        var choices = dimension.Choices?.ToList();
        // Integer ranges hold Int64 values, which JsonNode does not convert to double itself.
        static double Number(JsonNode value) => value is JsonValue v && v.TryGetValue(out long whole) ? whole : value.GetValue<double>();
        double X(JsonNode value) => choices is not null ? choices.IndexOf(value.ToJsonString().Trim('"')) : log ? Math.Log10(Number(value)) : Number(value);
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var group in report.Search.Where(t => t.Values.ContainsKey(dimension.Name)).GroupBy(t => t.Rung).OrderBy(g => g.Key))
        {
            var scatter = plot.Add.ScatterPoints(group.Select(t => X(t.Values[dimension.Name])).ToArray(), group.Select(t => Value(t, objective)).ToArray());
            scatter.Color = palette.GetColor(group.Key);
            scatter.LegendText = $"rung {group.Key + 1} ({group.First().Epochs} epochs)";
        }
        if (report.Chosen.Values.TryGetValue(dimension.Name, out var chosen))
        {
            var line = plot.Add.VerticalLine(X(chosen));
            line.LinePattern = LinePattern.Dashed;
            line.LineColor = Colors.Black;
            line.LegendText = "chosen";
        }
        if (choices is not null)
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, choices.Count).Select(i => (double)i).ToArray(), [.. choices]);
        else if (log)
        {
            var decades = Enumerable.Range((int)Math.Floor(Math.Log10(dimension.Min)), (int)Math.Ceiling(Math.Log10(dimension.Max)) - (int)Math.Floor(Math.Log10(dimension.Min)) + 1).ToArray();
            plot.Axes.Bottom.SetTicks(decades.Select(e => (double)e).ToArray(), decades.Select(e => $"1e{e}").ToArray());
        }
        plot.Title($"{dimension.Name}: {Label(objective)} of each trial", size: 14);
        plot.XLabel(dimension.Name + (log ? " (log scale)" : ""));
        plot.YLabel(Label(objective));
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        var name = $"path-{string.Concat(dimension.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' ? c : '_'))}.png";
        AtomicFile.WriteAllBytes(Path.Combine(folder, name), plot.GetImageBytes(640, 420, ImageFormat.Png));
        return name;
    }

    private static double Value(TrialResult trial, TuningObjective objective) =>
        objective == TuningObjective.ValAccuracy ? trial.ValidationAccuracy * 100 : trial.ValidationLoss;

    private static string Label(TuningObjective objective) => objective == TuningObjective.ValAccuracy ? "validation accuracy (%)" : "validation loss";
}
