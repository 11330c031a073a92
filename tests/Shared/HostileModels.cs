using OnnxReg.Onnx;

namespace OnnxReg.Tests.Shared;

/// <summary>Small ONNX files that declare something huge.</summary>
public static class HostileModels
{
    /// <summary>A valid model of under 1 KB whose input is [N, 1, 20000, 20000] (pooled to [N, 1]).</summary>
    public static string WriteHugeInput(string path)
    {
        var builder = new OnnxGraphBuilder("huge");
        var batch = OnnxDimension.Symbolic("N");
        var input = builder.AddInput("pixels", [batch, OnnxDimension.Fixed(1), OnnxDimension.Fixed(20000), OnnxDimension.Fixed(20000)]);
        var pooled = builder.AddNode("GlobalAveragePool", "pool", [input]);
        var flat = builder.AddNode("Flatten", "flatten", [pooled], OnnxAttribute.Int("axis", 1));
        builder.AddOutput(flat, [batch, OnnxDimension.Fixed(1)]);
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(builder.Build(new OnnxModelInfo(8, 13, "test", "1", new Dictionary<string, string>()))));
        return path;
    }

    /// <summary>A valid classifier of under 1 KB whose graph builds a <paramref name="side"/> × <paramref name="side"/>
    /// float tensor at run time (ConstantOfShape; 6.4 GB at 40,000), summed into its one output [N, 10].</summary>
    public static string WriteRuntimeBomb(string path, long side)
    {
        var builder = new OnnxGraphBuilder("runtime-bomb");
        var batch = OnnxDimension.Symbolic("N");
        var input = builder.AddInput("pixels", [batch, OnnxDimension.Fixed(1), OnnxDimension.Fixed(28), OnnxDimension.Fixed(28)]);
        var pooled = builder.AddNode("GlobalAveragePool", "pool", [input]);
        var flat = builder.AddNode("Flatten", "flatten", [pooled], OnnxAttribute.Int("axis", 1));
        var shape = builder.AddInt64Initializer("shape", [side, side], [2]);
        var big = builder.AddNode("ConstantOfShape", "big", [shape]);
        var sum = builder.AddNode("ReduceSum", "sum", [big], OnnxAttribute.Int("keepdims", 0));
        var tenClasses = builder.AddNode("Add", "widen", [flat, builder.AddInitializer("zeros", new float[10], [1, 10])]);
        var output = builder.AddNode("Add", "add", [tenClasses, sum]);
        builder.AddOutput(output, [batch, OnnxDimension.Fixed(10)]);
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(builder.Build(new OnnxModelInfo(8, 13, "test", "1", new Dictionary<string, string>()))));
        return path;
    }

    /// <summary>A valid model of under 1 KB for 28 × 28 images with a fixed batch of <paramref name="batch"/> (pooled to
    /// [batch, 1]): each sample is small, every call is huge.</summary>
    public static string WriteHugeFixedBatch(string path, int batch)
    {
        var builder = new OnnxGraphBuilder("huge-batch");
        var input = builder.AddInput("pixels", [OnnxDimension.Fixed(batch), OnnxDimension.Fixed(1), OnnxDimension.Fixed(28), OnnxDimension.Fixed(28)]);
        var pooled = builder.AddNode("GlobalAveragePool", "pool", [input]);
        var flat = builder.AddNode("Flatten", "flatten", [pooled], OnnxAttribute.Int("axis", 1));
        builder.AddOutput(flat, [OnnxDimension.Fixed(batch), OnnxDimension.Fixed(1)]);
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(builder.Build(new OnnxModelInfo(8, 13, "test", "1", new Dictionary<string, string>()))));
        return path;
    }
}
