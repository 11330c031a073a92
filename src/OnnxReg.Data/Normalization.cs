namespace OnnxReg.Data;

/// <summary>
/// How raw pixels become model inputs: <c>x = (pixel / 255 − Mean) / Std</c>. The trainer and the runtime
/// both call <see cref="Apply"/>, so the exported model sees exactly the inputs it was trained on; the
/// exporter records the values in the model's metadata.
/// </summary>
/// <param name="Mean">Mean of the scaled pixels (0–1) subtracted from each value.</param>
/// <param name="Std">Standard deviation the centred values are divided by; must be positive.</param>
public sealed record Normalization(float Mean, float Std)
{
    /// <summary>Scaling to 0–1 only.</summary>
    public static Normalization None { get; } = new(0f, 1f);

    /// <summary>
    /// The mean and standard deviation of <paramref name="pixels"/> scaled to 0–1 (for Fashion-MNIST's
    /// training set: 0.2860 and 0.3530). Estimate on the training split only, never on test data.
    /// </summary>
    /// <exception cref="ArgumentException">No pixels, or all pixels equal (no spread to divide by).</exception>
    public static Normalization Estimate(ReadOnlySpan<byte> pixels)
    {
        if (pixels.IsEmpty)
            throw new ArgumentException("Cannot estimate a normalization from zero pixels.", nameof(pixels));
        Span<long> histogram = stackalloc long[256];
        foreach (byte p in pixels) histogram[p]++;
        double sum = 0, sumOfSquares = 0;
        for (int v = 0; v < 256; v++)
        {
            double x = v / 255.0;
            sum += histogram[v] * x;
            sumOfSquares += histogram[v] * x * x;
        }
        double mean = sum / pixels.Length;
        double std = Math.Sqrt(Math.Max(0, sumOfSquares / pixels.Length - mean * mean));
        if (std < 1e-6)
            throw new ArgumentException("All pixels have the same value; there is no spread to normalize by.", nameof(pixels));
        return new Normalization((float)Math.Round(mean, 4), (float)Math.Round(std, 4));
    }

    /// <summary>Checks that the values can be used.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Std is not positive, or a value is not finite.</exception>
    public void Validate()
    {
        if (!float.IsFinite(Mean))
            throw new ArgumentOutOfRangeException(nameof(Mean), Mean, $"Normalization mean must be finite. Received: Mean={Mean}.");
        if (!(Std > 0) || !float.IsFinite(Std))
            throw new ArgumentOutOfRangeException(nameof(Std), Std, $"Normalization std must be positive and finite. Received: Std={Std}.");
    }

    /// <summary>Normalizes <paramref name="pixels"/> into <paramref name="destination"/> (same length).</summary>
    public void Apply(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (destination.Length < pixels.Length)
            throw new ArgumentException($"Destination holds {destination.Length} values; {pixels.Length} are needed.", nameof(destination));
        float scale = 1f / 255f;
        float inverseStd = 1f / Std;
        for (int i = 0; i < pixels.Length; i++)
            destination[i] = (pixels[i] * scale - Mean) * inverseStd;
    }
}
