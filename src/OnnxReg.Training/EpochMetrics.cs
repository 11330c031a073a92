namespace OnnxReg.Training;

/// <summary>What one epoch measured. Training figures are running means over the epoch's batches in training
/// mode (dropout and augmentation active), as Keras reports them; validation figures are measured in evaluation mode.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean data loss (cross-entropy, with label smoothing if set) over the epoch's training batches, penalty excluded.</param>
/// <param name="TrainAccuracy">Fraction of training images classified correctly during the epoch (against their own labels).</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation set, or null without one.</param>
/// <param name="ValidationAccuracy">Validation accuracy, or null without a validation set.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="Penalty">Mean weight penalty (L1/L2 terms) over the epoch's batches; 0 without penalties.</param>
/// <param name="LearningRate">The learning rate used during the epoch.</param>
public sealed record EpochMetrics(
    int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, double Seconds,
    double Penalty = 0, double LearningRate = 0)
{
    /// <summary>The metric names <see cref="Get"/> knows (Keras' names).</summary>
    public static IReadOnlyList<string> Names { get; } = ["loss", "accuracy", "val_loss", "val_accuracy", "penalty", "lr"];

    /// <summary>A metric by its Keras-style name, or null if this epoch did not measure it.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public double? Get(string name) => name switch
    {
        "loss" => TrainLoss,
        "accuracy" => TrainAccuracy,
        "val_loss" => ValidationLoss,
        "val_accuracy" => ValidationAccuracy,
        "penalty" => Penalty,
        "lr" => LearningRate,
        _ => throw new ArgumentException($"Unknown metric '{name}'. Known metrics: {string.Join(", ", Names)}.", nameof(name)),
    };
}
