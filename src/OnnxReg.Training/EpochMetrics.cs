using System.Text.Json.Serialization;
using OnnxReg.Data;

namespace OnnxReg.Training;

/// <summary>What one epoch measured. Training figures are running means over the epoch's batches in training
/// mode (dropout and augmentation active), as Keras reports them; validation figures are measured in evaluation mode.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean data loss (cross-entropy, with label smoothing if set) over the epoch's training batches, penalty excluded.</param>
/// <param name="TrainAccuracy">Fraction of training images classified correctly during the epoch (against their own labels).</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation set, or null without one.</param>
/// <param name="ValidationAccuracy">Validation accuracy, or null without a validation set.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="Penalty">The weight penalty (L1/L2 terms) of the weights at the end of the epoch; 0 without penalties.</param>
/// <param name="LearningRate">The learning rate used during the epoch.</param>
/// <remarks>The metric names (<see cref="Names"/>) are Keras' and are the one vocabulary of the epoch lines,
/// <c>--monitor</c>, the history JSON and the checkpoints; other spellings are accepted as <see cref="Aliases"/>.</remarks>
public sealed record EpochMetrics(
    int Epoch,
    [property: JsonPropertyName(MetricNames.Loss)] double TrainLoss,
    [property: JsonPropertyName(MetricNames.Accuracy)] double TrainAccuracy,
    [property: JsonPropertyName(MetricNames.ValLoss)] double? ValidationLoss,
    [property: JsonPropertyName(MetricNames.ValAccuracy)] double? ValidationAccuracy,
    double Seconds,
    double Penalty = 0,
    [property: JsonPropertyName(MetricNames.LearningRate)] double LearningRate = 0)
{
    /// <summary>The metric names <see cref="Get"/> knows (Keras' names).</summary>
    public static IReadOnlyList<string> Names { get; } =
        [MetricNames.Loss, MetricNames.Accuracy, MetricNames.ValLoss, MetricNames.ValAccuracy, MetricNames.Penalty, MetricNames.LearningRate];

    /// <summary>Other spellings people use for the same metrics (Keras 1's <c>acc</c>, PyTorch Lightning's <c>train_loss</c>,
    /// OnnxReg 0.1's history names), each mapped to its name in <see cref="Names"/>.</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["acc"] = "accuracy", ["train_acc"] = "accuracy", ["train_accuracy"] = "accuracy", ["trainAccuracy"] = "accuracy",
        ["train_loss"] = "loss", ["trainLoss"] = "loss",
        ["val_acc"] = "val_accuracy", ["validation_accuracy"] = "val_accuracy", ["validationAccuracy"] = "val_accuracy",
        ["validation_loss"] = "val_loss", ["validationLoss"] = "val_loss",
        ["learning_rate"] = "lr", ["learningRate"] = "lr",
    };

    /// <summary>The name in <see cref="Names"/> that <paramref name="name"/> means (itself, or what its alias stands for), or null if it means none.</summary>
    public static string? Canonical(string name) =>
        Names.Contains(name) ? name : Aliases.TryGetValue(name, out var canonical) ? canonical : null;

    /// <summary>A metric by its Keras-style name, or null if this epoch did not measure it.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public double? Get(string name) => (Canonical(name) ?? name) switch
    {
        MetricNames.Loss => TrainLoss,
        MetricNames.Accuracy => TrainAccuracy,
        MetricNames.ValLoss => ValidationLoss,
        MetricNames.ValAccuracy => ValidationAccuracy,
        MetricNames.Penalty => Penalty,
        MetricNames.LearningRate => LearningRate,
        _ => throw new ArgumentException($"Unknown metric '{name}'. Known metrics: {string.Join(", ", Names)}.", nameof(name)),
    };
}
