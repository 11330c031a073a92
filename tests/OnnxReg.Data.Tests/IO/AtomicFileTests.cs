using OnnxReg.Data.IO;

namespace OnnxReg.Data.Tests.IO;

public class AtomicFileTests
{
    [Test]
    public void FailedWrite_KeepsThePreviousFile_AndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("partial"u8);
            throw new InvalidOperationException("interrupted");
        }));
        Assert.That(File.ReadAllText(path), Is.EqualTo("old"));
        Assert.That(Directory.GetFiles(folder.Path), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void Write_RemovesTemporariesOfKilledWriters_ButNotThoseOfLiveOnesOrOtherFiles()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        int deadPid;
        using (var finished = System.Diagnostics.Process.Start("true")!)
        {
            finished.WaitForExit();
            deadPid = finished.Id;
        }
        var abandoned = folder.File($".model.onnx.{deadPid}.{Guid.NewGuid():N}.tmp");
        var live = folder.File($".model.onnx.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var otherFile = folder.File($".other.onnx.{deadPid}.{Guid.NewGuid():N}.tmp");
        foreach (var temporary in new[] { abandoned, live, otherFile }) File.WriteAllText(temporary, "half");

        AtomicFile.WriteAllBytes(path, "new"u8.ToArray());

        Assert.That(File.ReadAllText(path), Is.EqualTo("new"));
        Assert.That(Directory.GetFiles(folder.Path).Order(), Is.EqualTo(new[] { path, live, otherFile }.Order()));
    }

    [Test]
    public void FailedVerification_KeepsThePreviousFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        File.WriteAllText(path, "old");
        string? verified = null;
        Assert.Throws<InvalidDataException>(() => AtomicFile.WriteAllBytes(path, "new"u8.ToArray(), temporary =>
        {
            verified = File.ReadAllText(temporary);
            throw new InvalidDataException("does not match");
        }));
        Assert.That(verified, Is.EqualTo("new"), "the verifier sees the complete new content");
        Assert.That(File.ReadAllText(path), Is.EqualTo("old"));
        Assert.That(Directory.GetFiles(folder.Path), Has.Length.EqualTo(1));
    }

    [Test]
    public void SuccessfulWrite_ReplacesTheFile_AndCreatesTheFolder()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "sub", "model.onnx");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        AtomicFile.WriteAllBytes(path, [4, 5]);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 4, 5 }));
    }
}
