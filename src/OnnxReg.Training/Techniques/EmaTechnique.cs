namespace OnnxReg.Training.Techniques;

/// <summary>An exponential moving average of the weights (timm's model EMA): validated, kept and exported as the
/// average, which is smoother and often generalizes better than the last step's weights.</summary>
internal sealed class EmaTechnique : RegularizationTechnique
{
    public override int Order => 140;
    public override bool TrainTakesStrength => true;
    public override bool StoresStrength => true;
    public override string Name => "ema";
    public override IReadOnlyList<string> Aliases => ["model-ema"];
    public override string Summary => "keep an exponential moving average of the weights (timm model EMA) and validate, keep and export the average";
    public override string Strength => "the decay d per step (0.999: an average over about 1,000 steps)";
    public override string AtZero => "no average";
    public override double MaxStrength => 1;
    public override bool MaxInclusive => false;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--ema", Format(s)];
    protected override string Words => "weight EMA";
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => Store(c, s);
    public override double StrengthIn(TrainingConfiguration c) => Stored(c);

    public override IEnumerable<Hooks.IStepHook> CreateHooks(TrainingConfiguration c, TorchSharp.torch.nn.Module model) =>
        Stored(c) is > 0 and var decay ? [new Hooks.WeightAverage(model, decay)] : [];
}
