using System.Text.Json.Nodes;
using OnnxReg.Training;
using OnnxReg.Training.Models;

namespace OnnxReg.Tuning.Tests;

public class SearchSpaceTests
{
    [Test]
    public void Parse_ReadsEachKindOfRange_AndWritesItBack()
    {
        Assert.That(SearchDimension.Parse("l2=log:1e-6:1e-2"), Is.EqualTo(new SearchDimension("l2", DimensionKind.Log, 1e-6, 1e-2)));
        Assert.That(SearchDimension.Parse("dropout=0:0.6"), Is.EqualTo(new SearchDimension("dropout", DimensionKind.Linear, 0, 0.6)));
        Assert.That(SearchDimension.Parse("patience=int:2:8"), Is.EqualTo(new SearchDimension("patience", DimensionKind.Integer, 2, 8)));
        var choice = SearchDimension.Parse("optimizer=adam|sgd");
        Assert.That((choice.Kind, choice.Choices), Is.EqualTo((DimensionKind.Choice, new[] { "adam", "sgd" })));
        Assert.That(SearchDimension.Parse("l2=log:1e-6:1e-2").ToString(), Is.EqualTo("l2=log:1e-06:0.01"));
    }

    [TestCase("l2", "is not NAME=RANGE")]
    [TestCase("l2=log:0:1", "A log range needs positive bounds")]
    [TestCase("dropout=0.6:0.1", "must have MIN < MAX")]
    [TestCase("dropout=a:b", "is not MIN:MAX")]
    [TestCase("patience=int:1.5:3", "An int range needs whole bounds")]
    [TestCase("optimizer=adam||sgd", "must be distinct and non-empty")]
    public void Parse_OfAMistake_SaysWhat(string text, string expected) =>
        Assert.That(() => SearchDimension.Parse(text), Throws.InstanceOf<FormatException>().With.Message.Contains(expected));

    [Test]
    public void Sample_StaysInRange_IsLogUniformForLogRanges_AndRepeatsWithTheSeed()
    {
        var log = SearchDimension.Parse("l2=log:1e-6:1e-2");
        var random = new Random(4);
        var values = Enumerable.Range(0, 2000).Select(_ => log.Sample(random).GetValue<double>()).ToList();
        Assert.That(values, Is.All.InRange(1e-6, 1e-2));
        // Log-uniform: each of the four decades holds about a quarter of the draws.
        for (int decade = -6; decade < -2; decade++)
            Assert.That(values.Count(v => v >= Math.Pow(10, decade) && v < Math.Pow(10, decade + 1)), Is.InRange(400, 600), $"decade 1e{decade}");
        var again = new Random(4);
        Assert.That(Enumerable.Range(0, 2000).Select(_ => log.Sample(again).GetValue<double>()), Is.EqualTo(values));
        Assert.That(Enumerable.Range(0, 200).Select(_ => SearchDimension.Parse("patience=int:2:4").Sample(random).GetValue<long>()).Distinct().Order(), Is.EqualTo(new long[] { 2, 3, 4 }));
    }

    [Test]
    public void Grid_SpreadsEvenly_OrEvenlyInTheLogarithm()
    {
        Assert.That(SearchDimension.Parse("l2=log:1e-6:1e-2").Grid(3).Select(v => v.GetValue<double>()), Is.EqualTo(new[] { 1e-6, 1e-4, 1e-2 }).Within(1e-12));
        Assert.That(SearchDimension.Parse("dropout=0:0.6").Grid(4).Select(v => v.GetValue<double>()), Is.EqualTo(new[] { 0, 0.2, 0.4, 0.6 }).Within(1e-12));
        Assert.That(SearchDimension.Parse("optimizer=adam|sgd").Grid(5).Select(v => v.GetValue<string>()), Is.EqualTo(new[] { "adam", "sgd" }));
    }

    [Test]
    public void Apply_SetsShortNamesAndAnyConfigurationPath()
    {
        var start = new TrainingConfiguration { Model = new ModelOptions(ModelPreset.Mlp) };
        var values = new Dictionary<string, JsonNode>
        {
            ["l2"] = 1e-4, ["dropout"] = 0.3, ["augmentation"] = 1.0, ["patience"] = 3L, ["training.learningRate"] = 0.01, ["weight-decay"] = 0.05,
        };
        var configuration = ConfigurationPaths.Apply(start, values);
        Assert.That(configuration.Penalty.L2, Is.EqualTo(1e-4));
        Assert.That(configuration.Model.DropoutRates, Is.EqualTo(new[] { 0.3 }));
        Assert.That(configuration.Augmentation.ToString(), Is.EqualTo(Training.Augmentation.AugmentationOptions.Parse("hflip,rotate=10,scale=0.9:1.1,translate=0.08").ToString()));
        Assert.That(configuration.EarlyStopping!.Patience, Is.EqualTo(3));
        Assert.That(configuration.EarlyStopping.Monitor, Is.EqualTo("val_loss"));
        Assert.That(configuration.Training.LearningRate, Is.EqualTo(0.01));
        Assert.That((configuration.Training.WeightDecay, configuration.Training.Optimizer), Is.EqualTo((0.05, OptimizerKind.AdamW)));
        Assert.That(ConfigurationPaths.Apply(start, new Dictionary<string, JsonNode> { ["augmentation"] = 0.0 }).Augmentation.IsEmpty, Is.True);
    }

    [Test]
    public void Apply_OfAValueOutOfRangeOrAPathThatIsNoOption_SaysWhich()
    {
        var start = new TrainingConfiguration();
        Assert.That(() => ConfigurationPaths.Apply(start, new Dictionary<string, JsonNode> { ["dropout"] = 1.5 }),
            Throws.ArgumentException.With.Message.Contains("Setting dropout=1.5").And.Message.Contains("must be a number in [0, 1) (0: no dropout)"));
        Assert.That(() => ConfigurationPaths.Apply(start, new Dictionary<string, JsonNode> { ["training.learningRat"] = 0.1 }),
            Throws.ArgumentException.With.Message.Contains("Setting training.learningRat=0.1").And.Message.Contains("learningRat"));
        var definition = new TuningDefinition { Space = [SearchDimension.Parse("l3=0:1")] };
        Assert.That(definition.Validate, Throws.ArgumentException.With.Message.Contains("Setting l3=0"), "a dimension that is no option fails before any trial");
        Assert.That(definition.Validate, Throws.ArgumentException.With.Message.Contains("'l3' is neither a tuning name nor a configuration option (did you mean 'l1'?)")
            .And.Message.Not.Contain(".NET").And.Message.Not.Contain("OnnxReg.Training"));
        Assert.That(TrainingConfiguration.OptionPaths(), Is.SupersetOf(new[] { "penalty.l2", "training.learningRate", "earlyStopping.patience", "maxNorm", "clipGradNorm" }));
        // A strength single precision cannot hold fails before any trial too (it used to fail inside libtorch after training).
        var huge = new TuningDefinition { Space = [SearchDimension.Parse("l2=0:1e308")] };
        Assert.That(huge.Validate, Throws.ArgumentException.With.Message.Contains("l2: the strength (the factor λ) must be a number in [0, 1000000]"));
    }
}
