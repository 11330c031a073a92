using OnnxReg.Data;
using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>
/// A dataset held as two tensors for the whole run: normalized images [N, C, H, W] (float32) and labels [N]
/// (int64). It owns both; dispose it when training ends. Batches are taken by index from these tensors, so
/// no managed arrays are copied per batch.
/// </summary>
public sealed class TensorDataset : IDisposable
{
    private TensorDataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames, Normalization normalization)
    {
        Images = images;
        Labels = labels;
        ClassNames = classNames;
        Normalization = normalization;
    }

    /// <summary>Normalized images, [N, C, H, W].</summary>
    public Tensor Images { get; }

    /// <summary>Class indices, [N].</summary>
    public Tensor Labels { get; }

    /// <summary>The number of images.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>The number of classes of the source dataset.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>The class names of the source dataset, in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>How the source images were decoded from files, or null (IDX data).</summary>
    public ImagePreparation? Preparation { get; private init; }

    /// <summary>The normalization applied to the pixels.</summary>
    public Normalization Normalization { get; }

    /// <summary>Normalizes <paramref name="data"/> with <paramref name="normalization"/> into tensors.</summary>
    public static TensorDataset From(ImageDataset data, Normalization normalization)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(normalization);
        normalization.Validate(data.Channels);
        var values = new float[data.Pixels.LongLength];
        normalization.Apply(data.Pixels, values, data.Height * data.Width);
        var labels = data.Labels.Select(l => (long)l).ToArray();
        // Owned by the dataset alone: made inside a caller's dispose scope (a split prepared on first use), they
        // must not be freed when that scope ends.
        return new TensorDataset(
            tensor(values, [data.Count, data.Channels, data.Height, data.Width]).DetachFromDisposeScope(),
            tensor(labels, [data.Count]).DetachFromDisposeScope(),
            data.ClassNames,
            normalization)
        {
            Preparation = data.Preparation,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
