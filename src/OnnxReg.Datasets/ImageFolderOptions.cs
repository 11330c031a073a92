namespace OnnxReg.Data;

/// <summary>
/// How <see cref="ImageFolder"/> decodes a folder of images: the colour and size to bring every image to (each
/// inferred from the training images when not given), the resize policy for other aspect ratios, how many
/// threads decode, and where progress goes.
/// </summary>
public sealed record ImageFolderOptions
{
    /// <summary>Grayscale or RGB; null to infer: gray when the first training images (one per class, up to 16) are all gray (R = G = B), else RGB.</summary>
    public ColorMode? Color { get; init; }

    /// <summary>Height and width; null to infer: the most common size among the first <see cref="SizeSample"/>
    /// training images (headers only), scaled down to at most <see cref="MaxInferredSide"/> pixels per side.</summary>
    public (int Height, int Width)? Size { get; init; }

    /// <summary>How many training images (in the folder's interleaved order) are looked at to infer the size.</summary>
    public const int SizeSample = 32;

    /// <summary>The largest side an inferred size has: a folder of photos is brought to this (keeping the aspect ratio)
    /// unless <see cref="Size"/> asks for more; one camera photo that sorts first no longer sets the size of all.</summary>
    public const int MaxInferredSide = 256;

    /// <summary>Decode only the first N training images (in the folder's interleaved order, so every class is in them);
    /// null for all. <c>train --train-size</c> sets it, so images that would be dropped are never decoded.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>What happens to images of another aspect ratio (default: stretch, as Keras does).</summary>
    public ResizePolicy Resize { get; init; } = ResizePolicy.Stretch;

    /// <summary>Decoding threads; 0 (the default) uses every core.</summary>
    public int Threads { get; init; }

    /// <summary>A folder for decoded copies of the splits (<c>--cache DIR</c>): the first load decodes each split into a
    /// file there, later epochs and runs read the raw pixels from it; a changed folder or decoding gets a new file.
    /// Null (the default) for none.</summary>
    public string? Cache { get; init; }

    /// <summary>The most bytes a split may take decoded and still be held in memory; a larger split is streamed from
    /// disk a batch at a time. Null (the default): <see cref="ResourceLimits.MaxInMemoryImageBytes"/>.</summary>
    public long? InMemoryLimitBytes { get; init; }

    /// <summary>Told (split name, images decoded, images in the split) as decoding goes, from any thread; null for silence.
    /// A streamed split reports its first pass as "NAME (first pass)", building a cache as "NAME (cache)".</summary>
    public Action<string, int, int>? Progress { get; init; }

    /// <summary>The options that decode images exactly as <paramref name="preparation"/> says (for evaluating a model
    /// on a folder: the model's recorded preparation).</summary>
    public static ImageFolderOptions From(ImagePreparation preparation)
    {
        ArgumentNullException.ThrowIfNull(preparation);
        return new() { Color = preparation.Color, Size = (preparation.Height, preparation.Width), Resize = preparation.Resize };
    }
}
