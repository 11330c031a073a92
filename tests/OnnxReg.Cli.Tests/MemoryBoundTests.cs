using OnnxReg.Onnx;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Cli.Tests;

/// <summary>
/// The inputs that used to take the process to gigabytes, run in a child process whose resident memory is watched
/// and capped: each must end with one line and exit 1 (or succeed) well under the bound.
/// </summary>
public class MemoryBoundTests : TempFolderTest
{
    private const long Bound = 1L << 30;
    private static readonly string Mlp = Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx");

    private static void AssertRefused((CliRun Run, long PeakBytes) result, string expected)
    {
        var line = result.Run.AssertOneLineError();
        Assert.That(line, Does.Contain(expected));
        TestContext.Out.WriteLine($"peak {result.PeakBytes / (1 << 20)} MiB: {line}");
    }

    [Test]
    public void HugeHiddenLayer_FailsWithinTheBound() =>
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "train", "--hidden", "3000000", "--train-size", "200", "-o", "m.onnx"), "parameters; at most 50,000,000");

    [Test]
    public void CheckpointWithAHostileDtype_FailsWithinTheBound()
    {
        var train = ChildCli.Run(Folder, "train", "--model", "mlp", "--hidden", "16", "--train-size", "200", "--epochs", "1", "-o", "m.onnx");
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        CheckpointBytes.ResealWithFirstDtype(Path.Combine(Folder, "m.ckpt"), -1);
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "export", "m.ckpt", "-o", "again.onnx"), "has dtype code -1");
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "train", "--model", "mlp", "--hidden", "16", "--train-size", "200", "--epochs", "1", "-o", "m.onnx", "--resume"), "has dtype code -1");
    }

    [Test]
    public void ModelDeclaringAHugeInput_FailsWithinTheBound()
    {
        HostileModels.WriteHugeInput(Path.Combine(Folder, "huge.onnx"));
        File.WriteAllBytes(Path.Combine(Folder, "x.gif"), ImageBombs.AnimatedGif(28, 28, 1));
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "predict", "huge.onnx", "x.gif"), "more than 16,777,216 values per sample");
    }

    [Test]
    public void ModelWithAHugeFixedBatch_FailsWithinTheBound_InPredictEvalAndCompare()
    {
        HostileModels.WriteHugeFixedBatch(Path.Combine(Folder, "batch.onnx"), 2_000_000);
        File.WriteAllBytes(Path.Combine(Folder, "x.gif"), ImageBombs.AnimatedGif(28, 28, 1));
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "predict", "batch.onnx", "x.gif"), "has a fixed batch of 2,000,000");
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "eval", "batch.onnx"), "has a fixed batch of 2,000,000");
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "compare", Mlp, "batch.onnx"), "has a fixed batch of 2,000,000");
    }

    [Test]
    public void ACheckpointWithA90MegabyteHeader_IsRefusedWithinTheBound()
    {
        var train = ChildCli.Run(Folder, "train", "--model", "mlp", "--hidden", "16", "--train-size", "200", "--epochs", "1", "-o", "m.onnx");
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        CheckpointBytes.ResealWithHeaderPadding(Path.Combine(Folder, "m.ckpt"), 90 << 20);
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound / 2, "export", "m.ckpt", "-o", "again.onnx"), "header declares 94,");
    }

    [Test]
    public void AModelWhoseGraphBuildsAHugeTensorAtRunTime_FailsWithinTheBound()
    {
        // 31 KB-class models can ask ONNX Runtime for gigabytes while running (here 40000 × 40000 floats, 6.4 GB).
        HostileModels.WriteRuntimeBomb(Path.Combine(Folder, "bomb.onnx"), 40_000);
        File.WriteAllBytes(Path.Combine(Folder, "x.gif"), ImageBombs.AnimatedGif(28, 28, 1));
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "predict", "bomb.onnx", "x.gif"), "ONNXREG_MAX_INFERENCE_MEMORY");
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "eval", "bomb.onnx"), "ONNXREG_MAX_INFERENCE_MEMORY");
    }

    [Test]
    public void DatasetShapes_HoldsOneChunkNotTheDataset()
    {
        // 1,010 RGB images of 256 × 256 are 199 MB of pixels; written a chunk (about 16 MiB) at a time.
        var (run, peak) = ChildCli.RunWithinMemory(Folder, 300L << 20, "dataset", "shapes", "--size", "256", "--train", "1000", "--val", "0", "--test", "10", "-o", "shapes");
        Assert.That(run.ExitCode, Is.EqualTo(CliApp.Success), run.Error);
        Assert.That(Directory.GetFiles(Path.Combine(Folder, "shapes", "train"), "*.png", SearchOption.AllDirectories), Has.Length.EqualTo(1000));
        TestContext.Out.WriteLine($"peak {peak >> 20} MiB");
    }

    [Test]
    public void EvalAtTheLargestBatchSize_StaysWithinTheBound_ForTheCnn()
    {
        var cnn = Path.Combine(RepositoryPaths.Models, "cnn-regularized.onnx");
        var (run, peak) = ChildCli.RunWithinMemory(Folder, Bound, "eval", cnn, "--batch-size", "1024");
        Assert.That(run.ExitCode, Is.EqualTo(CliApp.Success), run.Error);
        Assert.That(peak, Is.LessThan(Bound));
    }

    [Test]
    public void BombCorpus_IsDecodedOrRefused_WithinTheBound()
    {
        var bombs = Path.Combine(Folder, "bombs");
        Directory.CreateDirectory(bombs);
        File.WriteAllBytes(Path.Combine(bombs, "a-canvas.gif"), ImageBombs.AnimatedGif(8192, 8192, 200));
        File.WriteAllBytes(Path.Combine(bombs, "b-huge.png"), ImageBombs.PngClaiming(100_000, 100_000));
        var result = ChildCli.RunWithinMemory(Folder, Bound, "predict", Mlp, "bombs");
        Assert.That(result.Run.Output, Does.Contain("a-canvas.gif: "), "the GIF's first frame is classified");
        AssertRefused(result, "claims to be 100000 × 100000 pixels");
    }

    [Test]
    public void AGzipIdxBombWithinEveryLimit_IsReadOnlyAsFarAsTrainSizeNeeds()
    {
        // 400 MB of zeros declared as 510,000 images (inside the 1 GiB IDX limit and deflate's ratio), compressed to
        // about 400 KB: --train-size 300 must decompress 300 images, not the whole declaration.
        var data = Path.Combine(Folder, "data");
        Directory.CreateDirectory(data);
        // The header, varied bytes for the first 400 items (pixels or labels 0/1), then zeros up to the declared size.
        static void WriteGzip(string path, byte[] header, long bytes, int itemBytes)
        {
            using var file = File.Create(path);
            using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.SmallestSize);
            gzip.Write(header);
            var varied = Enumerable.Range(0, 400 * itemBytes).Select(i => (byte)(itemBytes == 1 ? i % 2 : i * 7 % 251)).ToArray();
            gzip.Write(varied);
            var block = new byte[1 << 20];
            for (long left = bytes - varied.Length; left > 0; left -= block.Length) gzip.Write(block, 0, (int)Math.Min(block.Length, left));
        }
        const int images = 510_000;
        byte[] Count(int n) => [(byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n];
        WriteGzip(Path.Combine(data, "train-images-idx3-ubyte.gz"), [0, 0, 8, 3, .. Count(images), 0, 0, 0, 28, 0, 0, 0, 28], (long)images * 784, 784);
        WriteGzip(Path.Combine(data, "train-labels-idx1-ubyte.gz"), [0, 0, 8, 1, .. Count(images)], images, 1);
        File.WriteAllBytes(Path.Combine(data, "t10k-images-idx3-ubyte"), [0, 0, 8, 3, .. Count(20), 0, 0, 0, 28, 0, 0, 0, 28, .. Enumerable.Range(0, 20 * 784).Select(i => (byte)(i % 13))]);
        File.WriteAllBytes(Path.Combine(data, "t10k-labels-idx1-ubyte"), [0, 0, 8, 1, .. Count(20), .. Enumerable.Range(0, 20).Select(i => (byte)(i % 2))]);
        Assert.That(new FileInfo(Path.Combine(data, "train-images-idx3-ubyte.gz")).Length, Is.LessThan(2 << 20));
        var (run, peak) = ChildCli.RunWithinMemory(Folder, 700L << 20, "train", "--data", "data", "--train-size", "300", "--epochs", "1", "--hidden", "8", "-o", "m.onnx");
        Assert.That(run.ExitCode, Is.EqualTo(CliApp.Success), run.Error);
        Assert.That(run.Output, Does.Contain("(300 train / 20 test)"));
        TestContext.Out.WriteLine($"peak {peak >> 20} MiB");
        var (study, _) = ChildCli.RunWithinMemory(Folder, 700L << 20, "study", "--data", "data", "--models", "mlp", "--techniques", "baseline", "--seeds", "1",
            "--epochs", "1", "--train-size", "300", "--validation-size", "100", "--test-size", "20", "--plain", "-o", "study");
        Assert.That(study.ExitCode, Is.EqualTo(CliApp.Success), study.Error);
    }

    [Test]
    public void GzipIdxDeclaringHugeImages_FailsWithinTheBound()
    {
        var data = Path.Combine(Folder, "data");
        Directory.CreateDirectory(data);
        using (var file = File.Create(Path.Combine(data, "t10k-images-idx3-ubyte.gz")))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.SmallestSize))
        {
            gzip.Write([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0x9C, 0x40, 0, 0, 0x9C, 0x40]); // [1, 40000, 40000]
            for (int i = 0; i < 64; i++) gzip.Write(new byte[1 << 20]);
        }
        File.WriteAllBytes(Path.Combine(data, "t10k-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 1, 0]);
        AssertRefused(ChildCli.RunWithinMemory(Folder, Bound, "eval", Mlp, "--data", "data"), "declares images of 40000 × 40000 pixels");
    }
}
