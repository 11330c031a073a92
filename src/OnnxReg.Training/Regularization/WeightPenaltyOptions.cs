namespace OnnxReg.Training.Regularization;

/// <summary>
/// Weight penalties added to the training loss: <c>L1·Σ|w| + L2·Σw²</c> (elastic net when both are set), as
/// Keras' <c>l1_l2</c> regularizer defines them (no ½ factor). By default they apply to the weights of Linear and
/// Conv2d layers only; biases and normalization parameters are excluded unless asked.
/// </summary>
/// <param name="L1">λ₁ ≥ 0.</param>
/// <param name="L2">λ₂ ≥ 0.</param>
/// <param name="IncludeBiases">Also penalize the biases of Linear and Conv2d layers.</param>
/// <param name="IncludeNormalization">Also penalize BatchNorm scale and shift.</param>
/// <param name="Layers">Per-layer overrides by module path (e.g. <c>classifier.fc1</c>): that layer's strengths replace the global ones.</param>
public sealed record WeightPenaltyOptions(
    double L1 = 0,
    double L2 = 0,
    bool IncludeBiases = false,
    bool IncludeNormalization = false,
    IReadOnlyDictionary<string, LayerPenalty>? Layers = null)
{
    /// <summary>True if any parameter is penalized.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsActive => L1 > 0 || L2 > 0 || (Layers?.Values.Any(l => l.L1 > 0 || l.L2 > 0) ?? false);

    /// <summary>Checks the strengths.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A strength is negative, not finite, or above <see cref="MaxStrength"/>.</exception>
    public void Validate()
    {
        Check(L1, nameof(L1));
        Check(L2, nameof(L2));
        foreach (var (layer, penalty) in Layers ?? new Dictionary<string, LayerPenalty>())
        {
            if (string.IsNullOrWhiteSpace(layer))
                throw new ArgumentException("A per-layer penalty needs a layer name (its module path, e.g. classifier.fc1).", nameof(Layers));
            Check(penalty.L1, $"{nameof(Layers)}[{layer}].L1");
            Check(penalty.L2, $"{nameof(Layers)}[{layer}].L2");
        }
    }

    /// <summary>The largest strength accepted. At 1 a penalty already outweighs any classifier's loss; far above this,
    /// λ no longer fits the single-precision arithmetic the gradients are computed in.</summary>
    public const double MaxStrength = 1e6;

    private static void Check(double value, string name)
    {
        if (!(value >= 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"Penalty strength must be zero or positive. Received: {name}={value}.");
        if (value > MaxStrength)
            throw new ArgumentOutOfRangeException(name, value, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Penalty strength must be at most {MaxStrength:0e0} (typical values are 1e-6 to 1e-2). Received: {name}={value}."));
    }
}
