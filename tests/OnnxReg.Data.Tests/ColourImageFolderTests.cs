using OnnxReg.Data.Synthetic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Data.Tests;

/// <summary>Image folders of colour photos at any size: inference, options, the val/ split, decoding on many cores,
/// writing folders back, and the generated colour-shapes set.</summary>
public class ColourImageFolderTests
{
    private TempFolder _root = null!;

    [SetUp]
    public void CreateRoot() => _root = new TempFolder();

    [TearDown]
    public void DeleteRoot() => _root.Dispose();

    private void Rgb(string relativePath, Rgb24 colour, int width = 40, int height = 30)
    {
        var path = _root.File(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height, colour);
        image.SaveAsPng(path);
    }

    private void ColourFolder()
    {
        Rgb("train/red/1.png", new Rgb24(200, 10, 10));
        Rgb("train/red/2.png", new Rgb24(180, 20, 20), width: 80, height: 30);
        Rgb("train/blue/1.png", new Rgb24(10, 10, 200));
        Rgb("val/red/1.png", new Rgb24(190, 0, 0));
        Rgb("val/blue/1.png", new Rgb24(0, 0, 190));
        Rgb("test/red/1.png", new Rgb24(210, 5, 5));
        Rgb("test/blue/1.png", new Rgb24(5, 5, 210), width: 10, height: 10);
    }

    [Test]
    public void SizeAndColourAreInferredFromTheFirstTrainingImages_AndStated()
    {
        ColourFolder();
        var pair = DatasetSource.Load(_root.Path);
        Assert.That((pair.Train.Channels, pair.Train.Height, pair.Train.Width), Is.EqualTo((3, 30, 40)), "the first image is train/blue/1.png, 40 × 30");
        Assert.That(pair.Train.Preparation, Is.EqualTo(new ImagePreparation(ColorMode.Rgb, 30, 40)));
        Assert.That(pair.Description, Does.Contain("3 train / 2 val / 2 test, 2 classes, 40x30 rgb, stretch; inferred: size (the most common among 3 training images), colour (from the first image of each class)"));
        // Planar RGB: the first image (blue, label 0) has red 10 and blue 200 everywhere.
        Assert.That(pair.Train.Pixels[0], Is.EqualTo(10));
        Assert.That(pair.Train.Pixels[2 * 30 * 40], Is.EqualTo(200));
        Assert.That(pair.Validation!.Labels, Is.EqualTo(new byte[] { 0, 1 }));
        Assert.That(pair.Test.Preparation, Is.EqualTo(pair.Train.Preparation), "every split is decoded alike");
    }

    [Test]
    public void GivenOptions_AreUsed_GrayAndCropIncluded()
    {
        ColourFolder();
        var pair = ImageFolder.Load(_root.Path, new ImageFolderOptions { Size = (16, 24), Color = ColorMode.Gray, Resize = ResizePolicy.Crop });
        Assert.That((pair.Train.Channels, pair.Train.Height, pair.Train.Width), Is.EqualTo((1, 16, 24)));
        Assert.That(pair.Description, Does.Contain("24x16 gray, crop)"));
        Assert.That(pair.Description, Does.Not.Contain("inferred"));
    }

    [Test]
    public void GrayPhotosSavedAsRgb_AreInferredGray()
    {
        Rgb("train/a/1.png", new Rgb24(90, 90, 90));
        Rgb("train/b/1.png", new Rgb24(30, 30, 30));
        Rgb("test/a/1.png", new Rgb24(80, 80, 80));
        Assert.That(ImageFolder.Load(_root.Path).Train.Channels, Is.EqualTo(1));
    }

    [Test]
    public void DecodingOnOneThreadOrMany_GivesTheSameBytes()
    {
        var shapes = ColorShapes.Generate(60, 16, seed: 4);
        var folder = _root.File("shapes");
        ImageFolderWriter.Write(folder, [("train", shapes), ("test", shapes.Take(20))]);
        var one = ImageFolder.Load(folder, new ImageFolderOptions { Threads = 1 });
        var many = ImageFolder.Load(folder, new ImageFolderOptions { Threads = 8 });
        Assert.That(many.Train.Pixels, Is.EqualTo(one.Train.Pixels));
        Assert.That(many.Train.Labels, Is.EqualTo(one.Train.Labels));
    }

    [Test]
    public void ADatasetWrittenAChunkAtATime_IsTheSameFilesAsOneWrittenWhole()
    {
        var whole = ColorShapes.Generate(60, 16, seed: 9);
        ImageFolderWriter.Write(_root.File("whole"), [("train", whole)]);
        ImageFolderWriter.Write(_root.File("chunked"), ColorShapes.ClassNames,
            [("train", 60, (start, count) => ColorShapes.Generate(start, count, 16, 9, CancellationToken.None))], chunkImages: 7);
        var files = Directory.GetFiles(_root.File("whole"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root.File("whole"), f)).Order().ToList();
        Assert.That(Directory.GetFiles(_root.File("chunked"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root.File("chunked"), f)).Order(), Is.EqualTo(files));
        foreach (var file in files)
            Assert.That(File.ReadAllBytes(Path.Combine(_root.File("chunked"), file)), Is.EqualTo(File.ReadAllBytes(Path.Combine(_root.File("whole"), file))), file);
    }

    [Test]
    public void AWriteCancelledMidway_RemovesItsPartialFolder_AndALaterWriteClearsAKilledWritersOne()
    {
        var shapes = ColorShapes.Generate(60, 16, seed: 4);
        var folder = _root.File("shapes");
        // Cancelled after the staging folder and classes.txt exist, before the first image (Ctrl+C at any point ends the same way).
        Assert.That(() => ImageFolderWriter.Write(folder, [("train", shapes)], (_, _, _) => { }, new CancellationToken(canceled: true)),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(Directory.GetFileSystemEntries(_root.Path), Is.Empty, "no dataset and no .partial folder");

        // A writer killed with SIGKILL (process 2^22 + 1 does not exist) left its staging folder behind.
        var abandoned = _root.File($".shapes.{(1 << 22) + 1}.partial");
        Directory.CreateDirectory(Path.Combine(abandoned, "train"));
        ImageFolderWriter.Write(folder, [("train", shapes)]);
        Assert.That(Directory.Exists(abandoned), Is.False);
        Assert.That(Directory.GetFiles(Path.Combine(folder, "train"), "*.png", SearchOption.AllDirectories), Has.Length.EqualTo(60));
    }

    [Test]
    public void OfSeveralBrokenImages_TheFirstInFolderOrderIsReported()
    {
        ColourFolder();
        File.WriteAllText(_root.File("train/red/0-broken.png"), "not a png");
        File.WriteAllText(_root.File("train/red/9-broken.png"), "not a png either");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root.Path, new ImageFolderOptions { Size = (8, 8), Color = ColorMode.Rgb }));
        Assert.That(e!.Message, Does.Contain("0-broken.png"));
    }

    [Test]
    public void ASplitTooLargeForOneArray_IsStreamed_WithoutDecodingAnythingUpFront()
    {
        // 44 images of 4096 × 4096 RGB would be 2.2 GB, over .NET's largest array (and the 1 GiB in-memory default).
        for (int i = 0; i < 44; i++) Rgb($"train/{(i % 2 == 0 ? "a" : "b")}/{i}.png", new Rgb24(1, 2, 3), 2, 2);
        Rgb("test/a/1.png", new Rgb24(1, 2, 3), 2, 2);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pair = ImageFolder.Load(_root.Path, new ImageFolderOptions { Size = (4096, 4096), Color = ColorMode.Rgb });
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "no image is decoded (upscaled) when loading");
        Assert.That(pair.Train.IsStreamed, Is.True);
        Assert.That(pair.Train.ByteCount, Is.EqualTo(2_214_592_512L));
        Assert.That(pair.Test.IsStreamed, Is.False, "48 MiB fits");
        Assert.That(pair.Description, Does.Contain("streamed from disk a batch at a time (over the 1.00 GiB a split may hold in memory, ONNXREG_MAX_IN_MEMORY_IMAGES): train 44 images, 2.06 GiB decoded"));
    }

    [Test]
    public void AStreamedSplit_ReadsTheBytesTheInMemorySplitHolds_AndItsFirstPassIsReported()
    {
        ColourFolder();
        var reports = new System.Collections.Concurrent.ConcurrentBag<string>();
        var options = new ImageFolderOptions { Size = (8, 8), Color = ColorMode.Rgb };
        var memory = ImageFolder.Load(_root.Path, options);
        var streamed = ImageFolder.Load(_root.Path, options with { InMemoryLimitBytes = 1, Progress = (split, done, total) => reports.Add($"{split} {done}/{total}") });
        Assert.That(streamed.Train.IsStreamed && streamed.Test.IsStreamed && !memory.Train.IsStreamed);
        var bytes = new byte[memory.Train.ByteCount];
        streamed.Train.ReadImages(0, streamed.Train.Count, bytes);
        Assert.That(bytes, Is.EqualTo(memory.Train.Pixels));
        Assert.That(streamed.Train.Labels, Is.EqualTo(memory.Train.Labels));
        Assert.That(reports, Does.Contain($"train (first pass) {memory.Train.Count}/{memory.Train.Count}"));
    }

    [Test]
    public void IdxData_RefuseColourOtherSizesAndResizing_InOneLine()
    {
        Assert.That(Assert.Throws<InvalidDataException>(() => DatasetSource.Load(DatasetSource.Embedded, new ImageFolderOptions { Color = ColorMode.Rgb }))!.Message,
            Does.Contain("holds grayscale IDX images; --color rgb needs an image folder"));
        Assert.That(Assert.Throws<InvalidDataException>(() => DatasetSource.LoadTest(DatasetSource.Embedded, new ImageFolderOptions { Size = (64, 64) }))!.Message,
            Does.Contain("holds 28x28 IDX images; --image-size 64x64 needs an image folder"));
        Assert.That(Assert.Throws<InvalidDataException>(() => DatasetSource.Load(DatasetSource.Embedded, new ImageFolderOptions { Resize = ResizePolicy.Pad }))!.Message,
            Does.Contain("--resize applies to image folders only"));
        Assert.That(DatasetSource.Load(DatasetSource.Embedded, new ImageFolderOptions { Color = ColorMode.Gray, Size = (28, 28) }).Train.Count, Is.EqualTo(6000));
    }

    [Test]
    public void WrittenFolders_ReadBackAsTheSameImages_InTheSourcesClassOrder()
    {
        var embedded = DatasetSource.Load(DatasetSource.Embedded);
        var train = embedded.Train.Take(300);
        var folder = _root.File("fashion");
        var folders = ImageFolderWriter.Write(folder, [("train", train), ("test", embedded.Test.Take(100))]);
        Assert.That(folders[0], Is.EqualTo("T-shirt-top"), "'/' cannot be in a folder name");
        Assert.That(File.ReadAllLines(Path.Combine(folder, "classes.txt")), Is.EqualTo(folders));
        var read = ImageFolder.Load(folder);
        Assert.That(read.Train.Preparation, Is.EqualTo(new ImagePreparation(ColorMode.Gray, 28, 28)));
        // The same images, read with the classes interleaved: the k-th image of each class in the source's order.
        var interleaved = Enumerable.Range(0, train.Count)
            .Select(i => (Index: i, Rank: Enumerable.Range(0, i).Count(j => train.Labels[j] == train.Labels[i]), Label: train.Labels[i]))
            .OrderBy(x => x.Rank).ThenBy(x => x.Label).Select(x => x.Index).ToArray();
        Assert.That(read.Train.Pixels, Is.EqualTo(train.Subset(interleaved).Pixels));
        Assert.That(read.Train.Labels, Is.EqualTo(train.Subset(interleaved).Labels));
        Assert.That(read.Train.Take(10).Labels, Is.EquivalentTo(Enumerable.Range(0, 10).Select(c => (byte)c)), "the first ten images are one of each class");
    }

    [Test]
    public void Writing_NeverTouchesAnExistingFolder_AndLeavesNothingHalfWritten()
    {
        var folder = _root.File("exists");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "mine");
        var e = Assert.Throws<IOException>(() => ImageFolderWriter.Write(folder, [("train", ColorShapes.Generate(20, 16, 1))]));
        Assert.That(e!.Message, Does.Contain("already exists"));
        Assert.That(Directory.GetFileSystemEntries(folder), Has.Length.EqualTo(1));
        Assert.That(Directory.GetDirectories(_root.Path).Where(d => Path.GetFileName(d).StartsWith('.')), Is.Empty, "no staging folder left behind");
    }

    [Test]
    public void ColourShapes_AreReproducibleFromTheSeed_BalancedAndColourful()
    {
        var a = ColorShapes.Generate(40, 32, seed: 9);
        var b = ColorShapes.Generate(40, 32, seed: 9);
        var c = ColorShapes.Generate(40, 32, seed: 10);
        Assert.That(b.Pixels, Is.EqualTo(a.Pixels));
        Assert.That(c.Pixels, Is.Not.EqualTo(a.Pixels));
        Assert.That(a.Labels, Is.EqualTo(Enumerable.Range(0, 40).Select(i => (byte)(i % 10))));
        var normalization = Normalization.Estimate(a);
        Assert.That(normalization.Means, Has.Count.EqualTo(3));
        Assert.That(normalization.Stds.Min(), Is.GreaterThan(0.15f), "varied colours in every channel");
    }
}
