namespace OnnxReg.Training.Schedules;

/// <summary>The learning-rate schedule, with PyTorch's defaults.</summary>
/// <param name="Kind">Constant, cosine, or reduce-on-plateau.</param>
/// <param name="MinLearningRate">The floor: cosine's η_min, plateau's min_lr.</param>
/// <param name="Factor">Plateau: the rate is multiplied by this (in (0, 1)) on a plateau.</param>
/// <param name="Patience">Plateau: epochs without improvement tolerated before reducing.</param>
/// <param name="Monitor">Plateau: the metric watched (mode inferred from the name, as in early stopping).</param>
/// <param name="Threshold">Plateau: relative improvement that counts (1e-4: 0.01 %).</param>
public sealed record LearningRateScheduleOptions(
    LearningRateScheduleKind Kind = LearningRateScheduleKind.Constant,
    double MinLearningRate = 0,
    double Factor = 0.1,
    int Patience = 10,
    string Monitor = "val_loss",
    double Threshold = 1e-4)
{
    /// <summary>Checks every value.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, $"Unknown schedule. Supported: {string.Join(", ", Enum.GetNames<LearningRateScheduleKind>())}.");
        if (!(MinLearningRate >= 0) || !double.IsFinite(MinLearningRate))
            throw new ArgumentOutOfRangeException(nameof(MinLearningRate), MinLearningRate, $"Minimum learning rate must be zero or positive. Received: MinLearningRate={MinLearningRate}.");
        if (!(Factor > 0 && Factor < 1))
            throw new ArgumentOutOfRangeException(nameof(Factor), Factor, $"Plateau factor must be in (0, 1). Received: Factor={Factor}.");
        if (Patience < 0)
            throw new ArgumentOutOfRangeException(nameof(Patience), Patience, $"Plateau patience must be zero or more. Received: Patience={Patience}.");
        if (!(Threshold >= 0) || !double.IsFinite(Threshold))
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, $"Plateau threshold must be zero or positive. Received: Threshold={Threshold}.");
        if (Kind == LearningRateScheduleKind.ReduceOnPlateau && EpochMetrics.Canonical(Monitor) is null)
            throw new ArgumentException($"The plateau schedule cannot monitor '{Monitor}'. Known metrics: {string.Join(", ", EpochMetrics.Names)}.", nameof(Monitor));
    }
}
