using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>cutmix[=ALPHA]</c> (Yun et al.): paste a box from another image, labels mixed by the area kept,
/// λ ~ Beta(α, α) (α 1 by default).</summary>
internal sealed class CutMixAugmentation : LabelMixingAugmentation
{
    public override string Name => "cutmix";
    public override string Usage => "cutmix[=ALPHA]";
    public override string Summary => "paste a box from another image, labels mixed by area, λ ~ Beta(ALPHA, ALPHA) (ALPHA 1)";
    public override string StrengthMeaning => "ALPHA of Beta(ALPHA, ALPHA)";
    public override double MaxStrength => 100;
    public override string AtStrength(double strength) => $"cutmix={F(strength)}";
    public override bool IsEnabled(AugmentationOptions options) => options.CutMixLabels is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability) =>
        options with { CutMixLabels = new AugmentationOptions.CutMix(arguments is null ? 1.0 : Number(item, arguments), probability ?? 1) };

    internal override void Validate(AugmentationOptions options)
    {
        Probability(options.CutMixLabels!.P);
        Positive(options.CutMixLabels.Alpha, "alpha");
    }

    internal override string Format(AugmentationOptions options) => $"cutmix={F(options.CutMixLabels!.Alpha)}@{F(options.CutMixLabels.P)}";

    internal override double BatchProbability(AugmentationOptions options) => options.CutMixLabels!.P;

    internal override double Alpha(AugmentationOptions options) => options.CutMixLabels!.Alpha;

    // The box has sides √(1 − λ) of the image's, centred at a uniform pixel and clipped to the image; the labels are
    // mixed by the area actually kept.
    internal override (Tensor Images, double KeptWeight) Mix(Tensor images, Tensor partnerImages, double lambda, Random random)
    {
        long height = images.shape[2], width = images.shape[3];
        long cutHeight = (long)(height * Math.Sqrt(1 - lambda)), cutWidth = (long)(width * Math.Sqrt(1 - lambda));
        long centerY = random.NextInt64(height), centerX = random.NextInt64(width);
        long top = Math.Clamp(centerY - cutHeight / 2, 0, height), bottom = Math.Clamp(centerY + cutHeight / 2, 0, height);
        long left = Math.Clamp(centerX - cutWidth / 2, 0, width), right = Math.Clamp(centerX + cutWidth / 2, 0, width);
        var rows = arange(height).view(-1, 1);
        var columns = arange(width).view(1, -1);
        var box = rows.ge(top).logical_and(rows.lt(bottom)).logical_and(columns.ge(left)).logical_and(columns.lt(right));
        double kept = 1 - (double)((bottom - top) * (right - left)) / (height * width);
        return (where(box, partnerImages, images), kept);
    }
}
