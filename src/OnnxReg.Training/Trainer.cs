using System.Diagnostics;
using System.Globalization;
using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Regularization;
using OnnxReg.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>
/// Trains a classifier: mini-batches shuffled each epoch (seeded) from tensors in memory, cross-entropy (with
/// label smoothing, mixup/cutmix soft targets) plus L1/L2 penalties, Adam, SGD with momentum or AdamW, a
/// max-norm constraint, data augmentation, a learning-rate schedule, and early stopping — all from one
/// <see cref="TrainingConfiguration"/>. It reports data loss and penalty separately for each epoch.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingConfiguration _configuration;
    private readonly IReadOnlyList<ITrainingCallback> _callbacks;
    private TrainingOptions Options => _configuration.Training;

    /// <summary>Creates a trainer with only optimizer options (no regularization beyond the model's own layers).</summary>
    public Trainer(TrainingOptions options) : this(new TrainingConfiguration { Training = options ?? throw new ArgumentNullException(nameof(options)) })
    {
    }

    /// <summary>Creates a trainer; the whole configuration is validated here, before any training.</summary>
    /// <param name="configuration">What to train with (its <see cref="TrainingConfiguration.Model"/> part is the caller's business).</param>
    /// <param name="callbacks">Further callbacks, run after early stopping.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public Trainer(TrainingConfiguration configuration, IEnumerable<ITrainingCallback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Validate();
        _configuration = configuration;
        _callbacks = callbacks?.ToList() ?? [];
    }

    /// <summary>Trains <paramref name="model"/> in place and returns its history. The model ends in evaluation mode,
    /// holding the best epoch's weights when early stopping restores them.</summary>
    /// <param name="model">Maps [N, C, H, W] images to [N, classes] logits.</param>
    /// <param name="train">The training data.</param>
    /// <param name="validation">Validation data measured after each epoch, or null.</param>
    /// <param name="onEpoch">Called after each epoch (for progress display), or null.</param>
    /// <exception cref="ArgumentException">Early stopping or the schedule watch a validation metric but there is no validation set.</exception>
    public TrainingHistory Fit(nn.Module<Tensor, Tensor> model, TensorDataset train, TensorDataset? validation = null, Action<EpochMetrics>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new ArgumentException("The training set is empty.", nameof(train));
        bool hasValidation = validation is { Count: > 0 };
        foreach (var (what, monitor) in MonitoredMetrics())
            if (monitor.StartsWith("val_", StringComparison.Ordinal) && !hasValidation)
                throw new ArgumentException($"{what} monitors '{monitor}' but there is no validation set. Hold out validation data, or monitor 'loss'.");

        torch.random.manual_seed(Options.Seed);
        using var shuffler = new Generator((ulong)Options.Seed);
        using var optimizer = CreateOptimizer(model);
        using var augmentation = _configuration.Augmentation.IsEmpty ? null : new AugmentationPipeline(_configuration.Augmentation, Options.Seed, train.Background);
        using var earlyStopping = _configuration.EarlyStopping is { } es ? new EarlyStopping(es) : null;
        // Built whenever layers are named, so a misspelt layer fails before training even if its strengths are zero.
        var penalty = _configuration.Penalty.IsActive || _configuration.Penalty.Layers is { Count: > 0 } ? new WeightPenalty(model, _configuration.Penalty) : null;
        if (penalty is { IsActive: false }) penalty = null;
        var maxNorm = _configuration.MaxNorm is double c ? new MaxNormConstraint(model, c) : null;
        var schedule = new LearningRateSchedule(_configuration.Schedule, Options.LearningRate, Options.Epochs);
        var callbacks = (earlyStopping is null ? _callbacks : [earlyStopping, .. _callbacks]).ToList();

        foreach (var callback in callbacks) callback.OnTrainBegin(model);
        var epochs = new List<EpochMetrics>(Options.Epochs);
        var reason = StopReason.Completed;
        string detail = $"trained all {Options.Epochs} epochs";
        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double learningRate = schedule.LearningRateFor(epoch);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
            var result = TrainEpoch(model, train, optimizer, shuffler, augmentation, penalty, maxNorm);
            if (result.BadBatch is int batch)
            {
                reason = StopReason.NonFiniteLoss;
                detail = string.Create(CultureInfo.InvariantCulture,
                    $"the training loss became {result.BadValue} at epoch {epoch}, batch {batch}; the learning rate ({learningRate:G3}) is likely too high, or the data has non-finite values");
                break;
            }
            double? validationLoss = null, validationAccuracy = null;
            if (hasValidation)
                (validationLoss, validationAccuracy) = Evaluate(model, validation!, Options.BatchSize);
            var metrics = new EpochMetrics(epoch, result.Loss, result.Accuracy, validationLoss, validationAccuracy, clock.Elapsed.TotalSeconds, result.Penalty, learningRate);
            epochs.Add(metrics);
            onEpoch?.Invoke(metrics);
            schedule.Observe(metrics);
            StopReason? requested = null;
            foreach (var callback in callbacks) requested ??= callback.OnEpochEnd(model, metrics);
            if (requested is StopReason stop)
            {
                reason = stop;
                detail = Describe(stop, metrics);
                break;
            }
        }
        foreach (var callback in callbacks) callback.OnTrainEnd(model);
        model.eval();
        return new TrainingHistory(_configuration, epochs, reason, detail, earlyStopping?.BestEpoch, earlyStopping?.RestoredEpoch);
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="model"/> on <paramref name="data"/>, in evaluation mode.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, TensorDataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        bool wasTraining = model.training;
        model.eval();
        double lossSum = 0;
        long correct = 0;
        using (no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int length = Math.Min(batchSize, data.Count - start);
                var images = data.Images.narrow(0, start, length);
                var labels = data.Labels.narrow(0, start, length);
                var logits = model.forward(images);
                lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).ToDouble();
                correct += logits.argmax(1).eq(labels).sum().ToInt64();
            }
        }
        model.train(wasTraining);
        return (lossSum / data.Count, (double)correct / data.Count);
    }

    private readonly record struct EpochResult(double Loss, double Accuracy, double Penalty, int? BadBatch = null, double BadValue = 0);

    private EpochResult TrainEpoch(nn.Module<Tensor, Tensor> model, TensorDataset train, optim.Optimizer optimizer, Generator shuffler,
        AugmentationPipeline? augmentation, WeightPenalty? penalty, MaxNormConstraint? maxNorm)
    {
        model.train();
        using var order = randperm(train.Count, generator: shuffler);
        double lossSum = 0, penaltySum = 0;
        long correct = 0;
        int batch = 0;
        for (int start = 0; start < train.Count; start += Options.BatchSize, batch++)
        {
            using var scope = NewDisposeScope();
            int length = Math.Min(Options.BatchSize, train.Count - start);
            var indices = order.narrow(0, start, length);
            var images = train.Images.index_select(0, indices);
            var labels = train.Labels.index_select(0, indices);
            Tensor? targets = null;
            if (augmentation is not null)
                (images, targets) = augmentation.Apply(images, labels, train.ClassCount);

            optimizer.zero_grad();
            var logits = model.forward(images);
            var dataLoss = DataLoss(logits, labels, targets, train.ClassCount);
            var loss = dataLoss;
            double dataLossValue = dataLoss.ToDouble(), penaltyValue = 0;
            if (penalty is not null)
            {
                var penaltyTerm = penalty.Compute();
                penaltyValue = penaltyTerm.ToDouble();
                loss = dataLoss.add(penaltyTerm);
            }
            if (!double.IsFinite(dataLossValue + penaltyValue))
                return new EpochResult(double.NaN, double.NaN, double.NaN, batch + 1, dataLossValue + penaltyValue);
            loss.backward();
            optimizer.step();
            maxNorm?.Apply();
            lossSum += dataLossValue * length;
            penaltySum += penaltyValue * length;
            using (no_grad())
                correct += logits.argmax(1).eq(labels).sum().ToInt64();
        }
        return new EpochResult(lossSum / train.Count, (double)correct / train.Count, penaltySum / train.Count);
    }

    // Hard labels use libtorch's cross-entropy (with its label smoothing); mixed soft targets are smoothed the same
    // way and scored as −Σ t·log softmax(z).
    private Tensor DataLoss(Tensor logits, Tensor labels, Tensor? targets, int classes)
    {
        double smoothing = Options.LabelSmoothing;
        if (targets is null)
            return nn.functional.cross_entropy(logits, labels, label_smoothing: smoothing);
        if (smoothing > 0)
            targets = targets.mul(1 - smoothing).add(smoothing / classes);
        return targets.mul(nn.functional.log_softmax(logits, 1)).sum(1).mean().neg();
    }

    private IEnumerable<(string What, string Monitor)> MonitoredMetrics()
    {
        if (_configuration.EarlyStopping is { } es) yield return ("Early stopping", es.Monitor);
        if (_configuration.Schedule.Kind == LearningRateScheduleKind.ReduceOnPlateau) yield return ("The plateau schedule", _configuration.Schedule.Monitor);
    }

    private string Describe(StopReason reason, EpochMetrics metrics)
    {
        var es = _configuration.EarlyStopping!;
        var value = metrics.Get(es.Monitor)?.ToString("G4", CultureInfo.InvariantCulture);
        return reason switch
        {
            StopReason.NoImprovement => $"early stopping at epoch {metrics.Epoch}: {es.Monitor} did not improve{(es.Baseline is double b ? $" on the baseline {b.ToString(CultureInfo.InvariantCulture)}" : "")} for {es.Patience} epoch(s)",
            StopReason.NonFiniteMetric => $"early stopping at epoch {metrics.Epoch}: {es.Monitor} is {value}",
            StopReason.Diverged => $"early stopping at epoch {metrics.Epoch}: {es.Monitor} = {value} crossed the divergence threshold {es.DivergenceThreshold?.ToString(CultureInfo.InvariantCulture)}",
            _ => $"stopped at epoch {metrics.Epoch} by a callback ({reason})",
        };
    }

    private optim.Optimizer CreateOptimizer(nn.Module<Tensor, Tensor> model) => Options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(model.parameters(), lr: Options.LearningRate),
        OptimizerKind.Sgd => optim.SGD(model.parameters(), Options.LearningRate, momentum: Options.Momentum),
        OptimizerKind.AdamW => optim.AdamW(model.parameters(), lr: Options.LearningRate, weight_decay: Options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(Options.Optimizer), Options.Optimizer, "Unknown optimizer."),
    };
}
