using OnnxReg.Modules;
using OnnxReg.Training.Models;
using OnnxReg.Training.Techniques;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Techniques;

/// <summary>Stochastic depth drops whole residual branches per sample while training, scales the kept ones, and is
/// gone in evaluation; the technique sets it on every block of a network that has them and refuses one that has none.</summary>
public class DropPathTests
{
    [Test]
    public void ABlock_DropsItsBranchPerSample_WhileTraining_AndIsExactInEvaluation()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var block = new ResidualBlock(nn.Sequential(("conv", nn.Conv2d(2, 2, 3, padding: 1)))) { DropPathRate = 0.5 };
        var input = randn(200, 2, 4, 4);
        var branch = block.Body.forward(input);
        block.eval();
        Assert.That(block.forward(input).allclose(input + branch), Is.True, "evaluation: x + f(x), nothing dropped");
        block.train();
        var output = block.forward(input);
        int dropped = 0, scaled = 0;
        for (int i = 0; i < 200; i++)
        {
            if (output[i].allclose(input[i])) dropped++;
            else if (output[i].allclose(input[i] + branch[i] * 2, rtol: 1e-5, atol: 1e-6)) scaled++;
        }
        Assert.That(dropped + scaled, Is.EqualTo(200), "each sample's branch is either dropped or kept and scaled by 1/(1 − p)");
        Assert.That(dropped, Is.InRange(70, 130), "about half of 200 at p = 0.5");
    }

    [Test]
    public void TheTechnique_SetsEveryResidualBlock_AndRefusesANetworkWithout()
    {
        var configuration = TechniqueRegistry.Get("drop-path").Apply(new TrainingConfiguration { Model = new ModelOptions(ModelPreset.ResNet) }, 0.2);
        Assert.That(configuration.Techniques, Is.EqualTo(new Dictionary<string, double> { ["drop-path"] = 0.2 }));
        using var resnet = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, seed: 1);
        TechniqueRegistry.Get("drop-path").ConfigureModel(configuration, resnet);
        var blocks = resnet.modules().OfType<ResidualBlock>().ToList();
        Assert.That(blocks, Is.Not.Empty);
        Assert.That(blocks.Select(b => b.DropPathRate), Is.All.EqualTo(0.2));
        using var mlp = ModelPresets.Create(new ModelOptions(ModelPreset.Mlp), 1, 28, 28, 10, seed: 1);
        Assert.That(() => TechniqueRegistry.Get("drop-path").ConfigureModel(configuration, mlp), Throws.ArgumentException.With.Message.Contains("needs residual blocks"));
        Assert.That(TrainingConfiguration.FromJson(configuration.ToJson()).Techniques!["drop-path"], Is.EqualTo(0.2), "kept in the configuration JSON");
    }
}
