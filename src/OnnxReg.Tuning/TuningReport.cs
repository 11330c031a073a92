using OnnxReg.Experiments;

namespace OnnxReg.Tuning;

/// <summary>What a tuning run found: every trial, the finalists over the seeds, the chosen configuration, and the one
/// measurement on the test split of its exported files beside the untuned baseline's.</summary>
/// <param name="Definition">What was tuned.</param>
/// <param name="DataDescription">The data, for people.</param>
/// <param name="TrainImages">Training images.</param>
/// <param name="ValidationImages">Validation images (the only ones selection looked at).</param>
/// <param name="TestImages">Test images, measured once at the end.</param>
/// <param name="WallSeconds">This process's wall time.</param>
/// <param name="Search">Every search trial, rung by rung.</param>
/// <param name="Finalists">The finalists' runs with every seed.</param>
/// <param name="Baseline">The base configuration's runs with every seed.</param>
/// <param name="FinalistSummaries">Each finalist's validation figures over the seeds.</param>
/// <param name="BaselineSummary">The untuned baseline's validation figures over the same seeds, measured as the finalists' are.</param>
/// <param name="Chosen">What was chosen: the finalist with the best mean objective on validation if it beats the
/// baseline's, else the baseline itself (<see cref="FinalistSummary.IsBaseline"/>).</param>
/// <param name="ChosenTestAccuracy">The chosen configuration's test accuracy over the seeds.</param>
/// <param name="ChosenTestLoss">Its test loss over the seeds.</param>
/// <param name="BaselineTestAccuracy">The baseline's test accuracy over the seeds.</param>
/// <param name="BaselineTestLoss">The baseline's test loss over the seeds.</param>
/// <param name="AccuracyDifference">Chosen − baseline test accuracy, with the combined spread.</param>
/// <param name="LossDifference">Chosen − baseline test loss, with the combined spread.</param>
/// <param name="ChosenExportDifference">Largest |logit difference| between the chosen files and TorchSharp (verification).</param>
public sealed record TuningReport(
    TuningDefinition Definition,
    string DataDescription,
    int TrainImages,
    int ValidationImages,
    int TestImages,
    double WallSeconds,
    IReadOnlyList<TrialResult> Search,
    IReadOnlyList<TrialResult> Finalists,
    IReadOnlyList<TrialResult> Baseline,
    IReadOnlyList<FinalistSummary> FinalistSummaries,
    FinalistSummary BaselineSummary,
    FinalistSummary Chosen,
    Statistic ChosenTestAccuracy,
    Statistic ChosenTestLoss,
    Statistic BaselineTestAccuracy,
    Statistic BaselineTestLoss,
    Difference AccuracyDifference,
    Difference LossDifference,
    double ChosenExportDifference)
{
    /// <summary>No tuned configuration beat the untuned baseline on validation: keep the baseline.</summary>
    public bool BaselineChosen => Chosen.IsBaseline;
}
