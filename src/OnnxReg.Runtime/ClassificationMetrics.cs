namespace OnnxReg.Runtime;

/// <summary>
/// Accumulates classification metrics one prediction at a time — accuracy, cross-entropy, the confusion matrix,
/// per-class precision and recall, and the expected calibration error — then reports them as an
/// <see cref="EvaluationResult"/>. Pure arithmetic on probabilities: no model involved, so it is tested on
/// hand-made predictions.
/// </summary>
public sealed class ClassificationMetrics
{
    private readonly int _classes;
    private readonly int[][] _confusion;
    private readonly long[] _binCount;
    private readonly double[] _binConfidence;
    private readonly long[] _binCorrect;
    private long _count;
    private long _correct;
    private double _lossSum;

    /// <summary>Starts empty for <paramref name="classes"/> classes and <paramref name="calibrationBins"/> equal-width confidence bins (15 as in Guo et al.).</summary>
    public ClassificationMetrics(int classes, int calibrationBins = 15)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "At least 2 classes are needed.");
        if (calibrationBins < 1) throw new ArgumentOutOfRangeException(nameof(calibrationBins), calibrationBins, "At least 1 bin is needed.");
        _classes = classes;
        _confusion = Enumerable.Range(0, classes).Select(_ => new int[classes]).ToArray();
        _binCount = new long[calibrationBins];
        _binConfidence = new double[calibrationBins];
        _binCorrect = new long[calibrationBins];
    }

    /// <summary>Adds one prediction: the class probabilities (summing to 1) and the true label.</summary>
    public void Add(ReadOnlySpan<float> probabilities, int label)
    {
        Check(probabilities.Length, label);
        Record(probabilities, label, ClassifierMath.CrossEntropyOfProbabilities(probabilities, label));
    }

    /// <summary>Adds one prediction given as logits, with an exactly computed cross-entropy (log-sum-exp in double).</summary>
    /// <param name="logits">The prediction's logits.</param>
    /// <param name="label">The true class.</param>
    /// <param name="scratch">At least as many floats as classes, for the softmax (so no call allocates).</param>
    public void AddLogits(ReadOnlySpan<float> logits, int label, Span<float> scratch)
    {
        Check(logits.Length, label);
        var probabilities = scratch[..logits.Length];
        logits.CopyTo(probabilities);
        ClassifierMath.Softmax(probabilities);
        Record(probabilities, label, ClassifierMath.CrossEntropy(logits, label));
    }

    private void Check(int outputs, int label)
    {
        if (outputs != _classes)
            throw new ArgumentException($"Expected {_classes} probabilities or logits; received {outputs}.");
        if ((uint)label >= (uint)_classes)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"Label must be below {_classes}.");
    }

    private void Record(ReadOnlySpan<float> probabilities, int label, double loss)
    {
        int predicted = ClassifierMath.ArgMax(probabilities);
        float confidence = probabilities[predicted];
        bool correct = predicted == label;
        _count++;
        if (correct) _correct++;
        _lossSum += loss;
        _confusion[label][predicted]++;
        int bin = Math.Clamp((int)(confidence * _binCount.Length), 0, _binCount.Length - 1);
        _binCount[bin]++;
        _binConfidence[bin] += confidence;
        if (correct) _binCorrect[bin]++;
    }

    /// <summary>The metrics of everything added so far.</summary>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    public EvaluationResult Result()
    {
        if (_count == 0) throw new InvalidOperationException("No predictions were added.");
        double ece = 0;
        for (int b = 0; b < _binCount.Length; b++)
            if (_binCount[b] > 0)
                ece += (double)_binCount[b] / _count * Math.Abs((double)_binCorrect[b] / _binCount[b] - _binConfidence[b] / _binCount[b]);
        var precision = new double[_classes];
        var recall = new double[_classes];
        for (int c = 0; c < _classes; c++)
        {
            long predictedAsC = _confusion.Sum(row => (long)row[c]);
            long actualC = _confusion[c].Sum(v => (long)v);
            precision[c] = predictedAsC == 0 ? 0 : (double)_confusion[c][c] / predictedAsC;
            recall[c] = actualC == 0 ? 0 : (double)_confusion[c][c] / actualC;
        }
        return new EvaluationResult((int)_count, (double)_correct / _count, _lossSum / _count, ece,
            _confusion.Select(row => row.ToArray()).ToArray(), precision, recall);
    }
}
