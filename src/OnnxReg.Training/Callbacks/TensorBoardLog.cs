using static TorchSharp.torch;

namespace OnnxReg.Training.Callbacks;

/// <summary>
/// Writes every epoch's metrics as TensorBoard scalars, laid out as Keras' <c>TensorBoard</c> callback lays them out:
/// two runs, <c>DIR/train</c> and <c>DIR/validation</c>, with the same tags (<c>epoch_loss</c>, <c>epoch_accuracy</c>)
/// so TensorBoard draws the training and validation curves of a metric in one chart; the training run also has
/// <c>epoch_penalty</c> and <c>epoch_lr</c>. Step = epoch; wall times are Unix seconds. View with
/// <c>tensorboard --logdir DIR</c>. A resumed run adds new event files to the same folders, continuing at its next
/// epoch, and TensorBoard shows each folder as one run.
/// </summary>
/// <example>
/// <code>
/// var history = new Trainer(configuration, [new TensorBoardLog("runs/logs")]).Fit(model, train, validation);
/// // runs/logs/train/events.out.tfevents.1764745200.HOST.PID.1, runs/logs/validation/events.out.tfevents.…
/// </code>
/// </example>
public sealed class TensorBoardLog : ITrainingCallback, IDisposable
{
    /// <summary>The subfolder of the training run's event files.</summary>
    public const string TrainRun = "train";

    /// <summary>The subfolder of the validation run's event files.</summary>
    public const string ValidationRun = "validation";

    private readonly string _folder;
    private TensorBoardEventFile? _train;
    private TensorBoardEventFile? _validation;

    /// <summary>Logs into <paramref name="folder"/> (created if missing).</summary>
    public TensorBoardLog(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _folder = folder;
    }

    /// <summary>The tag a metric is written under, and whether it belongs to the validation run: <c>val_loss</c> is
    /// <c>epoch_loss</c> of the validation run, <c>lr</c> is <c>epoch_lr</c> of the training run.</summary>
    public static (string Tag, bool Validation) TagOf(string metric)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        bool validation = metric.StartsWith("val_", StringComparison.Ordinal);
        return ("epoch_" + (validation ? metric[4..] : metric), validation);
    }

    /// <inheritdoc />
    public void OnTrainBegin(nn.Module model)
    {
        Dispose();
        _train = TensorBoardEventFile.Create(Path.Combine(_folder, TrainRun));
    }

    /// <inheritdoc />
    public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (_train is null) throw new InvalidOperationException("OnTrainBegin was not called.");
        var scalars = EpochMetrics.Names.Select(name => (Name: name, Value: metrics.Get(name))).Where(m => m.Value is not null)
            .Select(m => (Metric: TagOf(m.Name), Value: (float)m.Value!.Value)).ToList();
        _train.WriteScalars(metrics.Epoch, scalars.Where(s => !s.Metric.Validation).Select(s => (s.Metric.Tag, s.Value)));
        var validation = scalars.Where(s => s.Metric.Validation).Select(s => (s.Metric.Tag, s.Value)).ToList();
        if (validation.Count > 0)
        {
            _validation ??= TensorBoardEventFile.Create(Path.Combine(_folder, ValidationRun));
            _validation.WriteScalars(metrics.Epoch, validation);
        }
        return null;
    }

    /// <inheritdoc />
    public void OnTrainEnd(nn.Module model) => Dispose();

    /// <summary>Closes the event files.</summary>
    public void Dispose()
    {
        _train?.Dispose();
        _validation?.Dispose();
        (_train, _validation) = (null, null);
    }
}
