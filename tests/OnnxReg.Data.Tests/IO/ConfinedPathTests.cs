using OnnxReg.Data.IO;

namespace OnnxReg.Data.Tests.IO;

public class ConfinedPathTests
{
    [Test]
    public void PathsBelowTheFolder_AreAccepted_EvenThroughLinksThatStayInside()
    {
        using var folder = new TempFolder();
        var inner = Directory.CreateDirectory(folder.File("a")).FullName;
        File.WriteAllText(Path.Combine(inner, "x.png"), "x");
        File.CreateSymbolicLink(folder.File("alias.png"), Path.Combine(inner, "x.png"));
        Directory.CreateSymbolicLink(folder.File("b"), "a"); // relative target

        Assert.That(ConfinedPath.EnsureInside(folder.Path, "alias.png", "data folder"), Is.EqualTo(folder.File("alias.png")));
        Assert.That(ConfinedPath.EnsureInside(folder.Path, Path.Combine("b", "x.png"), "data folder"), Is.EqualTo(Path.Combine(folder.Path, "b", "x.png")));
        Assert.That(ConfinedPath.EnsureInside(folder.Path, Path.Combine("new", "report.md"), "output folder"), Is.EqualTo(Path.Combine(folder.Path, "new", "report.md")), "outputs need not exist yet");
    }

    [Test]
    public void TheChosenFolder_MayItselfBeALink()
    {
        using var target = new TempFolder();
        using var links = new TempFolder();
        File.WriteAllText(target.File("x.png"), "x");
        var root = links.File("data");
        Directory.CreateSymbolicLink(root, target.Path);
        Assert.That(ConfinedPath.EnsureInside(root, "x.png", "data folder"), Is.EqualTo(Path.Combine(root, "x.png")));
    }

    [Test]
    public void DotDot_OutOfTheFolder_IsRefused()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<UnauthorizedAccessException>(() => ConfinedPath.EnsureInside(folder.Path, Path.Combine("..", "secret.txt"), "data folder"));
        Assert.That(e!.Message, Does.Contain("leads outside the data folder").And.Contain("secret.txt"));
    }

    [Test]
    public void FileLink_OutOfTheFolder_IsRefused()
    {
        using var folder = new TempFolder();
        using var outside = new TempFolder();
        File.WriteAllText(outside.File("secret.txt"), "secret");
        File.CreateSymbolicLink(folder.File("innocent.png"), outside.File("secret.txt"));
        var e = Assert.Throws<UnauthorizedAccessException>(() => ConfinedPath.EnsureInside(folder.Path, "innocent.png", "data folder"));
        Assert.That(e!.Message, Does.Contain($"to '{outside.File("secret.txt")}'").And.Contain("Copy the file into the folder"));
    }

    [Test]
    public void FolderLink_OutOfTheFolder_IsRefused_ForFilesBelowIt()
    {
        using var folder = new TempFolder();
        using var outside = new TempFolder();
        Directory.CreateSymbolicLink(folder.File("runs"), outside.Path);
        Assert.Throws<UnauthorizedAccessException>(() => ConfinedPath.EnsureInside(folder.Path, Path.Combine("runs", "model.onnx"), "output folder"));
    }

    [Test]
    public void LinkLoop_IsAnIOError_NotAHang()
    {
        using var folder = new TempFolder();
        File.CreateSymbolicLink(folder.File("a"), folder.File("b"));
        File.CreateSymbolicLink(folder.File("b"), folder.File("a"));
        var e = Assert.Throws<IOException>(() => ConfinedPath.EnsureInside(folder.Path, "a", "data folder"));
        Assert.That(e!.Message, Does.Contain("Too many levels of symbolic links"));
    }
}
