using OnnxReg.Training.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Models;

public class ModelPresetsTests
{
    [TestCase(ModelPreset.Mlp)]
    [TestCase(ModelPreset.Cnn)]
    public void Presets_MapImagesToOneLogitPerClass(ModelPreset preset)
    {
        using var model = ModelPresets.Create(preset, 1, 28, 28, 10, dropoutRate: 0.3, seed: 1);
        model.eval();
        using var scope = NewDisposeScope();
        var logits = model.forward(zeros(5, 1, 28, 28));
        Assert.That(logits.shape, Is.EqualTo(new long[] { 5, 10 }));
    }

    [Test]
    public void SameSeed_GivesSameWeights()
    {
        using var a = ModelPresets.Create(ModelPreset.Mlp, 1, 8, 8, 3, 0, seed: 5);
        using var b = ModelPresets.Create(ModelPreset.Mlp, 1, 8, 8, 3, 0, seed: 5);
        using var c = ModelPresets.Create(ModelPreset.Mlp, 1, 8, 8, 3, 0, seed: 6);
        float[] Weights(TorchSharp.Modules.Sequential m) => m.parameters().First().data<float>().ToArray();
        Assert.That(Weights(b), Is.EqualTo(Weights(a)));
        Assert.That(Weights(c), Is.Not.EqualTo(Weights(a)));
    }

    [Test]
    public void DropoutRate_Zero_AddsNoDropoutLayers_PositiveAddsThem()
    {
        using var plain = ModelPresets.Create(ModelPreset.Cnn, 1, 28, 28, 10, 0, 1);
        using var regularized = ModelPresets.Create(ModelPreset.Cnn, 1, 28, 28, 10, 0.25, 1);
        Assert.That(plain.modules().OfType<Dropout>(), Is.Empty);
        var dropouts = regularized.modules().OfType<Dropout>().ToList();
        Assert.That(dropouts, Has.Count.EqualTo(2));
        Assert.That(dropouts.All(d => d.p == 0.25), Is.True);
    }

    [TestCase(1.0)]
    [TestCase(-0.1)]
    public void Rejects_DropoutRateOutsideZeroToOne(double rate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ModelPresets.Create(ModelPreset.Mlp, 1, 28, 28, 10, rate, 1));
        Assert.That(e!.Message, Does.Contain("Dropout rate must be in [0, 1)"));
    }
}
