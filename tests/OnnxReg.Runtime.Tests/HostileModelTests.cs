using Google.Protobuf;
using OnnxReg.Data;
using OnnxReg.Onnx;
using OnnxReg.Runtime.Regression;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Runtime.Tests;

/// <summary>Model and baseline files that lie about themselves.</summary>
public class HostileModelTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxreg-hostile-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void ModelDeclaringAHugeInput_IsRefusedBeforeAnythingIsSizedFromIt()
    {
        var path = HostileModels.WriteHugeInput(Path.Combine(_folder, "huge.onnx"));
        Assert.That(new FileInfo(path).Length, Is.LessThan(1000));
        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(path).Dispose());
        Assert.That(e!.Message, Does.Contain("[N, 1, 20000, 20000], more than 16,777,216 values per sample").And.Contain("ONNXREG_MAX_MODEL_INPUT"));
    }

    [TestCase(2_000_000, "1,568,000,000 values per call")]
    [TestCase(3_000_000, "2,352,000,000 values per call")] // past int32: the size used to overflow into a negative length
    public void ModelWithAHugeFixedBatch_IsRefusedWhenLoaded(int batch, string expected)
    {
        var path = HostileModels.WriteHugeFixedBatch(Path.Combine(_folder, "batch.onnx"), batch);
        Assert.That(new FileInfo(path).Length, Is.LessThan(1000));
        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(path).Dispose());
        Assert.That(e!.Message, Does.Contain($"has a fixed batch of {batch:N0}: {expected}, more than 16,777,216").And.Contain("ONNXREG_MAX_MODEL_INPUT"));
    }

    [Test]
    public void ModelWithABatchOfZero_IsRefusedWhenLoaded_NotWhenRun()
    {
        // Written with a batch of 1, then edited: OnnxReg's own graph builder refuses a dimension of 0.
        var path = HostileModels.WriteHugeFixedBatch(Path.Combine(_folder, "zero.onnx"), 1);
        var model = OnnxModelSerializer.Read(path);
        model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue = 0;
        model.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimValue = 0;
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(model));
        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(path).Dispose());
        Assert.That(e!.Message, Does.Contain("its input 'pixels' declares a batch of 0 images"));
    }

    [Test]
    public void ModelWithAModestFixedBatch_StillLoads()
    {
        var path = HostileModels.WriteHugeFixedBatch(Path.Combine(_folder, "batch.onnx"), 64);
        using var classifier = OnnxClassifier.Load(path);
        Assert.That(classifier.FixedBatchSize, Is.EqualTo(64));
    }

    [TestCase("mlp-plain.onnx")]
    [TestCase("cnn-regularized.onnx")]
    public void WeightsHash_ComputedFromTheFile_EqualsTheHashTheExporterRecorded(string name)
    {
        var path = Path.Combine(RepositoryPaths.Models, name);
        using var classifier = OnnxClassifier.Load(path);
        Assert.That(OnnxFile.WeightsSha256(path), Is.EqualTo(classifier.Metadata[ModelMetadataKeys.WeightsSha256]));
    }

    [Test]
    public void Regress_SeesAChangedBias_EvenWhenTheFileKeepsDeclaringTheOldHash()
    {
        var model = OnnxModelSerializer.Read(Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx"));
        var bias = model.Graph.Initializer.First(t => t.Dims.Count == 1);
        var values = bias.RawData.ToByteArray();
        BitConverter.GetBytes(BitConverter.ToSingle(values, 0) + 0.5f).CopyTo(values, 0);
        bias.RawData = ByteString.CopyFrom(values);
        var path = Path.Combine(_folder, "mlp-plain.onnx");
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(model));
        File.Copy(Path.Combine(RepositoryPaths.Models, "mlp-plain.baseline.json"), Path.Combine(_folder, "mlp-plain.baseline.json"));

        var result = AccuracyRegression.Check(path, DatasetSource.LoadTest(DatasetSource.Embedded));
        Assert.That(result.WeightsChanged, Is.True, "the declared hash is the old one; the weights are not");
    }

    [Test]
    public void Baseline_WithAToleranceThatWouldPassAnything_IsRefused()
    {
        var source = File.ReadAllText(Path.Combine(RepositoryPaths.Models, "mlp-plain.baseline.json"));
        var path = Path.Combine(_folder, "m.baseline.json");
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(source, "\"tolerance\": [0-9.eE+-]+", "\"tolerance\": 1e9"));
        var e = Assert.Throws<InvalidDataException>(() => AccuracyBaseline.Load(path));
        Assert.That(e!.Message, Does.Contain("a tolerance in [0, 1)").And.Contain("tolerance 1000000000"));
    }
}
