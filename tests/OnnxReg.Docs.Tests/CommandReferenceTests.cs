using System.Diagnostics;
using System.Text;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Docs.Tests;

/// <summary>
/// docs/10-commands.md holds every command's <c>--help</c> between its <c>help:begin</c> and <c>help:end</c> markers,
/// generated from the tool: the test regenerates the section and fails when the page differs, naming the fix
/// (<c>ONNXREG_UPDATE_DOCS=1</c> rewrites it). Commands are found from <c>onnxreg --help</c> itself, so a new
/// command appears without editing the test.
/// </summary>
public class CommandReferenceTests
{
    private const string Page = "docs/10-commands.md";
    private const string Begin = "<!-- help:begin (generated from each command's --help by CommandReferenceTests) -->";
    private const string End = "<!-- help:end -->";

    [Test]
    public void CommandReference_IsEveryCommandsHelp()
    {
        string path = Path.Combine(RepositoryPaths.Root, Page);
        string text = File.ReadAllText(path);
        int begin = text.IndexOf(Begin, StringComparison.Ordinal), end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.That(begin >= 0 && end > begin, $"{Page} has the markers {Begin} and {End}");
        string generated = "\n" + Generate();
        string current = text[(begin + Begin.Length)..end];
        if (current != generated && Environment.GetEnvironmentVariable("ONNXREG_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text[..(begin + Begin.Length)] + generated + text[end..]);
            current = generated;
        }
        Assert.That(current, Is.EqualTo(generated), $"{Page} is not what the commands' --help prints now; run ONNXREG_UPDATE_DOCS=1 dotnet test tests/OnnxReg.Docs.Tests --filter CommandReference");
    }

    private static string Generate()
    {
        var text = new StringBuilder();
        foreach (var command in Commands([]))
        {
            string line = string.Join(' ', command.Prepend("onnxreg"));
            text.Append($"### `{line}`\n\n```bash\n{line} --help\n```\n\n```output\n{Help(command).TrimEnd()}\n```\n\n");
        }
        return text.ToString();
    }

    /// <summary>Every command below <paramref name="parent"/>, depth first, in the order its help lists them.</summary>
    private static IEnumerable<string[]> Commands(string[] parent)
    {
        var lines = Help(parent).Split('\n');
        int start = Array.FindIndex(lines, l => l.TrimEnd() == "Commands:");
        if (start < 0) yield break;
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)))
        {
            if (line.Length < 3 || line[2] == ' ') continue; // a wrapped description, not a command
            string name = line.Trim().Split(' ')[0];
            string[] command = [.. parent, name];
            var children = Commands(command).ToList();
            if (children.Count == 0 || parent.Length == 0) yield return command;
            foreach (var child in children) yield return child;
        }
    }

    private static string Help(string[] command)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "onnxreg.dll"));
        foreach (var part in command) info.ArgumentList.Add(part);
        info.ArgumentList.Add("--help");
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), $"onnxreg {string.Join(' ', command)} --help: {process.StandardError.ReadToEnd()}");
        return output.Replace("\r", "");
    }
}
