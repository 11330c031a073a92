using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OnnxReg.Data;

namespace OnnxReg.Tuning;

/// <summary>What stage of tuning a trial belongs to.</summary>
public enum TrialStage
{
    /// <summary>A configuration being searched (a rung of halving, or a grid/random trial).</summary>
    Search,

    /// <summary>One of the best configurations, rerun with one of the seeds.</summary>
    Finalist,

    /// <summary>The untuned base configuration with one of the seeds.</summary>
    Baseline,
}

/// <summary>One trained and exported trial, measured with ONNX Runtime on the validation split only; saved as
/// <c>trial.json</c> beside its model.</summary>
/// <param name="Stage">Search, finalist or baseline.</param>
/// <param name="Candidate">The configuration's number in the search (−1 for the baseline).</param>
/// <param name="Rung">The halving rung (0 for other stages).</param>
/// <param name="Epochs">The epoch budget it was trained with.</param>
/// <param name="Seed">The training seed.</param>
/// <param name="Values">Each dimension's value.</param>
/// <param name="Fingerprint">Data, sizes and configuration: a trial with the same fingerprint is reused.</param>
/// <param name="ValidationAccuracy">Accuracy of the exported file on the validation split.</param>
/// <param name="ValidationLoss">Mean cross-entropy of the exported file on the validation split.</param>
/// <param name="ExportDifference">Largest |logit difference| between the file and TorchSharp on the validation split.</param>
/// <param name="EpochsTrained">Epochs completed (early stopping may end sooner).</param>
/// <param name="Seconds">Wall time of training, export and measurement.</param>
/// <param name="FinishedUtc">When it finished (for the trials-over-time plot, across shards).</param>
public sealed record TrialResult(
    TrialStage Stage,
    int Candidate,
    int Rung,
    int Epochs,
    int Seed,
    IReadOnlyDictionary<string, JsonNode> Values,
    string Fingerprint,
    [property: JsonPropertyName(MetricNames.ValAccuracy)] double ValidationAccuracy,
    [property: JsonPropertyName(MetricNames.ValLoss)] double ValidationLoss,
    double ExportDifference,
    int EpochsTrained,
    double Seconds,
    DateTime FinishedUtc)
{
    /// <summary>The objective's value (higher is better for accuracy, lower for loss).</summary>
    public double Score(TuningObjective objective) => objective == TuningObjective.ValAccuracy ? ValidationAccuracy : -ValidationLoss;

    /// <summary>The trial's folder name under <c>trials/</c>.</summary>
    public static string FolderName(TrialStage stage, int candidate, int epochs, int seed) => stage switch
    {
        TrialStage.Baseline => $"baseline-e{epochs}-seed{seed}",
        TrialStage.Finalist => $"finalist-c{candidate:000}-e{epochs}-seed{seed}",
        _ => $"search-c{candidate:000}-e{epochs}-seed{seed}",
    };
}
