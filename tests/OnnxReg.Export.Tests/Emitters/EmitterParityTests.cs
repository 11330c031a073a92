using OnnxReg.Modules;
using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Export.Tests.Emitters;

/// <summary>Each supported layer, with its options, computes in ONNX Runtime what it computes in TorchSharp eval mode.</summary>
public class EmitterParityTests
{
    [SetUp]
    public void Seed() => random.manual_seed(1234);

    [Test]
    public void Linear_BecomesGemm()
    {
        using var model = nn.Sequential(("fc", nn.Linear(12, 5)));
        var proto = ExportHarness.AssertParity(model, [12]);
        Assert.That(proto.Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "Gemm" }));
        Assert.That(proto.Graph.Node[0].Attribute.Single(a => a.Name == "transB").I, Is.EqualTo(1));
    }

    [Test]
    public void LinearWithoutBias_BecomesGemmWithTwoInputs()
    {
        using var model = nn.Sequential(("fc", nn.Linear(12, 5, hasBias: false)));
        var proto = ExportHarness.AssertParity(model, [12]);
        Assert.That(proto.Graph.Node[0].Input, Has.Count.EqualTo(2));
    }

    [Test]
    public void Linear_OnRank3Input_BecomesMatMulAndAdd()
    {
        using var model = nn.Sequential(("fc", nn.Linear(6, 3)));
        var proto = ExportHarness.AssertParity(model, [4, 6]);
        Assert.That(proto.Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "MatMul", "Add" }));
    }

    [TestCase(1, 0, 1, 1)]
    [TestCase(2, 1, 1, 2)]
    [TestCase(2, 2, 2, 1)]
    [TestCase(1, 1, 1, 4)]
    public void Conv2d_WithStridePaddingDilationAndGroups(int stride, int padding, int dilation, int groups)
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(4, 8, 3, stride: stride, padding: padding, dilation: dilation, groups: groups)));
        var proto = ExportHarness.AssertParity(model, [4, 11, 11]);
        var conv = proto.Graph.Node.Single();
        Assert.That(conv.OpType, Is.EqualTo("Conv"));
        Assert.That(conv.Attribute.Single(a => a.Name == "group").I, Is.EqualTo(groups));
        Assert.That(conv.Attribute.Single(a => a.Name == "strides").Ints, Is.EqualTo(new long[] { stride, stride }));
    }

    [Test]
    public void Conv2d_WithSamePadding_AndEvenKernel()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(2, 3, 4, padding: TorchSharp.Padding.Same)));
        ExportHarness.AssertParity(model, [2, 9, 9]);
    }

    [Test]
    public void Conv2d_WithoutBias()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(2, 3, 3, bias: false)));
        ExportHarness.AssertParity(model, [2, 7, 7]);
    }

    [TestCase(2, 2, 0, false)]
    [TestCase(3, 2, 1, false)]
    [TestCase(3, 2, 0, true)]
    public void MaxPool2d_WithKernelStridePaddingAndCeilMode(int kernel, int stride, int padding, bool ceil)
    {
        using var model = nn.Sequential(("pool", nn.MaxPool2d(kernel, stride, padding, ceil_mode: ceil)));
        ExportHarness.AssertParity(model, [3, 10, 10]);
    }

    [Test]
    public void Relu_BecomesRelu()
    {
        using var model = nn.Sequential(("relu", nn.ReLU()));
        var proto = ExportHarness.AssertParity(model, [7]);
        Assert.That(proto.Graph.Node.Single().OpType, Is.EqualTo("Relu"));
    }

    [Test]
    public void Flatten_Default_BecomesFlattenAxis1()
    {
        using var model = nn.Sequential(("flatten", nn.Flatten()));
        var proto = ExportHarness.AssertParity(model, [2, 3, 4]);
        Assert.That(proto.Graph.Node.Single().OpType, Is.EqualTo("Flatten"));
        Assert.That(proto.Graph.Output.Single().Type.TensorType.Shape.Dim[1].DimValue, Is.EqualTo(24));
    }

    [Test]
    public void Flatten_OfMiddleDimensions_BecomesReshape()
    {
        using var model = nn.Sequential(("flatten", nn.Flatten(1, 2)));
        var proto = ExportHarness.AssertParity(model, [2, 3, 4]);
        Assert.That(proto.Graph.Node.Single().OpType, Is.EqualTo("Reshape"));
    }

    [Test]
    public void Dropout_EmitsNoNode_AndIsIdentityAtInference()
    {
        using var model = nn.Sequential(("fc1", nn.Linear(8, 8)), ("drop", nn.Dropout(0.5)), ("drop2d", nn.Dropout2d(0.5)),
            ("alpha", nn.AlphaDropout(0.5)), ("id", nn.Identity()), ("fc2", nn.Linear(8, 2)));
        var proto = ExportHarness.AssertParity(model, [8]);
        Assert.That(proto.Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "Gemm", "Gemm" }));
    }

    [Test]
    public void ModelOfOnlyDropout_ExportsOneIdentityNode()
    {
        using var model = nn.Sequential(("drop", nn.Dropout(0.3)));
        var proto = ExportHarness.AssertParity(model, [5]);
        Assert.That(proto.Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "Identity" }));
    }

    [Test]
    public void NestedSequential_UsesDottedPathsForNames()
    {
        using var model = nn.Sequential(
            ("features", nn.Sequential(("conv", nn.Conv2d(1, 2, 3)), ("relu", nn.ReLU()))),
            ("head", nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(2 * 4 * 4, 3)))));
        var proto = ExportHarness.AssertParity(model, [1, 6, 6]);
        Assert.That(proto.Graph.Node.Select(n => n.Name), Is.EqualTo(new[] { "features.conv", "features.relu", "head.flatten", "head.fc" }));
        Assert.That(proto.Graph.Initializer.Select(i => i.Name), Is.EqualTo(new[] { "features.conv.weight", "features.conv.bias", "head.fc.weight", "head.fc.bias" }));
    }

    [Test]
    public void BatchNorm2d_WithNonTrivialRunningStatistics()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(3, 4, 3)), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU()));
        SetStatistics((TorchSharp.Modules.BatchNorm)model.children().ElementAt(1), 4);
        var proto = ExportHarness.AssertParity(model, [3, 8, 8]);
        var bn = proto.Graph.Node.Single(n => n.OpType == "BatchNormalization");
        Assert.That(bn.Attribute.Select(a => a.Name), Is.EqualTo(new[] { "epsilon" }), "no training_mode attribute");
        Assert.That(bn.Input, Has.Count.EqualTo(5));
    }

    [Test]
    public void BatchNorm1d_AfterLinear()
    {
        using var model = nn.Sequential(("fc", nn.Linear(6, 5)), ("bn", nn.BatchNorm1d(5, eps: 1e-3)));
        SetStatistics((TorchSharp.Modules.BatchNorm)model.children().Last(), 5);
        ExportHarness.AssertParity(model, [6]);
    }

    [Test]
    public void BatchNormWithoutAffine_ExportsUnitScaleAndZeroShift()
    {
        using var model = nn.Sequential(("bn", nn.BatchNorm1d(3, affine: false)));
        SetStatistics((TorchSharp.Modules.BatchNorm)model.children().Single(), 3);
        ExportHarness.AssertParity(model, [3]);
    }

    [Test]
    public void BatchNormWithoutRunningStatistics_IsRefused()
    {
        using var model = nn.Sequential(("bn", nn.BatchNorm1d(3, track_running_stats: false)));
        var e = Assert.Throws<ExportNotSupportedException>(() => new OnnxExporter().Export(model, [3]));
        Assert.That(e!.Message, Does.Contain("'bn'").And.Contain("track_running_stats"));
    }

    // Running statistics far from 0 and 1, and a non-trivial scale and shift, as training would leave them.
    private static void SetStatistics(TorchSharp.Modules.BatchNorm norm, int features)
    {
        using var noGrad = no_grad();
        norm.running_mean!.copy_(linspace(-2, 3, features));
        norm.running_var!.copy_(linspace(0.2, 4, features));
        norm.weight?.copy_(linspace(0.5, 2, features));
        norm.bias?.copy_(linspace(-1, 1, features));
    }

    private static IEnumerable<TestCaseData> Activations()
    {
        yield return new TestCaseData((Func<nn.Module<Tensor, Tensor>>)(() => nn.LeakyReLU(0.07)), "LeakyRelu").SetName("LeakyReLU");
        yield return new TestCaseData((Func<nn.Module<Tensor, Tensor>>)(() => nn.Tanh()), "Tanh").SetName("Tanh");
        yield return new TestCaseData((Func<nn.Module<Tensor, Tensor>>)(() => nn.Sigmoid()), "Sigmoid").SetName("Sigmoid");
        yield return new TestCaseData((Func<nn.Module<Tensor, Tensor>>)(() => nn.SiLU()), "Mul").SetName("SiLU");
        yield return new TestCaseData((Func<nn.Module<Tensor, Tensor>>)(() => nn.GELU()), "Mul").SetName("GELU");
        yield return new TestCaseData((Func<nn.Module<Tensor, Tensor>>)(() => nn.GELU(TorchSharp.Modules.GELU.Approximate.tanh)), "Mul").SetName("GELU_Tanh");
        yield return new TestCaseData((Func<nn.Module<Tensor, Tensor>>)(() => nn.Softmax(1)), "Softmax").SetName("Softmax");
        yield return new TestCaseData((Func<nn.Module<Tensor, Tensor>>)(() => nn.LogSoftmax(-1)), "LogSoftmax").SetName("LogSoftmax");
    }

    [TestCaseSource(nameof(Activations))]
    public void Activation_MatchesTorch(Func<nn.Module<Tensor, Tensor>> create, string lastOp)
    {
        using var model = nn.Sequential(("fc", nn.Linear(6, 5)), ("act", create()));
        var proto = ExportHarness.AssertParity(model, [6]);
        Assert.That(proto.Graph.Node.Last().OpType, Is.EqualTo(lastOp));
    }

    [Test]
    public void Softmax_OverTheLastAxisOfRank3()
    {
        using var model = nn.Sequential(("softmax", nn.Softmax(-1)));
        var proto = ExportHarness.AssertParity(model, [3, 4]);
        Assert.That(proto.Graph.Node.Single().Attribute.Single().I, Is.EqualTo(2));
    }

    [TestCase(2, 2, 0, false, true)]
    [TestCase(3, 2, 1, false, false)]
    [TestCase(3, 2, 1, true, true)]
    public void AvgPool2d_WithPaddingCeilModeAndCountIncludePad(int kernel, int stride, int padding, bool ceil, bool countIncludePad)
    {
        using var model = nn.Sequential(("pool", nn.AvgPool2d(kernel, stride, padding, ceil_mode: ceil, count_include_pad: countIncludePad)));
        var proto = ExportHarness.AssertParity(model, [2, 9, 9]);
        Assert.That(proto.Graph.Node.Single().OpType, Is.EqualTo("AveragePool"));
    }

    [Test]
    public void AdaptiveAvgPool2dToOne_BecomesGlobalAveragePool()
    {
        using var model = nn.Sequential(("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()));
        var proto = ExportHarness.AssertParity(model, [3, 7, 7]);
        Assert.That(proto.Graph.Node[0].OpType, Is.EqualTo("GlobalAveragePool"));
    }

    [Test]
    public void AdaptiveAvgPool2d_EvenDivision_BecomesAveragePool_UnevenIsRefused()
    {
        using var even = nn.Sequential(("pool", nn.AdaptiveAvgPool2d(new long[] { 2, 2 })));
        Assert.That(ExportHarness.AssertParity(even, [3, 8, 8]).Graph.Node.Single().OpType, Is.EqualTo("AveragePool"));
        using var uneven = nn.Sequential(("pool", nn.AdaptiveAvgPool2d(new long[] { 3, 3 })));
        var e = Assert.Throws<ExportNotSupportedException>(() => new OnnxExporter().Export(uneven, [3, 8, 8]));
        Assert.That(e!.Message, Does.Contain("'pool'").And.Contain("8x8 to 3x3"));
    }

    [Test]
    public void ResidualBlock_WithIdentityShortcut_AddsInputToBody()
    {
        using var model = nn.Sequential(("block", new ResidualBlock(nn.Sequential(("conv", nn.Conv2d(4, 4, 3, padding: 1)), ("relu", nn.ReLU())))));
        var proto = ExportHarness.AssertParity(model, [4, 6, 6]);
        Assert.That(proto.Graph.Node.Select(n => n.Name), Is.EqualTo(new[] { "block.body.conv", "block.body.relu", "block.add" }));
        Assert.That(proto.Graph.Node.Last().Input, Does.Contain("input"), "the shortcut is the block's input itself");
    }

    [Test]
    public void ResidualBlock_WithProjectionShortcut()
    {
        using var model = nn.Sequential(("block", new ResidualBlock(
            nn.Sequential(("conv", nn.Conv2d(3, 6, 3, stride: 2, padding: 1)), ("bn", nn.BatchNorm2d(6))),
            nn.Sequential(("conv", nn.Conv2d(3, 6, 1, stride: 2))))), ("relu", nn.ReLU()));
        SetStatistics((TorchSharp.Modules.BatchNorm)((ResidualBlock)model.children().First()).Body.children().Last(), 6);
        ExportHarness.AssertParity(model, [3, 8, 8]);
    }

    [Test]
    public void AnyHandBuiltSequential_OfSupportedModules_Exports()
    {
        using var model = nn.Sequential(
            ("conv", nn.Conv2d(1, 4, 3, padding: 1)), ("bn", nn.BatchNorm2d(4)), ("act", nn.GELU()), ("pool", nn.AvgPool2d(2)),
            ("drop", nn.Dropout2d(0.2)), ("flatten", nn.Flatten()), ("fc", nn.Linear(4 * 4 * 4, 8)), ("silu", nn.SiLU()),
            ("out", nn.Linear(8, 3)), ("logp", nn.LogSoftmax(1)));
        SetStatistics((TorchSharp.Modules.BatchNorm)model.children().ElementAt(1), 4);
        ExportHarness.AssertParity(model, [1, 8, 8]);
    }
}
