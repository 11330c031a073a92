using OnnxReg.Data;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Models;
using OnnxReg.Training.Techniques;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Techniques;

/// <summary>SWA ships the equal-weight mean of the weights at the end of the last epochs, and recomputes BatchNorm's
/// statistics for it.</summary>
public class SwaTests
{
    private sealed class WeightsAtEpochEnd : ITrainingCallback
    {
        public List<Dictionary<string, float[]>> Epochs { get; } = [];
        public void OnTrainBegin(nn.Module model) { }
        public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics)
        {
            Epochs.Add(model.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray()));
            return null;
        }
        public void OnTrainEnd(nn.Module model) { }
    }

    private static TensorDataset Data()
    {
        var data = DatasetSource.Load(DatasetSource.Embedded).Train.Take(300);
        return TensorDataset.From(data, Normalization.Estimate(data.Pixels));
    }

    [Test]
    public void TheExportedWeights_AreTheMeanOfTheLastEpochs()
    {
        using var train = Data();
        var configuration = TechniqueRegistry.Get("swa").Apply(new TrainingConfiguration { Training = new TrainingOptions(Epochs: 4, BatchSize: 100, Seed: 2) }, 0.5);
        using var model = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, seed: 2);
        var recorder = new WeightsAtEpochEnd();
        new Trainer(configuration, [recorder]).Fit(model, train);
        foreach (var (name, parameter) in model.named_parameters())
        {
            var final = parameter.data<float>().ToArray();
            var mean = recorder.Epochs[2][name].Zip(recorder.Epochs[3][name], (a, b) => (a + b) / 2).ToArray();
            Assert.That(final, Is.EqualTo(mean).Within(1e-6), $"{name}: the mean of epochs 3 and 4 (0.5 of 4 epochs)");
        }
    }

    [Test]
    public void BatchNormStatistics_AreRecomputedForTheAverage()
    {
        using var train = Data();
        var plain = new TrainingConfiguration { Model = new ModelOptions(ModelPreset.Mlp, BatchNorm: true), Training = new TrainingOptions(Epochs: 2, BatchSize: 100, Seed: 2) };
        var configuration = TechniqueRegistry.Get("swa").Apply(plain, 1);
        using var model = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, seed: 2);
        new Trainer(configuration).Fit(model, train);
        var norm = model.modules().OfType<TorchSharp.Modules.BatchNorm1d>().First();
        // What one cumulative pass over the training data with the final (averaged) weights gives:
        var recomputedMean = norm.running_mean!.data<float>().ToArray();
        using var copy = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, seed: 2);
        copy.load_state_dict(model.state_dict());
        var copyNorm = copy.modules().OfType<TorchSharp.Modules.BatchNorm1d>().First();
        copyNorm.reset_running_stats();
        copyNorm.momentum = null;
        copy.train();
        using (no_grad())
            for (int start = 0; start < train.Count; start += 100)
                copy.forward(train.Slice(start, 100));
        Assert.That(recomputedMean, Is.EqualTo(copyNorm.running_mean!.data<float>().ToArray()).Within(1e-5));
        Assert.That(model.training, Is.False, "the model ends in evaluation mode");
    }
}
