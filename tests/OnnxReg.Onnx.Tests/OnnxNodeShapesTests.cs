using OnnxReg.Onnx.Proto;

namespace OnnxReg.Onnx.Tests;

public class OnnxNodeShapesTests
{
    private static readonly OnnxModelInfo Info = new(8, 13, "test", "1", new Dictionary<string, string>());

    [Test]
    public void Of_WorksOutEachNodesShape_FromTheGraphAlone()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", [OnnxDimension.Symbolic("N"), OnnxDimension.Fixed(3), OnnxDimension.Fixed(28), OnnxDimension.Fixed(28)]);
        var w = b.AddInitializer("w", new float[8 * 3 * 5 * 5], [8, 3, 5, 5]);
        // ⌊(28 + 1 + 2 − 2·4 − 1) / 2⌋ + 1 = 12 high; ⌊(28 + 0 + 0 − 9) / 2⌋ + 1 = 10 wide
        var conv = b.AddNode("Conv", "conv", [x, w], OnnxAttribute.Ints("strides", [2, 2]), OnnxAttribute.Ints("pads", [1, 0, 2, 0]), OnnxAttribute.Ints("dilations", [2, 2]));
        // ceil_mode: ⌈(12 − 3) / 2⌉ + 1 = 6, ⌈(10 − 3) / 2⌉ + 1 = 5
        var pool = b.AddNode("MaxPool", "pool", [conv], OnnxAttribute.Ints("kernel_shape", [3, 3]), OnnxAttribute.Ints("strides", [2, 2]), OnnxAttribute.Int("ceil_mode", 1));
        var scale = b.AddInitializer("scale", new float[8], [8, 1, 1]);
        var scaled = b.AddNode("Mul", "multiply", [pool, scale]);
        var flat = b.AddNode("Flatten", "flatten", [scaled]);
        var fc = b.AddNode("Gemm", "fc", [flat, b.AddInitializer("fc.w", new float[4 * 240], [4, 240]), b.AddInitializer("fc.b", new float[4], [4])], OnnxAttribute.Int("transB", 1));
        var shape = b.AddInt64Initializer("shape", [0, 2, -1], [3]);
        var reshaped = b.AddNode("Reshape", "reshape", [fc, shape]);
        var unknown = b.AddNode("CustomOp", "custom", [reshaped]);
        var after = b.AddNode("Relu", "relu", [unknown]);
        b.AddOutput(after, [OnnxDimension.Symbolic("N"), OnnxDimension.Fixed(2), OnnxDimension.Fixed(2)]);
        var rows = OnnxNodeShapes.Of(b.Build(Info));
        Assert.That(rows.Select(r => (r.Name, r.OpType, r.OutputShape is null ? "?" : string.Join("x", r.OutputShape), r.Parameters)), Is.EqualTo(new[]
        {
            ("conv", "Conv", "-1x8x12x10", 600L),
            ("pool", "MaxPool", "-1x8x6x5", 0L),
            ("multiply", "Mul", "-1x8x6x5", 8L),
            ("flatten", "Flatten", "-1x240", 0L),
            ("fc", "Gemm", "-1x4", 964L),
            ("reshape", "Reshape", "-1x2x-1", 3L),
            ("custom", "CustomOp", "?", 0L),
            ("relu", "Relu", "?", 0L),
        }), "a symbolic batch stays symbolic; an op it does not know leaves its output and what follows unknown");
    }

    [Test]
    public void Of_AttributesThatDoNotFitTheInput_LeaveTheShapeUnknown_InsteadOfThrowing()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", [OnnxDimension.Fixed(1), OnnxDimension.Fixed(1), OnnxDimension.Fixed(4), OnnxDimension.Fixed(4)]);
        var badPads = b.AddNode("MaxPool", "pads", [x], OnnxAttribute.Ints("kernel_shape", [2, 2]), OnnxAttribute.Ints("pads", [1]));
        var tooBig = b.AddNode("AveragePool", "big", [x], OnnxAttribute.Ints("kernel_shape", [9, 9]));
        var zeroStride = b.AddNode("MaxPool", "stride", [x], OnnxAttribute.Ints("kernel_shape", [2, 2]), OnnxAttribute.Ints("strides", [0, 0]));
        var flatten = b.AddNode("Flatten", "axis", [x], OnnxAttribute.Int("axis", 9));
        b.AddOutput(badPads, [OnnxDimension.Fixed(1)]);
        var model = b.Build(Info);
        Assert.That(OnnxNodeShapes.Of(model).Select(r => r.OutputShape), Is.All.Null);
        _ = (tooBig, zeroStride, flatten);
    }
}
