namespace OnnxReg.Tests.Shared;

/// <summary>Finds the repository's folders from a test's output folder (the one holding OnnxReg.sln). Linked into
/// the test projects that read committed files (models/, tools/).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Models => Path.Combine(Root, "models");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "OnnxReg.sln")))
                return folder.FullName;
        throw new DirectoryNotFoundException($"No OnnxReg.sln above {AppContext.BaseDirectory}.");
    }
}
