using OnnxReg.Data.Images;

namespace OnnxReg.Runtime;

/// <summary>Image files and streams classified by an <see cref="OnnxClassifier"/>: decoded with ImageSharp, converted
/// to the model's channels and size, then passed to <see cref="OnnxClassifier.Predict"/>.</summary>
public static class ImagePrediction
{
    /// <summary>Classifies an image file (PNG, JPEG, BMP, GIF, WebP, …) of any size, colour or grayscale, prepared as
    /// the model's training images were (<see cref="Data.ModelDescription.Image"/>: colour, size, resize policy).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image, or the model does not take images.</exception>
    public static Prediction PredictImage(this OnnxClassifier classifier, string path)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        return classifier.Predict(ImageInput.Load(path, Preparation(classifier)));
    }

    /// <summary>Classifies an image read from <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not a decodable image, or the model does not take images.</exception>
    public static Prediction PredictImage(this OnnxClassifier classifier, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        return classifier.Predict(ImageInput.Load(stream, Preparation(classifier)));
    }

    /// <summary>Reads an image from <paramref name="stream"/> asynchronously (an upload, a request body), then
    /// classifies it; at most as many bytes are read as an image within <see cref="Data.ResourceLimits.MaxImagePixels"/> can need.</summary>
    /// <exception cref="InvalidDataException">The stream is not a decodable image, is too large, or the model does not take images.</exception>
    public static async Task<Prediction> PredictImageAsync(this OnnxClassifier classifier, Stream stream, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(stream);
        var preparation = Preparation(classifier);
        using var copy = await ImageInput.CopyBoundedAsync(stream, "stream", cancellation).ConfigureAwait(false);
        return classifier.Predict(ImageInput.Load(copy, preparation));
    }

    /// <summary>How image files are prepared for <paramref name="classifier"/>: what its description records, else
    /// grayscale or RGB at its input size, stretched (models trained on IDX data, or exported by other tools).</summary>
    /// <exception cref="InvalidDataException">The model does not take images [1 or 3 channels, height, width].</exception>
    public static Data.ImagePreparation Preparation(this OnnxClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        if (classifier.Description.Image is { } recorded)
            return recorded;
        return classifier.SampleShape is [int channels and (1 or 3), int height, int width]
            ? Data.ImagePreparation.For(channels, height, width)
            : throw new InvalidDataException($"Model '{classifier.Path}' takes inputs of shape [{string.Join(", ", classifier.SampleShape)}], not images [1 or 3 channels, height, width].");
    }
}
