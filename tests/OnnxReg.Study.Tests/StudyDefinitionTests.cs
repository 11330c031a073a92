using OnnxReg.Experiments;
namespace OnnxReg.Study.Tests;

public class StudyDefinitionTests
{
    [Test]
    public void DefaultStudy_IsValid_AndCoversTheFiveTechniquesAndTheirCombination()
    {
        var definition = new StudyDefinition();
        Assert.DoesNotThrow(definition.Validate);
        Assert.That(definition.Techniques.Select(t => t.Name), Is.EqualTo(new[] { "baseline", "l1", "l2", "dropout", "early-stopping", "augmentation", "combined" }));
        Assert.That(definition.Models.Select(m => m.Name), Is.EqualTo(new[] { "mlp", "cnn" }));
        Assert.That(definition.Seeds, Has.Length.EqualTo(3));
    }

    [Test]
    public void Json_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"onnxreg-study-{Guid.NewGuid():N}.json");
        try
        {
            var original = StudyRunnerTests.Tiny();
            original.Save(path);
            var loaded = StudyDefinition.Load(path);
            Assert.That(loaded.ToJson(), Is.EqualTo(original.ToJson()));
            Assert.That(loaded.Techniques[1].EarlyStopping!.Patience, Is.EqualTo(1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void TechniqueOverlay_ChangesOnlyWhatItSets()
    {
        var baseConfiguration = StudyRunnerTests.Tiny().Models[0].Configuration;
        var applied = new StudyTechnique("x", L1: 1e-4, Dropout: 0.3, Augment: "hflip").Apply(baseConfiguration, seed: 9);
        Assert.That(applied.Penalty.L1, Is.EqualTo(1e-4));
        Assert.That(applied.Penalty.L2, Is.EqualTo(0));
        Assert.That(applied.Model.DropoutRates, Is.EqualTo(new[] { 0.3 }));
        Assert.That(applied.Augmentation.HorizontalFlip, Is.Not.Null);
        Assert.That(applied.Training.Seed, Is.EqualTo(9));
        Assert.That(applied.Training.Epochs, Is.EqualTo(baseConfiguration.Training.Epochs));
    }

    [TestCase("{\"seeds\": [1, 1]}", "without repeats")]
    [TestCase("{\"trainSize\": 3}", "TrainSize=3")]
    [TestCase("{\"techniques\": [{\"name\": \"a b\"}]}", "'a b'")]
    [TestCase("{\"techniques\": [{\"name\": \"x\", \"augment\": \"blur\"}]}", "Unknown augmentation 'blur'")]
    [TestCase("{\"techniques\": [{\"name\": \"x\", \"dropout\": 1.5}]}", "dropout: the strength (the rate p at every dense dropout position) must be a number in [0, 1)")]
    [TestCase("{\"seedz\": [1]}", "seedz")]
    public void InvalidStudyFile_IsRejected_NamingTheProblem(string json, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"onnxreg-study-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, json);
            var e = Assert.Throws<InvalidDataException>(() => StudyDefinition.Load(path));
            Assert.That(e!.Message, Does.Contain(expected));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void AStudyFileOfAMillionSeeds_IsRefusedBeforeAnythingIsPlanned()
    {
        var path = Path.Combine(Path.GetTempPath(), $"onnxreg-study-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, "{\"seeds\": [" + string.Join(",", Enumerable.Range(1, 1_000_000)) + "]}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var e = Assert.Throws<InvalidDataException>(() => StudyDefinition.Load(path));
            Assert.That(e!.Message, Does.Contain("A study takes at most 100 seeds; received 1,000,000"));
            Assert.That(e.Message.Length, Is.LessThan(500), "the seeds are not listed back");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
            var tooMany = new StudyDefinition { Seeds = [.. Enumerable.Range(1, 100)], Techniques = [.. Enumerable.Range(0, 60).Select(i => new StudyTechnique($"t{i}"))] };
            Assert.That(tooMany.Validate, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("12,000 runs (2 models × 60 techniques × 100 seeds); at most 10,000"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Difference_CountsOnlyBeyondTheCombinedSpread()
    {
        var a = new Statistic(0.80, 0.03);
        var b = new Statistic(0.78, 0.02);
        var d = Difference.Between(a, b);
        Assert.That(d.Delta, Is.EqualTo(0.02).Within(1e-12));
        Assert.That(d.Spread, Is.EqualTo(Math.Sqrt(0.03 * 0.03 + 0.02 * 0.02)).Within(1e-12));
        Assert.That(d.BeyondSpread, Is.False);
        Assert.That(Difference.Between(new Statistic(0.90, 0.01), b).BeyondSpread, Is.True);
        Assert.That(Statistic.Of([1, 2, 3]), Is.EqualTo(new Statistic(2, 1)));
        Assert.That(Difference.Between(new Statistic(0.9, 0), new Statistic(0.5, 0), seeds: 1).BeyondSpread, Is.False, "one seed: nothing can be told from noise");
    }

    [Test]
    public void ModelFileNetwork_StartsWithItsDropoutLayersAtZero_AndTheDropoutTechniquesSetThem()
    {
        var network = Training.Models.Layers.NetworkSpec.Parse("""
            [{"type": "conv2d", "out_channels": 4, "kernel_size": 3}, {"type": "relu"}, {"type": "dropout2d", "p": 0.2},
             {"type": "flatten"}, {"type": "dropout", "p": 0.4}, {"type": "linear"}]
            """);
        var model = StudyModel.FromModelFile("tiny", network);
        Assert.That(model.Configuration.Model.DropoutRates, Is.EqualTo(new[] { 0.0 }));
        Assert.That(model.Configuration.Model.SpatialDropoutRates, Is.EqualTo(new[] { 0.0 }));
        var dropout = new StudyTechnique("dropout", Dropout: 0.5, SpatialDropout: 0.1).Apply(model.Configuration, seed: 3);
        Assert.That((dropout.Model.DropoutRates, dropout.Model.SpatialDropoutRates), Is.EqualTo((new[] { 0.5 }, new[] { 0.1 })));
        Assert.That(dropout.Model.Layers, Is.SameAs(network));
        Assert.That(new StudyTechnique("baseline").Apply(model.Configuration, seed: 3).Model.DropoutRates, Is.EqualTo(new[] { 0.0 }));

        var plain = StudyModel.FromModelFile("plain", Training.Models.Layers.NetworkSpec.Parse("""[{"type": "flatten"}, {"type": "linear"}]"""));
        Assert.That(new StudyTechnique("spatial", SpatialDropout: 0.1).Apply(plain.Configuration, 1).Model.SpatialDropoutRates, Is.Null, "no dropout2d layer: ignored, as for the MLP");
        var definition = new StudyDefinition { Models = [plain], Techniques = [new("baseline"), new("dropout", Dropout: 0.5)] };
        Assert.That(definition.Validate, Throws.ArgumentException.With.Message.Contains("Model 'plain': Technique 'dropout': ").And.Message.Contains("the model file has none"));
    }
}
