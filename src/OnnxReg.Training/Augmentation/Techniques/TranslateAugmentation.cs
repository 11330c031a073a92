namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary><c>translate=FRACTION</c>: shift by up to FRACTION of the width and of the height, each axis drawn independently.</summary>
internal sealed class TranslateAugmentation : GeometricAugmentation
{
    public override string Name => "translate";
    public override string Usage => "translate=FRACTION";
    public override string Summary => "shift by up to FRACTION of the size, per axis";
    public override string StrengthMeaning => "the largest shift, as a fraction of the size";
    public override double MaxStrength => 0.5;
    public override string AtStrength(double strength) => $"translate={F(strength)}";
    public override bool IsEnabled(AugmentationOptions options) => options.Translate is not null;

    internal override AugmentationOptions Parse(AugmentationOptions options, string item, string? arguments, double? probability) =>
        options with { Translate = new AugmentationOptions.Translation(Number(item, Required(item, arguments)), probability ?? 1) };

    internal override void Validate(AugmentationOptions options)
    {
        Probability(options.Translate!.P);
        Positive(options.Translate.Fraction, "fraction", 1, zeroAllowed: true);
    }

    internal override string Format(AugmentationOptions options) => $"translate={F(options.Translate!.Fraction)}@{F(options.Translate.P)}";

    // A shift of the whole width is 2 in normalized coordinates.
    internal override void Sample(AugmentationOptions options, AffineParameters transform, AugmentationRandom random)
    {
        var t = options.Translate!;
        long n = transform.Count;
        transform.ShiftX = random.KeepChosen(Doubled(random.UniformValues(n, -t.Fraction, t.Fraction)), t.P);
        transform.ShiftY = random.KeepChosen(Doubled(random.UniformValues(n, -t.Fraction, t.Fraction)), t.P);
    }

    private static float[] Doubled(float[] values)
    {
        for (int i = 0; i < values.Length; i++) values[i] *= 2f;
        return values;
    }
}
