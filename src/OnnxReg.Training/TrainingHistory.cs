using System.Text.Json;
using OnnxReg.Data.IO;
using OnnxReg.Training.Callbacks;

namespace OnnxReg.Training;

/// <summary>The record of a training run: its configuration, each epoch's metrics, and how it ended.</summary>
/// <param name="Configuration">The configuration the run used.</param>
/// <param name="Epochs">Metrics of each completed epoch, in order.</param>
/// <param name="StopReason">Why training ended.</param>
/// <param name="StopDetail">A sentence on why it ended (which epoch, which value), for people.</param>
/// <param name="BestEpoch">The epoch early stopping judged best, or null without early stopping.</param>
/// <param name="RestoredEpoch">The epoch whose weights the model holds after training, if best weights were restored; null otherwise.</param>
public sealed record TrainingHistory(
    TrainingConfiguration Configuration,
    IReadOnlyList<EpochMetrics> Epochs,
    StopReason StopReason,
    string StopDetail,
    int? BestEpoch,
    int? RestoredEpoch)
{
    /// <summary>The options the run used.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TrainingOptions Options => Configuration.Training;

    /// <summary>True if the model's weights are those of <see cref="BestEpoch"/> rather than the last epoch.</summary>
    public bool RestoredBestWeights => RestoredEpoch is not null;

    /// <summary>The last completed epoch's metrics.</summary>
    /// <exception cref="InvalidOperationException">No epoch completed.</exception>
    [System.Text.Json.Serialization.JsonIgnore]
    public EpochMetrics Final => Epochs.Count > 0 ? Epochs[^1] : throw new InvalidOperationException($"No epoch completed: {StopDetail}");

    /// <summary>The metrics of the epoch whose weights the model ends with (the restored epoch, else the last).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public EpochMetrics Kept => RestoredEpoch is int epoch ? Epochs.Single(e => e.Epoch == epoch) : Final;

    /// <summary>Writes the history as indented JSON to <paramref name="path"/>, atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, TrainingConfiguration.JsonOptions));
}
