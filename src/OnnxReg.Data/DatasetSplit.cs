namespace OnnxReg.Data;

/// <summary>Deterministic train/validation splits.</summary>
public static class DatasetSplit
{
    /// <summary>
    /// Shuffles the indices with <paramref name="seed"/> and holds out <paramref name="validationFraction"/>
    /// of the images (rounded down) for validation; the same seed always gives the same split.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in [0, 1).</exception>
    public static (ImageDataset Train, ImageDataset Validation) TrainValidation(ImageDataset data, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction,
                $"Validation fraction must be in [0, 1). Received: {validationFraction}.");
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(seed).Shuffle(order);
        int validationCount = (int)(data.Count * validationFraction);
        var validation = order.AsSpan(0, validationCount).ToArray();
        var train = order.AsSpan(validationCount).ToArray();
        // Sorted so that each part keeps the source order; the trainer shuffles batches itself.
        Array.Sort(validation);
        Array.Sort(train);
        return (data.Subset(train), data.Subset(validation));
    }
}
