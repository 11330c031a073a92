using System.Text.Json.Serialization;
using OnnxReg.Data;

namespace OnnxReg.Study;

/// <summary>Accuracy, mean cross-entropy and expected calibration error on one split, measured with ONNX Runtime on the exported file.</summary>
public sealed record SplitMetrics(
    [property: JsonPropertyName(MetricNames.Accuracy)] double Accuracy,
    [property: JsonPropertyName(MetricNames.Loss)] double Loss,
    [property: JsonPropertyName(MetricNames.Ece)] double CalibrationError);

/// <summary>One epoch of a run's learning curve (measured by the trainer).</summary>
public sealed record CurvePoint(
    int Epoch,
    [property: JsonPropertyName(MetricNames.Loss)] double TrainLoss,
    [property: JsonPropertyName(MetricNames.ValLoss)] double? ValidationLoss,
    [property: JsonPropertyName(MetricNames.Accuracy)] double TrainAccuracy,
    [property: JsonPropertyName(MetricNames.ValAccuracy)] double? ValidationAccuracy);

/// <summary>Everything measured for one model × technique × seed; saved as <c>run.json</c> beside the run's model.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Technique">Technique name.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Fingerprint">Identifies the data, sizes and configuration; a re-run with the same fingerprint reuses this result.</param>
/// <param name="Train">On the training images (clean, no augmentation).</param>
/// <param name="Validation">On the validation images.</param>
/// <param name="Test">On the test images.</param>
/// <param name="PerturbedAccuracy">Test accuracy under each perturbation, by name.</param>
/// <param name="AccuracyGap">Train − test accuracy.</param>
/// <param name="LossGap">Test − train loss.</param>
/// <param name="EpochsTrained">Epochs completed.</param>
/// <param name="BestEpoch">The epoch early stopping judged best (and restored), or null without early stopping.</param>
/// <param name="StopReason">Why training ended.</param>
/// <param name="ZeroWeights">Fraction of weights (matrices and filters) exactly 0.</param>
/// <param name="NearZeroWeights">Fraction of weights with |w| below 1e-6.</param>
/// <param name="WeightNorm">L2 norm of the weights.</param>
/// <param name="Parameters">Scalar parameters in the exported file.</param>
/// <param name="FileBytes">Size of the exported file.</param>
/// <param name="ExportDifference">Largest |logit difference| between TorchSharp and ONNX Runtime on the validation images.</param>
/// <param name="Seconds">Wall time of training, export and evaluation.</param>
/// <param name="Curve">The learning curve.</param>
public sealed record RunResult(
    string Model,
    string Technique,
    int Seed,
    string Fingerprint,
    SplitMetrics Train,
    SplitMetrics Validation,
    SplitMetrics Test,
    IReadOnlyDictionary<string, double> PerturbedAccuracy,
    double AccuracyGap,
    double LossGap,
    int EpochsTrained,
    int? BestEpoch,
    string StopReason,
    double ZeroWeights,
    double NearZeroWeights,
    double WeightNorm,
    long Parameters,
    long FileBytes,
    double ExportDifference,
    double Seconds,
    IReadOnlyList<CurvePoint> Curve)
{
    /// <summary>The run's folder name.</summary>
    public static string FolderName(string model, string technique, int seed) => $"{model}-{technique}-seed{seed}";
}
