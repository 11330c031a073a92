using System.Text.RegularExpressions;
using OnnxReg.Data;
using OnnxReg.Onnx;
using OnnxReg.Runtime;
using OnnxReg.Training;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;

namespace OnnxReg.Cli.Tests;

/// <summary><c>onnxreg export</c> turns a training checkpoint into a verified ONNX file, with its own export options.</summary>
public class ExportCommandTests : TempFolderTest
{
    private static string TestAccuracy(string output) => Regex.Match(output, @"test accuracy \(ONNX Runtime\): ([0-9.]+)").Groups[1].Value;

    [Test]
    public void Export_OfAFinishedRun_WithAnotherOpset_MeasuresTheSameAsTrainsOwnExport()
    {
        var model = Path.Combine(Folder, "m.onnx");
        var train = CliRun.Of("train", "--train-size", "600", "--epochs", "2", "-o", model);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);

        var exported = Path.Combine(Folder, "opset17.onnx");
        var export = CliRun.Of("export", Path.Combine(Folder, "m.ckpt"), "-o", exported, "--opset", "17");
        Assert.That(export.ExitCode, Is.EqualTo(0), export.Error);
        Assert.That(export.Output, Does.Contain("training had finished after epoch 2").And.Contain("exporting the weights of epoch 2"));
        Assert.That(TestAccuracy(export.Output), Is.EqualTo(TestAccuracy(train.Output)).And.Not.Empty);
        Assert.That(OnnxModelSerializer.Read(exported).OpsetImport.Single(o => o.Domain == "").Version, Is.EqualTo(17));
        using var classifier = OnnxClassifier.Load(exported);
        Assert.That(classifier.ClassNames[0], Is.EqualTo("T-shirt/top"));
        Assert.That(classifier.Metadata[ModelMetadataKeys.Metrics], Does.Contain("\"epoch\":2").And.Contain("\"stopReason\":\"Completed\""));
    }

    [Test]
    public void Export_OfARunInProgress_TakesItsLastCompletedEpoch()
    {
        // A run of 4 epochs cancelled once epoch 1 has ended: its checkpoint stops at epoch 2, batch 0.
        var checkpoint = Path.Combine(Folder, "running.ckpt");
        var embedded = DatasetSource.Load(DatasetSource.Embedded);
        var images = embedded.Train.Take(500);
        var configuration = new TrainingConfiguration { Training = new TrainingOptions(Epochs: 4, Seed: 3) };
        using (var network = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, seed: 3))
        using (var train = TensorDataset.From(images, Normalization.Estimate(images.Pixels)))
        using (var cancellation = new CancellationTokenSource())
            Assert.Throws<TrainingInterruptedException>(() => new Trainer(configuration, [new EpochProgress(_ => cancellation.Cancel())]).Fit(network, train,
                checkpoint: new CheckpointOptions(checkpoint), cancellation: cancellation.Token));

        var export = CliRun.Of("export", checkpoint);
        Assert.That(export.ExitCode, Is.EqualTo(0), export.Error);
        Assert.That(export.Output, Does.Contain("1 epoch(s) done, continuing with epoch 2; exporting the weights of epoch 1"));
        using var classifier = OnnxClassifier.Load(Path.Combine(Folder, "running.onnx"));
        Assert.That(classifier.Metadata[ModelMetadataKeys.Metrics], Does.Contain("\"epoch\":1").And.Contain("\"stopReason\":\"InProgress\""));
    }

    [Test]
    public void Export_BadInputs_AreOneLineErrors()
    {
        var missing = Path.Combine(Folder, "missing.ckpt");
        Assert.That(CliRun.Of("export", missing).AssertOneLineError(), Does.Contain($"checkpoint {missing} does not exist"));

        var foreign = Path.Combine(Folder, "foreign.ckpt");
        File.WriteAllText(foreign, "not a checkpoint");
        Assert.That(CliRun.Of("export", foreign).AssertOneLineError(), Does.Contain("is not an OnnxReg checkpoint"));
        Assert.That(CliRun.Of("export", foreign, "-o", foreign).AssertOneLineError(), Does.Contain("--output must differ from the checkpoint"));
        Assert.That(CliRun.Of("export", foreign, "-o", Folder).AssertOneLineError(), Does.Contain("--output must be a file path, not an existing folder"));
        Assert.That(CliRun.Of("export", foreign, "--opset", "9").AssertOneLineError(), Does.Contain("--opset must be between 13 and 21; received 9"));

        Assert.That(CliRun.Of("train", "--train-size", "300", "--epochs", "1", "-o", Path.Combine(Folder, "m.onnx")).ExitCode, Is.EqualTo(0));
        var threeClasses = Path.Combine(Folder, "three");
        foreach (var split in new[] { "train", "test" })
            foreach (var name in new[] { "a", "b", "c" })
            {
                var folder = Directory.CreateDirectory(Path.Combine(threeClasses, split, name)).FullName;
                using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8>(28, 28);
                SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, Path.Combine(folder, "1.png"));
            }
        var line = CliRun.Of("export", Path.Combine(Folder, "m.ckpt"), "--data", threeClasses).AssertOneLineError();
        Assert.That(line, Does.Contain("images in 3 classes, but the checkpoint was trained on 1×28×28 images in 10 classes"));
    }
}
