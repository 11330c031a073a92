using System.CommandLine;
using System.Text.Json.Nodes;
using OnnxReg.Cli.Commands;
using OnnxReg.Study;
using OnnxReg.Training;
using OnnxReg.Training.Techniques;
using OnnxReg.Tuning;

namespace OnnxReg.Cli.Tests;

/// <summary>A technique and its strength mean one thing in train, study and tune: every entry of the registry, at a
/// strength inside its range, gives the same configuration from each front end — and the drifts the copies had
/// (weight decay, max-norm 0, early stopping's two names, clip-grad-norm and class weights) are gone.</summary>
public class TechniqueFrontEndTests
{
    private static TrainingConfiguration Train(params string[] args)
    {
        var binder = new TrainingOptionsBinder();
        var command = new Command("train");
        foreach (var option in binder.All) command.Add(option);
        var parse = command.Parse(args);
        Assert.That(parse.Errors, Is.Empty, string.Join("; ", parse.Errors.Select(e => e.Message)));
        return binder.Bind(parse);
    }

    // Inside every technique's range: 1 where 1 is allowed, else half the largest strength.
    private static double StrengthFor(RegularizationTechnique t) =>
        t.WholeNumbers || (t.MaxInclusive ? t.MaxStrength >= 1 : t.MaxStrength > 1) ? 1 : t.MaxInclusive ? t.MaxStrength : t.MaxStrength / 2;

    public static IEnumerable<string> TechniqueNames => TechniqueRegistry.All.Select(t => t.Name);

    [TestCaseSource(nameof(TechniqueNames))]
    public void EveryTechnique_MeansTheSameInTrainStudyAndTune(string name)
    {
        var technique = TechniqueRegistry.Get(name);
        double strength = StrengthFor(technique);
        var baseConfiguration = Train("--model", "cnn"); // a CNN, so that spatial dropout has somewhere to go
        var expected = technique.Apply(baseConfiguration, strength).ToJson();

        var fromTrain = Train(["--model", "cnn", .. technique.TrainArguments(strength)]).ToJson();
        var fromStudy = StudySweep.At(name, strength).Apply(baseConfiguration, baseConfiguration.Training.Seed).ToJson();
        var fromTune = ConfigurationPaths.Apply(baseConfiguration, new Dictionary<string, JsonNode> { [name] = JsonValue.Create(strength) }).ToJson();
        Assert.Multiple(() =>
        {
            Assert.That(expected, Is.Not.EqualTo(baseConfiguration.ToJson()), $"{name} at {strength} changes the configuration");
            Assert.That(fromTrain, Is.EqualTo(expected), $"train {string.Join(' ', technique.TrainArguments(strength))}");
            Assert.That(fromStudy, Is.EqualTo(expected), $"study --techniques {name}={strength}");
            Assert.That(fromTune, Is.EqualTo(expected), $"tune --space {name}=…");
            foreach (var alias in technique.Aliases)
            {
                Assert.That(StudySweep.At(alias, strength).Apply(baseConfiguration, baseConfiguration.Training.Seed).ToJson(), Is.EqualTo(expected), $"study alias {alias}");
                Assert.That(ConfigurationPaths.Apply(baseConfiguration, new Dictionary<string, JsonNode> { [alias] = JsonValue.Create(strength) }).ToJson(), Is.EqualTo(expected), $"tune alias {alias}");
            }
            Assert.That(StudySweep.Parameters.ContainsKey(name) && ConfigurationPaths.Aliases.ContainsKey(name), "listed by the study and the tuner");
        });
    }

    [Test]
    public void WeightDecay_TurnsAdamIntoAdamW_InEveryFrontEnd_AndIsRefusedWithSgd()
    {
        var base_ = new TrainingConfiguration();
        Assert.That(Train("--weight-decay", "0.01").Training.Optimizer, Is.EqualTo(OptimizerKind.AdamW), "train no longer refuses it without --optimizer adamw");
        Assert.That(StudySweep.At("weight-decay", 0.01).Apply(base_, 1).Training.Optimizer, Is.EqualTo(OptimizerKind.AdamW));
        Assert.That(ConfigurationPaths.Apply(base_, new Dictionary<string, JsonNode> { ["weight-decay"] = 0.01 }).Training.Optimizer, Is.EqualTo(OptimizerKind.AdamW));
        var sgd = base_ with { Training = base_.Training with { Optimizer = OptimizerKind.Sgd } };
        Assert.That(() => StudySweep.At("weight-decay", 0.01).Apply(sgd, 1), Throws.ArgumentException.With.Message.Contains("with SGD an L2 penalty (l2) is the same thing"),
            "the study no longer switches SGD to AdamW silently");
        Assert.That(() => ConfigurationPaths.Apply(sgd, new Dictionary<string, JsonNode> { ["weight-decay"] = 0.01 }), Throws.ArgumentException);
    }

    [Test]
    public void MaxNormZero_IsNone_InEveryFrontEnd()
    {
        var base_ = new TrainingConfiguration { MaxNorm = 3 };
        Assert.That(StudySweep.At("max-norm", 0).Apply(base_, 1).MaxNorm, Is.Null, "a sweep's strength 0 used to reach validation and be refused");
        Assert.That(ConfigurationPaths.Apply(base_, new Dictionary<string, JsonNode> { ["max-norm"] = 0 }).MaxNorm, Is.Null);
        Assert.That(Train("--max-norm", "0").MaxNorm, Is.Null);
    }

    [Test]
    public void ClipGradNormAndClassWeights_AreSweptAndTuned()
    {
        var base_ = new TrainingConfiguration();
        Assert.That(StudySweep.Parse("clip-grad-norm=0.5,1,class-weights=1", StudyDefinition.DefaultTechniques()).Select(t => t.Name),
            Is.EqualTo(new[] { "clip-grad-norm-0.5", "clip-grad-norm-1", "class-weights-1" }));
        Assert.That(ConfigurationPaths.Apply(base_, new Dictionary<string, JsonNode> { ["clip-grad-norm"] = 2, ["class-weights"] = 1 }),
            Is.EqualTo(base_ with { ClipGradNorm = 2, ClassWeights = new Training.Regularization.ClassWeights(Balanced: true) }).Using<TrainingConfiguration>((a, b) => a.ToJson() == b.ToJson()));
    }

    [Test]
    public void AModelFile_KeepsTheOtherModelSettings_InTrainAndTune()
    {
        var network = Path.Combine(OnnxReg.Tests.Shared.RepositoryPaths.Root, "models", "networks", "residual-cnn.json");
        var withDropout = new TrainingConfiguration().Model with { DropoutRates = [0.3] };
        var model = TrainingOptionsBinder.ModelFrom(network, withDropout);
        Assert.That(model.Preset, Is.EqualTo(Training.Models.ModelPreset.Custom));
        Assert.That(model.DropoutRates, Is.EqualTo(new[] { 0.3 }), "tune used to replace every model setting with the file's");
    }
}

/// <summary>The technique table of docs/04-regularization.md is the registry's, so it cannot fall behind a new technique;
/// ONNXREG_UPDATE_DOCS=1 rewrites it.</summary>
public class TechniqueTableTests
{
    private const string Begin = "<!-- techniques:begin (generated from TechniqueRegistry; TechniqueTableTests prints it) -->";
    private const string End = "<!-- techniques:end -->";

    /// <summary>The table as the registry describes itself.</summary>
    public static string Table()
    {
        static string Cell(string text) => text.Replace("|", "\\|");
        var lines = new List<string>
        {
            "| name (study, tune) | `onnxreg train`, e.g. | strength | range (0: …) | what it does |",
            "| --- | --- | --- | --- | --- |",
        };
        foreach (var t in TechniqueRegistry.All)
        {
            var names = string.Join(", ", t.Aliases.Prepend(t.Name).Select(n => $"`{n}`"));
            var train = "`" + Cell(string.Join(' ', t.TrainArguments(t.WholeNumbers ? 1 : t.MaxInclusive && t.MaxStrength >= 1 ? 1 : t.MaxStrength / 2))) + "`";
            lines.Add($"| {names} | {train} | {Cell(t.Strength)} | {Cell(t.Range)} | {Cell(t.Summary)} |");
        }
        return string.Join('\n', lines);
    }

    [Test]
    public void DocumentedTechniqueTable_IsTheRegistrys()
    {
        var path = Path.Combine(OnnxReg.Tests.Shared.RepositoryPaths.Root, "docs", "04-regularization.md");
        var page = File.ReadAllText(path);
        int begin = page.IndexOf(Begin, StringComparison.Ordinal), end = page.IndexOf(End, StringComparison.Ordinal);
        Assert.That(begin, Is.GreaterThanOrEqualTo(0), "the page has the generated table's markers");
        var shown = page[(begin + Begin.Length)..end].Trim();
        if (shown != Table() && Environment.GetEnvironmentVariable("ONNXREG_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, page[..(begin + Begin.Length)] + "\n" + Table() + "\n" + page[end..]);
            shown = Table();
        }
        Assert.That(shown, Is.EqualTo(Table()), "run ONNXREG_UPDATE_DOCS=1 dotnet test tests/OnnxReg.Cli.Tests --filter TechniqueTable, or paste this between the markers:\n" + Table());
    }
}
