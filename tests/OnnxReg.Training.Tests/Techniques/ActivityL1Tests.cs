using TorchSharp;
using OnnxReg.Data;
using OnnxReg.Training.Hooks;
using OnnxReg.Training.Models;
using OnnxReg.Training.Techniques;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Techniques;

/// <summary>Activity regularization penalizes the penultimate features, λ·Σ|a|/N, leaves nothing on the model after
/// training, and makes the learned representation sparser.</summary>
public class ActivityL1Tests
{
    [Test]
    public void TheLossTerm_IsLambdaTimesTheMeanL1OfTheFeaturesTheLastLayerReads_AndTheHookGoesAtTheEnd()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(2);
        var model = nn.Sequential(("fc1", nn.Linear(4, 3)), ("relu", nn.ReLU()), ("fc2", nn.Linear(3, 2)));
        var penalty = new ActivityPenalty(model, 0.01);
        var input = randn(5, 4);
        model.forward(input);
        var features = nn.functional.relu(((nn.Module<Tensor, Tensor>)model[0]).forward(input));
        Assert.That(penalty.LossTerm()!.ToDouble(), Is.EqualTo(0.01 * features.abs().sum().ToDouble() / 5).Within(1e-9));
        penalty.OnTrainEnd(interrupted: false);
        model.forward(input);
        Assert.That(penalty.LossTerm(), Is.Null, "after training the layer is no longer watched");
    }

    [Test]
    public void Training_WithIt_GivesSparserFeatures()
    {
        var data = DatasetSource.Load(DatasetSource.Embedded).Train.Take(600);
        var normalization = Normalization.Estimate(data.Pixels);
        using var tensors = TensorDataset.From(data, normalization);
        double MeanAbsFeatures(double strength)
        {
            var configuration = new TrainingConfiguration { Training = new TrainingOptions(Epochs: 3, BatchSize: 64, Seed: 1) };
            if (strength > 0) configuration = TechniqueRegistry.Get("activity-l1").Apply(configuration, strength);
            using var model = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, configuration.Training.Seed);
            new Trainer(configuration).Fit(model, tensors);
            using var scope = NewDisposeScope();
            Tensor? features = null;
            var last = model.modules().OfType<TorchSharp.Modules.Linear>().Last();
            using (no_grad())
            {
                var remover = last.register_forward_pre_hook((_, x) => { features = x.clone(); return x; });
                model.forward(tensors.Slice(0, 200));
                remover.remove();
            }
            return features!.abs().mean().ToDouble();
        }
        double plain = MeanAbsFeatures(0), penalized = MeanAbsFeatures(0.01);
        Assert.That(penalized, Is.LessThan(plain * 0.8), $"mean |a|: {penalized:G4} with activity-l1 0.01, {plain:G4} without");
    }
}
