using OnnxReg.Data.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OnnxReg.Data.Images;

/// <summary>
/// Decodes image files (PNG, JPEG, BMP, GIF, WebP, TIFF…) with ImageSharp into the pixel layout a model takes:
/// CHW bytes, grayscale for one channel or RGB for three, resized (bilinear) to the model's height and width.
/// The header is read first: an image claiming more than <see cref="ResourceLimits.MaxImagePixels"/> pixels is refused
/// before anything is allocated for it, so a tiny file cannot demand gigabytes. Only the first frame of an animated
/// GIF or a multi-page TIFF is decoded (ImageSharp would otherwise decode every frame at the full canvas size); an
/// animated WebP is refused by ImageSharp 2.1 altogether.
/// </summary>
public static class ImageInput
{
    // Decoders told to read the first frame only; every other format is single-frame in ImageSharp 2.1.
    private static readonly Configuration FirstFrameOnly = CreateConfiguration();

    private static Configuration CreateConfiguration()
    {
        var configuration = Configuration.Default.Clone();
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First, MaxFrames = 1 });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    /// <summary>Decodes <paramref name="path"/> as <paramref name="preparation"/> says (colour, size, resize policy).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image ImageSharp can decode.</exception>
    public static byte[] Load(string path, ImagePreparation preparation)
    {
        ArgumentNullException.ThrowIfNull(preparation);
        return Load(path, preparation.Channels, preparation.Height, preparation.Width, preparation.Resize);
    }

    /// <summary>Decodes an image from <paramref name="stream"/> as <paramref name="preparation"/> says.</summary>
    /// <exception cref="InvalidDataException">The stream is not an image ImageSharp can decode, or claims more than <see cref="ResourceLimits.MaxImagePixels"/> pixels.</exception>
    public static byte[] Load(Stream stream, ImagePreparation preparation, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(preparation);
        return Load(stream, preparation.Channels, preparation.Height, preparation.Width, name, preparation.Resize);
    }

    /// <summary>Decodes <paramref name="path"/> into <c>channels × height × width</c> bytes.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image ImageSharp can decode.</exception>
    public static byte[] Load(string path, int channels, int height, int width, ResizePolicy resize = ResizePolicy.Stretch)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        UntrustedFile.RequireRegular(path, "image file");
        using var stream = File.OpenRead(path);
        return Load(stream, channels, height, width, path, resize);
    }

    /// <summary>Decodes an image from <paramref name="stream"/> into <c>channels × height × width</c> bytes.</summary>
    /// <exception cref="InvalidDataException">The stream is not an image ImageSharp can decode, or claims more than <see cref="ResourceLimits.MaxImagePixels"/> pixels.</exception>
    public static byte[] Load(Stream stream, int channels, int height, int width, string name = "stream", ResizePolicy resize = ResizePolicy.Stretch)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images can be fed to models with 1 (grayscale) or 3 (RGB) channels.");
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (!stream.CanSeek)
            stream = CopyBounded(stream, name);
        try
        {
            long start = stream.Position;
            var info = Image.Identify(FirstFrameOnly, stream)
                ?? throw new UnknownImageFormatException("no decoder recognises the format");
            long maxPixels = ResourceLimits.MaxImagePixels;
            if (info.Width < 1 || info.Height < 1 || (long)info.Width * info.Height > maxPixels)
                throw new InvalidDataException($"'{name}' claims to be {info.Width} × {info.Height} pixels; images up to {maxPixels:N0} pixels are accepted ({ResourceLimits.HowToRaise(ResourceLimits.MaxImagePixelsVariable)}).");
            stream.Position = start;
            if (channels == 1)
            {
                using var gray = Image.Load<L8>(FirstFrameOnly, stream);
                Fit(gray, height, width, resize);
                var pixels = new byte[height * width];
                gray.CopyPixelDataTo(pixels);
                return pixels;
            }
            using var rgb = Image.Load<Rgb24>(FirstFrameOnly, stream);
            Fit(rgb, height, width, resize);
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
            // The decoder's own words only: its exception type means nothing to the user (it stays in the inner exception).
            throw new InvalidDataException($"'{name}' is not an image that can be decoded (the decoder failed on its bytes: {e.Message.Split('\n')[0]}).", e);
        }
    }

    // A stream that cannot seek (a network body) is copied, but never more than the largest file an accepted image
    // could plausibly be: 4 bytes per pixel of the limit plus headers.
    private static long ImageByteCap => ResourceLimits.MaxImagePixels * 4 + (1 << 20);

    private static string TooLarge(string name, long cap) =>
        $"'{name}' is larger than {cap:N0} bytes, more than an image of {ResourceLimits.MaxImagePixels:N0} pixels needs ({ResourceLimits.HowToRaise(ResourceLimits.MaxImagePixelsVariable)}).";

    private static MemoryStream CopyBounded(Stream stream, string name) => BoundedCopy.Read(stream, ImageByteCap, cap => TooLarge(name, cap));

    /// <summary>Copies <paramref name="stream"/> to memory asynchronously, refusing more bytes than an image within the
    /// pixel limit can need; the copy is positioned at its start.</summary>
    /// <exception cref="InvalidDataException">The stream holds more than that.</exception>
    public static Task<MemoryStream> CopyBoundedAsync(Stream stream, string name, CancellationToken cancellation = default) =>
        BoundedCopy.ReadAsync(stream, ImageByteCap, cap => TooLarge(name, cap), cancellation);

    /// <summary>The size of the image at <paramref name="path"/> from its header alone (nothing is decoded).</summary>
    /// <exception cref="InvalidDataException">It is not an image that can be decoded.</exception>
    public static (int Height, int Width) Dimensions(string path)
    {
        using var stream = NoFollowFile.OpenReadRegular(path, "image file"); // checked on the handle
        var info = Identify(stream, path);
        return (info.Height, info.Width);
    }

    /// <summary>Reads the size and whether the pixels are gray (R = G = B everywhere) of an image file, decoding it once.</summary>
    /// <exception cref="InvalidDataException">The file is not an image ImageSharp can decode.</exception>
    public static (int Height, int Width, bool IsGray) Inspect(string path)
    {
        var rgb = Load(path, 3, 0, 0, ResizePolicy.Stretch, keepSize: true, out int height, out int width);
        int plane = height * width;
        bool gray = true;
        for (int i = 0; i < plane && gray; i++)
            gray = rgb[i] == rgb[plane + i] && rgb[i] == rgb[2 * plane + i];
        return (height, width, gray);
    }

    private static byte[] Load(string path, int channels, int height, int width, ResizePolicy resize, bool keepSize, out int keptHeight, out int keptWidth)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        UntrustedFile.RequireRegular(path, "image file");
        using var stream = File.OpenRead(path);
        var info = Identify(stream, path);
        (keptHeight, keptWidth) = keepSize ? (info.Height, info.Width) : (height, width);
        return Load(stream, channels, keptHeight, keptWidth, path, resize);
    }

    private static IImageInfo Identify(Stream stream, string name)
    {
        long start = stream.Position;
        try
        {
            return Image.Identify(FirstFrameOnly, stream) ?? throw new InvalidDataException($"'{name}' is not an image that can be decoded (no decoder recognises the format).");
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
        {
            throw new InvalidDataException($"'{name}' is not an image that can be decoded ({e.Message.Split('\n')[0]}).", e);
        }
        finally
        {
            stream.Position = start;
        }
    }

    // Brings the image to width × height as the resize policy says: stretched, centre-cropped to the aspect ratio, or
    // fitted inside and padded with black. Bilinear (triangle) resampling throughout.
    private static void Fit<TPixel>(Image<TPixel> image, int height, int width, ResizePolicy resize) where TPixel : unmanaged, IPixel<TPixel>
    {
        bool sameAspect = (long)image.Width * height == (long)image.Height * width;
        if (resize == ResizePolicy.Crop && !sameAspect)
        {
            int cropWidth = image.Width, cropHeight = image.Height;
            if ((long)image.Width * height > (long)image.Height * width)
                cropWidth = Math.Max(1, (int)Math.Round((double)image.Height * width / height));
            else
                cropHeight = Math.Max(1, (int)Math.Round((double)image.Width * height / width));
            var window = new Rectangle((image.Width - cropWidth) / 2, (image.Height - cropHeight) / 2, cropWidth, cropHeight);
            image.Mutate(x => x.Crop(window));
        }
        else if (resize == ResizePolicy.Pad && !sameAspect)
        {
            double factor = Math.Min((double)width / image.Width, (double)height / image.Height);
            int fitWidth = Math.Clamp((int)Math.Round(image.Width * factor), 1, width);
            int fitHeight = Math.Clamp((int)Math.Round(image.Height * factor), 1, height);
            image.Mutate(x => x.Resize(fitWidth, fitHeight, KnownResamplers.Triangle).Pad(width, height, Color.Black));
            return;
        }
        if (image.Width != width || image.Height != height)
            image.Mutate(x => x.Resize(width, height, KnownResamplers.Triangle));
    }
}
