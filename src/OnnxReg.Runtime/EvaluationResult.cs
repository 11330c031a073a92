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
    double[] Recall)
{
    /// <summary>Per class: the harmonic mean of precision and recall, 2PR / (P + R) (0 when both are 0).</summary>
    public double[] F1 => Precision.Zip(Recall, (p, r) => p + r > 0 ? 2 * p * r / (p + r) : 0).ToArray();

    /// <summary>Per class: how many images of it were evaluated (the confusion matrix's row sums).</summary>
    public int[] Support => ConfusionMatrix.Select(row => row.Sum()).ToArray();
}
