namespace OnnxReg.Training.Augmentation;

/// <summary>Beta(α, α) samples from two Gamma samples (Marsaglia–Tsang), from a seeded <see cref="Random"/>.</summary>
internal static class BetaSampler
{
    public static double Sample(Random random, double alpha)
    {
        double x = Gamma(random, alpha), y = Gamma(random, alpha);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    private static double Gamma(Random random, double shape)
    {
        if (shape < 1)
            return Gamma(random, shape + 1) * Math.Pow(random.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = random.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
                return d * v;
        }
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
