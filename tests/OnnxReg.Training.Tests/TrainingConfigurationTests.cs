using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Models;
using OnnxReg.Training.Regularization;
using OnnxReg.Training.Schedules;

namespace OnnxReg.Training.Tests;

public class TrainingConfigurationTests
{
    internal static TrainingConfiguration Everything() => new()
    {
        Model = new ModelOptions(ModelPreset.Cnn, HiddenSizes: [64], ConvChannels: [8, 16], DropoutRates: [0.2, 0.4], SpatialDropoutRates: [0.1], BatchNorm: true),
        Training = new TrainingOptions(Epochs: 3, BatchSize: 32, LearningRate: 2e-3, Optimizer: OptimizerKind.AdamW, Seed: 9, WeightDecay: 0.01, LabelSmoothing: 0.1),
        Penalty = new WeightPenaltyOptions(1e-5, 1e-4, IncludeBiases: true, Layers: new Dictionary<string, LayerPenalty> { ["classifier.fc2"] = new(0, 0) }),
        MaxNorm = 3,
        EarlyStopping = new EarlyStoppingOptions("val_accuracy", MonitorMode.Max, Patience: 2, MinDelta: 0.001, Baseline: 0.5, StartFromEpoch: 1, DivergenceThreshold: 0.05),
        Augmentation = AugmentationOptions.Parse("hflip,rotate=10,scale=0.9:1.1,crop=2,erase,noise=0.05,mixup,cutmix"),
        Schedule = new LearningRateScheduleOptions(LearningRateScheduleKind.Cosine, MinLearningRate: 1e-5),
    };

    [Test]
    public void Json_RoundTripsEverySetting()
    {
        var original = Everything();
        var json = original.ToJson();
        var parsed = TrainingConfiguration.FromJson(json);
        Assert.That(parsed.ToJson(), Is.EqualTo(json));
        Assert.That(parsed.Training, Is.EqualTo(original.Training));
        Assert.That(parsed.EarlyStopping, Is.EqualTo(original.EarlyStopping));
        Assert.That(parsed.Augmentation, Is.EqualTo(original.Augmentation));
        Assert.That(parsed.Model.DropoutRates, Is.EqualTo(new[] { 0.2, 0.4 }));
        Assert.That(parsed.Penalty.Layers!["classifier.fc2"], Is.EqualTo(new LayerPenalty(0, 0)));
        Assert.That(json, Does.Contain("\"optimizer\": \"adamW\"").And.Contain("\"monitor\": \"val_accuracy\""));
    }

    [Test]
    public void SaveAndLoad_UseTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"onnxreg-config-{Guid.NewGuid():N}.json");
        try
        {
            Everything().Save(path);
            Assert.That(TrainingConfiguration.Load(path).ToJson(), Is.EqualTo(Everything().ToJson()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void UnknownProperty_IsRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => TrainingConfiguration.FromJson("{\"training\": {\"epochz\": 3}}"));
        Assert.That(e!.Message, Does.Contain("epochz"));
    }

    [Test]
    public void OutOfRangeValue_IsRejected_NamingIt()
    {
        var e = Assert.Throws<InvalidDataException>(() => TrainingConfiguration.FromJson("{\"penalty\": {\"l2\": -1}}"));
        Assert.That(e!.Message, Does.Contain("L2=-1"));
    }

    [Test]
    public void WeightDecayWithoutAdamW_IsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions(WeightDecay: 0.01).Validate());
        Assert.That(e!.Message, Does.Contain("AdamW"));
    }
}
