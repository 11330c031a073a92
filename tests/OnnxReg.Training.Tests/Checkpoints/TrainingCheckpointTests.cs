using OnnxReg.Data;
using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;
using OnnxReg.Training.Regularization;
using OnnxReg.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Checkpoints;

public class TrainingCheckpointTests
{
    private static ImageDataset _train = null!;
    private static ImageDataset _validation = null!;
    private string _folder = null!;

    // Every piece of state a checkpoint must carry is in play: dropout (global RNG), augmentation with mixup
    // (augmentation generator and per-batch seeds), shuffling, Adam's moments, an L2 penalty, early stopping with
    // restore-best (best value, patience count, best weights) and a plateau schedule (current rate, bad epochs).
    private static readonly TrainingConfiguration Configuration = new()
    {
        Model = new ModelOptions(ModelPreset.Mlp, DropoutRates: [0.3]),
        Training = new TrainingOptions(Epochs: 4, BatchSize: 64, Seed: 5),
        Penalty = new WeightPenaltyOptions(L2: 1e-4),
        EarlyStopping = new EarlyStoppingOptions { Patience = 5 },
        Augmentation = AugmentationOptions.Parse("hflip,rotate=10,mixup"),
        Schedule = new LearningRateScheduleOptions { Kind = LearningRateScheduleKind.ReduceOnPlateau, Patience = 0 },
    };

    [OneTimeSetUp]
    public static void LoadData()
    {
        var embedded = DatasetSource.Load(DatasetSource.Embedded);
        _train = embedded.Train.Take(600);
        _validation = embedded.Test.Take(200);
    }

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxreg-checkpoint-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private sealed record Outcome(TrainingHistory History, Dictionary<string, byte[]> Weights);

    // Trains a fresh model (same seed) with the probe around it; the probe can cancel or poison the loss at a given training forward call.
    private static Outcome Train(TrainingConfiguration configuration, CheckpointOptions? checkpoint, int? cancelAtCall = null, int? nanFromCall = null)
    {
        var normalization = Normalization.Estimate(_train.Pixels);
        using var network = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, configuration.Training.Seed);
        using var probe = new Probe(network) { NanFromCall = nanFromCall };
        using var train = TensorDataset.From(_train, normalization);
        using var validation = TensorDataset.From(_validation, normalization);
        using var cancellation = new CancellationTokenSource();
        if (cancelAtCall is int call) probe.OnTrainingCall = n => { if (n == call) cancellation.Cancel(); };
        var history = new Trainer(configuration).Fit(probe, train, validation, checkpoint: checkpoint, cancellation: cancellation.Token);
        return new Outcome(history, network.state_dict().ToDictionary(p => p.Key, p => p.Value.contiguous().bytes.ToArray()));
    }

    private static void AssertSameRun(Outcome resumed, Outcome uninterrupted)
    {
        Assert.That(resumed.Weights.Keys, Is.EquivalentTo(uninterrupted.Weights.Keys));
        foreach (var (name, bytes) in uninterrupted.Weights)
            Assert.That(resumed.Weights[name], Is.EqualTo(bytes), $"{name} differs from the uninterrupted run");
        Assert.That(resumed.History.Epochs.Select(e => e with { Seconds = 0 }), Is.EqualTo(uninterrupted.History.Epochs.Select(e => e with { Seconds = 0 })));
        Assert.That(resumed.History.StopReason, Is.EqualTo(uninterrupted.History.StopReason));
        Assert.That(resumed.History.BestEpoch, Is.EqualTo(uninterrupted.History.BestEpoch));
        Assert.That(resumed.History.RestoredEpoch, Is.EqualTo(uninterrupted.History.RestoredEpoch));
    }

    // A step hook with tensor state (the weights' EMA: the average mid-epoch, the raw weights between epochs) resumes too.
    [TestCase(17, TestName = "Resume_WithAnEmaOfTheWeights_MidEpoch_EndsBitIdentical")]
    [TestCase(20, TestName = "Resume_WithAnEmaOfTheWeights_AtAnEpochBoundary_EndsBitIdentical")]
    public void Resume_WithAnEma_EndsBitIdenticalToAnUninterruptedRun(int cancelAtCall)
    {
        var withEma = OnnxReg.Training.Techniques.TechniqueRegistry.Get("ema").Apply(Configuration, 0.9);
        var uninterrupted = Train(withEma, new CheckpointOptions(Path.Combine(_folder, "a.ckpt")));
        var path = Path.Combine(_folder, "b.ckpt");
        Assert.Throws<TrainingInterruptedException>(() => Train(withEma, new CheckpointOptions(path), cancelAtCall));
        var resumed = Train(withEma, new CheckpointOptions(path, ResumeMode.Required));
        AssertSameRun(resumed, uninterrupted);
        var plain = Train(Configuration, null);
        Assert.That(uninterrupted.Weights.Any(w => !w.Value.SequenceEqual(plain.Weights[w.Key])), "the EMA run ends with other weights than the plain one");
    }

    [TestCase(17, TestName = "Resume_WithSwa_MidEpoch_EndsBitIdentical")]
    [TestCase(30, TestName = "Resume_WithSwa_InsideTheAveragingWindow_EndsBitIdentical")]
    public void Resume_WithSwa_EndsBitIdenticalToAnUninterruptedRun(int cancelAtCall)
    {
        var withSwa = OnnxReg.Training.Techniques.TechniqueRegistry.Get("swa").Apply(Configuration, 0.5);
        var uninterrupted = Train(withSwa, new CheckpointOptions(Path.Combine(_folder, "a.ckpt")));
        var path = Path.Combine(_folder, "b.ckpt");
        Assert.Throws<TrainingInterruptedException>(() => Train(withSwa, new CheckpointOptions(path), cancelAtCall));
        var resumed = Train(withSwa, new CheckpointOptions(path, ResumeMode.Required));
        AssertSameRun(resumed, uninterrupted);
    }

    [TestCase(17, 2, 7, TestName = "Resume_MidEpoch_EndsBitIdenticalToAnUninterruptedRun")]
    [TestCase(20, 3, 0, TestName = "Resume_AtAnEpochBoundary_EndsBitIdenticalToAnUninterruptedRun")]
    public void Resume_EndsBitIdenticalToAnUninterruptedRun(int cancelAtCall, int expectedEpoch, int expectedBatches)
    {
        var uninterrupted = Train(Configuration, new CheckpointOptions(Path.Combine(_folder, "a.ckpt")));
        var path = Path.Combine(_folder, "b.ckpt");

        // 600 images in batches of 64: 10 batches an epoch. Call 17 is epoch 2's 7th batch; after call 20 epoch 2 ends.
        var interrupted = Assert.Throws<TrainingInterruptedException>(() => Train(Configuration, new CheckpointOptions(path), cancelAtCall));
        Assert.That((interrupted!.Epoch, interrupted.BatchesDone, interrupted.CheckpointPath), Is.EqualTo((expectedEpoch, expectedBatches, path)));
        using (var checkpoint = TrainingCheckpoint.Load(path))
            Assert.That((checkpoint.Epoch, checkpoint.BatchesDone, checkpoint.Epochs.Count), Is.EqualTo((expectedEpoch, expectedBatches, expectedEpoch - 1)));

        var resumed = Train(Configuration, new CheckpointOptions(path, ResumeMode.Required));
        Assert.That(uninterrupted.History.Epochs, Has.Count.EqualTo(4));
        AssertSameRun(resumed, uninterrupted);
    }

    [Test]
    public void Resume_OfAFinishedRun_ReturnsTheSameHistoryAndWeightsWithoutTraining()
    {
        var path = Path.Combine(_folder, "done.ckpt");
        var first = Train(Configuration, new CheckpointOptions(path));
        using (var checkpoint = TrainingCheckpoint.Load(path))
            Assert.That(checkpoint.Finished, Is.True);
        var again = Train(Configuration, new CheckpointOptions(path, ResumeMode.Required), nanFromCall: 1);
        AssertSameRun(again, first); // a single training batch would have poisoned the loss
    }

    [Test]
    public void KeptWeights_OfACheckpointInterruptedMidEpoch_AreThoseOfTheLastCompletedEpoch()
    {
        var configuration = Configuration with { EarlyStopping = null };
        var path = Path.Combine(_folder, "mid.ckpt");
        Assert.Throws<TrainingInterruptedException>(() => Train(configuration, new CheckpointOptions(path), cancelAtCall: 17));
        var oneEpoch = Train(configuration with { Training = configuration.Training with { Epochs = 1 } }, null);

        using var checkpoint = TrainingCheckpoint.Load(path);
        Assert.That(checkpoint.KeptEpoch, Is.EqualTo(1));
        Assert.That(checkpoint.ImageShape, Is.EqualTo((1, 28, 28)));
        Assert.That(checkpoint.ClassNames, Is.EqualTo(_train.ClassNames));
        Assert.That(checkpoint.Normalization, Is.EqualTo(Normalization.Estimate(_train.Pixels)));
        Assert.That(checkpoint.Configuration, Is.EqualTo(configuration).Using<TrainingConfiguration>((a, b) => a.ToJson() == b.ToJson()));
        using var model = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, seed: 99);
        using var wrapped = new Probe(model); // trained through the probe, so its names carry the prefix
        checkpoint.CopyKeptWeightsInto(wrapped);
        foreach (var (name, tensor) in model.state_dict())
            Assert.That(tensor.contiguous().bytes.ToArray(), Is.EqualTo(oneEpoch.Weights[name]), $"{name}: not the half-trained epoch 2");
    }

    [Test]
    public void KeptWeights_OfAFinishedRunWithEarlyStopping_AreTheRestoredBestEpochs()
    {
        var path = Path.Combine(_folder, "best.ckpt");
        var finished = Train(Configuration, new CheckpointOptions(path));
        using var checkpoint = TrainingCheckpoint.Load(path);
        Assert.That(checkpoint.KeptEpoch, Is.EqualTo(finished.History.RestoredEpoch).And.Not.Null);
        using var model = ModelPresets.Create(Configuration.Model, 1, 28, 28, 10, seed: 99);
        using var wrapped = new Probe(model);
        checkpoint.CopyKeptWeightsInto(wrapped);
        foreach (var (name, tensor) in model.state_dict())
            Assert.That(tensor.contiguous().bytes.ToArray(), Is.EqualTo(finished.Weights[name]), name);
    }

    [Test]
    public void KeptWeights_IntoAModelOfAnotherShape_AreRefused()
    {
        var path = Path.Combine(_folder, "shape.ckpt");
        Train(Configuration with { Training = Configuration.Training with { Epochs = 1 } }, new CheckpointOptions(path));
        using var checkpoint = TrainingCheckpoint.Load(path);
        using var wider = ModelPresets.Create(Configuration.Model with { HiddenSizes = [64] }, 1, 28, 28, 10, seed: 1);
        using var wrapped = new Probe(wider);
        var e = Assert.Throws<ArgumentException>(() => checkpoint.CopyKeptWeightsInto(wrapped));
        Assert.That(e!.Message, Does.Contain("does not match the checkpoint's weights"));
    }

    [Test]
    public void Checkpoint_IsWrittenAfterEveryEpoch()
    {
        var path = Path.Combine(_folder, "each.ckpt");
        Assert.Throws<TrainingInterruptedException>(() => Train(Configuration, new CheckpointOptions(path), cancelAtCall: 31));
        using var checkpoint = TrainingCheckpoint.Load(path);
        Assert.That(checkpoint.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(checkpoint.Describe(), Is.EqualTo("3 epoch(s) done, continuing epoch 4 after batch 1 of 10"));
        Assert.That(Directory.GetFiles(_folder), Is.EqualTo(new[] { path }), "no temporary file is left behind");
    }

    [Test]
    public void NonFiniteLoss_KeepsTheLastGoodCheckpointAndTheLastFiniteEpochsWeights()
    {
        var path = Path.Combine(_folder, "nan.ckpt");
        var configuration = Configuration with { EarlyStopping = null };
        // The loss turns NaN at call 25: epoch 3, batch 5.
        var diverged = Train(configuration, new CheckpointOptions(path), nanFromCall: 25);
        Assert.That(diverged.History.StopReason, Is.EqualTo(StopReason.NonFiniteLoss));
        Assert.That(diverged.History.StopDetail, Does.Contain("NaN at epoch 3, batch 5").And.Contain("learning rate").And.Contain("weights of epoch 2"));
        Assert.That(diverged.History.Epochs, Has.Count.EqualTo(2));

        using var checkpoint = TrainingCheckpoint.Load(path);
        Assert.That((checkpoint.Epoch, checkpoint.BatchesDone, checkpoint.Finished), Is.EqualTo((3, 0, false)), "the epoch-2 checkpoint is kept");
        foreach (var (name, saved) in checkpoint.ModelWeights)
        {
            Assert.That(diverged.Weights[name["inner.".Length..]], Is.EqualTo(saved.bytes.ToArray()), $"{name}: the model holds epoch 2's weights");
            Assert.That(saved.isfinite().all().item<bool>(), Is.True);
        }
    }

    [Test]
    public void Resume_Required_WithoutACheckpoint_FailsNamingThePath()
    {
        var path = Path.Combine(_folder, "missing.ckpt");
        var e = Assert.Throws<FileNotFoundException>(() => Train(Configuration, new CheckpointOptions(path, ResumeMode.Required)));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("without --resume"));
    }

    [Test]
    public void Resume_Required_WithAnotherConfiguration_FailsNamingWhatDiffers()
    {
        var path = Path.Combine(_folder, "other.ckpt");
        Assert.Throws<TrainingInterruptedException>(() => Train(Configuration, new CheckpointOptions(path), cancelAtCall: 12));
        var changed = Configuration with { Training = Configuration.Training with { LearningRate = 0.01 } };
        var e = Assert.Throws<CheckpointMismatchException>(() => Train(changed, new CheckpointOptions(path, ResumeMode.Required)));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("another configuration (differing in: training)").And.Contain("start over"));
    }

    [Test]
    public void Resume_IfCompatible_StartsOverWhenTheCheckpointIsFromAnotherConfiguration()
    {
        var path = Path.Combine(_folder, "stale.ckpt");
        Assert.Throws<TrainingInterruptedException>(() => Train(Configuration, new CheckpointOptions(path), cancelAtCall: 12));
        var changed = Configuration with { Training = Configuration.Training with { Epochs = 2 } };
        var fresh = Train(changed, null);
        var resumed = Train(changed, new CheckpointOptions(path, ResumeMode.IfCompatible));
        AssertSameRun(resumed, fresh);
    }

    [TestCase("truncated")]
    [TestCase("flipped")]
    [TestCase("foreign")]
    public void DamagedCheckpoint_IsRejectedWithAClearMessage_OrIgnoredWhenResumeIsOptional(string damage)
    {
        var path = Path.Combine(_folder, "damaged.ckpt");
        Assert.Throws<TrainingInterruptedException>(() => Train(Configuration, new CheckpointOptions(path), cancelAtCall: 12));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "flipped" => bytes.Select((b, i) => i == bytes.Length / 3 ? (byte)(b ^ 0x10) : b).ToArray(),
            _ => "not a checkpoint at all"u8.ToArray(),
        });
        var e = Assert.Throws<InvalidDataException>(() => Train(Configuration, new CheckpointOptions(path, ResumeMode.Required)));
        Assert.That(e!.Message, Does.Contain(path).And.Contain(damage == "foreign" ? "is not an OnnxReg checkpoint" : "is damaged").And.Contain("Delete it"));

        var fresh = Train(Configuration with { Training = Configuration.Training with { Epochs = 1 } }, null);
        var optional = Train(Configuration with { Training = Configuration.Training with { Epochs = 1 } }, new CheckpointOptions(path, ResumeMode.IfCompatible));
        AssertSameRun(optional, fresh);
    }

    // Wraps a network; counts forward calls in training mode, and can cancel or make the logits NaN at a given call.
    private sealed class Probe : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;
        private int _calls;

        public Probe(nn.Module<Tensor, Tensor> network) : base("probe")
        {
            inner = network;
            RegisterComponents();
        }

        public Action<int>? OnTrainingCall { get; set; }
        public int? NanFromCall { get; init; }

        public override Tensor forward(Tensor input)
        {
            var logits = inner.forward(input);
            if (!training) return logits;
            _calls++;
            OnTrainingCall?.Invoke(_calls);
            return NanFromCall is int from && _calls >= from ? logits.mul(float.NaN) : logits;
        }
    }
}
