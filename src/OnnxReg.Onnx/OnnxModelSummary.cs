using System.Buffers.Binary;
using OnnxReg.Onnx.Proto;

namespace OnnxReg.Onnx;

/// <summary>What a model holds, for people: its ops, its size, and how sparse its weights are (what L1 does).</summary>
/// <param name="OperatorCounts">Each op type with its number of nodes, in order of first appearance.</param>
/// <param name="ParameterCount">Scalar values across all initializers.</param>
/// <param name="WeightCount">Values in the weight matrices and filters: float initializers of rank 2 or more
/// (biases, BatchNorm parameters and statistics, and scalar constants are not counted as weights).</param>
/// <param name="ExactlyZero">How many weights are exactly 0.</param>
/// <param name="BelowThreshold">How many weights have |w| below <see cref="Threshold"/> (zeros included).</param>
/// <param name="Threshold">The magnitude counted as "near zero".</param>
/// <param name="WeightNorm">The L2 norm of all weights together, √Σw².</param>
public sealed record OnnxModelSummary(
    IReadOnlyList<(string OpType, int Count)> OperatorCounts,
    long ParameterCount,
    long WeightCount,
    long ExactlyZero,
    long BelowThreshold,
    double Threshold,
    double WeightNorm)
{
    /// <summary>The fraction of weights that are exactly 0.</summary>
    public double ExactlyZeroFraction => WeightCount == 0 ? 0 : (double)ExactlyZero / WeightCount;

    /// <summary>The fraction of weights with |w| below <see cref="Threshold"/>.</summary>
    public double BelowThresholdFraction => WeightCount == 0 ? 0 : (double)BelowThreshold / WeightCount;

    /// <summary>Summarizes <paramref name="model"/>; weights below <paramref name="threshold"/> in magnitude count as near zero.</summary>
    public static OnnxModelSummary Of(ModelProto model, double threshold = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? throw new ArgumentException("The model has no graph.", nameof(model));
        var ops = graph.Node.GroupBy(n => n.OpType).Select(g => (g.Key, g.Count())).ToList();
        long weights = 0, zero = 0, small = 0;
        double sumOfSquares = 0;
        foreach (var tensor in graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count >= 2))
        {
            foreach (float value in Values(tensor))
            {
                weights++;
                if (value == 0) zero++;
                if (Math.Abs(value) < threshold) small++;
                sumOfSquares += (double)value * value;
            }
        }
        return new OnnxModelSummary(ops, OnnxWeights.ParameterCount(graph), weights, zero, small, threshold, Math.Sqrt(sumOfSquares));
    }

    private static IEnumerable<float> Values(TensorProto tensor)
    {
        if (!tensor.HasRawData)
            return tensor.FloatData;
        var raw = tensor.RawData.ToByteArray();
        return Enumerable.Range(0, raw.Length / sizeof(float)).Select(i => BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * sizeof(float))));
    }
}
