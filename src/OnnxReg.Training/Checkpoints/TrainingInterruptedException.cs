namespace OnnxReg.Training.Checkpoints;

/// <summary>Thrown by <see cref="Trainer.Fit"/> when its cancellation token fires: training stopped at the end of a
/// batch and, if a checkpoint path was given, wrote a checkpoint that resumes exactly there.</summary>
public sealed class TrainingInterruptedException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public TrainingInterruptedException(int epoch, int batchesDone, int batchCount, string? checkpointPath, CancellationToken token)
        : base(checkpointPath is null
            ? $"Training was interrupted in epoch {epoch} after batch {batchesDone} of {batchCount}; no checkpoint was kept."
            : $"Training was interrupted in epoch {epoch} after batch {batchesDone} of {batchCount}; the checkpoint '{checkpointPath}' resumes it there.", token)
    {
        Epoch = epoch;
        BatchesDone = batchesDone;
        BatchCount = batchCount;
        CheckpointPath = checkpointPath;
    }

    /// <summary>The epoch that was in progress (1-based).</summary>
    public int Epoch { get; }

    /// <summary>Batches of that epoch that were trained.</summary>
    public int BatchesDone { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount { get; }

    /// <summary>The checkpoint written, or null if checkpoints were off.</summary>
    public string? CheckpointPath { get; }
}
