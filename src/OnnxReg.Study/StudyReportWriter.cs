using System.Globalization;
using System.Text;
using System.Text.Json;
using OnnxReg.Data.IO;
using OnnxReg.Experiments;

namespace OnnxReg.Study;

/// <summary>Writes a study's <c>report.json</c> (every figure), <c>report.md</c> (tables for people) and plots.</summary>
public static class StudyReportWriter
{
    /// <summary>Writes the report files into <paramref name="folder"/> (atomically, each).</summary>
    public static void Write(StudyReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllBytes(Path.Combine(folder, "report.json"), JsonSerializer.SerializeToUtf8Bytes(report, StudyJson.Options));
        var plots = StudyPlots.Write(report, folder);
        var pathPlots = RegularizationPath.Of(report).ToDictionary(p => (p.Model, p.Parameter), p => RegularizationPathPlot.Write(p, folder, report.Definition.Seeds.Length));
        AtomicFile.WriteAllBytes(Path.Combine(folder, "report.md"), Encoding.UTF8.GetBytes(Markdown(report, plots, pathPlots)));
    }

    /// <summary>The Markdown report: per model, the main table, the comparison with the reference, robustness, plots; then findings.</summary>
    public static string Markdown(StudyReport report, IReadOnlyDictionary<string, IReadOnlyList<string>>? plots = null,
        IReadOnlyDictionary<(string Model, string Parameter), string>? pathPlots = null)
    {
        var paths = RegularizationPath.Of(report);
        var d = report.Definition;
        var md = new StringBuilder();
        md.AppendLine("# OnnxReg generalization study").AppendLine();
        md.AppendLine(Invariant($"Data: {report.DataDescription}; {report.TrainImages:N0} training, {report.ValidationImages:N0} validation and {report.TestImages:N0} test images; seeds {string.Join(", ", d.Seeds)}; {report.Runs.Count} runs; wall time {report.WallSeconds / 60:0.0} min."));
        md.AppendLine();
        if (report.PlannedRuns > report.Runs.Count)
            md.AppendLine(Invariant($"**Partial report: {report.Runs.Count} of {report.PlannedRuns} runs have finished**; figures cover those runs only (means over fewer seeds where some are missing).")).AppendLine();
        md.AppendLine("Every figure was measured with ONNX Runtime on the exported `.onnx` files (mean ± standard deviation over seeds). " +
            $"Differences from `{d.Techniques[0].Name}` count only when larger than the combined seed spread √(sd₁² + sd₂²); smaller ones are marked ≈ (within the spread). " +
            "Accuracy gap = train − test accuracy; loss gap = test − train loss; ECE = expected calibration error (15 bins); pp = percentage points.");
        if (d.Seeds.Length < 2)
            md.AppendLine().AppendLine("With a single seed there is no spread to judge by: every difference below is marked ≈ and none is claimed.");
        md.AppendLine();
        foreach (var model in d.Models)
        {
            var rows = report.Summaries.Where(s => s.Model == model.Name).ToList();
            if (rows.Count == 0) continue;
            md.AppendLine(Invariant($"## {model.Name} ({rows[0].Parameters:N0} parameters, up to {model.Configuration.Training.Epochs} epochs)")).AppendLine();
            md.AppendLine("| technique | train acc | test acc | acc gap | train loss | test loss | loss gap | ECE | epochs | \\|w\\| < 1e-6 | ‖w‖ |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var s in rows)
                md.AppendLine($"| {s.Technique} | {Percent(s.TrainAccuracy)} | {Percent(s.TestAccuracy)} | {Points(s.AccuracyGap)} | {Number(s.TrainLoss)} | {Number(s.TestLoss)} | {Number(s.LossGap)} | {Number(s.CalibrationError)} | {Number(s.Epochs, "0.0")} | {Percent(s.NearZeroWeights)} | {Number(s.WeightNorm, "0.0")} |");
            md.AppendLine();
            var compared = rows.Where(r => r.VersusReference is not null).ToList();
            if (compared.Count > 0)
            {
                md.AppendLine($"Compared with `{compared[0].VersusReference!.Reference}`:").AppendLine();
                md.AppendLine("| technique | Δ test acc | Δ test loss | Δ acc gap | Δ loss gap | Δ ECE |");
                md.AppendLine("| --- | --- | --- | --- | --- | --- |");
                foreach (var s in compared)
                {
                    var c = s.VersusReference!;
                    md.AppendLine($"| {s.Technique} | {Delta(c.TestAccuracy, 100, "pp")} | {Delta(c.TestLoss)} | {Delta(c.AccuracyGap, 100, "pp")} | {Delta(c.LossGap)} | {Delta(c.CalibrationError)} |");
                }
                md.AppendLine();
            }
            var perturbations = rows[0].PerturbedAccuracy.Keys.ToList();
            md.AppendLine("Robustness: test accuracy on perturbed copies of the test set (rotation by 15°, scaling by 0.8, Gaussian noise σ = 0.2, a 10×10 black square):").AppendLine();
            md.AppendLine($"| technique | clean | {string.Join(" | ", perturbations)} |");
            md.AppendLine($"| --- | --- | {string.Join(" | ", perturbations.Select(_ => "---"))} |");
            foreach (var s in rows)
                md.AppendLine($"| {s.Technique} | {Percent(s.TestAccuracy)} | {string.Join(" | ", perturbations.Select(p => Percent(s.PerturbedAccuracy[p]) + (s.VersusReference?.PerturbedAccuracy[p] is { } diff ? $" ({Delta(diff, 100, "pp")})" : "")))} |");
            md.AppendLine();
            if (plots is not null && plots.TryGetValue(model.Name, out var files))
            {
                foreach (var file in files) md.AppendLine($"![{Path.GetFileNameWithoutExtension(file)}]({file})");
                md.AppendLine();
            }
            foreach (var path in paths.Where(p => p.Model == model.Name))
                PathSection(md, path, pathPlots?.GetValueOrDefault((path.Model, path.Parameter)));
        }
        md.AppendLine("## Findings").AppendLine();
        foreach (var line in Findings(report)) md.AppendLine($"- {line}");
        return md.ToString();
    }

    /// <summary>Plain statements of what the seeds support, per model: which techniques changed the gap, the test loss and the test accuracy beyond the spread.</summary>
    public static IReadOnlyList<string> Findings(StudyReport report)
    {
        var lines = new List<string>();
        foreach (var model in report.Definition.Models)
        {
            var rows = report.Summaries.Where(s => s.Model == model.Name && s.VersusReference is not null).ToList();
            if (rows.Count == 0) continue;
            var reference = report.Summaries.First(s => s.Model == model.Name);
            lines.Add($"{model.Name}: `{reference.Technique}` reaches {Percent(reference.TrainAccuracy)} train and {Percent(reference.TestAccuracy)} test accuracy (gap {Points(reference.AccuracyGap)}).");
            lines.Add($"{model.Name}: {Which(rows, c => c.AccuracyGap, narrower: true, "narrowed the accuracy gap", 100, "pp")}");
            lines.Add($"{model.Name}: {Which(rows, c => c.TestLoss, narrower: true, "lowered the test loss", 1, "")}");
            lines.Add($"{model.Name}: {Which(rows, c => c.TestAccuracy, narrower: false, "raised the test accuracy", 100, "pp")}");
            var lower = rows.Where(r => r.VersusReference!.TestAccuracy is { BeyondSpread: true, Delta: < 0 }).Select(r => $"`{r.Technique}` ({Delta(r.VersusReference!.TestAccuracy, 100, "pp")})").ToList();
            if (lower.Count > 0) lines.Add($"{model.Name}: lowered the test accuracy beyond the spread: {string.Join(", ", lower)}.");
        }
        foreach (var path in RegularizationPath.Of(report))
            lines.Add(PathFinding(path, report.Definition.Seeds.Length));
        return lines;
    }

    // The regularization path as a table: each strength's validation and test figures, the gap and the weights.
    private static void PathSection(StringBuilder md, RegularizationPath path, string? plot)
    {
        md.AppendLine($"### Regularization path: {path.Parameter} ({StudySweep.Parameters[path.Parameter]})").AppendLine();
        md.AppendLine("| strength | val acc | test acc | acc gap | val loss | test loss | ‖w‖ | \\|w\\| < 1e-6 |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        if (path.Reference is { } r)
            md.AppendLine($"| `{r.Technique}` | {Percent(r.ValidationAccuracy)} | {Percent(r.TestAccuracy)} | {Points(r.AccuracyGap)} | {Number(r.ValidationLoss)} | {Number(r.TestLoss)} | {Number(r.WeightNorm, "0.0")} | {Percent(r.NearZeroWeights)} |");
        foreach (var (strength, s) in path.Points)
            md.AppendLine($"| {StudySweep.Format(strength)} | {Percent(s.ValidationAccuracy)} | {Percent(s.TestAccuracy)} | {Points(s.AccuracyGap)} | {Number(s.ValidationLoss)} | {Number(s.TestLoss)} | {Number(s.WeightNorm, "0.0")} | {Percent(s.NearZeroWeights)} |");
        md.AppendLine();
        if (plot is not null) md.AppendLine($"![{Path.GetFileNameWithoutExtension(plot)}]({plot})").AppendLine();
    }

    // Chosen on validation, as a tuner would; the test figure at that strength is then compared with the reference.
    private static string PathFinding(RegularizationPath path, int seeds)
    {
        var best = path.Points.MaxBy(p => p.Summary.ValidationAccuracy.Mean)!;
        var text = $"{path.Model}, {path.Parameter} path: the best validation accuracy is at {StudySweep.Format(best.Strength)} ({Percent(best.Summary.ValidationAccuracy)}), where test accuracy is {Percent(best.Summary.TestAccuracy)}";
        if (path.Reference is not { } reference)
            return text + ".";
        var difference = Difference.Between(best.Summary.TestAccuracy, reference.TestAccuracy, seeds);
        return text + $" against {Percent(reference.TestAccuracy)} for `{reference.Technique}` ({Delta(difference, 100, "pp")}{(difference.BeyondSpread ? ", beyond the seed spread" : ", within the seed spread")}).";
    }

    private static string Which(List<TechniqueSummary> rows, Func<Comparison, Difference> pick, bool narrower, string what, double scale, string unit)
    {
        var better = rows.Where(r => pick(r.VersusReference!) is { BeyondSpread: true } d && (narrower ? d.Delta < 0 : d.Delta > 0))
            .Select(r => $"`{r.Technique}` ({Delta(pick(r.VersusReference!), scale, unit)})").ToList();
        return better.Count == 0
            ? $"no technique {what} beyond the seed spread."
            : $"{what} beyond the seed spread: {string.Join(", ", better)}; no other technique did.";
    }

    private static string Percent(Statistic s) => Invariant($"{s.Mean * 100:0.0} ± {s.Std * 100:0.0} %");

    private static string Points(Statistic s) => Invariant($"{s.Mean * 100:0.0} ± {s.Std * 100:0.0} pp");

    private static string Number(Statistic s, string format = "0.000") => s.Mean.ToString(format, CultureInfo.InvariantCulture) + " ± " + s.Std.ToString(format, CultureInfo.InvariantCulture);

    private static string Delta(Difference d, double scale = 1, string unit = "")
    {
        string value = (d.Delta * scale).ToString(scale == 1 ? "+0.000;−0.000;0.000" : "+0.0;−0.0;0.0", CultureInfo.InvariantCulture);
        return $"{(d.BeyondSpread ? "" : "≈ ")}{value}{(unit.Length > 0 ? " " + unit : "")}";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
