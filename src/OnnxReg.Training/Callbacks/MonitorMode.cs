namespace OnnxReg.Training.Callbacks;

/// <summary>Whether a monitored metric improves by going down or up.</summary>
public enum MonitorMode
{
    /// <summary>Inferred from the metric's name: names containing "acc" improve upward, all others downward (as Keras does).</summary>
    Auto,

    /// <summary>Lower is better (losses).</summary>
    Min,

    /// <summary>Higher is better (accuracies).</summary>
    Max,
}
