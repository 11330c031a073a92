using static TorchSharp.torch;

namespace OnnxReg.Training.Callbacks;

/// <summary>
/// Writes every epoch's metrics as TensorBoard scalars (tags <c>loss</c>, <c>accuracy</c>, <c>val_loss</c>,
/// <c>val_accuracy</c>, <c>penalty</c>, <c>lr</c>; step = epoch) with TorchSharp's own <c>SummaryWriter</c>. View with
/// <c>tensorboard --logdir DIR</c>. A resumed run adds a new event file to the same folder, continuing at its next
/// epoch, and TensorBoard shows both as one run.
/// </summary>
public sealed class TensorBoardLog : ITrainingCallback
{
    private readonly string _folder;
    private TorchSharp.Modules.SummaryWriter? _writer;

    /// <summary>Logs into <paramref name="folder"/> (created if missing).</summary>
    public TensorBoardLog(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _folder = folder;
    }

    /// <inheritdoc />
    public void OnTrainBegin(nn.Module model) => _writer = utils.tensorboard.SummaryWriter(_folder);

    /// <inheritdoc />
    public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (_writer is null) throw new InvalidOperationException("OnTrainBegin was not called.");
        foreach (var name in EpochMetrics.Names)
            if (metrics.Get(name) is double value)
                _writer.add_scalar(name, (float)value, metrics.Epoch);
        return null;
    }

    /// <inheritdoc />
    public void OnTrainEnd(nn.Module model) => _writer = null;
}
