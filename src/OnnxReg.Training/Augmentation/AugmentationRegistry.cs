using OnnxReg.Training.Augmentation.Techniques;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// Every augmentation technique, by name, in the one order they are parsed, validated, written and applied: flips,
/// the geometric ones (fused into one affine resampling), colour jitter and grayscale, erasing, noise, then at most one
/// label mixer per batch.
/// Adding a technique means one file under <c>Techniques/</c>, one options record and property in
/// <see cref="AugmentationOptions"/>, and one line here.
/// </summary>
public static class AugmentationRegistry
{
    /// <summary>All techniques, in application order.</summary>
    public static IReadOnlyList<AugmentationTechnique> All { get; } =
    [
        new FlipAugmentation(horizontal: true),
        new FlipAugmentation(horizontal: false),
        new RotateAugmentation(),
        new ScaleAugmentation(),
        new TranslateAugmentation(),
        new CropAugmentation(),
        new ResizedCropAugmentation(),
        new ColorJitterAugmentation(),
        new GrayscaleAugmentation(),
        new EraseAugmentation(),
        new NoiseAugmentation(),
        new MixupAugmentation(),
        new CutMixAugmentation(),
    ];

    /// <summary>The technique called <paramref name="name"/>, or null.</summary>
    public static AugmentationTechnique? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>One line per technique — its syntax and what it does — for help texts.</summary>
    public static string Describe() => string.Join("; ", All.Select(t => $"{t.Usage}: {t.Summary}"));
}
