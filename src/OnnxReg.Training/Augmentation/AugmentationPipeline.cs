using OnnxReg.Data;
using OnnxReg.Training.Augmentation.Techniques;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// Applies <see cref="AugmentationOptions"/> to whole batches of normalized images [N, C, H, W] with tensor
/// operations, technique by technique in <see cref="AugmentationRegistry"/>'s order: each one samples its random
/// parameters, then applies them; the geometric ones only sample, and every geometric transform runs as one
/// sampling grid + <c>grid_sample</c> call (<see cref="AffineResampling"/>), into which a flip that precedes
/// them is folded as well. Random draws come from a <see cref="Generator"/>
/// seeded at construction and, for mixup's λ and cutmix's box, a <see cref="Random"/> seeded per batch from the
/// seed and the batch number, so a seed reproduces every batch and <see cref="CaptureState"/> /
/// <see cref="RestoreState"/> can resume the sequence exactly. Dispose it to free the generator.
/// </summary>
public sealed class AugmentationPipeline : IDisposable
{
    private readonly AugmentationOptions _options;
    private readonly Generator _generator;
    private readonly int _seed;
    private readonly PixelSpace _pixels;
    private readonly AugmentationRandom _random;
    private readonly IReadOnlyList<AugmentationTechnique> _enabled;
    private readonly HashSet<FlipAugmentation> _foldedFlips;
    private long _batches;

    /// <summary>Creates the pipeline.</summary>
    /// <param name="options">What to apply.</param>
    /// <param name="seed">Seeds every random draw.</param>
    /// <param name="normalization">How the images were normalized (default: 0–1 scaling only). Areas that geometric
    /// transforms and padded crops uncover are filled with each channel's normalized black, so they look like the
    /// image's own background; colour techniques work on the 0–1 pixel values it gives back.</param>
    public AugmentationPipeline(AugmentationOptions options, int seed, Normalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _generator = new Generator((ulong)seed);
        _seed = seed;
        _pixels = new PixelSpace(normalization ?? Normalization.None);
        _random = new AugmentationRandom(_generator, _pixels);
        _enabled = AugmentationRegistry.All.Where(t => t.IsEnabled(options)).ToList();
        // A flip followed (past other flips) by a geometric technique is folded into that technique's resampling.
        _foldedFlips = _enabled.Select((t, i) => (t, i)).Where(x => x.t is FlipAugmentation
                && _enabled.Skip(x.i + 1).FirstOrDefault(n => n is not FlipAugmentation) is GeometricAugmentation)
            .Select(x => (FlipAugmentation)x.t).ToHashSet();
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
    public bool MixesLabels => _enabled.OfType<LabelMixingAugmentation>().Any();

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
        AffineParameters? transform = null;
        foreach (var technique in _enabled)
        {
            switch (technique)
            {
                case FlipAugmentation flip when _foldedFlips.Contains(flip):
                    transform ??= new AffineParameters(x.shape[0], x.shape[2], x.shape[3]);
                    flip.SampleInto(_options, transform, _random);
                    break;
                case PixelAugmentation<Tensor> pixel:
                    x = FinishAffine(x, ref transform);
                    x = pixel.SampleAndApply(_options, x, _random);
                    break;
                case GeometricAugmentation geometric:
                    transform ??= new AffineParameters(x.shape[0], x.shape[2], x.shape[3]);
                    geometric.Sample(_options, transform, _random);
                    break;
            }
        }
        x = FinishAffine(x, ref transform);
        Tensor? targets = null;
        // A System.Random's state cannot be saved, so each batch gets its own, seeded from (seed, batch number).
        if (MixesLabels) (x, targets) = MixLabels(x, labels, classes, new Random(BatchSeed(_seed, _batches)));
        _batches++;
        return (ReferenceEquals(x, images) ? images.alias() : x, targets);
    }

    /// <summary>Frees the generator.</summary>
    public void Dispose()
    {
        _generator.Dispose();
        _pixels.Dispose();
    }

    // The geometric techniques only draw; the resampling runs once, before the next pixel technique (or at the end).
    private Tensor FinishAffine(Tensor x, ref AffineParameters? transform)
    {
        if (transform is null) return x;
        x = AffineResampling.Apply(x, transform, _pixels);
        transform = null;
        return x;
    }

    // SplitMix64's finalizer: neighbouring batch numbers give unrelated seeds.
    private static int BatchSeed(int seed, long batch)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32) + (ulong)batch + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    // At most one mixer per batch: with both enabled, a fair coin picks one. Then, with the mixer's probability, λ is
    // drawn from Beta(α, α), partners from a permutation, and the mixer blends images; targets follow the kept weight.
    private (Tensor Images, Tensor Targets) MixLabels(Tensor x, Tensor labels, int classes, Random random)
    {
        var targets = nn.functional.one_hot(labels, classes).to(ScalarType.Float32);
        var mixers = _enabled.OfType<LabelMixingAugmentation>().ToList();
        var mixer = mixers.Count == 1 ? mixers[0] : random.NextDouble() < 0.5 ? mixers[1] : mixers[0];
        if (random.NextDouble() >= mixer.BatchProbability(_options))
            return (x, targets);
        double lambda = BetaSampler.Sample(random, mixer.Alpha(_options));
        var partner = randperm(x.shape[0], generator: _generator);
        var partnerImages = x.index_select(0, partner);
        var partnerTargets = targets.index_select(0, partner);
        var (mixed, kept) = mixer.Mix(x, partnerImages, lambda, random);
        return (mixed, targets.mul(kept).add(partnerTargets.mul(1 - kept)));
    }
}
