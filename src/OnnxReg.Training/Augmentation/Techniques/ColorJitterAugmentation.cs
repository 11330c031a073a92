using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary>What one batch of colour jitter drew: per-sample factors [N] (1 and 0 for samples left alone), and how the
/// batch's values map to 0–1 pixels.</summary>
internal sealed record JitterDraw(Tensor Brightness, Tensor Contrast, Tensor Saturation, Tensor Hue, PixelSpace Pixels);

/// <summary><c>jitter=B[:C[:S[:H]]]</c>: torchvision's ColorJitter on 0–1 pixel values — brightness (x·b), contrast
/// (blend with the image's mean luminance), saturation (blend with its luminance image) and hue (a rotation of
/// [−H, H] of a turn), in that fixed order, each clamped to [0, 1]. Saturation and hue leave one-channel images as they
/// are. Sampling draws the factors; application works in pixel space and normalizes back.</summary>
internal sealed class ColorJitterAugmentation : PixelAugmentation<JitterDraw>
{
    public override string Name => "jitter";
    public override string Usage => "jitter=B[:C[:S[:H]]]";
    public override string Summary => "colour jitter: brightness, contrast, saturation factors in [1−x, 1+x], hue shift up to H of a turn (torchvision ColorJitter)";
    public override string StrengthMeaning => "the brightness, contrast and saturation range x";
    public override double MaxStrength => 1;
    public override string AtStrength(double strength) => $"jitter={F(strength)}:{F(strength)}:{F(strength)}";
    public override bool IsEnabled(AugmentationOptions options) => options.Jitter is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability)
    {
        var parts = Required(item, arguments).Split(':');
        if (parts.Length > 4) throw new FormatException($"Augmentation '{item}': expected B[:C[:S[:H]]], e.g. jitter=0.4:0.4:0.4:0.1; received '{arguments}'.");
        double At(int i) => i < parts.Length ? Number(item, parts[i]) : 0;
        return options with { Jitter = new AugmentationOptions.ColorJitter(At(0), At(1), At(2), At(3), probability ?? 1) };
    }

    internal override void Validate(AugmentationOptions options)
    {
        var j = options.Jitter!;
        Probability(j.P);
        Positive(j.Brightness, "brightness", max: 1, zeroAllowed: true);
        Positive(j.Contrast, "contrast", max: 1, zeroAllowed: true);
        Positive(j.Saturation, "saturation", max: 1, zeroAllowed: true);
        Positive(j.Hue, "hue", max: 0.5, zeroAllowed: true);
        if (j.Brightness + j.Contrast + j.Saturation + j.Hue == 0)
            throw new ArgumentOutOfRangeException(Name, "jitter: at least one of brightness, contrast, saturation and hue must be above 0.");
    }

    internal override string Format(AugmentationOptions options)
    {
        var j = options.Jitter!;
        return $"jitter={F(j.Brightness)}:{F(j.Contrast)}:{F(j.Saturation)}:{F(j.Hue)}@{F(j.P)}";
    }

    internal override JitterDraw Sample(AugmentationOptions options, long[] shape, AugmentationRandom random)
    {
        var j = options.Jitter!;
        long n = shape[0];
        var chosen = random.Chosen(n, j.P);
        // Unchosen samples get the identity: factor 1, shift 0.
        Tensor Factor(double x) => random.Uniform(n, Math.Max(0, 1 - x), 1 + x).sub(1).mul(chosen).add(1);
        return new JitterDraw(Factor(j.Brightness), Factor(j.Contrast), Factor(j.Saturation), random.Uniform(n, -j.Hue, j.Hue).mul(chosen), random.Pixels);
    }

    internal override Tensor Apply(Tensor images, JitterDraw draw)
    {
        var x = draw.Pixels.ToUnit(images);
        var view = new long[] { -1, 1, 1, 1 };
        x = x.mul(draw.Brightness.view(view)).clamp(0, 1);
        var meanLuminance = ColorMath.Luminance(x).mean([1, 2, 3], keepdim: true);
        x = Blend(x, meanLuminance, draw.Contrast.view(view));
        if (x.shape[1] == 3)
        {
            x = Blend(x, ColorMath.Luminance(x), draw.Saturation.view(view));
            x = ColorMath.RotateHue(x, draw.Hue).clamp(0, 1);
        }
        return draw.Pixels.FromUnit(x);
    }

    // torchvision's _blend: factor · image + (1 − factor) · other, clamped.
    private static Tensor Blend(Tensor image, Tensor other, Tensor factor) => image.mul(factor).add(other.mul(factor.neg().add(1))).clamp(0, 1);
}
