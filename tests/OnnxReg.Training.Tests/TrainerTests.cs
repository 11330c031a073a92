using OnnxReg.Data;
using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests;

public class TrainerTests
{
    private static ImageDataset _train = null!;
    private static ImageDataset _validation = null!;

    [OneTimeSetUp]
    public static void LoadData()
    {
        var embedded = DatasetSource.Load(DatasetSource.Embedded);
        (_train, _validation) = DatasetSplit.TrainValidation(embedded.Train.Take(1200), 0.25, seed: 1);
    }

    private static TrainingHistory TrainMlp(TrainingOptions options, out float[] firstWeights)
    {
        var normalization = Normalization.Estimate(_train.Pixels);
        using var model = ModelPresets.Create(ModelPreset.Mlp, 1, 28, 28, 10, 0.2, seed: 3);
        using var train = TensorDataset.From(_train, normalization);
        using var validation = TensorDataset.From(_validation, normalization);
        var history = new Trainer(options).Fit(model, train, validation);
        firstWeights = model.parameters().First().data<float>().ToArray();
        return history;
    }

    [Test]
    public void Fit_LowersTrainingLoss_AndReportsEveryEpoch()
    {
        var history = TrainMlp(new TrainingOptions(Epochs: 4, BatchSize: 64), out _);
        Assert.That(history.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(history.Final.TrainLoss, Is.LessThan(history.Epochs[0].TrainLoss * 0.8));
        Assert.That(history.Final.ValidationAccuracy, Is.GreaterThan(0.6), "10 classes: chance is 0.1");
        Assert.That(history.Epochs.All(e => e.ValidationLoss is > 0 && e.TrainAccuracy is > 0 and <= 1), Is.True);
    }

    [Test]
    public void Fit_WithSameSeed_IsReproducible()
    {
        var options = new TrainingOptions(Epochs: 2, BatchSize: 64, Seed: 11);
        var first = TrainMlp(options, out var weightsA);
        var second = TrainMlp(options, out var weightsB);
        Assert.That(second.Final.TrainLoss, Is.EqualTo(first.Final.TrainLoss));
        Assert.That(weightsB, Is.EqualTo(weightsA));
    }

    [Test]
    public void Fit_WithSgdMomentum_AlsoLearns()
    {
        var history = TrainMlp(new TrainingOptions(Epochs: 3, BatchSize: 64, LearningRate: 0.05, Optimizer: OptimizerKind.Sgd, Momentum: 0.9), out _);
        Assert.That(history.Final.TrainLoss, Is.LessThan(history.Epochs[0].TrainLoss));
    }

    [Test]
    public void Fit_LeavesTheModelInEvalMode()
    {
        using var model = ModelPresets.Create(ModelPreset.Mlp, 1, 28, 28, 10, 0.5, seed: 3);
        using var train = TensorDataset.From(_train.Take(64), Normalization.None);
        new Trainer(new TrainingOptions(Epochs: 1)).Fit(model, train);
        Assert.That(model.training, Is.False);
    }

    [Test]
    public void Evaluate_MatchesHandComputedAccuracy()
    {
        // A model that always predicts class 0: accuracy is the share of label 0.
        using var model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10));
        using (no_grad())
        {
            foreach (var p in model.parameters()) p.zero_();
            ((TorchSharp.Modules.Linear)model.children().Last()).bias![0] = 1f;
        }
        using var data = TensorDataset.From(_validation, Normalization.None);
        var (loss, accuracy) = Trainer.Evaluate(model, data);
        double expected = _validation.Labels.Count(l => l == 0) / (double)_validation.Count;
        Assert.That(accuracy, Is.EqualTo(expected).Within(1e-12));
        // Logits (1, 0, …, 0): loss is log(e + 9) - 1 for label 0 and log(e + 9) otherwise.
        double lse = Math.Log(Math.E + 9);
        double expectedLoss = expected * (lse - 1) + (1 - expected) * lse;
        Assert.That(loss, Is.EqualTo(expectedLoss).Within(1e-5));
    }
}
