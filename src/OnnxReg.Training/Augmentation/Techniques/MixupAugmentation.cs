namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>mixup[=ALPHA]</c> (Zhang et al.): blend each image and its label with another's, weight λ ~ Beta(α, α)
/// per batch (α 0.2 by default).</summary>
internal sealed class MixupAugmentation : LabelMixingAugmentation
{
    public override string Name => "mixup";
    public override string Usage => "mixup[=ALPHA]";
    public override string Summary => "blend pairs of images and labels, λ ~ Beta(ALPHA, ALPHA) (ALPHA 0.2)";
    public override string StrengthMeaning => "ALPHA of Beta(ALPHA, ALPHA)";
    public override double MaxStrength => 100;
    public override string AtStrength(double strength) => $"mixup={F(strength)}";
    public override bool IsEnabled(AugmentationOptions options) => options.MixupLabels is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability) =>
        options with { MixupLabels = new AugmentationOptions.Mixup(arguments is null ? 0.2 : Number(item, arguments), probability ?? 1) };

    internal override void Validate(AugmentationOptions options)
    {
        Probability(options.MixupLabels!.P);
        Positive(options.MixupLabels.Alpha, "alpha");
    }

    internal override string Format(AugmentationOptions options) => $"mixup={F(options.MixupLabels!.Alpha)}@{F(options.MixupLabels.P)}";

    internal override double BatchProbability(AugmentationOptions options) => options.MixupLabels!.P;

    internal override double Alpha(AugmentationOptions options) => options.MixupLabels!.Alpha;

    internal override (TorchSharp.torch.Tensor Images, double KeptWeight) Mix(TorchSharp.torch.Tensor images, TorchSharp.torch.Tensor partnerImages, double lambda, Random random) =>
        (images.mul(lambda).add(partnerImages.mul(1 - lambda)), lambda);
}
