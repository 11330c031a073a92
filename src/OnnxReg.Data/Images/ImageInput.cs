using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OnnxReg.Data.Images;

/// <summary>
/// Decodes image files (PNG, JPEG, BMP, GIF, WebP, TIFF…) with ImageSharp into the pixel layout a model takes:
/// CHW bytes, grayscale for one channel or RGB for three, resized (bilinear) to the model's height and width.
/// The header is read first: an image claiming more than <see cref="MaxPixels"/> pixels is refused before anything is
/// allocated for it, so a tiny file cannot demand gigabytes.
/// </summary>
public static class ImageInput
{
    /// <summary>The largest image accepted, in pixels (64 megapixels: 8192 × 8192).</summary>
    public const long MaxPixels = 8192L * 8192;

    /// <summary>Decodes <paramref name="path"/> into <c>channels × height × width</c> bytes.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image ImageSharp can decode.</exception>
    public static byte[] Load(string path, int channels, int height, int width)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return Load(stream, channels, height, width, path);
    }

    /// <summary>Decodes an image from <paramref name="stream"/> into <c>channels × height × width</c> bytes.</summary>
    /// <exception cref="InvalidDataException">The stream is not an image ImageSharp can decode, or claims more than <see cref="MaxPixels"/> pixels.</exception>
    public static byte[] Load(Stream stream, int channels, int height, int width, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images can be fed to models with 1 (grayscale) or 3 (RGB) channels.");
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        try
        {
            long start = stream.Position;
            var info = Image.Identify(stream)
                ?? throw new UnknownImageFormatException("no decoder recognises the format");
            if (info.Width < 1 || info.Height < 1 || (long)info.Width * info.Height > MaxPixels)
                throw new InvalidDataException($"'{name}' claims to be {info.Width} × {info.Height} pixels; images up to {MaxPixels:N0} pixels are accepted.");
            stream.Position = start;
            if (channels == 1)
            {
                using var gray = Image.Load<L8>(stream);
                Fit(gray, height, width);
                var pixels = new byte[height * width];
                gray.CopyPixelDataTo(pixels);
                return pixels;
            }
            using var rgb = Image.Load<Rgb24>(stream);
            Fit(rgb, height, width);
            var interleaved = new byte[height * width * 3];
            rgb.CopyPixelDataTo(interleaved);
            var planar = new byte[interleaved.Length];
            int plane = height * width;
            for (int i = 0; i < plane; i++)
                for (int c = 0; c < 3; c++)
                    planar[c * plane + i] = interleaved[i * 3 + c];
            return planar;
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or SixLabors.ImageSharp.Memory.InvalidMemoryOperationException)
        {
            throw new InvalidDataException($"'{name}' is not an image that can be decoded ({e.Message.Split('\n')[0]}).", e);
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
        {
            // ImageSharp 2.1 throws other exceptions on some malformed files too (NullReferenceException on damaged
            // JPEGs, InvalidOperationException on oversized BMPs: found by the fuzz test). The bytes are untrusted,
            // so any decoder failure is reported as a file that does not decode.
            throw new InvalidDataException($"'{name}' is not an image that can be decoded (the decoder failed: {e.GetType().Name}: {e.Message.Split('\n')[0]}).", e);
        }
    }

    private static void Fit<TPixel>(Image<TPixel> image, int height, int width) where TPixel : unmanaged, IPixel<TPixel>
    {
        if (image.Width != width || image.Height != height)
            image.Mutate(x => x.Resize(width, height, KnownResamplers.Triangle));
    }
}
