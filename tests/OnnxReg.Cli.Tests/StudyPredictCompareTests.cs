using System.Text.RegularExpressions;

namespace OnnxReg.Cli.Tests;

public class StudyPredictCompareTests : TempFolderTest
{
    private string[] TinyStudy(params string[] extra) =>
        ["study", "--train-size", "200", "--validation-size", "100", "--test-size", "200", "--seeds", "1,2", "--models", "mlp",
         "--techniques", "baseline,dropout", "--epochs", "2", "-o", Folder, .. extra];

    [Test]
    public void Study_WritesTheReport_AndARerunReusesFinishedRuns()
    {
        var run = CliRun.Of(TinyStudy());
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("[1/4] mlp-baseline-seed1: training").And.Contain("epoch   2/2"), "plain progress when not on a terminal");
        Assert.That(run.Output, Does.Contain("study finished: 4 runs").And.Contain("mlp: baseline reaches"));
        foreach (var file in new[] { "report.md", "report.json", "learning-curves-mlp.png", "accuracy-mlp.png", "robustness-mlp.png" })
            Assert.That(File.Exists(Path.Combine(Folder, file)), Is.True, file);

        var again = CliRun.Of(TinyStudy());
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Error);
        Assert.That(Regex.Matches(again.Output, "reused \\(already finished\\)"), Has.Count.EqualTo(4));
        Assert.That(again.Output, Does.Not.Contain("training"));

        var forced = CliRun.Of(TinyStudy("--force"));
        Assert.That(Regex.Matches(forced.Output, ": training"), Has.Count.EqualTo(4));
    }

    [Test]
    public void Study_WriteConfig_ThenConfig_RunsTheSameStudy()
    {
        var config = Path.Combine(Folder, "study.json");
        var write = CliRun.Of(TinyStudy("--write-config", config));
        Assert.That(write.ExitCode, Is.EqualTo(0), write.Error);
        Assert.That(File.ReadAllText(config), Does.Contain("\"trainSize\": 200").And.Contain("\"dropout\": 0.5"));
        var run = CliRun.Of("study", "--config", config, "-o", Path.Combine(Folder, "out"));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("study finished: 4 runs"));
    }

    [TestCase(new[] { "--techniques", "baseline,magic" }, "--techniques: 'magic' is not in the study; available: baseline, l1, l2, dropout, early-stopping, augmentation, combined")]
    [TestCase(new[] { "--models", "vit" }, "--models: 'vit' is not in the study; available: mlp, cnn")]
    [TestCase(new[] { "--seeds", "one" }, "--seeds: 'one' is not a comma-separated list")]
    [TestCase(new[] { "--seeds", "1,1" }, "without repeats")]
    [TestCase(new[] { "--epochs", "0" }, "--epochs must be at least 1")]
    [TestCase(new[] { "--train-size", "5" }, "TrainSize=5")]
    [TestCase(new[] { "--train-size", "5500" }, "the study needs 5,500 for training plus 1,000 for validation")]
    [TestCase(new[] { "--config", "/no/study.json" }, "Study file '/no/study.json' does not exist")]
    public void Study_BadOption_IsAOneLineError(string[] args, string expected)
    {
        Assert.That(CliRun.Of(["study", .. args, "-o", Folder]).AssertOneLineError(), Does.Contain(expected));
    }

    [Test]
    public void PredictAndCompare_UseExportedModels()
    {
        var model = Path.Combine(Folder, "m.onnx");
        Assert.That(CliRun.Of("train", "--train-size", "300", "--epochs", "1", "-o", model).ExitCode, Is.EqualTo(0));
        var png = Path.Combine(Folder, "shoe.png");
        var test = OnnxReg.Data.DatasetSource.Load("embedded").Test;
        using (var image = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.L8>(test.Pixels.AsSpan(0, 784), 28, 28))
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, png);

        var predict = CliRun.Of("predict", model, png, "--top", "2");
        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.Error);
        Assert.That(predict.Output, Does.Match($@"{Regex.Escape(png)}: [A-Za-z/ -]+ 0\.\d{{3}}, [A-Za-z/ -]+ 0\.\d{{3}}"));

        var compare = CliRun.Of("compare", model, model);
        Assert.That(compare.ExitCode, Is.EqualTo(0), compare.Error);
        Assert.That(compare.Output, Does.Contain("test accuracy").And.Contain("accuracy, rotate-15").And.Contain("calibration error (ECE)"));

        var text = Path.Combine(Folder, "notes.png");
        File.WriteAllText(text, "hello");
        Assert.That(CliRun.Of("predict", model, text).AssertOneLineError(), Does.Contain("notes.png").And.Contain("not an image"));
        Assert.That(CliRun.Of("predict", model, png, "--top", "0").AssertOneLineError(), Does.Contain("--top must be at least 1"));
    }
}
