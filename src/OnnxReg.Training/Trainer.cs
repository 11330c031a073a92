using System.Diagnostics;
using System.Globalization;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;
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
    /// <param name="callbacks">Further callbacks, run after early stopping, in order; they observe every epoch
    /// (<see cref="EpochProgress"/> for a progress display) and may stop training.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public Trainer(TrainingConfiguration configuration, IEnumerable<ITrainingCallback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Validate();
        _configuration = configuration;
        _callbacks = callbacks?.ToList() ?? [];
        LibTorchHeap.Configure();
        CpuKernels.ApplyLogLevel();
    }

    /// <summary>Trains <paramref name="model"/> in place and returns its history. The model ends in evaluation mode,
    /// holding the best epoch's weights when early stopping restores them. If the loss turns non-finite, training
    /// stops and the model holds the weights of the last completed epoch.</summary>
    /// <param name="model">Maps [N, C, H, W] images to [N, classes] logits.</param>
    /// <param name="train">The training data.</param>
    /// <param name="validation">Validation data measured after each epoch, or null.</param>
    /// <param name="checkpoint">Where to write a checkpoint after every epoch (and on cancellation), and whether to
    /// continue from it; null for none. A resumed run ends with the same weights and metrics as an uninterrupted one.</param>
    /// <param name="cancellation">Stops training at the end of the current batch, writes the checkpoint and throws
    /// <see cref="TrainingInterruptedException"/>.</param>
    /// <exception cref="ArgumentException">Early stopping or the schedule watch a validation metric but there is no validation set.</exception>
    /// <exception cref="FileNotFoundException">Resume is required and there is no checkpoint.</exception>
    /// <exception cref="InvalidDataException">Resume is required and the checkpoint is damaged.</exception>
    /// <exception cref="CheckpointMismatchException">Resume is required and the checkpoint belongs to another configuration, data or model.</exception>
    /// <exception cref="TrainingInterruptedException">Cancelled.</exception>
    public TrainingHistory Fit(nn.Module<Tensor, Tensor> model, TensorDataset train, TensorDataset? validation = null,
        CheckpointOptions? checkpoint = null, CancellationToken cancellation = default)
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
        using var run = new TrainingRun(_configuration, model, train, _callbacks);
        string fingerprint = checkpoint is null ? "" : ResumePolicy.DataFingerprint(train, hasValidation ? validation : null);
        foreach (var callback in run.Callbacks) callback.OnTrainBegin(model);
        foreach (var hook in run.StepHooks) hook.OnTrainBegin(train);
        var (position, finished) = ResumePolicy.Resume(run, checkpoint, fingerprint);

        var reason = finished?.Reason ?? StopReason.Completed;
        string detail = finished?.Detail ?? $"trained all {Options.Epochs} epochs";
        for (int epoch = position.Epoch; finished is null && epoch <= Options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double learningRate = run.Schedule.LearningRateFor(epoch);
            foreach (var group in run.Optimizer.ParamGroups) group.LearningRate = learningRate;
            if (position.BatchesDone == 0)
                foreach (var hook in run.StepHooks) hook.OnEpochStart(epoch);
            var result = TrainEpoch(model, train, run, position, cancellation);
            if (result.Interrupted is TrainingPosition interrupted)
            {
                if (checkpoint is not null) run.Save(checkpoint.Path, interrupted, fingerprint);
                foreach (var hook in run.StepHooks) hook.OnTrainEnd(interrupted: true);
                throw new TrainingInterruptedException(epoch, interrupted.BatchesDone, run.BatchCount, checkpoint?.Path, cancellation);
            }
            if (result.BadBatch is int batch)
            {
                run.RollBackToEpochStart();
                reason = StopReason.NonFiniteLoss;
                detail = string.Create(CultureInfo.InvariantCulture,
                    $"the training loss became {result.BadValue:G3}{(double.IsFinite(result.BadValue) ? $" (over {ExplodedLoss:G}: diverged)" : "")} at epoch {epoch}, batch {batch}; the learning rate ({learningRate:G3}) is likely too high, or the data has non-finite values; ")
                    + (run.Epochs.Count > 0 ? $"the model keeps the weights of epoch {run.Epochs[^1].Epoch}, the last finite one" : "no epoch completed");
                break;
            }
            foreach (var hook in run.StepHooks) hook.OnEpochEnd(epoch);
            double? validationLoss = null, validationAccuracy = null;
            if (hasValidation)
                (validationLoss, validationAccuracy) = Evaluate(model, validation!, Options.BatchSize);
            var metrics = new EpochMetrics(epoch, result.Loss, result.Accuracy, validationLoss, validationAccuracy, clock.Elapsed.TotalSeconds, result.Penalty, learningRate);
            run.Epochs.Add(metrics);
            run.Schedule.Observe(metrics);
            StopRequest? requested = null;
            foreach (var callback in run.Callbacks) requested ??= callback.OnEpochEnd(model, metrics);
            if (requested is not null)
                finished = (requested.Reason, requested.Detail);
            else if (epoch == Options.Epochs)
                finished = (reason, detail);
            run.MarkEpochStart();
            position = new TrainingPosition(epoch + 1, 0, default, RandomState.Capture(run.Shuffler));
            if (checkpoint is not null) run.Save(checkpoint.Path, position, fingerprint, finished?.Reason, finished?.Detail);
            if (finished is { } end) (reason, detail) = end;
        }
        foreach (var callback in run.Callbacks) callback.OnTrainEnd(model);
        foreach (var hook in run.StepHooks) hook.OnTrainEnd(interrupted: false);
        model.eval();
        return new TrainingHistory(_configuration, [.. run.Epochs], reason, detail, run.EarlyStopping?.BestEpoch, run.EarlyStopping?.RestoredEpoch);
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
            using var reader = data.Read(order: null, batchSize);
            while (reader.HasNext)
            {
                using var scope = NewDisposeScope();
                var (images, labels) = reader.Next();
                var logits = model.forward(images);
                lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).ToDouble();
                correct += logits.argmax(1).eq(labels).sum().ToInt64();
            }
        }
        model.train(wasTraining);
        return (lossSum / data.Count, (double)correct / data.Count);
    }

    /// <summary>
    /// A batch's cross-entropy above which training has diverged even though the loss is still finite: an untrained
    /// classifier scores about ln(classes) (2.3 for ten), so 1,000 means logits apart by hundreds — weights that are
    /// already ruined and whose export can no longer match in float32. Training then stops as for a NaN loss.
    /// </summary>
    public const double ExplodedLoss = 1000;

    private readonly record struct EpochResult(double Loss, double Accuracy, double Penalty, int? BadBatch = null, double BadValue = 0, TrainingPosition? Interrupted = null);

    // Runs the epoch from position.BatchesDone: the batch order is drawn again from the shuffler's state at the
    // epoch's start, so a resumed epoch sees the same batches. Cancellation is checked before each batch.
    private EpochResult TrainEpoch(nn.Module<Tensor, Tensor> model, TensorDataset train, TrainingRun run, TrainingPosition position, CancellationToken cancellation)
    {
        model.train();
        RandomState.Restore(position.ShufflerAtEpochStart, run.Shuffler);
        using var order = randperm(train.Count, generator: run.Shuffler);
        using var reader = train.Read(order, Options.BatchSize, firstBatch: position.BatchesDone);
        var (lossSum, penaltySum, correct) = position.Sums;
        int batch = position.BatchesDone;
        var clock = Stopwatch.StartNew();
        var heapRelease = new PeriodicHeapRelease(LibTorchHeap.ReleaseInterval, LibTorchHeap.BatchesBetweenCollections);
        long imagesSeen = 0;
        for (int start = batch * Options.BatchSize; start < train.Count; start += Options.BatchSize, batch++)
        {
            if (cancellation.IsCancellationRequested)
                return new EpochResult(0, 0, 0, Interrupted: position with { BatchesDone = batch, Sums = new EpochSums(lossSum, penaltySum, correct) });
            heapRelease.BetweenBatches(); // here, where the last batch's tensors are freed and the next one's not yet made
            using var scope = NewDisposeScope();
            int length = Math.Min(Options.BatchSize, train.Count - start);
            var (images, labels) = reader.Next();
            Tensor? targets = null;
            if (run.Augmentation is not null)
                (images, targets) = run.Augmentation.Apply(images, labels, train.ClassCount);

            run.Optimizer.zero_grad();
            var logits = model.forward(images);
            var dataLoss = DataLoss(logits, labels, targets, train.ClassCount, run.ClassWeights);
            // The penalty is not part of the graph: its exact gradient is added after backward (WeightPenalty.AddGradients),
            // and its value is measured once, on the epoch's final weights (two reductions per parameter per batch cost
            // more than the penalty's gradient itself).
            double dataLossValue = dataLoss.ToDouble();
            if (!double.IsFinite(dataLossValue) || dataLossValue > ExplodedLoss)
                return new EpochResult(double.NaN, double.NaN, double.NaN, batch + 1, dataLossValue);
            var loss = dataLoss;
            foreach (var hook in run.StepHooks)
                if (hook.LossTerm() is { } term) loss = loss.add(term);
            loss.backward();
            foreach (var hook in run.StepHooks) hook.AfterBackward();
            foreach (var hook in run.StepHooks) hook.BeforeOptimizerStep();
            run.Optimizer.step();
            foreach (var hook in run.StepHooks) hook.AfterOptimizerStep();
            lossSum += dataLossValue * length;
            using (no_grad())
                correct += logits.argmax(1).eq(labels).sum().ToInt64();
            imagesSeen += length;
            var progress = new BatchProgress(position.Epoch, batch + 1, run.BatchCount, batch + 1 - position.BatchesDone, imagesSeen, clock.Elapsed.TotalSeconds, dataLossValue);
            foreach (var callback in run.Callbacks) callback.OnBatchEnd(progress);
        }
        double penalty = run.Penalty?.Value() ?? 0;
        if (!double.IsFinite(penalty))
            return new EpochResult(double.NaN, double.NaN, double.NaN, batch, penalty);
        return new EpochResult(lossSum / train.Count, (double)correct / train.Count, penalty);
    }

    // Hard labels use libtorch's cross-entropy (with its label smoothing and class weights, averaged over the weights
    // of the batch's labels); mixed soft targets are smoothed the same way and scored as −Σ w·t·log softmax(z),
    // averaged over the batch, as PyTorch does for probability targets.
    private Tensor DataLoss(Tensor logits, Tensor labels, Tensor? targets, int classes, Tensor? classWeights)
    {
        double smoothing = Options.LabelSmoothing;
        if (targets is null)
            return nn.functional.cross_entropy(logits, labels, weight: classWeights, label_smoothing: smoothing);
        if (smoothing > 0)
            targets = targets.mul(1 - smoothing).add(smoothing / classes);
        if (classWeights is not null)
            targets = targets.mul(classWeights);
        return targets.mul(nn.functional.log_softmax(logits, 1)).sum(1).mean().neg();
    }

    private IEnumerable<(string What, string Monitor)> MonitoredMetrics()
    {
        if (_configuration.EarlyStopping is { } es) yield return ("Early stopping", es.Monitor);
        if (_configuration.Schedule.Kind == LearningRateScheduleKind.ReduceOnPlateau) yield return ("The plateau schedule", _configuration.Schedule.Monitor);
    }
}
