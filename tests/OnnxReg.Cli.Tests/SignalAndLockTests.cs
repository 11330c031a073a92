using OnnxReg.Training.Checkpoints;

namespace OnnxReg.Cli.Tests;

/// <summary>Signals and concurrent writers, with real child processes.</summary>
[Category("Slow")]
public class SignalAndLockTests : TempFolderTest
{
    private static readonly string[] LongTrain = ["train", "--model", "cnn", "--train-size", "6000", "--epochs", "3", "--seed", "7", "-o", "m.onnx"];

    [Test]
    public void TwoCtrlCsTwentyMillisecondsApart_CheckpointAndExitInOneLine()
    {
        using var child = ChildCli.Start(Folder, LongTrain);
        child.WaitForLine("model:", TimeSpan.FromMinutes(2));
        Thread.Sleep(500); // into training
        child.Interrupt();
        Thread.Sleep(20);
        child.Interrupt();
        int code = child.WaitForExit(TimeSpan.FromMinutes(2));
        Assert.That(code, Is.EqualTo(CliApp.Cancelled), child.Error);
        var lines = child.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), child.Error);
        Assert.That(child.Error, Does.Not.Contain("   at "));
        // Where the first signal landed depends on the machine's speed; the checkpoint must be exactly where the line says.
        var match = System.Text.RegularExpressions.Regex.Match(lines[0], @"^onnxreg: interrupted in epoch (\d+) after batch (\d+) of 43; checkpoint saved to m\.ckpt; resume with: ");
        Assert.That(match.Success, Is.True, lines[0]);
        using var checkpoint = TrainingCheckpoint.Load(Path.Combine(Folder, "m.ckpt"));
        Assert.That((checkpoint.Epoch, checkpoint.BatchesDone), Is.EqualTo((int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value))));
    }

    [Test]
    public void SecondTrainWithTheSameOutput_IsRefusedNamingTheFirst_WhichFinishesWithConsistentFiles()
    {
        using var first = ChildCli.Start(Folder, LongTrain);
        first.WaitForLine("model:", TimeSpan.FromMinutes(2));
        var second = ChildCli.Run(Folder, ["train", "--model", "mlp", "--train-size", "300", "--epochs", "1", "-o", "m.onnx"]);
        Assert.That(second.ExitCode, Is.EqualTo(CliApp.Failure), second.Output);
        Assert.That(second.Error, Does.Match(@"^onnxreg: error: 'm\.onnx' is being written by another run \(process \d+, since .*: onnxreg train --model cnn .*\); wait for it to finish, or choose another output path\.$"));
        Assert.That(first.WaitForExit(TimeSpan.FromMinutes(5)), Is.EqualTo(0), first.Error);
        using var classifier = Runtime.OnnxClassifier.Load(Path.Combine(Folder, "m.onnx"));
        Assert.That(classifier.Metadata["onnxreg.command"], Does.Contain("--model cnn"));
        Assert.That(File.ReadAllText(Path.Combine(Folder, "m.history.json")), Does.Contain("\"preset\": \"cnn\""));
    }
    [Test]
    public void SecondUnshardedTuneOnTheSameFolder_IsRefusedNamingTheFirst()
    {
        string[] tune = ["tune", "--strategy", "random", "--trials", "2", "--epochs", "2", "--train-size", "1000", "--validation-size", "500", "--finalists", "1", "--seeds", "1,2", "-o", "t"];
        using var first = ChildCli.Start(Folder, tune);
        first.WaitForLine("random search:", TimeSpan.FromMinutes(2));
        var second = ChildCli.Run(Folder, tune);
        Assert.That(second.ExitCode, Is.EqualTo(CliApp.Failure), second.Output);
        Assert.That(second.Error, Does.Match(@"^onnxreg: error: '.*report\.md' is being written by another run \(process \d+, since .*: onnxreg tune --strategy random .*\); wait for it to finish, or choose another output path\.$"));
        Assert.That(second.Output, Does.Not.Contain("training"), "the second run trained nothing");
        Assert.That(first.WaitForExit(TimeSpan.FromMinutes(5)), Is.EqualTo(0), first.Error);
        Assert.That(Directory.GetFiles(Path.Combine(Folder, "t"), "*.lock", SearchOption.AllDirectories), Is.Empty);
    }
    [Test]
    public void CtrlC_StopsDatasetShapes_Exits130_AndLeavesNoPartialFolder()
    {
        // Drawing and writing 20,000 images of 96 × 96 takes far longer than the signal takes to arrive.
        using var child = ChildCli.Start(Folder, "dataset", "shapes", "--size", "96", "--train", "20000", "--val", "0", "--test", "10", "-o", "shapes");
        Thread.Sleep(2000); // started, drawing
        Assert.That(child.HasExited, Is.False, "still drawing when the signal comes");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        child.Interrupt();
        int code = child.WaitForExit(TimeSpan.FromMinutes(1));
        Assert.That(code, Is.EqualTo(CliApp.Cancelled), child.Error);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "stopped promptly, not after finishing");
        Assert.That(child.Error, Does.StartWith("onnxreg: interrupted"));
        Assert.That(Directory.GetFileSystemEntries(Folder), Is.Empty, "neither the dataset nor its .partial staging folder is left");
    }
}
