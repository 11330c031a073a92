using TorchSharp;
using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Models;

/// <summary>Where the presets place dropout and with which rates (TorchSharp's own Dropout and Dropout2d are its business, not tested here).</summary>
public class DropoutTests
{
    [Test]
    public void Presets_TakeARatePerPosition()
    {
        using var model = ModelPresets.Create(new ModelOptions(ModelPreset.Cnn, DropoutRates: [0.1, 0.4], SpatialDropoutRates: [0.05, 0.2]), 1, 28, 28, 10, seed: 1);
        var rates = model.named_modules().Where(m => m.module is TorchSharp.Modules.Dropout or TorchSharp.Modules.Dropout2d)
            .Select(m => (m.name, m.module is TorchSharp.Modules.Dropout d ? d.p : ((TorchSharp.Modules.Dropout2d)m.module).p)).ToList();
        Assert.That(rates, Is.EqualTo(new[] { ("features.dropout2d1", 0.05), ("features.dropout2d2", 0.2), ("classifier.dropout1", 0.1), ("classifier.dropout2", 0.4) }));
    }

    [Test]
    public void RateListOfWrongLength_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelOptions(ModelPreset.Mlp, DropoutRates: [0.1, 0.2, 0.3]).Validate());
        Assert.That(e!.Message, Does.Contain("1 value or 2"));
    }

    [Test]
    public void BatchNorm_AddsNormLayersBeforeActivations()
    {
        using var model = ModelPresets.Create(new ModelOptions(ModelPreset.Mlp, BatchNorm: true), 1, 28, 28, 10, seed: 1);
        Assert.That(model.named_children().Select(c => c.name), Is.EqualTo(new[] { "flatten", "fc1", "bn1", "relu1", "fc2", "bn2", "relu2", "fc3" }));
    }
}
