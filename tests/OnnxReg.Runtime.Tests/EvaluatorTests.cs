using OnnxReg.Data;

namespace OnnxReg.Runtime.Tests;

public class EvaluatorTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "onnxreg-eval-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    // Images of two pixels; the identity model's logits are the scaled pixels (p / 255).
    private static ImageDataset TwoPixelImages() => new(
        pixels: [255, 0, /**/ 0, 255, /**/ 255, 0, /**/ 51, 102],
        labels: [0, 1, 1, 1],
        channels: 1, height: 1, width: 2, classNames: ["left", "right"]);

    [Test]
    public void Evaluate_EqualsHandComputedAccuracyAndLoss()
    {
        using var model = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]));
        var result = Evaluator.Evaluate(model, TwoPixelImages(), batchSize: 3);
        // Logits: [1,0] label 0 ✓; [0,1] label 1 ✓; [1,0] label 1 ✗; [0.2,0.4] label 1 ✓.
        Assert.That(result.Count, Is.EqualTo(4));
        Assert.That(result.Accuracy, Is.EqualTo(0.75));
        double lse10 = Math.Log(Math.E + 1);
        double expectedLoss = ((lse10 - 1) + (lse10 - 1) + lse10 + (Math.Log(Math.Exp(0.2) + Math.Exp(0.4)) - 0.4)) / 4;
        Assert.That(result.MeanLoss, Is.EqualTo(expectedLoss).Within(1e-6));
    }

    [Test]
    public void Evaluate_StopsWhenCancelled_AndRefusesAnEmptySplitInWords()
    {
        using var model = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]));
        Assert.That(() => Evaluator.Evaluate(model, TwoPixelImages(), batchSize: 1, cancellation: new CancellationToken(canceled: true)),
            Throws.InstanceOf<OperationCanceledException>());
        var empty = TwoPixelImages().Take(0);
        Assert.That(() => Evaluator.Evaluate(model, empty), Throws.ArgumentException.With.Message.StartsWith("There are no images to evaluate on (the split is empty)"));
    }

    [Test]
    public void Evaluate_ProbabilityOutput_ScoresMinusLogProbability()
    {
        using var model = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0], softmax: true));
        Assert.That(model.OutputsProbabilities, Is.True);
        var result = Evaluator.Evaluate(model, TwoPixelImages());
        // Same logits as the identity model above; the loss of softmax probabilities equals cross-entropy of logits.
        double lse10 = Math.Log(Math.E + 1);
        double expectedLoss = ((lse10 - 1) + (lse10 - 1) + lse10 + (Math.Log(Math.Exp(0.2) + Math.Exp(0.4)) - 0.4)) / 4;
        Assert.That(result.Accuracy, Is.EqualTo(0.75));
        Assert.That(result.MeanLoss, Is.EqualTo(expectedLoss).Within(1e-6));
    }

    [Test]
    public void Evaluate_OnFixedBatchModel_UsesItsBatchSize()
    {
        using var model = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0], fixedBatch: 2));
        var result = Evaluator.Evaluate(model, TwoPixelImages());
        Assert.That(result.Count, Is.EqualTo(4));
        Assert.That(result.Accuracy, Is.EqualTo(0.75));
    }

    [Test]
    public void Evaluate_OnFixedBatchModel_PadsTheRaggedLastBatch_AndCountsOnlyRealImages()
    {
        using var model = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0], fixedBatch: 3));
        var result = Evaluator.Evaluate(model, TwoPixelImages());
        Assert.That(result.Count, Is.EqualTo(4), "a batch of 3, then 1 image padded to 3");
        Assert.That(result.Accuracy, Is.EqualTo(0.75), "the same answers as with a batch that divides the count");
    }

    [Test]
    public void PredictBatch_OnFixedBatchModel_TakesAnyNumberOfImages()
    {
        using var model = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0], fixedBatch: 4, normalizationJson: null));
        var one = model.Predict([255, 0]);
        Assert.That(one.ClassName, Is.EqualTo("left"));
        var five = model.PredictBatch([255, 0, 0, 255, 255, 0, 0, 255, 0, 255], 5);
        Assert.That(five.Select(p => p.ClassName), Is.EqualTo(new[] { "left", "right", "left", "right", "right" }));
    }

    [Test]
    public void Evaluate_ImagesOfAnotherShape_SaysBothShapes()
    {
        using var model = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]));
        var data = new ImageDataset(new byte[3 * 9], [0, 1, 0], 1, 3, 3, ["a", "b"]);
        var e = Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(model, data));
        Assert.That(e!.Message, Does.Contain("expects [N, 1, 1, 2]").And.Contain("[N, 1, 3, 3]"));
    }

    [Test]
    public void Evaluate_DataWithMoreClassesThanOutputs_IsRejected()
    {
        using var model = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]));
        var data = new ImageDataset(new byte[2], [0], 1, 1, 2, ["a", "b", "c"]);
        var e = Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(model, data));
        Assert.That(e!.Message, Does.Contain("2 outputs but the data has 3 classes"));
    }

    [Test]
    public void CrossEntropy_MatchesClosedForm()
    {
        Assert.That(ClassifierMath.CrossEntropy([0f, (float)Math.Log(3)], 1), Is.EqualTo(Math.Log(4.0 / 3.0)).Within(1e-7));
        Assert.That(ClassifierMath.CrossEntropy([1000f, 0f], 0), Is.EqualTo(0).Within(1e-9), "large logits do not overflow");
    }

    [Test]
    public void ArgMax_TakesTheFirstOnTies()
    {
        Assert.That(ClassifierMath.ArgMax([0.1f, 0.7f, 0.7f]), Is.EqualTo(1));
    }
}
