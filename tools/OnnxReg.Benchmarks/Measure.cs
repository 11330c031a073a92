using System.Diagnostics;

namespace OnnxReg.Benchmarks;

/// <summary>Timing helpers: repeated runs, medians and percentiles (machines here are shared and noisy).</summary>
public static class Measure
{
    /// <summary>Runs <paramref name="action"/> <paramref name="count"/> times after <paramref name="warmup"/> untimed runs; returns each run's seconds.</summary>
    public static double[] Times(Action action, int count, int warmup = 1)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return times;
    }

    /// <summary>The <paramref name="percentile"/> (0–100) of <paramref name="values"/>, nearest-rank.</summary>
    public static double Percentile(IReadOnlyList<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        int rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary>The median.</summary>
    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    /// <summary>Managed bytes allocated on this thread per call of <paramref name="action"/>, over <paramref name="calls"/> calls after warm-up.</summary>
    public static double AllocatedBytesPerCall(Action action, int calls)
    {
        for (int i = 0; i < 10; i++) action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++) action();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
    }
}
