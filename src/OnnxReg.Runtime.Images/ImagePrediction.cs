using OnnxReg.Data.Images;

namespace OnnxReg.Runtime;

/// <summary>Image files and streams classified by an <see cref="OnnxClassifier"/>: decoded with ImageSharp, converted
/// to the model's channels and size, then passed to <see cref="OnnxClassifier.Predict"/>.</summary>
public static class ImagePrediction
{
    /// <summary>Classifies an image file (PNG, JPEG, BMP, GIF, WebP, …).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image, or the model does not take images.</exception>
    public static Prediction PredictImage(this OnnxClassifier classifier, string path)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var (channels, height, width) = ImageShape(classifier);
        return classifier.Predict(ImageInput.Load(path, channels, height, width));
    }

    /// <summary>Classifies an image read from <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not a decodable image, or the model does not take images.</exception>
    public static Prediction PredictImage(this OnnxClassifier classifier, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var (channels, height, width) = ImageShape(classifier);
        return classifier.Predict(ImageInput.Load(stream, channels, height, width));
    }

    /// <summary>Reads an image from <paramref name="stream"/> asynchronously (an upload, a request body), then
    /// classifies it; at most as many bytes are read as an image within <see cref="Data.ResourceLimits.MaxImagePixels"/> can need.</summary>
    /// <exception cref="InvalidDataException">The stream is not a decodable image, is too large, or the model does not take images.</exception>
    public static async Task<Prediction> PredictImageAsync(this OnnxClassifier classifier, Stream stream, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(stream);
        var (channels, height, width) = ImageShape(classifier);
        using var copy = await ImageInput.CopyBoundedAsync(stream, "stream", cancellation).ConfigureAwait(false);
        return classifier.Predict(ImageInput.Load(copy, channels, height, width));
    }

    private static (int Channels, int Height, int Width) ImageShape(OnnxClassifier classifier) =>
        classifier.SampleShape is [int channels, int height, int width]
            ? (channels, height, width)
            : throw new InvalidDataException($"Model '{classifier.Path}' takes inputs of shape [{string.Join(", ", classifier.SampleShape)}], not images [channels, height, width].");
}
