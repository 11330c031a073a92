namespace OnnxReg.Training.Schedules;

/// <summary>How the learning rate changes over training.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>The initial learning rate throughout.</summary>
    Constant,

    /// <summary>Cosine annealing from the initial rate to the minimum over the run's epochs (PyTorch's CosineAnnealingLR with T_max = epochs, stepped per epoch).</summary>
    Cosine,

    /// <summary>Multiply the rate by a factor when a monitored metric stops improving (PyTorch's ReduceLROnPlateau, relative threshold).</summary>
    ReduceOnPlateau,
}
