using System.Globalization;
using System.Text.RegularExpressions;
using OnnxReg.Runtime;

namespace OnnxReg.Cli.Tests;

public class TrainAndEvalCommandTests : TempFolderTest
{
    [Test]
    public void Train_ExportsAModel_ThatEvalMeasuresTheSame()
    {
        var model = Path.Combine(Folder, "mlp.onnx");
        var train = CliRun.Of("train", "--model", "mlp", "--dropout", "0.2", "--train-size", "1000", "--epochs", "2", "--seed", "3", "-o", model);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Output, Does.Contain("epoch   1/2").And.Contain("epoch   2/2"));
        var trainAccuracy = Regex.Match(train.Output, @"test accuracy \(ONNX Runtime\): ([0-9.]+)").Groups[1].Value;
        Assert.That(double.Parse(trainAccuracy, CultureInfo.InvariantCulture), Is.GreaterThan(0.5), "10 classes: chance is 0.1");
        Assert.That(Regex.Match(train.Output, @"max \|logit difference\| vs TorchSharp on the test set: ([0-9.e+-]+)").Success, Is.True);

        using (var classifier = OnnxClassifier.Load(model))
        {
            Assert.That(classifier.ClassNames[9], Is.EqualTo("Ankle boot"));
            Assert.That(classifier.Metadata["onnxreg.training_config"], Does.Contain("\"dropoutRates\":[0.2]"));
        }

        var eval = CliRun.Of("eval", model, model);
        Assert.That(eval.ExitCode, Is.EqualTo(0), eval.Error);
        Assert.That(Regex.Matches(eval.Output, Regex.Escape(trainAccuracy)), Has.Count.EqualTo(2), eval.Output);
        Assert.That(eval.Output, Does.Contain("2,000"));
    }

    [Test]
    public void Train_Cnn_Works()
    {
        var model = Path.Combine(Folder, "cnn.onnx");
        var run = CliRun.Of("train", "--model", "cnn", "--train-size", "500", "--epochs", "1", "-o", model);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(File.Exists(model), Is.True);
    }

    [Test]
    public void Help_ListsEveryCommand_AndEveryTrainOptionWithItsDefault()
    {
        var root = CliRun.Of("--help");
        Assert.That(root.ExitCode, Is.EqualTo(0));
        Assert.That(root.Output, Does.Contain("train").And.Contain("eval"));
        var train = CliRun.Of("train", "--help");
        var options = Regex.Matches(train.Output, @"^\s+(?:-\w, )?(--[a-z0-9-]+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Where(o => o != "--help").ToList();
        Assert.That(options, Is.SupersetOf(new[] { "--model", "--data", "--epochs", "--lr", "--optimizer", "--dropout", "--spatial-dropout", "--batch-norm",
            "--l1", "--l2", "--layer-penalty", "--weight-decay", "--max-norm", "--early-stopping", "--monitor", "--mode", "--patience", "--min-delta",
            "--baseline", "--start-from-epoch", "--no-restore-best", "--divergence-threshold", "--augment", "--label-smoothing", "--lr-schedule", "--output" }));
        foreach (var option in options)
        {
            var line = train.Output.Split('\n').First(l => Regex.IsMatch(l, @"^\s+(-\w, )?" + Regex.Escape(option) + @"\b"));
            Assert.That(line, Does.Match(@"\[default: [^\]]+\]"), $"{option} documents its default");
        }
    }

    [Test]
    public void NoArguments_PrintsHelp_AndFails()
    {
        var run = CliRun.Of();
        Assert.That(run.ExitCode, Is.EqualTo(CliApp.UsageError));
        Assert.That(run.Output, Does.Contain("Usage:"));
    }
}
