namespace OnnxReg.Training.Callbacks;

/// <summary>Why training ended.</summary>
public enum StopReason
{
    /// <summary>All requested epochs ran.</summary>
    Completed,

    /// <summary>Early stopping: the monitored metric did not improve (or beat the baseline) for <c>patience</c> epochs.</summary>
    NoImprovement,

    /// <summary>Early stopping: the monitored metric was NaN or infinite.</summary>
    NonFiniteMetric,

    /// <summary>Early stopping: the monitored metric crossed the divergence threshold.</summary>
    Diverged,

    /// <summary>A training batch produced a NaN or infinite loss, or one above <see cref="Trainer.ExplodedLoss"/> (diverged).</summary>
    NonFiniteLoss,

    /// <summary>A user's callback asked training to stop (its <see cref="StopRequest.Detail"/> says why).</summary>
    RequestedByCallback,
}
