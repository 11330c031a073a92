using System.Text.RegularExpressions;

namespace OnnxReg.Benchmarks.Tests;

/// <summary>
/// CI's smoke run of the benchmarks: a few iterations prove every benchmark still runs and reports. No timing is
/// asserted — the figures of a quick run on a shared machine mean nothing; BENCHMARKS.md holds a full run.
/// </summary>
public class BenchmarkSmokeTests
{
    [Test]
    public void QuickRun_ProducesEveryTableWithItsRows()
    {
        var report = BenchmarkSuite.Run(new BenchmarkSettings(Quick: true));
        string[] tables = ["Training throughput", "Augmentation cost per batch", "Whole epochs through the trainer", "Inference: runtime library", "Export time"];
        foreach (var title in tables)
            Assert.That(report, Does.Contain("### " + title), title);
        Assert.That(Regex.Matches(report, @"^\| (mlp|cnn) \| [\d,]+ \| [\d,]+ \| \d+\.\d{3} \|", RegexOptions.Multiline), Has.Count.EqualTo(2), "throughput rows");
        Assert.That(Regex.Matches(report, @"^\| (mlp|cnn) \| (1|256) \|", RegexOptions.Multiline), Has.Count.EqualTo(4), "inference rows");
        Assert.That(report, Does.Contain("| default pipeline (hflip,rotate=10,scale=0.9:1.1,translate=0.08) |"));
        Assert.That(Regex.Matches(report, @"^\| (mlp|cnn) \| checkpoint after every epoch \(\d+\.\d MB file\) \|", RegexOptions.Multiline), Has.Count.EqualTo(2), "checkpoint rows");
        Assert.That(Regex.Matches(report, @"^\| (mlp|cnn|resnet) \| [\d,]+ \| \d+ KiB \| [\d.]+ ms \|", RegexOptions.Multiline), Has.Count.EqualTo(3), "export rows");
        Assert.That(report, Does.Contain("quick smoke mode"));
    }

    [Test]
    public void QuickRun_WithOnePreset_MeasuresThatModelAloneAgainstItsTargets()
    {
        var report = BenchmarkSuite.Run(new BenchmarkSettings(Quick: true, Presets: [OnnxReg.Training.Models.ModelPreset.Mlp]), only: "epochs");

        var rows = Regex.Matches(report, @"^\| (mlp|cnn) \| (.+?) \|.*\| (target ≤ \d+ %: (met|missed))? \|$", RegexOptions.Multiline);
        Assert.That(rows.Select(r => r.Groups[1].Value), Is.EqualTo(new[] { "mlp", "mlp", "mlp" }), report);
        Assert.That(rows.Select(r => r.Groups[3].Value.Split(':')[0]),
            Is.EqualTo(new[] { "target ≤ 25 %", "target ≤ 10 %", "target ≤ 5 %" }), "the MLP's targets: augmentation, penalties, checkpoint");
    }

    [Test]
    public void Percentiles_UseNearestRank()
    {
        double[] values = [5, 1, 4, 2, 3];
        Assert.That(Measure.Median(values), Is.EqualTo(3));
        Assert.That(Measure.Percentile(values, 99), Is.EqualTo(5));
        Assert.That(Measure.Percentile(values, 20), Is.EqualTo(1));
    }
}
