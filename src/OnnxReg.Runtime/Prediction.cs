namespace OnnxReg.Runtime;

/// <summary>A classifier's answer for one sample.</summary>
/// <param name="ClassIndex">The most probable class.</param>
/// <param name="ClassName">Its name from the model's metadata.</param>
/// <param name="Probabilities">The probability of every class (softmax of the logits), indexed by class.</param>
/// <param name="ClassNames">The model's class names, indexed by class.</param>
public sealed record Prediction(int ClassIndex, string ClassName, float[] Probabilities, IReadOnlyList<string> ClassNames)
{
    /// <summary>The probability of the predicted class.</summary>
    public float Confidence => Probabilities[ClassIndex];

    /// <summary>The <paramref name="count"/> most probable classes, most probable first.</summary>
    public IReadOnlyList<(string ClassName, float Probability)> Top(int count) =>
        Probabilities.Select((p, i) => (ClassNames[i], p)).OrderByDescending(x => x.p).Take(Math.Max(0, count)).ToList();
}
