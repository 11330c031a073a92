using OnnxReg.Data;
using OnnxReg.Runtime;
using OnnxReg.Training;
using OnnxReg.Tests.Shared;
using OnnxReg.Training.Models;
using OnnxReg.Training.Models.Layers;
using static TorchSharp.torch;

namespace OnnxReg.Export.Tests;

/// <summary>
/// The acceptance check for the exporter: MLP, CNN and small ResNet presets and a model file's network (residual blocks with
/// projection shortcuts, batch norm, Dropout2d), trained briefly on the embedded data with dropout,
/// exported, and run through TorchSharp (eval mode) and ONNX Runtime (the runtime library) on the whole
/// embedded test set (2,000 images) — logits agree to 1e-4 and the predicted classes are identical.
/// </summary>
public class TrainedModelExportTests
{
    private static DatasetPair _data = null!;
    private string _folder = null!;

    [OneTimeSetUp]
    public static void LoadData() => _data = DatasetSource.Load(DatasetSource.Embedded);

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "onnxreg-trained-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [TestCase(ModelPreset.Mlp)]
    [TestCase(ModelPreset.Cnn)]
    [TestCase(ModelPreset.ResNet)]
    public void TrainedPreset_ExportsWithMatchingLogitsAndClasses(ModelPreset preset) =>
        TrainExportAndCompare(new TrainingConfiguration
        {
            Model = new ModelOptions(preset, DropoutRates: [0.3]),
            Training = new TrainingOptions(Epochs: 1, BatchSize: 64, Seed: 7),
        });

    [TestCase(ModelPreset.Mlp)]
    [TestCase(ModelPreset.Cnn)]
    [TestCase(ModelPreset.ResNet)]
    public void ModelTrainedWithEveryTechnique_ExportsWithMatchingLogitsAndClasses(ModelPreset preset) =>
        TrainExportAndCompare(new TrainingConfiguration
        {
            Model = new ModelOptions(preset, DropoutRates: [0.3], SpatialDropoutRates: preset == ModelPreset.Mlp ? null : [0.1], BatchNorm: true),
            Training = new TrainingOptions(Epochs: 3, BatchSize: 64, Optimizer: OptimizerKind.AdamW, Seed: 7, WeightDecay: 0.01, LabelSmoothing: 0.1),
            Penalty = new Training.Regularization.WeightPenaltyOptions(L1: 1e-5, L2: 1e-4),
            MaxNorm = 3,
            EarlyStopping = new Training.Callbacks.EarlyStoppingOptions(Patience: 1),
            Augmentation = Training.Augmentation.AugmentationOptions.Parse("hflip,rotate=10,scale=0.9:1.1,crop=2,erase,noise=0.05,mixup,cutmix"),
            Schedule = new Training.Schedules.LearningRateScheduleOptions(Training.Schedules.LearningRateScheduleKind.Cosine),
        });

    [Test]
    public void ModelFileNetwork_WithResidualBlocksBatchNormAndSpatialDropout_ExportsWithMatchingLogitsAndClasses() =>
        TrainExportAndCompare(new TrainingConfiguration
        {
            Model = new ModelOptions(ModelPreset.Custom, Layers: NetworkSpec.Load(Path.Combine(RepositoryPaths.Models, "networks", "residual-cnn.json"))),
            Training = new TrainingOptions(Epochs: 2, BatchSize: 64, Seed: 7),
            Penalty = new Training.Regularization.WeightPenaltyOptions(L2: 1e-4),
            Augmentation = Training.Augmentation.AugmentationOptions.Parse("hflip,rotate=10"),
        });

    private void TrainExportAndCompare(TrainingConfiguration configuration)
    {
        var train = _data.Train.Take(1000);
        var normalization = Normalization.Estimate(train.Pixels);
        using var model = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, seed: 7);
        using (var tensors = TensorDataset.From(train, normalization))
        using (var validation = TensorDataset.From(_data.Train.Subset(Enumerable.Range(5000, 500).ToArray()), normalization))
        {
            var history = new Trainer(configuration).Fit(model, tensors, validation);
            Assert.That(history.RestoredEpoch, Is.EqualTo(configuration.EarlyStopping is null ? null : history.BestEpoch), "the exported model is the restored one");
        }
        var preset = configuration.Model.Preset;

        var path = Path.Combine(_folder, $"{preset}.onnx");
        var proto = new OnnxExporter().Export(model, [1, 28, 28], path, new ExportOptions { ClassNames = train.ClassNames, Normalization = normalization });
        Assert.That(proto.Graph.Node.Select(n => n.OpType), Has.None.EqualTo("Dropout"));
        Assert.That(proto.Graph.Node.SelectMany(n => n.Attribute).Select(a => a.Name), Has.None.EqualTo("training_mode"));

        using var classifier = OnnxClassifier.Load(path);
        var test = _data.Test;
        int n = test.Count;
        var inputs = new float[n * 784];
        classifier.Normalization.Apply(test.Pixels, inputs);
        Assert.That(classifier.Normalization, Is.EqualTo(normalization), "the runtime reads the normalization back from the file");

        var expected = ExportHarness.RunTorch(model, inputs, [n, 1, 28, 28]);
        var actual = classifier.PredictLogits(inputs, n);
        double maxDifference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.That(maxDifference, Is.LessThanOrEqualTo(1e-4));
        for (int i = 0; i < n; i++)
            Assert.That(ClassifierMath.ArgMax(actual.AsSpan(i * 10, 10)), Is.EqualTo(ClassifierMath.ArgMax(expected.AsSpan(i * 10, 10))), $"image {i}");

        // Batch sizes 1 and 257 run against the same file.
        var one = classifier.PredictLogits(inputs.AsSpan(0, 784), 1);
        Assert.That(one, Is.EqualTo(actual.AsSpan(0, 10).ToArray()).Within(1e-5));
        var many = new float[257 * 784];
        classifier.Normalization.Apply(_data.Test.Take(257).Pixels, many);
        Assert.That(classifier.PredictLogits(many, 257), Has.Length.EqualTo(2570));
    }
}
