using OnnxReg.Tests.Shared;
using OnnxReg.Data;
using OnnxReg.Runtime.Regression;

namespace OnnxReg.Runtime.Tests.Regression;

/// <summary>Every reference model in models/ still loads, describes itself, and scores its baseline.</summary>
public class ReferenceModelTests
{
    private static readonly ImageDataset Test = DatasetSource.Load(DatasetSource.Embedded).Test;

    public static IEnumerable<string> Models() =>
        Directory.GetFiles(RepositoryPaths.Models, "*.onnx").Order(StringComparer.Ordinal).Select(Path.GetFileName)!;

    [Test]
    public void TheFourReferenceModelsAreThere()
    {
        Assert.That(Models(), Is.EquivalentTo(new[] { "cnn-plain.onnx", "cnn-regularized.onnx", "mlp-plain.onnx", "mlp-regularized.onnx" }));
        long total = Directory.GetFiles(RepositoryPaths.Models).Sum(f => new FileInfo(f).Length);
        Assert.That(total, Is.LessThan(4 << 20), "models/ stays a few MB at most");
    }

    [TestCaseSource(nameof(Models))]
    public void ScoresItsBaseline_WithUnchangedWeights(string model)
    {
        var result = AccuracyRegression.Check(Path.Combine(RepositoryPaths.Models, model), Test);
        Assert.That(result.Passed, result.Message);
        Assert.That(result.WeightsChanged, Is.False);
        Assert.That(result.Now.Accuracy, Is.EqualTo(result.Baseline.Accuracy).Within(result.Baseline.Tolerance));
        Assert.That(result.Now.Count, Is.EqualTo(result.Baseline.Images));
    }

    [TestCaseSource(nameof(Models))]
    public void LoadsWithAllOptimizations_AndItsMetadataIsComplete(string model)
    {
        using var classifier = OnnxClassifier.Load(Path.Combine(RepositoryPaths.Models, model)); // ORT_ENABLE_ALL
        Assert.That(classifier.ClassNames, Is.EqualTo(FashionMnist.ClassNames));
        Assert.That(classifier.SampleShape, Is.EqualTo(new[] { 1, 28, 28 }));
        foreach (var key in new[] { ModelMetadataKeys.ClassNames, ModelMetadataKeys.InputShape, ModelMetadataKeys.InputLayout, ModelMetadataKeys.Normalization,
                     ModelMetadataKeys.TrainingConfiguration, ModelMetadataKeys.Metrics, ModelMetadataKeys.WeightsSha256, ModelMetadataKeys.Command })
            Assert.That(classifier.Metadata.ContainsKey(key), Is.True, $"{model} has {key}");
        Assert.That(classifier.Metadata[ModelMetadataKeys.Command], Does.StartWith("onnxreg train ").And.EndWith($"-o models/{model}"));
        var baseline = AccuracyBaseline.Load(AccuracyBaseline.PathFor(Path.Combine(RepositoryPaths.Models, model)));
        Assert.That(baseline.Command, Is.EqualTo(classifier.Metadata[ModelMetadataKeys.Command]));
    }
}
