namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>scale=MIN:MAX</c>: zoom by a factor uniform in [MIN, MAX] (above 1 enlarges the content).</summary>
internal sealed class ScaleAugmentation : GeometricAugmentation
{
    public override string Name => "scale";
    public override string Usage => "scale=MIN:MAX";
    public override string Summary => "zoom by a factor uniform in [MIN, MAX]";
    public override string StrengthMeaning => "s, for zoom factors in [1 − s, 1 + s]";
    public override double MaxStrength => 0.9;
    public override string AtStrength(double strength) => $"scale={F(1 - strength)}:{F(1 + strength)}";
    public override bool IsEnabled(AugmentationOptions options) => options.Scale is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability)
    {
        var (min, max) = Range(item, Required(item, arguments));
        return options with { Scale = new AugmentationOptions.Scaling(min, max, probability ?? 1) };
    }

    internal override void Validate(AugmentationOptions options)
    {
        var s = options.Scale!;
        Probability(s.P);
        if (!(s.Min > 0 && s.Min <= s.Max) || !double.IsFinite(s.Max))
            throw new ArgumentOutOfRangeException(Name, $"scale: needs 0 < MIN <= MAX; received {s.Min}:{s.Max}.");
    }

    internal override string Format(AugmentationOptions options) => $"scale={F(options.Scale!.Min)}:{F(options.Scale.Max)}@{F(options.Scale.P)}";

    internal override void Sample(AugmentationOptions options, AffineParameters transform, AugmentationRandom random)
    {
        var s = options.Scale!;
        // (zoom − 1)·chosen + 1: unchosen samples get exactly 1.
        var zoom = random.UniformValues(transform.Count, s.Min, s.Max);
        for (int i = 0; i < zoom.Length; i++) zoom[i] -= 1f;
        random.KeepChosen(zoom, s.P);
        for (int i = 0; i < zoom.Length; i++) zoom[i] += 1f;
        transform.Scale = zoom;
    }
}
