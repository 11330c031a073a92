using System.Text.Json;
using System.Text.RegularExpressions;

namespace OnnxReg.Cli.Tests;

/// <summary>A study split into shards — separate processes sharing one folder — trains every run exactly once, takes
/// over a killed shard's run, and ends with the report and model files of one unsharded process.</summary>
[Category("Slow")]
public class StudyShardTests : TempFolderTest
{
    private static readonly string[] Study =
        ["study", "--models", "mlp", "--techniques", "baseline,l2,dropout", "--seeds", "1,2", "--epochs", "2",
         "--train-size", "500", "--validation-size", "200", "--test-size", "500", "--plain"];

    [Test]
    public void TwoConcurrentShards_TrainEachRunOnce_AndEqualOneUnshardedProcess()
    {
        var single = Path.Combine(Folder, "single");
        var alone = ChildCli.Run(Folder, [.. Study, "-o", single]);
        Assert.That(alone.ExitCode, Is.EqualTo(0), alone.Error);

        var sharded = Path.Combine(Folder, "sharded");
        CliRun first, second;
        using (var shard0 = ChildCli.Start(Folder, [.. Study, "-o", sharded, "--shard", "0/2"]))
        {
            second = ChildCli.Run(Folder, [.. Study, "-o", sharded, "--shard", "1/2"]);
            shard0.WaitForExit(TimeSpan.FromMinutes(5));
            first = new CliRun(0, shard0.Output, shard0.Error);
        }
        Assert.That(second.ExitCode, Is.EqualTo(0), second.Error);
        int Trained(CliRun run) => Regex.Matches(run.Output, @": training$", RegexOptions.Multiline).Count;
        Assert.That(Trained(first) + Trained(second), Is.EqualTo(6), "each of the 6 runs was trained by exactly one shard");
        Assert.That(first.Output, Does.Contain("study finished: 6 runs").And.Contain("(shard 0/2)"));

        Assert.That(ReportWithoutTimes(sharded), Is.EqualTo(ReportWithoutTimes(single)));
        foreach (var model in Directory.GetFiles(Path.Combine(single, "runs"), "model.onnx", SearchOption.AllDirectories))
            Assert.That(File.ReadAllBytes(model.Replace(single, sharded)), Is.EqualTo(File.ReadAllBytes(model)), model);
    }

    [Test]
    public void AShardKilledMidRun_IsTakenOverByAnother_WhichResumesItsCheckpoint()
    {
        var folder = Path.Combine(Folder, "study");
        string[] slow = ["study", "--models", "cnn", "--techniques", "baseline", "--seeds", "1", "--epochs", "8",
                         "--train-size", "3000", "--validation-size", "500", "--test-size", "500", "--plain", "-o", folder];
        using (var doomed = ChildCli.Start(Folder, [.. slow, "--shard", "0/2"]))
        {
            doomed.WaitForLine("[1/1] cnn-baseline-seed1: epoch   2/8", TimeSpan.FromMinutes(2));
            // While it trains, the other shard finds the run claimed and says by whom.
            using (var waiting = ChildCli.Start(Folder, [.. slow, "--shard", "1/2"]))
            {
                var line = waiting.WaitForLine("[1/1] cnn-baseline-seed1: being trained by another process", TimeSpan.FromMinutes(1));
                Assert.That(line, Does.Contain("study shard 0/2 in process"));
                waiting.KillHard();
            }
            doomed.KillHard();
            doomed.WaitForExit(TimeSpan.FromSeconds(30));
        }
        var run = Path.Combine(folder, "runs", "cnn-baseline-seed1");
        Assert.That(File.Exists(Path.Combine(run, "checkpoint.ckpt")), Is.True, "the killed shard left its checkpoint");
        Assert.That(File.Exists(Path.Combine(run, "run.json")), Is.False);

        var rescue = ChildCli.Run(Folder, [.. slow, "--shard", "1/2"]);
        Assert.That(rescue.ExitCode, Is.EqualTo(0), rescue.Error);
        Assert.That(rescue.Output, Does.Contain("[1/1] cnn-baseline-seed1: training"));
        Assert.That(rescue.Output, Does.Not.Contain("epoch   1/8"), "it resumed after the epochs the killed shard had finished");
        Assert.That(rescue.Output, Does.Contain("study finished: 1 runs"));
        Assert.That(File.Exists(Path.Combine(run, "run.json")), Is.True);
    }

    [Test]
    public void ReportOnly_WritesWhatHasFinished_AndSaysItIsPartial()
    {
        var folder = Path.Combine(Folder, "study");
        var part = CliRun.Of([.. Study.Select(a => a == "baseline,l2,dropout" ? "baseline" : a), "-o", folder]);
        Assert.That(part.ExitCode, Is.EqualTo(0), part.Error);
        var report = CliRun.Of([.. Study, "-o", folder, "--report-only"]);
        Assert.That(report.ExitCode, Is.EqualTo(0), report.Error);
        Assert.That(report.Output, Does.Contain("partial report: 2 of 6 runs have finished"));
        Assert.That(report.Output, Does.Not.Contain(": training"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "report.md")), Does.Contain("**Partial report: 2 of 6 runs have finished**"));
    }

    [Test]
    public void ReportOnly_OnAFolderWithNoFinishedRun_WritesNothing_AndKeepsTheUsersReport()
    {
        var folder = Path.Combine(Folder, "mine");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "report.md"), "my own notes");
        var line = CliRun.Of([.. Study, "-o", folder, "--report-only"]).AssertOneLineError();
        Assert.That(line, Does.Contain("no run of this study has finished").And.Contain("nothing was written"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "report.md")), Is.EqualTo("my own notes"));
        Assert.That(File.Exists(Path.Combine(folder, "report.json")), Is.False);
    }

    [TestCase("2/2", "Shard 2 is outside 0 to 1")]
    [TestCase("1", "is not K/N")]
    [TestCase("auto/3", "neither is set")]
    public void BadShards_AreOneLineErrors(string shard, string expected) =>
        Assert.That(CliRun.Of([.. Study, "-o", Path.Combine(Folder, "x"), "--shard", shard]).AssertOneLineError(), Does.Contain(expected));

    [Test]
    public void Force_WithShards_IsRefused() =>
        Assert.That(CliRun.Of([.. Study, "-o", Path.Combine(Folder, "x"), "--shard", "0/2", "--force"]).AssertOneLineError(),
            Does.Contain("--force cannot be used with --shard"));

    // The report's figures, with the wall times (which differ between processes) left out.
    private static string ReportWithoutTimes(string folder)
    {
        var markdown = string.Join("\n", File.ReadAllLines(Path.Combine(folder, "report.md")).Where(l => !l.StartsWith("Data: ", StringComparison.Ordinal)));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var runs = json.RootElement.GetProperty("runs").EnumerateArray()
            .Select(r => string.Join(",", r.EnumerateObject().Where(p => p.Name != "seconds").Select(p => $"{p.Name}={p.Value}")));
        return markdown + "\n" + string.Join("\n", runs);
    }
}

/// <summary>Tuning in shards: both processes wait at each halving rung for the other's trials, promote the same
/// configurations, and end with the choice and test figures of one unsharded process.</summary>
[Category("Slow")]
public class TuneShardTests : TempFolderTest
{
    private static readonly string[] Tune =
        ["tune", "--space", "l2=log:1e-5:1e-2,dropout=0:0.5", "--trials", "4", "--eta", "2", "--rungs", "2", "--finalists", "2", "--seeds", "1,2",
         "--epochs", "4", "--train-size", "400", "--validation-size", "200", "--test-size", "300"];

    [Test]
    public void TwoConcurrentShards_ChooseWhatOneProcessChooses_AndTrainEachTrialOnce()
    {
        var single = ChildCli.Run(Folder, [.. Tune, "-o", Path.Combine(Folder, "single")]);
        Assert.That(single.ExitCode, Is.EqualTo(0), single.Error);
        CliRun first, second;
        using (var shard0 = ChildCli.Start(Folder, [.. Tune, "-o", Path.Combine(Folder, "sharded"), "--shard", "0/2"]))
        {
            second = ChildCli.Run(Folder, [.. Tune, "-o", Path.Combine(Folder, "sharded"), "--shard", "1/2"]);
            shard0.WaitForExit(TimeSpan.FromMinutes(5));
            first = new CliRun(0, shard0.Output, shard0.Error);
        }
        Assert.That(second.ExitCode, Is.EqualTo(0), second.Error);
        int Trained(CliRun run) => Regex.Matches(run.Output, @": training \d+ epochs?$", RegexOptions.Multiline).Count;
        // 4 + 2 search trials, 2 × 2 finalists, 2 baseline runs: each started by exactly one shard.
        Assert.That(Trained(first) + Trained(second), Is.EqualTo(12), first.Output + second.Output);
        static string Result(CliRun run) => string.Join("\n", run.Output.Split('\n').Where(l => l.StartsWith("chosen on validation", StringComparison.Ordinal) || l.StartsWith("test accuracy", StringComparison.Ordinal)));
        Assert.That(Result(first), Is.EqualTo(Result(single)).And.Not.Empty);
        Assert.That(Result(second), Is.EqualTo(Result(single)));
        Assert.That(File.ReadAllBytes(Path.Combine(Folder, "sharded", "best.onnx")), Is.EqualTo(File.ReadAllBytes(Path.Combine(Folder, "single", "best.onnx"))));
    }

    [TestCase(new[] { "--space", "l2=log:0:1" }, "--space: A log range needs positive bounds")]
    [TestCase(new[] { "--space", "l3=0:1" }, "Setting l3=0")]
    [TestCase(new[] { "--trials", "0" }, "Trials must be 1 to 10,000")]
    [TestCase(new[] { "--seeds", "1,1" }, "Seeds must be a non-empty list without repeats")]
    [TestCase(new[] { "--shard", "3/3" }, "--shard: Shard 3 is outside 0 to 2")]
    [TestCase(new[] { "--model", "cnm" }, "'cnm' is not one of mlp, cnn, resnet")]
    public void BadTuningOptions_AreOneLineErrors(string[] args, string expected) =>
        Assert.That(CliRun.Of(["tune", .. args, "-o", Path.Combine(Folder, "x")]).AssertOneLineError(), Does.Contain(expected));
}
