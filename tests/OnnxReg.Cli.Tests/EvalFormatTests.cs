using System.Globalization;
using System.Text.Json;
using OnnxReg.Data;
using OnnxReg.Data.Idx;
using OnnxReg.Onnx;

namespace OnnxReg.Cli.Tests;

/// <summary><c>eval --per-class</c> and <c>--format json|csv</c>, on a model and data small enough to work out by hand.</summary>
public class EvalFormatTests : TempFolderTest
{
    // logits = x (identity weights): the brighter of two pixels wins; ties go to class 0 ("left").
    // Five test images, true classes and predictions: (200,10) 0→0, (200,10) 1→0, (10,200) 1→1, (10,200) 1→1, (10,200) 0→1.
    // Confusion [true][predicted] = [[1, 1], [1, 2]]: left P 1/2 R 1/2 F1 1/2 support 2; right P 2/3 R 2/3 F1 2/3 support 3; accuracy 3/5.
    private (string Model, string Data) Setup()
    {
        var builder = new OnnxGraphBuilder("test");
        var batch = OnnxDimension.Symbolic("N");
        var input = builder.AddInput("input", [batch, OnnxDimension.Fixed(1), OnnxDimension.Fixed(1), OnnxDimension.Fixed(2)]);
        var flat = builder.AddNode("Flatten", "flatten", [input], OnnxAttribute.Int("axis", 1));
        var output = builder.AddNode("Gemm", "fc", [flat, builder.AddInitializer("w", [1, 0, 0, 1], [2, 2]), builder.AddInitializer("b", [0, 0], [2])], OnnxAttribute.Int("transB", 1));
        builder.AddOutput(output, [batch, OnnxDimension.Fixed(2)]);
        var model = Path.Combine(Folder, "two.onnx");
        File.WriteAllBytes(model, OnnxModelSerializer.ToBytes(builder.Build(new OnnxModelInfo(8, 13, "test", "1",
            new Dictionary<string, string> { [ModelMetadataKeys.ClassNames] = "[\"left\",\"right\"]" }))));

        var data = Path.Combine(Folder, "data");
        Directory.CreateDirectory(data);
        byte[] pixels = [200, 10, 200, 10, 10, 200, 10, 200, 10, 200];
        byte[] labels = [0, 1, 1, 1, 0];
        File.WriteAllText(Path.Combine(data, "classes.txt"), "left\nright\n");
        foreach (var split in new[] { "train", "t10k" })
        {
            IdxWriter.Write(Path.Combine(data, $"{split}-images-idx3-ubyte"), new IdxArray([5, 1, 2], pixels), gzip: false);
            IdxWriter.Write(Path.Combine(data, $"{split}-labels-idx1-ubyte"), new IdxArray([5], labels), gzip: false);
        }
        return (model, data);
    }

    [Test]
    public void DataWithOtherClassNames_IsRefusedNamingBoth_UnlessAllowed()
    {
        var (model, data) = Setup();
        File.WriteAllText(Path.Combine(data, "classes.txt"), "right\nleft\n"); // the same names in the other order
        var refused = CliRun.Of("eval", model, "--data", data);
        Assert.That(refused.ExitCode, Is.Not.EqualTo(0));
        Assert.That(refused.Error, Does.Contain("calls class 0 'left' but the data call it 'right' (model: left, right; data: right, left)"));
        Assert.That(refused.Error.Trim().Split('\n'), Has.Length.EqualTo(1));
        var allowed = CliRun.Of("eval", model, "--data", data, "--allow-other-class-names", "--format", "json");
        Assert.That(allowed.ExitCode, Is.EqualTo(0), allowed.Error);
        using var json = JsonDocument.Parse(allowed.Output);
        Assert.That(json.RootElement[0].GetProperty("accuracy").GetDouble(), Is.EqualTo(0.6), "the labels are the same; only the names differ");
    }

    [Test]
    public void PerClassJson_MatchesTheHandComputedConfusionMatrix()
    {
        var (model, data) = Setup();
        var run = CliRun.Of("eval", model, "--data", data, "--per-class", "--format", "json");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        using var json = JsonDocument.Parse(run.Output); // nothing but JSON on standard output
        var figures = json.RootElement[0];
        Assert.That(figures.GetProperty("images").GetInt32(), Is.EqualTo(5));
        Assert.That(figures.GetProperty("accuracy").GetDouble(), Is.EqualTo(0.6));
        Assert.That(figures.GetProperty("confusionMatrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()),
            Is.EqualTo(new[] { new[] { 1, 1 }, new[] { 1, 2 } }));
        var classes = figures.GetProperty("perClass").EnumerateArray().ToList();
        Assert.That(classes.Select(c => c.GetProperty("class").GetString()), Is.EqualTo(new[] { "left", "right" }));
        double[][] expected = [[0.5, 0.5, 0.5, 2], [2.0 / 3, 2.0 / 3, 2.0 / 3, 3]];
        for (int c = 0; c < 2; c++)
        {
            Assert.That(classes[c].GetProperty("precision").GetDouble(), Is.EqualTo(expected[c][0]).Within(1e-12));
            Assert.That(classes[c].GetProperty("recall").GetDouble(), Is.EqualTo(expected[c][1]).Within(1e-12));
            Assert.That(classes[c].GetProperty("f1").GetDouble(), Is.EqualTo(expected[c][2]).Within(1e-12));
            Assert.That(classes[c].GetProperty("support").GetInt32(), Is.EqualTo((int)expected[c][3]));
        }
    }

    [Test]
    public void PerClassCsv_HasOneRowPerClass()
    {
        var (model, data) = Setup();
        var run = CliRun.Of("eval", model, "--data", data, "--per-class", "--format", "csv");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        var lines = run.Output.TrimEnd('\n').Split('\n');
        Assert.That(lines[0], Is.EqualTo("model,split,images,accuracy,loss,ece,class,precision,recall,f1,support"));
        var left = lines[1].Split(',');
        Assert.That(left[..4], Is.EqualTo(new[] { model, "test", "5", "0.6" }), "the model's own figures are kept on each class row");
        Assert.That(left[6..], Is.EqualTo(new[] { "left", "0.5", "0.5", "0.5", "2" }));
        var right = lines[2].Split(',');
        Assert.That(double.Parse(right[9], CultureInfo.InvariantCulture), Is.EqualTo(2.0 / 3).Within(1e-12));
    }

    [Test]
    public void PerClassTable_ShowsTheConfusionMatrix()
    {
        var (model, data) = Setup();
        var run = CliRun.Of("eval", model, "--data", data, "--per-class");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("confusion matrix (rows: true class, columns: predicted class)").And.Contain("0.6667"));
    }

    [Test]
    public void CompareJson_IsAListOfModelsWithTheirFigures()
    {
        var reference = Path.Combine(OnnxReg.Tests.Shared.RepositoryPaths.Root, "models", "mlp-plain.onnx");
        var run = CliRun.Of("compare", reference, "--format", "json");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        using var json = JsonDocument.Parse(run.Output);
        var model = json.RootElement[0];
        Assert.That(model.GetProperty("model").GetString(), Is.EqualTo(reference));
        Assert.That(model.GetProperty("accuracy").GetDouble(), Is.EqualTo(0.8405), "the baseline's accuracy");
        Assert.That(model.GetProperty("split").GetString(), Is.EqualTo("test"));
        Assert.That(model.GetProperty("parameters").GetInt64(), Is.EqualTo(109_386));
    }

    [Test]
    public void EvalAndCompare_SpeakTheOneMetricVocabulary_InJsonAndCsv()
    {
        var (model, data) = Setup();
        var evalJson = CliRun.Of("eval", model, "--data", data, "--format", "json");
        var evalCsv = CliRun.Of("eval", model, "--data", data, "--format", "csv");
        var compareJson = CliRun.Of("compare", model, "--data", data, "--format", "json");
        var compareCsv = CliRun.Of("compare", model, "--data", data, "--format", "csv");
        foreach (var run in new[] { evalJson, evalCsv, compareJson, compareCsv })
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        using var e = JsonDocument.Parse(evalJson.Output);
        using var c = JsonDocument.Parse(compareJson.Output);
        string[] metrics = [MetricNames.Accuracy, MetricNames.Loss, MetricNames.Ece];
        Assert.Multiple(() =>
        {
            foreach (var name in metrics)
            {
                Assert.That(e.RootElement[0].GetProperty(name).GetDouble(), Is.EqualTo(c.RootElement[0].GetProperty(name).GetDouble()), name);
                Assert.That(evalCsv.Output.Split('\n')[0].Split(','), Does.Contain(name));
                Assert.That(compareCsv.Output.Split('\n')[0].Split(','), Does.Contain(name));
            }
            Assert.That(e.RootElement[0].GetProperty(MetricNames.Accuracy).GetDouble(), Is.EqualTo(0.6));
            foreach (var old in new[] { "meanLoss", "mean_loss", "expectedCalibrationError", "testAccuracy", "testLoss" })
                Assert.That(evalJson.Output + evalCsv.Output + compareJson.Output + compareCsv.Output, Does.Not.Contain(old));
        });
    }
}
