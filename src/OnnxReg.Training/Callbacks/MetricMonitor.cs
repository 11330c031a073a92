using OnnxReg.Data;

namespace OnnxReg.Training.Callbacks;

/// <summary>How far a value must move to count as an improvement.</summary>
public enum ImprovementThreshold
{
    /// <summary>By more than the threshold itself (Keras' <c>min_delta</c>).</summary>
    Absolute,

    /// <summary>By more than the threshold times the best value (PyTorch's plateau default, <c>threshold_mode="rel"</c>).</summary>
    Relative,
}

/// <summary>
/// The one rule for "did the watched metric improve", shared by early stopping and the plateau schedule: which
/// metric, which direction (auto: names containing "acc" improve upward, others downward, as in Keras), and by how much.
/// </summary>
/// <param name="Metric">A name <see cref="EpochMetrics.Get"/> knows (<c>val_loss</c>, <c>val_accuracy</c>, …).</param>
/// <param name="Mode">Min, Max, or Auto (from the name).</param>
/// <param name="Threshold">The least change that counts (≥ 0).</param>
/// <param name="ThresholdKind">Whether <paramref name="Threshold"/> is absolute or relative to the best value.</param>
public sealed record MetricMonitor(string Metric, MonitorMode Mode = MonitorMode.Auto, double Threshold = 0, ImprovementThreshold ThresholdKind = ImprovementThreshold.Absolute)
{
    /// <summary>True if lower values are better.</summary>
    public bool LowerIsBetter => ResolveMode(Metric, Mode) == MonitorMode.Min;

    /// <summary>The value every first monitored epoch improves on: +∞ when lower is better, −∞ otherwise.</summary>
    public double Worst => LowerIsBetter ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>The direction <paramref name="mode"/> means for <paramref name="metric"/> (<see cref="MonitorMode.Auto"/> resolved from the name).</summary>
    public static MonitorMode ResolveMode(string metric, MonitorMode mode) => mode != MonitorMode.Auto ? mode
        : metric.Contains("acc", StringComparison.OrdinalIgnoreCase) ? MonitorMode.Max : MonitorMode.Min;

    /// <summary>The watched value in <paramref name="metrics"/>.</summary>
    /// <param name="metrics">An epoch's metrics.</param>
    /// <param name="watcher">Who watches it, for the message ("Early stopping", "The plateau schedule").</param>
    /// <exception cref="OnnxRegException">The epoch did not report the metric (a validation metric without a validation set).</exception>
    public double Read(EpochMetrics metrics, string watcher)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return metrics.Get(Metric)
            ?? throw new OnnxRegException($"{watcher} monitors '{Metric}', which epoch {metrics.Epoch} did not report (is there a validation set?).");
    }

    /// <summary>True if <paramref name="current"/> is better than <paramref name="reference"/> by more than the threshold.</summary>
    /// <remarks>The relative rule is PyTorch's, written as it does (<c>best · (1 ∓ threshold)</c>), so schedules decide exactly as before.</remarks>
    public bool IsImprovement(double current, double reference) => ThresholdKind == ImprovementThreshold.Relative
        ? LowerIsBetter ? current < reference * (1 - Threshold) : current > reference * (1 + Threshold)
        : LowerIsBetter ? current < reference - Threshold : current > reference + Threshold;

    /// <summary>True if <paramref name="current"/> is worse than <paramref name="limit"/> (above it when lower is better).</summary>
    public bool IsWorseThan(double current, double limit) => LowerIsBetter ? current > limit : current < limit;
}
