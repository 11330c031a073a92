using OnnxReg.Data;
using OnnxReg.Training.Models;
using OnnxReg.Training.Regularization;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Regularization;

public class GradientClippingAndClassWeightTests
{
    private static ImageDataset Images(int count) => DatasetSource.Load(DatasetSource.Embedded).Train.Take(count);

    private static float[] Weights(nn.Module model) => model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    [Test]
    public void ClippedSgd_MovesTheWeightsByAtMostStepsTimesRateTimesTheNormLimit()
    {
        var images = Images(256);
        using var data = TensorDataset.From(images, Normalization.Estimate(images.Pixels));
        var configuration = new TrainingConfiguration
        {
            Model = new ModelOptions(ModelPreset.Mlp, HiddenSizes: [16]),
            Training = new TrainingOptions(Epochs: 1, BatchSize: 64, LearningRate: 0.5, Optimizer: OptimizerKind.Sgd, Momentum: 0, Seed: 4),
            ClipGradNorm = 1e-3,
        };
        using var model = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, seed: 4);
        var before = Weights(model);
        new Trainer(configuration).Fit(model, data);
        var after = Weights(model);
        double moved = Math.Sqrt(before.Zip(after, (b, a) => (double)(a - b) * (a - b)).Sum());
        // 4 steps, each −lr·g with ‖g‖ ≤ 1e-3: ‖Δw‖ ≤ 4 · 0.5 · 1e-3 by the triangle inequality.
        Assert.That(moved, Is.LessThanOrEqualTo(4 * 0.5 * 1e-3 * (1 + 1e-4)));
        Assert.That(moved, Is.GreaterThan(0), "clipped, not frozen");

        using var unclipped = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, seed: 4);
        new Trainer(configuration with { ClipGradNorm = null }).Fit(unclipped, data);
        double free = Math.Sqrt(before.Zip(Weights(unclipped), (b, a) => (double)(a - b) * (a - b)).Sum());
        Assert.That(free, Is.GreaterThan(10 * moved), "without the limit the same steps move the weights much further");
    }

    [Test]
    public void BalancedWeights_AreInverseClassFrequencies()
    {
        // 4 images: one of class 0, three of class 1 → 4 / (2 · 1) = 2 and 4 / (2 · 3) = 2/3.
        Assert.That(new ClassWeights(Balanced: true).Resolve(2, [1, 3]), Is.EqualTo(new[] { 2.0, 2.0 / 3 }).Within(1e-12));
        Assert.That(new ClassWeights(Values: [1, 5]).Resolve(2, [1, 3]), Is.EqualTo(new[] { 1.0, 5.0 }));
        Assert.That(Assert.Throws<ArgumentException>(() => new ClassWeights(Balanced: true).Resolve(3, [1, 3, 0]))!.Message, Does.Contain("Class 2 has no training image"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ClassWeights(Values: [1, 2]).Resolve(10, new long[10]))!.Message, Does.Contain("2 class weights were given for 10 classes"));
        Assert.Throws<ArgumentException>(() => new ClassWeights().Validate());
        Assert.Throws<ArgumentException>(() => new ClassWeights(true, [1, 2]).Validate());
    }

    [Test]
    public void HeavyWeightOnOneClass_MakesTheModelPredictItMoreOften()
    {
        var images = Images(1000);
        using var data = TensorDataset.From(images, Normalization.Estimate(images.Pixels));
        var configuration = new TrainingConfiguration
        {
            Model = new ModelOptions(ModelPreset.Mlp, HiddenSizes: [32]),
            Training = new TrainingOptions(Epochs: 2, BatchSize: 50, Seed: 6),
        };
        double ShareOfShirt(TrainingConfiguration c)
        {
            using var model = ModelPresets.Create(c.Model, 1, 28, 28, 10, seed: 6);
            new Trainer(c).Fit(model, data);
            using var noGrad = no_grad();
            using var predicted = model.forward(data.Slice(0, data.Count)).argmax(1);
            return predicted.eq(6).to(ScalarType.Float32).mean().item<float>(); // class 6: Shirt
        }
        double plain = ShareOfShirt(configuration);
        double weighted = ShareOfShirt(configuration with { ClassWeights = new ClassWeights(Values: [1, 1, 1, 1, 1, 1, 20, 1, 1, 1]) });
        Assert.That(weighted, Is.GreaterThan(plain + 0.1), $"shirt predicted for {plain:P1} of images without weights, {weighted:P1} with weight 20");
    }
}
