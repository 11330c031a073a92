namespace OnnxReg.Runtime;

/// <summary>How a model did on a dataset.</summary>
/// <param name="Count">Images evaluated.</param>
/// <param name="Accuracy">Fraction whose highest logit is the true class.</param>
/// <param name="MeanLoss">Mean cross-entropy (natural log) of the softmax of the logits against the true class.</param>
public sealed record EvaluationResult(int Count, double Accuracy, double MeanLoss);
