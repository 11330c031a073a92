using TorchSharp;
using OnnxReg.Training.Regularization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Regularization;

public class WeightPenaltyTests
{
    // fc1.weight = [[1, -2], [3, -4]], fc1.bias = [10, -10]; fc2.weight = [[0.5, -0.5]], fc2.bias = [7].
    private static Sequential KnownModel()
    {
        var model = nn.Sequential(("fc1", nn.Linear(2, 2)), ("relu", nn.ReLU()), ("fc2", nn.Linear(2, 1)));
        using var noGrad = no_grad();
        var fc1 = (Linear)model.children().First();
        var fc2 = (Linear)model.children().Last();
        fc1.weight!.copy_(tensor(new float[] { 1, -2, 3, -4 }, [2, 2]));
        fc1.bias!.copy_(tensor(new float[] { 10, -10 }));
        fc2.weight!.copy_(tensor(new float[] { 0.5f, -0.5f }, [1, 2]));
        fc2.bias!.copy_(tensor(new float[] { 7 }));
        return model;
    }

    [Test]
    public void L1_IsLambdaTimesSumOfAbsoluteWeights_BiasesExcluded()
    {
        using var model = KnownModel();
        var penalty = new WeightPenalty(model, new WeightPenaltyOptions(L1: 0.01));
        Assert.That(penalty.Compute().ToDouble(), Is.EqualTo(0.01 * (1 + 2 + 3 + 4 + 0.5 + 0.5)).Within(1e-6));
        Assert.That(penalty.Terms.Select(t => t.Name), Is.EqualTo(new[] { "fc1.weight", "fc2.weight" }));
    }

    [Test]
    public void L2_IsLambdaTimesSumOfSquaredWeights()
    {
        using var model = KnownModel();
        var penalty = new WeightPenalty(model, new WeightPenaltyOptions(L2: 0.1));
        Assert.That(penalty.Compute().ToDouble(), Is.EqualTo(0.1 * (1 + 4 + 9 + 16 + 0.25 + 0.25)).Within(1e-6));
    }

    [Test]
    public void ElasticNet_AddsBothTerms_EachWithItsLambda()
    {
        using var model = KnownModel();
        double expected = 0.01 * 11 + 0.1 * 30.5;
        Assert.That(new WeightPenalty(model, new WeightPenaltyOptions(L1: 0.01, L2: 0.1)).Compute().ToDouble(), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void Gradients_AreLambdaSignW_ForL1_AndTwoLambdaW_ForL2()
    {
        using var model = KnownModel();
        var weight = ((Linear)model.children().First()).weight!;
        new WeightPenalty(model, new WeightPenaltyOptions(L1: 0.01)).Compute().backward();
        Assert.That(weight.grad!.data<float>().ToArray(), Is.EqualTo(new[] { 0.01f, -0.01f, 0.01f, -0.01f }).Within(1e-7));
        weight.grad.zero_();
        new WeightPenalty(model, new WeightPenaltyOptions(L2: 0.1)).Compute().backward();
        Assert.That(weight.grad.data<float>().ToArray(), Is.EqualTo(new[] { 0.2f, -0.4f, 0.6f, -0.8f }).Within(1e-6));
    }

    [Test]
    public void IncludeBiases_PenalizesBiasesToo()
    {
        using var model = KnownModel();
        var penalty = new WeightPenalty(model, new WeightPenaltyOptions(L1: 1, IncludeBiases: true));
        Assert.That(penalty.Compute().ToDouble(), Is.EqualTo(11 + 10 + 10 + 7).Within(1e-5));
    }

    [Test]
    public void LayerOverride_ReplacesTheGlobalLambda_AndZeroRemovesTheLayer()
    {
        using var model = KnownModel();
        var penalty = new WeightPenalty(model, new WeightPenaltyOptions(L1: 0.01, Layers: new Dictionary<string, LayerPenalty>
        {
            ["fc1"] = new(0, 0),
            ["fc2"] = new(1, 0),
        }));
        Assert.That(penalty.Compute().ToDouble(), Is.EqualTo(1.0).Within(1e-6));
        Assert.That(penalty.Terms.Select(t => t.Name), Is.EqualTo(new[] { "fc2.weight" }));
    }

    [Test]
    public void BatchNormParameters_AreExcludedUnlessAsked()
    {
        using var model = nn.Sequential(("fc", nn.Linear(2, 2)), ("bn", nn.BatchNorm1d(2)));
        Assert.That(new WeightPenalty(model, new WeightPenaltyOptions(L2: 1)).Terms.Select(t => t.Name), Is.EqualTo(new[] { "fc.weight" }));
        Assert.That(new WeightPenalty(model, new WeightPenaltyOptions(L2: 1, IncludeNormalization: true)).Terms.Select(t => t.Name),
            Is.EqualTo(new[] { "fc.weight", "bn.weight", "bn.bias" }));
    }

    [Test]
    public void ConvWeights_ArePenalizedByDefault()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)));
        var conv = (Conv2d)model.children().First();
        double expected = 0.5 * conv.weight!.abs().sum().ToDouble();
        Assert.That(new WeightPenalty(model, new WeightPenaltyOptions(L1: 0.5)).Compute().ToDouble(), Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void UnknownLayerName_ListsTheLayersThatExist()
    {
        using var model = KnownModel();
        var e = Assert.Throws<ArgumentException>(() => new WeightPenalty(model, new WeightPenaltyOptions(Layers: new Dictionary<string, LayerPenalty> { ["fc9"] = new(1, 1) })));
        Assert.That(e!.Message, Does.Contain("'fc9'").And.Contain("fc1, fc2"));
    }

    [TestCase(-0.1, 0)]
    [TestCase(0, double.NaN)]
    public void NegativeOrNaNLambda_IsRejected_NamingIt(double l1, double l2)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new WeightPenaltyOptions(l1, l2).Validate());
        Assert.That(e!.Message, Does.Contain(l1 < 0 ? "L1=-0.1" : "L2=NaN"));
    }

    [TestCase(1e-3, 0.0, false, false)]
    [TestCase(0.0, 1e-2, false, false)]
    [TestCase(1e-3, 1e-2, true, true)]
    public void AddGradients_EqualsBackpropagatingThePenalty_To1e6(double l1, double l2, bool biases, bool normalization)
    {
        var options = new WeightPenaltyOptions(L1: l1, L2: l2, IncludeBiases: biases, IncludeNormalization: normalization,
            Layers: new Dictionary<string, LayerPenalty> { ["head"] = new(5e-3, 0) });
        Sequential Model()
        {
            random.manual_seed(11);
            var model = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU()), ("flatten", nn.Flatten()),
                ("fc", nn.Linear(4 * 6 * 6, 8)), ("head", nn.Linear(8, 3)));
            using var noGrad = no_grad();
            ((Linear)model.children().ElementAt(4)).weight![0, 0] = 0; // sign(0) = 0, as autograd's |w| gives
            return model;
        }
        random.manual_seed(3);
        var images = randn(5, 1, 8, 8);
        var labels = tensor(new long[] { 0, 1, 2, 1, 0 });
        using var reference = Model();
        using var fused = Model();

        var referencePenalty = new WeightPenalty(reference, options);
        nn.functional.cross_entropy(reference.forward(images), labels).add(referencePenalty.Compute()).backward();
        var fusedPenalty = new WeightPenalty(fused, options);
        nn.functional.cross_entropy(fused.forward(images), labels).backward();
        fusedPenalty.AddGradients();

        Assert.That(fusedPenalty.Value(), Is.EqualTo(referencePenalty.Compute().ToDouble()).Within(1e-6));
        foreach (var ((name, expected), (_, actual)) in reference.named_parameters().Zip(fused.named_parameters()))
        {
            double difference = (expected.grad! - actual.grad!).abs().max().ToDouble();
            Assert.That(difference, Is.LessThanOrEqualTo(1e-6), name);
        }
        Assert.That(referencePenalty.Terms.Count, Is.GreaterThan(0));
    }
}
