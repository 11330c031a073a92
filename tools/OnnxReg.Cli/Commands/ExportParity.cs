using OnnxReg.Runtime;
using OnnxReg.Training;
using static TorchSharp.torch;

namespace OnnxReg.Cli.Commands;

/// <summary>Compares an exported model with the network it came from, on the same normalized inputs.</summary>
internal static class ExportParity
{
    /// <summary>The largest |logit difference| between TorchSharp evaluation mode and ONNX Runtime over <paramref name="data"/>.</summary>
    public static double MaxLogitDifference(nn.Module<Tensor, Tensor> network, OnnxClassifier classifier, TensorDataset data, int batchSize = 256)
    {
        network.eval();
        double max = 0;
        using var noGrad = no_grad();
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int length = Math.Min(batchSize, data.Count - start);
            var images = data.Images.narrow(0, start, length).contiguous();
            var expected = network.forward(images).data<float>().ToArray();
            var actual = classifier.PredictLogits(images.data<float>().ToArray(), length);
            for (int i = 0; i < expected.Length; i++)
                max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        }
        return max;
    }
}
