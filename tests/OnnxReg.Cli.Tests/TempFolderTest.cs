namespace OnnxReg.Cli.Tests;

/// <summary>Gives each test a fresh folder under the system temp folder, deleted afterwards. A test that passed must
/// leave no lock file (<c>.NAME.lock</c>) anywhere in it: every command removes its locks when it finishes.</summary>
public abstract class TempFolderTest
{
    /// <summary>This test's folder.</summary>
    protected string Folder { get; private set; } = null!;

    private bool _leavesLockFiles;

    /// <summary>Called by a test that leaves a lock file on purpose (a planted one, a killed holder's).</summary>
    protected void ExpectLockFilesLeftBehind() => _leavesLockFiles = true;

    [SetUp]
    public void CreateFolder()
    {
        Folder = Directory.CreateTempSubdirectory($"onnxreg-{GetType().Name}-").FullName;
        _leavesLockFiles = false;
    }

    [TearDown]
    public void DeleteFolder()
    {
        var locks = Directory.GetFiles(Folder, ".*.lock", SearchOption.AllDirectories);
        bool passed = TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Passed;
        Directory.Delete(Folder, recursive: true);
        if (passed && !_leavesLockFiles && locks.Length > 0)
            Assert.Fail($"lock files left behind: {string.Join(", ", locks.Select(l => Path.GetRelativePath(Folder, l)))}");
    }
}
