namespace OnnxReg.Training.Callbacks;

/// <summary>
/// Early stopping, with Keras' options plus Lightning's stop on non-finite values and divergence threshold.
/// </summary>
/// <param name="Monitor">The metric watched: <c>val_loss</c>, <c>val_accuracy</c>, <c>loss</c>, <c>accuracy</c>, <c>penalty</c> (any name <see cref="EpochMetrics.Get"/> knows).</param>
/// <param name="Mode">Min, Max, or Auto (from the name).</param>
/// <param name="Patience">Epochs without improvement after which training stops; 0 stops at the first epoch that does not improve.</param>
/// <param name="MinDelta">The least change that counts as an improvement (absolute, ≥ 0).</param>
/// <param name="Baseline">If set, an epoch only resets the patience count when it also beats this value; training
/// stops after <see cref="Patience"/> epochs that do not beat it, even if they beat the previous best (Keras 3 semantics).
/// The best weights are still tracked by the best value alone.</param>
/// <param name="StartFromEpoch">Epochs to train before monitoring starts (warm-up); those epochs are never "best".</param>
/// <param name="RestoreBestWeights">At the end of training — whatever ended it, early stopping or the last epoch — put
/// back the weights of the best epoch. On by default (Keras' default is off): users expect early stopping to give the best model.</param>
/// <param name="StopOnNonFinite">Stop as soon as the monitored value is NaN or infinite.</param>
/// <param name="DivergenceThreshold">Stop as soon as the monitored value is worse than this (above it in min mode, below in max mode).</param>
public sealed record EarlyStoppingOptions(
    string Monitor = "val_loss",
    MonitorMode Mode = MonitorMode.Auto,
    int Patience = 5,
    double MinDelta = 0,
    double? Baseline = null,
    int StartFromEpoch = 0,
    bool RestoreBestWeights = true,
    bool StopOnNonFinite = true,
    double? DivergenceThreshold = null)
{
    /// <summary>The mode after resolving <see cref="MonitorMode.Auto"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public MonitorMode ResolvedMode => MetricMonitor.ResolveMode(Monitor, Mode);

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range or the metric is unknown.</exception>
    public void Validate()
    {
        if (EpochMetrics.Canonical(Monitor) is null)
            throw new ArgumentException($"Early stopping cannot monitor '{Monitor}'. Known metrics: {string.Join(", ", EpochMetrics.Names)}.", nameof(Monitor));
        if (!Enum.IsDefined(Mode))
            throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Mode must be Auto, Min or Max.");
        if (Patience < 0)
            throw new ArgumentOutOfRangeException(nameof(Patience), Patience, $"Patience must be zero or more. Received: Patience={Patience}.");
        if (!(MinDelta >= 0) || !double.IsFinite(MinDelta))
            throw new ArgumentOutOfRangeException(nameof(MinDelta), MinDelta, $"MinDelta must be zero or more. Received: MinDelta={MinDelta}.");
        if (StartFromEpoch < 0)
            throw new ArgumentOutOfRangeException(nameof(StartFromEpoch), StartFromEpoch, $"StartFromEpoch must be zero or more. Received: StartFromEpoch={StartFromEpoch}.");
        if (Baseline is double b && !double.IsFinite(b))
            throw new ArgumentOutOfRangeException(nameof(Baseline), b, "Baseline must be a finite number.");
        if (DivergenceThreshold is double d && !double.IsFinite(d))
            throw new ArgumentOutOfRangeException(nameof(DivergenceThreshold), d, "DivergenceThreshold must be a finite number.");
    }
}
