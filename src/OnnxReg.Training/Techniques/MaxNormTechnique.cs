namespace OnnxReg.Training.Techniques;

/// <summary>Max-norm (Srebro et al.; Keras' <c>MaxNorm</c>): after each step every weight row / filter with an L2
/// norm above the limit is scaled back to it.</summary>
internal sealed class MaxNormTechnique : RegularizationTechnique
{
    public override int Order => 50;
    public override bool TrainTakesStrength => true;
    public override string Name => "max-norm";
    public override string Summary => "scale each weight row / filter back to this L2 norm after every step (Keras MaxNorm)";
    public override string Strength => "the norm limit";
    public override string AtZero => "no constraint";
    public override double MaxStrength => 1e6;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--max-norm", Format(s)];
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { MaxNorm = s == 0 ? null : s };
    public override double StrengthIn(TrainingConfiguration c) => c.MaxNorm ?? 0;

    public override IEnumerable<Hooks.IStepHook> CreateHooks(TrainingConfiguration c, TorchSharp.torch.nn.Module model) =>
        c.MaxNorm is double limit ? [new Regularization.MaxNormConstraint(model, limit)] : [];
}
