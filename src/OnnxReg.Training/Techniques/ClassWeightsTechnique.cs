namespace OnnxReg.Training.Techniques;

/// <summary>Class weights of the training loss: balanced (inverse class frequency, as scikit-learn) or equal.</summary>
internal sealed class ClassWeightsTechnique : RegularizationTechnique
{
    public override int Order => 70;
    public override string Name => "class-weights";
    public override string Summary => "weigh the training loss by inverse class frequency (scikit-learn's 'balanced')";
    public override string Strength => "1 for balanced weights";
    public override string AtZero => "equal weights";
    public override double MaxStrength => 1;
    public override bool WholeNumbers => true;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--class-weights", s == 0 ? "none" : "balanced"];
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { ClassWeights = s == 0 ? null : new Regularization.ClassWeights(Balanced: true) };
    public override double StrengthIn(TrainingConfiguration c) => c.ClassWeights is null ? 0 : 1;

    public override string? Describe(TrainingConfiguration c) => c.ClassWeights is not { } w ? null
        : w.Balanced ? "balanced class weights" : $"class weights {string.Join("/", w.Values!.Select(Short))}";
}
