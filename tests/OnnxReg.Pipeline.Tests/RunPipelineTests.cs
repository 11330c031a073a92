using OnnxReg.Data;
using OnnxReg.Runtime;
using OnnxReg.Training;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;

namespace OnnxReg.Pipeline.Tests;

/// <summary>One run through the pipeline, for real on a slice of the embedded data: what it writes, what it returns,
/// and what it refuses.</summary>
public class RunPipelineTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "onnxreg-pipeline-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static RunData SmallData()
    {
        var pair = DatasetSource.Load("embedded");
        var train = pair.Train.Take(400);
        var validation = pair.Train.Subset(Enumerable.Range(400, 100).ToArray());
        return RunData.Prepare("embedded", pair.Description, train, validation, pair.Test.Take(300));
    }

    private static TrainingConfiguration Mlp(int epochs = 2, TrainingOptions? training = null) => new()
    {
        Model = new ModelOptions(ModelPreset.Mlp, HiddenSizes: [32]),
        Training = training ?? new TrainingOptions(Epochs: epochs, BatchSize: 50, Seed: 3),
    };

    [Test]
    public void Run_WritesAVerifiedModel_WhoseDescriptionRecordsTheRun()
    {
        using var data = SmallData();
        var configuration = Mlp();
        var path = Path.Combine(_folder, "m.onnx");
        var epochs = new List<int>();
        var outcome = RunPipeline.Run(new RunRequest(configuration, path)
        {
            Command = "onnxreg train --epochs 2",
            Callbacks = [new EpochProgress(e => epochs.Add(e.Epoch))],
        }, data);

        Assert.That(epochs, Is.EqualTo(new[] { 1, 2 }), "callbacks observe every epoch");
        Assert.That(outcome.History.Epochs, Has.Count.EqualTo(2));
        Assert.That(outcome.Model.Path, Is.EqualTo(path));
        Assert.That(outcome.Model.VerifiedOn, Is.EqualTo("test"));
        Assert.That(outcome.Model.VerifiedImages, Is.EqualTo(300));
        Assert.That(outcome.Model.MaxDifference, Is.LessThanOrEqualTo(ExportVerification.Tolerance));
        Assert.That(outcome.Model.OnnxRuntime.Accuracy, Is.EqualTo(outcome.Model.TorchSharp.Accuracy).Within(1.0 / 300), "the file and the network agree");

        using var classifier = OnnxClassifier.Load(path);
        var kept = outcome.History.Kept;
        Assert.That(classifier.Description.Metrics, Is.EqualTo(new FinalMetrics(2, kept.TrainLoss, kept.TrainAccuracy, kept.ValidationLoss, kept.ValidationAccuracy,
            "Completed", "embedded", 400)));
        Assert.That(classifier.Description.TrainingConfiguration, Is.EqualTo(configuration.ToCompactJson()));
        Assert.That(classifier.Description.Command, Is.EqualTo("onnxreg train --epochs 2"));
        Assert.That(classifier.Description.Normalization, Is.EqualTo(data.Normalization));
        Assert.That(classifier.Description.ProducerVersion, Is.EqualTo(Export.OnnxExporter.ProducerVersion));
        var measuredAgain = Evaluator.Evaluate(classifier, data.Test.Images);
        Assert.That((measuredAgain.Accuracy, measuredAgain.MeanLoss), Is.EqualTo((outcome.Model.OnnxRuntime.Accuracy, outcome.Model.OnnxRuntime.MeanLoss)),
            "what the pipeline measured is what the written file gives");
    }

    [Test]
    public void DataPreparedInsideACallersDisposeScope_OutlivesTheScope()
    {
        RunData data;
        using (TorchSharp.torch.NewDisposeScope())
        {
            data = SmallData();
            Assert.That(data.Validation.Tensors.Count, Is.EqualTo(100), "tensors made inside the scope");
        }
        using (data)
        {
            var outcome = RunPipeline.Run(new RunRequest(Mlp(epochs: 1), Path.Combine(_folder, "m.onnx")) { VerifyOn = VerificationSplit.Validation }, data);
            Assert.That(outcome.Model.VerifiedImages, Is.EqualTo(100), "the split's tensors were not freed with the caller's scope");
        }
    }

    [Test]
    public void Run_VerifyingOnValidation_NeverFeedsTheTestSplit()
    {
        using var data = SmallData();
        var outcome = RunPipeline.Run(new RunRequest(Mlp(epochs: 1), Path.Combine(_folder, "m.onnx")) { VerifyOn = VerificationSplit.Validation }, data);
        Assert.That((outcome.Model.VerifiedOn, outcome.Model.VerifiedImages, outcome.Model.OnnxRuntime.Count), Is.EqualTo(("validation", 100, 100)));
    }

    [Test]
    public void Run_ThatDiverges_WritesNothing_AndHandsBackItsHistory()
    {
        using var data = SmallData();
        var path = Path.Combine(_folder, "m.onnx");
        var diverging = Mlp(training: new TrainingOptions(Epochs: 3, BatchSize: 50, LearningRate: 1e4, Optimizer: OptimizerKind.Sgd, Seed: 3));
        var e = Assert.Throws<TrainingDivergedException>(() => RunPipeline.Run(new RunRequest(diverging, path), data));
        Assert.That(e!.Message, Does.Contain("nothing was exported"));
        Assert.That(e.History!.StopReason, Is.EqualTo(StopReason.NonFiniteLoss));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void ExportCheckpoint_OfARunInProgress_RecordsItAsInProgress_AndMatchesTheRunsOwnExport()
    {
        using var data = SmallData();
        var checkpointPath = Path.Combine(_folder, "m.ckpt");
        using (var cancellation = new CancellationTokenSource())
        {
            var request = new RunRequest(Mlp(epochs: 3), Path.Combine(_folder, "never.onnx"))
            {
                Checkpoint = new CheckpointOptions(checkpointPath),
                Callbacks = [new EpochProgress(e => { if (e.Epoch == 1) cancellation.Cancel(); })],
            };
            Assert.Throws<TrainingInterruptedException>(() => RunPipeline.Run(request, data, cancellation.Token));
        }
        using var checkpoint = TrainingCheckpoint.Load(checkpointPath);
        var model = RunPipeline.ExportCheckpoint(checkpoint, data.Test.Images, Path.Combine(_folder, "early.onnx"));
        Assert.That(model.MaxDifference, Is.LessThanOrEqualTo(ExportVerification.Tolerance));
        using var classifier = OnnxClassifier.Load(model.Path);
        var metrics = classifier.Description.Metrics!;
        Assert.That((metrics.Epoch, metrics.StopReason, metrics.Data, metrics.TrainImages), Is.EqualTo((1, FinalMetrics.InProgress, (string?)null, (int?)null)));
        Assert.That(metrics.TrainLoss, Is.EqualTo(checkpoint.Epochs[0].TrainLoss));
    }

    [Test]
    public void ExportCheckpoint_OnDataOfAnotherShape_IsRefused_BeforeWritingAnything()
    {
        using var data = SmallData();
        var checkpointPath = Path.Combine(_folder, "m.ckpt");
        RunPipeline.Run(new RunRequest(Mlp(epochs: 1), Path.Combine(_folder, "m.onnx")) { Checkpoint = new CheckpointOptions(checkpointPath) }, data);
        using var checkpoint = TrainingCheckpoint.Load(checkpointPath);
        var threeClasses = data.Test.Images.Subset(Enumerable.Range(0, 300).Where(i => data.Test.Images.Labels[i] < 3).ToArray());
        var other = new ImageDataset(threeClasses.Pixels, threeClasses.Labels, 1, 28, 28, ["a", "b", "c"]);
        var path = Path.Combine(_folder, "other.onnx");
        var e = Assert.Throws<OnnxRegException>(() => RunPipeline.ExportCheckpoint(checkpoint, other, path));
        Assert.That(e!.Message, Does.Contain("images in 3 classes, but the checkpoint was trained on 1×28×28 images in 10 classes"));
        Assert.That(File.Exists(path), Is.False);
    }
}
