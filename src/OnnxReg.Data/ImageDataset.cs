using OnnxReg.Data.Storage;

namespace OnnxReg.Data;

/// <summary>
/// Labelled images as raw bytes, [Count, Channels, Height, Width] row-major (0–255), with one class index per image
/// (<see cref="Labels"/>, always in memory). The pixels are one array in memory (<see cref="Pixels"/>), or — for a
/// split too large to hold — an <see cref="IImageStore"/> that reads them from disk on demand (<see cref="IsStreamed"/>).
/// Either way <see cref="ReadImages(int, int, Span{byte})"/> gives the same bytes.
/// </summary>
public sealed class ImageDataset
{
    private readonly byte[]? _pixels;
    private readonly IImageStore? _store;

    /// <summary>Creates a dataset and checks that pixels, labels and class names agree.</summary>
    /// <exception cref="ArgumentException">Sizes disagree, or a label is not a valid class index.</exception>
    public ImageDataset(byte[] pixels, byte[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long sampleSize = CheckShape(labels, channels, height, width, classNames);
        if (pixels.LongLength != labels.LongLength * sampleSize)
            throw new ArgumentException($"{pixels.LongLength} pixel bytes do not make {labels.Length} images of {channels}x{height}x{width}.", nameof(pixels));
        _pixels = pixels;
        (Labels, Channels, Height, Width, ClassNames) = (labels, channels, height, width, classNames);
    }

    /// <summary>Creates a dataset whose pixels are read from <paramref name="store"/> when needed.</summary>
    /// <exception cref="ArgumentException">The store's image count or size disagrees with the labels and dimensions, or a label is not a valid class index.</exception>
    public ImageDataset(IImageStore store, byte[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(store);
        long sampleSize = CheckShape(labels, channels, height, width, classNames);
        if (store.Count != labels.Length || store.SampleSize != sampleSize)
            throw new ArgumentException($"The store's {store.Count} images of {store.SampleSize} bytes do not make {labels.Length} images of {channels}x{height}x{width}.", nameof(store));
        _store = store;
        (Labels, Channels, Height, Width, ClassNames) = (labels, channels, height, width, classNames);
    }

    // The checks both constructors make; returns the bytes per image.
    private static long CheckShape(byte[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"Image dimensions must be positive; received channels={channels}, height={height}, width={width}.");
        if (classNames.Count < 2)
            throw new ArgumentException($"A classification dataset needs at least 2 classes; received {classNames.Count}.", nameof(classNames));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of image {i} is not a class index below {classNames.Count}.", nameof(labels));
        return (long)channels * height * width;
    }

    /// <summary>Pixel values 0–255, [Count, Channels, Height, Width] row-major, when the split is held in memory.</summary>
    /// <exception cref="InvalidOperationException">The split is streamed from disk (<see cref="IsStreamed"/>); read it with <see cref="ReadImages(int, int, Span{byte})"/>.</exception>
    public byte[] Pixels => _pixels ?? throw new InvalidOperationException(
        $"This split's {Count:N0} images are streamed from disk, not held in memory; read them with ReadImages.");

    /// <summary>True when the pixels are read from disk on demand rather than held in one array.</summary>
    public bool IsStreamed => _store is not null;

    /// <summary>The bytes all images take decoded: <c>Count × SampleSize</c>.</summary>
    public long ByteCount => (long)Count * SampleSize;

    /// <summary>Copies images <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1 into
    /// <paramref name="destination"/> (<c>count × SampleSize</c> bytes).</summary>
    public void ReadImages(int start, int count, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (long)count, Count, nameof(count));
        if (_pixels is not null)
        {
            _pixels.AsSpan((int)((long)start * SampleSize), count * SampleSize).CopyTo(destination);
            return;
        }
        var indices = count <= 1024 ? stackalloc int[count] : new int[count];
        for (int i = 0; i < count; i++) indices[i] = start + i;
        _store!.Read(indices, destination[..(count * SampleSize)]);
    }

    /// <summary>The bytes of images <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1:
    /// a slice of <see cref="Pixels"/> when the split is in memory (nothing copied), else read into
    /// <paramref name="buffer"/> (at least <c>count × SampleSize</c> bytes) and a slice of it.</summary>
    public ReadOnlySpan<byte> View(int start, int count, byte[] buffer)
    {
        if (_pixels is not null)
            return _pixels.AsSpan((int)((long)start * SampleSize), count * SampleSize);
        ArgumentNullException.ThrowIfNull(buffer);
        ReadImages(start, count, buffer);
        return buffer.AsSpan(0, count * SampleSize);
    }

    /// <summary>Copies the images at <paramref name="indices"/>, in that order, into <paramref name="destination"/>.</summary>
    public void ReadImages(ReadOnlySpan<int> indices, Span<byte> destination)
    {
        if (_store is not null)
        {
            _store.Read(indices, destination[..(indices.Length * SampleSize)]);
            return;
        }
        int size = SampleSize;
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"Index must be below the dataset's {Count} images.");
            _pixels!.AsSpan((int)((long)indices[i] * size), size).CopyTo(destination.Slice(i * size, size));
        }
    }

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
        if (_store is not null)
        {
            var subsetLabels = new byte[indices.Length];
            for (int i = 0; i < indices.Length; i++)
            {
                if ((uint)indices[i] >= (uint)Count)
                    throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"Index must be below the dataset's {Count} images.");
                subsetLabels[i] = Labels[indices[i]];
            }
            return new ImageDataset(new IndexedImageStore(_store, indices), subsetLabels, Channels, Height, Width, ClassNames) { Preparation = Preparation };
        }
        int size = SampleSize;
        var pixels = new byte[(long)indices.Length * size];
        var labels = new byte[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int source = indices[i];
            if ((uint)source >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), source, $"Index must be below the dataset's {Count} images.");
            Array.Copy(_pixels!, (long)source * size, pixels, (long)i * size, size);
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
