using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxReg.Data.IO;
using OnnxReg.Experiments;

namespace OnnxReg.Tuning;

/// <summary>Writes a tuning run's <c>report.json</c> (every figure), <c>report.md</c> and plots.</summary>
public static class TuningReportWriter
{
    /// <summary>Writes the report files into <paramref name="folder"/> (atomically, each).</summary>
    public static void Write(TuningReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllBytes(Path.Combine(folder, "report.json"), JsonSerializer.SerializeToUtf8Bytes(report, StudyJson.Options));
        var plots = TuningPlots.Write(report, folder);
        AtomicFile.WriteAllBytes(Path.Combine(folder, "report.md"), Encoding.UTF8.GetBytes(Markdown(report, plots)));
    }

    /// <summary>The Markdown report.</summary>
    public static string Markdown(TuningReport report, IReadOnlyList<string>? plots = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var d = report.Definition;
        var md = new StringBuilder();
        md.AppendLine("# OnnxReg tuning").AppendLine();
        md.AppendLine(Invariant($"Data: {report.DataDescription}; {report.TrainImages:N0} training and {report.ValidationImages:N0} validation images for the search, {report.TestImages:N0} test images measured once at the end. Wall time {report.WallSeconds / 60:0.0} min."));
        md.AppendLine();
        md.AppendLine(Invariant($"Space: {string.Join(", ", d.Space.Select(s => $"`{s}`"))}; strategy {Strategy(d)}; objective {Objective(d.Objective)} of the exported file (ONNX Runtime); {report.Search.Count} search trials, {d.Finalists} finalists × {d.Seeds.Length} seeds, baseline × {d.Seeds.Length} seeds."));
        md.AppendLine();
        md.AppendLine("## Result").AppendLine();
        // One layout for both outcomes; when the baseline is kept, no tuned model is presented or measured as the choice.
        bool keep = report.BaselineChosen;
        if (keep)
        {
            var bestTuned = report.FinalistSummaries.MaxBy(f => f.Score(d.Objective))!;
            md.AppendLine($"**Keep the baseline.** No tuned configuration beat the untuned baseline on validation: the baseline had validation accuracy {Percent(report.BaselineSummary.ValidationAccuracy)}, loss {Number(report.BaselineSummary.ValidationLoss)}; the best finalist ({Values(bestTuned.Values)}) had {Percent(bestTuned.ValidationAccuracy)}, loss {Number(bestTuned.ValidationLoss)} (seeds {string.Join(", ", d.Seeds)}).");
        }
        else
            md.AppendLine($"Chosen on validation alone: **{Values(report.Chosen.Values)}** (validation accuracy {Percent(report.Chosen.ValidationAccuracy)}, loss {Number(report.Chosen.ValidationLoss)} over seeds {string.Join(", ", d.Seeds)}; the untuned baseline had {Percent(report.BaselineSummary.ValidationAccuracy)}, loss {Number(report.BaselineSummary.ValidationLoss)}).");
        md.AppendLine();
        md.AppendLine(keep ? "Then measured once on the test split, on the exported files:"
            : "Then measured once on the test split, on the exported files, beside the untuned baseline (same seeds, same epochs):").AppendLine();
        md.AppendLine("| configuration | test accuracy | test loss |");
        md.AppendLine("| --- | --- | --- |");
        md.AppendLine($"| baseline ({Values(new Dictionary<string, JsonNode>())}{(keep ? ", chosen" : "")}) | {Percent(report.BaselineTestAccuracy)} | {Number(report.BaselineTestLoss)} |");
        if (!keep)
        {
            md.AppendLine($"| tuned ({Values(report.Chosen.Values)}) | {Percent(report.ChosenTestAccuracy)} | {Number(report.ChosenTestLoss)} |");
            md.AppendLine($"| difference | {Delta(report.AccuracyDifference, 100, "pp")} | {Delta(report.LossDifference)} |");
        }
        md.AppendLine();
        md.AppendLine(Verdict(report)).AppendLine();
        md.AppendLine(keep
            ? Invariant($"`best.onnx` is the baseline trained with seed {d.Seeds[0]} (verified against TorchSharp: max |Δlogit| {report.ChosenExportDifference:0.00e+00} on the validation split); `best.config.json` is the baseline's configuration: `onnxreg train --config best.config.json`. Widen or move the search space to look further.")
            : Invariant($"`best.onnx` is the chosen configuration trained with seed {d.Seeds[0]} (verified against TorchSharp: max |Δlogit| {report.ChosenExportDifference:0.00e+00} on the validation split); `best.config.json` trains it again: `onnxreg train --config best.config.json` (on train's own split of the data)."));
        md.AppendLine();
        md.AppendLine("## Finalists").AppendLine();
        md.AppendLine("The untuned baseline is measured as the finalists are (same seeds, same epochs, validation split) and is kept unless a finalist beats it.").AppendLine();
        md.AppendLine("| candidate | values | val accuracy | val loss |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var f in report.FinalistSummaries.Prepend(report.BaselineSummary))
            md.AppendLine($"| {(f.IsBaseline ? "baseline" : f.Candidate.ToString(CultureInfo.InvariantCulture))}{(f.Candidate == report.Chosen.Candidate ? " (chosen)" : "")} | {Values(f.Values)} | {Percent(f.ValidationAccuracy)} | {Number(f.ValidationLoss)} |");
        md.AppendLine();
        md.AppendLine("## Search trials").AppendLine();
        md.AppendLine("| rung | epochs | candidate | values | val accuracy | val loss | seconds |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var t in report.Search.OrderBy(t => t.Rung).ThenByDescending(t => t.Score(d.Objective)))
            md.AppendLine(Invariant($"| {t.Rung + 1} | {t.Epochs} | {t.Candidate} | {Values(t.Values)} | {t.ValidationAccuracy * 100:0.0} % | {t.ValidationLoss:0.000} | {t.Seconds:0.0} |"));
        md.AppendLine();
        foreach (var plot in plots ?? [])
            md.AppendLine($"![{Path.GetFileNameWithoutExtension(plot)}]({plot})");
        return md.ToString();
    }

    /// <summary>What the seeds support, in one sentence (the study's rule: a difference counts beyond the combined spread).</summary>
    public static string Verdict(TuningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.BaselineChosen)
            return "Keep the baseline: no tuned configuration beat it on validation, so none is recommended; best.onnx and best.config.json are the baseline's.";
        var accuracy = report.AccuracyDifference;
        var loss = report.LossDifference;
        string Judge(Difference difference, string better, string worse, double scale, string unit) =>
            !difference.BeyondSpread ? $"the test {(unit == "pp" ? "accuracy" : "loss")} difference ({Delta(difference, scale, unit)}) is within the seed spread"
            : difference.Delta > 0 ? $"{better} by {Delta(difference, scale, unit)}, beyond the seed spread" : $"{worse} by {Delta(difference, scale, unit)}, beyond the seed spread";
        return $"Against the baseline: {Judge(accuracy, "the tuned configuration raised the test accuracy", "the tuned configuration lowered the test accuracy", 100, "pp")}; " +
               $"{Judge(loss, "it raised the test loss", "it lowered the test loss", 1, "")}.";
    }

    private static string Strategy(TuningDefinition d) => d.Strategy switch
    {
        SearchStrategy.Halving => Invariant($"successive halving (η = {d.Eta}, {d.Rungs} rungs of {string.Join("/", Enumerable.Range(0, d.Rungs).Select(d.RungEpochs))} epochs, {d.Trials} configurations, search seed {d.SearchSeed})"),
        SearchStrategy.Random => Invariant($"random ({d.Trials} configurations, search seed {d.SearchSeed}, {d.Base.Training.Epochs} epochs)"),
        _ => Invariant($"grid ({d.GridPoints} points per range, {d.Base.Training.Epochs} epochs)"),
    };

    private static string Objective(TuningObjective objective) => objective == TuningObjective.ValAccuracy ? "validation accuracy" : "validation loss";

    /// <summary>Dimension values as <c>l2 = 0.0001, dropout = 0.3</c> (or "untuned" for none).</summary>
    public static string Values(IReadOnlyDictionary<string, JsonNode> values) =>
        values.Count == 0 ? "untuned" : string.Join(", ", values.Select(v => $"{v.Key} = {Show(v.Value)}"));

    // Numbers in their shortest form with a lower-case exponent (7.231e-06), strings without quotes.
    private static string Show(JsonNode value) =>
        value is JsonValue number && number.TryGetValue(out double x) ? OnnxReg.Training.Techniques.RegularizationTechnique.Format(x) : value.ToJsonString().Trim('"');

    private static string Percent(Statistic s) => Invariant($"{s.Mean * 100:0.0} ± {s.Std * 100:0.0} %");

    private static string Number(Statistic s) => Invariant($"{s.Mean:0.000} ± {s.Std:0.000}");

    private static string Delta(Difference d, double scale = 1, string unit = "")
    {
        string value = (d.Delta * scale).ToString(scale == 1 ? "+0.000;−0.000;0.000" : "+0.0;−0.0;0.0", CultureInfo.InvariantCulture);
        return $"{(d.BeyondSpread ? "" : "≈ ")}{value}{(unit.Length > 0 ? " " + unit : "")}";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
