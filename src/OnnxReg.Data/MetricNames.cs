namespace OnnxReg.Data;

/// <summary>
/// The one vocabulary of metric names in every machine-readable output — history JSON and CSV, TensorBoard tags,
/// <c>eval</c> and <c>compare</c> JSON and CSV, the study's and the tuner's <c>report.json</c>, <c>run.json</c> and
/// <c>trial.json</c>: Keras' names where Keras has one. A figure of the training split has no prefix (Keras' history),
/// one of the validation split <c>val_</c>, one of the test split <c>test_</c>; a record that describes one evaluated
/// split (an <c>eval</c> or <c>compare</c> row, a split object in <c>run.json</c>) names the split once and its
/// figures without a prefix, as Keras' <c>evaluate</c> does.
/// </summary>
public static class MetricNames
{
    /// <summary>Mean cross-entropy (without the weight penalty).</summary>
    public const string Loss = "loss";

    /// <summary>Fraction classified correctly.</summary>
    public const string Accuracy = "accuracy";

    /// <summary>Expected calibration error (15 equal-width confidence bins). Keras has no name for it.</summary>
    public const string Ece = "ece";

    /// <summary>The weight penalty (L1/L2 terms) at the end of an epoch.</summary>
    public const string Penalty = "penalty";

    /// <summary>The learning rate of an epoch.</summary>
    public const string LearningRate = "lr";

    /// <summary>Validation loss.</summary>
    public const string ValLoss = "val_loss";

    /// <summary>Validation accuracy.</summary>
    public const string ValAccuracy = "val_accuracy";

    /// <summary>Validation expected calibration error.</summary>
    public const string ValEce = "val_ece";

    /// <summary>Test loss.</summary>
    public const string TestLoss = "test_loss";

    /// <summary>Test accuracy.</summary>
    public const string TestAccuracy = "test_accuracy";

    /// <summary>Test expected calibration error.</summary>
    public const string TestEce = "test_ece";

    /// <summary>Every name above, for tests and documentation.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Loss, Accuracy, Ece, Penalty, LearningRate, ValLoss, ValAccuracy, ValEce, TestLoss, TestAccuracy, TestEce];
}
