namespace OnnxReg.Data;

/// <summary>
/// Labelled images held as raw bytes in memory: <see cref="Pixels"/> is [Count, Channels, Height, Width]
/// row-major (0–255), <see cref="Labels"/> one class index per image.
/// </summary>
public sealed class ImageDataset
{
    /// <summary>Creates a dataset and checks that pixels, labels and class names agree.</summary>
    /// <exception cref="ArgumentException">Sizes disagree, or a label is not a valid class index.</exception>
    public ImageDataset(byte[] pixels, byte[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"Image dimensions must be positive; received channels={channels}, height={height}, width={width}.");
        if (classNames.Count < 2)
            throw new ArgumentException($"A classification dataset needs at least 2 classes; received {classNames.Count}.", nameof(classNames));
        long sampleSize = (long)channels * height * width;
        if (pixels.LongLength != labels.LongLength * sampleSize)
            throw new ArgumentException($"{pixels.LongLength} pixel bytes do not make {labels.Length} images of {channels}x{height}x{width}.", nameof(pixels));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of image {i} is not a class index below {classNames.Count}.", nameof(labels));
        Pixels = pixels;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = classNames;
    }

    /// <summary>Pixel values 0–255, [Count, Channels, Height, Width] row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>The class index of each image.</summary>
    public byte[] Labels { get; }

    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Channels per image (1 for grayscale).</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Values per image: <c>Channels × Height × Width</c>.</summary>
    public int SampleSize => Channels * Height * Width;

    /// <summary>The class names, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>How the images were decoded from files (colour, size, resize policy), or null when they were not
    /// (IDX files). Training records it in the model, so photos are later prepared the same way.</summary>
    public ImagePreparation? Preparation
    {
        get => _preparation;
        init
        {
            if (value is not null && (value.Channels != Channels || value.Height != Height || value.Width != Width))
                throw new ArgumentException($"Image preparation {value} does not give this dataset's {Channels}x{Height}x{Width} images.", nameof(Preparation));
            _preparation = value;
        }
    }

    private readonly ImagePreparation? _preparation;

    /// <summary>The images at the given indices, in that order, as a new dataset.</summary>
    public ImageDataset Subset(ReadOnlySpan<int> indices)
    {
        int size = SampleSize;
        var pixels = new byte[(long)indices.Length * size];
        var labels = new byte[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int source = indices[i];
            if ((uint)source >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), source, $"Index must be below the dataset's {Count} images.");
            Array.Copy(Pixels, (long)source * size, pixels, (long)i * size, size);
            labels[i] = Labels[source];
        }
        return new ImageDataset(pixels, labels, Channels, Height, Width, ClassNames) { Preparation = Preparation };
    }

    /// <summary>The first <paramref name="count"/> images (all of them if there are fewer).</summary>
    public ImageDataset Take(int count)
    {
        if (count < 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, "Count must be zero or more.");
        if (count >= Count)
            return this;
        return Subset(Enumerable.Range(0, count).ToArray());
    }
}
