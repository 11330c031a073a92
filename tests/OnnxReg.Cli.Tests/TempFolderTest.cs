namespace OnnxReg.Cli.Tests;

/// <summary>Gives each test a fresh folder under the system temp folder, deleted afterwards.</summary>
public abstract class TempFolderTest
{
    /// <summary>This test's folder.</summary>
    protected string Folder { get; private set; } = null!;

    [SetUp]
    public void CreateFolder() => Folder = Directory.CreateTempSubdirectory($"onnxreg-{GetType().Name}-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(Folder, recursive: true);
}
