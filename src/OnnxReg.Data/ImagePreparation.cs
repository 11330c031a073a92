using System.Globalization;
using System.Text.Json.Serialization;

namespace OnnxReg.Data;

/// <summary>The colour an image is decoded to.</summary>
public enum ColorMode
{
    /// <summary>One channel: luminance, as ImageSharp's 8-bit grayscale (L8) computes it from colour images.</summary>
    Gray,

    /// <summary>Three channels, red, green and blue.</summary>
    Rgb,
}

/// <summary>How an image whose aspect ratio differs from the model's is brought to the model's size (Keras'
/// <c>image_dataset_from_directory</c> options are the anchor).</summary>
public enum ResizePolicy
{
    /// <summary>Resize to the model's size, changing the aspect ratio (Keras' default).</summary>
    Stretch,

    /// <summary>Cut the largest centred window of the model's aspect ratio, then resize (Keras' <c>crop_to_aspect_ratio</c>).</summary>
    Crop,

    /// <summary>Resize to fit inside the model's size keeping the aspect ratio, then pad with black, centred (Keras'
    /// <c>pad_to_aspect_ratio</c> pads first; resizing first gives the same picture without ever making a canvas larger than the image).</summary>
    Pad,
}

/// <summary>
/// How an image file becomes a model's pixels: decoded to <see cref="Color"/>, brought to <see cref="Width"/> ×
/// <see cref="Height"/> by <see cref="Resize"/> with bilinear resampling, laid out CHW as bytes 0–255. Training records
/// it in the model file, so <c>onnxreg predict</c>, <c>eval</c> on image folders and an app's <c>PredictImage</c>
/// prepare any photo exactly as the training images were.
/// </summary>
/// <param name="Color">Grayscale or RGB.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Resize">What happens when the aspect ratio differs.</param>
public sealed record ImagePreparation(ColorMode Color, int Height, int Width, ResizePolicy Resize = ResizePolicy.Stretch)
{
    /// <summary>The largest side accepted (a 4,096-pixel square RGB image is 50 MB per sample).</summary>
    public const int MaxSide = 4096;

    /// <summary>Channels per image: 1 for <see cref="ColorMode.Gray"/>, 3 for <see cref="ColorMode.Rgb"/>.</summary>
    [JsonIgnore]
    public int Channels => Color == ColorMode.Rgb ? 3 : 1;

    /// <summary>Bytes per prepared image: channels × height × width.</summary>
    [JsonIgnore]
    public long SampleSize => (long)Channels * Height * Width;

    /// <summary>The preparation that gives images of <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Channels is not 1 or 3, or a side is out of range.</exception>
    public static ImagePreparation For(int channels, int height, int width, ResizePolicy resize = ResizePolicy.Stretch)
    {
        var preparation = new ImagePreparation(channels switch
        {
            1 => ColorMode.Gray,
            3 => ColorMode.Rgb,
            _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images have 1 (grayscale) or 3 (RGB) channels."),
        }, height, width, resize);
        preparation.Validate();
        return preparation;
    }

    /// <summary>Checks the sizes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A side is below 1 or above <see cref="MaxSide"/>, or an enum value is unknown.</exception>
    public void Validate()
    {
        if (Height is < 1 or > MaxSide || Width is < 1 or > MaxSide)
            throw new ArgumentOutOfRangeException(nameof(Height), $"Image size must be 1 to {MaxSide} pixels per side; received {Width}x{Height} (width x height).");
        if (!Enum.IsDefined(Color) || !Enum.IsDefined(Resize))
            throw new ArgumentOutOfRangeException(nameof(Color), $"Unknown colour mode {Color} or resize policy {Resize}.");
    }

    /// <summary>Parses an image size: <c>64</c> (square) or <c>WIDTHxHEIGHT</c>, e.g. <c>64x48</c> (64 wide, 48 high).</summary>
    /// <exception cref="FormatException">The text is not a size within 1…<see cref="MaxSide"/>.</exception>
    public static (int Height, int Width) ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split('x');
        if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v is >= 1 and <= MaxSide))
        {
            int width = int.Parse(parts[0], CultureInfo.InvariantCulture);
            int height = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : width;
            return (height, width);
        }
        throw new FormatException($"Image size '{PrintableText.Escape(text)}' is not SIZE or WIDTHxHEIGHT with sides 1 to {MaxSide}, e.g. 64 or 64x48.");
    }

    /// <summary>E.g. <c>64x64 rgb, crop</c>.</summary>
    public override string ToString() =>
        $"{Width}x{Height} {Color.ToString().ToLowerInvariant()}, {Resize.ToString().ToLowerInvariant()}";
}
