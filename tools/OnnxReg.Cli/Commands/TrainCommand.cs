using System.CommandLine;
using OnnxReg.Data;
using OnnxReg.Data.IO;
using OnnxReg.Export;
using OnnxReg.Pipeline;
using OnnxReg.Training;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// <c>onnxreg train</c>: trains a preset model with the chosen regularization, exports it to ONNX, checks the
/// exported file against the trained network on the test set, and prints test accuracy and loss measured by ONNX
/// Runtime on that file. The run's history (configuration, every epoch, how it stopped) is written beside the model.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var binder = new TrainingOptionsBinder();
        var run = new TrainRunOptions();
        var command = new Command("train", "Train a preset model with regularization, export it to ONNX, and evaluate the exported file with ONNX Runtime");
        foreach (var option in binder.All) command.Add(option);
        foreach (var option in run.All) command.Add(option);
        command.SetAction((parse, cancellation) => Task.FromResult(Action(parse, cancellation)));
        int Action(ParseResult parse, CancellationToken cancellation)
        {
            var export = run.Export.Bind(parse);
            var outputPath = parse.GetValue(run.Output)!;
            // The recorded command reproduces the run from scratch, so it never includes --resume.
            var request = new TrainRequest(parse.GetValue(run.Data)!, parse.GetValue(run.TrainSize), parse.GetValue(run.ValidationFraction), outputPath, export,
                CommandLine.Format(parse.Tokens.Select(t => t.Value).Where(t => t != "--resume")),
                parse.GetValue(run.Checkpoint) ?? Path.ChangeExtension(outputPath, ".ckpt"), parse.GetValue(run.Resume), parse.GetValue(run.LogDir),
                run.Images.Bind(parse, console));
            Validate(request);
            var configuration = binder.Bind(parse);
            if (binder.WroteConfig(parse, configuration, console))
                return CliApp.Success;
            return Run(console, request, configuration, cancellation);
        }
        return command;
    }

    private sealed record TrainRequest(string Data, int TrainSize, double ValidationFraction, string Output, ExportOptions Export, string CommandLine,
        string Checkpoint, bool Resume, string? LogDir, ImageFolderOptions Images);

    private static int Run(CliConsole console, TrainRequest request, TrainingConfiguration configuration, CancellationToken cancellation)
    {
        // Held until the model, history and checkpoint are written: a second run with the same outputs is refused
        // at once, naming this one, instead of both finishing with each other's files side by side.
        using var outputLock = OutputLock.Acquire(request.Output, request.CommandLine);
        using var checkpointLock = OutputLock.Acquire(request.Checkpoint, request.CommandLine);
        string? resuming = null;
        IReadOnlyList<EpochMetrics> earlierEpochs = [];
        if (request.Resume)
        {
            using var saved = TrainingCheckpoint.Load(request.Checkpoint); // a damaged file fails here, before the data is loaded
            resuming = $"resuming from {request.Checkpoint}: {saved.Describe()}";
            earlierEpochs = [.. saved.Epochs];
        }
        // --train-size also bounds what an image folder decodes: the images that would be dropped are never read.
        var pair = DatasetSource.Load(request.Data, request.TrainSize > 0 ? request.Images with { TrainLimit = request.TrainSize } : request.Images);
        // The exported model is verified and measured on the test split after training: an empty one is said now, not then.
        if (pair.Test.Count == 0)
            throw new CliException($"the test split of '{PrintableText.Escape(request.Data)}' holds no images (test/ has only empty class folders?); the exported model is measured on it. Add test images, or give a dataset that has them");
        var available = request.TrainSize > 0 ? pair.Train.Take(request.TrainSize) : pair.Train;
        // A source with its own validation split (an image folder's val/) is used as it is; otherwise a fraction of the training images is held out.
        var (trainImages, validationImages) = pair.Validation is { } own ? (available, own) : DatasetSplit.TrainValidation(available, request.ValidationFraction, configuration.Training.Seed);
        using var data = RunData.Prepare(request.Data, pair.Description, trainImages, validationImages, pair.Test);
        var options = configuration.Training;
        console.Line($"data: {pair.Description}; training on {trainImages.Count:N0}, validating on {validationImages.Count:N0}{(pair.Validation is null ? "" : " (val/)")}, testing on {pair.Test.Count:N0}; normalization {data.Normalization}");
        console.Line($"model: {RunDescription.Architecture(configuration.Model, trainImages)}; {options.Optimizer} lr {options.LearningRate}, batch {options.BatchSize}, up to {options.Epochs} epochs, seed {options.Seed}");
        console.Line($"regularization: {RunDescription.Regularization(configuration)}");
        var budget = ModelBudget.Estimate(configuration.Model, trainImages.Channels, trainImages.Height, trainImages.Width, trainImages.ClassNames.Count);
        long dataBytes = new[] { trainImages, validationImages }.Sum(s => TensorDataset.HeldBytes(s.Count, s.SampleSize, s.IsStreamed))
            + TensorDataset.HeldBytes(pair.Test.Count, pair.Test.SampleSize, pair.Test.IsStreamed, cachesFloats: false); // read once, after training
        long estimatedPeak = budget.PeakBytes(options.BatchSize, dataBytes);
        console.Line(MemoryEstimate.Describe(budget, options.BatchSize, dataBytes));
        if (CpuKernels.Settings.Describe() is { } cpu) console.Line(cpu);
        if (resuming is not null) console.Line(resuming);

        var historyPath = HistoryPath(request.Output);
        var run = new RunRequest(configuration, request.Output)
        {
            Export = request.Export,
            Command = request.CommandLine,
            Checkpoint = new CheckpointOptions(request.Checkpoint, request.Resume ? ResumeMode.Required : ResumeMode.Never),
            Callbacks = [new ModelSummaryTable(console, [trainImages.Channels, trainImages.Height, trainImages.Width]), new BatchProgressLine(console, options.Epochs), new EpochProgress(epoch => console.Line(RunDescription.Epoch(epoch, options.Epochs))), .. Logs(request, earlierEpochs)],
            VerifyOn = VerificationSplit.Test,
        };
        RunOutcome outcome;
        try
        {
            outcome = RunPipeline.Run(run, data, cancellation);
        }
        catch (TrainingInterruptedException e)
        {
            throw new CliInterruptedException(
                $"interrupted in epoch {e.Epoch} after batch {e.BatchesDone} of {e.BatchCount}; checkpoint saved to {request.Checkpoint}; resume with: {request.CommandLine} --resume", e);
        }
        catch (TrainingDivergedException e) when (e.History is { } history)
        {
            console.Line($"stopped: {history.StopDetail}");
            if (history.Epochs.Count > 0) history.Save(historyPath);
            throw new CliException(history.Epochs.Count == 0 ? e.Message
                : $"{e.Message}, and {request.Checkpoint} keeps the last good epoch. Lower --lr, or add --early-stopping to export the best epoch");
        }
        var trained = outcome.History;
        console.Line($"stopped: {trained.StopDetail}" + (trained.RestoredEpoch is int restored ? $"; restored the best weights, from epoch {restored}" : ""));
        VerifiedModelDisplay.Show(console, outcome.Model, request.Export.SoftmaxOutput);
        // Written after the model, so an export that fails or is killed leaves the previous model beside its own history.
        trained.Save(historyPath);
        console.Line($"history in {historyPath}; checkpoint in {request.Checkpoint}");
        if (MemoryEstimate.MeasuredPeakBytes() is long peak)
            console.Line(MemoryEstimate.Measured(peak, estimatedPeak));
        return CliApp.Success;
    }

    private static IEnumerable<ITrainingCallback> Logs(TrainRequest request, IReadOnlyList<EpochMetrics> earlierEpochs)
    {
        if (request.LogDir is not { } folder) yield break;
        Directory.CreateDirectory(folder);
        yield return new CsvHistoryLog(Path.Combine(folder, "history.csv"), earlierEpochs);
        yield return new TensorBoardLog(folder);
    }

    private static string HistoryPath(string output) => Path.ChangeExtension(output, null) + ".history.json";

    // Checked before loading data, so a bad value fails in milliseconds with the option's name.
    private static void Validate(TrainRequest request)
    {
        if (request.TrainSize < 0)
            throw new CliException($"--train-size must be 0 (all) or a positive count; received {request.TrainSize}");
        if (request.ValidationFraction is not (>= 0 and < 1))
            throw new CliException($"--validation-fraction must be in [0, 1); received {request.ValidationFraction}");
        CommonOptions.RequireWritable("--output", request.Output, HistoryPath(request.Output));
        CommonOptions.RequireWritable("--checkpoint", request.Checkpoint);
        var written = new[] { request.Output, HistoryPath(request.Output) }.Select(Path.GetFullPath);
        if (written.Contains(Path.GetFullPath(request.Checkpoint)))
            throw new CliException($"--checkpoint must differ from the model and history files; received {request.Checkpoint}");
        if (request.LogDir is { } logDir)
        {
            if (File.Exists(logDir))
                throw new CliException($"--log-dir must be a folder; {logDir} is a file");
            CommonOptions.RequireWritable("--log-dir", Path.Combine(logDir, "history.csv"));
        }
        if (request.Resume && !File.Exists(request.Checkpoint))
            throw new CliException($"--resume: there is no checkpoint at {request.Checkpoint}; run without --resume to start training (or point --checkpoint at the file)");
    }
}
