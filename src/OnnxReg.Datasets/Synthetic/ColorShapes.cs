namespace OnnxReg.Data.Synthetic;

/// <summary>
/// A deterministic colour image dataset for trying OnnxReg on photos-like data when none is installed: ten classes of
/// shapes (circle, square, triangle, plus, ring, star, diamond, hexagon, striped disc, crescent), each drawn in a random
/// colour at a random position, size (20–45 % of the image) and rotation, over a random background (flat, gradient,
/// stripes, checkerboard or noise, in its own random colours), with pixel noise and a smaller distractor shape of
/// another class in a corner. Colour says nothing about the class, shapes overlap their distractors, and
/// rotation-invariant classes sit beside rotation-sensitive ones: a small training split is enough for an
/// unregularized CNN to overfit. Image <c>i</c> of a split has class <c>i mod 10</c> and is drawn from its own seed,
/// so any image can be made alone, in parallel, and again bit for bit.
/// </summary>
public static class ColorShapes
{
    /// <summary>The class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["circle", "square", "triangle", "plus", "ring", "star", "diamond", "hexagon", "striped-disc", "crescent"];

    /// <summary>Makes <paramref name="count"/> RGB images of <paramref name="size"/> × <paramref name="size"/> pixels from <paramref name="seed"/>.</summary>
    /// <param name="count">Images; class <c>i mod 10</c> for image <c>i</c>.</param>
    /// <param name="size">Side in pixels, 16 to 512.</param>
    /// <param name="seed">Seeds every image (a split uses its own seed, so train and test share no image).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or size out of range.</exception>
    public static ImageDataset Generate(int count, int size, int seed) => Generate(count, size, seed, CancellationToken.None);

    /// <summary>As <see cref="Generate(int, int, int)"/>, stopping with <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellation"/> is cancelled (Ctrl+C).</summary>
    public static ImageDataset Generate(int count, int size, int seed, CancellationToken cancellation) => Generate(0, count, size, seed, cancellation);

    /// <summary>Images <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1 of the set
    /// <see cref="Generate(int, int, int)"/> makes from <paramref name="seed"/>, the very same bytes: a large set is
    /// made a chunk at a time.</summary>
    public static ImageDataset Generate(int start, int count, int size, int seed, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (size is < 16 or > 512)
            throw new ArgumentOutOfRangeException(nameof(size), size, "Shape images are 16 to 512 pixels per side.");
        long sampleSize = 3L * size * size;
        if (count * sampleSize > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count:N0} images of {size}x{size} RGB do not fit in one array; make fewer or smaller ones.");
        var pixels = new byte[count * sampleSize];
        var labels = new byte[count];
        Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellation }, i =>
        {
            int index = start + i;
            labels[i] = (byte)(index % ClassNames.Count);
            Draw(pixels.AsSpan((int)(i * sampleSize), (int)sampleSize), size, labels[i], new Random(unchecked(seed * 1_000_003 + index)));
        });
        return new ImageDataset(pixels, labels, 3, size, size, ClassNames) { Preparation = new ImagePreparation(ColorMode.Rgb, size, size) };
    }

    // Draws one image into CHW bytes: background, distractor, the class's shape, noise. 2×2 supersampling smooths edges.
    private static void Draw(Span<byte> image, int size, int label, Random random)
    {
        var background = Background.Random(random);
        var foreground = Rgb.Vivid(random);
        var shape = new Placement(random.NextDouble() * 2 * Math.PI, 0.20 + 0.25 * random.NextDouble(), 0, 0);
        double margin = shape.Scale;
        shape = shape with { X = margin + (1 - 2 * margin) * random.NextDouble(), Y = margin + (1 - 2 * margin) * random.NextDouble() };
        int distractorLabel = (label + 1 + random.Next(ClassNames.Count - 1)) % ClassNames.Count;
        var distractor = new Placement(random.NextDouble() * 2 * Math.PI, 0.08 + 0.06 * random.NextDouble(),
            random.Next(2) == 0 ? 0.12 : 0.88, random.Next(2) == 0 ? 0.12 : 0.88);
        var distractorColour = Rgb.Vivid(random);
        double noise = 0.02 + 0.06 * random.NextDouble();
        int plane = size * size;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double r = 0, g = 0, b = 0;
                for (int sy = 0; sy < 2; sy++)
                    for (int sx = 0; sx < 2; sx++)
                    {
                        double u = (x + 0.25 + 0.5 * sx) / size, v = (y + 0.25 + 0.5 * sy) / size;
                        var colour = background.At(u, v);
                        if (distractor.Covers(distractorLabel, u, v)) colour = distractorColour;
                        if (shape.Covers(label, u, v)) colour = foreground;
                        r += colour.R; g += colour.G; b += colour.B;
                    }
                int at = y * size + x;
                image[at] = Byte(r / 4 + noise * Gaussian(random));
                image[plane + at] = Byte(g / 4 + noise * Gaussian(random));
                image[2 * plane + at] = Byte(b / 4 + noise * Gaussian(random));
            }
    }

    private static byte Byte(double value) => (byte)Math.Clamp((int)Math.Round(value * 255), 0, 255);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private readonly record struct Rgb(double R, double G, double B)
    {
        // A saturated colour of any hue, at a random brightness.
        public static Rgb Vivid(Random random) => FromHsv(random.NextDouble(), 0.5 + 0.5 * random.NextDouble(), 0.45 + 0.55 * random.NextDouble());

        public static Rgb Any(Random random) => FromHsv(random.NextDouble(), random.NextDouble(), random.NextDouble());

        public Rgb Mix(Rgb other, double t) => new(R + (other.R - R) * t, G + (other.G - G) * t, B + (other.B - B) * t);

        private static Rgb FromHsv(double h, double s, double v)
        {
            double c = v * s, hp = h * 6, x = c * (1 - Math.Abs(hp % 2 - 1)), m = v - c;
            var (r, g, b) = (int)hp switch { 0 => (c, x, 0.0), 1 => (x, c, 0.0), 2 => (0.0, c, x), 3 => (0.0, x, c), 4 => (x, 0.0, c), _ => (c, 0.0, x) };
            return new Rgb(r + m, g + m, b + m);
        }
    }

    // Flat, gradient, stripes, checkerboard or value noise, each in two random colours.
    private sealed class Background
    {
        private readonly int _kind;
        private readonly Rgb _first, _second;
        private readonly double _angle, _frequency;
        private readonly double[] _lattice;

        private Background(Random random)
        {
            _kind = random.Next(5);
            _first = Rgb.Any(random);
            _second = Rgb.Any(random);
            _angle = random.NextDouble() * Math.PI;
            _frequency = 3 + random.Next(8);
            _lattice = Enumerable.Range(0, 64).Select(_ => random.NextDouble()).ToArray();
        }

        public static Background Random(Random random) => new(random);

        public Rgb At(double u, double v)
        {
            double along = u * Math.Cos(_angle) + v * Math.Sin(_angle);
            return _kind switch
            {
                0 => _first,
                1 => _first.Mix(_second, Math.Clamp(along, 0, 1)),
                2 => Math.Sin(along * _frequency * 2 * Math.PI) > 0 ? _first : _second,
                3 => ((int)(u * _frequency) + (int)(v * _frequency)) % 2 == 0 ? _first : _second,
                _ => _first.Mix(_second, Noise(u * 7, v * 7)),
            };
        }

        // Bilinear value noise on an 8 × 8 lattice.
        private double Noise(double x, double y)
        {
            int x0 = (int)x, y0 = (int)y;
            double fx = x - x0, fy = y - y0;
            double L(int i, int j) => _lattice[(j & 7) * 8 + (i & 7)];
            return (L(x0, y0) * (1 - fx) + L(x0 + 1, y0) * fx) * (1 - fy) + (L(x0, y0 + 1) * (1 - fx) + L(x0 + 1, y0 + 1) * fx) * fy;
        }
    }

    // Where a shape sits: rotation, half-size (as a fraction of the image) and centre.
    private readonly record struct Placement(double Angle, double Scale, double X, double Y)
    {
        public bool Covers(int label, double u, double v)
        {
            double dx = (u - X) / Scale, dy = (v - Y) / Scale;
            double cos = Math.Cos(Angle), sin = Math.Sin(Angle);
            double px = dx * cos + dy * sin, py = -dx * sin + dy * cos;
            double radius = Math.Sqrt(px * px + py * py), phi = Math.Atan2(py, px);
            double ax = Math.Abs(px), ay = Math.Abs(py);
            return label switch
            {
                0 => radius < 1,
                1 => Math.Max(ax, ay) < 0.8,
                2 => py > -0.5 && Math.Sqrt(3) * px + py < 1 && -Math.Sqrt(3) * px + py < 1,
                3 => (ax < 0.3 && ay < 1) || (ay < 0.3 && ax < 1),
                4 => radius is > 0.6 and < 1,
                5 => radius < 0.45 + 0.55 * Math.Pow(Math.Abs(Math.Cos(2.5 * phi)), 2),
                6 => ax + ay < 1,
                7 => Math.Max(ax * 0.866 + ay * 0.5, ay) < 0.9,
                8 => radius < 1 && Math.Sin(px * 9) > 0,
                _ => radius < 1 && Math.Sqrt((px - 0.5) * (px - 0.5) + py * py) > 0.75,
            };
        }
    }
}
