using System.Text.Json;
using OnnxReg.Training;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Models;

namespace OnnxReg.Study.Tests;

/// <summary>A tiny study, run for real: every run and figure reaches the report, and a re-run reuses finished runs.</summary>
public class StudyRunnerTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "onnxreg-study-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    internal static StudyDefinition Tiny() => new()
    {
        TrainSize = 200,
        ValidationSize = 100,
        TestSize = 200,
        Seeds = [1, 2],
        Models = [new StudyModel("mlp", new TrainingConfiguration { Model = new ModelOptions(ModelPreset.Mlp, HiddenSizes: [32]), Training = new TrainingOptions(Epochs: 3, BatchSize: 50) })],
        Techniques = [new StudyTechnique("baseline"), new StudyTechnique("l2-es", L2: 1e-3, EarlyStopping: new EarlyStoppingOptions(Patience: 1))],
    };

    private sealed class RecordingProgress : IStudyProgress
    {
        public Action<int>? OnEpoch { get; init; }
        public List<string> Started { get; } = [];
        public List<(string Name, bool Reused)> Finished { get; } = [];
        public int Epochs { get; private set; }
        public void RunStarting(int index, int total, string name, int epochs) => Started.Add(name);
        public void EpochFinished(EpochMetrics metrics)
        {
            Epochs++;
            OnEpoch?.Invoke(Epochs);
        }
        public void RunFinished(int index, int total, RunResult result, bool reused) => Finished.Add((RunResult.FolderName(result.Model, result.Technique, result.Seed), reused));
    }

    [Test]
    public void Report_HoldsEveryRunAndFigure_AndThePlots()
    {
        var progress = new RecordingProgress();
        var report = StudyRunner.Run(Tiny(), _folder, force: false, progress);

        Assert.That(report.Runs, Has.Count.EqualTo(4));
        Assert.That(progress.Started, Is.EqualTo(new[] { "mlp-baseline-seed1", "mlp-baseline-seed2", "mlp-l2-es-seed1", "mlp-l2-es-seed2" }));
        Assert.That(report.Summaries.Select(s => s.Technique), Is.EqualTo(new[] { "baseline", "l2-es" }));
        Assert.That(report.Summaries[1].VersusReference!.Reference, Is.EqualTo("baseline"));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "report.json")));
        var runs = json.RootElement.GetProperty("runs");
        Assert.That(runs.GetArrayLength(), Is.EqualTo(4));
        foreach (var run in runs.EnumerateArray())
        {
            foreach (var split in new[] { "train", "validation", "test" })
                foreach (var figure in new[] { "accuracy", "loss", "ece" })
                    Assert.That(run.GetProperty(split).GetProperty(figure).GetDouble(), Is.InRange(0.0, 10.0), $"{split}.{figure}");
            Assert.That(run.GetProperty("perturbedAccuracy").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "rotate-15", "scale-0.8", "noise-0.2", "occlusion-10" }));
            Assert.That(run.GetProperty("accuracyGap").GetDouble(), Is.EqualTo(run.GetProperty("train").GetProperty("accuracy").GetDouble() - run.GetProperty("test").GetProperty("accuracy").GetDouble()).Within(1e-12));
            Assert.That(run.GetProperty("parameters").GetInt64(), Is.EqualTo(784 * 32 + 32 + 32 * 10 + 10));
            Assert.That(run.GetProperty("fileBytes").GetInt64(), Is.GreaterThan(100_000));
            Assert.That(run.GetProperty("exportDifference").GetDouble(), Is.LessThanOrEqualTo(1e-4));
            Assert.That(run.GetProperty("curve").GetArrayLength(), Is.EqualTo(run.GetProperty("epochsTrained").GetInt32()));
            Assert.That(run.GetProperty("weightNorm").GetDouble(), Is.GreaterThan(0));
        }
        var summaries = json.RootElement.GetProperty("summaries");
        Assert.That(summaries.GetArrayLength(), Is.EqualTo(2));
        // The summaries' metric figures carry the one vocabulary (MetricNames): training unprefixed, val_, test_.
        foreach (var name in new[] { "accuracy", "loss", "val_accuracy", "val_loss", "test_accuracy", "test_loss", "test_ece" })
            Assert.That(summaries[0].GetProperty(name).GetProperty("mean").GetDouble(), Is.InRange(0.0, 10.0), name);
        Assert.That(summaries[0].GetProperty("test_accuracy").GetProperty("mean").GetDouble(),
            Is.EqualTo(report.Summaries[0].TestAccuracy.Mean), "test_accuracy is the test split's accuracy");
        Assert.That(summaries[1].GetProperty("versusReference").GetProperty("test_accuracy").GetProperty("spread").GetDouble(), Is.GreaterThanOrEqualTo(0));

        var markdown = File.ReadAllText(Path.Combine(_folder, "report.md"));
        Assert.That(markdown, Does.Contain("| baseline |").And.Contain("| l2-es |").And.Contain("## Findings").And.Contain("![learning-curves-mlp](learning-curves-mlp.png)"));
        foreach (var png in new[] { "learning-curves-mlp.png", "accuracy-mlp.png", "robustness-mlp.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(_folder, png));
            Assert.That(bytes.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), $"{png} is a PNG");
            Assert.That(bytes.Length, Is.GreaterThan(5_000), $"{png} has content");
        }
        foreach (var run in report.Runs)
        {
            var runFolder = Path.Combine(_folder, "runs", RunResult.FolderName(run.Model, run.Technique, run.Seed));
            // The finished run's checkpoint is gone, and so is its claim file: what is left is the result.
            Assert.That(Directory.GetFiles(runFolder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "model.onnx", "history.json", "run.json" }));
        }
    }

    [Test]
    public void ResumedStudy_ReusesFinishedRuns_AndForceRetrainsThem()
    {
        var first = StudyRunner.Run(Tiny(), _folder, force: false, new RecordingProgress());
        var modelFile = Path.Combine(_folder, "runs", "mlp-baseline-seed1", "model.onnx");
        var writtenAt = File.GetLastWriteTimeUtc(modelFile);

        var again = new RecordingProgress();
        var second = StudyRunner.Run(Tiny(), _folder, force: false, again);
        Assert.That(again.Started, Is.Empty, "no run was retrained");
        Assert.That(again.Epochs, Is.Zero);
        Assert.That(again.Finished.All(f => f.Reused), Is.True);
        Assert.That(File.GetLastWriteTimeUtc(modelFile), Is.EqualTo(writtenAt));
        Assert.That(second.Runs.Select(r => r.Test.Accuracy), Is.EqualTo(first.Runs.Select(r => r.Test.Accuracy)));

        // A changed setting changes the fingerprint: only the affected runs are retrained.
        var changed = Tiny() with { Techniques = [new StudyTechnique("baseline"), new StudyTechnique("l2-es", L2: 2e-3, EarlyStopping: new EarlyStoppingOptions(Patience: 1))] };
        var partly = new RecordingProgress();
        StudyRunner.Run(changed, _folder, force: false, partly);
        Assert.That(partly.Started, Is.EqualTo(new[] { "mlp-l2-es-seed1", "mlp-l2-es-seed2" }));

        var forced = new RecordingProgress();
        StudyRunner.Run(changed, _folder, force: true, forced);
        Assert.That(forced.Started, Has.Count.EqualTo(4));
    }

    [Test]
    public void InterruptedStudy_ResumesTheRunInProgressFromItsCheckpoint_ToTheSameFigures()
    {
        var uninterrupted = StudyRunner.Run(Tiny(), Path.Combine(_folder, "a"), force: false, new RecordingProgress());

        // Cancelled after the 5th epoch of the study: the second run (mlp-baseline-seed2) has finished 2 of its 3 epochs.
        var folder = Path.Combine(_folder, "b");
        using var cancellation = new CancellationTokenSource();
        var stopped = Assert.Throws<Training.Checkpoints.TrainingInterruptedException>(() =>
            StudyRunner.Run(Tiny(), folder, force: false, new RecordingProgress { OnEpoch = n => { if (n == 5) cancellation.Cancel(); } }, cancellation.Token));
        var checkpoint = Path.Combine(folder, "runs", "mlp-baseline-seed2", StudyRunner.CheckpointFileName);
        Assert.That((stopped!.Epoch, stopped.BatchesDone, stopped.CheckpointPath), Is.EqualTo((3, 0, checkpoint)));
        Assert.That(File.Exists(Path.Combine(folder, "runs", "mlp-baseline-seed1", "run.json")), Is.True);
        Assert.That(File.Exists(Path.Combine(folder, "runs", "mlp-baseline-seed1", StudyRunner.CheckpointFileName)), Is.False, "a finished run's checkpoint is removed");

        var resumedProgress = new RecordingProgress();
        var resumed = StudyRunner.Run(Tiny(), folder, force: false, resumedProgress);
        Assert.That(resumedProgress.Epochs, Is.EqualTo(1 + 3 + 3), "only the third epoch of the interrupted run is trained again, then the two remaining runs");
        Assert.That(File.Exists(checkpoint), Is.False);
        Assert.That(resumed.Runs.Select(r => (r.Test, r.Train, r.Validation, r.EpochsTrained)), Is.EqualTo(uninterrupted.Runs.Select(r => (r.Test, r.Train, r.Validation, r.EpochsTrained))));
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "runs", "mlp-baseline-seed2", "model.onnx")),
            Is.EqualTo(File.ReadAllBytes(Path.Combine(_folder, "a", "runs", "mlp-baseline-seed2", "model.onnx"))));
    }

    [Test]
    public void ResealedHostileCheckpointOfARun_IsIgnored_AndTheRunStartsOverToTheSameFigures()
    {
        var uninterrupted = StudyRunner.Run(Tiny(), Path.Combine(_folder, "a"), force: false, new RecordingProgress());
        var folder = Path.Combine(_folder, "b");
        using var cancellation = new CancellationTokenSource();
        Assert.Throws<Training.Checkpoints.TrainingInterruptedException>(() =>
            StudyRunner.Run(Tiny(), folder, force: false, new RecordingProgress { OnEpoch = n => { if (n == 5) cancellation.Cancel(); } }, cancellation.Token));
        var checkpoint = Path.Combine(folder, "runs", "mlp-baseline-seed2", StudyRunner.CheckpointFileName);
        OnnxReg.Tests.Shared.CheckpointBytes.ResealWithFirstDtype(checkpoint, -1); // made libtorch allocate gigabytes

        var progress = new RecordingProgress();
        var resumed = StudyRunner.Run(Tiny(), folder, force: false, progress);
        Assert.That(progress.Epochs, Is.EqualTo(3 + 3 + 3), "the damaged run starts over, then the two remaining runs");
        Assert.That(resumed.Runs.Select(r => (r.Test, r.Train, r.EpochsTrained)), Is.EqualTo(uninterrupted.Runs.Select(r => (r.Test, r.Train, r.EpochsTrained))));
    }

    [Test]
    public void RunsFolderLinkedOutside_IsRefused_AndNothingIsWrittenThere()
    {
        var output = Directory.CreateDirectory(Path.Combine(_folder, "study")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(_folder, "elsewhere")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(output, "runs"), outside);
        var e = Assert.Throws<UnauthorizedAccessException>(() => StudyRunner.Run(Tiny(), output, force: false, new RecordingProgress()));
        Assert.That(e!.Message, Does.Contain("leads outside the output folder").And.Contain("mlp-baseline-seed1"));
        Assert.That(Directory.EnumerateFileSystemEntries(outside), Is.Empty);
    }

    [Test]
    public void SameStudy_GivesTheSameFigures()
    {
        var a = StudyRunner.Run(Tiny() with { Techniques = [new StudyTechnique("baseline")], Seeds = [3] }, Path.Combine(_folder, "a"), false, new RecordingProgress());
        var b = StudyRunner.Run(Tiny() with { Techniques = [new StudyTechnique("baseline")], Seeds = [3] }, Path.Combine(_folder, "b"), false, new RecordingProgress());
        Assert.That(b.Runs[0].Test, Is.EqualTo(a.Runs[0].Test));
        Assert.That(b.Runs[0].PerturbedAccuracy, Is.EqualTo(a.Runs[0].PerturbedAccuracy));
    }

    [Test]
    public void TooFewImages_IsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => StudyRunner.Run(Tiny() with { TrainSize = 5000, ValidationSize = 2000 }, _folder, false, new RecordingProgress()));
        Assert.That(e!.Message, Does.Contain("6,000 training images").And.Contain("5,000 for training plus 2,000"));
    }
}
