namespace OnnxReg.Data.Storage;

/// <summary>
/// Where the pixels of an <see cref="ImageDataset"/> live when they are not one array in memory: image files decoded
/// a batch at a time, or a decoded cache on disk read in place. Each image is <c>SampleSize</c> bytes in the dataset's
/// [C, H, W] layout (0–255). Implementations are safe to call from several threads at once, and give the same bytes
/// for an index every time.
/// </summary>
public interface IImageStore
{
    /// <summary>The number of images.</summary>
    int Count { get; }

    /// <summary>Bytes per image.</summary>
    int SampleSize { get; }

    /// <summary>Copies the images at <paramref name="indices"/>, in that order, into <paramref name="destination"/>
    /// (<c>indices.Length × SampleSize</c> bytes).</summary>
    /// <exception cref="InvalidDataException">An image file no longer decodes, or the cache file is damaged.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    void Read(ReadOnlySpan<int> indices, Span<byte> destination);
}
