using static TorchSharp.torch;

namespace OnnxReg.Training.Callbacks;

/// <summary>Hooks into the trainer's loop, like Keras callbacks. Implementations may ask the trainer to stop.</summary>
public interface ITrainingCallback
{
    /// <summary>Called once before the first epoch.</summary>
    void OnTrainBegin(nn.Module model);

    /// <summary>Called after each epoch with its metrics; return a reason to stop training, or null to go on.</summary>
    StopReason? OnEpochEnd(nn.Module model, EpochMetrics metrics);

    /// <summary>Called once after the last epoch, whatever ended training.</summary>
    void OnTrainEnd(nn.Module model);
}
