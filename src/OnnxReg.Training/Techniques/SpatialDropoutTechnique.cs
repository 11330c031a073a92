namespace OnnxReg.Training.Techniques;

/// <summary>Spatial dropout (Dropout2d, Tompson et al.): whole feature maps after each convolution block or stage.</summary>
internal sealed class SpatialDropoutTechnique : RegularizationTechnique
{
    public override int Order => 90;
    public override string Name => "spatial-dropout";
    public override string Summary => "zero whole feature maps with probability p after each convolution block (CNN/ResNet; nothing at export)";
    public override string Strength => "the Dropout2d rate p";
    public override string AtZero => "no spatial dropout";
    public override double MaxStrength => 1;
    public override bool MaxInclusive => false;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--spatial-dropout", Format(s)];

    // A network without convolution blocks (the MLP) has no position for it: it is left as it is, as in a study grid.
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) =>
        c.Model.SpatialDropoutPositions > 0 ? c with { Model = c.Model with { SpatialDropoutRates = [s] } } : c;

    public override double StrengthIn(TrainingConfiguration c) => c.Model.SpatialDropoutRates is { Length: > 0 } rates ? rates.Max() : 0;

    public override string? Describe(TrainingConfiguration c) =>
        c.Model.SpatialDropoutRates is { } s && s.Any(r => r > 0) ? $"dropout2d {string.Join("/", s.Select(Short))}" : null;
}
