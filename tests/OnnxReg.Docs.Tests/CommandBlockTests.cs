using System.Diagnostics;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Docs.Tests;

/// <summary>
/// Runs every command block of README.md and docs/ that is not marked "not run", page by page in a fresh working
/// folder (so a page's later commands see what its earlier ones wrote, as a reader's would), with <c>onnxreg</c> and
/// the example app being the ones built beside these tests; checks each block's exit status (0, or a
/// <c>&lt;!-- exit: N --&gt;</c> marker), compares the output block under it with <see cref="OutputMatcher"/>, and
/// checks that no command left a lock file behind.
/// </summary>
[Category("Slow")]
public class CommandBlockTests
{
    /// <summary>What the docs write, and what runs in its place here.</summary>
    private const string Prelude = """
        set -e -o pipefail
        exec 2>&1
        onnxreg() { "$ONNXREG_DOTNET" "$ONNXREG_BIN/onnxreg.dll" "$@"; }
        classify() { "$ONNXREG_DOTNET" "$ONNXREG_BIN/classify.dll" "$@"; }

        """;

    private static readonly (string Written, string Run)[] Substitutions =
    [
        ("dotnet run --project tools/OnnxReg.Example -c Release --", "classify"),
        ("dotnet run --project tools/OnnxReg.Cli -c Release --", "onnxreg"),
    ];

    /// <summary>The folders a page's commands read from the repository, linked into the working folder.</summary>
    private static readonly string[] RepositoryFolders = ["models", "tools", "src"];

    public static IEnumerable<TestCaseData> PagesWithCommands() =>
        MarkdownPage.All(RepositoryPaths.Root)
            .Where(p => p.Blocks.Any(IsRun))
            .Select(p => new TestCaseData(p.RelativePath).SetName($"Commands_RunAsDocumented({p.RelativePath})"));

    [TestCaseSource(nameof(PagesWithCommands))]
    public void Commands_RunAsDocumented(string relativePath)
    {
        var page = MarkdownPage.Load(RepositoryPaths.Root, relativePath);
        string folder = Directory.CreateTempSubdirectory("onnxreg-docs-").FullName;
        try
        {
            foreach (var name in RepositoryFolders)
                Directory.CreateSymbolicLink(Path.Combine(folder, name), Path.Combine(RepositoryPaths.Root, name));
            for (int i = 0; i < page.Blocks.Count; i++)
            {
                var block = page.Blocks[i];
                if (!IsRun(block)) continue;
                var (exit, output) = Run(block, folder);
                int expectedExit = int.Parse(block.Marker("exit") ?? "0");
                Assert.That(exit, Is.EqualTo(expectedExit), $"{block}: exit status; printed:\n{output}");
                Assert.That(output.Split('\n').Where(l => l.StartsWith("[W", StringComparison.Ordinal)), Is.Empty, $"{block}: a native library printed its own warning");
                if (i + 1 < page.Blocks.Count && page.Blocks[i + 1].Info == "output")
                {
                    string? mismatch = OutputMatcher.Mismatch(page.Blocks[i + 1].Lines, output);
                    Assert.That(mismatch, Is.Null, $"{page.Blocks[i + 1]}: the documented output differs from what {block} prints now");
                }
            }
            var locks = Directory.EnumerateFiles(folder, ".*.lock", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
                .Select(p => Path.GetRelativePath(folder, p)).ToList();
            Assert.That(locks, Is.Empty, "a documented command left a lock file behind");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static bool IsRun(FencedBlock block) => block.Info == "bash" && block.NotRunReason is null;

    private static (int Exit, string Output) Run(FencedBlock block, string folder)
    {
        string script = block.Text;
        foreach (var (written, run) in Substitutions) script = script.Replace(written, run, StringComparison.Ordinal);
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Prelude + script);
        info.Environment["ONNXREG_DOTNET"] = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        info.Environment["ONNXREG_BIN"] = AppContext.BaseDirectory;
        info.Environment["CI"] = "1";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{block}: still running after 5 minutes");
        }
        return (process.ExitCode, output + error.Result);
    }
}
