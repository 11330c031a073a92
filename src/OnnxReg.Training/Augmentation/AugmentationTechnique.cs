using System.Globalization;
using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// One augmentation technique as the compact syntax, validation, text form and the pipeline see it. Each technique
/// lives in its own file under <c>Techniques/</c> and is listed once in <see cref="AugmentationRegistry"/>; its
/// options are a record in <see cref="AugmentationOptions"/>. Subclasses add how the technique draws its random
/// parameters for a batch (sampling) and how it applies them (application), per kind:
/// pixel techniques, geometric ones (fused into one affine resampling) and label mixers.
/// </summary>
public abstract class AugmentationTechnique
{
    /// <summary>The name in the compact syntax, e.g. <c>rotate</c>.</summary>
    public abstract string Name { get; }

    /// <summary>How it is written, e.g. <c>rotate=DEGREES</c> (any item may add <c>@P</c>, the probability per sample).</summary>
    public abstract string Usage { get; }

    /// <summary>What it does, in one line, for help texts and docs.</summary>
    public abstract string Summary { get; }

    /// <summary>What one number — its strength as a regularization technique (study sweeps, tuning) — sets.</summary>
    public abstract string StrengthMeaning { get; }

    /// <summary>The largest strength (0 always means "off").</summary>
    public abstract double MaxStrength { get; }

    /// <summary>This technique at <paramref name="strength"/> (above 0) in the compact syntax, e.g. <c>rotate=10</c>.</summary>
    public abstract string AtStrength(double strength);

    /// <summary>True if <paramref name="options"/> enable this technique.</summary>
    public abstract bool IsEnabled(AugmentationOptions options);

    /// <summary>Returns <paramref name="options"/> with this technique set from its compact arguments.</summary>
    /// <param name="options">The options parsed so far.</param>
    /// <param name="item">The whole item as written (for messages).</param>
    /// <param name="arguments">The text after <c>=</c>, or null.</param>
    /// <param name="probability">The number after <c>@</c>, or null for the default.</param>
    /// <exception cref="FormatException">The arguments are missing or malformed.</exception>
    internal abstract AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability);

    /// <summary>Checks this technique's options (when enabled).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message starts with the name.</exception>
    internal abstract void Validate(AugmentationOptions options);

    /// <summary>This technique's item in the compact syntax (parses back to equal options).</summary>
    internal abstract string Format(AugmentationOptions options);

    /// <summary>Invariant "R" formatting, so the text form round-trips.</summary>
    protected static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The arguments, or a message saying the item needs a value.</summary>
    protected static string Required(string item, string? arguments) =>
        arguments ?? throw new FormatException($"Augmentation '{item}' needs a value, e.g. rotate=10, scale=0.9:1.1, translate=0.1, crop=4, noise=0.1.");

    /// <summary>Parses an invariant number, or says which item holds a non-number.</summary>
    protected internal static double Number(string item, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"Augmentation '{item}': '{text}' is not a number.");

    /// <summary>Parses MIN:MAX.</summary>
    protected static (double Min, double Max) Range(string item, string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2) throw new FormatException($"Augmentation '{item}': expected MIN:MAX, e.g. 0.9:1.1; received '{text}'.");
        return (Number(item, parts[0]), Number(item, parts[1]));
    }

    /// <summary>Refuses a probability outside [0, 1].</summary>
    protected void Probability(double p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(Name, p, $"{Name}: probability must be in [0, 1]; received {p}.");
    }

    /// <summary>Refuses a value that is not positive (or zero when allowed), not finite, or above <paramref name="max"/>.</summary>
    protected void Positive(double value, string what, double? max = null, bool zeroAllowed = false)
    {
        if (!(value > 0 || (zeroAllowed && value == 0)) || !double.IsFinite(value) || value > max)
            throw new ArgumentOutOfRangeException(Name, value, $"{Name}: {what} must be {(zeroAllowed ? "zero or positive" : "positive")}{(max is double m ? $" and at most {m}" : "")}; received {value}.");
    }
}

/// <summary>A technique that changes pixels on its own (a flip, erasing, noise): it draws its parameters for the batch,
/// then applies them, so sampling can be tested apart from application.</summary>
/// <typeparam name="TParameters">What one batch's draw produces (a mask, a noise tensor).</typeparam>
internal abstract class PixelAugmentation<TParameters> : AugmentationTechnique
{
    /// <summary>Draws this batch's random parameters for images of <paramref name="shape"/> [N, C, H, W].</summary>
    internal abstract TParameters Sample(AugmentationOptions options, long[] shape, AugmentationRandom random);

    /// <summary>Applies drawn parameters to <paramref name="images"/>; returns new images.</summary>
    internal abstract Tensor Apply(Tensor images, TParameters parameters);

    /// <summary>Samples and applies in one step (what the pipeline calls).</summary>
    internal Tensor SampleAndApply(AugmentationOptions options, Tensor images, AugmentationRandom random) =>
        Apply(images, Sample(options, images.shape, random));
}

/// <summary>
/// A geometric technique (rotation, scaling, translation, padded crop). It only draws its part of each sample's affine
/// transform; <see cref="AffineResampling"/> composes all of them and resamples each image once.
/// </summary>
internal abstract class GeometricAugmentation : AugmentationTechnique
{
    /// <summary>Draws this batch's parameters into <paramref name="transform"/>.</summary>
    internal abstract void Sample(AugmentationOptions options, AffineParameters transform, AugmentationRandom random);
}

/// <summary>A technique that mixes pairs of images and their labels (mixup, cutmix). At most one mixes a batch.</summary>
internal abstract class LabelMixingAugmentation : AugmentationTechnique
{
    /// <summary>The probability that a batch is mixed, from the options.</summary>
    internal abstract double BatchProbability(AugmentationOptions options);

    /// <summary>The Beta(α, α) parameter of the mixing weight λ.</summary>
    internal abstract double Alpha(AugmentationOptions options);

    /// <summary>Mixes <paramref name="images"/> with <paramref name="partnerImages"/> by weight <paramref name="lambda"/>;
    /// returns the images and the weight left to the original labels.</summary>
    internal abstract (Tensor Images, double KeptWeight) Mix(Tensor images, Tensor partnerImages, double lambda, Random random);
}
