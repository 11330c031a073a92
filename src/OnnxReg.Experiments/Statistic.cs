namespace OnnxReg.Experiments;

/// <summary>A figure over seeds: the mean and the sample standard deviation (0 for a single seed).</summary>
public sealed record Statistic(double Mean, double Std)
{
    /// <summary>The mean and standard deviation of <paramref name="values"/>.</summary>
    public static Statistic Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return new Statistic(double.NaN, double.NaN);
        double mean = list.Average();
        double std = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : 0;
        return new Statistic(mean, std);
    }
}

/// <summary>
/// A technique's difference from the reference on one figure. It counts as a real difference only when it is
/// larger than the combined seed spread √(sd_a² + sd_b²); smaller differences are reported as within the spread.
/// </summary>
public sealed record Difference(double Delta, double Spread)
{
    /// <summary>True when |Δ| exceeds the combined spread.</summary>
    public bool BeyondSpread => Math.Abs(Delta) > Spread;

    /// <summary>The difference between two statistics (a − b) over <paramref name="seeds"/> seeds. With fewer than two
    /// seeds there is no spread to judge by, so the spread is infinite and no difference counts.</summary>
    public static Difference Between(Statistic a, Statistic b, int seeds = 2) =>
        new(a.Mean - b.Mean, seeds < 2 ? double.PositiveInfinity : Math.Sqrt(a.Std * a.Std + b.Std * b.Std));
}
