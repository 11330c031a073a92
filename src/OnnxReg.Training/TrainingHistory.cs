namespace OnnxReg.Training;

/// <summary>The record of a training run: its options and one <see cref="EpochMetrics"/> per epoch.</summary>
/// <param name="Options">The options the run used.</param>
/// <param name="Epochs">Metrics of each epoch, in order.</param>
public sealed record TrainingHistory(TrainingOptions Options, IReadOnlyList<EpochMetrics> Epochs)
{
    /// <summary>The last epoch's metrics.</summary>
    public EpochMetrics Final => Epochs[^1];
}
