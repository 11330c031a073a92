namespace OnnxReg.Training.Techniques;

/// <summary>Label smoothing (Szegedy et al.): the target puts 1 − ε on the true class and ε spread over all classes.</summary>
internal sealed class LabelSmoothingTechnique : RegularizationTechnique
{
    public override int Order => 110;
    public override bool TrainTakesStrength => true;
    public override string Name => "label-smoothing";
    public override string Summary => "train against targets of 1 − ε on the true class and ε spread over all classes";
    public override string Strength => "ε";
    public override string AtZero => "one-hot targets";
    public override double MaxStrength => 1;
    public override bool MaxInclusive => false;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--label-smoothing", Format(s)];
    protected override string Words => "label smoothing";
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { Training = c.Training with { LabelSmoothing = s } };
    public override double StrengthIn(TrainingConfiguration c) => c.Training.LabelSmoothing;
}
