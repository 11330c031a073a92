using OnnxReg.Training.Regularization;

namespace OnnxReg.Training.Techniques;

/// <summary>Decoupled weight decay (Loshchilov &amp; Hutter's AdamW): the weights shrink by <c>lr·λ·w</c> each step,
/// apart from the gradient. Adam becomes AdamW; SGD has no decoupled decay here (an L2 penalty is SGD's weight decay).</summary>
internal sealed class WeightDecayTechnique : RegularizationTechnique
{
    public override int Order => 40;
    public override bool TrainTakesStrength => true;
    public override string Name => "weight-decay";
    public override string Summary => "AdamW's decoupled weight decay (Adam is switched to AdamW; for SGD use l2)";
    public override string Strength => "the decay λ per step, times the learning rate";
    public override string AtZero => "no decay (the optimizer is left as it is)";
    public override double MaxStrength => WeightPenaltyOptions.MaxStrength;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--weight-decay", Format(s)];
    protected override string Words => "AdamW weight decay";

    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s)
    {
        if (s == 0) return c with { Training = c.Training with { WeightDecay = 0 } };
        if (c.Training.Optimizer == OptimizerKind.Sgd)
            throw new ArgumentException("weight-decay is AdamW's decoupled decay; with SGD an L2 penalty (l2) is the same thing. Use l2, or the adam or adamw optimizer.", nameof(c));
        return c with { Training = c.Training with { WeightDecay = s, Optimizer = OptimizerKind.AdamW } };
    }

    public override double StrengthIn(TrainingConfiguration c) => c.Training.WeightDecay;
}
