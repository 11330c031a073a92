namespace OnnxReg.Data;

/// <summary>
/// Perturbed copies of a dataset's images, for measuring robustness on the artifact that ships: rotation and
/// scaling about the centre (bilinear, black fill), Gaussian pixel noise, and a black occluding square. Labels
/// are kept; the source is not modified; random perturbations are reproducible from their seed.
/// </summary>
public static class ImagePerturbations
{
    /// <summary>Every image rotated by <paramref name="degrees"/> (counter-clockwise) about its centre.</summary>
    public static ImageDataset Rotate(ImageDataset data, double degrees) => Resample(data, degrees * Math.PI / 180, 1);

    /// <summary>Every image scaled by <paramref name="factor"/> about its centre (below 1 shrinks the content).</summary>
    public static ImageDataset Scale(ImageDataset data, double factor)
    {
        if (!(factor > 0)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "Scale factor must be positive.");
        return Resample(data, 0, factor);
    }

    /// <summary>Independent Gaussian noise of standard deviation <paramref name="std"/> (in 0–1 units) added to every pixel, clamped to 0–255.</summary>
    public static ImageDataset GaussianNoise(ImageDataset data, double std, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(std >= 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "Noise standard deviation must be zero or positive.");
        var random = new Random(seed);
        var source = InMemory(data);
        var pixels = new byte[source.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            pixels[i] = (byte)Math.Clamp(Math.Round(source[i] + normal * std * 255), 0, 255);
        }
        return new ImageDataset(pixels, data.Labels, data.Channels, data.Height, data.Width, data.ClassNames) { Preparation = data.Preparation };
    }

    /// <summary>A black <paramref name="size"/>×<paramref name="size"/> square at a random position (fully inside) on every image.</summary>
    public static ImageDataset Occlude(ImageDataset data, int size, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (size < 1 || size > data.Height || size > data.Width)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Occlusion size must be between 1 and the image size ({data.Height}x{data.Width}).");
        var random = new Random(seed);
        var pixels = (byte[])InMemory(data).Clone();
        int plane = data.Height * data.Width;
        for (int n = 0; n < data.Count; n++)
        {
            int top = random.Next(data.Height - size + 1), left = random.Next(data.Width - size + 1);
            for (int c = 0; c < data.Channels; c++)
                for (int y = top; y < top + size; y++)
                    Array.Clear(pixels, (n * data.Channels + c) * plane + y * data.Width + left, size);
        }
        return new ImageDataset(pixels, data.Labels, data.Channels, data.Height, data.Width, data.ClassNames) { Preparation = data.Preparation };
    }

    // Each output pixel samples the source at the inverse-transformed position (bilinear; outside is black).
    private static ImageDataset Resample(ImageDataset data, double angle, double scale)
    {
        ArgumentNullException.ThrowIfNull(data);
        int h = data.Height, w = data.Width, plane = h * w;
        double cy = (h - 1) / 2.0, cx = (w - 1) / 2.0, cos = Math.Cos(angle) / scale, sin = Math.Sin(angle) / scale;
        var all = InMemory(data);
        var pixels = new byte[all.Length];
        for (int image = 0; image < data.Count * data.Channels; image++)
        {
            var source = all.AsSpan(image * plane, plane);
            var target = pixels.AsSpan(image * plane, plane);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double dx = x - cx, dy = y - cy;
                    // Inverse map for a counter-clockwise turn as seen on screen (y grows downwards), as torchvision rotates.
                    double sx = cos * dx - sin * dy + cx, sy = sin * dx + cos * dy + cy;
                    target[y * w + x] = Sample(source, h, w, sy, sx);
                }
        }
        return new ImageDataset(pixels, data.Labels, data.Channels, data.Height, data.Width, data.ClassNames) { Preparation = data.Preparation };
    }

    private static byte Sample(ReadOnlySpan<byte> source, int h, int w, double y, double x)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0, value = 0;
        for (int dy = 0; dy <= 1; dy++)
            for (int dx = 0; dx <= 1; dx++)
            {
                int px = x0 + dx, py = y0 + dy;
                if (px < 0 || py < 0 || px >= w || py >= h) continue;
                value += source[py * w + px] * (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
            }
        return (byte)Math.Clamp(Math.Round(value), 0, 255);
    }

    // Perturbed copies are made whole, in memory: a streamed split (or a few images of one) is read in when it fits
    // the in-memory limit, and refused in words when it does not.
    private static byte[] InMemory(ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.IsStreamed) return data.Pixels;
        if (ResourceLimits.FitsInMemory(data.ByteCount))
        {
            var pixels = new byte[data.ByteCount];
            data.ReadImages(0, data.Count, pixels);
            return pixels;
        }
        throw new OnnxRegException(
            $"perturbed copies of a split are made in memory, and these {data.Count:N0} images take {ByteSize.Format(data.ByteCount)} decoded, over the {ByteSize.Format(ResourceLimits.MaxInMemoryImageBytes)} " +
            $"a split may hold ({ResourceLimits.MaxInMemoryImagesVariable}); measure robustness on fewer test images (--test-size) or raise the limit");
    }
}
