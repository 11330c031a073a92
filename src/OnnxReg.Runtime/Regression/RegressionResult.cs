namespace OnnxReg.Runtime.Regression;

/// <summary>The outcome of checking a model against its baseline.</summary>
/// <param name="ModelPath">The model checked.</param>
/// <param name="BaselinePath">The baseline file it was checked against.</param>
/// <param name="Baseline">The baseline's figures.</param>
/// <param name="Now">What the model measures now.</param>
/// <param name="WeightsChanged">True if the model's weight hash differs from the baseline's.</param>
/// <param name="Passed">True if the accuracy now is at least the baseline's minus its tolerance.</param>
/// <param name="Message">One line saying what was measured against what, naming the model and the baseline.</param>
public sealed record RegressionResult(
    string ModelPath,
    string BaselinePath,
    AccuracyBaseline Baseline,
    EvaluationResult Now,
    bool WeightsChanged,
    bool Passed,
    string Message);
