namespace OnnxReg.Runtime;

/// <summary>How a model did on a dataset.</summary>
/// <param name="Count">Images evaluated.</param>
/// <param name="Accuracy">Fraction whose most probable class is the true class.</param>
/// <param name="MeanLoss">Mean cross-entropy (natural log) of the predicted probabilities against the true class.</param>
/// <param name="ExpectedCalibrationError">ECE over equal-width confidence bins (Guo et al., 2017): Σ (n_b/N)·|accuracy_b − confidence_b|.</param>
/// <param name="ConfusionMatrix">Counts indexed [true class][predicted class].</param>
/// <param name="Precision">Per class: correct predictions of the class / all predictions of it (0 when never predicted).</param>
/// <param name="Recall">Per class: correct predictions of the class / all images of it (0 when absent).</param>
public sealed record EvaluationResult(
    int Count,
    double Accuracy,
    double MeanLoss,
    double ExpectedCalibrationError,
    int[][] ConfusionMatrix,
    double[] Precision,
    double[] Recall);
