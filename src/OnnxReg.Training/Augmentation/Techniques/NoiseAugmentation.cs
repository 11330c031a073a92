using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>noise=STD</c>: add Gaussian noise of standard deviation STD (in normalized units). Sampling draws the
/// noise (zero for samples not chosen); application adds it.</summary>
internal sealed class NoiseAugmentation : PixelAugmentation<Tensor>
{
    public override string Name => "noise";
    public override string Usage => "noise=STD";
    public override string Summary => "add Gaussian noise of standard deviation STD (normalized units)";
    public override string StrengthMeaning => "the standard deviation (normalized units)";
    public override double MaxStrength => 10;
    public override string AtStrength(double strength) => $"noise={F(strength)}";
    public override bool IsEnabled(AugmentationOptions options) => options.GaussianNoise is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability) =>
        options with { GaussianNoise = new AugmentationOptions.Noise(Number(item, Required(item, arguments)), probability ?? 1) };

    internal override void Validate(AugmentationOptions options)
    {
        Probability(options.GaussianNoise!.P);
        Positive(options.GaussianNoise.Std, "std");
    }

    internal override string Format(AugmentationOptions options) => $"noise={F(options.GaussianNoise!.Std)}@{F(options.GaussianNoise.P)}";

    internal override Tensor Sample(AugmentationOptions options, long[] shape, AugmentationRandom random)
    {
        var n = options.GaussianNoise!;
        return randn(shape, generator: random.Generator).mul(n.Std).mul(random.Chosen(shape[0], n.P).view(-1, 1, 1, 1));
    }

    internal override Tensor Apply(Tensor images, Tensor noise) => images.add(noise);
}
