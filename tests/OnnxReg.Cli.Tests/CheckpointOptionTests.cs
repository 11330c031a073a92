using System.Text.RegularExpressions;
using OnnxReg.Training.Checkpoints;
using static TorchSharp.torch;

namespace OnnxReg.Cli.Tests;

/// <summary>Bad uses of --checkpoint and --resume fail in one line, before any training, and leave files alone.</summary>
public class CheckpointOptionTests : TempFolderTest
{
    private string[] Train(params string[] extra) =>
        ["train", "--model", "mlp", "--train-size", "300", "--epochs", "2", "-o", Path.Combine(Folder, "m.onnx"), .. extra];

    [Test]
    public void Resume_WithoutACheckpoint_FailsNamingThePath()
    {
        var line = CliRun.Of(Train("--resume")).AssertOneLineError();
        Assert.That(line, Does.Contain($"--resume: there is no checkpoint at {Path.Combine(Folder, "m.ckpt")}").And.Contain("run without --resume"));
    }

    [Test]
    public void Checkpoint_OnTheModelPath_IsRejected()
    {
        var line = CliRun.Of(Train("--checkpoint", Path.Combine(Folder, "m.onnx"))).AssertOneLineError();
        Assert.That(line, Does.Contain("--checkpoint must differ from the model and history files"));
    }

    [Test]
    public void Checkpoint_ThatIsAFolder_IsRejected()
    {
        var line = CliRun.Of(Train("--checkpoint", Folder)).AssertOneLineError();
        Assert.That(line, Does.Contain("--checkpoint must be a file path, not an existing folder"));
    }

    [Test]
    public void Resume_FromADamagedCheckpoint_FailsAndKeepsTheFile()
    {
        var path = Path.Combine(Folder, "m.ckpt");
        Assert.That(CliRun.Of(Train()).ExitCode, Is.EqualTo(0));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var line = CliRun.Of(Train("--resume")).AssertOneLineError();
        Assert.That(line, Does.Contain($"The checkpoint '{path}' is damaged").And.Contain("Delete it to start training over"));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(bytes.Length - 100));
    }

    [Test]
    public void Resume_WithOtherOptions_FailsNamingWhatDiffers()
    {
        Assert.That(CliRun.Of(Train()).ExitCode, Is.EqualTo(0));
        var line = CliRun.Of(Train("--lr", "0.01", "--resume")).AssertOneLineError();
        Assert.That(line, Does.Contain("cannot resume this run: it was written with another configuration (differing in: training)"));
    }

    [Test]
    public void Resume_OfAFinishedRun_ExportsAgainWithoutTraining()
    {
        Assert.That(CliRun.Of(Train()).ExitCode, Is.EqualTo(0));
        var first = File.ReadAllBytes(Path.Combine(Folder, "m.onnx"));
        var again = CliRun.Of(Train("--resume"));
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Error);
        Assert.That(again.Output, Does.Contain("training had finished after epoch 2").And.Not.Contain("epoch   1/2"));
        Assert.That(File.ReadAllBytes(Path.Combine(Folder, "m.onnx")), Is.EqualTo(first));
    }

    // SGD at lr 0.6 on 450 images: the loss grows for a few epochs, then explodes past 1,000 (and would turn NaN).
    private string[] Diverging(params string[] extra) =>
        ["train", "--model", "mlp", "--train-size", "500", "--epochs", "8", "--optimizer", "sgd", "--lr", "0.6", "-o", Path.Combine(Folder, "m.onnx"), .. extra];

    [Test]
    public void Divergence_FailsWithoutExporting_AndKeepsTheLastGoodCheckpoint()
    {
        var line = CliRun.Of(Diverging()).AssertOneLineError();
        var match = Regex.Match(line, @"training diverged: the training loss became (NaN|\S+ \(over 1000: diverged\)) at epoch (\d+), batch \d+; the learning rate \(0\.6\) is likely too high");
        Assert.That(match.Success, Is.True, line);
        Assert.That(line, Does.Contain("nothing was exported").And.Contain("keeps the last good epoch").And.Contain("Lower --lr"));
        Assert.That(File.Exists(Path.Combine(Folder, "m.onnx")), Is.False);
        Assert.That(File.Exists(Path.Combine(Folder, "m.history.json")), Is.True, "the history of the failed run is kept");

        int divergedEpoch = int.Parse(match.Groups[2].Value);
        using var checkpoint = TrainingCheckpoint.Load(Path.Combine(Folder, "m.ckpt"));
        Assert.That(checkpoint.Epochs, Has.Count.EqualTo(divergedEpoch - 1));
        Assert.That(checkpoint.ModelWeights.Values.All(w => w.isfinite().all().item<bool>()), Is.True);
    }

    [Test]
    public void Divergence_WithEarlyStopping_ExportsTheRestoredBestEpoch()
    {
        var run = CliRun.Of(Diverging("--early-stopping"));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Match(@"became (NaN|\S+ \(over 1000: diverged\))").And.Match(@"restored the best weights, from epoch \d"));
        Assert.That(File.Exists(Path.Combine(Folder, "m.onnx")), Is.True);
    }
}
