using System.Text.RegularExpressions;

namespace OnnxReg.Docs.Tests;

/// <summary>A fenced block of a page: its info string (<c>bash</c>, <c>output</c>, <c>csharp</c>…), its lines, the
/// HTML comments right above its opening fence (the markers, such as <c>not run: why</c>), and where it starts.</summary>
public sealed record FencedBlock(string Page, int Line, string Info, IReadOnlyList<string> Lines, IReadOnlyList<string> Markers)
{
    /// <summary>The reason given by a <c>&lt;!-- not run: … --&gt;</c> marker, or null when the block is run.</summary>
    public string? NotRunReason => Markers.Select(m => m.StartsWith("not run:", StringComparison.Ordinal) ? m[8..].Trim() : null)
        .FirstOrDefault(r => r is not null);

    /// <summary>The value of a <c>&lt;!-- NAME: value --&gt;</c> marker, or null.</summary>
    public string? Marker(string name) => Markers.Select(m => m.StartsWith(name + ":", StringComparison.Ordinal) ? m[(name.Length + 1)..].Trim() : null)
        .FirstOrDefault(v => v is not null);

    public bool HasMarker(string name) => Markers.Any(m => m == name || m.StartsWith(name + ":", StringComparison.Ordinal));

    public string Text => string.Join('\n', Lines);

    public override string ToString() => $"{Page}:{Line} ({Info})";
}

/// <summary>A line of prose and its 1-based number.</summary>
public sealed record ProseLine(int Number, string Text);

/// <summary>One Markdown file of the documentation, split into prose and fenced blocks.</summary>
public sealed partial class MarkdownPage
{
    private MarkdownPage(string relativePath, string text, IReadOnlyList<FencedBlock> blocks, IReadOnlyList<ProseLine> prose)
    {
        RelativePath = relativePath;
        Text = text;
        Blocks = blocks;
        ProseLines = prose;
    }

    /// <summary>The path from the repository root, with forward slashes (<c>docs/01-getting-started.md</c>).</summary>
    public string RelativePath { get; }

    public string Text { get; }

    public IReadOnlyList<FencedBlock> Blocks { get; }

    /// <summary>Every line outside fenced blocks and HTML comments, with its 1-based number.</summary>
    public IReadOnlyList<ProseLine> ProseLines { get; }

    public static MarkdownPage Load(string root, string relativePath)
    {
        string text = File.ReadAllText(Path.Combine(root, relativePath));
        var lines = text.Split('\n');
        var blocks = new List<FencedBlock>();
        var prose = new List<ProseLine>();
        var markers = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                string info = line[3..].Trim();
                int start = i + 1;
                var body = new List<string>();
                for (i++; i < lines.Length && !lines[i].TrimEnd('\r').StartsWith("```", StringComparison.Ordinal); i++)
                    body.Add(lines[i].TrimEnd('\r'));
                if (i >= lines.Length) throw new InvalidDataException($"{relativePath}:{start}: a fenced block is never closed.");
                blocks.Add(new FencedBlock(relativePath, start, info, body, markers.ToList()));
                markers.Clear();
                continue;
            }
            var marker = MarkerPattern().Match(line);
            if (marker.Success)
            {
                markers.Add(marker.Groups[1].Value.Trim());
                continue;
            }
            markers.Clear();
            prose.Add(new ProseLine(i + 1, line));
        }
        return new MarkdownPage(relativePath, text, blocks, prose);
    }

    /// <summary>README.md and every page under docs/, in reading order.</summary>
    public static IReadOnlyList<MarkdownPage> All(string root) =>
        new[] { "README.md" }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal)
                .Select(p => "docs/" + Path.GetFileName(p)))
            .Select(p => Load(root, p))
            .ToList();

    [GeneratedRegex(@"^<!--\s*(.*?)\s*-->$")]
    private static partial Regex MarkerPattern();
}
