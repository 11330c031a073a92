using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Data.Tests;

public class ImageFolderTests
{
    private TempFolder _root = null!;

    [SetUp]
    public void CreateRoot() => _root = new TempFolder();

    [TearDown]
    public void DeleteRoot() => _root.Dispose();

    // A flat gray image whose value identifies it after loading.
    private string Png(string relativePath, byte value, int size = 28)
    {
        var path = _root.File(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<L8>(size, size, new L8(value));
        image.SaveAsPng(path);
        return path;
    }

    private void ThreeClasses()
    {
        Png("train/coat/1.png", 10);
        Png("train/coat/2.png", 11);
        Png("train/bag/1.png", 20);
        Png("train/shirt/1.png", 30, size: 56); // resized to 28 × 28
        Png("test/bag/1.png", 21);
        Png("test/shirt/1.png", 31);
    }

    [Test]
    public void Load_ReadsClassesInOrdinalOrder_WithLabelsAndResizedPixels()
    {
        ThreeClasses();
        File.WriteAllText(_root.File("train/coat/README.txt"), "not an image: skipped");
        var pair = DatasetSource.Load(_root.Path);
        Assert.That(pair.Train.ClassNames, Is.EqualTo(new[] { "bag", "coat", "shirt" }));
        // Classes interleaved: the first image of each class, then coat's second.
        Assert.That(pair.Train.Labels, Is.EqualTo(new byte[] { 0, 1, 2, 1 }));
        Assert.That(Enumerable.Range(0, 4).Select(i => pair.Train.Pixels[i * 784 + 400]), Is.EqualTo(new byte[] { 20, 10, 30, 11 }));
        Assert.That((pair.Train.Channels, pair.Train.Height, pair.Train.Width), Is.EqualTo((1, 28, 28)));
        Assert.That(pair.Test.Labels, Is.EqualTo(new byte[] { 0, 2 }));
        Assert.That(pair.Description, Does.Contain("image folders: 4 train / 2 test, 3 classes"));
    }

    [Test]
    public void ClassesTxt_SetsTheClassOrder()
    {
        ThreeClasses();
        File.WriteAllLines(_root.File("classes.txt"), ["shirt", "coat", "bag"]);
        var pair = ImageFolder.Load(_root.Path);
        Assert.That(pair.Train.ClassNames, Is.EqualTo(new[] { "shirt", "coat", "bag" }));
        Assert.That(pair.Train.Labels, Is.EqualTo(new byte[] { 0, 1, 2, 1 }));
    }

    [Test]
    public void ClassesTxt_ThatDisagreesWithTheFolders_IsAnError()
    {
        ThreeClasses();
        File.WriteAllLines(_root.File("classes.txt"), ["shirt", "coat", "sandal"]);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root.Path));
        Assert.That(e!.Message, Does.Contain("listed but not a folder of train/: [sandal]; folders of train/ not listed: [bag]"));
    }

    [Test]
    public void ClassesTxt_WithARepeatedLine_NamesTheRepeat()
    {
        ThreeClasses();
        File.WriteAllLines(_root.File("classes.txt"), ["shirt", "coat", "bag", "coat"]);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root.Path));
        Assert.That(e!.Message, Does.EndWith("must list each folder of train/ exactly once; listed more than once: [coat]."));
    }

    [Test]
    public void AFileThatIsNotAnImage_IsAnErrorNamingIt()
    {
        ThreeClasses();
        File.WriteAllText(_root.File("train/bag/broken.png"), "this is text, not a PNG");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root.Path));
        Assert.That(e!.Message, Does.Contain("broken.png").And.Contain("is not an image that can be decoded"));
    }

    [Test]
    public void AnImageLinkedFromOutside_IsRefused()
    {
        ThreeClasses();
        using var outside = new TempFolder();
        using (var image = new Image<L8>(28, 28)) image.SaveAsPng(outside.File("elsewhere.png"));
        File.CreateSymbolicLink(_root.File("train/bag/linked.png"), outside.File("elsewhere.png"));
        var e = Assert.Throws<UnauthorizedAccessException>(() => DatasetSource.Load(_root.Path));
        Assert.That(e!.Message, Does.Contain("linked.png").And.Contain("leads outside the data folder"));
    }

    [Test]
    public void AClassFolderLinkedFromOutside_IsRefused()
    {
        ThreeClasses();
        using var outside = new TempFolder();
        using (var image = new Image<L8>(28, 28)) image.SaveAsPng(outside.File("1.png"));
        Directory.CreateSymbolicLink(_root.File("test/coat"), outside.Path);
        Assert.Throws<UnauthorizedAccessException>(() => ImageFolder.Load(_root.Path));
    }

    [Test]
    public void ATestClassThatTrainLacks_IsAnError()
    {
        ThreeClasses();
        Png("test/sandal/1.png", 40);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root.Path));
        Assert.That(e!.Message, Does.Contain("[sandal] that train/ lacks; every split needs the same classes"));
    }

    [Test]
    public void FewerThanTwoClasses_OrNoImages_IsAnError()
    {
        Png("train/only/1.png", 1);
        Directory.CreateDirectory(_root.File("test"));
        Assert.That(Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root.Path))!.Message, Does.Contain("1 class folder(s)"));
        Directory.CreateDirectory(_root.File("train/empty"));
        File.Delete(_root.File("train/only/1.png"));
        Assert.That(Assert.Throws<InvalidDataException>(() => ImageFolder.Load(_root.Path))!.Message, Does.Contain("has no training images"));
    }

    [Test]
    public void ListImages_RecursesInOrder_AndSkipsOtherFiles()
    {
        var b = Png("b.png", 1);
        var a = Png("sub/a.jpg.png", 2);
        File.WriteAllText(_root.File("notes.md"), "skip");
        Assert.That(ImageFolder.ListImages(_root.Path), Is.EqualTo(new[] { b, a }));
    }

    [Test]
    public void IdxFolder_WithAFileLinkedFromOutside_IsRefused()
    {
        using var outside = new TempFolder();
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
            File.WriteAllBytes(outside.File(name), [0, 0, 8, 1, 0, 0, 0, 0]);
        File.CreateSymbolicLink(_root.File("train-images-idx3-ubyte"), outside.File("train-images-idx3-ubyte"));
        var e = Assert.Throws<UnauthorizedAccessException>(() => DatasetSource.Load(_root.Path));
        Assert.That(e!.Message, Does.Contain("train-images-idx3-ubyte").And.Contain("leads outside the data folder"));
    }

    [Test]
    public void ListImages_ThroughLinkLoops_VisitsEachFolderOnceAndEndsQuickly()
    {
        var a = Png("images/a.png", 1);
        var b = Png("images/deeper/b.png", 2);
        foreach (var name in new[] { "self1", "self2", "self3" })
            Directory.CreateSymbolicLink(_root.File($"images/{name}"), ".");
        Directory.CreateSymbolicLink(_root.File("images/deeper/up"), "..");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var found = ImageFolder.ListImages(_root.File("images"));
        Assert.That(found, Is.EqualTo(new[] { a, b }), "each image once, though links lead back to its folder");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void ListImages_OfARelativeFolder_ReturnsPathsThatExist()
    {
        var image = Png("rel/pics/x.png", 3);
        var previous = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = _root.File("rel");
            var found = ImageFolder.ListImages("pics");
            Assert.That(found, Is.EqualTo(new[] { image }));
            Assert.That(File.Exists(found[0]));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    [Test]
    public void ListImages_RefusesANamedPipeWithAnImageName()
    {
        Png("pipes/a.png", 1);
        SpecialFiles.Fifo(_root.File("pipes/b.png"));
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.ListImages(_root.File("pipes")));
        Assert.That(e!.Message, Does.Contain("b.png' is a named pipe (FIFO), not a regular file"));
    }
}
