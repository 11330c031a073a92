namespace OnnxReg.Study.Tests;

public class StudySweepTests
{
    [Test]
    public void Parse_ReadsNamedTechniquesAndSweeps_EachStrengthATechnique()
    {
        var techniques = StudySweep.Parse("baseline, l2=1e-5,1e-4 ,dropout=0.1,0.3,augmentation=2,l1", StudyDefinition.DefaultTechniques());
        Assert.That(techniques.Select(t => t.Name), Is.EqualTo(new[] { "baseline", "l2-1e-05", "l2-0.0001", "dropout-0.1", "dropout-0.3", "augmentation-2", "l1" }));
        Assert.That(techniques[1], Is.EqualTo(new StudyTechnique("l2-1e-05") { Sweep = "l2", Strength = 1e-5 }));
        Assert.That(techniques[4], Is.EqualTo(new StudyTechnique("dropout-0.3") { Sweep = "dropout", Strength = 0.3 }));
        var base_ = new OnnxReg.Training.TrainingConfiguration();
        Assert.That(techniques[1].Apply(base_, 1).Penalty.L2, Is.EqualTo(1e-5));
        Assert.That(techniques[4].Apply(base_, 1).Model.DropoutRates, Is.EqualTo(new[] { 0.3 }));
        Assert.That(techniques[5].Apply(base_, 1).Augmentation.ToString(), Is.EqualTo(
            OnnxReg.Training.Augmentation.AugmentationOptions.Parse("hflip,rotate=20,scale=0.8:1.2,translate=0.16").ToString()));
        Assert.That(techniques[6], Is.EqualTo(StudyDefinition.DefaultTechniques().Single(t => t.Name == "l1")), "a bare name after a sweep is the study's technique");
        var definition = new StudyDefinition { Techniques = techniques };
        Assert.That(definition.Validate, Throws.Nothing, "the names are valid folder names");
    }

    [Test]
    public void ASweep_SurvivesTheStudyFile_SoWriteConfigAndConfigKeepIt()
    {
        var definition = new StudyDefinition { Techniques = StudySweep.Parse("baseline,dropout=0.1,0.3", StudyDefinition.DefaultTechniques()) };
        var path = Path.Combine(Path.GetTempPath(), $"onnxreg-sweep-{Guid.NewGuid():N}.json");
        try
        {
            definition.Save(path);
            Assert.That(File.ReadAllText(path), Does.Contain("\"sweep\": \"dropout\"").And.Contain("\"strength\": 0.3"));
            var read = StudyDefinition.Load(path);
            Assert.That(read.Techniques, Is.EqualTo(definition.Techniques));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Augmentation_ScalesTheStudysDefault_AndZeroIsNone()
    {
        var base_ = new OnnxReg.Training.TrainingConfiguration();
        string At(double s) => StudySweep.At("augmentation", s).Apply(base_, 1).Augmentation.ToString();
        string Parsed(string spec) => OnnxReg.Training.Augmentation.AugmentationOptions.Parse(spec).ToString();
        Assert.That(At(1), Is.EqualTo(Parsed(StudyDefinition.DefaultTechniques().Single(t => t.Name == "augmentation").Augment!)));
        Assert.That(At(0), Is.EqualTo("none"));
        Assert.That(At(0.5), Is.EqualTo(Parsed("hflip,rotate=5,scale=0.95:1.05,translate=0.04")));
        Assert.That(StudySweep.At("early-stopping", 3).Apply(base_, 1).EarlyStopping!.Patience, Is.EqualTo(3));
        Assert.That(StudySweep.At("patience", 3).Apply(base_, 1).EarlyStopping!.Patience, Is.EqualTo(3), "tune's name for it sweeps the same");
    }

    [TestCase("baseline,l3=1e-4", "'l3' cannot be swept (did you mean 'l1'?)")]
    [TestCase("l2=1e-4,lots", "'lots' is not in the study")]
    [TestCase("l2=1e-4,1e-4", "The l2 sweep lists 0.0001 twice")]
    [TestCase("dropout=0.2,x3", "'x3' is not in the study")]
    [TestCase("l2=abc", "'abc' in the l2 sweep is not a number")]
    [TestCase("l2=-1", "must be a number in [0, 1000000] (0: no L2 penalty); received -1")]
    [TestCase("early-stopping=2.5", "must be a whole number from 0 to 1000")]
    [TestCase("baselin", "(did you mean 'baseline'?)")]
    public void Parse_OfAMistake_SaysWhat(string text, string expected) =>
        Assert.That(() => StudySweep.Parse(text, StudyDefinition.DefaultTechniques()), Throws.InstanceOf<ArgumentException>().With.Message.Contains(expected));

    [Test]
    public void Path_OrdersTheStrengths_KeepsTheReference_AndTheFindingChoosesOnValidation()
    {
        var definition = new StudyDefinition
        {
            Models = [StudyDefinition.DefaultModels()[0]],
            Seeds = [1, 2],
            Techniques = [new("baseline"), StudySweep.At("l2", 1e-2), StudySweep.At("l2", 1e-4), StudySweep.At("l2", 1e-3)],
        };
        // Validation accuracy peaks at 1e-3; test accuracy there is 2 pp above the baseline with a 0.5 pp spread.
        var values = new Dictionary<string, (double Validation, double Test)>
        {
            ["baseline"] = (0.80, 0.78), ["l2-0.0001"] = (0.81, 0.79), ["l2-0.001"] = (0.84, 0.80), ["l2-0.01"] = (0.82, 0.81),
        };
        var runs = values.SelectMany(v => new[] { 1, 2 }.Select(seed => Run(v.Key, seed, v.Value.Validation, v.Value.Test + (seed == 1 ? 0.0025 : -0.0025)))).ToList();
        var report = StudyReport.Create(definition, "test data", 100, 50, 50, 1, runs);
        var path = RegularizationPath.Of(report).Single();
        Assert.That(path.Points.Select(p => p.Strength), Is.EqualTo(new[] { 1e-4, 1e-3, 1e-2 }));
        Assert.That(path.Reference!.Technique, Is.EqualTo("baseline"));
        Assert.That(path.Logarithmic, Is.True);
        var markdown = StudyReportWriter.Markdown(report);
        Assert.That(markdown, Does.Contain("### Regularization path: l2 (the factor λ)"));
        Assert.That(markdown, Does.Contain("| 0.001 | 84.0 ± 0.0 % | 80.0 ± 0.4 % |"));
        Assert.That(StudyReportWriter.Findings(report), Does.Contain(
            "mlp, l2 path: the best validation accuracy is at 0.001 (84.0 ± 0.0 %), where test accuracy is 80.0 ± 0.4 % against 78.0 ± 0.4 % for `baseline` (+2.0 pp, beyond the seed spread)."));
    }

    private static RunResult Run(string technique, int seed, double validation, double test) =>
        new("mlp", technique, seed, "f", new SplitMetrics(0.9, 0.3, 0.01), new SplitMetrics(validation, 0.5, 0.02), new SplitMetrics(test, 0.6, 0.03),
            new Dictionary<string, double> { ["noise"] = test - 0.1 }, 0.9 - test, 0.3, 5, null, "Completed", 0, 0, 10, 1000, 4000, 1e-6, 1, []);
}
