using static TorchSharp.torch;

namespace OnnxReg.Training.Callbacks;

/// <summary>A callback that hands each finished epoch's metrics to <paramref name="onEpoch"/> (a progress display, a
/// log) and never stops training; it has no state to checkpoint.</summary>
/// <example><code>new Trainer(configuration, [new EpochProgress(e => Console.WriteLine(e.TrainLoss))]).Fit(model, train);</code></example>
public sealed class EpochProgress(Action<EpochMetrics> onEpoch) : ITrainingCallback
{
    private readonly Action<EpochMetrics> _onEpoch = onEpoch ?? throw new ArgumentNullException(nameof(onEpoch));

    /// <inheritdoc />
    public void OnTrainBegin(nn.Module model)
    {
    }

    /// <inheritdoc />
    public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics)
    {
        _onEpoch(metrics);
        return null;
    }

    /// <inheritdoc />
    public void OnTrainEnd(nn.Module model)
    {
    }
}
