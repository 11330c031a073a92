using OnnxReg.Data;
using OnnxReg.Onnx;
using OnnxReg.Runtime;
using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Export.Tests;

/// <summary>Each export option gives a model that computes what it should.</summary>
public class ExportOptionsTests
{
    [SetUp]
    public void Seed() => random.manual_seed(4321);

    private static TorchSharp.Modules.Sequential ConvBnNet()
    {
        var model = nn.Sequential(("conv", nn.Conv2d(2, 5, 3, stride: 2, padding: 1)), ("bn", nn.BatchNorm2d(5)), ("relu", nn.ReLU()),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(5 * 4 * 4, 6, hasBias: false)), ("bn1d", nn.BatchNorm1d(6)));
        using var noGrad = no_grad();
        foreach (var norm in model.modules().OfType<TorchSharp.Modules.BatchNorm>())
        {
            long n = norm.num_features;
            norm.running_mean!.copy_(linspace(-1, 2, n));
            norm.running_var!.copy_(linspace(0.3, 3, n));
            norm.weight!.copy_(linspace(0.5, 1.5, n));
            norm.bias!.copy_(linspace(-0.5, 0.5, n));
        }
        return model;
    }

    [Test]
    public void FoldBatchNorm_RemovesTheNormNodes_AndMatchesTheUnfoldedModel()
    {
        using var model = ConvBnNet();
        var unfolded = ExportHarness.AssertParity(model, [2, 8, 8]);
        var folded = ExportHarness.AssertParity(model, [2, 8, 8], options: new ExportOptions { FoldBatchNorm = true });
        Assert.That(unfolded.Graph.Node.Select(n => n.OpType), Has.Exactly(2).EqualTo("BatchNormalization"));
        Assert.That(folded.Graph.Node.Select(n => n.OpType), Is.EqualTo(new[] { "Conv", "Relu", "Flatten", "Gemm" }));

        using var unfoldedSession = ExportHarness.CreateSession(unfolded);
        using var foldedSession = ExportHarness.CreateSession(folded);
        var input = ExportHarness.RandomInput([16, 2, 8, 8], 5);
        var a = ExportHarness.RunOnnx(unfoldedSession, input, [16, 2, 8, 8]);
        var b = ExportHarness.RunOnnx(foldedSession, input, [16, 2, 8, 8]);
        Assert.That(a.Zip(b, (x, y) => Math.Abs(x - y)).Max(), Is.LessThanOrEqualTo(1e-5));
    }

    [Test]
    public void SoftmaxOutput_GivesProbabilities_AndTheRuntimeScoresThem()
    {
        using var model = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(4, 3)));
        var proto = new OnnxExporter().Export(model, [1, 2, 2], new ExportOptions { SoftmaxOutput = true });
        Assert.That(proto.Graph.Output.Single().Name, Is.EqualTo("probabilities"));
        Assert.That(proto.Graph.Node.Last().OpType, Is.EqualTo("Softmax"));
        using var session = ExportHarness.CreateSession(proto);
        var input = ExportHarness.RandomInput([5, 1, 2, 2], 1);
        var probabilities = ExportHarness.RunOnnx(session, input, [5, 1, 2, 2]);
        var logits = ExportHarness.RunTorch(model, input, [5, 1, 2, 2]);
        for (int row = 0; row < 5; row++)
        {
            var z = logits.Skip(row * 3).Take(3).Select(v => Math.Exp(v)).ToArray();
            for (int c = 0; c < 3; c++)
                Assert.That(probabilities[row * 3 + c], Is.EqualTo(z[c] / z.Sum()).Within(1e-6));
        }
    }

    [Test]
    public void PerChannelNormalization_InTheGraphOrByTheRuntime_GivesWhatTorchSharpGivesOnNormalizedImages()
    {
        var data = Data.Synthetic.ColorShapes.Generate(40, 16, seed: 2);
        var normalization = Normalization.Estimate(data);
        Assert.That(normalization.IsShared, Is.False);
        using var model = ModelPresets.Create(ModelPreset.Cnn, 3, 16, 16, 10, 0.2, seed: 3);
        var folder = Path.Combine(Path.GetTempPath(), "onnxreg-rgb-" + Guid.NewGuid().ToString("N"));
        try
        {
            var normalizedPath = Path.Combine(folder, "normalized.onnx");
            var rawPath = Path.Combine(folder, "raw.onnx");
            new OnnxExporter().Export(model, [3, 16, 16], normalizedPath, new ExportOptions { Normalization = normalization, ClassNames = data.ClassNames });
            new OnnxExporter().Export(model, [3, 16, 16], rawPath, new ExportOptions { Normalization = normalization, ClassNames = data.ClassNames, NormalizeInGraph = true });
            using var normalized = OnnxClassifier.Load(normalizedPath);
            using var raw = OnnxClassifier.Load(rawPath);
            Assert.That(normalized.Description.Normalization, Is.EqualTo(normalization), "the per-channel values survive the metadata");

            using var tensors = Training.TensorDataset.From(data, normalization);
            model.eval();
            float[] expected;
            using (no_grad()) expected = model.forward(tensors.Slice(0, tensors.Count)).data<float>().ToArray();
            var rawInput = new float[data.Pixels.Length];
            var normalizedInput = new float[data.Pixels.Length];
            raw.PreparePixels(data.Pixels, rawInput);
            normalized.PreparePixels(data.Pixels, normalizedInput);
            Assert.That(normalized.PredictLogits(normalizedInput, data.Count), Is.EqualTo(expected).Within(1e-4));
            Assert.That(raw.PredictLogits(rawInput, data.Count), Is.EqualTo(expected).Within(1e-4));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void APerChannelNormalizationForOtherChannels_IsRefused()
    {
        using var model = ModelPresets.Create(ModelPreset.Mlp, 1, 4, 4, 3, 0, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => new OnnxExporter().Export(model, [1, 4, 4],
            new ExportOptions { Normalization = new Normalization([0.1f, 0.2f, 0.3f], [1f, 1f, 1f]) }));
        Assert.That(e!.Message, Does.Contain("The normalization has 3 channels; the sample shape [1, 4, 4] must be [C, H, W] with C = 3"));
    }

    [Test]
    public void NormalizeInGraph_TakesRawPixels_AndAgreesWithTheNormalizedExport()
    {
        var data = DatasetSource.Load(DatasetSource.Embedded).Test.Take(300);
        var normalization = new Normalization(0.2860f, 0.3530f);
        using var model = ModelPresets.Create(ModelPreset.Cnn, 1, 28, 28, 10, 0.2, seed: 3);
        var folder = Path.Combine(Path.GetTempPath(), "onnxreg-raw-" + Guid.NewGuid().ToString("N"));
        try
        {
            var normalizedPath = Path.Combine(folder, "normalized.onnx");
            var rawPath = Path.Combine(folder, "raw.onnx");
            new OnnxExporter().Export(model, [1, 28, 28], normalizedPath, new ExportOptions { Normalization = normalization, ClassNames = data.ClassNames });
            new OnnxExporter().Export(model, [1, 28, 28], rawPath, new ExportOptions { Normalization = normalization, ClassNames = data.ClassNames, NormalizeInGraph = true });
            using var normalized = OnnxClassifier.Load(normalizedPath);
            using var raw = OnnxClassifier.Load(rawPath);
            Assert.That(raw.TakesRawPixels, Is.True);
            Assert.That(normalized.TakesRawPixels, Is.False);

            var pixels = data.Pixels.AsSpan(0, 784);
            var rawInput = new float[784];
            raw.PreparePixels(pixels, rawInput);
            Assert.That(rawInput.Max(), Is.GreaterThan(1f), "the raw model is fed 0–255 values");
            var normalizedInput = new float[784];
            normalized.PreparePixels(pixels, normalizedInput);
            Assert.That(raw.PredictLogits(rawInput, 1), Is.EqualTo(normalized.PredictLogits(normalizedInput, 1)).Within(1e-4));

            var a = Evaluator.Evaluate(raw, data);
            var b = Evaluator.Evaluate(normalized, data);
            Assert.That(a.Accuracy, Is.EqualTo(b.Accuracy));
            Assert.That(a.MeanLoss, Is.EqualTo(b.MeanLoss).Within(1e-5));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestCase(13, 8)]
    [TestCase(15, 8)]
    [TestCase(17, 9)]
    [TestCase(21, 10)]
    [TestCase(13, 7)]
    public void EveryDocumentedOpsetAndIrVersion_LoadsAndMatches(int opset, int irVersion)
    {
        using var model = ModelPresets.Create(new ModelOptions(ModelPreset.ResNet, DropoutRates: [0.2], BatchNorm: true), 1, 12, 12, 4, seed: 2);
        var proto = ExportHarness.AssertParity(model, [1, 12, 12], options: new ExportOptions { Opset = opset, IrVersion = irVersion }, tolerance: 1e-4);
        Assert.That(proto.OpsetImport.Single().Version, Is.EqualTo(opset));
        Assert.That(proto.IrVersion, Is.EqualTo(irVersion));
    }

    [Test]
    public void FixedBatch_RunsOnlyThatBatchSize()
    {
        using var model = nn.Sequential(("fc", nn.Linear(3, 2)));
        var proto = new OnnxExporter().Export(model, [3], new ExportOptions { DynamicBatch = false, FixedBatchSize = 2 });
        using var session = ExportHarness.CreateSession(proto);
        Assert.That(ExportHarness.RunOnnx(session, new float[6], [2, 3]), Has.Length.EqualTo(4));
        Assert.Throws<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(() => ExportHarness.RunOnnx(session, new float[9], [3, 3]));
    }

    [Test]
    public void NormalizeInGraph_WithoutNormalization_IsRejected()
    {
        using var model = nn.Sequential(("fc", nn.Linear(3, 2)));
        var e = Assert.Throws<ArgumentException>(() => new OnnxExporter().Export(model, [3], new ExportOptions { NormalizeInGraph = true }));
        Assert.That(e!.Message, Does.Contain("NormalizeInGraph needs the Normalization"));
    }

    [Test]
    public void EveryValue_IsNamed_AndTheModelPassesTheStructuralChecks()
    {
        using var model = ModelPresets.Create(new ModelOptions(ModelPreset.ResNet, BatchNorm: true), 1, 16, 16, 5, seed: 1);
        var proto = new OnnxExporter().Export(model, [1, 16, 16], new ExportOptions { NormalizeInGraph = true, Normalization = new Normalization(0.3f, 0.3f), SoftmaxOutput = true });
        Assert.DoesNotThrow(() => OnnxModelValidator.Validate(proto));
        Assert.That(proto.Graph.Node.All(n => n.Name.Length > 0 && n.Output.All(o => o.Length > 0)), Is.True);
        Assert.That(proto.Graph.Initializer.All(i => i.Name.Length > 0), Is.True);
        Assert.That(proto.Graph.Node.Select(n => n.OpType), Has.None.EqualTo("Dropout").And.None.EqualTo("Identity"));
    }
}
