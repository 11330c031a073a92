using OnnxReg.Data;
using OnnxReg.Export;
using OnnxReg.Runtime;
using OnnxReg.Training;
using static TorchSharp.torch;

namespace OnnxReg.Study;

/// <summary>
/// Compares an exported model, fed as an app feeds it (raw pixels prepared by the runtime library), with the network
/// it came from in TorchSharp evaluation mode, on the same images.
/// </summary>
public static class ExportVerification
{
    /// <summary>The largest |logit difference| allowed between the trained network and its export.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>
    /// Exports <paramref name="network"/> to <paramref name="path"/>, but writes the file only after ONNX Runtime has
    /// loaded the complete temporary file and its outputs on <paramref name="images"/> match the network's within
    /// <see cref="Tolerance"/>. <paramref name="onVerified"/> sees the verified model before the rename.
    /// </summary>
    /// <returns>The largest output difference measured.</returns>
    /// <exception cref="ExportMismatchException">The export disagrees with the network; nothing was written.</exception>
    public static double ExportVerified(nn.Module<Tensor, Tensor> network, long[] sampleShape, string path, ExportOptions options,
        ImageDataset images, TensorDataset normalized, Action<OnnxClassifier>? onVerified = null)
    {
        double difference = 0;
        new OnnxExporter().Export(network, sampleShape, path, options, verify: temporary =>
        {
            using var candidate = OnnxClassifier.Load(temporary);
            difference = MaxOutputDifference(network, candidate, images, normalized);
            if (difference > Tolerance)
                throw new ExportMismatchException(
                    $"The exported model disagrees with the trained network: max |output difference| {difference:0.00e+00} > {Tolerance:0e+00} on {images.Count:N0} images; nothing was written to '{path}'.");
            onVerified?.Invoke(candidate);
        });
        return difference;
    }

    /// <summary>The largest |difference| between the two outputs over <paramref name="images"/> (logits, or
    /// probabilities for a model exported with a softmax output). <paramref name="normalized"/> holds the same
    /// images as the network takes them.</summary>
    public static double MaxOutputDifference(nn.Module<Tensor, Tensor> network, OnnxClassifier classifier, ImageDataset images, TensorDataset normalized)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(normalized);
        network.eval();
        int batchSize = classifier.FixedBatchSize ?? 256;
        int sampleSize = images.SampleSize;
        var inputs = new float[batchSize * sampleSize];
        var outputs = new float[batchSize * classifier.ClassCount];
        double max = 0;
        using var noGrad = no_grad();
        for (int start = 0; start + (classifier.FixedBatchSize ?? 1) <= images.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int length = Math.Min(batchSize, images.Count - start);
            var logits = network.forward(normalized.Images.narrow(0, start, length));
            var expected = (classifier.OutputsProbabilities ? logits.softmax(1) : logits).contiguous().data<float>().ToArray();
            classifier.PreparePixels(images.Pixels.AsSpan(start * sampleSize, length * sampleSize), inputs);
            classifier.PredictLogits(inputs.AsSpan(0, length * sampleSize), length, outputs);
            for (int i = 0; i < expected.Length; i++)
                max = Math.Max(max, Math.Abs(expected[i] - outputs[i]));
        }
        return max;
    }
}
