using OnnxReg.Training.Regularization;

namespace OnnxReg.Training.Techniques;

/// <summary>L2 penalty (ridge): <c>λ·Σw²</c> over the Linear and Conv weights, added to the loss.</summary>
internal sealed class L2Technique : RegularizationTechnique
{
    public override int Order => 20;
    public override bool TrainTakesStrength => true;
    public override string Name => "l2";
    public override string Summary => "L2 penalty λ·Σw² over Linear/Conv weights, added to the loss";
    public override string Strength => "the factor λ";
    public override string AtZero => "no L2 penalty";
    public override double MaxStrength => WeightPenaltyOptions.MaxStrength;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--l2", Format(s)];
    protected override string Words => "L2";
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { Penalty = c.Penalty with { L2 = s } };
    public override double StrengthIn(TrainingConfiguration c) => c.Penalty.L2;

    // Its gradient is added by the penalty hook l1's descriptor creates for every penalty term (one hook, built once).
}
