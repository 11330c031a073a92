using System.Text.Json;
using OnnxReg.Data;
using OnnxReg.Runtime;

namespace OnnxReg.Cli.Tests;

/// <summary>Every command that writes a model — train, export, study — writes the same <c>onnxreg.metrics</c> shape,
/// because all three go through one pipeline and one encoder.</summary>
public class MetricsShapeTests : TempFolderTest
{
    private static readonly string[] Keys =
        ["epoch", "trainLoss", "trainAccuracy", "validationLoss", "validationAccuracy", "stopReason", "data", "trainImages"];

    private static (string[] Keys, FinalMetrics Decoded) Read(string model)
    {
        using var classifier = OnnxClassifier.Load(model);
        using var json = JsonDocument.Parse(classifier.Metadata[ModelMetadataKeys.Metrics]);
        return (json.RootElement.EnumerateObject().Select(p => p.Name).ToArray(), classifier.Description.Metrics!);
    }

    [Test]
    public void MetricsEntry_HasOneShape_WhicheverCommandWroteTheModel()
    {
        var trained = Path.Combine(Folder, "m.onnx");
        var train = CliRun.Of("train", "--train-size", "400", "--epochs", "2", "-o", trained);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        var exported = Path.Combine(Folder, "again.onnx");
        var export = CliRun.Of("export", Path.Combine(Folder, "m.ckpt"), "-o", exported);
        Assert.That(export.ExitCode, Is.EqualTo(0), export.Error);
        var studyFolder = Path.Combine(Folder, "study");
        var study = CliRun.Of("study", "--train-size", "200", "--validation-size", "100", "--test-size", "100", "--seeds", "1", "--models", "mlp",
            "--techniques", "baseline", "--epochs", "1", "-o", studyFolder);
        Assert.That(study.ExitCode, Is.EqualTo(0), study.Error);

        var fromTrain = Read(trained);
        var fromExport = Read(exported);
        var fromStudy = Read(Path.Combine(studyFolder, "runs", "mlp-baseline-seed1", "model.onnx"));
        Assert.Multiple(() =>
        {
            Assert.That(fromTrain.Keys, Is.EqualTo(Keys));
            Assert.That(fromExport.Keys, Is.EqualTo(Keys));
            Assert.That(fromStudy.Keys, Is.EqualTo(Keys));
            Assert.That((fromTrain.Decoded.Epoch, fromTrain.Decoded.StopReason, fromTrain.Decoded.Data, fromTrain.Decoded.TrainImages),
                Is.EqualTo((2, "Completed", "embedded", (int?)360)), "400 images less the 10 % held out");
            Assert.That(fromExport.Decoded, Is.EqualTo(fromTrain.Decoded with { Data = null, TrainImages = null }),
                "the checkpoint's kept epoch is the one train exported; the checkpoint does not know where its data came from");
            Assert.That(fromStudy.Decoded.Data, Is.EqualTo("embedded"));
            Assert.That(fromStudy.Decoded.TrainImages, Is.EqualTo(200));
            Assert.That(fromStudy.Decoded.Epoch, Is.EqualTo(1));
            Assert.That(fromStudy.Decoded.ValidationLoss, Is.Not.Null);
        });
    }
}
