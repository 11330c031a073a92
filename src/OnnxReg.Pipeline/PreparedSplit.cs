using OnnxReg.Data;
using OnnxReg.Training;

namespace OnnxReg.Pipeline;

/// <summary>
/// One split of a run's data in the two forms the pipeline needs: the raw images (what the exported file is fed, as an
/// app feeds it) and the normalized tensors (what TorchSharp trains and verifies on). Owns the tensors once made.
/// </summary>
public sealed class PreparedSplit : IDisposable
{
    private readonly Normalization _normalization;
    private readonly long _floatCacheLimitBytes;
    private TensorDataset? _tensors;

    private PreparedSplit(string name, ImageDataset images, Normalization normalization, long floatCacheLimitBytes) =>
        (Name, Images, _normalization, _floatCacheLimitBytes) = (name, images, normalization, floatCacheLimitBytes);

    /// <summary>The split's name ("train", "validation", "test"), used in results and messages.</summary>
    public string Name { get; }

    /// <summary>The images as bytes.</summary>
    public ImageDataset Images { get; }

    /// <summary>The images normalized as the model takes them, with their labels; made on first use, so a split that
    /// TorchSharp never sees (the study's test split, measured only on the exported file) costs no tensor memory.</summary>
    public TensorDataset Tensors => _tensors ??= TensorDataset.From(Images, _normalization, _floatCacheLimitBytes);

    /// <summary>The number of images.</summary>
    public int Count => Images.Count;

    /// <summary>Normalizes <paramref name="images"/> with <paramref name="normalization"/> (estimated on the training split).
    /// <paramref name="readOnce"/>: the split is read once (the test split, verified and measured after training), so it
    /// is normalized a batch at a time instead of held as floats too — the same values, without 4 bytes per pixel.</summary>
    public static PreparedSplit From(string name, ImageDataset images, Normalization normalization, bool readOnce = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(normalization);
        return new PreparedSplit(name, images, normalization, readOnce ? 0 : TensorDataset.FloatCacheLimitBytes);
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        _tensors?.Dispose();
        _tensors = null;
    }
}
