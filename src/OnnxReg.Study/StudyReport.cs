using System.Text.Json.Serialization;
using OnnxReg.Data;
using OnnxReg.Experiments;

namespace OnnxReg.Study;

/// <summary>One model × technique over all seeds.</summary>
public sealed record TechniqueSummary(
    string Model,
    string Technique,
    int Seeds,
    [property: JsonPropertyName(MetricNames.Accuracy)] Statistic TrainAccuracy,
    [property: JsonPropertyName(MetricNames.TestAccuracy)] Statistic TestAccuracy,
    [property: JsonPropertyName(MetricNames.Loss)] Statistic TrainLoss,
    [property: JsonPropertyName(MetricNames.TestLoss)] Statistic TestLoss,
    Statistic AccuracyGap,
    Statistic LossGap,
    [property: JsonPropertyName(MetricNames.TestEce)] Statistic CalibrationError,
    Statistic Epochs,
    Statistic NearZeroWeights,
    Statistic WeightNorm,
    long Parameters,
    long FileBytes,
    IReadOnlyDictionary<string, Statistic> PerturbedAccuracy,
    Comparison? VersusReference,
    [property: JsonPropertyName(MetricNames.ValAccuracy)] Statistic ValidationAccuracy,
    [property: JsonPropertyName(MetricNames.ValLoss)] Statistic ValidationLoss);

/// <summary>How a technique differs from the reference technique (the first in the study) for the same model.</summary>
public sealed record Comparison(
    string Reference,
    [property: JsonPropertyName(MetricNames.TestAccuracy)] Difference TestAccuracy,
    [property: JsonPropertyName(MetricNames.TestLoss)] Difference TestLoss,
    Difference AccuracyGap,
    Difference LossGap,
    [property: JsonPropertyName(MetricNames.TestEce)] Difference CalibrationError,
    IReadOnlyDictionary<string, Difference> PerturbedAccuracy);

/// <summary>The study's results: every run, and per model × technique the mean ± spread over seeds.</summary>
public sealed record StudyReport(
    StudyDefinition Definition,
    string DataDescription,
    int TrainImages,
    int ValidationImages,
    int TestImages,
    double WallSeconds,
    IReadOnlyList<RunResult> Runs,
    IReadOnlyList<TechniqueSummary> Summaries)
{
    /// <summary>How many runs the study plans (model × technique × seed); more than <see cref="Runs"/> holds when the
    /// report was built before all had finished (<c>--report-only</c>).</summary>
    public int PlannedRuns { get; init; }

    /// <summary>Aggregates <paramref name="runs"/> per model × technique and compares each technique with the first.</summary>
    public static StudyReport Create(StudyDefinition definition, string dataDescription, int trainImages, int validationImages, int testImages,
        double wallSeconds, IReadOnlyList<RunResult> runs)
    {
        var summaries = new List<TechniqueSummary>();
        foreach (var model in definition.Models)
        {
            TechniqueSummary? reference = null;
            foreach (var technique in definition.Techniques)
            {
                var group = runs.Where(r => r.Model == model.Name && r.Technique == technique.Name).ToList();
                if (group.Count == 0) continue;
                Statistic S(Func<RunResult, double> pick) => Statistic.Of(group.Select(pick));
                var perturbed = group[0].PerturbedAccuracy.Keys.ToDictionary(k => k, k => S(r => r.PerturbedAccuracy[k]));
                var summary = new TechniqueSummary(model.Name, technique.Name, group.Count,
                    S(r => r.Train.Accuracy), S(r => r.Test.Accuracy), S(r => r.Train.Loss), S(r => r.Test.Loss),
                    S(r => r.AccuracyGap), S(r => r.LossGap), S(r => r.Test.CalibrationError), S(r => r.EpochsTrained),
                    S(r => r.NearZeroWeights), S(r => r.WeightNorm), group[0].Parameters, (long)group.Average(r => r.FileBytes), perturbed, null,
                    S(r => r.Validation.Accuracy), S(r => r.Validation.Loss));
                if (reference is null)
                    reference = summary;
                else
                    summary = summary with
                    {
                        VersusReference = new Comparison(reference.Technique,
                            Difference.Between(summary.TestAccuracy, reference.TestAccuracy, group.Count),
                            Difference.Between(summary.TestLoss, reference.TestLoss, group.Count),
                            Difference.Between(summary.AccuracyGap, reference.AccuracyGap, group.Count),
                            Difference.Between(summary.LossGap, reference.LossGap, group.Count),
                            Difference.Between(summary.CalibrationError, reference.CalibrationError, group.Count),
                            perturbed.ToDictionary(p => p.Key, p => Difference.Between(p.Value, reference.PerturbedAccuracy[p.Key], group.Count))),
                    };
                summaries.Add(summary);
            }
        }
        return new StudyReport(definition, dataDescription, trainImages, validationImages, testImages, wallSeconds, runs, summaries);
    }
}
