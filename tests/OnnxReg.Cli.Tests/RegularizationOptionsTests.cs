using System.Text.Json;
using OnnxReg.Runtime;

namespace OnnxReg.Cli.Tests;

/// <summary>onnxreg train's regularization options reach the trainer, the history file and the model's metadata.</summary>
public class RegularizationOptionsTests : TempFolderTest
{
    [Test]
    public void EveryTechnique_IsRecordedInHistoryAndMetadata()
    {
        var model = Path.Combine(Folder, "all.onnx");
        var run = CliRun.Of("train", "--model", "cnn", "--channels", "8,16", "--hidden", "32", "--dropout", "0.2,0.3", "--spatial-dropout", "0.1",
            "--batch-norm", "--l1", "1e-5", "--l2", "1e-4", "--layer-penalty", "classifier.fc2=0:0", "--max-norm", "3", "--optimizer", "adamw",
            "--weight-decay", "0.01", "--label-smoothing", "0.1", "--augment", "hflip,rotate=10,erase", "--patience", "1", "--lr-schedule", "cosine",
            "--epochs", "3", "--train-size", "600", "-o", model);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("penalty").And.Contain("stopped: "));

        using var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "all.history.json")));
        var configuration = history.RootElement.GetProperty("configuration");
        Assert.That(configuration.GetProperty("penalty").GetProperty("l2").GetDouble(), Is.EqualTo(1e-4));
        Assert.That(configuration.GetProperty("earlyStopping").GetProperty("patience").GetInt32(), Is.EqualTo(1));
        Assert.That(configuration.GetProperty("model").GetProperty("dropoutRates").EnumerateArray().Select(e => e.GetDouble()), Is.EqualTo(new[] { 0.2, 0.3 }));
        Assert.That(history.RootElement.GetProperty("stopReason").GetString(), Is.AnyOf("completed", "noImprovement"));
        Assert.That(history.RootElement.GetProperty("epochs").GetArrayLength(), Is.InRange(2, 3));

        using var classifier = OnnxClassifier.Load(model);
        Assert.That(classifier.Metadata["onnxreg.training_config"], Does.Contain("\"maxNorm\":3").And.Contain("\"weightDecay\":0.01").And.Contain("\"horizontalFlip\""));
    }

    [Test]
    public void WriteConfig_ThenConfig_ReproducesTheSettings_AndCommandLineOverrides()
    {
        var config = Path.Combine(Folder, "config.json");
        var write = CliRun.Of("train", "--l2", "0.002", "--dropout", "0.4", "--augment", "hflip", "--epochs", "2", "--write-config", config);
        Assert.That(write.ExitCode, Is.EqualTo(0), write.Error);
        Assert.That(File.ReadAllText(config), Does.Contain("\"l2\": 0.002"));
        Assert.That(Directory.GetFiles(Folder, "*.onnx"), Is.Empty, "--write-config does not train");

        var model = Path.Combine(Folder, "m.onnx");
        var run = CliRun.Of("train", "--config", config, "--epochs", "1", "--train-size", "300", "-o", model);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("L2 0.002").And.Contain("dropout 0.4").And.Contain("augmentation hflip"));
        Assert.That(run.Output, Does.Contain("epoch   1/1"), "--epochs on the command line overrides the file");
    }

    [TestCase(new[] { "--l2", "-1" }, "--l2: l2: the strength (the factor λ) must be a number in [0, 1000000] (0: no L2 penalty); received -1")]
    [TestCase(new[] { "--l1", "-0.5" }, "--l1: ")]
    [TestCase(new[] { "--dropout", "1" }, "--dropout: Dropout rate must be in [0, 1). Received: 1")]
    [TestCase(new[] { "--dropout", "0.1,0.2,0.3" }, "--dropout: DropoutRates needs 1 value or 2")]
    [TestCase(new[] { "--dropout", "half" }, "--dropout: 'half' is not a number")]
    [TestCase(new[] { "--patience", "-1" }, "--patience: Patience must be zero or more")]
    [TestCase(new[] { "--optimizer", "sgd", "--weight-decay", "0.01" }, "--weight-decay: weight-decay is AdamW's decoupled decay; with SGD an L2 penalty (l2) is the same thing")]
    [TestCase(new[] { "--label-smoothing", "1" }, "--label-smoothing: label-smoothing: the strength (ε) must be a number in [0, 1)")]
    [TestCase(new[] { "--max-norm", "-2" }, "--max-norm: max-norm: the strength (the norm limit) must be a number in [0, 1000000] (0: no constraint)")]
    [TestCase(new[] { "--spatial-dropout", "0.2" }, "--spatial-dropout: Spatial dropout (Dropout2d) applies to the CNN preset only")]
    [TestCase(new[] { "--layer-penalty", "fc1" }, "--layer-penalty: expected NAME=L1:L2")]
    [TestCase(new[] { "--plateau-factor", "0.5" }, "--plateau-factor and --plateau-patience apply to --lr-schedule plateau only")]
    [TestCase(new[] { "--config", "/no/such/config.json" }, "configuration file '/no/such/config.json' does not exist")]
    [TestCase(new[] { "--config", "/tmp" }, "configuration file '/tmp' is a folder, not a regular file")]
    public void OutOfRangeValue_IsAOneLineErrorNamingTheOption(string[] args, string expected)
    {
        var line = CliRun.Of(["train", .. args]).AssertOneLineError();
        Assert.That(line, Does.Contain(expected));
    }

    // Naming what does not exist is a usage error (exit 2), as an unknown --optimizer choice is.
    [TestCase(new[] { "--augment", "blur" }, "--augment: Unknown augmentation 'blur'. Supported: hflip")]
    [TestCase(new[] { "--augment", "hflp" }, "--augment: Unknown augmentation 'hflp' (did you mean 'hflip'?). Supported:")]
    [TestCase(new[] { "--augment", "hflip,rotat=10" }, "--augment: Unknown augmentation 'rotat' (did you mean 'rotate'?)")]
    [TestCase(new[] { "--augment", "rotate=abc" }, "--augment: Augmentation 'rotate=abc': 'abc' is not a number")]
    [TestCase(new[] { "--optimizer", "adma" }, "'adma' is not one of adam, sgd, adamw (did you mean 'adam'?)")]
    public void ANameThatDoesNotExist_IsAUsageError_WithTheNearestName(string[] args, string expected)
    {
        var line = CliRun.Of(["train", .. args]).AssertOneLineError(CliApp.UsageError);
        Assert.That(line, Does.Contain(expected).And.Contain("see 'onnxreg train --help'"));
    }

    [Test]
    public void UnknownLayerInLayerPenalty_ListsTheModelsLayers()
    {
        var line = CliRun.Of("train", "--layer-penalty", "fc9=0:0", "--epochs", "1", "--train-size", "200", "-o", Path.Combine(Folder, "m.onnx")).AssertOneLineError();
        Assert.That(line, Does.Contain("'fc9'").And.Contain("fc1, fc2, fc3"));
    }

    [Test]
    public void MalformedConfigFile_IsAOneLineError()
    {
        var config = Path.Combine(Folder, "bad.json");
        File.WriteAllText(config, "{\"training\": {\"epochs\": 0}}");
        var line = CliRun.Of("train", "--config", config).AssertOneLineError();
        Assert.That(line, Does.Contain("bad.json").And.Contain("Epochs=0"));
    }

    [Test]
    public void ClipGradNormAndClassWeights_AreRecordedInTheConfiguration()
    {
        var config = Path.Combine(Folder, "c.json");
        Assert.That(CliRun.Of("train", "--clip-grad-norm", "1.5", "--class-weights", "balanced", "--write-config", config).ExitCode, Is.EqualTo(0));
        using var json = JsonDocument.Parse(File.ReadAllText(config));
        Assert.That(json.RootElement.GetProperty("clipGradNorm").GetDouble(), Is.EqualTo(1.5));
        Assert.That(json.RootElement.GetProperty("classWeights").GetProperty("balanced").GetBoolean(), Is.True);

        Assert.That(CliRun.Of("train", "--class-weights", "1,2.5", "--write-config", config).ExitCode, Is.EqualTo(0));
        using var list = JsonDocument.Parse(File.ReadAllText(config));
        Assert.That(list.RootElement.GetProperty("classWeights").GetProperty("values").EnumerateArray().Select(v => v.GetDouble()), Is.EqualTo(new[] { 1, 2.5 }));
    }

    [TestCase("--clip-grad-norm", "-1", "--clip-grad-norm: clip-grad-norm: the strength (the norm limit) must be a number in [0, 1000000] (0: no clipping)")]
    [TestCase("--class-weights", "1,x", "--class-weights: '1,x' is not a number")]
    [TestCase("--class-weights", "0,1", "--class-weights: Class weights must be at least two positive numbers")]
    public void BadClippingOrWeights_AreOneLine(string option, string value, string expected) =>
        Assert.That(CliRun.Of("train", option, value).AssertOneLineError(), Does.Contain(expected));
}
