namespace OnnxReg.Training.Regularization;

/// <summary>The L1 and L2 strengths for one named layer, replacing the global ones (0 and 0: no penalty there).</summary>
/// <param name="L1">λ₁ of <c>λ₁·Σ|w|</c> for this layer.</param>
/// <param name="L2">λ₂ of <c>λ₂·Σw²</c> for this layer.</param>
public sealed record LayerPenalty(double L1, double L2);
