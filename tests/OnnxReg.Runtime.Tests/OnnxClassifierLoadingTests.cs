using OnnxReg.Data;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Runtime.Tests;

/// <summary>What an app embedding the runtime needs beyond a file path: bytes and streams, session options, a clear
/// answer after Dispose, and async reads.</summary>
public class OnnxClassifierLoadingTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxreg-loading-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    private static float[] Logits(OnnxClassifier classifier) => classifier.PredictLogits([1, 2, 3, 4], batchSize: 2);

    [Test]
    public void Load_FromBytesAStreamOrAsync_GivesTheFilesModel()
    {
        var path = TestModels.WriteLinear(_folder, [1, 2, 3, 4], [0.5f, -0.5f]);
        var bytes = File.ReadAllBytes(path);
        using var fromFile = OnnxClassifier.Load(path);
        using var fromBytes = OnnxClassifier.Load(bytes, name: "linear");
        using var fromStream = OnnxClassifier.Load(new ForwardOnlyStream(bytes));
        using var fromAsync = OnnxClassifier.LoadAsync(new ForwardOnlyStream(bytes)).GetAwaiter().GetResult();
        float[] expected = [1 * 1 + 2 * 2 + 0.5f, 1 * 3 + 2 * 4 - 0.5f, 3 * 1 + 4 * 2 + 0.5f, 3 * 3 + 4 * 4 - 0.5f];
        Assert.That(Logits(fromFile), Is.EqualTo(expected));
        foreach (var classifier in new[] { fromBytes, fromStream, fromAsync })
        {
            Assert.That(Logits(classifier), Is.EqualTo(expected));
            Assert.That(classifier.ClassNames, Is.EqualTo(new[] { "left", "right" }));
        }
        Assert.That((fromBytes.Path, fromStream.Path), Is.EqualTo(("linear", "(stream)")));
    }

    [Test]
    public void Load_FromBytes_AppliesTheSameLimitsAsAFile()
    {
        long saved = ResourceLimits.MaxMetadataEntries;
        try
        {
            ResourceLimits.MaxMetadataEntries = 1; // the test model has two entries
            var bytes = File.ReadAllBytes(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]));
            var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(bytes, name: "upload"));
            Assert.That(e!.Message, Does.StartWith("'upload' holds more than 1 metadata entries"));
        }
        finally
        {
            ResourceLimits.MaxMetadataEntries = saved;
        }
        var garbage = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(new byte[] { 0xFF, 0xFF, 0xFF }, name: "junk"));
        Assert.That(garbage!.Message, Does.Contain("'junk'"));
    }

    [Test]
    public void Options_ReachTheSession_AndACustomStepRunsLast()
    {
        var path = TestModels.WriteLinear(_folder, [1, 2, 3, 4], [0.5f, -0.5f]);
        bool configured = false;
        using var classifier = OnnxClassifier.Load(path, new OnnxClassifierOptions
        {
            IntraOpThreads = 1, InterOpThreads = 1, GraphOptimization = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
            Configure = options => configured = options.IntraOpNumThreads == 1 && options.GraphOptimizationLevel == Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
        });
        Assert.That(configured, Is.True);
        Assert.That(Logits(classifier)[0], Is.EqualTo(5.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxClassifier.Load(path, new OnnxClassifierOptions { IntraOpThreads = -1 }));
    }

    [Test]
    public void CudaWithTheCpuPackage_SaysWhichPackageToReference()
    {
        var path = TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]);
        var e = Assert.Throws<OnnxRegException>(() => OnnxClassifier.Load(path, new OnnxClassifierOptions { ExecutionProvider = ExecutionProvider.Cuda }));
        Assert.That(e!.Message, Does.StartWith("The Cuda execution provider is not available in this ONNX Runtime").And.Contain("reference Microsoft.ML.OnnxRuntime.Gpu"));
    }

    [Test]
    public void AfterDispose_CallsSayTheClassifierWasDisposed_AndASecondDisposeIsHarmless()
    {
        var classifier = OnnxClassifier.Load(TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]));
        classifier.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => Logits(classifier));
        Assert.That(e!.Message, Does.Not.Contain("ThreadLocal").And.Contain("OnnxClassifier").And.Contain("was disposed; load the model again"));
        Assert.DoesNotThrow(classifier.Dispose);
    }

    [Test]
    public void PredictImageAsync_GivesPredictImagesAnswer()
    {
        var model = Path.Combine(RepositoryPaths.Root, "models", "mlp-plain.onnx");
        using var classifier = OnnxClassifier.Load(model);
        var test = DatasetSource.Load(DatasetSource.Embedded).Test;
        var image = Path.Combine(_folder, "boot.png");
        using (var png = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.L8>(test.Pixels.AsSpan(0, 784), 28, 28))
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(png, image);
        var expected = classifier.PredictImage(image);
        var actual = classifier.PredictImageAsync(new ForwardOnlyStream(File.ReadAllBytes(image))).GetAwaiter().GetResult();
        Assert.That((actual.ClassName, actual.Probabilities), Is.EqualTo((expected.ClassName, expected.Probabilities)));
        Assert.That(actual.ClassName, Is.EqualTo("Ankle boot"));
    }
}
