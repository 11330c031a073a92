using System.Globalization;

namespace OnnxReg.Experiments;

/// <summary>
/// One of <see cref="Count"/> processes sharing a study (or tuning) folder, possibly on different machines over a
/// network file system. Shard <see cref="Index"/> starts with every <see cref="Count"/>-th run from its own index,
/// then helps with whatever no other shard has claimed; a run is trained by whoever holds its claim (an operating
/// system lock beside it, released when that process ends, however it ends), so no two shards train the same run
/// and a crashed shard's run is taken over — resumed from its checkpoint — by the next shard to find it free.
/// </summary>
/// <param name="Index">This shard, 0 to <paramref name="Count"/> − 1 (Kubernetes' <c>JOB_COMPLETION_INDEX</c>).</param>
/// <param name="Count">How many shards there are.</param>
public sealed record StudyShard(int Index, int Count)
{
    /// <summary>The most shards a study may be split into.</summary>
    public const int MaxCount = 10_000;

    /// <summary>The one shard of an unsharded study.</summary>
    public static StudyShard Single { get; } = new(0, 1);

    /// <summary>Whether run <paramref name="runIndex"/> (0-based, in the study's order) is one this shard starts with.</summary>
    public bool Owns(int runIndex) => runIndex % Count == Index;

    /// <summary>
    /// Reads <c>K/N</c>, or <c>auto/N</c> to take K from <c>JOB_COMPLETION_INDEX</c> (a Kubernetes Indexed Job) or
    /// <c>SLURM_ARRAY_TASK_ID</c> less <c>SLURM_ARRAY_TASK_MIN</c> (a Slurm job array, numbered from any start).
    /// </summary>
    /// <exception cref="FormatException">Not of that form, out of range, or <c>auto</c> without either variable.</exception>
    public static StudyShard Parse(string text, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        environment ??= Environment.GetEnvironmentVariable;
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count is < 1 or > MaxCount)
            throw new FormatException($"'{Data.PrintableText.Escape(text, 40)}' is not K/N with N from 1 to {MaxCount:N0} (e.g. 0/4, or auto/4 inside a Kubernetes Indexed Job or a Slurm array).");
        int index;
        if (parts[0] == "auto")
        {
            if (Number(environment("JOB_COMPLETION_INDEX")) is int job) index = job;
            else if (Number(environment("SLURM_ARRAY_TASK_ID")) is int task) index = task - (Number(environment("SLURM_ARRAY_TASK_MIN")) ?? 0);
            else throw new FormatException("auto/N takes the shard from JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm), and neither is set to a number; give K/N.");
        }
        else if (Number(parts[0]) is int given) index = given;
        else throw new FormatException($"'{Data.PrintableText.Escape(parts[0], 20)}' in --shard is not a shard number or auto.");
        if (index < 0 || index >= count)
            throw new FormatException($"Shard {index} is outside 0 to {count - 1} (shards are numbered from 0: K/N with 0 ≤ K < N).");
        return new StudyShard(index, count);
    }

    private static int? Number(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
