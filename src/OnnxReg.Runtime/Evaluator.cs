using OnnxReg.Data;

namespace OnnxReg.Runtime;

/// <summary>Evaluates an exported classifier on a labelled dataset with ONNX Runtime.</summary>
public static class Evaluator
{
    /// <summary>
    /// Prepares the images as the model's metadata says (normalized, or raw pixels for a graph that normalizes
    /// itself), runs them in batches, and measures accuracy, mean cross-entropy (of the softmax of the logits, or of
    /// the probabilities for a model exported with a softmax output, floored at 1e-12), calibration error, the
    /// confusion matrix and per-class precision and recall.
    /// </summary>
    /// <param name="model">The classifier.</param>
    /// <param name="data">Labelled images of the model's input shape.</param>
    /// <param name="batchSize">Images per ONNX Runtime call (a fixed-batch model uses its own).</param>
    /// <param name="allowOtherClassNames">Evaluate even when the data's class names differ from those the model records
    /// (by default an error: a model scored against another labelling gives a meaningless accuracy).</param>
    /// <exception cref="ArgumentException">The images do not fit the model's input, a label is beyond its classes, or the class names differ.</exception>
    /// <param name="cancellation">Checked between batches (Ctrl+C): <see cref="OperationCanceledException"/>.</param>
    public static EvaluationResult Evaluate(OnnxClassifier model, ImageDataset data, int batchSize = 256, bool allowOtherClassNames = false,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
            throw new ArgumentException("There are no images to evaluate on (the split is empty); give a dataset whose split holds labelled images.", nameof(data));
        EnsureCompatible(model, data);
        if (!allowOtherClassNames) EnsureSameClassNames(model, data);
        if (model.FixedBatchSize is int fixedBatch) batchSize = fixedBatch;
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");

        int sampleSize = data.SampleSize;
        var inputs = new float[batchSize * sampleSize];
        var pixels = data.IsStreamed ? new byte[batchSize * sampleSize] : []; // a streamed split is read a batch at a time
        var outputs = new float[batchSize * model.ClassCount];
        var scratch = new float[model.ClassCount];
        var metrics = new ClassificationMetrics(model.ClassCount);
        for (int start = 0; start < data.Count; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int length = Math.Min(batchSize, data.Count - start);
            // A fixed-batch model takes the ragged last batch padded with blank images, whose answers are not counted.
            int fed = model.FixedBatchSize ?? length;
            if (fed > length) inputs.AsSpan(0, fed * sampleSize).Clear();
            model.PreparePixels(data.View(start, length, pixels), inputs);
            model.Run(inputs.AsSpan(0, fed * sampleSize), fed, outputs);
            for (int i = 0; i < length; i++)
            {
                var row = outputs.AsSpan(i * model.ClassCount, model.ClassCount);
                int label = data.Labels[start + i];
                if (model.OutputsProbabilities) metrics.Add(row, label);
                else metrics.AddLogits(row, label, scratch);
            }
        }
        return metrics.Result();
    }

    // Same count but other names, or the same names in another order, means label i is not the model's class i.
    private static void EnsureSameClassNames(OnnxClassifier model, ImageDataset data)
    {
        if (model.Description.ClassNames is not { } recorded) return;
        for (int c = 0; c < data.ClassNames.Count; c++)
        {
            if (recorded[c] == data.ClassNames[c]) continue;
            throw new ArgumentException(
                $"Model '{model.Path}' calls class {c} '{PrintableText.Escape(recorded[c])}' but the data call it '{PrintableText.Escape(data.ClassNames[c])}' " +
                $"(model: {Names(recorded)}; data: {Names(data.ClassNames)}). Evaluate it on data with the model's classes in its order (classes.txt fixes the order), or allow other class names if the labels agree.");
        }
    }

    private static string Names(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(12).Select(name => PrintableText.Escape(name))) + (names.Count > 12 ? ", …" : "");

    // The images must fill the model's input exactly. A model that takes flat vectors ([784]) reads the same
    // row-major bytes as one that takes [1, 28, 28], so equal sizes are accepted; anything else is an error.
    private static void EnsureCompatible(OnnxClassifier model, ImageDataset data)
    {
        if (model.SampleSize != data.SampleSize)
            throw new ArgumentException(
                $"Model '{model.Path}' input '{model.InputName}' expects [N, {string.Join(", ", model.SampleShape)}]; the data has images of [N, {data.Channels}, {data.Height}, {data.Width}]. Evaluate it on data of that shape, or export the model with input shape [{data.Channels}, {data.Height}, {data.Width}].");
        if (data.ClassNames.Count > model.ClassCount)
            throw new ArgumentException(
                $"Model '{model.Path}' has {model.ClassCount} outputs but the data has {data.ClassNames.Count} classes. Evaluate it on data with at most {model.ClassCount} classes.");
    }
}
