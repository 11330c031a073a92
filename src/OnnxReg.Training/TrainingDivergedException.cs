using OnnxReg.Data;

namespace OnnxReg.Training;

/// <summary>Training diverged (a NaN, infinite or exploded loss) and left no epoch worth keeping.</summary>
/// <param name="message">What diverged, for people.</param>
/// <param name="history">The run's history up to the divergence, for callers that keep it (null if none).</param>
public sealed class TrainingDivergedException(string message, TrainingHistory? history = null) : OnnxRegException(message)
{
    /// <summary>The run's history up to the divergence, or null.</summary>
    public TrainingHistory? History { get; } = history;
}
