using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxReg.Data;
using OnnxReg.Data.IO;
using OnnxReg.Pipeline;
using OnnxReg.Runtime;
using OnnxReg.Training;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Experiments;

namespace OnnxReg.Tuning;

/// <summary>
/// Runs a <see cref="TuningDefinition"/>: searches the space (grid, random or successive halving) training each trial
/// on the training split and ranking it on the validation split with ONNX Runtime on its exported file; reruns the best
/// configurations with every seed and chooses on their mean; runs the untuned baseline with the same seeds; and only
/// then loads the test split, once, to measure the chosen configuration's and the baseline's exported files side by
/// side. Trials are claimed before training (shards on other machines share the folder), reused when finished, and
/// resumed from their checkpoints when interrupted.
/// </summary>
public static class Tuner
{
    /// <summary>Tunes, writing every trial under <paramref name="outputFolder"/><c>/trials</c>, the chosen model as
    /// <c>best.onnx</c> with <c>best.config.json</c>, and the report.</summary>
    /// <param name="definition">What to tune.</param>
    /// <param name="outputFolder">The output folder (shared by shards).</param>
    /// <param name="progress">Receives progress.</param>
    /// <param name="shard">This process's shard, or null for all the work.</param>
    /// <param name="loadTest">Loads the test split for the final measurement (default: from the definition's data);
    /// called once, after every trial has finished.</param>
    /// <param name="cancellation">Stops between batches (the trial's checkpoint resumes it).</param>
    /// <param name="pollInterval">How long a shard waits before looking again at trials others hold (default 5 s).</param>
    /// <exception cref="ArgumentException">The definition is invalid or the data too small for it.</exception>
    public static TuningReport Run(TuningDefinition definition, string outputFolder, ITuningProgress progress, StudyShard? shard = null,
        Func<ImageDataset>? loadTest = null, CancellationToken cancellation = default, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(progress);
        definition.Validate();
        var clock = Stopwatch.StartNew();
        var (pair, train, validation) = ExperimentData.Load(definition.Data, definition.ImageOptions(), definition.TrainSize, definition.ValidationSize, "tuning");
        // The trials never see the test split: their data holds an empty one, and verification runs on validation.
        using var data = RunData.Prepare(definition.Data, pair.Description, train, validation, validation.Take(0));
        var context = new TrialRunner(definition, outputFolder, data, progress, shard ?? StudyShard.Single, pollInterval ?? TimeSpan.FromSeconds(5), cancellation);

        var candidates = Candidates(definition);
        var search = new List<TrialResult>();
        var alive = Enumerable.Range(0, candidates.Count).ToList();
        int rungs = definition.Strategy == SearchStrategy.Halving ? definition.Rungs : 1;
        for (int rung = 0; rung < rungs && alive.Count > 0; rung++)
        {
            int epochs = definition.RungEpochs(rung);
            progress.StageStarting(rungs > 1
                ? $"rung {rung + 1}/{rungs}: {alive.Count} configurations for {epochs} epochs"
                : $"{definition.Strategy.ToString().ToLowerInvariant()} search: {alive.Count} configurations for {epochs} epochs");
            var results = context.RunAll(alive.Select(c => new Trial(TrialStage.Search, c, rung, epochs, definition.Seeds[0], candidates[c])).ToList());
            search.AddRange(results);
            if (rung < rungs - 1)
                alive = Best(results, definition.Objective, (int)Math.Ceiling(alive.Count / (double)definition.Eta)).Select(r => r.Candidate).ToList();
        }

        int fullEpochs = definition.Base.Training.Epochs;
        var lastRung = search.Where(r => r.Rung == rungs - 1).ToList();
        var finalistIds = Best(lastRung, definition.Objective, definition.Finalists).Select(r => r.Candidate).ToList();
        progress.StageStarting($"finalists: the best {finalistIds.Count} rerun with seeds {string.Join(", ", definition.Seeds)}; the baseline with the same seeds");
        var finalists = context.RunAll(finalistIds.SelectMany(c => definition.Seeds.Select(s => new Trial(TrialStage.Finalist, c, 0, fullEpochs, s, candidates[c]))).ToList());
        var baseline = context.RunAll(definition.Seeds.Select(s => new Trial(TrialStage.Baseline, -1, 0, fullEpochs, s, new Dictionary<string, JsonNode>())).ToList());

        // Chosen on validation alone: the best mean over the seeds. The untuned baseline is a candidate like the others,
        // measured the same way, and a tuned configuration is chosen only if it beats it; a tie keeps the baseline.
        static FinalistSummary Summary(int candidate, IReadOnlyDictionary<string, JsonNode> values, IReadOnlyList<TrialResult> runs) =>
            new(candidate, values, Statistic.Of(runs.Select(r => r.ValidationAccuracy)), Statistic.Of(runs.Select(r => r.ValidationLoss)));
        var summaries = finalistIds.Select(c => Summary(c, candidates[c], finalists.Where(f => f.Candidate == c).ToList())).ToList();
        var baselineSummary = Summary(FinalistSummary.BaselineCandidate, new Dictionary<string, JsonNode>(), baseline);
        var bestTuned = summaries.MaxBy(s => s.Score(definition.Objective))!;
        var chosen = bestTuned.Score(definition.Objective) > baselineSummary.Score(definition.Objective) ? bestTuned : baselineSummary;

        // Now, and only now, the test split: the chosen configuration's and the baseline's exported files, per seed.
        progress.StageStarting("final measurement on the test split (once)");
        var test = (loadTest ?? (() => definition.TestSize > 0 ? pair.Test.Take(definition.TestSize) : pair.Test))();
        EvaluationResult Measure(TrialResult trial)
        {
            using var classifier = OnnxClassifier.Load(context.ModelPath(trial));
            return Evaluator.Evaluate(classifier, test);
        }
        var baselineRuns = baseline.OrderBy(b => Array.IndexOf(definition.Seeds, b.Seed)).ToList();
        var baselineTest = baselineRuns.Select(Measure).ToList();
        var chosenRuns = chosen.IsBaseline ? baselineRuns
            : finalists.Where(f => f.Candidate == chosen.Candidate).OrderBy(f => Array.IndexOf(definition.Seeds, f.Seed)).ToList();
        var chosenTest = chosen.IsBaseline ? baselineTest : chosenRuns.Select(Measure).ToList();

        var chosenConfiguration = ConfigurationPaths.Apply(definition.Base, chosen.Values);
        var bestConfiguration = chosenConfiguration with { Training = chosenConfiguration.Training with { Seed = definition.Seeds[0] } };
        Directory.CreateDirectory(outputFolder);
        AtomicFile.WriteAllBytes(Path.Combine(outputFolder, "best.onnx"), File.ReadAllBytes(context.ModelPath(chosenRuns[0])));
        bestConfiguration.Save(Path.Combine(outputFolder, "best.config.json"));

        var report = new TuningReport(definition, pair.Description, train.Count, validation.Count, test.Count, clock.Elapsed.TotalSeconds,
            search, finalists, baseline, summaries, baselineSummary, chosen,
            Statistic.Of(chosenTest.Select(r => r.Accuracy)), Statistic.Of(chosenTest.Select(r => r.MeanLoss)),
            Statistic.Of(baselineTest.Select(r => r.Accuracy)), Statistic.Of(baselineTest.Select(r => r.MeanLoss)),
            Difference.Between(Statistic.Of(chosenTest.Select(r => r.Accuracy)), Statistic.Of(baselineTest.Select(r => r.Accuracy)), definition.Seeds.Length),
            Difference.Between(Statistic.Of(chosenTest.Select(r => r.MeanLoss)), Statistic.Of(baselineTest.Select(r => r.MeanLoss)), definition.Seeds.Length),
            chosenRuns.Max(r => r.ExportDifference));
        TuningReportWriter.Write(report, outputFolder);
        return report;
    }

    /// <summary>The configurations searched, in order: the grid's combinations, or draws from the search seed.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, JsonNode>> Candidates(TuningDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Strategy == SearchStrategy.Grid)
        {
            IEnumerable<Dictionary<string, JsonNode>> combinations = [new()];
            foreach (var dimension in definition.Space)
                combinations = combinations.SelectMany(c => dimension.Grid(definition.GridPoints).Select(v => new Dictionary<string, JsonNode>(c) { [dimension.Name] = v }));
            return combinations.ToList();
        }
        var random = new Random(definition.SearchSeed);
        return Enumerable.Range(0, definition.Trials)
            .Select(_ => (IReadOnlyDictionary<string, JsonNode>)definition.Space.ToDictionary(d => d.Name, d => d.Sample(random))).ToList();
    }

    // The best trials by the objective; ties go to the earlier candidate, so every shard promotes the same ones.
    private static IEnumerable<TrialResult> Best(IEnumerable<TrialResult> results, TuningObjective objective, int count) =>
        results.OrderByDescending(r => r.Score(objective)).ThenBy(r => r.Candidate).Take(count);

    private sealed record Trial(TrialStage Stage, int Candidate, int Rung, int Epochs, int Seed, IReadOnlyDictionary<string, JsonNode> Values)
    {
        public string Name => TrialResult.FolderName(Stage, Candidate, Epochs, Seed);
    }

    /// <summary>Trains trials with claims, as shards share them, and waits for the ones other shards hold.</summary>
    private sealed class TrialRunner(TuningDefinition definition, string outputFolder, RunData data, ITuningProgress progress, StudyShard shard,
        TimeSpan pollInterval, CancellationToken cancellation)
    {
        public string Folder(Trial trial) => ConfinedPath.EnsureInside(outputFolder, Path.Combine("trials", trial.Name), "output folder");

        public string ModelPath(TrialResult trial) => Path.Combine(Folder(new Trial(trial.Stage, trial.Candidate, trial.Rung, trial.Epochs, trial.Seed, trial.Values)), "model.onnx");

        // Every trial of a stage, each trained once by whichever shard claims it; returns when all have finished.
        public List<TrialResult> RunAll(IReadOnlyList<Trial> trials)
        {
            var owner = $"tuning shard {shard} in process {Environment.ProcessId} on {Environment.MachineName}";
            var results = ClaimedWork.Run(trials, shard, Folder, owner,
                trial => TryReuse(Folder(trial), Fingerprint(trial)),
                trial =>
                {
                    progress.TrialStarting(trial.Name, trial.Epochs);
                    var fingerprint = Fingerprint(trial);
                    return Copy(trial, fingerprint, Folder(trial)) ?? Train(trial, Configuration(trial), fingerprint, Folder(trial));
                },
                (i, result, reused) =>
                {
                    _finished.TryAdd(result.Fingerprint, (result, Folder(trials[i])));
                    progress.TrialFinished(trials[i].Name, result, reused);
                },
                (i, holder) => progress.TrialClaimedElsewhere(trials[i].Name, holder),
                pollInterval, cancellation);
            return [.. results];
        }

        private string Fingerprint(Trial trial) => definition.Fingerprint(Configuration(trial));

        // A finalist's first seed is often the last rung's trial itself (same configuration, seed and epochs): its files
        // are copied instead of trained again.
        private readonly Dictionary<string, (TrialResult Result, string Folder)> _finished = new(StringComparer.Ordinal);

        private TrialResult? Copy(Trial trial, string fingerprint, string folder)
        {
            if (!_finished.TryGetValue(fingerprint, out var same)) return null;
            var result = same.Result with { Stage = trial.Stage, Candidate = trial.Candidate, Rung = trial.Rung, Seconds = 0, FinishedUtc = DateTime.UtcNow };
            AtomicFile.WriteAllBytes(Path.Combine(folder, "model.onnx"), File.ReadAllBytes(Path.Combine(same.Folder, "model.onnx")));
            Store.Save(folder, result);
            return result;
        }

        private TrainingConfiguration Configuration(Trial trial)
        {
            var configuration = ConfigurationPaths.Apply(definition.Base, trial.Values);
            return configuration with { Training = configuration.Training with { Epochs = trial.Epochs, Seed = trial.Seed } };
        }

        private TrialResult Train(Trial trial, TrainingConfiguration configuration, string fingerprint, string folder)
        {
            var clock = Stopwatch.StartNew();
            var checkpoint = new CheckpointOptions(Path.Combine(folder, "checkpoint.ckpt"), ResumeMode.IfCompatible);
            var request = new RunRequest(configuration, Path.Combine(folder, "model.onnx")) { Checkpoint = checkpoint, VerifyOn = VerificationSplit.Validation };
            RunOutcome outcome;
            try
            {
                outcome = RunPipeline.Run(request, data, cancellation);
            }
            catch (TrainingDivergedException e)
            {
                throw new TrainingDivergedException($"Trial {trial.Name} diverged: {e.History?.StopDetail ?? e.Message}. Narrow the range that caused it.", e.History);
            }
            outcome.History.Save(Path.Combine(folder, "history.json"));
            var measured = outcome.Model.OnnxRuntime; // the exported file, on the validation split
            var result = new TrialResult(trial.Stage, trial.Candidate, trial.Rung, trial.Epochs, trial.Seed, trial.Values, fingerprint,
                measured.Accuracy, measured.MeanLoss, outcome.Model.MaxDifference, outcome.History.Epochs.Count, clock.Elapsed.TotalSeconds, DateTime.UtcNow);
            Store.Save(folder, result);
            File.Delete(checkpoint.Path);
            return result;
        }

        // A finished trial is reused from its folder by fingerprint (the store the study keeps its runs in too).
        private static readonly RunStore<TrialResult> Store = new("trial.json", r => r.Fingerprint);

        private static TrialResult? TryReuse(string folder, string fingerprint) => Store.TryReuse(folder, fingerprint);
    }
}

/// <summary>A finalist, or the untuned baseline: its configuration and its validation figures over the seeds.</summary>
/// <param name="Candidate">The configuration's number in the search, or <see cref="BaselineCandidate"/>.</param>
/// <param name="Values">Each dimension's value (none for the baseline).</param>
/// <param name="ValidationAccuracy">Accuracy of the exported files on the validation split, over the seeds.</param>
/// <param name="ValidationLoss">Their mean cross-entropy there, over the seeds.</param>
public sealed record FinalistSummary(
    int Candidate,
    IReadOnlyDictionary<string, JsonNode> Values,
    [property: System.Text.Json.Serialization.JsonPropertyName(MetricNames.ValAccuracy)] Statistic ValidationAccuracy,
    [property: System.Text.Json.Serialization.JsonPropertyName(MetricNames.ValLoss)] Statistic ValidationLoss)
{
    /// <summary>The candidate number of the untuned baseline.</summary>
    public const int BaselineCandidate = -1;

    /// <summary>The objective's mean over the seeds (higher is better: accuracy, or minus the loss), as <see cref="TrialResult.Score"/> scores one trial.</summary>
    public double Score(TuningObjective objective) => objective == TuningObjective.ValAccuracy ? ValidationAccuracy.Mean : -ValidationLoss.Mean;

    /// <summary>Whether this is the untuned baseline.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsBaseline => Candidate == BaselineCandidate;
}
