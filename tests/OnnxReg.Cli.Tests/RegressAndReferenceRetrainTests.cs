using OnnxReg.Tests.Shared;
using System.Text.RegularExpressions;
using OnnxReg.Data;
using OnnxReg.Runtime.Regression;

namespace OnnxReg.Cli.Tests;

public class RegressAndReferenceRetrainTests : TempFolderTest
{
    private static string ModelsFolder => RepositoryPaths.Models;
    public static IEnumerable<string> Baselines() =>
        Directory.GetFiles(ModelsFolder, "*.baseline.json").Order(StringComparer.Ordinal).Select(Path.GetFileName)!;

    [Test]
    public void Regress_OnTheReferenceModels_Passes()
    {
        var run = CliRun.Of("regress", ModelsFolder);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(Regex.Matches(run.Output, "│ pass"), Has.Count.EqualTo(4));
        Assert.That(run.Output, Does.Contain("all 4 models are within tolerance"));
    }

    [Test]
    public void Regress_OnAFolderWithARegressedModel_FailsWithATable()
    {
        foreach (var file in Directory.GetFiles(ModelsFolder, "mlp-plain.*"))
            File.Copy(file, Path.Combine(Folder, Path.GetFileName(file)));
        // A baseline that claims more than the model can do stands for a model that got worse.
        var baselinePath = Path.Combine(Folder, "mlp-plain.baseline.json");
        var baseline = AccuracyBaseline.Load(baselinePath);
        (baseline with { Accuracy = 0.99 }).Save(baselinePath);
        var run = CliRun.Of("regress", Folder);
        Assert.That(run.ExitCode, Is.EqualTo(CliApp.Failure));
        Assert.That(run.Output, Does.Contain("REGRESSED").And.Contain("0.9900"));
        Assert.That(run.Error.Trim(), Does.StartWith("onnxreg: error: 1 of 1 models regressed").And.Contain("mlp-plain.onnx"));
        Assert.That(CliRun.Of("regress", Path.Combine(Folder, "none")).AssertOneLineError(), Does.Contain("does not exist"));
    }

    [Test]
    [Category("Slow")]
    [TestCaseSource(nameof(Baselines))]
    public void RetrainingFromTheRecordedCommand_IsNotWorseThanTheBaseline(string baselineFile)
    {
        var baseline = AccuracyBaseline.Load(Path.Combine(ModelsFolder, baselineFile));
        Assert.That(baseline.Command, Does.StartWith("onnxreg train "));
        var arguments = baseline.Command!.Split(' ').Skip(1).ToArray();
        var output = Path.Combine(Folder, baseline.Model);
        int o = Array.IndexOf(arguments, "-o");
        arguments[o + 1] = output;
        var run = CliRun.Of(arguments);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);

        var result = AccuracyRegression.Check(output, DatasetSource.Load(DatasetSource.Embedded).Test, Path.Combine(ModelsFolder, baselineFile));
        Assert.That(result.Passed, result.Message);
    }
}
