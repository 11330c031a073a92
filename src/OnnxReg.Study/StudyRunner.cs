using System.Diagnostics;
using System.Text.Json;
using OnnxReg.Data;
using OnnxReg.Data.IO;
using OnnxReg.Pipeline;
using OnnxReg.Onnx;
using OnnxReg.Runtime;
using OnnxReg.Training;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;
using OnnxReg.Experiments;

namespace OnnxReg.Study;

/// <summary>
/// Runs a <see cref="StudyDefinition"/>: for every model × technique × seed it trains on the same images, exports
/// the network (verified against TorchSharp), and measures the exported file with ONNX Runtime alone — train,
/// validation and test metrics, robustness to perturbations, weight sparsity — then writes the report. Finished
/// runs (same fingerprint) are reused unless <c>force</c> is set; a run in progress keeps a checkpoint in its folder
/// (after every epoch, and when cancelled), so an interrupted study continues that run where it stopped.
/// </summary>
public static class StudyRunner
{
    /// <summary>The perturbations of the test set, by name (part of every run's fingerprint). The occluding square is
    /// 10×10, or as large as the smaller side of images smaller than that (a stranger's data may be that small).</summary>
    public static IReadOnlyList<(string Name, Func<ImageDataset, ImageDataset> Apply)> Perturbations { get; } =
    [
        ("rotate-15", d => ImagePerturbations.Rotate(d, 15)),
        ("scale-0.8", d => ImagePerturbations.Scale(d, 0.8)),
        ("noise-0.2", d => ImagePerturbations.GaussianNoise(d, 0.2, seed: 7)),
        ("occlusion-10", d => ImagePerturbations.Occlude(d, Math.Min(10, Math.Min(d.Height, d.Width)), seed: 7)),
    ];

    /// <summary>The file, in a run's folder, that holds the checkpoint of a run in progress.</summary>
    public const string CheckpointFileName = "checkpoint.ckpt";

    internal static string PerturbationSignature => string.Join(",", Perturbations.Select(p => p.Name));

    /// <summary>Runs the study and writes <c>report.md</c>, <c>report.json</c>, the plots and one folder per run under <paramref name="outputFolder"/>.</summary>
    /// <exception cref="ArgumentException">The definition is invalid, or the data has too few images for it.</exception>
    /// <exception cref="Training.Checkpoints.TrainingInterruptedException">Cancelled during a run; its checkpoint resumes it.</exception>
    /// <exception cref="OperationCanceledException">Cancelled between runs.</exception>
    /// <exception cref="UnauthorizedAccessException">A folder under <paramref name="outputFolder"/> links outside it.</exception>
    public static StudyReport Run(StudyDefinition definition, string outputFolder, bool force, IStudyProgress progress, CancellationToken cancellation = default) =>
        Run(definition, outputFolder, new StudyRunOptions(Force: force), progress, cancellation);

    /// <summary>
    /// Runs the study, or this shard's part of it (<see cref="StudyRunOptions.Shard"/>): every run not yet finished is
    /// claimed before it is trained, runs claimed by another process are returned to until they are finished or free
    /// (a crashed holder's run is taken over and resumed from its checkpoint), and the report is written once every run
    /// has finished. With <see cref="StudyRunOptions.ReportOnly"/> nothing is trained: the report is built from the
    /// runs that have finished and says how many that is.
    /// </summary>
    /// <inheritdoc cref="Run(StudyDefinition, string, bool, IStudyProgress, CancellationToken)" path="/exception"/>
    public static StudyReport Run(StudyDefinition definition, string outputFolder, StudyRunOptions options, IStudyProgress progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        definition.Validate();
        var shard = options.Shard ?? StudyShard.Single;
        if (options.Force && shard.Count > 1)
            throw new ArgumentException("Retraining every run (force) is not possible in shards: other shards would keep their results. Run unsharded, or delete the runs to retrain.");
        var clock = Stopwatch.StartNew();
        // Only the training images the study uses are read (a gzip IDX file is decompressed only that far).
        var (pair, train, validation) = ExperimentData.Load(definition.Data, definition.ImageOptions(), definition.TrainSize, definition.ValidationSize, "the study");
        var test = definition.TestSize > 0 ? pair.Test.Take(definition.TestSize) : pair.Test;
        var perturbed = Perturbations.Select(p => (p.Name, Data: p.Apply(test))).ToList();
        using var data = RunData.Prepare(definition.Data, pair.Description, train, validation, test);

        var plan = new List<PlannedRun>();
        foreach (var model in definition.Models)
            foreach (var technique in definition.Techniques)
                foreach (int seed in definition.Seeds)
                {
                    var configuration = technique.Apply(model.Configuration, seed);
                    // Run folders come from names in the study file; they (and any link on the way) must stay in the output folder.
                    var folder = ConfinedPath.EnsureInside(outputFolder, Path.Combine("runs", RunResult.FolderName(model.Name, technique.Name, seed)), "output folder");
                    plan.Add(new PlannedRun(plan.Count, model.Name, technique.Name, seed, configuration, definition.RunFingerprint(configuration), folder));
                }
        var results = new RunResult?[plan.Count];
        if (options.ReportOnly)
        {
            foreach (var run in plan)
                results[run.Index] = TryReuse(run.Folder, run.Fingerprint);
            // A report of nothing would replace whatever report.md the folder holds (perhaps the user's own) with "0 of N".
            if (results.All(r => r is null))
                throw new ArgumentException($"--report-only: no run of this study has finished in '{outputFolder}' (none of its {plan.Count} runs is under runs/ with matching options); nothing was written. Run the study first, or point -o at its folder.");
        }
        else
        {
            var owner = $"study shard {shard} in process {Environment.ProcessId} on {Environment.MachineName}";
            var finished = ClaimedWork.Run(plan, shard, run => run.Folder, owner,
                run => options.Force ? null : TryReuse(run.Folder, run.Fingerprint),
                run =>
                {
                    progress.RunStarting(run.Index + 1, plan.Count, run.Name, run.Configuration.Training.Epochs);
                    return RunOne(run.Model, run.Technique, run.Seed, run.Fingerprint, run.Configuration, run.Folder, data, perturbed, progress, options.Force, cancellation);
                },
                (i, result, reused) => progress.RunFinished(i + 1, plan.Count, result, reused),
                (i, holder) => progress.RunClaimedElsewhere(i + 1, plan.Count, plan[i].Name, holder),
                options.PollInterval ?? TimeSpan.FromSeconds(5), cancellation);
            finished.CopyTo(results, 0);
        }

        var finishedRuns = results.Where(r => r is not null).Select(r => r!).ToList();
        var report = StudyReport.Create(definition, pair.Description, train.Count, validation.Count, test.Count, clock.Elapsed.TotalSeconds, finishedRuns) with { PlannedRuns = plan.Count };
        StudyReportWriter.Write(report, outputFolder);
        return report;
    }

    private sealed record PlannedRun(int Index, string Model, string Technique, int Seed, TrainingConfiguration Configuration, string Fingerprint, string Folder)
    {
        public string Name => RunResult.FolderName(Model, Technique, Seed);
    }

    private static RunResult RunOne(string modelName, string techniqueName, int seed, string fingerprint, TrainingConfiguration configuration,
        string folder, RunData data, IReadOnlyList<(string Name, ImageDataset Data)> perturbed, IStudyProgress progress, bool force, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(folder);
        var modelPath = Path.Combine(folder, "model.onnx");
        var checkpoint = new CheckpointOptions(Path.Combine(folder, CheckpointFileName), force ? ResumeMode.Never : ResumeMode.IfCompatible);
        // Verified on the validation split: the test split is only measured, on the exported file, after the run.
        var request = new RunRequest(configuration, modelPath)
        {
            Checkpoint = checkpoint,
            Callbacks = [new EpochProgress(progress.EpochFinished)],
            VerifyOn = VerificationSplit.Validation,
        };
        RunOutcome outcome;
        try
        {
            outcome = RunPipeline.Run(request, data, cancellation);
        }
        catch (TrainingDivergedException e)
        {
            throw new TrainingDivergedException($"Run {RunResult.FolderName(modelName, techniqueName, seed)} diverged: {e.History?.StopDetail ?? e.Message}. Lower its learning rate.", e.History);
        }
        var history = outcome.History;
        history.Save(Path.Combine(folder, "history.json"));

        // From here on only the exported file is measured, with the runtime library.
        using var classifier = OnnxClassifier.Load(modelPath);
        static SplitMetrics Metrics(EvaluationResult r) => new(r.Accuracy, r.MeanLoss, r.ExpectedCalibrationError);
        var trainMetrics = Metrics(Evaluator.Evaluate(classifier, data.Train.Images));
        var testMetrics = Metrics(Evaluator.Evaluate(classifier, data.Test.Images));
        var robustness = perturbed.ToDictionary(p => p.Name, p => Evaluator.Evaluate(classifier, p.Data).Accuracy);
        var summary = OnnxModelSummary.Of(OnnxModelSerializer.Read(modelPath));
        var result = new RunResult(modelName, techniqueName, seed, fingerprint,
            trainMetrics, Metrics(outcome.Model.OnnxRuntime), testMetrics, robustness,
            trainMetrics.Accuracy - testMetrics.Accuracy, testMetrics.Loss - trainMetrics.Loss,
            history.Epochs.Count, history.BestEpoch, history.StopReason.ToString(),
            summary.ExactlyZeroFraction, summary.BelowThresholdFraction, summary.WeightNorm, summary.ParameterCount,
            new FileInfo(modelPath).Length, outcome.Model.MaxDifference, clock.Elapsed.TotalSeconds,
            history.Epochs.Select(e => new CurvePoint(e.Epoch, e.TrainLoss, e.ValidationLoss, e.TrainAccuracy, e.ValidationAccuracy)).ToList());
        Store.Save(folder, result);
        File.Delete(checkpoint.Path); // the finished run is reused from run.json; its checkpoint would only take space
        return result;
    }

    // A finished run is reused when its result, its model and its fingerprint are all there and match.
    // A finished run is reused from its folder by fingerprint (the store the tuner keeps its trials in too).
    private static readonly RunStore<RunResult> Store = new("run.json", r => r.Fingerprint);

    private static RunResult? TryReuse(string folder, string fingerprint) => Store.TryReuse(folder, fingerprint);
}
