using System.Globalization;
using System.Text.Json;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Cli.Tests;

/// <summary><c>train --log-dir</c>: the history as CSV and as TensorBoard event files, both read back and compared
/// with the history JSON the same run wrote.</summary>
public class TrainingLogTests : TempFolderTest
{
    [Test]
    public void LogDir_HoldsTheSameEpochsAsTheHistory_AsCsvAndAsTensorBoardScalars()
    {
        var logs = Path.Combine(Folder, "logs");
        var run = CliRun.Of("train", "--train-size", "300", "--epochs", "2", "-o", Path.Combine(Folder, "m.onnx"), "--log-dir", logs);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        using var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "m.history.json")));
        var epochs = history.RootElement.GetProperty("epochs").EnumerateArray().ToList();

        var csv = File.ReadAllLines(Path.Combine(logs, "history.csv"));
        Assert.That(csv[0], Is.EqualTo("epoch,loss,accuracy,val_loss,val_accuracy,penalty,lr,seconds"));
        Assert.That(csv, Has.Length.EqualTo(3));
        for (int i = 0; i < 2; i++)
        {
            var cells = csv[i + 1].Split(',');
            Assert.That(int.Parse(cells[0], CultureInfo.InvariantCulture), Is.EqualTo(i + 1));
            Assert.That(double.Parse(cells[1], CultureInfo.InvariantCulture), Is.EqualTo(epochs[i].GetProperty("loss").GetDouble()));
            Assert.That(double.Parse(cells[4], CultureInfo.InvariantCulture), Is.EqualTo(epochs[i].GetProperty("val_accuracy").GetDouble()));
        }

        // Keras' layout: a train and a validation run with the same tags, so TensorBoard overlays the two curves.
        Assert.That(Directory.GetFiles(logs, "events.out.tfevents.*"), Is.Empty);
        var train = TensorBoardEvents.Scalars(Directory.GetFiles(Path.Combine(logs, "train"), "events.out.tfevents.*").Single());
        var validation = TensorBoardEvents.Scalars(Directory.GetFiles(Path.Combine(logs, "validation"), "events.out.tfevents.*").Single());
        foreach (var (name, scalars, tag) in new[] { ("loss", train, "epoch_loss"), ("accuracy", train, "epoch_accuracy"), ("lr", train, "epoch_lr"),
                     ("val_loss", validation, "epoch_loss"), ("val_accuracy", validation, "epoch_accuracy") })
            for (int i = 0; i < 2; i++)
                Assert.That(scalars[(tag, i + 1)], Is.EqualTo((float)epochs[i].GetProperty(name).GetDouble()), $"{name} at epoch {i + 1}");
        Assert.That(validation.Keys.Select(k => k.Tag).Distinct(), Is.EquivalentTo(new[] { "epoch_loss", "epoch_accuracy" }));
    }

    [Test]
    public void LogDirThatIsAFile_IsRefusedBeforeTraining()
    {
        var file = Path.Combine(Folder, "taken");
        File.WriteAllText(file, "x");
        Assert.That(CliRun.Of("train", "--log-dir", file).AssertOneLineError(), Does.Contain("--log-dir must be a folder"));
    }
}
