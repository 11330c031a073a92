using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// Applies <see cref="AugmentationOptions"/> to whole batches of normalized images [N, C, H, W] with tensor
/// operations: flips by a masked select, every geometric transform in one <c>affine_grid</c> + <c>grid_sample</c>
/// call, erasing by a broadcast mask, noise by one <c>randn</c>. Random draws come from a <see cref="Generator"/>
/// seeded at construction and, for mixup's λ and cutmix's box, a <see cref="Random"/> seeded per batch from the
/// seed and the batch number, so a seed reproduces every batch and <see cref="CaptureState"/> /
/// <see cref="RestoreState"/> can resume the sequence exactly. Dispose it to free the generator.
/// </summary>
public sealed class AugmentationPipeline : IDisposable
{
    private readonly AugmentationOptions _options;
    private readonly Generator _generator;
    private readonly int _seed;
    private readonly float _background;
    private long _batches;

    /// <summary>Creates the pipeline.</summary>
    /// <param name="options">What to apply.</param>
    /// <param name="seed">Seeds every random draw.</param>
    /// <param name="background">The normalized value of a black pixel, used to fill areas that geometric
    /// transforms and padded crops uncover (so they look like the image's own background).</param>
    public AugmentationPipeline(AugmentationOptions options, int seed, float background = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _generator = new Generator((ulong)seed);
        _seed = seed;
        _background = background;
    }

    /// <summary>Where the random sequence stands: the generator's state and the number of batches augmented.</summary>
    public (byte[] GeneratorState, long Batches) CaptureState() => (RandomState.Capture(_generator), _batches);

    /// <summary>Continues the random sequence from a state taken by <see cref="CaptureState"/> (of a pipeline with the same seed).</summary>
    public void RestoreState(byte[] generatorState, long batches)
    {
        ArgumentNullException.ThrowIfNull(generatorState);
        ArgumentOutOfRangeException.ThrowIfNegative(batches);
        RandomState.Restore(generatorState, _generator);
        _batches = batches;
    }

    /// <summary>True if the options can change labels (mixup or cutmix), so the loss needs soft targets.</summary>
    public bool MixesLabels => _options.MixupLabels is not null || _options.CutMixLabels is not null;

    /// <summary>
    /// Augments a batch. Returns new images of the same shape and, when mixup or cutmix ran, soft targets
    /// [N, classes] (otherwise null: the labels are unchanged). The inputs are not modified.
    /// </summary>
    public (Tensor Images, Tensor? Targets) Apply(Tensor images, Tensor labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.dim() != 4)
            throw new ArgumentException($"Augmentation takes images as [N, C, H, W]; received shape [{string.Join(", ", images.shape)}].", nameof(images));
        var x = images;
        if (_options.HorizontalFlip is { } h) x = Flip(x, h.P, dim: 3);
        if (_options.VerticalFlip is { } v) x = Flip(x, v.P, dim: 2);
        if (_options.Rotate is not null || _options.Scale is not null || _options.Translate is not null || _options.RandomCrop is not null)
            x = Affine(x);
        if (_options.Erase is { } e) x = Erase(x, e);
        if (_options.GaussianNoise is { } n) x = x.add(randn(x.shape, generator: _generator).mul(n.Std).mul(Chosen(x.shape[0], n.P).view(-1, 1, 1, 1)));
        Tensor? targets = null;
        // A System.Random's state cannot be saved, so each batch gets its own, seeded from (seed, batch number).
        if (MixesLabels) (x, targets) = MixLabels(x, labels, classes, new Random(BatchSeed(_seed, _batches)));
        _batches++;
        return (ReferenceEquals(x, images) ? images.alias() : x, targets);
    }

    /// <summary>Frees the generator.</summary>
    public void Dispose() => _generator.Dispose();

    // 1 where the augmentation applies to a sample (probability p), else 0, as float [N].
    private Tensor Chosen(long count, double p) =>
        p >= 1 ? ones(count) : rand(count, generator: _generator).lt(p).to(ScalarType.Float32);

    private Tensor Flip(Tensor x, double p, long dim)
    {
        var mask = rand(x.shape[0], generator: _generator).lt(p).view(-1, 1, 1, 1);
        return where(mask, x.flip(dim), x);
    }

    // One affine matrix per sample maps output coordinates to input coordinates (normalized to [-1, 1]):
    // θ = [R(angle)/scale | shift]. Identity rotation and scale give θ = [I | 0], which grid_sample with
    // align_corners = false reproduces exactly, so rotate=0 and scale=1 change nothing.
    private Tensor Affine(Tensor x)
    {
        long n = x.shape[0], height = x.shape[2], width = x.shape[3];
        var angle = zeros(n);
        var scale = ones(n);
        var shiftX = zeros(n);
        var shiftY = zeros(n);
        if (_options.Rotate is { } r)
            angle = Uniform(n, -r.Degrees, r.Degrees).mul(Math.PI / 180).mul(Chosen(n, r.P));
        if (_options.Scale is { } s)
            scale = Uniform(n, s.Min, s.Max).sub(1).mul(Chosen(n, s.P)).add(1);
        if (_options.Translate is { } t)
        {
            shiftX = Uniform(n, -t.Fraction, t.Fraction).mul(2).mul(Chosen(n, t.P));
            shiftY = Uniform(n, -t.Fraction, t.Fraction).mul(2).mul(Chosen(n, t.P));
        }
        if (_options.RandomCrop is { } c)
        {
            // Integer pixel offsets in [-padding, padding]: the same as padding with black and cropping back.
            var chosen = Chosen(n, c.P);
            shiftX = shiftX.add(randint(-c.Padding, c.Padding + 1, [n], generator: _generator).to(ScalarType.Float32).mul(2.0 / width).mul(chosen));
            shiftY = shiftY.add(randint(-c.Padding, c.Padding + 1, [n], generator: _generator).to(ScalarType.Float32).mul(2.0 / height).mul(chosen));
        }
        var cos = angle.cos().div(scale);
        var sin = angle.sin().div(scale);
        var theta = stack([stack([cos, sin.neg(), shiftX], 1), stack([sin, cos, shiftY], 1)], 1);
        var grid = nn.functional.affine_grid(theta, x.shape, align_corners: false);
        // Sampling (x − background) with zero padding fills uncovered areas with the background value.
        return nn.functional.grid_sample(x.sub(_background), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).add(_background);
    }

    private Tensor Erase(Tensor x, AugmentationOptions.Erasing options)
    {
        long n = x.shape[0], height = x.shape[2], width = x.shape[3];
        var area = Uniform(n, options.MinArea, options.MaxArea).mul(height * width);
        var aspect = Uniform(n, Math.Log(0.3), Math.Log(10.0 / 3)).exp();
        var boxHeight = area.mul(aspect).sqrt().round().clamp(1, height);
        var boxWidth = area.div(aspect).sqrt().round().clamp(1, width);
        var top = rand(n, generator: _generator).mul(boxHeight.neg().add(height + 1)).floor();
        var left = rand(n, generator: _generator).mul(boxWidth.neg().add(width + 1)).floor();
        var rows = arange(height, ScalarType.Float32).view(1, -1, 1);
        var columns = arange(width, ScalarType.Float32).view(1, 1, -1);
        var inBox = rows.ge(top.view(-1, 1, 1)).logical_and(rows.lt(top.add(boxHeight).view(-1, 1, 1)))
            .logical_and(columns.ge(left.view(-1, 1, 1))).logical_and(columns.lt(left.add(boxWidth).view(-1, 1, 1)))
            .logical_and(Chosen(n, options.P).gt(0).view(-1, 1, 1));
        return x.masked_fill(inBox.unsqueeze(1), 0);
    }

    // SplitMix64's finalizer: neighbouring batch numbers give unrelated seeds.
    private static int BatchSeed(int seed, long batch)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32) + (ulong)batch + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    private (Tensor Images, Tensor Targets) MixLabels(Tensor x, Tensor labels, int classes, Random random)
    {
        var targets = nn.functional.one_hot(labels, classes).to(ScalarType.Float32);
        bool useCutMix = _options.CutMixLabels is not null && (_options.MixupLabels is null || random.NextDouble() < 0.5);
        double p = useCutMix ? _options.CutMixLabels!.P : _options.MixupLabels!.P;
        if (random.NextDouble() >= p)
            return (x, targets);
        double alpha = useCutMix ? _options.CutMixLabels!.Alpha : _options.MixupLabels!.Alpha;
        double lambda = BetaSampler.Sample(random, alpha);
        var partner = randperm(x.shape[0], generator: _generator);
        var partnerImages = x.index_select(0, partner);
        var partnerTargets = targets.index_select(0, partner);
        if (!useCutMix)
            return (x.mul(lambda).add(partnerImages.mul(1 - lambda)), targets.mul(lambda).add(partnerTargets.mul(1 - lambda)));

        long height = x.shape[2], width = x.shape[3];
        long cutHeight = (long)(height * Math.Sqrt(1 - lambda)), cutWidth = (long)(width * Math.Sqrt(1 - lambda));
        long centerY = random.NextInt64(height), centerX = random.NextInt64(width);
        long top = Math.Clamp(centerY - cutHeight / 2, 0, height), bottom = Math.Clamp(centerY + cutHeight / 2, 0, height);
        long left = Math.Clamp(centerX - cutWidth / 2, 0, width), right = Math.Clamp(centerX + cutWidth / 2, 0, width);
        var rows = arange(height).view(-1, 1);
        var columns = arange(width).view(1, -1);
        var box = rows.ge(top).logical_and(rows.lt(bottom)).logical_and(columns.ge(left)).logical_and(columns.lt(right));
        double kept = 1 - (double)((bottom - top) * (right - left)) / (height * width);
        return (where(box, partnerImages, x), targets.mul(kept).add(partnerTargets.mul(1 - kept)));
    }

    private Tensor Uniform(long count, double low, double high) =>
        rand(count, generator: _generator).mul(high - low).add(low);
}
