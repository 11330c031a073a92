using OnnxReg.Training.Schedules;

namespace OnnxReg.Training.Techniques;

/// <summary>The cosine learning-rate schedule as a technique that is on or off (its settings are the schedule's own
/// options), so a study can compare it and a tuner can choose it by the same name as train.</summary>
internal sealed class CosineScheduleTechnique : RegularizationTechnique
{
    public override int Order => 160;
    public override string Name => "cosine";
    public override string Summary => "anneal the learning rate along a cosine to --min-lr over the epochs (PyTorch CosineAnnealingLR)";
    public override string Strength => "1 for the cosine schedule";
    public override string AtZero => "a constant learning rate";
    public override double MaxStrength => 1;
    public override bool WholeNumbers => true;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--lr-schedule", s == 1 ? "cosine" : "constant"];

    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) =>
        c with { Schedule = c.Schedule with { Kind = s == 1 ? LearningRateScheduleKind.Cosine : LearningRateScheduleKind.Constant } };

    public override double StrengthIn(TrainingConfiguration c) => c.Schedule.Kind == LearningRateScheduleKind.Cosine ? 1 : 0;

    public override string? Describe(TrainingConfiguration c) => null; // said with the schedule, after the techniques
}
