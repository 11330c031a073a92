using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>crop=PADDING</c>: pad by PADDING pixels on each side and crop back at a random integer offset
/// (torchvision's RandomCrop with padding), as a whole-pixel shift added to any translation.</summary>
internal sealed class CropAugmentation : GeometricAugmentation
{
    public override string Name => "crop";
    public override string Usage => "crop=PADDING";
    public override string Summary => "pad by PADDING pixels and crop back at a random offset";
    public override string StrengthMeaning => "the padding in pixels";
    public override double MaxStrength => 64;
    public override string AtStrength(double strength) => $"crop={F(Math.Round(strength))}";
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
        var chosen = random.ChosenValues(n, c.P);
        transform.ShiftX = Shifted(transform.ShiftX, Offsets(n, c.Padding, random), (float)(2.0 / transform.Width), chosen);
        transform.ShiftY = Shifted(transform.ShiftY, Offsets(n, c.Padding, random), (float)(2.0 / transform.Height), chosen);
    }

    private static long[] Offsets(long count, int padding, AugmentationRandom random)
    {
        using var offsets = randint(-padding, padding + 1, [count], generator: random.Generator);
        return MemoryMarshal.Cast<byte, long>(offsets.bytes).ToArray();
    }

    // shift + offset·step·chosen, in float32 as the tensor form computed it (an undrawn shift is 0, chosen 1).
    private static float[] Shifted(float[]? shift, long[] offsets, float step, float[]? chosen)
    {
        var result = new float[offsets.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = (shift?[i] ?? 0f) + (float)offsets[i] * step * (chosen?[i] ?? 1f);
        return result;
    }
}
