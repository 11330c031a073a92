namespace OnnxReg.Cli.Tests;

/// <summary>The lock files beside a command's outputs: a link planted at one is refused (as root it would truncate
/// any file), and a command that finishes leaves none behind.</summary>
public class LockFileTests : TempFolderTest
{
    private string[] Train(string output) => ["train", "--epochs", "1", "--train-size", "300", "--hidden", "16", "-o", Path.Combine(Folder, output)];

    [Test]
    public void APlantedLinkAtAnOutputsLockFile_IsRefused_AndItsTargetKeepsEveryByte()
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False, "symbolic links need privileges on Windows");
        ExpectLockFilesLeftBehind(); // the planted link stays at the lock's name: it is refused, not removed
        var victim = Path.Combine(Folder, "victim");
        File.WriteAllText(victim, "DATA0123456789");
        Directory.CreateDirectory(Path.Combine(Folder, "d"));
        foreach (var lockName in new[] { ".m.onnx.lock", ".m.ckpt.lock" })
        {
            var link = Path.Combine(Folder, "d", lockName);
            File.CreateSymbolicLink(link, victim);
            var line = CliRun.Of(Train("d/m.onnx")).AssertOneLineError();
            Assert.That(line, Does.Contain(lockName).And.Contain("symbolic link"));
            Assert.That(File.ReadAllText(victim), Is.EqualTo("DATA0123456789"), lockName);
            File.Delete(link);
        }
        // export's output lock too, with a real checkpoint to export.
        Assert.That(CliRun.Of(Train("d/m.onnx")).ExitCode, Is.EqualTo(CliApp.Success));
        File.CreateSymbolicLink(Path.Combine(Folder, "d", ".x.onnx.lock"), victim);
        var exportLine = CliRun.Of("export", Path.Combine(Folder, "d", "m.ckpt"), "-o", Path.Combine(Folder, "d", "x.onnx")).AssertOneLineError();
        Assert.That(exportLine, Does.Contain(".x.onnx.lock").And.Contain("symbolic link"));
        Assert.That(File.ReadAllText(victim), Is.EqualTo("DATA0123456789"));
    }

    [Test]
    public void ASuccessfulTrain_LeavesNoLockFileBesideItsOutputs()
    {
        var run = CliRun.Of(Train("m.onnx"));
        Assert.That(run.ExitCode, Is.EqualTo(CliApp.Success), run.Error);
        Assert.That(File.Exists(Path.Combine(Folder, "m.onnx")), Is.True);
        Assert.That(Directory.GetFiles(Folder, "*.lock", SearchOption.AllDirectories).Select(Path.GetFileName), Is.Empty);
    }
}
