namespace OnnxReg.Training.Techniques;

/// <summary>Keras' activity regularization with an L1 factor: a penalty on the penultimate features rather than on
/// the weights, which drives the representation (not the weights) to sparsity.</summary>
internal sealed class ActivityL1Technique : RegularizationTechnique
{
    public override int Order => 35;
    public override bool TrainTakesStrength => true;
    public override bool StoresStrength => true;
    public override string Name => "activity-l1";
    public override string Summary => "L1 penalty λ·Σ|a|/N on the features the last Linear layer reads (Keras activity_regularizer=l1); sparse representations";
    public override string Strength => "the factor λ";
    public override string AtZero => "no activity penalty";
    public override double MaxStrength => Regularization.WeightPenaltyOptions.MaxStrength;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--activity-l1", Format(s)];
    protected override string Words => "activity L1";
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => Store(c, s);
    public override double StrengthIn(TrainingConfiguration c) => Stored(c);

    public override IEnumerable<Hooks.IStepHook> CreateHooks(TrainingConfiguration c, TorchSharp.torch.nn.Module model) =>
        Stored(c) is > 0 and var strength ? [new Hooks.ActivityPenalty(model, strength)] : [];
}
