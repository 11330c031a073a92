using OnnxReg.Training.Regularization;

namespace OnnxReg.Training.Techniques;

/// <summary>Elastic net as scikit-learn writes it with <c>l1_ratio</c> 0.5: <c>α·(0.5·Σ|w| + 0.25·Σw²)</c>.</summary>
internal sealed class ElasticNetTechnique : RegularizationTechnique
{
    public override int Order => 30;
    public override bool TrainTakesStrength => true;
    public override string Name => "elastic-net";
    public override string Summary => "L1 and L2 together, as scikit-learn's ElasticNet with l1_ratio 0.5: L1 α/2 and L2 α/4";
    public override string Strength => "α";
    public override string AtZero => "neither penalty";
    public override double MaxStrength => WeightPenaltyOptions.MaxStrength;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--elastic-net", Format(s)];
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { Penalty = c.Penalty with { L1 = s / 2, L2 = s / 4 } };
    public override double StrengthIn(TrainingConfiguration c) => c.Penalty.L1 > 0 && c.Penalty.L2 == c.Penalty.L1 / 2 ? c.Penalty.L1 * 2 : 0;
    public override string? Describe(TrainingConfiguration c) => null; // printed as its L1 and L2

    // Its gradient is added by the penalty hook l1's descriptor creates for every penalty term (one hook, built once).
}
