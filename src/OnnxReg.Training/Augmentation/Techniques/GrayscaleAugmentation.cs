using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary>What one batch of random grayscale drew: which samples turn gray ([N, 1, 1, 1], 1 or 0), and the pixel space.</summary>
internal sealed record GrayscaleDraw(Tensor Chosen, PixelSpace Pixels);

/// <summary><c>gray[@P]</c>: torchvision's RandomGrayscale — with probability P (0.1 by default) a colour image is replaced
/// by its luminance (0.299 R + 0.587 G + 0.114 B) in all three channels; one-channel images are left as they are.</summary>
internal sealed class GrayscaleAugmentation : PixelAugmentation<GrayscaleDraw>
{
    public override string Name => "gray";
    public override string Usage => "gray";
    public override string Summary => "turn colour images to grayscale (P 0.1 unless @P; torchvision RandomGrayscale)";
    public override string StrengthMeaning => "the probability p";
    public override double MaxStrength => 1;
    public override string AtStrength(double strength) => $"gray@{F(strength)}";
    public override bool IsEnabled(AugmentationOptions options) => options.RandomGrayscale is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability)
    {
        if (arguments is not null) throw new FormatException($"Augmentation '{item}' takes no value; write gray or gray@P.");
        return options with { RandomGrayscale = new AugmentationOptions.Grayscale(probability ?? 0.1) };
    }

    internal override void Validate(AugmentationOptions options) => Probability(options.RandomGrayscale!.P);

    internal override string Format(AugmentationOptions options) => $"gray@{F(options.RandomGrayscale!.P)}";

    internal override GrayscaleDraw Sample(AugmentationOptions options, long[] shape, AugmentationRandom random) =>
        new(random.Chosen(shape[0], options.RandomGrayscale!.P).view(-1, 1, 1, 1), random.Pixels);

    internal override Tensor Apply(Tensor images, GrayscaleDraw draw)
    {
        if (images.shape[1] != 3) return images;
        var x = draw.Pixels.ToUnit(images);
        var gray = ColorMath.Luminance(x).expand(x.shape);
        return draw.Pixels.FromUnit(x.mul(draw.Chosen.neg().add(1)).add(gray.mul(draw.Chosen)));
    }
}
