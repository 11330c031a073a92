namespace OnnxReg.Training.Checkpoints;

/// <summary>Where <see cref="Trainer.Fit"/> keeps its checkpoint, and whether it continues from one.</summary>
/// <param name="Path">The checkpoint file, rewritten atomically after every epoch and when training is cancelled.</param>
/// <param name="Resume">Whether to continue from the file at <paramref name="Path"/>.</param>
public sealed record CheckpointOptions(string Path, ResumeMode Resume = ResumeMode.Never);

/// <summary>Whether a run continues from an existing checkpoint.</summary>
public enum ResumeMode
{
    /// <summary>Start from scratch; an existing checkpoint is overwritten after the first epoch.</summary>
    Never,

    /// <summary>Continue from the checkpoint; fail if it is missing, damaged, or from another configuration or data.</summary>
    Required,

    /// <summary>Continue from the checkpoint if it is there, readable and from the same configuration and data; otherwise start from scratch.</summary>
    IfCompatible,
}
