using OnnxReg.Data.Idx;
using OnnxReg.Export;
using static TorchSharp.torch;

namespace OnnxReg.Cli.Tests;

/// <summary>Every bad input is one line on stderr, a non-zero exit, and no stack trace.</summary>
public class BadInputTests : TempFolderTest
{
    private string DataFolder(int trainImages = 20, int trainLabels = 20)
    {
        var folder = Path.Combine(Folder, "data");
        var random = new Random(1);
        byte[] Bytes(int n) { var b = new byte[n]; random.NextBytes(b); return b; }
        byte[] Labels(int n) => Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray();
        IdxWriter.Write(Path.Combine(folder, "train-images-idx3-ubyte.gz"), new IdxArray([trainImages, 28, 28], Bytes(trainImages * 784)), gzip: true);
        IdxWriter.Write(Path.Combine(folder, "train-labels-idx1-ubyte.gz"), new IdxArray([trainLabels], Labels(trainLabels)), gzip: true);
        IdxWriter.Write(Path.Combine(folder, "t10k-images-idx3-ubyte"), new IdxArray([10, 28, 28], Bytes(7840)), gzip: false);
        IdxWriter.Write(Path.Combine(folder, "t10k-labels-idx1-ubyte"), new IdxArray([10], Labels(10)), gzip: false);
        return folder;
    }

    [Test]
    public void TruncatedIdxFile()
    {
        var folder = DataFolder();
        var path = Path.Combine(folder, "t10k-images-idx3-ubyte");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]);
        var line = CliRun.Of("train", "--data", folder, "--epochs", "1", "-o", Path.Combine(Folder, "m.onnx")).AssertOneLineError();
        Assert.That(line, Does.Contain("t10k-images-idx3-ubyte").And.Contain("truncated"));
    }

    [Test]
    public void CorruptGzipIdxFile()
    {
        var folder = DataFolder();
        var path = Path.Combine(folder, "train-images-idx3-ubyte.gz");
        var bytes = File.ReadAllBytes(path);
        for (int i = 20; i < bytes.Length - 8; i += 7) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var line = CliRun.Of("eval", "x.onnx", "--data", folder).AssertOneLineError();
        Assert.That(line, Does.Contain("x.onnx"), "model paths are checked before the data is read");
        line = CliRun.Of("train", "--data", folder, "-o", Path.Combine(Folder, "m.onnx")).AssertOneLineError();
        Assert.That(line, Does.Contain("train-images-idx3-ubyte.gz"));
    }

    [Test]
    public void WrongMagicNumber()
    {
        var folder = DataFolder();
        var path = Path.Combine(folder, "t10k-labels-idx1-ubyte");
        var bytes = File.ReadAllBytes(path);
        bytes[0] = 0x12;
        File.WriteAllBytes(path, bytes);
        var line = CliRun.Of("train", "--data", folder, "-o", Path.Combine(Folder, "m.onnx")).AssertOneLineError();
        Assert.That(line, Does.Contain("magic number 0x12000801"));
    }

    [Test]
    public void ImageAndLabelCountsDiffer()
    {
        var folder = DataFolder(trainImages: 20, trainLabels: 19);
        var line = CliRun.Of("train", "--data", folder, "-o", Path.Combine(Folder, "m.onnx")).AssertOneLineError();
        Assert.That(line, Does.Contain("20 images but 19 labels"));
    }

    [Test]
    public void MissingDataFolder()
    {
        var line = CliRun.Of("train", "--data", Path.Combine(Folder, "nowhere")).AssertOneLineError();
        Assert.That(line, Does.Contain("does not exist").And.Contain("--data embedded"));
    }

    [Test]
    public void OnnxPathThatDoesNotExist()
    {
        var line = CliRun.Of("eval", Path.Combine(Folder, "missing.onnx")).AssertOneLineError();
        Assert.That(line, Does.Contain("missing.onnx").And.Contain("does not exist"));
    }

    [Test]
    public void FileThatIsNotOnnx()
    {
        var path = Path.Combine(Folder, "photo.onnx");
        File.WriteAllBytes(path, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5]);
        var line = CliRun.Of("eval", path).AssertOneLineError();
        Assert.That(line, Does.Contain("photo.onnx").And.Contain("is not an ONNX model"));
    }

    [Test]
    public void ModelWhoseInputShapeDoesNotFitTheData()
    {
        var path = Path.Combine(Folder, "small.onnx");
        using (var model = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(64, 10))))
            new OnnxExporter().Export(model, [1, 8, 8], path);
        var line = CliRun.Of("eval", path).AssertOneLineError();
        Assert.That(line, Does.Contain("expects [N, 1, 8, 8]").And.Contain("[N, 1, 28, 28]"));
    }

    [TestCase("--dropout", "1", "--dropout: Dropout rate must be in [0, 1). Received: 1")]
    [TestCase("--dropout", "-0.5", "--dropout: Dropout rate must be in [0, 1). Received: -0.5")]
    [TestCase("--epochs", "0", "--epochs: Epochs must be at least 1. Received: Epochs=0")]
    [TestCase("--lr", "-1", "--lr: Learning rate must be positive and at most 1e6 (typical values are 1e-4 to 0.1). Received: LearningRate=-1")]
    [TestCase("--lr", "1e39", "--lr: Learning rate must be positive and at most 1e6")]
    [TestCase("--l1", "1e39", "--l1: l1: the strength (the factor λ) must be a number in [0, 1000000] (0: no L1 penalty); received 1e+39")]
    [TestCase("--l2", "1e39", "--l2: l2: the strength (the factor λ) must be a number in [0, 1000000]")]
    [TestCase("--validation-fraction", "1", "--validation-fraction must be in [0, 1)")]
    public void OutOfRangeOption_NamesTheOption(string option, string value, string expected)
    {
        var line = CliRun.Of("train", option, value).AssertOneLineError();
        Assert.That(line, Does.Contain(expected));
    }

    [TestCase(new[] { "train", "--model", "resnet900" }, "'resnet900'")]
    [TestCase(new[] { "train", "--epochs", "many" }, "'many'")]
    [TestCase(new[] { "frobnicate" }, "'frobnicate'")]
    [TestCase(new[] { "eval" }, "models")]
    public void MalformedCommandLine_IsAUsageError(string[] args, string expected)
    {
        var line = CliRun.Of(args).AssertOneLineError(CliApp.UsageError);
        Assert.That(line, Does.Contain(expected).And.Contain("--help"));
    }

    [TestCase("eval", "--fromat", "json", "Unrecognized option '--fromat' (did you mean '--format'?)")]
    [TestCase("compare", "--fromat", "csv", "Unrecognized option '--fromat' (did you mean '--format'?)")]
    [TestCase("predict", "--topk", "2", "Unrecognized option '--topk' (did you mean '--top'?)")]
    public void AMistypedOptionAfterTheFiles_IsAUsageErrorWithTheNearestOption_NotAMissingFile(string command, string option, string value, string expected)
    {
        var model = Path.Combine(OnnxReg.Tests.Shared.RepositoryPaths.Models, "mlp-plain.onnx");
        string[] files = command == "predict" ? [model, Path.Combine(OnnxReg.Tests.Shared.RepositoryPaths.Root, "tools", "OnnxReg.Example", "samples", "ankle-boot.png")] : [model];
        var run = CliRun.Of([command, .. files, option, value]);
        var line = run.AssertOneLineError(CliApp.UsageError);
        Assert.That(line, Does.Contain(expected));
        Assert.That(run.Output, Is.Empty, "nothing was evaluated or predicted first");
    }

    [Test]
    public void OutputThatIsAFolder_IsRejectedBeforeTraining()
    {
        var line = CliRun.Of("train", "-o", Folder).AssertOneLineError();
        Assert.That(line, Does.Contain("--output"));
    }
}
