using System.Text.Json;
using OnnxReg.Cli.Commands;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Cli.Tests;

/// <summary>The messages a new user meets first: typos, values of the wrong form, the metric vocabulary, files in the
/// wrong place, numbers that print as numbers.</summary>
public class MessageTests : TempFolderTest
{
    [TestCase(new[] { "trian" }, "Unrecognized command or argument 'trian' (did you mean 'train'?)")]
    [TestCase(new[] { "train", "--epoch", "3" }, "'--epoch' (did you mean '--epochs'?)")]
    [TestCase(new[] { "train", "--dropuot", "0.3" }, "'--dropuot' (did you mean '--dropout'?)")]
    [TestCase(new[] { "stduy" }, "(did you mean 'study'?)")]
    [TestCase(new[] { "train", "--model", "mpl" }, "'mpl' is not one of mlp, cnn, resnet (did you mean 'mlp'?)")]
    [TestCase(new[] { "train", "--epochs", "abc" }, "--epochs takes a whole number; received 'abc'")]
    [TestCase(new[] { "train", "--lr", "fast" }, "--lr takes a number (e.g. 0.001 or 1e-3); received 'fast'")]
    public void CommandLineMistakes_AreExplained_WithTheNearestWord(string[] args, string expected)
    {
        var line = CliRun.Of(args).AssertOneLineError(CliApp.UsageError);
        Assert.That(line, Does.Contain(expected));
        Assert.That(line, Does.Not.Contain("System."), "no .NET type names");
    }

    [TestCase("train", "{\"training\": {\"epoch\": 3}}", "unknown property 'epoch' in 'training' (line 1, column 23) (did you mean 'epochs'?)")]
    [TestCase("train", "{\"training\": {\"optimizer\": \"adma\"}}", "the value of 'training.optimizer' (line 1, column 34) must be one of \"adam\"")]
    [TestCase("study", "{\"models\": [{\"name\": \"mlp\", \"bogus\": 1}]}", "unknown property 'bogus' in 'models[0]'")]
    public void ConfigurationFileMistakes_AreDescribedInTheFilesOwnWords(string command, string json, string expected)
    {
        var config = Path.Combine(Folder, "config.json");
        File.WriteAllText(config, json);
        var line = CliRun.Of(command, "--config", config).AssertOneLineError();
        Assert.That(line, Does.Contain(expected));
        Assert.That(line, Does.Not.Contain(".NET").And.Not.Contain("OnnxReg.").And.Not.Contain("System."), "no .NET type or member names");
    }

    [Test]
    public void UnrelatedWord_GetsNoSuggestion() =>
        Assert.That(CliRun.Of("xyzzyplugh").AssertOneLineError(CliApp.UsageError), Does.Not.Contain("did you mean"));

    [TestCase("val_acc", "val_accuracy")]
    [TestCase("acc", "accuracy")]
    [TestCase("validationLoss", "val_loss")]
    [TestCase("train_loss", "loss")]
    public void MetricAliases_AreAccepted_AndStoredUnderTheCanonicalName(string alias, string canonical)
    {
        var config = Path.Combine(Folder, "c.json");
        var run = CliRun.Of("train", "--monitor", alias, "--write-config", config);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(config));
        Assert.That(json.RootElement.GetProperty("earlyStopping").GetProperty("monitor").GetString(), Is.EqualTo(canonical));
    }

    [Test]
    public void UnknownMetric_IsOneLine_WithTheNearestMetric() =>
        Assert.That(CliRun.Of("train", "--monitor", "val_acurracy").AssertOneLineError(CliApp.UsageError),
            Does.Contain("--monitor: 'val_acurracy' is not a metric (did you mean 'val_accuracy'?)"));

    [Test]
    public void EpochLinesAndHistory_UseTheSameMetricNames()
    {
        var model = Path.Combine(Folder, "m.onnx");
        var run = CliRun.Of("train", "--train-size", "300", "--epochs", "1", "-o", model);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        var epochLine = run.Output.Split('\n').Single(l => l.StartsWith("epoch ", StringComparison.Ordinal));
        Assert.That(epochLine, Does.Match(@"loss \d\.\d{4}  accuracy \d\.\d{4}  val_loss \d\.\d{4}  val_accuracy \d\.\d{4}  lr 0\.001"));
        using var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "m.history.json")));
        var keys = history.RootElement.GetProperty("epochs")[0].EnumerateObject().Select(p => p.Name);
        Assert.That(keys, Is.SupersetOf(new[] { "loss", "accuracy", "val_loss", "val_accuracy", "lr" }));
        Assert.That(keys, Has.None.Contains("validation").And.None.EqualTo("trainLoss"));
    }

    [TestCase("models/mlp-plain.onnx", "is an ONNX model, not a data folder")]
    [TestCase("README.md", "is a file, not a data folder")]
    public void DataGivenAFile_SaysItIsAFile(string relative, string expected) =>
        Assert.That(CliRun.Of("train", "--data", Path.Combine(RepositoryPaths.Root, relative)).AssertOneLineError(),
            Does.Contain(expected).And.Not.Contain("does not exist"));

    [TestCase(608797352143434000000000000000.0, "6.088e+29")]
    [TestCase(0.123456, "0.1235")]
    [TestCase(2.5, "2.5000")]
    [TestCase(0.0, "0.0000")]
    [TestCase(3e-7, "3.000e-07")]
    [TestCase(double.NaN, "NaN")]
    [TestCase(double.PositiveInfinity, "Infinity")]
    public void Numbers_PrintAsNumbers(double value, string expected) => Assert.That(CommonOptions.Format(value), Is.EqualTo(expected));

    [Test]
    public void Inspect_PrintsEachMetadataValueWhole_OnOneLine()
    {
        var run = CliRun.Of("inspect", Path.Combine(RepositoryPaths.Root, "models", "cnn-regularized.onnx"));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        var line = run.Output.Split('\n').Single(l => l.StartsWith("  onnxreg.training_config: ", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line["  onnxreg.training_config: ".Length..]);
        Assert.That(json.RootElement.GetProperty("model").GetProperty("preset").GetString(), Is.EqualTo("cnn"));
    }
}
