using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// The random draws every technique samples from: one seeded <see cref="Generator"/> for the whole run, so a seed
/// reproduces every batch and a checkpoint resumes the sequence. Techniques draw in the registry's order, so adding
/// one never changes what the others draw when it is off.
/// </summary>
internal sealed class AugmentationRandom
{
    internal AugmentationRandom(Generator generator, PixelSpace? pixels = null) =>
        (Generator, Pixels) = (generator, pixels ?? new PixelSpace(Data.Normalization.None));

    /// <summary>How the batch's values relate to 0–1 pixel values (for colour techniques).</summary>
    internal PixelSpace Pixels { get; }

    /// <summary>The generator (owned by the pipeline).</summary>
    internal Generator Generator { get; }

    /// <summary>1 where the technique applies to a sample (probability <paramref name="p"/>), else 0, as float [N];
    /// draws nothing when <paramref name="p"/> ≥ 1.</summary>
    internal Tensor Chosen(long count, double p) =>
        p >= 1 ? ones(count) : rand(count, generator: Generator).lt(p).to(ScalarType.Float32);

    /// <summary>[N] values uniform in [low, high).</summary>
    internal Tensor Uniform(long count, double low, double high) =>
        rand(count, generator: Generator).mul(high - low).add(low);
}
