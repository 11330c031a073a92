using System.Diagnostics;
using OnnxReg.Data.IO;

namespace OnnxReg.Data.Tests.IO;

/// <summary>Pipes, devices and links: what readers refuse and writers never replace.</summary>
public class SpecialFileTests
{
    [Test]
    public void FileKinds_TellRegularFilesFromPipesDevicesFoldersAndLinks()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("plain"), "x");
        SpecialFiles.Fifo(folder.File("pipe"));
        SpecialFiles.NullDevice(folder.File("null"));
        File.CreateSymbolicLink(folder.File("link"), folder.File("null"));
        Assert.Multiple(() =>
        {
            Assert.That(FileKinds.Of(folder.File("plain")), Is.EqualTo(FileKind.Regular));
            Assert.That(FileKinds.Of(folder.File("pipe")), Is.EqualTo(FileKind.NamedPipe));
            Assert.That(FileKinds.Of(folder.File("null")), Is.EqualTo(FileKind.CharacterDevice));
            Assert.That(FileKinds.Of(folder.File("link")), Is.EqualTo(FileKind.CharacterDevice));
            Assert.That(FileKinds.Of(folder.File("link"), followLinks: false), Is.EqualTo(FileKind.SymbolicLink));
            Assert.That(FileKinds.Of(folder.Path), Is.EqualTo(FileKind.Directory));
            Assert.That(FileKinds.Of(folder.File("absent")), Is.EqualTo(FileKind.Missing));
        });
    }

    [TestCase("pipe")]
    [TestCase("null")]
    [TestCase("link-to-null")]
    public void AtomicWrite_RefusesToReplaceAnythingButARegularFile(string target)
    {
        using var folder = new TempFolder();
        SpecialFiles.Fifo(folder.File("pipe"));
        SpecialFiles.NullDevice(folder.File("null"));
        File.CreateSymbolicLink(folder.File("link-to-null"), folder.File("null"));
        var e = Assert.Throws<IOException>(() => AtomicFile.WriteAllBytes(folder.File(target), [1, 2, 3]));
        Assert.That(e!.Message, Does.Contain("Refusing to write").And.Contain("only regular files are replaced"));
        Assert.That(FileKinds.Of(folder.File("pipe")), Is.EqualTo(FileKind.NamedPipe));
        Assert.That(FileKinds.Of(folder.File("null")), Is.EqualTo(FileKind.CharacterDevice));
        Assert.That(FileKinds.Of(folder.File("link-to-null"), followLinks: false), Is.EqualTo(FileKind.SymbolicLink));
        Assert.That(Directory.GetFiles(folder.Path, "*.tmp", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void AtomicWrite_ThroughALinkToARegularFile_ReplacesTheFileAndKeepsTheLink()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("real.json"), "old");
        File.CreateSymbolicLink(folder.File("alias.json"), folder.File("real.json"));
        AtomicFile.WriteAllBytes(folder.File("alias.json"), "new"u8.ToArray());
        Assert.That(File.ReadAllText(folder.File("real.json")), Is.EqualTo("new"));
        Assert.That(FileKinds.Of(folder.File("alias.json"), followLinks: false), Is.EqualTo(FileKind.SymbolicLink));
    }

    [Test]
    public void CheckWritable_WhenAParentIsAFile_SaysWhichPathIsInTheWay()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("blocker"), "x");
        var e = Assert.Throws<IOException>(() => AtomicFile.CheckWritable(Path.Combine(folder.File("blocker"), "sub", "m.onnx")));
        Assert.That(e!.Message, Does.Contain($"'{folder.File("blocker")}' is a regular file, not a folder"));
        Assert.That(File.ReadAllText(folder.File("blocker")), Is.EqualTo("x"));
    }

    [Test]
    public void CheckWritable_OfAGoodPath_LeavesNothingBehind()
    {
        using var folder = new TempFolder();
        AtomicFile.CheckWritable(folder.File("new/m.onnx"));
        Assert.That(Directory.GetFileSystemEntries(folder.File("new")), Is.Empty);
    }

    [TestCase("/dev/zero")]
    [TestCase("/dev/urandom")]
    public void UntrustedText_FromADevice_IsRefusedAtOnce(string device)
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => UntrustedFile.ReadAllText(device, "configuration file"));
        Assert.That(e!.Message, Is.EqualTo($"The configuration file '{device}' is a character device, not a regular file; only regular files are read. Give the path of a file."));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void UntrustedText_FromANamedPipe_IsRefusedWithoutWaitingForAWriter()
    {
        using var folder = new TempFolder();
        var pipe = SpecialFiles.Fifo(folder.File("config.json"));
        var read = Task.Run(() => UntrustedFile.ReadAllText(pipe, "configuration file"));
        Assert.That(Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))).Result, Is.SameAs(read), "the read returned instead of blocking");
        Assert.That(read.Exception!.InnerException, Is.TypeOf<InvalidDataException>().With.Message.Contain("named pipe (FIFO)"));
    }

    [Test]
    public void UntrustedText_OverTheLimit_IsRefusedBeforeReading()
    {
        using var folder = new TempFolder();
        var path = folder.File("big.json");
        File.WriteAllBytes(path, new byte[(16 << 20) + 1]);
        var e = Assert.Throws<InvalidDataException>(() => UntrustedFile.ReadAllText(path, "configuration file"));
        Assert.That(e!.Message, Does.Contain("16,777,217 bytes; at most 16,777,216 are read").And.Contain("ONNXREG_MAX_TEXT_FILE_BYTES"));
    }

    [Test]
    public void DataFolder_WithANamedPipeForALabelFile_IsRefusedWithoutHanging()
    {
        using var folder = new TempFolder();
        var subset = DatasetSource.Load(DatasetSource.Embedded);
        OnnxReg.Data.Idx.IdxWriter.Write(folder.File("t10k-images-idx3-ubyte"), new OnnxReg.Data.Idx.IdxArray([10, 28, 28], subset.Test.Pixels[..(10 * 784)]), gzip: false);
        SpecialFiles.Fifo(folder.File("t10k-labels-idx1-ubyte"));
        var load = Task.Run(() => DatasetSource.LoadTest(folder.Path));
        Assert.That(Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(10))).Result, Is.SameAs(load), "the load returned instead of blocking on the pipe");
        Assert.That(load.Exception!.InnerException, Is.TypeOf<InvalidDataException>().With.Message.Contain("t10k-labels-idx1-ubyte' is a named pipe (FIFO)"));
    }
    [Test]
    public void OpeningAFifoToRead_IsRefusedOnTheHandle_WithoutWaitingForAWriter()
    {
        // The check is made on what was opened, so a FIFO swapped in after any earlier look at the path cannot block
        // the reader in open(): here the path is a FIFO from the start and is opened directly, with no look first.
        using var folder = new TempFolder();
        SpecialFiles.Fifo(folder.File("config.json"));
        var open = Task.Run(() => NoFollowFile.OpenReadRegular(folder.File("config.json"), "configuration file"));
        Assert.That(Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(10))).Result, Is.SameAs(open), "open() returned instead of waiting for a writer");
        Assert.That(open.Exception?.InnerException, Is.TypeOf<InvalidDataException>().With.Message.Contains("is a named pipe (FIFO), not a regular file"));
        Assert.That(() => UntrustedFile.ReadAllText(folder.Path, "configuration file"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("is a folder"));
    }

    [Test]
    public void OpenAppend_AppendsToARegularFile_AndRefusesALinkAtItsName()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("history.csv"), "header\n");
        using (var stream = NoFollowFile.OpenAppend(folder.File("history.csv"), "history file"))
            stream.Write("row\n"u8);
        Assert.That(File.ReadAllText(folder.File("history.csv")), Is.EqualTo("header\nrow\n"));

        // A link planted where a log is reopened for appending is refused, and its target is left as it was.
        File.WriteAllText(folder.File("victim"), "DATA0123456789");
        File.CreateSymbolicLink(folder.File("linked.csv"), folder.File("victim"));
        var e = Assert.Throws<IOException>(() => NoFollowFile.OpenAppend(folder.File("linked.csv"), "history file"));
        Assert.That(e!.Message, Does.Contain("it is a symbolic link"));
        Assert.That(File.ReadAllText(folder.File("victim")), Is.EqualTo("DATA0123456789"));
    }
}
