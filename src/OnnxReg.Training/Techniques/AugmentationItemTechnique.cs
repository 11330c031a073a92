using System.Globalization;
using OnnxReg.Training.Augmentation;

namespace OnnxReg.Training.Techniques;

/// <summary>One augmentation of <see cref="AugmentationRegistry"/> at a strength (its own meaning: a probability, an
/// angle, an alpha), added to — or replacing its own item in — the configuration's augmentation.</summary>
internal sealed class AugmentationItemTechnique(AugmentationTechnique augmentation) : RegularizationTechnique
{
    public override int Order => 1000; // after every other technique, in AugmentationRegistry's order
    public override string Name => augmentation.Name;
    public override string Summary => "augmentation: " + augmentation.Summary;
    public override string Strength => augmentation.StrengthMeaning;
    public override string AtZero => $"no {augmentation.Name}";
    public override double MaxStrength => augmentation.MaxStrength;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--augment", s == 0 ? "none" : augmentation.AtStrength(s)];

    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s)
    {
        var items = c.Augmentation.IsEmpty ? [] : c.Augmentation.ToString().Split(',').Where(item => ItemName(item) != Name).ToList();
        if (s > 0) items.Add(augmentation.AtStrength(s));
        return c with { Augmentation = AugmentationOptions.Parse(items.Count == 0 ? "none" : string.Join(",", items)) };
    }

    public override double StrengthIn(TrainingConfiguration c) => 0;

    public override string? Describe(TrainingConfiguration c) => null; // part of the augmentation line

    private static string ItemName(string item) => item.Split('=', '@')[0].Trim();
}
