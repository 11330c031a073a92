using System.Globalization;
using OnnxReg.Tests.Shared;
using OnnxReg.Training.Callbacks;
using TorchSharp;

namespace OnnxReg.Training.Tests.Callbacks;

/// <summary>Event files TensorBoard reads right: Unix-second wall times and file names, checksummed records, and
/// training and validation scalars in two runs under the same tags, as Keras writes them.</summary>
public class TensorBoardLogTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxreg-tensorboard-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static EpochMetrics Epoch(int epoch, double? validationLoss) =>
        new(epoch, 1.0 / epoch, 0.5 + epoch / 100.0, validationLoss, validationLoss is null ? null : 0.4, Seconds: 1, Penalty: 0.01, LearningRate: 0.001);

    [Test]
    public void Epochs_AreWrittenAsTwoRunsWithKerasTags_StampedInUnixSeconds()
    {
        double before = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;
        using var model = torch.nn.Linear(2, 2);
        var log = new TensorBoardLog(_folder);
        log.OnTrainBegin(model);
        log.OnEpochEnd(model, Epoch(1, 0.9));
        log.OnEpochEnd(model, Epoch(2, 0.8));
        log.OnTrainEnd(model);
        double after = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

        var trainFile = Directory.GetFiles(Path.Combine(_folder, "train")).Single();
        var validationFile = Directory.GetFiles(Path.Combine(_folder, "validation")).Single();
        foreach (var file in new[] { trainFile, validationFile })
        {
            var parts = Path.GetFileName(file).Split('.');
            Assert.That(string.Join(".", parts[..3]), Is.EqualTo("events.out.tfevents"));
            long named = long.Parse(parts[3], CultureInfo.InvariantCulture);
            Assert.That(named, Is.InRange((long)before, (long)after + 1), "the name carries Unix seconds, not .NET ticks");
            var events = TensorBoardEvents.Read(file);
            Assert.That(events[0].FileVersion, Is.EqualTo("brain.Event:2"));
            Assert.That(events.Select(e => e.WallTime), Has.All.InRange(before - 1, after + 1), "wall times in Unix seconds");
        }
        var train = TensorBoardEvents.Scalars(trainFile);
        var validation = TensorBoardEvents.Scalars(validationFile);
        Assert.That(train.Keys.Select(k => k.Tag).Distinct(), Is.EquivalentTo(new[] { "epoch_loss", "epoch_accuracy", "epoch_penalty", "epoch_lr" }));
        Assert.That(validation.Keys.Select(k => k.Tag).Distinct(), Is.EquivalentTo(new[] { "epoch_loss", "epoch_accuracy" }));
        Assert.That(train[("epoch_loss", 2)], Is.EqualTo(0.5f));
        Assert.That(validation[("epoch_loss", 2)], Is.EqualTo(0.8f));
        Assert.That(validation[("epoch_accuracy", 1)], Is.EqualTo(0.4f));
    }

    [Test]
    public void WithoutValidation_OnlyTheTrainRunIsWritten_AndAResumedRunAddsAFile()
    {
        using var model = torch.nn.Linear(2, 2);
        for (int run = 0; run < 2; run++)
        {
            var log = new TensorBoardLog(_folder);
            log.OnTrainBegin(model);
            log.OnEpochEnd(model, Epoch(run + 1, validationLoss: null));
            log.OnTrainEnd(model);
        }
        Assert.That(Directory.Exists(Path.Combine(_folder, "validation")), Is.False);
        var files = Directory.GetFiles(Path.Combine(_folder, "train"));
        Assert.That(files, Has.Length.EqualTo(2));
        Assert.That(files.Select(TensorBoardEvents.Scalars).Select(s => s.Keys.Single(k => k.Tag == "epoch_loss").Step).Order(), Is.EqualTo(new long[] { 1, 2 }));
    }

    [TestCase("loss", "epoch_loss", false)]
    [TestCase("val_accuracy", "epoch_accuracy", true)]
    [TestCase("lr", "epoch_lr", false)]
    public void EachMetric_HasItsKerasTagAndRun(string metric, string tag, bool validation) =>
        Assert.That(TensorBoardLog.TagOf(metric), Is.EqualTo((tag, validation)));
}
