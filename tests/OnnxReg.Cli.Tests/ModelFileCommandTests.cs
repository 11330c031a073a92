using System.Globalization;
using System.Text.RegularExpressions;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Cli.Tests;

/// <summary><c>--model FILE.json</c>: a network described layer by layer trains, exports with parity, is recorded so the
/// checkpoint rebuilds it, and a layer that does not fit fails before training in one line naming it.</summary>
public class ModelFileCommandTests : TempFolderTest
{
    private static string ResidualCnn => Path.Combine(RepositoryPaths.Models, "networks", "residual-cnn.json");

    private string WriteNetwork(string name, Func<string, string> change)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, change(File.ReadAllText(ResidualCnn)));
        return path;
    }

    [Test]
    public void ModelFileWithResidualBlocksBatchNormAndSpatialDropout_TrainsExportsWithParity_AndTheCheckpointRebuildsIt()
    {
        var model = Path.Combine(Folder, "net.onnx");
        var train = CliRun.Of("train", "--model", ResidualCnn, "--epochs", "1", "--train-size", "600",
            "--augment", "hflip", "-o", model);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Output, Does.Contain("model: model file network of 30 layers (conv2d x6, batchnorm x6, relu x6, residual x2, maxpool2d x1, dropout2d x2, adaptiveavgpool2d x1, flatten x1, linear x2, dropout x1) for 1x28x28 input"));
        Assert.That(train.Output, Does.Contain("regularization: dropout 0.3 (model file), dropout2d 0.1/0.1 (model file), batch norm (model file), augmentation hflip"));
        Assert.That(train.Output, Does.Contain("features.block2.shortcut.conv1").And.Contain("parameters: 86,250"));
        var difference = double.Parse(Regex.Match(train.Output, @"max \|logit difference\| vs TorchSharp on the test set: ([0-9.e+-]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.That(difference, Is.LessThanOrEqualTo(1e-4));

        var inspect = CliRun.Of("inspect", model);
        Assert.That(inspect.Output, Does.Contain("\"preset\":\"custom\"").And.Contain("\"name\":\"block2\""), "the metadata records the whole network");

        var again = Path.Combine(Folder, "again.onnx");
        var export = CliRun.Of("export", Path.Combine(Folder, "net.ckpt"), "-o", again);
        Assert.That(export.ExitCode, Is.EqualTo(0), export.Error);
        static string Weights(string path) => Regex.Match(CliRun.Of("inspect", path).Output, @"onnxreg\.weights_sha256: ([0-9a-f]{64})").Groups[1].Value;
        Assert.That(Weights(again), Is.EqualTo(Weights(model)).And.Not.Empty, "the checkpoint rebuilt the same network with the same weights");

        var summary = CliRun.Of("summary", model);
        Assert.That(summary.ExitCode, Is.EqualTo(0), summary.Error);
        Assert.That(summary.Output, Does.Contain("features.block2.add").And.Contain("[N, 64, 7, 7]").And.Contain("[N, 10]"));
        Assert.That(summary.Output, Does.Not.Contain("Dropout"), "dropout exports as nothing");
    }

    [Test]
    public void ALayerOfTheWrongSize_FailsBeforeTraining_InOneLineNamingTheLayer()
    {
        var model = Path.Combine(Folder, "bad.onnx");
        var network = WriteNetwork("bad.json", text => text.Replace("\"out_features\": 128", "\"in_features\": 1000, \"out_features\": 128"));
        var run = CliRun.Of("train", "--model", network, "--epochs", "1", "-o", model);
        Assert.That(run.AssertOneLineError(), Does.Contain("Layer 'classifier.fc1' (linear) has in_features 1000 but its input is [64]; set in_features to 64 or leave it out."));
        Assert.That(run.Output, Does.Not.Contain("epoch   1/"), "nothing was trained");
        Assert.That(Directory.GetFiles(Folder).Where(f => !Path.GetFileName(f).StartsWith('.')), Is.EqualTo(new[] { network }),
            "nothing was written (the hidden output locks aside)");

        var mismatch = WriteNetwork("shortcut.json", text => text.Replace("\"kernel_size\": 1, \"stride\": 2", "\"kernel_size\": 1"));
        Assert.That(CliRun.Of("summary", mismatch).AssertOneLineError(),
            Does.Contain("Layer 'features.block2' (residual) adds its body's output [64, 7, 7] to its shortcut's [64, 14, 14]; they must be equal."));
    }

    [Test]
    public void BadModelFilesAndOptions_AreOneLineErrors()
    {
        Assert.That(CliRun.Of("train", "--model", Path.Combine(Folder, "none.json")).AssertOneLineError(CliApp.UsageError), Does.Contain("--model: model file '").And.Contain("none.json' does not exist"));
        Assert.That(CliRun.Of("train", "--model", "cnm").AssertOneLineError(CliApp.UsageError), Does.Contain("'cnm' is not one of mlp, cnn, resnet (did you mean 'cnn'?), nor an existing model file (FILE.json)"));
        var keras = WriteNetwork("keras.json", text => text.Replace("\"out_features\": 128", "\"units\": 128"));
        Assert.That(CliRun.Of("train", "--model", keras).AssertOneLineError(),
            Does.Contain("layers[1].layers[1] (linear) has the unknown property 'units' (PyTorch's name is 'out_features')"));
        Assert.That(CliRun.Of("train", "--model", ResidualCnn, "--batch-norm").AssertOneLineError(),
            Does.Contain("--batch-norm: Batch norm applies to the presets only; a model file describes every layer itself"));
        Assert.That(CliRun.Of("train", "--model", ResidualCnn, "--dropout", "0.1,0.2").AssertOneLineError(),
            Does.Contain("--dropout: DropoutRates needs 1 value or 1 (one per position); received 2"));
        var noDropout = WriteNetwork("plain.json", _ => """{"layers": [{"type": "flatten"}, {"type": "linear"}]}""");
        Assert.That(CliRun.Of("train", "--model", noDropout, "--dropout", "0.5").AssertOneLineError(),
            Does.Contain("the model file has none: add {\"type\": \"dropout\"} where it belongs"));
        Assert.That(CliRun.Of("summary", Path.Combine(Folder, "none.onnx")).AssertOneLineError(), Does.Contain("does not exist; give an exported .onnx file or a model file (.json)"));
    }

    [Test]
    public void Summary_OfAModelFile_AtAnInputSize_MatchesWhatTrainBuilds()
    {
        var summary = CliRun.Of("summary", ResidualCnn, "--image-size", "64", "--color", "rgb", "--classes", "5");
        Assert.That(summary.ExitCode, Is.EqualTo(0), summary.Error);
        Assert.That(summary.Output, Does.Contain("for 3x64x64 input, 5 classes"));
        Assert.That(summary.Output, Does.Contain("features.block2.body.conv1").And.Contain("[1, 64, 16, 16]").And.Contain("[1, 5]"));
        Assert.That(summary.Output, Does.Contain("parameters: 86,181"), "86,250 less the 1-channel stem's 288 weights plus the 3-channel stem's 864, less 5 of the 10 output units (129 each)");
        var viaOption = CliRun.Of("summary", "--model", ResidualCnn, "--image-size", "64", "--color", "rgb", "--classes", "5");
        Assert.That(viaOption.Output, Is.EqualTo(summary.Output));
    }

    [Test]
    public void Summary_OfAHostileOnnxFile_IsAOneLineError_OrPrintsItsNamesEscaped()
    {
        var random = Path.Combine(Folder, "random.onnx");
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(random, bytes);
        Assert.That(CliRun.Of("summary", random).AssertOneLineError(), Does.Contain("random.onnx").And.Contain("not an ONNX model"));

        var model = Onnx.OnnxModelSerializer.Read(Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx"));
        model.Graph.Node[0].Name = "fc1\u001b[31m\nfake";
        model.Graph.Node[1].OpType = "NotAnOp";
        var evil = Path.Combine(Folder, "evil.onnx");
        File.WriteAllBytes(evil, Onnx.OnnxModelSerializer.ToBytes(model));
        var run = CliRun.Of("summary", evil);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output.Contains('\u001b'), Is.False, "no escape character reaches the terminal");
        Assert.That(run.Output, Does.Contain("NotAnOp").And.Contain(" ? "), "an op it does not know has an unknown shape");
    }

    [Test]
    public void Study_TakesAModelFileAmongItsModels_NamedAfterTheFile()
    {
        var run = CliRun.Of("study", "--models", $"{ResidualCnn},mlp", "--techniques", "baseline,dropout", "--seeds", "1", "--epochs", "1",
            "--train-size", "300", "--validation-size", "100", "--test-size", "200", "--plain", "-o", Path.Combine(Folder, "study"));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("study finished: 4 runs").And.Contain("residual-cnn: baseline reaches"));
        Assert.That(Directory.Exists(Path.Combine(Folder, "study", "runs", "residual-cnn-dropout-seed1")), Is.True);
        Assert.That(CliRun.Of("study", "--models", Path.Combine(Folder, "none.json")).AssertOneLineError(), Does.Contain("--models: model file '").And.Contain("none.json' does not exist"));
    }
}
