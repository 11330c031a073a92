using OnnxReg.Training.Models;
using TorchSharp;

namespace OnnxReg.Training.Tests.Models;

public class ModelBudgetTests
{
    [TestCase(ModelPreset.Mlp)]
    [TestCase(ModelPreset.Cnn)]
    [TestCase(ModelPreset.ResNet)]
    public void Estimate_CountsExactlyTheParametersThePresetBuilds(ModelPreset preset)
    {
        foreach (bool batchNorm in new[] { false, true })
        {
            var options = new ModelOptions(preset, BatchNorm: batchNorm);
            using var network = ModelPresets.Create(options, 1, 28, 28, 10, seed: 1);
            long built = network.parameters().Sum(p => p.NumberOfElements);
            Assert.That(ModelBudget.Estimate(options, 1, 28, 28, 10).Parameters, Is.EqualTo(built), $"{preset}, batch norm {batchNorm}");
        }
    }

    [Test]
    public void HugeHiddenLayer_IsRefusedBeforeAnythingIsAllocated()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelPresets.Create(new ModelOptions(ModelPreset.Mlp, HiddenSizes: [3_000_000]), 1, 28, 28, 10, seed: 1));
        Assert.That(e!.Message, Does.Contain("The mlp would have 2,385,000,010 parameters; at most 50,000,000"));
    }

    [Test]
    public void ActivationsOfABatch_CountAgainstTheMemoryBudget()
    {
        var options = new ModelOptions(ModelPreset.Cnn, ConvChannels: [1000]);
        var budget = ModelBudget.Estimate(options, 1, 28, 28, 10);
        Assert.That(budget.Parameters, Is.LessThan(50_000_000));
        var e = Assert.Throws<ArgumentException>(() => budget.Check("cnn", batchSize: 1024));
        Assert.That(e!.Message, Does.Contain("with batches of 1024 would need about").And.Contain("ONNXREG_MAX_TRAINING_MEMORY"));
        Assert.DoesNotThrow(() => budget.Check("cnn", batchSize: 8));
    }

    [Test]
    public void TwentyMillionHiddenSizes_AreRefusedByValidation()
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelOptions(ModelPreset.Mlp, HiddenSizes: new int[20_000_000]).Validate());
        Assert.That(e!.Message, Does.Contain("HiddenSizes lists 20,000,000 values; a preset has at most 64"));
    }

    [Test]
    public void Estimate_SaturatesInsteadOfOverflowing()
    {
        var budget = ModelBudget.Estimate(new ModelOptions(ModelPreset.Mlp, HiddenSizes: [int.MaxValue, int.MaxValue, int.MaxValue]), 1, 28, 28, 10);
        Assert.That(budget.Parameters, Is.EqualTo(long.MaxValue));
    }

    [Test]
    public void ThePeakEstimate_IsTheProcessThePerParameterAndPerActivationBytesAndTheData()
    {
        var budget = new ModelBudget(Parameters: 1_000_000, ActivationsPerSample: 100_000);
        Assert.That(budget.PeakBytes(128), Is.EqualTo((280L << 20) + 38_000_000 + (long)(100_000 * 128 * 3.9)));
        Assert.That(budget.PeakBytes(128, dataBytes: 5_000), Is.EqualTo(budget.PeakBytes(128) + 5_000));
        Assert.That(budget.ActivationBytes(64) * 2, Is.EqualTo(budget.ActivationBytes(128)).Within(1), "halved, to the byte it rounds to");
        Assert.That(new ModelBudget(long.MaxValue, long.MaxValue).PeakBytes(1024), Is.EqualTo(long.MaxValue), "saturates");
    }

    [Test]
    public void BatchNorm_AddsItsOutputsToTheCnnsActivations()
    {
        var plain = ModelBudget.Estimate(new ModelOptions(ModelPreset.Cnn), 3, 32, 32, 10);
        var normalized = ModelBudget.Estimate(new ModelOptions(ModelPreset.Cnn, BatchNorm: true), 3, 32, 32, 10);
        Assert.That(normalized.ActivationsPerSample - plain.ActivationsPerSample, Is.EqualTo(32 * 32 * 32 + 64 * 16 * 16), "one value per convolution output");
    }

    [Test]
    public void AHeldSplit_IsItsBytesPlusItsFloatCopy_UpToTheCacheLimit_AndAStreamedOneNothing()
    {
        Assert.That(TensorDataset.HeldBytes(1000, 784, streamed: false), Is.EqualTo(1000 * 784 * 5));
        long large = TensorDataset.FloatCacheLimitBytes / 4 / 784 + 1; // one image over the float cache's limit
        Assert.That(TensorDataset.HeldBytes(large, 784, streamed: false), Is.EqualTo(large * 784));
        Assert.That(TensorDataset.HeldBytes(1000, 784, streamed: true), Is.Zero);
        Assert.That(TensorDataset.HeldBytes(1000, 784, streamed: false, cachesFloats: false), Is.EqualTo(1000 * 784), "the test split, read once");
    }
}
