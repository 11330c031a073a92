namespace OnnxReg.Data;

/// <summary>The nearest known word to a mistyped one (edit distance), for "did you mean" hints.</summary>
public static class DidYouMean
{
    /// <summary>The candidate closest to <paramref name="typed"/> within a few edits (a third of its length, at least 2),
    /// or null when none is that close; ties go to the first candidate.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(candidates);
        string bare = typed.TrimStart('-');
        // The distance table is |typed| × |candidate|: a name read from a stranger's file may be megabytes long.
        if (bare.Length > MaxLength) return null;
        int allowed = Math.Max(2, bare.Length / 3);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            int distance = Distance(bare.ToLowerInvariant(), candidate.TrimStart('-').ToLowerInvariant());
            if (distance < bestDistance && distance <= allowed)
                (best, bestDistance) = (candidate, distance);
        }
        return best;
    }

    /// <summary>Words longer than this get no suggestion.</summary>
    public const int MaxLength = 100;

    /// <summary>" (did you mean 'X'?)" or an empty string.</summary>
    public static string Hint(string typed, IEnumerable<string> candidates) =>
        Closest(typed, candidates) is { } match ? $" (did you mean '{match}'?)" : "";

    // Optimal string alignment distance: insertions, deletions, substitutions, and swaps of neighbours (trian → train).
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
