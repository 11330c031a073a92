using static TorchSharp.torch;

namespace OnnxReg.Training.Callbacks;

/// <summary>Hooks into the trainer's loop, like Keras callbacks. Implementations may ask the trainer to stop.</summary>
public interface ITrainingCallback
{
    /// <summary>Called once before the first epoch (and before a checkpoint's state is restored into the callback).</summary>
    void OnTrainBegin(nn.Module model);

    /// <summary>Called after each epoch with its metrics; return a request to stop training (with its reason, in words),
    /// or null to go on.</summary>
    StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics);

    /// <summary>Called once after the last epoch, whatever ended training.</summary>
    void OnTrainEnd(nn.Module model);

    /// <summary>Called after each training batch (for a progress display); the default does nothing. Keep it cheap:
    /// it runs inside the training loop.</summary>
    /// <param name="progress">Where the epoch stands.</param>
    void OnBatchEnd(BatchProgress progress)
    {
    }
}

/// <summary>Where an epoch stands after a batch.</summary>
/// <param name="Epoch">The 1-based epoch.</param>
/// <param name="Batch">Batches done in this epoch (1 after the first).</param>
/// <param name="BatchCount">Batches in the epoch.</param>
/// <param name="BatchesRun">Batches this process has run in the epoch (fewer than <paramref name="Batch"/> in a resumed epoch).</param>
/// <param name="Images">Images trained on in this epoch so far (by this process; a resumed epoch counts from where it resumed).</param>
/// <param name="Seconds">Seconds since this process started the epoch.</param>
/// <param name="Loss">The batch's data loss.</param>
public readonly record struct BatchProgress(int Epoch, int Batch, int BatchCount, int BatchesRun, long Images, double Seconds, double Loss);

/// <summary>A callback's request to end training.</summary>
/// <param name="Reason">Why, as a <see cref="StopReason"/> (a user's callback usually says <see cref="StopReason.RequestedByCallback"/>).</param>
/// <param name="Detail">A sentence for people: which epoch, which value, which rule (it becomes <see cref="TrainingHistory.StopDetail"/>).</param>
public sealed record StopRequest(StopReason Reason, string Detail);
