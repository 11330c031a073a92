using System.Globalization;
using OnnxReg.Data;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// Which augmentations run on each training batch, each with its probability. They apply in a fixed order —
/// flips, then one affine resampling (rotation, scaling, translation and padded crop together), erasing, noise,
/// then mixup or cutmix — during training only, never at evaluation or export.
/// </summary>
/// <remarks>
/// The compact syntax (<see cref="Parse"/>, the CLI's <c>--augment</c>) is a comma-separated list of
/// <c>name[=arguments][@probability]</c>: <c>hflip</c>, <c>vflip</c>, <c>rotate=DEGREES</c>, <c>scale=MIN:MAX</c>,
/// <c>translate=FRACTION</c>, <c>crop=PADDING</c>, <c>erase[=MINAREA:MAXAREA]</c>, <c>noise=STD</c>,
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

    /// <summary>Mixup, or null. With CutMix too, each batch uses one of the two, chosen at random.</summary>
    public Mixup? MixupLabels { get; init; }

    /// <summary>CutMix, or null.</summary>
    public CutMix? CutMixLabels { get; init; }

    /// <summary>True if nothing is enabled.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => this == new AugmentationOptions();

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["hflip", "vflip", "rotate", "scale", "translate", "crop", "erase", "noise", "mixup", "cutmix"];

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
            options = name switch
            {
                "hflip" => options with { HorizontalFlip = new Flip(p ?? 0.5) },
                "vflip" => options with { VerticalFlip = new Flip(p ?? 0.5) },
                "rotate" => options with { Rotate = new Rotation(Number(raw, Required(raw, args)), p ?? 1) },
                "scale" => options with { Scale = Range(raw, Required(raw, args)) is var (min, max) ? new Scaling(min, max, p ?? 1) : null },
                "translate" => options with { Translate = new Translation(Number(raw, Required(raw, args)), p ?? 1) },
                "crop" => options with { RandomCrop = new Crop((int)Number(raw, Required(raw, args)), p ?? 1) },
                "erase" => options with { Erase = args is null ? new Erasing(P: p ?? 0.5) : Range(raw, args) is var (lo, hi) ? new Erasing(lo, hi, p ?? 0.5) : null },
                "noise" => options with { GaussianNoise = new Noise(Number(raw, Required(raw, args)), p ?? 1) },
                "mixup" => options with { MixupLabels = new Mixup(args is null ? 0.2 : Number(raw, args), p ?? 1) },
                "cutmix" => options with { CutMixLabels = new CutMix(args is null ? 1.0 : Number(raw, args), p ?? 1) },
                _ => throw new FormatException($"Unknown augmentation '{name}'. Supported: {string.Join(", ", Names)}."),
            };
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
        void Probability(string name, double p)
        {
            if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(name, p, $"{name}: probability must be in [0, 1]; received {p}.");
        }
        void Positive(string name, double v, string what, double? max = null, bool zeroAllowed = false)
        {
            if (!(v > 0 || (zeroAllowed && v == 0)) || !double.IsFinite(v) || v > max)
                throw new ArgumentOutOfRangeException(name, v, $"{name}: {what} must be {(zeroAllowed ? "zero or positive" : "positive")}{(max is double m ? $" and at most {m}" : "")}; received {v}.");
        }
        if (HorizontalFlip is { } h) Probability("hflip", h.P);
        if (VerticalFlip is { } v) Probability("vflip", v.P);
        if (Rotate is { } r) { Probability("rotate", r.P); Positive("rotate", r.Degrees, "degrees", 180, zeroAllowed: true); }
        if (Scale is { } s)
        {
            Probability("scale", s.P);
            if (!(s.Min > 0 && s.Min <= s.Max) || !double.IsFinite(s.Max))
                throw new ArgumentOutOfRangeException("scale", $"scale: needs 0 < MIN <= MAX; received {s.Min}:{s.Max}.");
        }
        if (Translate is { } t) { Probability("translate", t.P); Positive("translate", t.Fraction, "fraction", 1, zeroAllowed: true); }
        if (RandomCrop is { } c) { Probability("crop", c.P); Positive("crop", c.Padding, "padding"); }
        if (Erase is { } e)
        {
            Probability("erase", e.P);
            if (!(e.MinArea > 0 && e.MinArea <= e.MaxArea && e.MaxArea < 1))
                throw new ArgumentOutOfRangeException("erase", $"erase: needs 0 < MINAREA <= MAXAREA < 1; received {e.MinArea}:{e.MaxArea}.");
        }
        if (GaussianNoise is { } n) { Probability("noise", n.P); Positive("noise", n.Std, "std"); }
        if (MixupLabels is { } m) { Probability("mixup", m.P); Positive("mixup", m.Alpha, "alpha"); }
        if (CutMixLabels is { } x) { Probability("cutmix", x.P); Positive("cutmix", x.Alpha, "alpha"); }
    }

    /// <summary>The compact syntax for these options (parses back to an equal value).</summary>
    public override string ToString()
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var items = new List<string>();
        if (HorizontalFlip is { } h) items.Add($"hflip@{F(h.P)}");
        if (VerticalFlip is { } v) items.Add($"vflip@{F(v.P)}");
        if (Rotate is { } r) items.Add($"rotate={F(r.Degrees)}@{F(r.P)}");
        if (Scale is { } s) items.Add($"scale={F(s.Min)}:{F(s.Max)}@{F(s.P)}");
        if (Translate is { } t) items.Add($"translate={F(t.Fraction)}@{F(t.P)}");
        if (RandomCrop is { } c) items.Add($"crop={c.Padding}@{F(c.P)}");
        if (Erase is { } e) items.Add($"erase={F(e.MinArea)}:{F(e.MaxArea)}@{F(e.P)}");
        if (GaussianNoise is { } n) items.Add($"noise={F(n.Std)}@{F(n.P)}");
        if (MixupLabels is { } m) items.Add($"mixup={F(m.Alpha)}@{F(m.P)}");
        if (CutMixLabels is { } x) items.Add($"cutmix={F(x.Alpha)}@{F(x.P)}");
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
        double? p = pText is null ? null : Number(name + "@" + pText, pText);
        return (name, args, p);
    }

    private static string Required(string item, string? args) =>
        args ?? throw new FormatException($"Augmentation '{item}' needs a value, e.g. rotate=10, scale=0.9:1.1, translate=0.1, crop=4, noise=0.1.");

    private static double Number(string item, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"Augmentation '{item}': '{text}' is not a number.");

    private static (double, double) Range(string item, string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2) throw new FormatException($"Augmentation '{item}': expected MIN:MAX, e.g. 0.9:1.1; received '{text}'.");
        return (Number(item, parts[0]), Number(item, parts[1]));
    }
}
