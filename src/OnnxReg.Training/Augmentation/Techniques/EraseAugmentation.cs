using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>erase[=MINAREA:MAXAREA]</c>: random erasing (Zhong et al.; torchvision's defaults): one rectangle of
/// MINAREA–MAXAREA of the image, aspect 0.3–3.3, set to 0 (the normalized mean). Sampling draws each sample's box as a
/// mask; application fills it.</summary>
internal sealed class EraseAugmentation : PixelAugmentation<Tensor>
{
    public override string Name => "erase";
    public override string Usage => "erase[=MINAREA:MAXAREA]";
    public override string Summary => "set one random rectangle (2–33 % of the image by default) to the mean (P 0.5 unless @P)";
    public override string StrengthMeaning => "the probability p";
    public override double MaxStrength => 1;
    public override string AtStrength(double strength) => $"erase@{F(strength)}";
    public override bool IsEnabled(AugmentationOptions options) => options.Erase is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability)
    {
        if (arguments is null) return options with { Erase = new AugmentationOptions.Erasing(P: probability ?? 0.5) };
        var (low, high) = Range(item, arguments);
        return options with { Erase = new AugmentationOptions.Erasing(low, high, probability ?? 0.5) };
    }

    internal override void Validate(AugmentationOptions options)
    {
        var e = options.Erase!;
        Probability(e.P);
        if (!(e.MinArea > 0 && e.MinArea <= e.MaxArea && e.MaxArea < 1))
            throw new ArgumentOutOfRangeException(Name, $"erase: needs 0 < MINAREA <= MAXAREA < 1; received {e.MinArea}:{e.MaxArea}.");
    }

    internal override string Format(AugmentationOptions options) => $"erase={F(options.Erase!.MinArea)}:{F(options.Erase.MaxArea)}@{F(options.Erase.P)}";

    // [N, 1, H, W]: true inside each chosen sample's box.
    internal override Tensor Sample(AugmentationOptions options, long[] shape, AugmentationRandom random)
    {
        var e = options.Erase!;
        long n = shape[0], height = shape[2], width = shape[3];
        var area = random.Uniform(n, e.MinArea, e.MaxArea).mul(height * width);
        var aspect = random.Uniform(n, Math.Log(0.3), Math.Log(10.0 / 3)).exp();
        var boxHeight = area.mul(aspect).sqrt().round().clamp(1, height);
        var boxWidth = area.div(aspect).sqrt().round().clamp(1, width);
        var top = rand(n, generator: random.Generator).mul(boxHeight.neg().add(height + 1)).floor();
        var left = rand(n, generator: random.Generator).mul(boxWidth.neg().add(width + 1)).floor();
        var rows = arange(height, ScalarType.Float32).view(1, -1, 1);
        var columns = arange(width, ScalarType.Float32).view(1, 1, -1);
        var inBox = rows.ge(top.view(-1, 1, 1)).logical_and(rows.lt(top.add(boxHeight).view(-1, 1, 1)))
            .logical_and(columns.ge(left.view(-1, 1, 1))).logical_and(columns.lt(left.add(boxWidth).view(-1, 1, 1)))
            .logical_and(random.Chosen(n, e.P).gt(0).view(-1, 1, 1));
        return inBox.unsqueeze(1);
    }

    internal override Tensor Apply(Tensor images, Tensor box) => images.masked_fill(box, 0);
}
