using OnnxReg.Data;
using OnnxReg.Export;
using OnnxReg.Runtime;
using OnnxReg.Training;
using static TorchSharp.torch;

namespace OnnxReg.Pipeline;

/// <summary>
/// Compares an exported model, fed as an app feeds it (raw pixels prepared by the runtime library), with the network
/// it came from in TorchSharp evaluation mode, on the same images.
/// </summary>
public static class ExportVerification
{
    /// <summary>The largest |logit difference| allowed between the trained network and its export.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The batch both engines run the verification and the measurement in. Small, because ONNX Runtime's
    /// arena keeps its largest batch's buffers for the life of the process and this runs after training, when nothing
    /// else is using memory: at 256, the 64 × 64 CNN's end of training rose 0.5 GB above its training peak.</summary>
    public const int BatchSize = 64;

    /// <summary>
    /// Exports <paramref name="network"/> to <paramref name="path"/>, but writes the file only after ONNX Runtime has
    /// loaded the complete temporary file and its outputs on <paramref name="split"/> match the network's within
    /// <see cref="Tolerance"/>; the file is measured on that split while it is loaded.
    /// </summary>
    /// <exception cref="ExportMismatchException">The export disagrees with the network; nothing was written.</exception>
    public static VerifiedModel ExportVerified(nn.Module<Tensor, Tensor> network, string path, ExportOptions options, PreparedSplit split)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(split);
        var images = split.Images;
        var torchSharp = Trainer.Evaluate(network, split.Tensors, BatchSize);
        double difference = 0;
        EvaluationResult? measured = null;
        new OnnxExporter().Export(network, [images.Channels, images.Height, images.Width], path, options, verify: temporary =>
        {
            using var candidate = OnnxClassifier.Load(temporary);
            difference = MaxOutputDifference(network, candidate, split);
            if (difference > Tolerance)
                throw new ExportMismatchException(
                    $"The exported model disagrees with the trained network: max |output difference| {difference:0.00e+00} > {Tolerance:0e+00} on {images.Count:N0} images; nothing was written to '{path}'.");
            measured = Evaluator.Evaluate(candidate, images, BatchSize);
        });
        return new VerifiedModel(path, difference, split.Name, images.Count, torchSharp, measured!);
    }

    /// <summary>The largest |difference| between the two outputs over the split's images (logits, or probabilities
    /// for a model exported with a softmax output): the network takes the split's tensors, the classifier the raw
    /// pixels prepared as its description says.</summary>
    public static double MaxOutputDifference(nn.Module<Tensor, Tensor> network, OnnxClassifier classifier, PreparedSplit split)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(split);
        var (images, normalized) = (split.Images, split.Tensors);
        network.eval();
        int batchSize = classifier.FixedBatchSize ?? BatchSize;
        int sampleSize = images.SampleSize;
        var inputs = new float[batchSize * sampleSize];
        var pixels = images.IsStreamed ? new byte[batchSize * sampleSize] : [];
        var outputs = new float[batchSize * classifier.ClassCount];
        double max = 0;
        using var noGrad = no_grad();
        for (int start = 0; start + (classifier.FixedBatchSize ?? 1) <= images.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int length = Math.Min(batchSize, images.Count - start);
            var logits = network.forward(normalized.Slice(start, length));
            var expected = (classifier.OutputsProbabilities ? logits.softmax(1) : logits).contiguous().data<float>().ToArray();
            classifier.PreparePixels(images.View(start, length, pixels), inputs);
            classifier.Run(inputs.AsSpan(0, length * sampleSize), length, outputs);
            for (int i = 0; i < expected.Length; i++)
                max = Math.Max(max, Math.Abs(expected[i] - outputs[i]));
        }
        return max;
    }
}
