namespace OnnxReg.Training.Techniques;

/// <summary>Dropout (Srivastava et al.) before each fully connected layer after a hidden one; gone at export.</summary>
internal sealed class DropoutTechnique : RegularizationTechnique
{
    public override int Order => 80;
    public override string Name => "dropout";
    public override string Summary => "zero each hidden unit with probability p while training (dense layers; nothing at export)";
    public override string Strength => "the rate p at every dense dropout position";
    public override string AtZero => "no dropout";
    public override double MaxStrength => 1;
    public override bool MaxInclusive => false;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--dropout", Format(s)];
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { Model = c.Model with { DropoutRates = [s] } };
    public override double StrengthIn(TrainingConfiguration c) => c.Model.DropoutRates is { Length: > 0 } rates ? rates.Max() : 0;

    public override string? Describe(TrainingConfiguration c) =>
        c.Model.DropoutRates is { } d && d.Any(r => r > 0) ? $"dropout {string.Join("/", d.Select(Short))}" : null;
}
