using OnnxReg.Data;
using OnnxReg.Training;

namespace OnnxReg.Pipeline;

/// <summary>
/// One split of a run's data in the two forms the pipeline needs: the raw images (what the exported file is fed, as an
/// app feeds it) and the normalized tensors (what TorchSharp trains and verifies on). Owns the tensors.
/// </summary>
public sealed class PreparedSplit : IDisposable
{
    private PreparedSplit(string name, ImageDataset images, TensorDataset tensors) => (Name, Images, Tensors) = (name, images, tensors);

    /// <summary>The split's name ("train", "validation", "test"), used in results and messages.</summary>
    public string Name { get; }

    /// <summary>The images as bytes.</summary>
    public ImageDataset Images { get; }

    /// <summary>The images normalized as the model takes them, with their labels.</summary>
    public TensorDataset Tensors { get; }

    /// <summary>The number of images.</summary>
    public int Count => Images.Count;

    /// <summary>Normalizes <paramref name="images"/> with <paramref name="normalization"/> (estimated on the training split).</summary>
    public static PreparedSplit From(string name, ImageDataset images, Normalization normalization)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(images);
        return new PreparedSplit(name, images, TensorDataset.From(images, normalization));
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose() => Tensors.Dispose();
}
