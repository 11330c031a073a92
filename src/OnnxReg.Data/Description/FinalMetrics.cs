namespace OnnxReg.Data;

/// <summary>
/// The metrics of the epoch whose weights a model file holds, as recorded in its <c>onnxreg.metrics</c> entry. Every
/// command that writes a model (<c>train</c>, <c>export</c>, <c>study</c>) writes this one shape; a value a command
/// does not know is null.
/// </summary>
/// <param name="Epoch">The epoch whose weights were exported (the restored best epoch, else the last completed one).</param>
/// <param name="TrainLoss">Mean training loss of that epoch (with augmentation, without the penalty).</param>
/// <param name="TrainAccuracy">Training accuracy of that epoch.</param>
/// <param name="ValidationLoss">Validation loss of that epoch, or null without a validation set.</param>
/// <param name="ValidationAccuracy">Validation accuracy of that epoch, or null without a validation set.</param>
/// <param name="StopReason">How training ended (<c>Completed</c>, <c>NoImprovement</c>, …), or <see cref="InProgress"/>
/// for a model exported from the checkpoint of a run that has not finished.</param>
/// <param name="Data">The training data's source (<c>embedded</c>, <c>fashion-mnist</c> or a folder), or null if unknown.</param>
/// <param name="TrainImages">How many images the model was trained on, or null if unknown.</param>
public sealed record FinalMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    string StopReason,
    string? Data,
    int? TrainImages)
{
    /// <summary>The <see cref="StopReason"/> of a model exported while its training was still running.</summary>
    public const string InProgress = "InProgress";
}
