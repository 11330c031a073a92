using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>hflip</c> / <c>vflip</c>: mirror a sample left–right or top–bottom with probability P (torchvision's
/// default 0.5). Sampling draws a mask of the samples to flip; application selects flipped or original per sample.</summary>
internal sealed class FlipAugmentation(bool horizontal) : PixelAugmentation<Tensor>
{
    public override string Name => horizontal ? "hflip" : "vflip";
    public override string Usage => Name;
    public override string Summary => horizontal ? "mirror left–right (P 0.5 unless @P)" : "mirror top–bottom (P 0.5 unless @P)";
    public override string StrengthMeaning => "the probability p";
    public override double MaxStrength => 1;
    public override string AtStrength(double strength) => $"{Name}@{F(strength)}";

    private AugmentationOptions.Flip? Options(AugmentationOptions options) => horizontal ? options.HorizontalFlip : options.VerticalFlip;

    public override bool IsEnabled(AugmentationOptions options) => Options(options) is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability)
    {
        var flip = new AugmentationOptions.Flip(probability ?? 0.5);
        return horizontal ? options with { HorizontalFlip = flip } : options with { VerticalFlip = flip };
    }

    internal override void Validate(AugmentationOptions options) => Probability(Options(options)!.P);

    internal override string Format(AugmentationOptions options) => $"{Name}@{F(Options(options)!.P)}";

    internal override Tensor Sample(AugmentationOptions options, long[] shape, AugmentationRandom random) =>
        rand(shape[0], generator: random.Generator).lt(Options(options)!.P).view(-1, 1, 1, 1);

    internal override Tensor Apply(Tensor images, Tensor flipped) => where(flipped, images.flip(horizontal ? 3 : 2), images);

    /// <summary>
    /// Draws the same samples to flip as <see cref="Sample"/> (the same random numbers, so a seed picks the same images
    /// either way) and folds them into the affine transform that follows: a flip is the input coordinate's sign, so it
    /// costs nothing in the resampling that runs anyway, instead of a flip and a select over the whole batch.
    /// </summary>
    internal void SampleInto(AugmentationOptions options, AffineParameters transform, AugmentationRandom random)
    {
        var sign = random.Draws(transform.Count);
        float p = (float)Options(options)!.P; // as libtorch compares a float32 tensor with a Scalar
        for (int i = 0; i < sign.Length; i++) sign[i] = sign[i] < p ? -1f : 1f;
        if (horizontal) transform.FlipX = sign;
        else transform.FlipY = sign;
    }
}
