using System.Text.RegularExpressions;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Docs.Tests;

/// <summary>Links and repository paths in README.md and docs/ point at what exists: relative links at files (and
/// their headings, for <c>#anchors</c>), paths in backticks at files or folders of the repository.</summary>
public partial class LinkTests
{
    /// <summary>The top-level folders a path in backticks may start with to be checked.</summary>
    private static readonly string[] RepositoryFolders = ["src/", "tests/", "tools/", "models/", "docs/", ".github/"];

    [Test]
    public void RelativeLinks_PointAtFilesAndHeadingsThatExist()
    {
        var broken = new List<string>();
        foreach (var (page, line, link) in ProseMatches(LinkPattern()))
        {
            string target = link.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal)) continue;
            string[] parts = target.Split('#', 2);
            string file = parts[0].Length == 0
                ? Path.Combine(RepositoryPaths.Root, page.RelativePath)
                : Path.GetFullPath(Path.Combine(RepositoryPaths.Root, Path.GetDirectoryName(page.RelativePath)!, parts[0]));
            if (!File.Exists(file) && !Directory.Exists(file))
                broken.Add($"{page.RelativePath}:{line.Number}: {target} (no such file)");
            else if (parts.Length == 2 && !Anchors(file).Contains(parts[1]))
                broken.Add($"{page.RelativePath}:{line.Number}: {target} (no such heading)");
        }
        Assert.That(broken, Is.Empty);
    }

    [Test]
    public void RepositoryPathsInBackticks_Exist()
    {
        var missing = new List<string>();
        foreach (var (page, line, code) in ProseMatches(CodePattern()))
        {
            string path = code.Groups[1].Value.Split(' ')[0].TrimEnd('.', ',', ':', ';');
            if (!RepositoryFolders.Any(f => path.StartsWith(f, StringComparison.Ordinal))) continue;
            if (path.IndexOfAny(['*', '…', '<', '{']) >= 0 || path.Contains("NAME", StringComparison.Ordinal)) continue;
            string full = Path.Combine(RepositoryPaths.Root, path);
            if (!File.Exists(full) && !Directory.Exists(full)) missing.Add($"{page.RelativePath}:{line.Number}: {path}");
        }
        Assert.That(missing, Is.Empty);
    }

    [Test]
    public void EveryGuide_IsLinkedFromTheReadme()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var unlinked = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md")
            .Select(p => "docs/" + Path.GetFileName(p)).Where(p => !readme.Contains($"]({p})", StringComparison.Ordinal)).ToList();
        Assert.That(unlinked, Is.Empty);
    }

    /// <summary>Every match of <paramref name="pattern"/> in the prose of README.md and docs/, with its page and line.</summary>
    private static IEnumerable<(MarkdownPage Page, ProseLine Line, Match Match)> ProseMatches(Regex pattern) =>
        from page in MarkdownPage.All(RepositoryPaths.Root)
        from line in page.ProseLines
        from Match match in pattern.Matches(line.Text)
        select (page, line, match);

    /// <summary>GitHub's anchors: headings in lower case, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> Anchors(string file) =>
        File.ReadAllLines(file).Where(l => l.StartsWith('#') && l.TrimStart('#').StartsWith(' '))
            .Select(l => Regex.Replace(l.TrimStart('#').Trim().ToLowerInvariant(), @"[^\p{L}\p{N} _-]", "").Replace(' ', '-'))
            .ToHashSet();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodePattern();
}
