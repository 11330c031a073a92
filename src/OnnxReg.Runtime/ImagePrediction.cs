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

    private static (int Channels, int Height, int Width) ImageShape(OnnxClassifier classifier) =>
        classifier.SampleShape is [int channels, int height, int width]
            ? (channels, height, width)
            : throw new InvalidDataException($"Model '{classifier.Path}' takes inputs of shape [{string.Join(", ", classifier.SampleShape)}], not images [channels, height, width].");
}
