using OnnxReg.Tests.Shared;
using System.Buffers.Binary;
using Google.Protobuf;
using OnnxReg.Data;
using OnnxReg.Onnx;
using OnnxReg.Runtime.Regression;

namespace OnnxReg.Runtime.Tests.Regression;

public class AccuracyRegressionTests
{
    private static readonly ImageDataset Test = DatasetSource.Load(DatasetSource.Embedded).Test;
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "onnxreg-regress-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private string CopyReference(string name)
    {
        var model = Path.Combine(_folder, name);
        File.Copy(Path.Combine(RepositoryPaths.Models, name), model);
        File.Copy(AccuracyBaseline.PathFor(Path.Combine(RepositoryPaths.Models, name)), AccuracyBaseline.PathFor(model));
        return model;
    }

    [Test]
    public void ChangingOneWeightNoticeably_FailsTheCheck_NamingModelBaselineAndAccuracy()
    {
        var model = CopyReference("mlp-plain.onnx");
        // The output layer's bias for class 0 ("T-shirt/top") is raised by 50: nearly every image becomes class 0.
        var proto = OnnxModelSerializer.Read(model);
        var bias = proto.Graph.Initializer.Last(t => t.Dims.Count == 1 && t.Dims[0] == 10);
        var raw = bias.RawData.ToByteArray();
        BinaryPrimitives.WriteSingleLittleEndian(raw, BinaryPrimitives.ReadSingleLittleEndian(raw) + 50);
        bias.RawData = ByteString.CopyFrom(raw);
        File.WriteAllBytes(model, OnnxModelSerializer.ToBytes(proto));

        var result = AccuracyRegression.Check(model, Test);
        Assert.That(result.Passed, Is.False);
        Assert.That(result.Now.Accuracy, Is.LessThan(0.2));
        Assert.That(result.Message, Does.Contain(model).And.Contain("mlp-plain.baseline.json")
            .And.Contain(result.Baseline.Accuracy.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture))
            .And.Contain(result.Now.Accuracy.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void UntouchedCopy_Passes()
    {
        var result = AccuracyRegression.Check(CopyReference("cnn-plain.onnx"), Test);
        Assert.That(result.Passed, result.Message);
        Assert.That(result.Message, Does.Contain("within tolerance"));
    }

    [Test]
    public void WriteBaseline_RecordsWhatCheckThenReads()
    {
        var model = Path.Combine(_folder, "m.onnx");
        File.Copy(Path.Combine(RepositoryPaths.Models, "cnn-regularized.onnx"), model);
        var (written, wasWritten) = AccuracyRegression.WriteBaseline(model, Test.Take(500), "first 500 test images", tolerance: 0.02);
        Assert.That(wasWritten, Is.True);
        Assert.That(written.Images, Is.EqualTo(500));
        Assert.That(written.Tolerance, Is.EqualTo(0.02));
        Assert.That(written.OnnxRuntimeVersion, Is.EqualTo("1.31.1"));
        Assert.That(AccuracyBaseline.Load(AccuracyBaseline.PathFor(model)), Is.EqualTo(written));
        Assert.That(AccuracyRegression.Check(model, Test.Take(500)).Passed, Is.True);
    }

    [Test]
    public void WriteBaseline_AgainWithTheSameFigures_LeavesTheFileUntouched_ButAChangedFigureRewritesIt()
    {
        var model = Path.Combine(_folder, "m.onnx");
        File.Copy(Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx"), model);
        var path = AccuracyBaseline.PathFor(model);
        var (first, _) = AccuracyRegression.WriteBaseline(model, Test.Take(300), "first 300 test images");
        Assert.That(first.Loss, Is.EqualTo(Math.Round(first.Loss, AccuracyRegression.LossDecimals)), "the loss is recorded to its stated precision");
        var bytes = File.ReadAllBytes(path);
        File.SetLastWriteTimeUtc(path, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var (_, again) = AccuracyRegression.WriteBaseline(model, Test.Take(300), "first 300 test images");
        Assert.That(again, Is.False);
        Assert.That(File.GetLastWriteTimeUtc(path).Year, Is.EqualTo(2020), "not even rewritten with the same bytes");

        // A recorded loss 1e-3 away from what the model now scores is a changed figure: the file is rewritten.
        new AccuracyBaseline(first.Model, first.Command, first.Data, first.Images, first.Accuracy, first.Loss + 1e-3, first.WeightsSha256, first.Tolerance, first.OnnxRuntimeVersion).Save(path);
        var (_, changed) = AccuracyRegression.WriteBaseline(model, Test.Take(300), "first 300 test images");
        Assert.That(changed, Is.True);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(bytes));
    }

    [Test]
    public void MissingBaseline_SaysHowToWriteOne()
    {
        var model = Path.Combine(_folder, "lonely.onnx");
        File.Copy(Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx"), model);
        var e = Assert.Throws<FileNotFoundException>(() => AccuracyRegression.Check(model, Test));
        Assert.That(e!.Message, Does.Contain("lonely.baseline.json").And.Contain("--write-baselines"));
    }

    [Test]
    public void MalformedBaseline_IsInvalidData()
    {
        var model = CopyReference("mlp-plain.onnx");
        File.WriteAllText(AccuracyBaseline.PathFor(model), "{\"accuracy\": 2}");
        Assert.Throws<InvalidDataException>(() => AccuracyRegression.Check(model, Test));
    }
}
