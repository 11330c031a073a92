using OnnxReg.Data;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Hooks;
using OnnxReg.Training.Models;
using OnnxReg.Training.Regularization;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Hooks;

/// <summary>The step's hooks run where Lightning's do: after backward with gradients present, around the optimizer's
/// step, and at each epoch's start and end; a callback that is also a hook runs after the techniques' hooks.</summary>
public class StepHookTests
{
    private sealed class Recorder(nn.Module model) : ITrainingCallback, IStepHook
    {
        public List<string> Calls { get; } = [];
        public string Key => "recorder";
        public Tensor? LossTerm() { Calls.Add("loss-term"); return null; }
        public void OnTrainBegin(TensorDataset train) => Calls.Add($"train-begin {train.Count}");
        public void AfterBackward() => Calls.Add(model.parameters().All(p => p.grad is not null) ? "backward(grad)" : "backward(no grad)");
        public void BeforeOptimizerStep() => Calls.Add("before-step");
        public void AfterOptimizerStep() => Calls.Add("after-step");
        public void OnEpochStart(int epoch) => Calls.Add($"start {epoch}");
        public void OnEpochEnd(int epoch) => Calls.Add($"end {epoch}");
        void IStepHook.OnTrainEnd(bool interrupted) => Calls.Add(interrupted ? "interrupted" : "train-end");
        public void OnTrainBegin(nn.Module m) { }
        public StopRequest? OnEpochEnd(nn.Module m, EpochMetrics metrics) { Calls.Add($"metrics {metrics.Epoch}"); return null; }
        public void OnTrainEnd(nn.Module m) { }
    }

    [Test]
    public void Hooks_RunAroundEachStep_AndAtEachEpochsEdges()
    {
        var data = DatasetSource.Load(DatasetSource.Embedded).Train.Take(100);
        using var model = ModelPresets.Create(ModelPreset.Mlp, 1, 28, 28, 10, 0, seed: 1);
        using var train = TensorDataset.From(data, Normalization.Estimate(data.Pixels));
        var recorder = new Recorder(model);
        new Trainer(new TrainingConfiguration { Training = new TrainingOptions(Epochs: 2, BatchSize: 50) }, [recorder]).Fit(model, train);
        string[] step = ["loss-term", "backward(grad)", "before-step", "after-step"];
        string[] expected = ["train-begin 100", "start 1", .. step, .. step, "end 1", "metrics 1", "start 2", .. step, .. step, "end 2", "metrics 2", "train-end"];
        Assert.That(recorder.Calls, Is.EqualTo(expected));
    }

    [Test]
    public void TechniqueHooks_ComeFromTheRegistry_InItsOrder_OnePenaltyForEveryPenaltyTechnique()
    {
        using var model = ModelPresets.Create(ModelPreset.Mlp, 1, 28, 28, 10, 0, seed: 1);
        var configuration = new TrainingConfiguration { Penalty = new WeightPenaltyOptions(L1: 1e-5, L2: 1e-4), MaxNorm = 3, ClipGradNorm = 1 };
        var hooks = OnnxReg.Training.Techniques.TechniqueRegistry.All.SelectMany(t => t.CreateHooks(configuration, model)).DistinctBy(h => h.Key).ToList();
        Assert.That(hooks.Select(h => h.Key), Is.EqualTo(new[] { "penalty", "max-norm", "clip-grad-norm" }));
        Assert.That(hooks[0], Is.TypeOf<WeightPenalty>());
        Assert.That(OnnxReg.Training.Techniques.TechniqueRegistry.All.SelectMany(t => t.CreateHooks(new TrainingConfiguration(), model)), Is.Empty, "nothing is hooked when nothing is set");
    }
}
