using System.Text.RegularExpressions;

namespace OnnxReg.Docs.Tests;

/// <summary>
/// Compares an output block of the docs with what a command printed. Lines are compared in order and whole, with runs
/// of spaces counted as one; <c>…</c> inside a line stands for any text (a time, a digit that depends on the thread
/// count), and a line that is only <c>…</c> for any number of lines, so a block shows the lines worth showing and the
/// comparison still fails when one of them changes.
/// </summary>
public static class OutputMatcher
{
    public const string Ellipsis = "…";

    /// <summary>Null when <paramref name="actual"/> matches <paramref name="expected"/>; otherwise the first expected
    /// line that no printed line matched, in words.</summary>
    public static string? Mismatch(IReadOnlyList<string> expected, string actual)
    {
        var want = expected.Select(Normalize).Where(l => l.Length > 0).ToList();
        var got = actual.Replace("\r", "").Split('\n').Select(Normalize).Where(l => l.Length > 0).ToList();
        var patterns = want.Select(l => l == Ellipsis ? null : Pattern(l)).ToList();
        if (Matches(patterns, 0, got, 0)) return null;
        // Name the longest prefix of the expected lines that still matches, to say which line went wrong.
        for (int n = patterns.Count - 1; n >= 0; n--)
            if (Matches(patterns.Take(n).Append(null).ToList(), 0, got, 0))
                return $"no printed line matches \"{want[n]}\" (after {n} matching line(s)); printed:\n{string.Join('\n', got)}";
        return $"printed:\n{string.Join('\n', got)}";
    }

    private static bool Matches(IReadOnlyList<Regex?> patterns, int p, IReadOnlyList<string> lines, int l)
    {
        if (p == patterns.Count) return l == lines.Count;
        if (patterns[p] is null)
        {
            for (int skip = l; skip <= lines.Count; skip++)
                if (Matches(patterns, p + 1, lines, skip)) return true;
            return false;
        }
        return l < lines.Count && patterns[p]!.IsMatch(lines[l]) && Matches(patterns, p + 1, lines, l + 1);
    }

    private static Regex Pattern(string line) =>
        new("^" + string.Join(".*", line.Split(Ellipsis).Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);

    private static string Normalize(string line) => Regex.Replace(line.Trim(), @"\s+", " ");
}
