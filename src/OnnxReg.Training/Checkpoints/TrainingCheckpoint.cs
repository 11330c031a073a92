using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OnnxReg.Data;
using OnnxReg.Data.IO;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Schedules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Checkpoints;

/// <summary>
/// Everything a training run needs to continue exactly where it stopped: the model's weights and buffers, the
/// optimizer's state, the position (epoch and batch) with the epoch's running sums, the metrics of finished epochs,
/// early stopping's best value, patience count and best weights, the learning-rate schedule's state, and every
/// random state (libtorch's global generator, the shuffling generator, the augmentation generator). Written by
/// <see cref="Trainer.Fit"/> after each epoch and on cancellation, read back to resume; the file is written
/// atomically and checksummed. Dispose it to free its tensors.
/// </summary>
public sealed class TrainingCheckpoint : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(TrainingConfiguration.JsonOptions)
    {
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // ±∞ before the first monitored epoch
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    private readonly Dictionary<string, Tensor> _modelWeights;
    private readonly Lazy<TrainingConfiguration> _configuration; // parsed and validated once, on first use

    internal TrainingCheckpoint(CheckpointHeader header, CheckpointRandomState random, byte[] optimizerState,
        Dictionary<string, Tensor> modelWeights, Dictionary<string, Tensor>? bestWeights, Dictionary<string, Tensor>? epochStartWeights,
        Dictionary<string, Dictionary<string, Tensor>>? hookStates = null)
    {
        HookStates = hookStates ?? [];
        Header = header;
        _configuration = new(() => TrainingConfiguration.FromJson(header.Configuration));
        Random = random;
        OptimizerState = optimizerState;
        _modelWeights = modelWeights;
        BestWeights = bestWeights;
        EpochStartWeights = epochStartWeights;
    }

    /// <summary>The epoch to run next, or the one in progress when <see cref="BatchesDone"/> is above 0 (1-based).</summary>
    public int Epoch => Header.Epoch;

    /// <summary>Batches of <see cref="Epoch"/> already trained (0 at an epoch boundary).</summary>
    public int BatchesDone => Header.BatchesDone;

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => Header.BatchCount;

    /// <summary>True when training had ended (all epochs, or a stop) when this was written; resuming only finishes up.</summary>
    public bool Finished => Header.StopReason is not null;

    /// <summary>How the run ended, or null while it is still in progress.</summary>
    public StopReason? StopReason => Header.StopReason;

    /// <summary>The metrics of every completed epoch.</summary>
    public IReadOnlyList<EpochMetrics> Epochs => Header.Epochs;

    /// <summary>The configuration the run was started with.</summary>
    public TrainingConfiguration Configuration => _configuration.Value;

    /// <summary>The shape of one training image (channels, height, width).</summary>
    public (int Channels, int Height, int Width) ImageShape
    {
        get
        {
            var data = RequireData();
            return (data.Channels, data.Height, data.Width);
        }
    }

    /// <summary>The class names of the training data, in label order.</summary>
    public IReadOnlyList<string> ClassNames => RequireData().ClassNames;

    /// <summary>The normalization the training images went through.</summary>
    public Normalization Normalization => RequireData().Normalization;

    /// <summary>How the training images were decoded from files (colour, size, resize policy), or null for IDX data.</summary>
    public ImagePreparation? ImagePreparation => RequireData().Image;

    /// <summary>
    /// The epoch whose weights <see cref="CopyKeptWeightsInto"/> gives: early stopping's best epoch when it restores
    /// best weights and has one, otherwise the last completed epoch; null if no epoch completed yet.
    /// </summary>
    public int? KeptEpoch => KeepsBestWeights ? Header.BestWeightsEpoch : Epochs.Count > 0 ? Epochs[^1].Epoch : null;

    // As training ends: early stopping's best weights if it restores them and has some, else the last completed epoch's.
    private bool KeepsBestWeights => Configuration.EarlyStopping is { RestoreBestWeights: true } && BestWeights is not null;

    /// <summary>
    /// Copies the weights training would end with if it stopped now — those of <see cref="KeptEpoch"/>, never a
    /// half-trained epoch's — into <paramref name="model"/> (built from <see cref="Configuration"/>'s model options).
    /// </summary>
    /// <exception cref="CheckpointMismatchException">No epoch completed yet.</exception>
    /// <exception cref="ArgumentException">The model's parameters do not match the checkpoint's.</exception>
    public void CopyKeptWeightsInto(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (KeptEpoch is null)
            throw new CheckpointMismatchException("The checkpoint was written before any epoch completed, so it holds no trained weights yet.");
        var weights = KeepsBestWeights ? BestWeights! : EpochStartWeights ?? _modelWeights;
        if (!ModuleState.Fits(model, weights, out var difference))
            throw new ArgumentException($"The model does not match the checkpoint's weights{(difference is null ? "" : $" (at '{difference}')")}; build it from the checkpoint's configuration.", nameof(model));
        ModuleState.CopyInto(model, weights);
    }

    private CheckpointData RequireData() => Header.Data
        ?? throw new InvalidDataException("The checkpoint does not record its training data's shape, classes and normalization (it was written by an earlier OnnxReg); train again to export it.");

    internal CheckpointHeader Header { get; }
    internal CheckpointRandomState Random { get; }
    internal byte[] OptimizerState { get; }
    /// <summary>The model's parameters and buffers by state-dict name (owned by this checkpoint).</summary>
    public IReadOnlyDictionary<string, Tensor> ModelWeights => _modelWeights;
    internal Dictionary<string, Tensor>? BestWeights { get; private set; }
    /// <summary>The weights the interrupted epoch started from (to roll back to if its loss turns non-finite); null at an epoch boundary, where they are <see cref="ModelWeights"/>.</summary>
    internal Dictionary<string, Tensor>? EpochStartWeights { get; }

    /// <summary>The tensor states of the run's checkpointed step hooks, by hook key (empty without any; owned by this checkpoint).</summary>
    internal Dictionary<string, Dictionary<string, Tensor>> HookStates { get; }

    /// <summary>A one-line description of where the run stands, for people.</summary>
    public string Describe() => Finished
        ? $"training had finished after epoch {Epochs[^1].Epoch} ({Header.StopDetail})"
        : BatchesDone == 0
            ? $"{Epochs.Count} epoch(s) done, continuing with epoch {Epoch}"
            : $"{Epochs.Count} epoch(s) done, continuing epoch {Epoch} after batch {BatchesDone} of {BatchCount}";

    /// <summary>Reads a checkpoint written by the trainer.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is from another format version, or is damaged.</exception>
    public static TrainingCheckpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"There is no checkpoint at '{path}' to resume from. Run without --resume to start training.", path);
        using var reader = CheckpointFormat.Open(path);
        Dictionary<string, Tensor>? model = null, best = null, epochStart = null;
        var hooks = new Dictionary<string, Dictionary<string, Tensor>>(StringComparer.Ordinal);
        try
        {
            var header = JsonSerializer.Deserialize<CheckpointHeader>(CheckpointFormat.ReadBoundedString(reader, CheckpointFormat.MaxHeaderBytes, "header"), Json)
                ?? throw new InvalidDataException("The header is empty.");
            var random = new CheckpointRandomState(
                CheckpointFormat.ReadBlob(reader) ?? throw new InvalidDataException("The global random state is missing."),
                CheckpointFormat.ReadBlob(reader) ?? throw new InvalidDataException("The shuffling state is missing."),
                CheckpointFormat.ReadBlob(reader));
            RandomState.Validate(random.Global, "global");
            RandomState.Validate(random.ShufflerAtEpochStart, "shuffling");
            if (random.Augmentation is not null) RandomState.Validate(random.Augmentation, "augmentation");
            var optimizer = CheckpointFormat.ReadBlob(reader) ?? throw new InvalidDataException("The optimizer state is missing.");
            model = CheckpointFormat.ReadTensors(reader) ?? throw new InvalidDataException("The model weights are missing.");
            best = CheckpointFormat.ReadTensors(reader);
            epochStart = CheckpointFormat.ReadTensors(reader);
            // Checkpointed hooks' states follow, each under its key; a run without any writes nothing here, so its
            // file is byte for byte what it was before hooks could keep state.
            while (reader.BaseStream.Position < reader.BaseStream.Length)
            {
                string key = CheckpointFormat.ReadBoundedString(reader, CheckpointFormat.MaxNameBytes, "hook key");
                if (hooks.ContainsKey(key)) throw new InvalidDataException($"The state of hook '{key}' appears twice.");
                hooks[key] = CheckpointFormat.ReadTensors(reader) ?? throw new InvalidDataException($"The state of hook '{key}' is missing.");
            }
            var checkpoint = new TrainingCheckpoint(header, random, optimizer, model, best, epochStart, hooks);
            header.Validate(checkpoint.Configuration, model.Count);
            return checkpoint;
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or InvalidDataException or ArgumentException or FormatException or OverflowException or IOException)
        {
            foreach (var group in new[] { model, best, epochStart }.Concat(hooks.Values)) ModuleState.Dispose(group);
            throw new InvalidDataException($"The checkpoint '{path}' cannot be read ({e.Message}). Delete it to start training over.", e);
        }
    }

    /// <summary>Writes a checkpoint atomically: the old file stays until the new one is complete. The tensors are only read.</summary>
    internal static void Write(string path, CheckpointHeader header, CheckpointRandomState random, Action<BinaryWriter> optimizerState,
        IReadOnlyDictionary<string, Tensor> modelWeights, IReadOnlyDictionary<string, Tensor>? bestWeights, IReadOnlyDictionary<string, Tensor>? epochStartWeights,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>>? hookStates = null)
    {
        AtomicFile.Write(path, stream => CheckpointFormat.Write(stream, writer =>
        {
            writer.Write(JsonSerializer.Serialize(header, Json));
            CheckpointFormat.WriteBlob(writer, random.Global);
            CheckpointFormat.WriteBlob(writer, random.ShufflerAtEpochStart);
            CheckpointFormat.WriteBlob(writer, random.Augmentation);
            CheckpointFormat.WriteBlob(writer, optimizerState);
            CheckpointFormat.WriteTensors(writer, modelWeights);
            CheckpointFormat.WriteTensors(writer, bestWeights);
            CheckpointFormat.WriteTensors(writer, epochStartWeights);
            foreach (var (key, state) in hookStates ?? new Dictionary<string, IReadOnlyDictionary<string, Tensor>>())
            {
                writer.Write(key);
                CheckpointFormat.WriteTensors(writer, state);
            }
        }));
    }

    /// <summary>Hands the best weights to a new owner (early stopping), so disposing this checkpoint leaves them alone.</summary>
    internal Dictionary<string, Tensor>? TakeBestWeights()
    {
        var best = BestWeights;
        BestWeights = null;
        return best;
    }

    /// <summary>Frees the tensors this checkpoint still owns.</summary>
    public void Dispose()
    {
        foreach (var group in new[] { _modelWeights, BestWeights, EpochStartWeights }.Concat(HookStates.Values)) ModuleState.Dispose(group);
    }
}

/// <summary>The JSON part of a checkpoint: position, running sums, finished epochs, callback and schedule state.</summary>
internal sealed record CheckpointHeader
{
    public required string Configuration { get; init; }
    public required string DataFingerprint { get; init; }
    public required int Epoch { get; init; }
    public required int BatchesDone { get; init; }
    public required int BatchCount { get; init; }
    public CheckpointData? Data { get; init; }
    public double LossSum { get; init; }
    public double PenaltySum { get; init; }
    public long Correct { get; init; }
    public required List<EpochMetrics> Epochs { get; init; }
    /// <summary>Each checkpointed callback's state, by its <see cref="ICheckpointedCallback.StateKey"/>.</summary>
    public required Dictionary<string, JsonObject> Callbacks { get; init; }
    /// <summary>The epoch whose weights the best-weights section holds (early stopping's best), or null without it.</summary>
    public int? BestWeightsEpoch { get; init; }
    public required LearningRateScheduleState Schedule { get; init; }
    public long AugmentationBatches { get; init; }
    public StopReason? StopReason { get; init; }
    public string? StopDetail { get; init; }

    /// <summary>
    /// Checks every number against what a run of <paramref name="configuration"/> can produce, so a hand-edited (and
    /// re-hashed) header cannot send training into a near-endless loop or past an array's end.
    /// </summary>
    /// <exception cref="InvalidDataException">A field is out of range (the message names it).</exception>
    public void Validate(TrainingConfiguration configuration, int weightCount)
    {
        int epochs = configuration.Training.Epochs;
        void Require(bool ok, string what)
        {
            if (!ok) throw new InvalidDataException($"Its header is out of range: {what}.");
        }
        Require(Epoch >= 1 && Epoch <= epochs + 1, $"epoch {Epoch} (the run has {epochs})");
        Require(BatchCount >= 1 && BatchesDone >= 0 && BatchesDone < BatchCount, $"batch {BatchesDone} of {BatchCount}");
        Require(Epochs is not null && Epochs.Count == Epoch - 1 && Epochs.Select((e, i) => e.Epoch == i + 1).All(ok => ok), "the finished epochs are not numbered 1 to epoch − 1");
        Require(BestWeightsEpoch is null || BestWeightsEpoch >= 1 && BestWeightsEpoch <= Epochs!.Count, $"best epoch {BestWeightsEpoch}");
        Require(Callbacks is not null && Callbacks.Values.All(state => state is not null), "callback states");
        Require(Correct >= 0 && Correct <= (long)BatchesDone * configuration.Training.BatchSize, $"running correct count {Correct}");
        Require(double.IsFinite(LossSum) && double.IsFinite(PenaltySum), "running sums are not finite");
        Require(AugmentationBatches >= 0, $"augmentation batch count {AugmentationBatches}");
        Require(StopReason is null || Enum.IsDefined(StopReason.Value), $"stop reason {StopReason}");
        // The plateau schedule only ever lowers the rate: a saved rate above the configured one is an edit.
        Require(Schedule is not null && double.IsFinite(Schedule.Current) && Schedule.Current >= 0 && Schedule.Current <= configuration.Training.LearningRate
            && Schedule.BadEpochs >= 0 && Schedule.BadEpochs <= Epoch, $"learning-rate schedule state (rate {Schedule?.Current}, bad epochs {Schedule?.BadEpochs})");
        Require(weightCount > 0, "no model weights");
        if (Data is { } data)
        {
            Require(data.Channels >= 1 && data.Height >= 1 && data.Width >= 1
                && (long)data.Channels * data.Height * data.Width <= OnnxReg.Data.ResourceLimits.MaxModelInputValues, $"image shape {data.Channels}×{data.Height}×{data.Width}");
            Require(data.ClassNames is { Count: >= 2 } && data.ClassNames.All(n => n is not null), "class names");
            data.Normalization.Validate(data.Channels);
            if (data.Image is { } image)
            {
                image.Validate();
                Require((image.Channels, image.Height, image.Width) == (data.Channels, data.Height, data.Width), $"image preparation {image}");
            }
            // The network the checkpoint describes must fit the budget before anyone builds it from this file.
            Models.ModelBudget.Estimate(configuration.Model, data.Channels, data.Height, data.Width, data.ClassNames.Count)
                .Check(configuration.Model.Preset.ToString().ToLowerInvariant(), configuration.Training.BatchSize);
        }
    }
}

/// <summary>What the training images looked like, so a checkpoint can be exported on its own.</summary>
internal sealed record CheckpointData(int Channels, int Height, int Width, List<string> ClassNames, Normalization Normalization)
{
    /// <summary>How the images were decoded from files, or null (IDX data; checkpoints of OnnxReg 0.1).</summary>
    public ImagePreparation? Image { get; init; }
}

/// <summary>Random states: libtorch's global generator (dropout), the shuffler as it was when the epoch began (so
/// the epoch's order can be drawn again), and the augmentation generator (null without augmentation).</summary>
internal sealed record CheckpointRandomState(byte[] Global, byte[] ShufflerAtEpochStart, byte[]? Augmentation);
