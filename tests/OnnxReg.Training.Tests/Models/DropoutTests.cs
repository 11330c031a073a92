using TorchSharp;
using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Models;

/// <summary>The dropout layers the presets use behave as the technique defines: inverted scaling in training, identity in evaluation.</summary>
public class DropoutTests
{
    [TestCase(0.2)]
    [TestCase(0.5)]
    public void Dropout_ZeroesAboutP_AndScalesTheRestByOneOverOneMinusP(double p)
    {
        random.manual_seed(5);
        using var dropout = nn.Dropout(p);
        dropout.train();
        using var scope = NewDisposeScope();
        const int n = 1_000_000;
        var output = dropout.forward(ones(n)).data<float>().ToArray();
        double zeroFraction = output.Count(v => v == 0) / (double)n;
        double sigma = Math.Sqrt(p * (1 - p) / n);
        Assert.That(zeroFraction, Is.EqualTo(p).Within(5 * sigma));
        Assert.That(output.Where(v => v != 0), Has.All.EqualTo((float)(1 / (1 - p))).Within(1e-6));
    }

    [Test]
    public void Dropout_IsIdentityInEvaluation()
    {
        using var dropout = nn.Dropout(0.5);
        dropout.eval();
        using var scope = NewDisposeScope();
        var input = randn(1000);
        Assert.That(dropout.forward(input).data<float>().ToArray(), Is.EqualTo(input.data<float>().ToArray()));
    }

    [Test]
    public void Dropout2d_ZeroesWholeChannels()
    {
        random.manual_seed(6);
        using var dropout = nn.Dropout2d(0.5);
        dropout.train();
        using var scope = NewDisposeScope();
        var output = dropout.forward(ones(64, 16, 5, 5));
        var perChannel = output.view(64 * 16, 25);
        var channelMin = perChannel.amin(1).data<float>().ToArray();
        var channelMax = perChannel.amax(1).data<float>().ToArray();
        for (int c = 0; c < channelMin.Length; c++)
            Assert.That(channelMin[c], Is.EqualTo(channelMax[c]), $"channel {c} is all zero or all kept");
        double dropped = channelMax.Count(v => v == 0) / (double)channelMax.Length;
        Assert.That(dropped, Is.EqualTo(0.5).Within(0.1));
        Assert.That(channelMax.Where(v => v != 0), Has.All.EqualTo(2f));
    }

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
