namespace OnnxReg.Runtime;

/// <summary>The arithmetic on a classifier's outputs — softmax, argmax, cross-entropy — in one place, used by
/// prediction and evaluation alike.</summary>
public static class ClassifierMath
{
    /// <summary>Replaces logits by their softmax, in place (stable: the maximum is subtracted first).</summary>
    public static void Softmax(Span<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (var v in values) max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < values.Length; i++) sum += values[i] = MathF.Exp(values[i] - max);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] / sum);
    }

    /// <summary>The index of the largest value (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary><c>log Σ exp(z) − z[label]</c>: the cross-entropy of logits, computed stably in double precision.</summary>
    public static double CrossEntropy(ReadOnlySpan<float> logits, int label)
    {
        double max = double.NegativeInfinity;
        foreach (float z in logits) max = Math.Max(max, z);
        double sum = 0;
        foreach (float z in logits) sum += Math.Exp(z - max);
        return max + Math.Log(sum) - logits[label];
    }

    /// <summary><c>−log p[label]</c>, with p floored at 1e-12 so a zero probability gives a large finite loss.</summary>
    public static double CrossEntropyOfProbabilities(ReadOnlySpan<float> probabilities, int label) =>
        -Math.Log(Math.Max(probabilities[label], 1e-12));
}
