using OnnxReg.Data;

namespace OnnxReg.Runtime.Tests;

public class OnnxClassifierTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "onnxreg-runtime-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void Load_ReadsShapesClassNamesAndNormalization()
    {
        var path = TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0], normalizationJson: "{\"mean\":0.25,\"std\":0.5}");
        using var classifier = OnnxClassifier.Load(path);
        Assert.That(classifier.SampleShape, Is.EqualTo(new[] { 1, 1, 2 }));
        Assert.That(classifier.ClassCount, Is.EqualTo(2));
        Assert.That(classifier.ClassNames, Is.EqualTo(new[] { "left", "right" }));
        Assert.That(classifier.Normalization, Is.EqualTo(new Normalization(0.25f, 0.5f)));
        Assert.That(classifier.FixedBatchSize, Is.Null);
    }

    [Test]
    public void PredictLogits_ComputesTheGraph()
    {
        var path = TestModels.WriteLinear(_folder, [1, 2, 3, 4], [0.5f, -0.5f]);
        using var classifier = OnnxClassifier.Load(path);
        var logits = classifier.PredictLogits([1, 1, 2, 0], batchSize: 2);
        // [1,1]·[[1,2],[3,4]]ᵀ + b = [3.5, 6.5]; [2,0] → [2.5, 5.5]
        Assert.That(logits, Is.EqualTo(new[] { 3.5f, 6.5f, 2.5f, 5.5f }).Within(1e-6));
    }

    [Test]
    public void PredictLogits_WithWrongInputLength_SaysWhatItExpects()
    {
        using var classifier = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]));
        var e = Assert.Throws<ArgumentException>(() => classifier.PredictLogits([1, 2, 3], batchSize: 2));
        Assert.That(e!.Message, Does.Contain("expects [2, 1, 1, 2] = 4 values; received 3"));
    }

    [Test]
    public void PredictLogits_OnFixedBatchModel_RejectsOtherBatchSizes()
    {
        using var classifier = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0], fixedBatch: 2));
        Assert.That(classifier.FixedBatchSize, Is.EqualTo(2));
        var e = Assert.Throws<ArgumentException>(() => classifier.PredictLogits([1, 2], batchSize: 1));
        Assert.That(e!.Message, Does.Contain("fixed batch size of 2"));
    }

    [Test]
    public void Load_MissingFile_IsFileNotFound()
    {
        var e = Assert.Throws<FileNotFoundException>(() => OnnxClassifier.Load(Path.Combine(_folder, "none.onnx")));
        Assert.That(e!.Message, Does.Contain("none.onnx"));
    }

    [Test]
    public void Load_FileThatIsNotOnnx_IsInvalidData()
    {
        var path = Path.Combine(_folder, "notes.onnx");
        File.WriteAllText(path, "this is a text file, not a model");
        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(path));
        Assert.That(e!.Message, Does.Contain("notes.onnx").And.Contain("is not an ONNX model"));
    }

    [Test]
    public void Load_TruncatedModel_IsInvalidData()
    {
        var good = TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]);
        var bytes = File.ReadAllBytes(good);
        var path = Path.Combine(_folder, "truncated.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(path));
    }

    [Test]
    public void Load_ModelWithIntegerInput_IsRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(TestModels.WriteInt64Input(_folder)));
        Assert.That(e!.Message, Does.Contain("input 'x' is Int64, not a float tensor"));
    }

    [Test]
    public void Load_ModelWithoutNormalizationMetadata_ScalesToZeroOne()
    {
        using var classifier = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0], normalizationJson: null));
        Assert.That(classifier.Normalization, Is.EqualTo(Normalization.None));
    }

    [Test]
    public void Load_ModelWithMalformedNormalization_IsRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0], normalizationJson: "{\"mean\":0,\"std\":0}")));
        Assert.That(e!.Message, Does.Contain("onnxreg.normalization"));
    }
}
