using System.Text.RegularExpressions;
using OnnxReg.Export;
using OnnxReg.Runtime;
using static TorchSharp.torch;

namespace OnnxReg.Cli.Tests;

public class InspectAndExportOptionsTests : TempFolderTest
{
    [Test]
    public void Inspect_ReportsOpsParametersAndSparsity()
    {
        // fc.weight: 12 values, 6 exactly zero and 2 more below 1e-6; fc.bias (3 values) is a parameter, not a weight.
        using var model = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(4, 3)), ("relu", nn.ReLU()));
        using (no_grad())
        {
            var fc = (TorchSharp.Modules.Linear)model.children().ElementAt(1);
            fc.weight!.copy_(tensor(new float[] { 0, 0, 0, 0, 0, 0, 1e-7f, -5e-7f, 1, 2, 3, 4 }, [3, 4]));
            fc.bias!.copy_(tensor(new float[] { 1, 1, 1 }));
        }
        var path = Path.Combine(Folder, "sparse.onnx");
        new OnnxExporter().Export(model, [1, 2, 2], path, new ExportOptions { ClassNames = ["a", "b", "c"] });

        var run = CliRun.Of("inspect", path);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("ops: Flatten x1, Gemm x1, Relu x1"));
        Assert.That(run.Output, Does.Contain("parameters: 15;"));
        Assert.That(run.Output, Does.Contain("of the 12 weights (matrices and filters) exactly zero: 50.00 % (6)"));
        Assert.That(run.Output, Does.Contain("|w| < 1e-6: 66.67 % (8)"));
        Assert.That(run.Output, Does.Contain("weight L2 norm 5.477"), "√(1 + 4 + 9 + 16) plus two negligible values");
        Assert.That(run.Output, Does.Contain("input: input [N, 1, 2, 2] Float").And.Contain("output: logits [N, 3] Float"));
        Assert.That(run.Output, Does.Contain("onnxreg.class_names").And.Contain("onnxreg.weights_sha256"));
    }

    [Test]
    public void Inspect_AsJson_HoldsTheTablesFacts_AndNamesFromTheFileAreEscapedInBoth()
    {
        var path = Path.Combine(Folder, "m.onnx");
        var model = OnnxReg.Onnx.OnnxModelSerializer.Read(Path.Combine(OnnxReg.Tests.Shared.RepositoryPaths.Models, "mlp-plain.onnx"));
        model.ProducerName = "evil\u001b[2J";
        model.MetadataProps.Add(new OnnxReg.Onnx.Proto.StringStringEntryProto { Key = "note", Value = "line\nbreak" });
        File.WriteAllBytes(path, OnnxReg.Onnx.OnnxModelSerializer.ToBytes(model));

        var json = CliRun.Of("inspect", path, "--format", "json");
        Assert.That(json.ExitCode, Is.EqualTo(CliApp.Success), json.Error);
        using var document = System.Text.Json.JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        Assert.That(root.GetProperty("producer").GetString(), Is.EqualTo("evil\u001b[2J"), "JSON keeps the value, escaped as JSON");
        Assert.That(json.Output.Contains('\u001b'), Is.False, "no raw ESC byte in the output (char search: ordinal)");
        Assert.That(root.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "N", "1", "28", "28" }));
        Assert.That(root.GetProperty("parameters").GetInt64(), Is.GreaterThan(100_000));
        Assert.That(root.GetProperty("metadata").GetProperty("note").GetString(), Is.EqualTo("line\nbreak"));

        var table = CliRun.Of("inspect", path);
        Assert.That(table.Output, Does.Contain(@"producer: evil\x1b[2J"));
        Assert.That(table.Output.Contains('\u001b'), Is.False);
    }

    [Test]
    public void Inspect_FileThatIsNotOnnx_IsAOneLineError()
    {
        var path = Path.Combine(Folder, "random.onnx");
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var line = CliRun.Of("inspect", path).AssertOneLineError();
        Assert.That(line, Does.Contain("random.onnx").And.Contain("not an ONNX model"));
        Assert.That(CliRun.Of("inspect", Path.Combine(Folder, "none.onnx")).AssertOneLineError(), Does.Contain("does not exist"));
    }

    [Test]
    public void Train_WithExportOptions_WritesWhatTheyAskFor()
    {
        var path = Path.Combine(Folder, "resnet.onnx");
        var run = CliRun.Of("train", "--model", "resnet", "--batch-norm", "--channels", "8,16", "--epochs", "1", "--train-size", "400",
            "--softmax-output", "--normalize-in-graph", "--fold-batch-norm", "--fixed-batch", "50", "--opset", "17", "-o", path);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Match(@"max \|probability difference\| vs TorchSharp on the test set: [0-9.]+e-0[5-9]"));
        using var classifier = OnnxClassifier.Load(path);
        Assert.That(classifier.OutputsProbabilities, Is.True);
        Assert.That(classifier.TakesRawPixels, Is.True);
        Assert.That(classifier.FixedBatchSize, Is.EqualTo(50));
        var inspect = CliRun.Of("inspect", path).Output;
        Assert.That(inspect, Does.Contain("opset ai.onnx 17").And.Contain("Softmax x1").And.Not.Contain("BatchNormalization"));
        var eval = CliRun.Of("eval", path);
        Assert.That(eval.ExitCode, Is.EqualTo(0), eval.Error);
        Assert.That(Regex.IsMatch(eval.Output, @"2,000\s+│\s+0\.\d{4}"), Is.True, eval.Output);
    }

    [TestCase("--opset", "12", "--opset must be between 13 and 21")]
    [TestCase("--fixed-batch", "-3", "--fixed-batch must be 0 (dynamic) or a positive batch size")]
    public void BadExportOption_IsAOneLineError(string option, string value, string expected)
    {
        Assert.That(CliRun.Of("train", option, value).AssertOneLineError(), Does.Contain(expected));
    }
}
