using OnnxReg.Data;
using OnnxReg.Export;
using OnnxReg.Training;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Pipeline;

/// <summary>
/// One run, end to end, written once: train the configured network → export it → verify the file against the network
/// in TorchSharp → measure the file with ONNX Runtime. <c>onnxreg train</c>, <c>onnxreg export</c> and the study all
/// come through here, so every model file carries the same description and every run obeys the same rules.
/// </summary>
/// <example>
/// <code>
/// var pair = DatasetSource.Load("embedded");
/// var (train, validation) = DatasetSplit.TrainValidation(pair.Train, 0.1, seed: 1);
/// using var data = RunData.Prepare("embedded", pair.Description, train, validation, pair.Test);
/// var outcome = RunPipeline.Run(new RunRequest(configuration, "model.onnx"), data);
/// Console.WriteLine($"test accuracy of the file: {outcome.Model.OnnxRuntime.Accuracy:P2}");
/// </code>
/// </example>
public static class RunPipeline
{
    /// <summary>Trains, exports, verifies and measures one run.</summary>
    /// <exception cref="TrainingDivergedException">Training diverged with no restored best epoch to export (its history is attached); nothing was written.</exception>
    /// <exception cref="ExportMismatchException">The export disagrees with the network; nothing was written.</exception>
    /// <exception cref="TrainingInterruptedException">Cancelled; the checkpoint (if any) resumes the run.</exception>
    /// <exception cref="ArgumentException">The configuration is invalid (the message names the option).</exception>
    public static RunOutcome Run(RunRequest request, RunData data, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(data);
        var configuration = request.Configuration;
        var images = data.Train.Images;
        using var network = ModelPresets.Create(configuration.Model, images.Channels, images.Height, images.Width, images.ClassNames.Count,
            configuration.Training.Seed, configuration.Training.BatchSize);
        var history = new Trainer(configuration, request.Callbacks)
            .Fit(network, data.Train.Tensors, data.Validation.Count > 0 ? data.Validation.Tensors : null, request.Checkpoint, cancellation);
        RequireExportable(history);
        var kept = history.Kept;
        var metrics = new FinalMetrics(kept.Epoch, kept.TrainLoss, kept.TrainAccuracy, kept.ValidationLoss, kept.ValidationAccuracy,
            history.StopReason.ToString(), data.Source, data.Train.Count);
        var verifyOn = request.VerifyOn == VerificationSplit.Test ? data.Test : data.Validation.Count > 0 ? data.Validation : data.Train;
        var model = Export(network, request.ModelPath, request.Export, configuration, metrics, request.Command, images.ClassNames, data.Normalization, images.Preparation, verifyOn);
        return new RunOutcome(history, model);
    }

    /// <summary>
    /// Exports the weights <paramref name="checkpoint"/> keeps (early stopping's best epoch, else the last completed
    /// one) — from a finished run or one still in progress — verified and measured on <paramref name="test"/>, which
    /// must have the checkpoint's image shape and classes.
    /// </summary>
    /// <exception cref="OnnxRegException">The checkpoint has no completed epoch yet, or <paramref name="test"/> does not fit it.</exception>
    /// <exception cref="ExportMismatchException">The export disagrees with the network; nothing was written.</exception>
    public static VerifiedModel ExportCheckpoint(TrainingCheckpoint checkpoint, ImageDataset test, string modelPath, ExportOptions? export = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(test);
        var configuration = checkpoint.Configuration;
        var (channels, height, width) = checkpoint.ImageShape;
        int kept = checkpoint.KeptEpoch
            ?? throw new OnnxRegException("the checkpoint was written before any epoch completed; there are no trained weights to export yet");
        if ((test.Channels, test.Height, test.Width) != (channels, height, width) || test.ClassNames.Count != checkpoint.ClassNames.Count)
            throw new OnnxRegException(
                $"the data has {test.Channels}×{test.Height}×{test.Width} images in {test.ClassNames.Count} classes, but the checkpoint was trained on {channels}×{height}×{width} images in {checkpoint.ClassNames.Count} classes; pass the data it was trained on");
        using var network = ModelPresets.Create(configuration.Model, channels, height, width, checkpoint.ClassNames.Count, configuration.Training.Seed);
        checkpoint.CopyKeptWeightsInto(network);
        network.eval();
        var epoch = checkpoint.Epochs.Single(e => e.Epoch == kept);
        var metrics = new FinalMetrics(epoch.Epoch, epoch.TrainLoss, epoch.TrainAccuracy, epoch.ValidationLoss, epoch.ValidationAccuracy,
            checkpoint.StopReason?.ToString() ?? FinalMetrics.InProgress, Data: null, TrainImages: null);
        using var split = PreparedSplit.From("test", test, checkpoint.Normalization, readOnce: true);
        return Export(network, modelPath, export ?? new ExportOptions(), configuration, metrics, command: null, checkpoint.ClassNames, checkpoint.Normalization, checkpoint.ImagePreparation, split);
    }

    // After a divergence only a restored best epoch is worth exporting: the last finite epoch is usually already
    // ruined (huge weights), so the run fails, and its history and last good checkpoint are kept for inspection.
    private static void RequireExportable(TrainingHistory history)
    {
        if (history.Epochs.Count == 0)
            throw new TrainingDivergedException($"training failed before completing an epoch: {history.StopDetail}; nothing was exported", history);
        if (history.StopReason == Training.Callbacks.StopReason.NonFiniteLoss && history.RestoredEpoch is null)
            throw new TrainingDivergedException($"training diverged: {history.StopDetail}; nothing was exported", history);
    }

    private static VerifiedModel Export(nn.Module<Tensor, Tensor> network, string path, ExportOptions format, TrainingConfiguration configuration,
        FinalMetrics metrics, string? command, IReadOnlyList<string> classNames, Normalization normalization, ImagePreparation? image, PreparedSplit verifyOn)
    {
        var options = format with
        {
            ClassNames = classNames,
            Normalization = normalization,
            Image = image,
            TrainingConfiguration = configuration.ToCompactJson(),
            Metrics = metrics,
            Command = command,
        };
        return ExportVerification.ExportVerified(network, path, options, verifyOn);
    }
}
