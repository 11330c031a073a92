using OnnxReg.Data;

namespace OnnxReg.Cli.Tests;

/// <summary>
/// An image folder larger than the in-memory limit is streamed from disk a batch at a time — decoded from its files,
/// or read from a decoded cache (<c>--cache</c>) — and trains to the very weights the in-memory path gives.
/// </summary>
public class StreamedFolderTests : TempFolderTest
{
    // 600 train / 100 val / 200 test colour images of 32 × 32: 1.8 MB decoded, so a 64 KiB limit streams every split.
    private static readonly Dictionary<string, string> Streamed = new() { [ResourceLimits.MaxInMemoryImagesVariable] = "64K" };

    private string Shapes()
    {
        var data = Path.Combine(Folder, "shapes");
        var made = ChildCli.Run(Folder, "dataset", "shapes", "-o", data, "--size", "32", "--train", "600", "--val", "100", "--test", "200");
        Assert.That(made.ExitCode, Is.EqualTo(0), made.Error);
        return data;
    }

    // Seeded, with augmentation drawn per batch and a validation split watched by early stopping, so the batch order,
    // the augmentation and the validation pass all have to line up for the weights to agree.
    private CliRun Train(string data, string name, IReadOnlyDictionary<string, string>? environment, params string[] extra) =>
        ChildCli.Run(Folder, environment, ["train", "--data", data, "--model", "cnn", "--channels", "8,16", "--epochs", "2", "--batch-size", "64",
            "--augment", "hflip,translate=0.1", "--patience", "5", "--seed", "3", "-o", Path.Combine(Folder, name, "m.onnx"), .. extra]);

    private string Weights(string name) => OnnxFile.WeightsSha256(Path.Combine(Folder, name, "m.onnx"));

    private string Losses(string name) =>
        string.Join(",", System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(Folder, name, "m.history.json")), "\"(val_)?loss\": [-0-9.eE]+").Select(m => m.Value));

    [Test]
    [Category("Slow")]
    public void AFolderOverTheMemoryLimit_IsStreamed_AndTrainsToTheSameWeightsAsInMemory()
    {
        var data = Shapes();
        var inMemory = Train(data, "memory", null);
        Assert.That(inMemory.ExitCode, Is.EqualTo(0), inMemory.Error);
        Assert.That(inMemory.Output, Does.Not.Contain("streamed"));

        var streamed = Train(data, "streamed", Streamed);
        Assert.That(streamed.ExitCode, Is.EqualTo(0), streamed.Error);
        Assert.That(streamed.Output, Does.Contain("streamed from disk a batch at a time (over the 64.0 KiB a split may hold in memory, ONNXREG_MAX_IN_MEMORY_IMAGES): train 600 images, 1.76 MiB decoded, val 100 images, 300 KiB decoded, test 200 images, 600 KiB decoded"));
        Assert.That(Weights("streamed"), Is.EqualTo(Weights("memory")));
        Assert.That(Losses("streamed"), Is.EqualTo(Losses("memory")).And.Contain("val_loss"));
    }

    [Test]
    [Category("Slow")]
    public void TheDecodedCache_IsBuiltOnce_ReadStreamedOrWhole_AndRebuiltWhenTheFolderChanges()
    {
        var data = Shapes();
        var cache = Path.Combine(Folder, "cache");
        var reference = Train(data, "memory", null);
        Assert.That(reference.ExitCode, Is.EqualTo(0), reference.Error);

        var first = Train(data, "cached", Streamed, "--cache", cache);
        Assert.That(first.ExitCode, Is.EqualTo(0), first.Error);
        var files = Directory.GetFiles(cache).Select(Path.GetFileName).Order().ToList();
        Assert.That(files, Has.Count.EqualTo(3).And.All.Match("^(train|val|test)-[0-9a-f]{16}\\.images$"));
        var train = Directory.GetFiles(cache, "train-*").Single();
        Assert.That(new FileInfo(train).Length, Is.EqualTo(64 + 600 * 3 * 32 * 32), "a 64-byte header, then the decoded bytes");
        var written = File.GetLastWriteTimeUtc(train);

        var whole = Train(data, "whole", null, "--cache", cache); // fits in memory: the cache is read whole
        Assert.That(whole.ExitCode, Is.EqualTo(0), whole.Error);
        Assert.That(File.GetLastWriteTimeUtc(train), Is.EqualTo(written), "a matching cache is reused, not rewritten");
        Assert.That(Weights("cached"), Is.EqualTo(Weights("memory")));
        Assert.That(Weights("whole"), Is.EqualTo(Weights("memory")));

        // A replaced training image changes the fingerprint: a new train cache, the old one left as it was.
        var image = Directory.GetFiles(Path.Combine(data, "train"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.Copy(Directory.GetFiles(Path.Combine(data, "test"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First(), image, overwrite: true);
        var changed = Train(data, "changed", Streamed, "--cache", cache);
        Assert.That(changed.ExitCode, Is.EqualTo(0), changed.Error);
        Assert.That(Directory.GetFiles(cache, "train-*"), Has.Length.EqualTo(2));
        Assert.That(Weights("changed"), Is.Not.EqualTo(Weights("memory")));
    }

    [Test]
    public void ADamagedCacheFile_IsRebuilt_AndACacheThatIsNotAFolder_IsRefused()
    {
        var data = Path.Combine(Folder, "shapes");
        Assert.That(ChildCli.Run(Folder, "dataset", "shapes", "-o", data, "--size", "16", "--train", "40", "--val", "0", "--test", "20").ExitCode, Is.EqualTo(0));
        var cache = Path.Combine(Folder, "cache");
        string[] train = ["train", "--data", data, "--model", "mlp", "--hidden", "8", "--epochs", "1", "--cache", cache, "-o", Path.Combine(Folder, "m.onnx")];
        Assert.That(ChildCli.Run(Folder, train).ExitCode, Is.EqualTo(0));
        var file = Directory.GetFiles(cache, "train-*").Single();
        long length = new FileInfo(file).Length;
        File.WriteAllBytes(file, new byte[length]); // right size, wrong header
        var again = ChildCli.Run(Folder, train);
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Error);
        Assert.That(File.ReadAllBytes(file).AsSpan(0, 8).ToArray(), Is.EqualTo("ONNXREGI"u8.ToArray()), "rebuilt");

        File.WriteAllText(Path.Combine(Folder, "plain"), "x");
        var line = ChildCli.Run(Folder, [.. train[..^4], "--cache", Path.Combine(Folder, "plain"), "-o", Path.Combine(Folder, "m.onnx")]).AssertOneLineError();
        Assert.That(line, Does.Contain("--cache").And.Contain("is a regular file, not a folder"));
    }
}
