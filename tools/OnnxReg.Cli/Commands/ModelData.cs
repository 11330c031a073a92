using OnnxReg.Data;
using OnnxReg.Runtime;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// Loads the data a model is evaluated on: an image folder is decoded as the model's training images were (its
/// recorded colour, size and resize policy, else its input shape), so a model trained at 64 × 64 RGB is measured on
/// 64 × 64 RGB images; IDX data are what they are. Splits are kept per preparation, so models that share one decode
/// the folder once.
/// </summary>
internal sealed class ModelData(string source)
{
    private readonly Dictionary<ImagePreparation, ImageDataset> _decoded = [];
    private ImageDataset? _idx;
    private readonly bool _isImageFolder = DatasetSource.IsImageFolder(source);

    /// <summary>The test split decoded with <paramref name="preparation"/> when <paramref name="source"/> is an image
    /// folder (for exporting a checkpoint, which records how its images were prepared); IDX data as they are.</summary>
    public static ImageDataset LoadTest(string source, ImagePreparation? preparation) =>
        DatasetSource.LoadTest(source, DatasetSource.IsImageFolder(source) && preparation is not null ? ImageFolderOptions.From(preparation) : null);

    /// <summary>The test split (or the training split) as <paramref name="model"/> takes it.</summary>
    public ImageDataset For(OnnxClassifier model, string split = "test")
    {
        if (!_isImageFolder || Preparation(model) is not { } preparation)
            return _idx ??= Load(null, split);
        if (!_decoded.TryGetValue(preparation, out var data))
            _decoded[preparation] = data = Load(ImageFolderOptions.From(preparation), split);
        return data;
    }

    private ImageDataset Load(ImageFolderOptions? options, string split) =>
        split == "train" ? DatasetSource.Load(source, options).Train : DatasetSource.LoadTest(source, options);

    private static ImagePreparation? Preparation(OnnxClassifier model)
    {
        try { return model.Preparation(); }
        catch (InvalidDataException) { return null; } // not an image model: the shape check of the evaluation says so
    }
}
