using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>crop=PADDING</c>: pad by PADDING pixels on each side and crop back at a random integer offset
/// (torchvision's RandomCrop with padding), as a whole-pixel shift added to any translation.</summary>
internal sealed class CropAugmentation : GeometricAugmentation
{
    public override string Name => "crop";
    public override string Usage => "crop=PADDING";
    public override string Summary => "pad by PADDING pixels and crop back at a random offset";
    public override bool IsEnabled(AugmentationOptions options) => options.RandomCrop is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability) =>
        options with { RandomCrop = new AugmentationOptions.Crop((int)Number(item, Required(item, arguments)), probability ?? 1) };

    internal override void Validate(AugmentationOptions options)
    {
        Probability(options.RandomCrop!.P);
        Positive(options.RandomCrop.Padding, "padding");
    }

    internal override string Format(AugmentationOptions options) => $"crop={options.RandomCrop!.Padding}@{F(options.RandomCrop.P)}";

    // Integer pixel offsets in [-padding, padding]: the same as padding with black and cropping back.
    internal override void Sample(AugmentationOptions options, AffineParameters transform, AugmentationRandom random)
    {
        var c = options.RandomCrop!;
        long n = transform.Count;
        var chosen = random.Chosen(n, c.P);
        transform.ShiftX = transform.ShiftX.add(randint(-c.Padding, c.Padding + 1, [n], generator: random.Generator).to(ScalarType.Float32).mul(2.0 / transform.Width).mul(chosen));
        transform.ShiftY = transform.ShiftY.add(randint(-c.Padding, c.Padding + 1, [n], generator: random.Generator).to(ScalarType.Float32).mul(2.0 / transform.Height).mul(chosen));
    }
}
