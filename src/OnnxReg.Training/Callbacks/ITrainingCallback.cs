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
}

/// <summary>A callback's request to end training.</summary>
/// <param name="Reason">Why, as a <see cref="StopReason"/> (a user's callback usually says <see cref="StopReason.RequestedByCallback"/>).</param>
/// <param name="Detail">A sentence for people: which epoch, which value, which rule (it becomes <see cref="TrainingHistory.StopDetail"/>).</param>
public sealed record StopRequest(StopReason Reason, string Detail);
