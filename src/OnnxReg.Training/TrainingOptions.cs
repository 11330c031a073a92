namespace OnnxReg.Training;

/// <summary>How the trainer runs. Defaults follow Keras/PyTorch habits for small image classifiers.</summary>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="BatchSize">Images per mini-batch.</param>
/// <param name="LearningRate">The optimizer's learning rate.</param>
/// <param name="Optimizer">Adam or SGD.</param>
/// <param name="Momentum">SGD momentum (ignored by Adam).</param>
/// <param name="Seed">Seeds batch shuffling and dropout, so a run can be repeated exactly.</param>
public sealed record TrainingOptions(
    int Epochs = 10,
    int BatchSize = 128,
    double LearningRate = 1e-3,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    double Momentum = 0.9,
    int Seed = 42)
{
    /// <summary>Checks every value; call before training so a bad value fails before epoch 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its allowed range (the message says which).</exception>
    public void Validate()
    {
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, $"Epochs must be at least 1. Received: Epochs={Epochs}.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"Batch size must be at least 1. Received: BatchSize={BatchSize}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"Learning rate must be positive and finite. Received: LearningRate={LearningRate}.");
        if (!Enum.IsDefined(Optimizer))
            throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, $"Unknown optimizer. Supported: {string.Join(", ", Enum.GetNames<OptimizerKind>())}.");
        if (!(Momentum >= 0 && Momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, $"Momentum must be in [0, 1). Received: Momentum={Momentum}.");
    }
}
