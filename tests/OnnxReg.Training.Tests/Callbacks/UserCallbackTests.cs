using System.Text.Json.Nodes;
using OnnxReg.Data;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Callbacks;

/// <summary>A user's callback is as much a part of training as early stopping: it may stop it, in its own words, and
/// its state is checkpointed and restored.</summary>
public class UserCallbackTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxreg-callbacks-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    /// <summary>Stops once the training loss has fallen <c>Times</c> times; remembers how often it has, across checkpoints.</summary>
    private sealed class StopAfterImprovements(int times) : ICheckpointedCallback
    {
        private double _previous = double.PositiveInfinity;
        public int Improvements { get; private set; }
        public List<int> Seen { get; } = [];
        public Action<int>? OnEpoch { get; init; }
        public string StateKey => "stop_after_improvements";

        public void OnTrainBegin(nn.Module model) => (_previous, Improvements) = (double.PositiveInfinity, 0);

        public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics)
        {
            Seen.Add(metrics.Epoch);
            if (metrics.TrainLoss < _previous) Improvements++;
            _previous = metrics.TrainLoss;
            OnEpoch?.Invoke(metrics.Epoch);
            return Improvements >= times ? new StopRequest(StopReason.RequestedByCallback, $"the loss fell {times} times by epoch {metrics.Epoch}") : null;
        }

        public void OnTrainEnd(nn.Module model)
        {
        }

        public JsonObject SaveState() => new() { ["previous"] = _previous, ["improvements"] = Improvements };

        public void RestoreState(JsonObject state, int epochsDone) =>
            (_previous, Improvements) = (state["previous"]!.GetValue<double>(), state["improvements"]!.GetValue<int>());
    }

    private static TensorDataset Data()
    {
        var images = DatasetSource.Load(DatasetSource.Embedded).Train.Take(300);
        return TensorDataset.From(images, Normalization.Estimate(images.Pixels));
    }

    private static TrainingConfiguration Mlp(int epochs) => new()
    {
        Model = new ModelOptions(ModelPreset.Mlp, HiddenSizes: [16]),
        Training = new TrainingOptions(Epochs: epochs, BatchSize: 50, Seed: 5),
    };

    [Test]
    public void UserCallback_StopsTraining_InItsOwnWords_WithoutEarlyStopping()
    {
        using var data = Data();
        using var model = ModelPresets.Create(Mlp(6).Model, 1, 28, 28, 10, seed: 5);
        var callback = new StopAfterImprovements(2);
        var history = new Trainer(Mlp(6), [callback]).Fit(model, data);
        Assert.That(history.StopReason, Is.EqualTo(StopReason.RequestedByCallback));
        Assert.That(history.StopDetail, Is.EqualTo("the loss fell 2 times by epoch 2"), "epoch 1 improves on +∞, epoch 2 on epoch 1");
        Assert.That(history.Epochs, Has.Count.EqualTo(2));
        Assert.That(history.BestEpoch, Is.Null);
    }

    [Test]
    public void UserCallbackState_IsCheckpointed_AndARestoredRunDecidesAsAnUninterruptedOne()
    {
        using var data = Data();
        var uninterruptedCallback = new StopAfterImprovements(4);
        TrainingHistory uninterrupted;
        using (var model = ModelPresets.Create(Mlp(8).Model, 1, 28, 28, 10, seed: 5))
            uninterrupted = new Trainer(Mlp(8), [uninterruptedCallback]).Fit(model, data);
        Assert.That(uninterrupted.StopReason, Is.EqualTo(StopReason.RequestedByCallback));

        var path = Path.Combine(_folder, "run.ckpt");
        using var cancellation = new CancellationTokenSource();
        var first = new StopAfterImprovements(4) { OnEpoch = epoch => { if (epoch == 2) cancellation.Cancel(); } };
        using (var model = ModelPresets.Create(Mlp(8).Model, 1, 28, 28, 10, seed: 5))
            Assert.Throws<TrainingInterruptedException>(() => new Trainer(Mlp(8), [first]).Fit(model, data, checkpoint: new CheckpointOptions(path), cancellation: cancellation.Token));
        var header = JsonNode.Parse(Checkpoints.CheckpointLayout.Parse(File.ReadAllBytes(path)).Header)!;
        Assert.That(header["callbacks"]!["stop_after_improvements"]!["improvements"]!.GetValue<int>(), Is.EqualTo(first.Improvements));

        var resumedCallback = new StopAfterImprovements(4);
        TrainingHistory resumed;
        using (var model = ModelPresets.Create(Mlp(8).Model, 1, 28, 28, 10, seed: 5))
            resumed = new Trainer(Mlp(8), [resumedCallback]).Fit(model, data, checkpoint: new CheckpointOptions(path, ResumeMode.Required));
        Assert.That(resumedCallback.Seen[0], Is.EqualTo(3), "the resumed run starts at epoch 3");
        Assert.That((resumed.StopDetail, resumed.Epochs.Count), Is.EqualTo((uninterrupted.StopDetail, uninterrupted.Epochs.Count)));
    }

    private sealed class BatchCounter : ITrainingCallback
    {
        public List<BatchProgress> Seen { get; } = [];
        public void OnTrainBegin(nn.Module model) { }
        public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics) => null;
        public void OnTrainEnd(nn.Module model) { }
        public void OnBatchEnd(BatchProgress progress) => Seen.Add(progress);
    }

    [Test]
    public void BatchCallbacks_SeeEveryBatch_NumberedWithinItsEpoch()
    {
        using var data = Data(); // 300 images in batches of 50: 6 a epoch
        using var model = ModelPresets.Create(Mlp(2).Model, 1, 28, 28, 10, seed: 5);
        var counter = new BatchCounter();
        new Trainer(Mlp(2), [counter]).Fit(model, data);
        Assert.That(counter.Seen.Select(p => (p.Epoch, p.Batch)), Is.EqualTo(
            Enumerable.Range(1, 2).SelectMany(e => Enumerable.Range(1, 6).Select(b => (e, b)))));
        Assert.That(counter.Seen.All(p => p.BatchCount == 6 && p.BatchesRun == p.Batch && p.Images == 50L * p.Batch && double.IsFinite(p.Loss)), Is.True);
    }

    [Test]
    public void Resume_WithAnotherSetOfCheckpointedCallbacks_IsRefused_NamingThem()
    {
        using var data = Data();
        var path = Path.Combine(_folder, "run.ckpt");
        using (var model = ModelPresets.Create(Mlp(1).Model, 1, 28, 28, 10, seed: 5))
            new Trainer(Mlp(1)).Fit(model, data, checkpoint: new CheckpointOptions(path));
        using var again = ModelPresets.Create(Mlp(1).Model, 1, 28, 28, 10, seed: 5);
        var e = Assert.Throws<CheckpointMismatchException>(() =>
            new Trainer(Mlp(1), [new StopAfterImprovements(9)]).Fit(again, data, checkpoint: new CheckpointOptions(path, ResumeMode.Required)));
        Assert.That(e!.Message, Does.Contain("it holds the state of callbacks [], this run has [stop_after_improvements]"));
    }
}
