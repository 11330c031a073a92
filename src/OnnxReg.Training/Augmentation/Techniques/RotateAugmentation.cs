namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>rotate=DEGREES</c>: rotate by an angle uniform in [−DEGREES, DEGREES] (at most 180).</summary>
internal sealed class RotateAugmentation : GeometricAugmentation
{
    public override string Name => "rotate";
    public override string Usage => "rotate=DEGREES";
    public override string Summary => "rotate by an angle uniform in ±DEGREES";
    public override string StrengthMeaning => "the largest angle in degrees";
    public override double MaxStrength => 180;
    public override string AtStrength(double strength) => $"rotate={F(strength)}";
    public override bool IsEnabled(AugmentationOptions options) => options.Rotate is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability) =>
        options with { Rotate = new AugmentationOptions.Rotation(Number(item, Required(item, arguments)), probability ?? 1) };

    internal override void Validate(AugmentationOptions options)
    {
        Probability(options.Rotate!.P);
        Positive(options.Rotate.Degrees, "degrees", 180, zeroAllowed: true);
    }

    internal override string Format(AugmentationOptions options) => $"rotate={F(options.Rotate!.Degrees)}@{F(options.Rotate.P)}";

    internal override void Sample(AugmentationOptions options, AffineParameters transform, AugmentationRandom random)
    {
        var r = options.Rotate!;
        var angle = random.UniformValues(transform.Count, -r.Degrees, r.Degrees);
        float radiansPerDegree = (float)(Math.PI / 180);
        for (int i = 0; i < angle.Length; i++) angle[i] *= radiansPerDegree;
        transform.Angle = random.KeepChosen(angle, r.P);
    }
}
