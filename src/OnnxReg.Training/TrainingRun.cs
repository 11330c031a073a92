using System.Text.Json.Nodes;
using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Optimizers;
using OnnxReg.Training.Regularization;
using OnnxReg.Training.Schedules;
using OnnxReg.Training.Techniques;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>
/// The mutable state of one <see cref="Trainer.Fit"/> call — optimizer, generators, augmentation, early stopping,
/// schedule, finished epochs, and the weights the current epoch started from — with the two operations checkpoints
/// need: write it all to a file, and put it all back from one. It owns every tensor and generator it creates.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    private readonly TrainingConfiguration _configuration;
    private readonly string _configurationJson; // written into every checkpoint and compared on resume
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly CheckpointData _data;
    private Dictionary<string, Tensor> _epochStartWeights;
    private readonly List<Hooks.IStepHook> _ownedHooks; // the techniques' hooks, disposed with the run (a callback's are its owner's)

    public TrainingRun(TrainingConfiguration configuration, nn.Module<Tensor, Tensor> model, TensorDataset train, IReadOnlyList<ITrainingCallback> callbacks)
    {
        _configuration = configuration;
        _configurationJson = configuration.ToCompactJson();
        _model = model;
        _data = new CheckpointData((int)train.ImageShape[0], (int)train.ImageShape[1], (int)train.ImageShape[2], [.. train.ClassNames], train.Normalization)
        {
            Image = train.Preparation,
        };
        var options = configuration.Training;
        Shuffler = new Generator((ulong)options.Seed);
        Optimizer = CreateOptimizer(model, options);
        Augmentation = configuration.Augmentation.IsEmpty ? null : new AugmentationPipeline(configuration.Augmentation, options.Seed, train.Normalization);
        EarlyStopping = configuration.EarlyStopping is { } es ? new EarlyStopping(es) : null;
        foreach (var technique in TechniqueRegistry.All) technique.ConfigureModel(configuration, model);
        // Each technique plugs its own hooks into the step, in the registry's order (penalty gradients before clipping);
        // a callback that is also a step hook runs after them, as a Lightning callback does.
        _ownedHooks = [.. TechniqueRegistry.All.SelectMany(t => t.CreateHooks(configuration, model)).DistinctBy(h => h.Key)];
        StepHooks = [.. _ownedHooks.Concat(callbacks.OfType<Hooks.IStepHook>()).DistinctBy(h => h.Key)];
        Penalty = StepHooks.OfType<WeightPenalty>().FirstOrDefault();
        ClassWeights = configuration.ClassWeights is { } weights ? LossWeights(weights, train) : null;
        Schedule = new LearningRateSchedule(configuration.Schedule, options.LearningRate, options.Epochs);
        Callbacks = EarlyStopping is null ? callbacks : [EarlyStopping, .. callbacks];
        BatchCount = (train.Count + options.BatchSize - 1) / options.BatchSize;
        _epochStartWeights = ModuleState.Copy(model);
    }

    public Generator Shuffler { get; }
    public OptimizerHelper Optimizer { get; }
    public AugmentationPipeline? Augmentation { get; }
    public EarlyStopping? EarlyStopping { get; }
    /// <summary>The penalty hook, also asked for the penalty's value at each epoch's end.</summary>
    public WeightPenalty? Penalty { get; }

    /// <summary>Every hook of the step, in the order they run.</summary>
    public IReadOnlyList<Hooks.IStepHook> StepHooks { get; }

    /// <summary>The per-class weights of the training loss [classes], or null (owned by this run).</summary>
    public Tensor? ClassWeights { get; }
    public LearningRateSchedule Schedule { get; }
    public IReadOnlyList<ITrainingCallback> Callbacks { get; }
    public List<EpochMetrics> Epochs { get; } = [];
    public int BatchCount { get; }

    /// <summary>Remembers the model's current weights as those the next epoch starts from.</summary>
    public void MarkEpochStart()
    {
        ModuleState.Dispose(_epochStartWeights);
        _epochStartWeights = ModuleState.Copy(_model);
    }

    /// <summary>Puts back the weights the current epoch started from (after its loss became non-finite).</summary>
    public void RollBackToEpochStart() => ModuleState.CopyInto(_model, _epochStartWeights);

    private byte[] SaveOptimizerState()
    {
        using var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true))
            Optimizer.save_state_dict(writer);
        return state.ToArray();
    }

    /// <summary>Writes the whole state at <paramref name="position"/>.</summary>
    public void Save(string path, TrainingPosition position, string dataFingerprint, StopReason? stopReason = null, string? stopDetail = null)
    {
        var augmentation = Augmentation?.CaptureState();
        var header = new CheckpointHeader
        {
            Configuration = _configurationJson,
            DataFingerprint = dataFingerprint,
            Epoch = position.Epoch,
            BatchesDone = position.BatchesDone,
            BatchCount = BatchCount,
            Data = _data,
            LossSum = position.Sums.LossSum,
            PenaltySum = position.Sums.PenaltySum,
            Correct = position.Sums.Correct,
            Epochs = [.. Epochs],
            Callbacks = Callbacks.OfType<ICheckpointedCallback>().ToDictionary(c => c.StateKey, c => c.SaveState()),
            BestWeightsEpoch = EarlyStopping?.BestWeights is null ? null : EarlyStopping.BestEpoch,
            Schedule = Schedule.State,
            AugmentationBatches = augmentation?.Batches ?? 0,
            StopReason = stopReason,
            StopDetail = stopDetail,
        };
        var random = new CheckpointRandomState(RandomState.Capture(), position.ShufflerAtEpochStart, augmentation?.GeneratorState);
        // At an epoch boundary the model's weights are the epoch-start weights; they are stored once.
        // The optimizer's state (two moments per weight with Adam) is streamed into the file, never held as a byte array.
        TrainingCheckpoint.Write(path, header, random, writer => Optimizer.save_state_dict(writer), _model.state_dict(), EarlyStopping?.BestWeights,
            position.BatchesDone == 0 ? null : _epochStartWeights,
            StepHooks.OfType<Hooks.ICheckpointedHook>().ToDictionary(h => h.Key, h => h.SaveTensors()));
    }

    /// <summary>
    /// Explains why <paramref name="checkpoint"/> cannot continue this run (another configuration, other data,
    /// another architecture), or returns null if it can.
    /// </summary>
    public string? Incompatibility(TrainingCheckpoint checkpoint, string dataFingerprint)
    {
        var header = checkpoint.Header;
        if (header.Configuration != _configurationJson)
            return $"it was written with another configuration (differing in: {string.Join(", ", DifferingSections(header.Configuration, _configurationJson))})";
        if (header.DataFingerprint != dataFingerprint)
            return "it was written for other training or validation data";
        var hookKeys = StepHooks.OfType<Hooks.ICheckpointedHook>().Select(h => h.Key).Order(StringComparer.Ordinal).ToList();
        if (!hookKeys.SequenceEqual(checkpoint.HookStates.Keys.Order(StringComparer.Ordinal)))
            return $"it holds the state of step hooks [{string.Join(", ", checkpoint.HookStates.Keys.Order(StringComparer.Ordinal))}], this run has [{string.Join(", ", hookKeys)}]";
        var keys = Callbacks.OfType<ICheckpointedCallback>().Select(c => c.StateKey).Order(StringComparer.Ordinal).ToList();
        if (!keys.SequenceEqual(header.Callbacks.Keys.Order(StringComparer.Ordinal)))
            return $"it holds the state of callbacks [{string.Join(", ", header.Callbacks.Keys.Order(StringComparer.Ordinal))}], this run has [{string.Join(", ", keys)}]";
        if (header.BatchCount != BatchCount)
            return $"it has {header.BatchCount} batches per epoch, this run {BatchCount}";
        if (!ModuleState.Fits(_model, checkpoint.ModelWeights, out var difference))
            return difference is null ? "its weights do not fit this model (it has other parameters)" : $"its weights do not fit this model (at '{difference}')";
        try
        {
            OptimizerStateFormat.Check(checkpoint.OptimizerState, _configuration.Training.Optimizer, [.. _model.parameters()], SaveOptimizerState(),
                (long)_configuration.Training.Epochs * BatchCount);
        }
        catch (InvalidDataException e)
        {
            return $"it is damaged ({e.Message.TrimEnd('.')})";
        }
        return null;
    }

    /// <summary>Puts every piece of state back from a compatible checkpoint (call after the callbacks' OnTrainBegin) and returns where to continue.</summary>
    public TrainingPosition Restore(TrainingCheckpoint checkpoint)
    {
        var header = checkpoint.Header;
        // Callbacks first: their states come from the file and are checked as they are read, and a refused state
        // leaves everything else untouched, so a run that may start over still can.
        foreach (var callback in Callbacks.OfType<ICheckpointedCallback>())
            callback.RestoreState(header.Callbacks[callback.StateKey], header.Epochs.Count);
        foreach (var hook in StepHooks.OfType<Hooks.ICheckpointedHook>())
            hook.RestoreTensors(checkpoint.HookStates[hook.Key]);
        ModuleState.CopyInto(_model, checkpoint.ModelWeights);
        using (var reader = new BinaryReader(new MemoryStream(checkpoint.OptimizerState)))
            Optimizer.load_state_dict(reader);
        EarlyStopping?.AdoptBestWeights(checkpoint.TakeBestWeights());
        Schedule.State = header.Schedule;
        Epochs.Clear();
        Epochs.AddRange(header.Epochs);
        RandomState.Restore(checkpoint.Random.Global);
        if (Augmentation is not null)
            Augmentation.RestoreState(checkpoint.Random.Augmentation ?? throw new InvalidDataException("The checkpoint has no augmentation state."), header.AugmentationBatches);
        if (checkpoint.EpochStartWeights is { } epochStart)
        {
            ModuleState.Dispose(_epochStartWeights);
            _epochStartWeights = epochStart.ToDictionary(p => p.Key, p => p.Value.clone());
        }
        else
        {
            MarkEpochStart();
        }
        return new TrainingPosition(header.Epoch, header.BatchesDone, new EpochSums(header.LossSum, header.PenaltySum, header.Correct), checkpoint.Random.ShufflerAtEpochStart);
    }

    public void Dispose()
    {
        foreach (var hook in _ownedHooks.OfType<IDisposable>()) hook.Dispose();
        ClassWeights?.Dispose();
        ModuleState.Dispose(_epochStartWeights);
        EarlyStopping?.Dispose();
        Augmentation?.Dispose();
        Optimizer.Dispose();
        Shuffler.Dispose();
    }

    private static IEnumerable<string> DifferingSections(string savedJson, string currentJson)
    {
        var saved = JsonNode.Parse(savedJson)!.AsObject();
        var current = JsonNode.Parse(currentJson)!.AsObject();
        return saved.Select(p => p.Key).Union(current.Select(p => p.Key))
            .Where(key => saved[key]?.ToJsonString() != current[key]?.ToJsonString());
    }

    private static Tensor LossWeights(ClassWeights weights, TensorDataset train)
    {
        using var counts = train.Labels.bincount(null, train.ClassCount);
        var perClass = weights.Resolve(train.ClassCount, counts.data<long>().ToArray());
        return tensor(perClass.Select(w => (float)w).ToArray());
    }

    // TorchSharp's optimizers with a step that allocates nothing per step (InPlaceOptimizers says why).
    private static OptimizerHelper CreateOptimizer(nn.Module<Tensor, Tensor> model, TrainingOptions options) =>
        InPlaceOptimizers.Create(options.Optimizer, model.parameters(), options.LearningRate, options.Momentum, options.WeightDecay);
}

/// <summary>Running sums over an epoch's batches so far.</summary>
internal readonly record struct EpochSums(double LossSum, double PenaltySum, long Correct);

/// <summary>Where training stands: the epoch to run (1-based), how many of its batches are done, their sums, and the
/// shuffling generator's state when the epoch began (its batch order is drawn from that state).</summary>
internal sealed record TrainingPosition(int Epoch, int BatchesDone, EpochSums Sums, byte[] ShufflerAtEpochStart);
