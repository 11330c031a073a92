namespace OnnxReg.Training.Regularization;

/// <summary>
/// Per-class weights of the training loss, for imbalanced data (PyTorch's <c>CrossEntropyLoss(weight=…)</c>, Keras'
/// <c>class_weight</c>): <see cref="Balanced"/> computes them from the training labels as scikit-learn's "balanced"
/// does, <c>n_samples / (n_classes · n_c)</c>; otherwise <see cref="Values"/> gives one weight per class. Validation
/// and test losses stay unweighted, so they remain comparable across settings.
/// </summary>
/// <param name="Balanced">Weigh each class inversely to its frequency in the training split.</param>
/// <param name="Values">One positive weight per class, in class order (when not balanced).</param>
public sealed record ClassWeights(bool Balanced = false, double[]? Values = null)
{
    /// <summary>Checks the values (their count is checked against the classes when training starts).</summary>
    /// <exception cref="ArgumentException">Neither or both are given, or a weight is not positive and finite.</exception>
    public void Validate()
    {
        if (Balanced == Values is not null)
            throw new ArgumentException("Class weights are either balanced or a list of weights, not both or neither. Received: " +
                $"Balanced={Balanced}, Values={(Values is null ? "none" : string.Join(",", Values))}.", nameof(Values));
        if (Values is { } values && (values.Length < 2 || values.Any(v => !(v > 0) || !double.IsFinite(v))))
            throw new ArgumentOutOfRangeException(nameof(Values), $"Class weights must be at least two positive numbers. Received: {string.Join(",", values)}.");
    }

    /// <summary>The weight of each of <paramref name="classCount"/> classes for a training split with <paramref name="labelCounts"/> images per class.</summary>
    /// <exception cref="ArgumentException">The given weights do not match the class count, or a balanced class has no image.</exception>
    public double[] Resolve(int classCount, IReadOnlyList<long> labelCounts)
    {
        Validate();
        if (Values is { } values)
            return values.Length == classCount ? values
                : throw new ArgumentException($"{values.Length} class weights were given for {classCount} classes; give one per class.", nameof(Values));
        long total = labelCounts.Sum();
        return Enumerable.Range(0, classCount).Select(c => labelCounts[c] > 0 ? (double)total / (classCount * labelCounts[c])
            : throw new ArgumentException($"Class {c} has no training image, so balanced class weights are undefined; give the weights instead.", nameof(Balanced))).ToArray();
    }
}
