using OnnxReg.Modules;
using OnnxReg.Tests.Shared;
using OnnxReg.Training.Models;
using OnnxReg.Training.Models.Layers;
using TorchSharp.Modules;

namespace OnnxReg.Training.Tests.Models.Layers;

public class NetworkShapesTests
{
    private static NetworkSpec ResidualCnn => NetworkSpec.Load(Path.Combine(RepositoryPaths.Models, "networks", "residual-cnn.json"));

    [Test]
    public void Infer_HandComputedSlidingWindows()
    {
        // conv: ⌊(28 + 2·1 − 2·(5 − 1) − 1) / 2⌋ + 1 = 11; pool: ⌊(11 + 2·1 − 3) / 2⌋ + 1 = 6; conv 'same' keeps 6x6.
        var network = NetworkSpec.Parse("""
            [{"type": "conv2d", "out_channels": 8, "kernel_size": 5, "stride": 2, "padding": 1, "dilation": 2},
             {"type": "maxpool2d", "kernel_size": 3, "stride": 2, "padding": 1},
             {"type": "conv2d", "out_channels": 4, "kernel_size": [3, 2], "padding": "same", "groups": 4, "bias": false},
             {"type": "flatten"}, {"type": "linear"}]
            """);
        var shapes = NetworkShapes.Infer(network, 1, 28, 28, 10);
        Assert.That(shapes.Layers.Select(l => (l.Path, string.Join("x", l.OutputShape), l.Parameters)), Is.EqualTo(new[]
        {
            ("conv1", "8x11x11", 8L * 1 * 25 + 8),
            ("pool1", "8x6x6", 0L),
            ("conv2", "4x6x6", 4L * 2 * 3 * 2),  // groups 4: each output channel sees 8 / 4 = 2 inputs
            ("flatten1", "144", 0L),
            ("fc1", "10", 144L * 10 + 10),
        }));
        Assert.That(shapes.Parameters, Is.EqualTo(208 + 48 + 1450));
        Assert.That(shapes.ActivationsPerSample, Is.EqualTo(784 + 968 + 288 + 144 + 144 + 10));
    }

    [TestCase(1, 28, 28)]
    [TestCase(3, 40, 36)]
    public void Infer_AgreesWithTheBuiltNetwork_LayerByLayer(int channels, int height, int width)
    {
        var shapes = NetworkShapes.Infer(ResidualCnn, channels, height, width, 7);
        using var model = ModelPresets.Create(new ModelOptions(ModelPreset.Custom, Layers: ResidualCnn), channels, height, width, 7, seed: 1);
        var built = ModelSummary.Of(model, [channels, height, width]);
        var inferred = shapes.Layers.ToDictionary(l => l.Path);
        Assert.That(built, Has.Count.EqualTo(28));
        foreach (var row in built)
        {
            Assert.That(inferred.ContainsKey(row.Name), row.Name);
            Assert.That(inferred[row.Name].OutputShape, Is.EqualTo(row.OutputShape[1..]), row.Name);
            if (!row.Type.StartsWith(nameof(ResidualBlock), StringComparison.Ordinal))
                Assert.That(inferred[row.Name].Parameters, Is.EqualTo(row.Parameters), row.Name);
        }
        Assert.That(shapes.Parameters, Is.EqualTo(ModelSummary.ParameterCount(model)));
        Assert.That(shapes.OutputShape, Is.EqualTo(new long[] { 7 }));
    }

    [Test]
    public void Build_NamesModulesAsTheFileDoes_AndTheSameSeedGivesTheSameWeights()
    {
        var options = new ModelOptions(ModelPreset.Custom, Layers: ResidualCnn);
        using var first = ModelPresets.Create(options, 1, 28, 28, 10, seed: 3);
        using var second = ModelPresets.Create(options, 1, 28, 28, 10, seed: 3);
        var names = first.state_dict().Keys.ToList();
        Assert.That(names, Does.Contain("features.block2.shortcut.conv1.weight").And.Contain("classifier.fc2.bias").And.Contain("features.bn1.running_mean"));
        foreach (var (name, tensor) in first.state_dict())
            Assert.That(tensor.equal(second.state_dict()[name]).all().item<bool>(), Is.True, name);
    }

    [Test]
    public void Build_DropoutRatesFromTheFile_UnlessTheOptionsOverrideThem()
    {
        static List<double> Rates(Sequential model) => model.modules().Select(m => m switch { Dropout d => d.p, Dropout2d d => d.p, _ => -1 }).Where(p => p >= 0).ToList();
        using var fromFile = ModelPresets.Create(new ModelOptions(ModelPreset.Custom, Layers: ResidualCnn), 1, 28, 28, 10, seed: 1);
        Assert.That(Rates(fromFile), Is.EqualTo(new[] { 0.1, 0.1, 0.3 }));
        using var overridden = ModelPresets.Create(new ModelOptions(ModelPreset.Custom, DropoutRates: [0.5], SpatialDropoutRates: [0.2, 0.05], Layers: ResidualCnn), 1, 28, 28, 10, seed: 1);
        Assert.That(Rates(overridden), Is.EqualTo(new[] { 0.2, 0.05, 0.5 }));
    }

    [TestCase("""[{"type": "flatten"}, {"type": "linear", "in_features": 100}]""", "Layer 'fc1' (linear) has in_features 100 but its input is [784]; set in_features to 784 or leave it out.")]
    [TestCase("""[{"type": "linear", "out_features": 8}, {"type": "linear"}]""", "Layer 'fc1' (linear) needs a flat input [features] but its input is [1, 28, 28]: put {\"type\": \"flatten\"} before it.")]
    [TestCase("""[{"type": "flatten"}, {"type": "conv2d", "out_channels": 4, "kernel_size": 3}]""", "Layer 'conv1' (conv2d) needs an image input [channels, height, width] but its input is [784]")]
    [TestCase("""[{"type": "conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3}, {"type": "flatten"}, {"type": "linear"}]""", "Layer 'conv1' (conv2d) has in_channels 3 but its input is [1, 28, 28] (1 channels)")]
    [TestCase("""[{"type": "conv2d", "out_channels": 4, "kernel_size": 30}, {"type": "flatten"}, {"type": "linear"}]""", "Layer 'conv1' (conv2d) has a height window of 30 (kernel 30, dilation 1) but its input [1, 28, 28] is 28 high")]
    [TestCase("""[{"type": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": "same"}, {"type": "flatten"}, {"type": "linear"}]""", "padding \"same\" with stride 2")]
    [TestCase("""[{"type": "conv2d", "out_channels": 3, "kernel_size": 3, "groups": 2}, {"type": "flatten"}, {"type": "linear"}]""", "has groups 2, which must divide both its 1 input channels and its 3 out_channels")]
    [TestCase("""[{"type": "maxpool2d", "kernel_size": 2, "padding": 2}, {"type": "flatten"}, {"type": "linear"}]""", "has padding 2 with kernel_size 2; PyTorch allows at most half the kernel")]
    [TestCase("""[{"type": "adaptiveavgpool2d", "output_size": 3}, {"type": "flatten"}, {"type": "linear"}]""", "maps 28x28 to 3x3; ONNX can express only output_size 1 or sizes that divide the input evenly")]
    [TestCase("""[{"type": "flatten"}, {"type": "batchnorm2d"}, {"type": "linear"}]""", "Layer 'bn1' (batchnorm2d) normalizes image channels but its input is [784]; use batchnorm1d")]
    [TestCase("""[{"type": "flatten"}, {"type": "dropout2d"}, {"type": "linear"}]""", "Layer 'dropout2d1' (dropout2d) needs an image input")]
    [TestCase("""[{"type": "flatten"}, {"type": "linear"}, {"type": "linear"}]""", "Layer 'fc1' (linear) needs out_features; only the network's last layer may leave it out")]
    [TestCase("""[{"type": "flatten"}, {"type": "linear", "out_features": 12}]""", "The network ends in [12] per image but the data have 10 classes; set the last linear layer's out_features to 10")]
    [TestCase("""[{"type": "conv2d", "out_channels": 10, "kernel_size": 3}]""", "The network ends in [10, 26, 26] per image; a classifier ends in [classes]")]
    [TestCase("""[{"type": "flatten"}, {"type": "linear", "out_features": 10}, {"type": "softmax"}]""", "Layer 'softmax1' (softmax) is the network's last: the loss takes logits")]
    [TestCase("""[{"type": "flatten"}, {"type": "softmax", "dim": 0}, {"type": "linear"}]""", "has dim 0, the batch")]
    [TestCase("""[{"type": "residual", "body": [{"type": "conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1}]}, {"type": "flatten"}, {"type": "linear"}]""",
        "Layer 'block1' (residual) adds its body's output [8, 28, 28] to its input [1, 28, 28], and they differ: make the body keep the shape, or give the block a \"shortcut\"")]
    [TestCase("""[{"type": "sequential", "name": "head", "layers": [{"type": "residual", "body": [{"type": "conv2d", "out_channels": 8, "kernel_size": 3, "stride": 2, "padding": 1}], "shortcut": [{"type": "conv2d", "out_channels": 8, "kernel_size": 1}]}]}, {"type": "flatten"}, {"type": "linear"}]""",
        "Layer 'head.block1' (residual) adds its body's output [8, 14, 14] to its shortcut's [8, 28, 28]; they must be equal.")]
    public void Infer_OfALayerThatDoesNotFit_NamesTheLayerAndTheShapes(string json, string expected) =>
        Assert.That(() => NetworkShapes.Infer(NetworkSpec.Parse(json), 1, 28, 28, 10), Throws.ArgumentException.With.Message.Contains(expected));

    [Test]
    public void Create_OfANetworkOverTheBudget_FailsBeforeBuildingAnything()
    {
        var huge = NetworkSpec.Parse("""[{"type": "flatten"}, {"type": "linear", "out_features": 1000000}, {"type": "linear"}]""");
        Assert.That(() => ModelPresets.Create(new ModelOptions(ModelPreset.Custom, Layers: huge), 1, 28, 28, 10, seed: 1),
            Throws.ArgumentException.With.Message.Contains("The network of the model file would have 795,000,010 parameters"));
        Assert.That(ModelBudget.Estimate(new ModelOptions(ModelPreset.Custom, Layers: huge), 1, 28, 28, 10).Parameters, Is.EqualTo(795_000_010L));
    }
}
