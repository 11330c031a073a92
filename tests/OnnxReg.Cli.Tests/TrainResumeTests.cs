using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OnnxReg.Training.Checkpoints;

namespace OnnxReg.Cli.Tests;

/// <summary>
/// Checkpoints through the real command line: a training process killed hard (SIGKILL) or interrupted with Ctrl+C
/// (SIGINT) resumes with --resume and ends with the same model file and history as a run that was never stopped.
/// Each run happens in its own folder with the same relative paths, so even the recorded command is the same.
/// </summary>
[Category("Slow")]
public class TrainResumeTests
{
    // CNN with dropout and augmentation: every random state (dropout, shuffling, augmentation) is in play.
    private static readonly string[] Train =
        ["train", "--model", "cnn", "--dropout", "0.3", "--augment", "hflip,rotate=10", "--train-size", "2000", "--epochs", "4", "--seed", "7", "-o", "model.onnx"];

    private static string _root = null!;
    private static string _reference = null!;

    [OneTimeSetUp]
    public static void TrainReference()
    {
        _root = Directory.CreateTempSubdirectory("onnxreg-resume-").FullName;
        _reference = Directory.CreateDirectory(Path.Combine(_root, "reference")).FullName;
        var run = ChildCli.Run(_reference, Train);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
    }

    [OneTimeTearDown]
    public static void DeleteRoot() => Directory.Delete(_root, recursive: true);

    private static string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    // Waits for epoch 1 to end, then for about half of an epoch, so the signal lands inside epoch 2.
    private static void WaitIntoSecondEpoch(ChildCli child)
    {
        var line = child.WaitForLine("epoch   1/4", TimeSpan.FromMinutes(2));
        double seconds = double.Parse(Regex.Match(line, @"\(([0-9.]+) s\)").Groups[1].Value, CultureInfo.InvariantCulture);
        Thread.Sleep(TimeSpan.FromSeconds(seconds / 2));
        Assert.That(child.HasExited, Is.False, "the run must still be training when it is stopped");
    }

    private static void AssertSameAsReference(string folder)
    {
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "model.onnx")), Is.EqualTo(File.ReadAllBytes(Path.Combine(_reference, "model.onnx"))),
            "the resumed run exports exactly the same model file (weights, metrics and recorded command)");
        Assert.That(EpochsWithoutTimes(folder), Is.EqualTo(EpochsWithoutTimes(_reference)));
    }

    private static string EpochsWithoutTimes(string folder)
    {
        using var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "model.history.json")));
        var epochs = history.RootElement.GetProperty("epochs").EnumerateArray()
            .Select(e => string.Join(",", e.EnumerateObject().Where(p => p.Name != "seconds").Select(p => $"{p.Name}={p.Value}")));
        return string.Join("\n", epochs);
    }

    [Test]
    public void KilledHardMidEpoch_ResumesFromTheLastEpochCheckpoint_ToTheSameModel()
    {
        var folder = NewFolder("killed");
        using (var child = ChildCli.Start(folder, Train))
        {
            WaitIntoSecondEpoch(child);
            child.KillHard();
            child.WaitForExit(TimeSpan.FromSeconds(30));
        }
        Assert.That(File.Exists(Path.Combine(folder, "model.onnx")), Is.False, "the killed run never got to export");
        using (var checkpoint = TrainingCheckpoint.Load(Path.Combine(folder, "model.ckpt")))
        {
            Assert.That(checkpoint.BatchesDone, Is.EqualTo(0), "after SIGKILL only the end-of-epoch checkpoint exists");
            Assert.That(checkpoint.Epochs, Has.Count.InRange(1, 3));
            Assert.That(checkpoint.Finished, Is.False);
        }

        var resumed = ChildCli.Run(folder, [.. Train, "--resume"]);
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Error);
        Assert.That(resumed.Output, Does.Match(@"resuming from model\.ckpt: [1-3] epoch\(s\) done, continuing with epoch [2-4]"));
        AssertSameAsReference(folder);
    }

    [Test]
    public void CtrlC_StopsAtTheEndOfABatch_WritesACheckpoint_AndSaysHowToResume()
    {
        var folder = NewFolder("interrupted");
        string error;
        using (var child = ChildCli.Start(folder, Train))
        {
            WaitIntoSecondEpoch(child);
            child.Interrupt();
            Assert.That(child.WaitForExit(TimeSpan.FromSeconds(30)), Is.EqualTo(CliApp.Cancelled));
            error = child.Error;
        }
        Assert.That(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), error);
        var match = Regex.Match(error, @"^onnxreg: interrupted in epoch (\d) after batch (\d+) of 15; checkpoint saved to model\.ckpt; resume with: onnxreg train .* --resume$");
        Assert.That(match.Success, Is.True, error);
        using (var checkpoint = TrainingCheckpoint.Load(Path.Combine(folder, "model.ckpt")))
        {
            Assert.That(checkpoint.Epoch.ToString(CultureInfo.InvariantCulture), Is.EqualTo(match.Groups[1].Value));
            Assert.That(checkpoint.BatchesDone.ToString(CultureInfo.InvariantCulture), Is.EqualTo(match.Groups[2].Value));
        }

        var command = error[(error.IndexOf("resume with: onnxreg ", StringComparison.Ordinal) + "resume with: onnxreg ".Length)..].Split(' ');
        var resumed = ChildCli.Run(folder, command);
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Error);
        AssertSameAsReference(folder);
    }

    [Test]
    public void CtrlC_DuringAStudy_CheckpointsTheRunInProgress_AndTheSameCommandFinishesIt()
    {
        var folder = NewFolder("study");
        string[] study = ["study", "--models", "cnn", "--techniques", "baseline", "--seeds", "1,2", "--epochs", "3",
            "--train-size", "1000", "--validation-size", "200", "--test-size", "200", "-o", "report"];
        using (var child = ChildCli.Start(folder, study))
        {
            child.WaitForLine("[1/2] cnn-baseline-seed1: epoch   1/3", TimeSpan.FromMinutes(2));
            child.Interrupt();
            Assert.That(child.WaitForExit(TimeSpan.FromSeconds(30)), Is.EqualTo(CliApp.Cancelled));
            var error = child.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(error, Has.Length.EqualTo(1), child.Error);
            var expectedCheckpoint = Regex.Escape(Path.Combine(folder, "report", "runs", "cnn-baseline-seed1", "checkpoint.ckpt"));
            Assert.That(error[0], Does.Match(@"^onnxreg: interrupted in epoch [1-3] after batch \d+ of \d+; the run was checkpointed to " + expectedCheckpoint
                + @" and finished runs are kept; run the same command again \(without --force\) to resume$"));
        }
        var checkpoint = Path.Combine(folder, "report", "runs", "cnn-baseline-seed1", "checkpoint.ckpt");
        Assert.That(File.Exists(checkpoint), Is.True);

        var again = ChildCli.Run(folder, study);
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Error);
        Assert.That(again.Output, Does.Contain("study finished: 2 runs"));
        Assert.That(Directory.GetDirectories(Path.Combine(folder, "report", "runs")).Select(Path.GetFileName), Is.EquivalentTo(new[] { "cnn-baseline-seed1", "cnn-baseline-seed2" }),
            "runs land in report/runs/ when the output folder is relative");
        Assert.That(File.Exists(checkpoint), Is.False, "the finished run's checkpoint is removed");
    }
}
