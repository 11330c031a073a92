using System.Globalization;
using OnnxReg.Training.Augmentation;

namespace OnnxReg.Training.Techniques;

/// <summary>The study's augmentation at one strength s: hflip, rotate 10·s°, scale 1 ± 0.1·s, translate 0.08·s
/// (s = 1 is the default study's <c>augment</c> technique). It replaces the configuration's augmentation.</summary>
internal sealed class AugmentationStrengthTechnique : RegularizationTechnique
{
    public override int Order => 120;
    public override string Name => "augmentation";
    public override string Summary => "the study's augmentation scaled by s: hflip, rotate 10·s°, scale 1 ± 0.1·s, translate 0.08·s";
    public override string Strength => "s (1: the default study's augment technique)";
    public override string AtZero => "no augmentation";
    public override double MaxStrength => 9;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--augment", Spec(s)];

    /// <summary>The compact syntax at strength <paramref name="s"/>.</summary>
    public static string Spec(double s)
    {
        if (s == 0) return "none";
        static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        double scale = Math.Min(0.9, 0.1 * s);
        return $"hflip,rotate={F(Math.Min(180, 10 * s))},scale={F(1 - scale)}:{F(1 + scale)},translate={F(Math.Min(0.5, 0.08 * s))}";
    }

    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { Augmentation = AugmentationOptions.Parse(Spec(s)) };

    // A configuration's augmentation is described as written; its strength is only known when it is one of these.
    public override double StrengthIn(TrainingConfiguration c) => 0;

    public override string? Describe(TrainingConfiguration c) => c.Augmentation.IsEmpty ? null : $"augmentation {c.Augmentation}";
}
