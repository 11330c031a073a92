using System.Diagnostics;
using OnnxReg.Onnx;
using OnnxReg.Onnx.Proto;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Cli.Tests;

/// <summary>The hostile inputs of the hardening issue, as a user meets them on the command line: one line, exit 1, nothing lost.</summary>
public class HardeningTests : TempFolderTest
{
    private static readonly string Mlp = Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx");

    private static string[] QuickTrain(string output, params string[] extra) =>
        ["train", "--model", "mlp", "--hidden", "16", "--train-size", "200", "--epochs", "1", "-o", output, .. extra];

    private static void Mknod(string path, params string[] args)
    {
        using var process = Process.Start("mknod", [path, .. args])!;
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), "mknod (tests run as root)");
    }

    private static void Mkfifo(string path)
    {
        using var process = Process.Start("mkfifo", [path])!;
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0));
    }

    [TestCase("device")]
    [TestCase("fifo")]
    [TestCase("link-to-device")]
    public void Train_OntoADeviceAFifoOrALinkToADevice_IsRefusedAndTheTargetIsUntouched(string name)
    {
        var device = Path.Combine(Folder, "device");
        Mknod(device, "c", "1", "3"); // /dev/null's numbers, inside the test folder
        Mkfifo(Path.Combine(Folder, "fifo"));
        File.CreateSymbolicLink(Path.Combine(Folder, "link-to-device"), device);
        var target = Path.Combine(Folder, name);
        var line = CliRun.Of(QuickTrain(target)).AssertOneLineError();
        Assert.That(line, Does.Contain("--output").And.Contain("only regular files are replaced"));
        Assert.That(Data.IO.FileKinds.Of(device), Is.EqualTo(Data.IO.FileKind.CharacterDevice));
        Assert.That(Data.IO.FileKinds.Of(Path.Combine(Folder, "fifo")), Is.EqualTo(Data.IO.FileKind.NamedPipe));
        Assert.That(Data.IO.FileKinds.Of(Path.Combine(Folder, "link-to-device"), followLinks: false), Is.EqualTo(Data.IO.FileKind.SymbolicLink));
    }

    [Test]
    public void Train_CheckpointOntoADevice_IsRefusedBeforeTraining()
    {
        var device = Path.Combine(Folder, "full");
        Mknod(device, "c", "1", "7"); // /dev/full's numbers
        var run = CliRun.Of(QuickTrain(Path.Combine(Folder, "m.onnx"), "--checkpoint", device));
        var line = run.AssertOneLineError();
        Assert.That(line, Does.Contain("--checkpoint").And.Contain("character device"));
        Assert.That(run.Output, Does.Not.Contain("epoch"), "refused before training");
    }

    [Test]
    public void WriteConfig_OntoAFifo_IsRefused()
    {
        var fifo = Path.Combine(Folder, "run.json");
        Mkfifo(fifo);
        var line = CliRun.Of("train", "--write-config", fifo).AssertOneLineError();
        Assert.That(line, Does.Contain("--write-config").And.Contain("named pipe"));
        Assert.That(Data.IO.FileKinds.Of(fifo), Is.EqualTo(Data.IO.FileKind.NamedPipe));
    }

    [Test]
    public void Train_IntoAFolderWhoseParentIsAFile_FailsBeforeTheFirstEpoch()
    {
        File.WriteAllText(Path.Combine(Folder, "notafolder"), "x");
        var run = CliRun.Of(QuickTrain(Path.Combine(Folder, "notafolder", "m.onnx")));
        var line = run.AssertOneLineError();
        Assert.That(line, Does.Contain("notafolder' is a regular file, not a folder"));
        Assert.That(run.Output, Does.Not.Contain("epoch"));
    }

    [Test]
    public void Config_FromDevZero_IsRefusedAtOnce()
    {
        var clock = Stopwatch.StartNew();
        var line = CliRun.Of("train", "--config", "/dev/zero", "-o", Path.Combine(Folder, "m.onnx")).AssertOneLineError();
        Assert.That(line, Does.Contain("'/dev/zero' is a character device, not a regular file"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void Eval_WithAnAbsurdBatchSize_SaysTheAllowedRange()
    {
        var line = CliRun.Of("eval", Mlp, "--batch-size", "3000000").AssertOneLineError();
        Assert.That(line, Is.EqualTo("onnxreg: error: --batch-size must be between 1 and 1,024; received 3000000"));
    }

    [Test]
    public void Predict_OnARelativeFolder_ClassifiesEachImageOnce_EvenThroughALinkToItself()
    {
        var images = Path.Combine(Folder, "pf2");
        Directory.CreateDirectory(images);
        var png = Path.Combine(images, "0.png");
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8>(28, 28))
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, png);
        Directory.CreateSymbolicLink(Path.Combine(images, "again"), ".");
        var run = ChildCli.Run(Folder, "predict", Mlp, "pf2");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1));
        Assert.That(lines[0], Does.StartWith(png + ": "));
    }

    [Test]
    public void Predict_EscapesClassNamesFromTheModelFile()
    {
        var model = OnnxModelSerializer.Read(Mlp);
        var names = Enumerable.Range(0, 10).Select(i => $"class{i}\n/fake.png: \u001b[31mBag 1.000").ToArray();
        model.MetadataProps.Single(p => p.Key == Data.ModelMetadataKeys.ClassNames).Value = System.Text.Json.JsonSerializer.Serialize(names);
        var path = Path.Combine(Folder, "evil.onnx");
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(model));
        var png = Path.Combine(Folder, "x.png");
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8>(28, 28))
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, png);
        var run = CliRun.Of("predict", path, png, "--top", "1");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "a newline in a class name does not fake a second result line");
        Assert.That(run.Output.Contains('\u001b'), Is.False, "no escape character reaches the terminal"); // ordinal: NUnit's culture-aware Contain ignores control characters
        Assert.That(run.Output, Does.Contain("\\n/fake.png: \\x1b[31mBag"));
    }

    [Test]
    public void Inspect_OfAModelWithOversizedMetadata_IsRefusedQuickly()
    {
        var model = OnnxModelSerializer.Read(Mlp);
        model.MetadataProps.Add(new StringStringEntryProto { Key = "blob", Value = new string('x', (16 << 20) + 10) });
        var path = Path.Combine(Folder, "fat.onnx");
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(model));
        var clock = Stopwatch.StartNew();
        var line = CliRun.Of("inspect", path).AssertOneLineError();
        Assert.That(line, Does.Contain("bytes of metadata").And.Contain("ONNXREG_MAX_METADATA_BYTES"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void Predict_WithAHundredThousandMetadataKeys_IsRefusedQuickly()
    {
        var model = OnnxModelSerializer.Read(Mlp);
        for (int i = 0; i < 100_000; i++) model.MetadataProps.Add(new StringStringEntryProto { Key = $"k{i}", Value = "v" });
        var path = Path.Combine(Folder, "many.onnx");
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(model));
        var clock = Stopwatch.StartNew();
        var line = CliRun.Of("predict", path, Mlp).AssertOneLineError();
        Assert.That(line, Does.Contain("more than 1,024 metadata entries"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [TestCase("--hidden", "3000000", "parameters; at most 50,000,000")]
    [TestCase("--channels", "100000", "parameters; at most 50,000,000")]
    public void Train_WithAnArchitectureOverTheBudget_FailsBeforeBuildingIt(string option, string value, string expected)
    {
        var clock = Stopwatch.StartNew();
        string[] args = option == "--channels"
            ? ["train", "--model", "cnn", option, value, "--train-size", "200", "--epochs", "1", "-o", Path.Combine(Folder, "m.onnx")]
            : ["train", option, value, "--train-size", "200", "--epochs", "1", "-o", Path.Combine(Folder, "m.onnx")];
        var line = CliRun.Of(args).AssertOneLineError();
        Assert.That(line, Does.Contain(expected).And.Contain("ONNXREG_MAX_PARAMETERS"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void CheckpointOverTwoGigabytes_IsRefusedInOneLine_NotAsAnInternalError()
    {
        var path = Path.Combine(Folder, "big.ckpt");
        using (var file = File.Create(path))
        {
            file.Write("ONNXREG-CHECKPOINT"u8);
            file.SetLength(2_200_000_000); // sparse: no disk is used
        }
        var line = CliRun.Of("export", path).AssertOneLineError();
        Assert.That(line, Does.Contain("is 2,200,000,000 bytes; checkpoints over").And.Not.Contain("internal error"));
    }

    [Test]
    public void Predict_WithAnUnusedInitializer_PrintsNoOnnxRuntimeWarning()
    {
        var model = OnnxModelSerializer.Read(Mlp);
        var unused = new TensorProto { Name = "unused_weight", DataType = (int)TensorProto.Types.DataType.Float, RawData = Google.Protobuf.ByteString.CopyFrom(new byte[8]) };
        unused.Dims.Add(2);
        model.Graph.Initializer.Add(unused);
        var path = Path.Combine(Folder, "unused.onnx");
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(model));
        var png = Path.Combine(Folder, "x.png");
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8>(28, 28))
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, png);
        var run = ChildCli.Run(Folder, "predict", path, png); // a child: ONNX Runtime's logger writes to the real stderr
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Error, Is.Empty, "ONNX Runtime used to print '[W:onnxruntime:…] Removing initializer' here");
        Assert.That(run.Output, Does.StartWith(png + ": "));
    }
}
