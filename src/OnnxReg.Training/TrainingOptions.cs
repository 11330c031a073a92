namespace OnnxReg.Training;

/// <summary>How the trainer optimizes. Defaults follow Keras/PyTorch habits for small image classifiers.</summary>
/// <param name="Epochs">Passes over the training data (the most; early stopping may end sooner).</param>
/// <param name="BatchSize">Images per mini-batch.</param>
/// <param name="LearningRate">The optimizer's (initial) learning rate.</param>
/// <param name="Optimizer">Adam, SGD, or AdamW.</param>
/// <param name="Momentum">SGD momentum (ignored by Adam and AdamW).</param>
/// <param name="Seed">Seeds batch shuffling, dropout and augmentation, so a run can be repeated exactly.</param>
/// <param name="WeightDecay">AdamW's decoupled weight decay (PyTorch's default is 0.01). Only AdamW takes it; for
/// an L2 penalty under Adam or SGD use <see cref="Regularization.WeightPenaltyOptions.L2"/>.</param>
/// <param name="LabelSmoothing">ε of label smoothing: targets become (1 − ε)·one-hot + ε/classes. In [0, 1).</param>
public sealed record TrainingOptions(
    int Epochs = 10,
    int BatchSize = 128,
    double LearningRate = 1e-3,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    double Momentum = 0.9,
    int Seed = 42,
    double WeightDecay = 0,
    double LabelSmoothing = 0)
{
    /// <summary>Checks every value; call before training so a bad value fails before epoch 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its allowed range (the message says which).</exception>
    public void Validate()
    {
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, $"Epochs must be at least 1. Received: Epochs={Epochs}.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"Batch size must be at least 1. Received: BatchSize={BatchSize}.");
        // Upper bounds far beyond any useful value, below what single-precision arithmetic can hold (1e39 would overflow).
        if (!(LearningRate > 0) || !(LearningRate <= 1e6))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"Learning rate must be positive and at most 1e6 (typical values are 1e-4 to 0.1). Received: LearningRate={LearningRate}.");
        if (!Enum.IsDefined(Optimizer))
            throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, $"Unknown optimizer. Supported: {string.Join(", ", Enum.GetNames<OptimizerKind>())}.");
        if (!(Momentum >= 0 && Momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, $"Momentum must be in [0, 1). Received: Momentum={Momentum}.");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"Weight decay must be zero or positive. Received: WeightDecay={WeightDecay}.");
        if (WeightDecay > Regularization.WeightPenaltyOptions.MaxStrength)
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"Weight decay must be at most 1e6 (typical values are 1e-4 to 0.1). Received: WeightDecay={WeightDecay}.");
        if (WeightDecay > 0 && Optimizer != OptimizerKind.AdamW)
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay,
                $"Weight decay (decoupled) needs the AdamW optimizer; received Optimizer={Optimizer}. Use AdamW, or an L2 penalty for Adam and SGD.");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, $"Label smoothing must be in [0, 1). Received: LabelSmoothing={LabelSmoothing}.");
    }
}
