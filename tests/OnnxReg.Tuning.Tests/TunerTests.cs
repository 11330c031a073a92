using System.Text.Json;
using OnnxReg.Data;
using OnnxReg.Training;
using OnnxReg.Training.Models;
using OnnxReg.Experiments;

namespace OnnxReg.Tuning.Tests;

/// <summary>The tuner end to end on a tiny problem: it reads the test split once, after every trial has finished,
/// and its selection repeats from the seed.</summary>
public class TunerTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxreg-tuner-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static TuningDefinition Tiny(int searchSeed = 1) => new()
    {
        TrainSize = 300,
        ValidationSize = 100,
        TestSize = 200,
        Base = new TrainingConfiguration { Model = new ModelOptions(ModelPreset.Mlp, HiddenSizes: [32]), Training = new TrainingOptions(Epochs: 4, BatchSize: 64) },
        Space = [SearchDimension.Parse("l2=log:1e-5:1e-2"), SearchDimension.Parse("dropout=0:0.5")],
        Strategy = SearchStrategy.Halving,
        Trials = 4,
        Eta = 2,
        Rungs = 2,
        Finalists = 2,
        Seeds = [1, 2],
        SearchSeed = searchSeed,
    };

    private sealed class Silent : ITuningProgress
    {
        public List<string> Stages { get; } = [];
        public void StageStarting(string description) => Stages.Add(description);
        public void TrialStarting(string name, int epochs) { }
        public void TrialFinished(string name, TrialResult result, bool reused) { }
    }

    [Test]
    public void TheTestSplit_IsReadOnce_AfterEveryTrialHasFinished_AndNeverBefore()
    {
        var progress = new Silent();
        int calls = 0;
        string[] trialsAtCall = [];
        bool reportExistedAtCall = true;
        ImageDataset LoadTest()
        {
            calls++;
            trialsAtCall = Directory.GetFiles(Path.Combine(_folder, "trials"), "trial.json", SearchOption.AllDirectories);
            reportExistedAtCall = File.Exists(Path.Combine(_folder, "report.json"));
            return DatasetSource.LoadTest(DatasetSource.Embedded).Take(200);
        }
        var report = Tuner.Run(Tiny(), _folder, progress, loadTest: LoadTest);

        Assert.That(calls, Is.EqualTo(1), "the test split is loaded exactly once");
        // 4 configurations for 2 epochs, the best 2 for 4, 2 finalists × 2 seeds, the baseline × 2 seeds.
        Assert.That(trialsAtCall, Has.Length.EqualTo(4 + 2 + 4 + 2), "every trial had finished before the test split was loaded");
        Assert.That(reportExistedAtCall, Is.False);
        Assert.That(progress.Stages[^1], Is.EqualTo("final measurement on the test split (once)"));
        Assert.That(report.Search.Select(t => (t.Rung, t.Epochs)), Is.EqualTo(new[] { (0, 2), (0, 2), (0, 2), (0, 2), (1, 4), (1, 4) }));
        var promoted = report.Search.Where(t => t.Rung == 0).OrderByDescending(t => t.ValidationAccuracy).ThenBy(t => t.Candidate).Take(2).Select(t => t.Candidate);
        Assert.That(report.Search.Where(t => t.Rung == 1).Select(t => t.Candidate), Is.EquivalentTo(promoted), "the rung promotes the best half on validation");
        Assert.That(report.FinalistSummaries.Select(f => f.Candidate), Is.SupersetOf(new[] { report.Chosen.Candidate }));
        Assert.That(report.Chosen.ValidationAccuracy.Mean, Is.EqualTo(report.FinalistSummaries.Max(f => f.ValidationAccuracy.Mean)));
        Assert.That(report.TestImages, Is.EqualTo(200));
        Assert.That(report.ChosenTestAccuracy.Mean, Is.InRange(0.1, 1.0));
        Assert.That(report.ChosenExportDifference, Is.LessThanOrEqualTo(1e-4));

        var best = TrainingConfiguration.Load(Path.Combine(_folder, "best.config.json"));
        Assert.That(best.Penalty.L2, Is.EqualTo(report.Chosen.Values["l2"].GetValue<double>()));
        Assert.That(best.Training.Epochs, Is.EqualTo(4));
        Assert.That(File.Exists(Path.Combine(_folder, "best.onnx")) && File.Exists(Path.Combine(_folder, "trials-over-time.png")) && File.Exists(Path.Combine(_folder, "path-l2.png")), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(_folder, "report.md")), Does.Contain("Chosen on validation alone").And.Contain("| difference |"));
    }

    [Test]
    public void TheSameSeed_GivesTheSameTrialsAndTheSameChoice_AndASecondRunReusesEveryTrial()
    {
        var first = Tuner.Run(Tiny(), Path.Combine(_folder, "a"), new Silent(), loadTest: () => DatasetSource.LoadTest(DatasetSource.Embedded).Take(200));
        var second = Tuner.Run(Tiny(), Path.Combine(_folder, "b"), new Silent(), loadTest: () => DatasetSource.LoadTest(DatasetSource.Embedded).Take(200));
        static string Trials(TuningReport r) => string.Join("\n", r.Search.Concat(r.Finalists).Concat(r.Baseline)
            .Select(t => $"{t.Stage} {t.Candidate} {t.Epochs} {t.Seed} {JsonSerializer.Serialize(t.Values)} {t.ValidationAccuracy} {t.ValidationLoss}"));
        Assert.That(Trials(second), Is.EqualTo(Trials(first)));
        Assert.That(second.Chosen.Candidate, Is.EqualTo(first.Chosen.Candidate));
        Assert.That(second.ChosenTestAccuracy, Is.EqualTo(first.ChosenTestAccuracy));

        var other = Tuner.Candidates(Tiny(searchSeed: 2));
        Assert.That(JsonSerializer.Serialize(other), Is.Not.EqualTo(JsonSerializer.Serialize(Tuner.Candidates(Tiny()))), "another search seed draws other configurations");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var resumed = Tuner.Run(Tiny(), Path.Combine(_folder, "a"), new Silent(), loadTest: () => DatasetSource.LoadTest(DatasetSource.Embedded).Take(200));
        Assert.That(Trials(resumed), Is.EqualTo(Trials(first)), "a finished tuning run is read back, not retrained");
        Assert.That(resumed.Search.Sum(t => t.Seconds), Is.EqualTo(first.Search.Sum(t => t.Seconds)), "the trials' recorded times are the first run's");
    }
    [Test]
    public void ASpaceThatCanOnlyMakeThingsWorse_KeepsTheBaseline_AndWritesTheBaselinesFiles()
    {
        // Dropout of 0.9-0.95 before each layer of a small MLP: every configuration in this space is worse than none.
        var definition = Tiny() with
        {
            Base = Tiny().Base with { Model = new ModelOptions(ModelPreset.Mlp, HiddenSizes: [64, 32]) },
            Space = [SearchDimension.Parse("dropout=0.9:0.95")],
            Strategy = SearchStrategy.Random,
            Trials = 2,
            Finalists = 1,
        };
        var report = Tuner.Run(definition, _folder, new Silent(), loadTest: () => DatasetSource.LoadTest(DatasetSource.Embedded).Take(200));

        var bestTuned = report.FinalistSummaries.Single();
        Assert.That(report.BaselineSummary.ValidationAccuracy.Mean, Is.GreaterThan(bestTuned.ValidationAccuracy.Mean),
            "the premise: on validation, over the same seeds, the baseline beat the finalist");
        Assert.That(report.BaselineChosen, Is.True);
        Assert.That(report.Chosen, Is.EqualTo(report.BaselineSummary));
        Assert.That(report.BaselineSummary.ValidationAccuracy, Is.EqualTo(Statistic.Of(report.Baseline.Select(b => b.ValidationAccuracy))));
        Assert.That(report.ChosenTestAccuracy, Is.EqualTo(report.BaselineTestAccuracy), "what is reported as chosen is the baseline's own measurement");

        var best = TrainingConfiguration.Load(Path.Combine(_folder, "best.config.json"));
        Assert.That(best.Model.DropoutRates, Is.Null, "best.config.json is the baseline's: no dropout");
        Assert.That(best.Model.HiddenSizes, Is.EqualTo(new[] { 64, 32 }));
        Assert.That(File.ReadAllBytes(Path.Combine(_folder, "best.onnx")),
            Is.EqualTo(File.ReadAllBytes(Path.Combine(_folder, "trials", "baseline-e4-seed1", "model.onnx"))), "best.onnx is the baseline's seed-1 model");

        var markdown = File.ReadAllText(Path.Combine(_folder, "report.md"));
        Assert.That(markdown, Does.Contain("**Keep the baseline.**").And.Not.Contain("Chosen on validation alone"));
        Assert.That(markdown, Does.Contain("| baseline (chosen) | untuned |"), "the finalists table shows the baseline's validation figures");
        Assert.That(markdown, Does.Contain($"| {bestTuned.Candidate} | dropout = "));
        Assert.That(TuningReportWriter.Verdict(report), Does.StartWith("Keep the baseline"));
    }

    [Test]
    public void WhenATunedConfigurationWins_TheFinalistsTableStillShowsTheBaseline()
    {
        var report = Tuner.Run(Tiny(), _folder, new Silent(), loadTest: () => DatasetSource.LoadTest(DatasetSource.Embedded).Take(200));
        string objective(FinalistSummary f) => f.ValidationAccuracy.Mean.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var markdown = File.ReadAllText(Path.Combine(_folder, "report.md"));
        Assert.That(markdown, Does.Contain("| baseline" ).And.Contain("| untuned |"));
        if (report.BaselineChosen)
            Assert.That(report.FinalistSummaries.All(f => f.ValidationAccuracy.Mean <= report.BaselineSummary.ValidationAccuracy.Mean), Is.True, objective(report.BaselineSummary));
        else
            Assert.That(report.Chosen.ValidationAccuracy.Mean, Is.GreaterThan(report.BaselineSummary.ValidationAccuracy.Mean), "a tuned configuration is chosen only when it beats the baseline");
    }
    [Test]
    public void AnIntegerRange_IsSearchedAndPlotted()
    {
        // Integer values are Int64 in the trials; the plots used to fail on them after every trial had run.
        var definition = Tiny() with { Space = [SearchDimension.Parse("training.seed=int:1:5")], Strategy = SearchStrategy.Random, Trials = 2, Finalists = 1, Seeds = [1] };
        var report = Tuner.Run(definition, _folder, new Silent(), loadTest: () => DatasetSource.LoadTest(DatasetSource.Embedded).Take(200));
        Assert.That(report.Search.Select(t => t.Values["training.seed"].GetValue<long>()), Is.All.InRange(1L, 5L));
        Assert.That(File.Exists(Path.Combine(_folder, "path-training_seed.png")), Is.True);
    }
}
