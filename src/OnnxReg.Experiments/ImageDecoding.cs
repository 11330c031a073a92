using OnnxReg.Data;

namespace OnnxReg.Experiments;

/// <summary>
/// How an experiment (a study or a tuning run) decodes an image folder — <c>--image-size</c>, <c>--color</c>,
/// <c>--resize</c> as text, the form its definition file keeps — written once for both drivers.
/// </summary>
public static class ImageDecoding
{
    /// <summary>The folder options for these settings (null: inferred from the folder; stretch by default).</summary>
    /// <exception cref="ArgumentException">A value is not valid (the message names it).</exception>
    public static ImageFolderOptions Options(string? imageSize, string? color, string? resize)
    {
        if (imageSize is null && color is null && resize is null) return new ImageFolderOptions();
        try
        {
            return new ImageFolderOptions
            {
                Size = imageSize is null ? null : ImagePreparation.ParseSize(imageSize),
                Color = color is null ? null : Choice<ColorMode>(color, "Color"),
                Resize = resize is null ? ResizePolicy.Stretch : Choice<ResizePolicy>(resize, "Resize"),
            };
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message, "ImageSize", e);
        }
    }

    /// <summary>What a run's fingerprint adds for these settings: empty when none is set, so the fingerprints of
    /// experiments that set none stay as they were.</summary>
    public static string Signature(string? imageSize, string? color, string? resize) =>
        imageSize is null && color is null && resize is null ? "" : $"|{imageSize}|{color}|{resize}";

    private static T Choice<T>(string text, string what) where T : struct, Enum =>
        Enum.GetNames<T>().FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<T>(name)
            : throw new ArgumentException($"{what} '{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.", what);
}
