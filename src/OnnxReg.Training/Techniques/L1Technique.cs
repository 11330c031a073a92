using OnnxReg.Training.Regularization;

namespace OnnxReg.Training.Techniques;

/// <summary>L1 penalty (lasso): <c>λ·Σ|w|</c> over the Linear and Conv weights, added to the loss.</summary>
internal sealed class L1Technique : RegularizationTechnique
{
    public override int Order => 10;
    public override bool TrainTakesStrength => true;
    public override string Name => "l1";
    public override string Summary => "L1 penalty λ·Σ|w| over Linear/Conv weights (drives weights to exactly 0)";
    public override string Strength => "the factor λ";
    public override string AtZero => "no L1 penalty";
    public override double MaxStrength => WeightPenaltyOptions.MaxStrength;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--l1", Format(s)];
    protected override string Words => "L1";
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { Penalty = c.Penalty with { L1 = s } };
    public override double StrengthIn(TrainingConfiguration c) => c.Penalty.L1;

    // One penalty hook serves every penalty term (l1, l2, elastic net, per-layer), so it is built here only, for all of
    // them: the first penalty technique in the registry's order, ahead of clipping.
    public override IEnumerable<Hooks.IStepHook> CreateHooks(TrainingConfiguration c, TorchSharp.torch.nn.Module model) =>
        Regularization.WeightPenalty.For(model, c.Penalty) is { } penalty ? [penalty] : [];
}
