using System.Globalization;
using System.Text;
using OnnxReg.Data.IO;
using static TorchSharp.torch;

namespace OnnxReg.Training.Callbacks;

/// <summary>
/// Keras' <c>CSVLogger</c>: one row per epoch — <c>epoch,loss,accuracy,val_loss,val_accuracy,penalty,lr,seconds</c> —
/// appended and flushed as each epoch ends, so a crash keeps every finished epoch. A resumed run passes the epochs its
/// checkpoint holds, and the file starts with them. Empty cells mean "not measured" (no validation set).
/// </summary>
/// <example><code>new Trainer(configuration, [new CsvHistoryLog("runs/history.csv")]).Fit(model, train, validation);</code></example>
public sealed class CsvHistoryLog : ITrainingCallback, IDisposable
{
    /// <summary>The header row.</summary>
    public const string Header = "epoch,loss,accuracy,val_loss,val_accuracy,penalty,lr,seconds";

    private readonly string _path;
    private readonly IReadOnlyList<EpochMetrics> _earlier;
    private StreamWriter? _writer;

    /// <summary>Logs to <paramref name="path"/> (replaced at the start of training), after the rows of <paramref name="earlierEpochs"/>.</summary>
    public CsvHistoryLog(string path, IEnumerable<EpochMetrics>? earlierEpochs = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _earlier = earlierEpochs?.ToList() ?? [];
    }

    /// <summary>One epoch as a CSV row (invariant culture, round-trip precision).</summary>
    public static string Row(EpochMetrics m)
    {
        static string F(double? v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : "";
        return string.Join(',', m.Epoch.ToString(CultureInfo.InvariantCulture), F(m.TrainLoss), F(m.TrainAccuracy), F(m.ValidationLoss),
            F(m.ValidationAccuracy), F(m.Penalty), F(m.LearningRate), F(m.Seconds));
    }

    /// <inheritdoc />
    public void OnTrainBegin(nn.Module model)
    {
        Dispose();
        var text = new StringBuilder().Append(Header).Append('\n');
        foreach (var epoch in _earlier) text.Append(Row(epoch)).Append('\n');
        // Written whole and atomically first (never through a link or a device), then reopened for appending without
        // following a link, so one planted at the name in between is refused rather than written through.
        AtomicFile.WriteAllBytes(_path, new UTF8Encoding(false).GetBytes(text.ToString()));
        _writer = new StreamWriter(NoFollowFile.OpenAppend(_path, "history file"), new UTF8Encoding(false)) { NewLine = "\n" };
    }

    /// <inheritdoc />
    public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (_writer is null) throw new InvalidOperationException("OnTrainBegin was not called.");
        _writer.WriteLine(Row(metrics));
        _writer.Flush();
        return null;
    }

    /// <inheritdoc />
    public void OnTrainEnd(nn.Module model) => Dispose();

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
