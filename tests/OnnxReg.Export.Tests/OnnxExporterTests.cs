using System.Text.Json;
using OnnxReg.Data;
using OnnxReg.Onnx;
using static TorchSharp.torch;

namespace OnnxReg.Export.Tests;

public class OnnxExporterTests
{
    [SetUp]
    public void Seed() => random.manual_seed(99);

    [Test]
    public void UnsupportedModule_IsAnErrorNamingTypePathAndSupportedList()
    {
        using var model = nn.Sequential(("block", nn.Sequential(("fc", nn.Linear(4, 4)), ("act", nn.Softplus()))));
        var e = Assert.Throws<ExportNotSupportedException>(() => new OnnxExporter().Export(model, [4]));
        Assert.That(e!.Message, Does.Contain("'Softplus' at 'block.act'").And.Contain("Supported: ").And.Contain("Conv2d").And.Contain("Linear"));
    }

    [Test]
    public void WrongSampleShape_IsAnErrorNamingTheModule()
    {
        using var model = nn.Sequential(("fc", nn.Linear(10, 2)));
        var e = Assert.Throws<ArgumentException>(() => new OnnxExporter().Export(model, [7]));
        Assert.That(e!.Message, Does.Contain("'Linear' at 'fc'").And.Contain("[1, 7]"));
    }

    [Test]
    public void ExportingTwice_GivesByteIdenticalFiles()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)), ("flatten", nn.Flatten()), ("fc", nn.Linear(2 * 3 * 3, 4)));
        var options = new ExportOptions { ClassNames = ["a", "b", "c", "d"], Normalization = new Normalization(0.5f, 0.2f) };
        var first = OnnxModelSerializer.ToBytes(new OnnxExporter().Export(model, [1, 5, 5], options));
        var second = OnnxModelSerializer.ToBytes(new OnnxExporter().Export(model, [1, 5, 5], options));
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void DynamicBatch_IsSymbolic_FixedBatch_IsAValue()
    {
        using var model = nn.Sequential(("fc", nn.Linear(3, 2)));
        var dynamic = new OnnxExporter().Export(model, [3]);
        var fixedBatch = new OnnxExporter().Export(model, [3], new ExportOptions { DynamicBatch = false, FixedBatchSize = 4 });
        Assert.That(dynamic.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam, Is.EqualTo("N"));
        Assert.That(dynamic.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam, Is.EqualTo("N"));
        Assert.That(fixedBatch.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue, Is.EqualTo(4));
    }

    [Test]
    public void Metadata_DescribesInputsClassesAndWeights()
    {
        using var model = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(4, 3)));
        var proto = new OnnxExporter().Export(model, [1, 2, 2], new ExportOptions
        {
            ClassNames = ["x", "y", "z"],
            Normalization = new Normalization(0.25f, 0.5f),
            TrainingConfiguration = "{\"dropout\":0.2}",
            Metadata = new Dictionary<string, string> { ["app.owner"] = "team-a" },
        });
        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.That(JsonSerializer.Deserialize<string[]>(metadata[ModelMetadataKeys.ClassNames]), Is.EqualTo(new[] { "x", "y", "z" }));
        Assert.That(metadata[ModelMetadataKeys.InputShape], Is.EqualTo("[1,2,2]"));
        Assert.That(metadata[ModelMetadataKeys.InputLayout], Is.EqualTo("CHW"));
        Assert.That(metadata[ModelMetadataKeys.Normalization], Is.EqualTo("{\"mean\":0.25,\"std\":0.5}"));
        Assert.That(metadata[ModelMetadataKeys.TrainingConfiguration], Is.EqualTo("{\"dropout\":0.2}"));
        Assert.That(metadata[ModelMetadataKeys.WeightsSha256], Is.EqualTo(OnnxWeights.Sha256(proto.Graph)));
        Assert.That(metadata["app.owner"], Is.EqualTo("team-a"), "an app's own entries are written as given");
        Assert.That(proto.MetadataProps.Select(p => p.Key), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(proto.ProducerName, Is.EqualTo("OnnxReg"));
        Assert.That(proto.IrVersion, Is.EqualTo(8));
        Assert.That(proto.OpsetImport.Single().Version, Is.EqualTo(13));
    }

    [Test]
    public void MetadataKeysOfTheModelDescription_AreRefusedAsFreeFormEntries()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        var e = Assert.Throws<ArgumentException>(() => new OnnxExporter().Export(model, [4],
            new ExportOptions { Metadata = new Dictionary<string, string> { [ModelMetadataKeys.Metrics] = "{}" } }));
        Assert.That(e!.Message, Does.Contain("'onnxreg.metrics' belongs to the model description"));
    }

    [Test]
    public void ClassNamesThatDoNotMatchOutputs_AreRejected()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        var e = Assert.Throws<ArgumentException>(() => new OnnxExporter().Export(model, [4], new ExportOptions { ClassNames = ["a", "b"] }));
        Assert.That(e!.Message, Does.Contain("2 class names"));
    }

    [Test]
    public void NonFiniteWeights_AreRefused()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        using (no_grad()) ((TorchSharp.Modules.Linear)model.children().First()).weight![1, 2] = float.NaN;
        var e = Assert.Throws<ExportNotSupportedException>(() => new OnnxExporter().Export(model, [4]));
        Assert.That(e!.Message, Does.Contain("fc.weight").And.Contain("non-finite").And.Contain("index 6"));
    }

    [Test]
    public void Export_RestoresTrainingMode_AndLeavesEvalModeAlone()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 3)), ("drop", nn.Dropout(0.5)));
        model.train();
        new OnnxExporter().Export(model, [4]);
        Assert.That(model.training, Is.True);
        model.eval();
        new OnnxExporter().Export(model, [4]);
        Assert.That(model.training, Is.False);
    }

    [TestCase(12)]
    [TestCase(22)]
    public void Opset_OutsideSupportedRange_IsRejected(int opset)
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExporter().Export(model, [4], new ExportOptions { Opset = opset }));
        Assert.That(e!.Message, Does.Contain($"Opset={opset}"));
    }

    [Test]
    public void ExportToFile_WhoseVerificationFails_KeepsThePreviousFile()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        var folder = Path.Combine(Path.GetTempPath(), "onnxreg-export-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "model.onnx");
        try
        {
            new OnnxExporter().Export(model, [4], path);
            var original = File.ReadAllBytes(path);
            using (no_grad()) ((TorchSharp.Modules.Linear)model.children().First()).weight![0, 0] = 5f;
            Assert.Throws<InvalidDataException>(() => new OnnxExporter().Export(model, [4], path, verify: _ => throw new InvalidDataException("mismatch")));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(original));
            Assert.That(Directory.GetFiles(folder), Has.Length.EqualTo(1), "no temporary file is left behind");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
