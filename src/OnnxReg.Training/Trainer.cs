using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>
/// Trains a classifier with cross-entropy on mini-batches shuffled each epoch (seeded), with Adam or SGD with
/// momentum, and measures training and validation loss and accuracy per epoch.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingOptions _options;

    /// <summary>Creates a trainer; the options are validated here, before any training.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public Trainer(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Trains <paramref name="model"/> in place and returns the per-epoch history.</summary>
    /// <param name="model">Maps [N, C, H, W] images to [N, classes] logits.</param>
    /// <param name="train">The training data.</param>
    /// <param name="validation">Validation data measured after each epoch, or null.</param>
    /// <param name="onEpoch">Called after each epoch (for progress display), or null.</param>
    public TrainingHistory Fit(nn.Module<Tensor, Tensor> model, TensorDataset train, TensorDataset? validation = null, Action<EpochMetrics>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new ArgumentException("The training set is empty.", nameof(train));

        torch.random.manual_seed(_options.Seed);
        using var shuffler = new Generator((ulong)_options.Seed);
        using var optimizer = CreateOptimizer(model);
        var epochs = new List<EpochMetrics>(_options.Epochs);
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var (trainLoss, trainAccuracy) = TrainEpoch(model, train, optimizer, shuffler);
            double? validationLoss = null, validationAccuracy = null;
            if (validation is { Count: > 0 })
            {
                var measured = Evaluate(model, validation, _options.BatchSize);
                validationLoss = measured.Loss;
                validationAccuracy = measured.Accuracy;
            }
            var metrics = new EpochMetrics(epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, clock.Elapsed.TotalSeconds);
            epochs.Add(metrics);
            onEpoch?.Invoke(metrics);
        }
        model.eval();
        return new TrainingHistory(_options, epochs);
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

    private (double Loss, double Accuracy) TrainEpoch(nn.Module<Tensor, Tensor> model, TensorDataset train, optim.Optimizer optimizer, Generator shuffler)
    {
        model.train();
        using var order = randperm(train.Count, generator: shuffler);
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < train.Count; start += _options.BatchSize)
        {
            using var scope = NewDisposeScope();
            int length = Math.Min(_options.BatchSize, train.Count - start);
            var indices = order.narrow(0, start, length);
            var images = train.Images.index_select(0, indices);
            var labels = train.Labels.index_select(0, indices);
            optimizer.zero_grad();
            var logits = model.forward(images);
            var loss = nn.functional.cross_entropy(logits, labels);
            loss.backward();
            optimizer.step();
            lossSum += loss.ToDouble() * length;
            using (no_grad())
                correct += logits.argmax(1).eq(labels).sum().ToInt64();
        }
        return (lossSum / train.Count, (double)correct / train.Count);
    }

    private optim.Optimizer CreateOptimizer(nn.Module<Tensor, Tensor> model) => _options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(model.parameters(), lr: _options.LearningRate),
        OptimizerKind.Sgd => optim.SGD(model.parameters(), _options.LearningRate, momentum: _options.Momentum),
        _ => throw new ArgumentOutOfRangeException(nameof(_options.Optimizer), _options.Optimizer, "Unknown optimizer."),
    };
}
