using OnnxReg.Data.IO;

namespace OnnxReg.Data.Tests.IO;

/// <summary>The lock beside an output: held by one process at a time, never written through a planted link or into a
/// special file, and gone when its holder finishes.</summary>
public class OutputLockTests
{
    [Test]
    public void ALinkPlantedAtTheLockFile_IsRefused_AndWhatItPointsToIsUntouched()
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False, "symbolic links need privileges on Windows");
        using var folder = new TempFolder();
        var victim = folder.File("victim.txt");
        File.WriteAllText(victim, "DATA0123456789");
        File.CreateSymbolicLink(folder.File(".m.onnx.lock"), victim);

        var error = Assert.Throws<IOException>(() => OutputLock.Acquire(folder.File("m.onnx"), "test"))!;
        Assert.That(error.Message, Does.Contain("it is a symbolic link").And.Contain(".m.onnx.lock"));
        Assert.That(File.ReadAllText(victim), Is.EqualTo("DATA0123456789"), "the link's target keeps every byte");
    }

    [Test]
    public void ADanglingLinkAtTheLockFile_CreatesNothingWhereItPoints()
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False);
        using var folder = new TempFolder();
        var target = folder.File("created-through-the-link");
        File.CreateSymbolicLink(folder.File(".m.onnx.lock"), target);
        Assert.Throws<IOException>(() => OutputLock.Acquire(folder.File("m.onnx"), "test"));
        Assert.That(File.Exists(target), Is.False);
    }

    [Test]
    public void AFifoOrAFolderAtTheLockFile_IsRefusedInOneLine()
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False);
        using var folder = new TempFolder();
        SpecialFiles.Fifo(folder.File(".a.onnx.lock"));
        Directory.CreateDirectory(folder.File(".b.onnx.lock"));
        foreach (var output in new[] { "a.onnx", "b.onnx" })
        {
            var error = Assert.Throws<IOException>(() => OutputLock.Acquire(folder.File(output), "test"))!;
            Assert.That(error.Message, Does.Not.Contain("\n").And.Contain("Refusing"), output);
        }
    }

    [Test]
    public void AFinishedHolder_LeavesNoLockFile_AndTheNextRunTakesTheLock()
    {
        using var folder = new TempFolder();
        var output = folder.File("m.onnx");
        using (OutputLock.Acquire(output, "first"))
        {
            Assert.That(File.ReadAllText(folder.File(".m.onnx.lock")), Does.Contain("first"), "the holder's record names it");
        }
        Assume.That(OperatingSystem.IsWindows(), Is.False, "Windows keeps the emptied file");
        Assert.That(Directory.GetFiles(folder.Path, ".*"), Is.Empty, "no .lock file is left beside the output");
        using var again = OutputLock.Acquire(output, "third");
        Assert.That(again.Path, Is.EqualTo(output));
    }

    [Test]
    public void AStaleLockFileLeftByAKilledHolder_DoesNotBlock()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File(".m.onnx.lock"), "\0process 99999, since 2026-01-01T00:00:00Z: onnxreg train");
        using var taken = OutputLock.Acquire(folder.File("m.onnx"), "now");
        Assert.That(taken.Path, Is.EqualTo(folder.File("m.onnx")));
    }
}
