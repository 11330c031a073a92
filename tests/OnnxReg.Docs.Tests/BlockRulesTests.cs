using OnnxReg.Tests.Shared;

namespace OnnxReg.Docs.Tests;

/// <summary>Every fenced block in README.md and docs/ is of a known kind, and every command is either run by
/// <see cref="CommandBlockTests"/> or says why not: nothing in the docs is shown without being checked or marked.</summary>
public class BlockRulesTests
{
    /// <summary>Commands (run unless marked), outputs (compared with the command above), quoted outputs of runs not
    /// repeated here (marked), C# (compiled), and file formats shown as examples.</summary>
    private static readonly string[] Kinds = ["bash", "powershell", "output", "text", "csharp", "json", "yaml"];

    private static IReadOnlyList<FencedBlock> Blocks => MarkdownPage.All(RepositoryPaths.Root).SelectMany(p => p.Blocks).ToList();

    [Test]
    public void EveryBlock_DeclaresAKnownKind()
    {
        var unknown = Blocks.Where(b => !Kinds.Contains(b.Info)).Select(b => $"{b} is '{b.Info}'").ToList();
        Assert.That(unknown, Is.Empty, $"fenced blocks must be one of: {string.Join(", ", Kinds)}");
    }

    [Test]
    public void EveryCommandBlock_IsRunOrSaysWhyNot()
    {
        var blocks = Blocks.Where(b => b.Info is "bash" or "powershell").ToList();
        var unmarkedPowerShell = blocks.Where(b => b.Info == "powershell" && b.NotRunReason is null).Select(b => b.ToString());
        var emptyReasons = blocks.Where(b => b.NotRunReason is { Length: 0 }).Select(b => b.ToString());
        Assert.That(unmarkedPowerShell.Concat(emptyReasons), Is.Empty, "PowerShell is never run here; a 'not run:' marker needs its reason");
        Assert.That(blocks.Count(b => b.NotRunReason is null), Is.GreaterThanOrEqualTo(12), "the docs run most of their commands");
    }

    [Test]
    public void EveryQuotedOutput_IsMarkedAsNotRun()
    {
        var unmarked = Blocks.Where(b => b.Info == "text" && b.NotRunReason is null).Select(b => b.ToString()).ToList();
        Assert.That(unmarked, Is.Empty, "a `text` block quotes a run the suite does not repeat: say so with <!-- not run: why -->, or make it an `output` block of a command that runs");
    }

    [Test]
    public void EveryOutputBlock_FollowsACommandThatRuns()
    {
        var pages = MarkdownPage.All(RepositoryPaths.Root);
        var orphans = new List<string>();
        foreach (var page in pages)
            for (int i = 0; i < page.Blocks.Count; i++)
                if (page.Blocks[i].Info == "output"
                    && (i == 0 || page.Blocks[i - 1].Info != "bash" || page.Blocks[i - 1].NotRunReason is not null))
                    orphans.Add(page.Blocks[i].ToString());
        Assert.That(orphans, Is.Empty, "an output block is compared with the command block right before it, which must run");
    }
}
