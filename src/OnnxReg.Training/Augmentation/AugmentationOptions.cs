using OnnxReg.Data;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// Which augmentations run on each training batch, each with its probability. They apply in a fixed order —
/// flips, then one affine resampling (rotation, scaling, translation and padded crop together), erasing, noise,
/// then mixup or cutmix — during training only, never at evaluation or export.
/// </summary>
/// <remarks>
/// <para>Each technique's parsing, checks, text form, sampling and application live in one file under
/// <c>Techniques/</c>, listed in <see cref="AugmentationRegistry"/>. The option records stay together here because
/// their declaration order is the order of the <c>augmentation</c> JSON inside every model and checkpoint.</para>
/// The compact syntax (<see cref="Parse"/>, the CLI's <c>--augment</c>) is a comma-separated list of
/// <c>name[=arguments][@probability]</c>: <c>hflip</c>, <c>vflip</c>, <c>rotate=DEGREES</c>, <c>scale=MIN:MAX</c>,
/// <c>translate=FRACTION</c>, <c>crop=PADDING</c>, <c>resized-crop[=MINAREA:MAXAREA]</c>, <c>jitter=B[:C[:S[:H]]]</c>, <c>gray</c>, <c>erase[=MINAREA:MAXAREA]</c>, <c>noise=STD</c>,
/// <c>mixup[=ALPHA]</c>, <c>cutmix[=ALPHA]</c>; e.g. <c>hflip,rotate=10,scale=0.9:1.1,erase@0.25</c>.
/// </remarks>
public sealed record AugmentationOptions
{
    /// <summary>Mirror left–right with probability P (torchvision default 0.5).</summary>
    public sealed record Flip(double P = 0.5);

    /// <summary>Rotate by an angle uniform in [−Degrees, Degrees].</summary>
    public sealed record Rotation(double Degrees, double P = 1);

    /// <summary>Zoom by a factor uniform in [Min, Max] (above 1 enlarges the content).</summary>
    public sealed record Scaling(double Min, double Max, double P = 1);

    /// <summary>Shift by up to Fraction of the width and height, uniformly, each axis independently.</summary>
    public sealed record Translation(double Fraction, double P = 1);

    /// <summary>Pad by Padding pixels on each side and crop back at a random integer offset (torchvision's RandomCrop with padding).</summary>
    public sealed record Crop(int Padding, double P = 1);

    /// <summary>Random erasing (Zhong et al.; torchvision defaults): one rectangle of MinArea–MaxArea of the image, aspect 0.3–3.3, set to 0 (the normalized mean).</summary>
    public sealed record Erasing(double MinArea = 0.02, double MaxArea = 0.33, double P = 0.5);

    /// <summary>Add Gaussian noise of standard deviation Std (in normalized units).</summary>
    public sealed record Noise(double Std, double P = 1);

    /// <summary>Random resized crop (torchvision's RandomResizedCrop): a window of MinArea–MaxArea of the image, aspect 3/4–4/3, resized back.</summary>
    public sealed record RandomResizedCrop(double MinArea = 0.08, double MaxArea = 1, double P = 1);

    /// <summary>Colour jitter (torchvision's ColorJitter): brightness, contrast and saturation factors uniform in
    /// [max(0, 1 − x), 1 + x], and a hue shift uniform in [−Hue, Hue] of a full turn; applied in that fixed order.</summary>
    public sealed record ColorJitter(double Brightness, double Contrast = 0, double Saturation = 0, double Hue = 0, double P = 1);

    /// <summary>Random grayscale (torchvision's RandomGrayscale): a colour image becomes its luminance in every channel with probability P.</summary>
    public sealed record Grayscale(double P = 0.1);

    /// <summary>Mixup (Zhang et al.): blend each image and its label with another's, weight λ ~ Beta(Alpha, Alpha) per batch.</summary>
    public sealed record Mixup(double Alpha = 0.2, double P = 1);

    /// <summary>CutMix (Yun et al.): paste a box from another image, labels mixed by area, λ ~ Beta(Alpha, Alpha).</summary>
    public sealed record CutMix(double Alpha = 1.0, double P = 1);

    /// <summary>Horizontal flip, or null.</summary>
    public Flip? HorizontalFlip { get; init; }

    /// <summary>Vertical flip, or null.</summary>
    public Flip? VerticalFlip { get; init; }

    /// <summary>Rotation, or null.</summary>
    public Rotation? Rotate { get; init; }

    /// <summary>Scaling, or null.</summary>
    public Scaling? Scale { get; init; }

    /// <summary>Translation, or null.</summary>
    public Translation? Translate { get; init; }

    /// <summary>Padded random crop, or null.</summary>
    public Crop? RandomCrop { get; init; }

    /// <summary>Random erasing, or null.</summary>
    public Erasing? Erase { get; init; }

    /// <summary>Gaussian noise, or null.</summary>
    public Noise? GaussianNoise { get; init; }

    /// <summary>Random resized crop, or null.</summary>
    public RandomResizedCrop? ResizedCrop { get; init; }

    /// <summary>Colour jitter, or null.</summary>
    public ColorJitter? Jitter { get; init; }

    /// <summary>Random grayscale, or null.</summary>
    public Grayscale? RandomGrayscale { get; init; }

    /// <summary>Mixup, or null. With CutMix too, each batch uses one of the two, chosen at random.</summary>
    public Mixup? MixupLabels { get; init; }

    /// <summary>CutMix, or null.</summary>
    public CutMix? CutMixLabels { get; init; }

    /// <summary>True if nothing is enabled.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => this == new AugmentationOptions();

    /// <summary>The names <see cref="Parse"/> accepts, in application order (from <see cref="AugmentationRegistry"/>).</summary>
    public static IReadOnlyList<string> Names { get; } = AugmentationRegistry.All.Select(t => t.Name).ToArray();

    /// <summary>Parses the compact syntax (see remarks); an empty string or "none" means no augmentation.</summary>
    /// <exception cref="FormatException">An item is unknown, repeated, or has malformed or out-of-range arguments (the message names it).</exception>
    public static AugmentationOptions Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = new AugmentationOptions();
        if (spec.Trim() is "" or "none") return options;
        var seen = new HashSet<string>();
        foreach (var raw in spec.Split(',', StringSplitOptions.TrimEntries))
        {
            var (name, args, p) = Split(raw);
            if (!seen.Add(name))
                throw new FormatException($"Augmentation '{name}' is given twice in '{spec}'.");
            var technique = AugmentationRegistry.Find(name)
                ?? throw new FormatException($"Unknown augmentation '{name}'{Data.DidYouMean.Hint(name, Names)}. Supported: {string.Join(", ", Names)}.");
            options = technique.Parse(options, raw, args, p);
        }
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Augmentation '{spec}': {ErrorMessages.OneLine(e)}", e);
        }
        return options;
    }

    /// <summary>Checks every argument and probability.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range (the message names the augmentation).</exception>
    public void Validate()
    {
        foreach (var technique in AugmentationRegistry.All.Where(t => t.IsEnabled(this)))
            technique.Validate(this);
    }

    /// <summary>The compact syntax for these options (parses back to an equal value).</summary>
    public override string ToString()
    {
        var items = AugmentationRegistry.All.Where(t => t.IsEnabled(this)).Select(t => t.Format(this)).ToList();
        return items.Count == 0 ? "none" : string.Join(",", items);
    }

    private static (string Name, string? Args, double? P) Split(string item)
    {
        if (item.Length == 0) throw new FormatException("An augmentation list has an empty item (two commas in a row?).");
        string? pText = null;
        int at = item.IndexOf('@');
        if (at >= 0) { pText = item[(at + 1)..]; item = item[..at]; }
        int eq = item.IndexOf('=');
        var name = (eq >= 0 ? item[..eq] : item).Trim().ToLowerInvariant();
        var args = eq >= 0 ? item[(eq + 1)..].Trim() : null;
        double? p = pText is null ? null : AugmentationTechnique.Number(name + "@" + pText, pText);
        return (name, args, p);
    }
}
