using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>resized-crop[=MINAREA:MAXAREA]</c>: torchvision's RandomResizedCrop — a window of MINAREA–MAXAREA of the
/// image (0.08–1 by default) with aspect ratio 3/4–4/3 (log-uniform), at a random position, resized to the image's size.
/// A window that would not fit is clamped to the image (torchvision retries ten times, then falls back to a centre
/// crop). It is one more part of the affine transform, so it costs no extra resampling.</summary>
internal sealed class ResizedCropAugmentation : GeometricAugmentation
{
    public override string Name => "resized-crop";
    public override string Usage => "resized-crop[=MINAREA:MAXAREA]";
    public override string Summary => "crop a random window of MINAREA–MAXAREA of the image (0.08–1), aspect 3/4–4/3, resized back (torchvision RandomResizedCrop)";
    public override string StrengthMeaning => "s, for windows of 1 − s to all of the image";
    public override double MaxStrength => 0.92;
    public override string AtStrength(double strength) => $"resized-crop={F(1 - strength)}:1";
    public override bool IsEnabled(AugmentationOptions options) => options.ResizedCrop is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability)
    {
        if (arguments is null) return options with { ResizedCrop = new AugmentationOptions.RandomResizedCrop(P: probability ?? 1) };
        var (min, max) = Range(item, arguments);
        return options with { ResizedCrop = new AugmentationOptions.RandomResizedCrop(min, max, probability ?? 1) };
    }

    internal override void Validate(AugmentationOptions options)
    {
        var c = options.ResizedCrop!;
        Probability(c.P);
        if (!(c.MinArea > 0 && c.MinArea <= c.MaxArea && c.MaxArea <= 1))
            throw new ArgumentOutOfRangeException(Name, $"resized-crop: needs 0 < MINAREA <= MAXAREA <= 1; received {c.MinArea}:{c.MaxArea}.");
    }

    internal override string Format(AugmentationOptions options) =>
        $"resized-crop={F(options.ResizedCrop!.MinArea)}:{F(options.ResizedCrop.MaxArea)}@{F(options.ResizedCrop.P)}";

    internal override void Sample(AugmentationOptions options, AffineParameters transform, AugmentationRandom random)
    {
        var c = options.ResizedCrop!;
        long n = transform.Count;
        var chosen = random.Chosen(n, c.P);
        var area = random.Uniform(n, c.MinArea, c.MaxArea);
        var ratio = random.Uniform(n, Math.Log(3.0 / 4), Math.Log(4.0 / 3)).exp();
        // torchvision's window in pixels is sqrt(area·H·W·ratio) wide and sqrt(area·H·W/ratio) high; as fractions of W and H:
        double aspect = (double)transform.Height / transform.Width;
        var width = area.mul(ratio).mul(aspect).sqrt().clamp_max(1);
        var height = area.div(ratio).div(aspect).sqrt().clamp_max(1);
        // Unchosen samples keep the whole image.
        transform.CropWidth = width.sub(1).mul(chosen).add(1);
        transform.CropHeight = height.sub(1).mul(chosen).add(1);
        // The window's centre, in normalized coordinates, anywhere the window stays inside the image.
        transform.CropX = random.Uniform(n, -1, 1).mul(transform.CropWidth.neg().add(1));
        transform.CropY = random.Uniform(n, -1, 1).mul(transform.CropHeight.neg().add(1));
    }
}
