namespace OnnxReg.Training;

/// <summary>What one epoch measured. Training figures are running means over the epoch's batches in training
/// mode (dropout active), as Keras reports them; validation figures are measured in evaluation mode.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's training batches.</param>
/// <param name="TrainAccuracy">Fraction of training images classified correctly during the epoch.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation set, or null without one.</param>
/// <param name="ValidationAccuracy">Validation accuracy, or null without a validation set.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, double Seconds);
