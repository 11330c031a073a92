namespace OnnxReg.Data;

/// <summary>
/// How <see cref="ImageFolder"/> decodes a folder of images: the colour and size to bring every image to (each
/// inferred from the first training images when not given), the resize policy for other aspect ratios, how many
/// threads decode, and where progress goes.
/// </summary>
public sealed record ImageFolderOptions
{
    /// <summary>Grayscale or RGB; null to infer: gray when the first training images (one per class, up to 16) are all gray (R = G = B), else RGB.</summary>
    public ColorMode? Color { get; init; }

    /// <summary>Height and width; null to take the first training image's size.</summary>
    public (int Height, int Width)? Size { get; init; }

    /// <summary>What happens to images of another aspect ratio (default: stretch, as Keras does).</summary>
    public ResizePolicy Resize { get; init; } = ResizePolicy.Stretch;

    /// <summary>Decoding threads; 0 (the default) uses every core.</summary>
    public int Threads { get; init; }

    /// <summary>Told (split name, images decoded, images in the split) as decoding goes, from any thread; null for silence.</summary>
    public Action<string, int, int>? Progress { get; init; }

    /// <summary>The options that decode images exactly as <paramref name="preparation"/> says (for evaluating a model
    /// on a folder: the model's recorded preparation).</summary>
    public static ImageFolderOptions From(ImagePreparation preparation)
    {
        ArgumentNullException.ThrowIfNull(preparation);
        return new() { Color = preparation.Color, Size = (preparation.Height, preparation.Width), Resize = preparation.Resize };
    }
}
